"""report.html: one self-contained, escaped page with tables, thumbnails and plots."""

from __future__ import annotations

import base64
import html
import math
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posecheck.measure.geometry import METRIC_UNITS
from posecheck.outputs.report_html import (
    MAX_PLOT_POINTS,
    PEOPLE_STILL_ID,
    downsample,
    read_series,
    render_html,
    threshold_bands,
    threshold_lines,
)
from posecheck.poses import get_pose
from posecheck.poses.base import PoseCheck
from posecheck.report import CheckScore, Hold, PeopleSeen, VideoInfo, VideoReport

BASE_COLUMNS = ["time_s", "frame", "person", "pose", "side", "confidence", "view", "hold"]
# A JPEG-looking payload: the page must carry these exact bytes.
THUMB = b"\xff\xd8\xff\xe0" + bytes(range(256)) + b"\xff\xd9"


def header() -> list[str]:
    """frames.csv's columns, in the order ``posecheck analyze`` writes them."""
    cols = [*BASE_COLUMNS, "status"]
    for m in METRIC_UNITS:
        cols += [m, f"{m}_valid"]
    return [*cols, "cues"]


def write_frames_csv(path: Path, times: np.ndarray, series: Mapping[str, np.ndarray]) -> Path:
    """A frames.csv with ``series`` (NaN = not measurable) and every other metric empty."""
    parts: list[str | np.ndarray] = []
    for m in METRIC_UNITS:
        parts.append(series[m] if m in series else ",,0")
    lines = [",".join(header())]
    for i, t in enumerate(times):
        cells = [f"{t:.3f},{i},1,tree,left,0.91,side,1,hold"]
        for part in parts:
            if isinstance(part, str):
                cells.append(part)
            else:
                v = float(part[i])
                cells.append(f",{v:.3f},1" if math.isfinite(v) else ",,0")
        cells.append(",standing_leg_straight")
        lines.append("".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def score(
    check: str,
    title: str,
    metric: str,
    value: float | None,
    sev: str | None,
    s: float | None,
    t: float | None = 5.0,
    reason: str | None = None,
) -> CheckScore:
    judged = 0 if s is None else 120
    return CheckScore(
        check=check, title=title, metric=metric, frames_judged=judged, frames_total=120,
        aligned_pct=None if s is None else s, worst_value=value, worst_time_s=t,
        worst_severity=sev, score=s, reason=reason,
    )  # fmt: skip


TREE_HOLD = Hold(
    index=1,
    pose="tree",
    side="left",
    start_s=2.0,
    end_s=10.0,
    frames=240,
    confidence=0.93,
    view="side",
    checks=(
        score(
            "standing_leg_straight",
            "standing leg straight",
            "knee_angle_left_deg",
            155.2,
            "fault",
            61.0,
            4.7,
        ),
        score(
            "foot_off_knee",
            "lifted foot above or below the knee joint",
            "foot_knee_gap_left_pct",
            14.0,
            "ok",
            100.0,
        ),
        score(
            "com_over_foot",
            "centre of mass over the standing foot",
            "com_offset_foot_lengths",
            0.41,
            "warn",
            93.0,
            8.1,
        ),
        score(
            "standing_knee_midline",
            "standing knee not toward the midline",
            "knee_valgus_left_deg",
            None,
            None,
            None,
            None,
            reason="not measurable from this view (side); needs front",
        ),
    ),  # fmt: skip
    score=84.7,
    sway_pct=1.2,
)
BRIDGE_HOLD = Hold(
    index=2,
    pose="bridge",
    side=None,
    start_s=14.0,
    end_s=20.0,
    frames=180,
    confidence=0.88,
    view="front",
    checks=(
        score(
            "knees_not_caving",
            "knees not caving in",
            "knee_ankle_gap_ratio",
            0.75,
            "warn",
            70.0,
            15.0,
        ),
        score(
            "knees_not_splaying", "knees not splaying out", "knee_ankle_gap_ratio", 1.0, "ok", 100.0
        ),
        score("hips_level", "hips level left/right", "pelvic_obliquity_deg", 3.0, "ok", 100.0),
        score(
            "weight_even", "weight even on both feet", "weight_left_pct", 79.0, "fault", 12.0, 18.0
        ),
    ),  # fmt: skip
    score=41.5,
)
VIDEO = VideoInfo("clip.mp4", 1280, 720, 30.0, 22.0, 90, "h264")


def make_report(**changes: object) -> VideoReport:
    report = VideoReport(
        source="videos/clip.mp4",
        video=VIDEO,
        settings={"pose": "auto", "stride": 1, "max_width": None},
        frames_decoded=660,
        frames_analysed=660,
        frames_with_person=640,
        holds=(TREE_HOLD, BRIDGE_HOLD),
        notes=("more than one person in 3 frames",),
        outputs={"frames_csv": "frames.csv", "annotated_video": "annotated.mp4"},
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def distinct_metrics(report: VideoReport) -> set[str]:
    return {cs.metric for h in report.holds for cs in h.checks}


@pytest.fixture
def frames_csv(tmp_path: Path) -> Path:
    """22 s at 30 fps: the standing knee swings across 170/160 deg, with a gap."""
    t = np.arange(0, 22, 1 / 30)
    knee = 165.0 + 12.0 * np.sin(t)
    knee[(t > 6) & (t < 7)] = np.nan  # knee hidden for a second
    gap = 1.0 + 0.3 * np.sin(0.7 * t)
    weight = 50.0 + 30.0 * np.sin(0.5 * t)
    series = {"knee_angle_left_deg": knee, "knee_ankle_gap_ratio": gap, "weight_left_pct": weight}
    return write_frames_csv(tmp_path / "frames.csv", t, series)


@pytest.fixture
def thumbs() -> dict[tuple[int, str], bytes]:
    # (2, "weight_even") is a fault without a thumbnail: skipped, not an error.
    return {(1, "standing_leg_straight"): THUMB, (2, "knees_not_caving"): THUMB[:40]}


def test_one_self_contained_document(
    frames_csv: Path, thumbs: dict[tuple[int, str], bytes]
) -> None:
    doc = render_html(make_report(), frames_csv, thumbs)
    assert doc.startswith("<!DOCTYPE html>")
    assert doc.count("<html") == 1 and doc.rstrip().endswith("</html>")
    assert doc.count("<body") == 1 and doc.count("<head>") == 1
    assert '<meta name="viewport"' in doc
    for ref in ("http://", "https://", 'src="//', 'href="//', "<link", "@import", "<script src"):
        assert ref not in doc, ref
    # one inline script (the video seek), only because there is a video to seek
    assert doc.count("<script>") == 1
    assert "<script" not in render_html(make_report(outputs={}), frames_csv, thumbs)
    # every image is inline; the only other source is the annotated video next to the page
    for src in re.findall(r'src="([^"]*)"', doc):
        assert src.startswith("data:image/") or src == "annotated.mp4", src


def test_holds_names_scores_and_colours(frames_csv: Path) -> None:
    doc = render_html(make_report(), frames_csv, {})
    assert "Tree" in doc and "Bridge" in doc
    assert '<td class="score good">85</td>' in doc  # 84.7 -> green
    assert '<td class="score poor">42</td>' in doc  # 41.5 -> red
    assert '<td class="score fair">61</td>' in doc  # a check at 61 -> amber
    assert "standing leg: left" in doc
    assert "No pose was held" not in doc


def test_check_table_values_units_and_reasons(frames_csv: Path) -> None:
    doc = render_html(make_report(), frames_csv, {})
    assert "155.2°" in doc and "4.7 s" in doc
    assert "0.41 foot lengths" in doc
    assert "79.0 %" in doc
    # standing_knee_midline was not seen from the side: one line, with the view judging it
    line = "<strong>standing knee not toward the midline</strong>: not seen from this camera"
    assert f"{line} (side view): film from the front to judge it</li>" in doc
    assert "not measurable: not measurable" not in doc


def test_partial_banner_only_when_incomplete(frames_csv: Path) -> None:
    complete = render_html(make_report(), frames_csv, {})
    assert "Partial report" not in complete
    partial = make_report(
        complete=False, stopped_at_s=12.5, notes=("decoder error: corrupt packet",)
    )
    doc = render_html(partial, frames_csv, {})
    assert "Partial report: decoding stopped at 12.5 s" in doc
    banner = doc[doc.index('class="banner"') :]
    assert "decoder error: corrupt packet" in banner[: banner.index("</div>")]


def test_thumbnail_is_embedded_base64(
    frames_csv: Path, thumbs: dict[tuple[int, str], bytes]
) -> None:
    doc = render_html(make_report(), frames_csv, thumbs)
    assert f"data:image/jpeg;base64,{base64.b64encode(THUMB).decode()}" in doc
    assert base64.b64encode(THUMB[:40]).decode() in doc
    assert doc.count("<img ") == 2
    # each still leads a cue, with the check's title, value and time (which seeks the video)
    assert re.search(r"standing leg straight: 155\.2°.*?at <a [^>]*data-t=\"4\.70\"", doc)


def test_thumbnail_skipped_for_aligned_check(frames_csv: Path) -> None:
    doc = render_html(make_report(), frames_csv, {(1, "foot_off_knee"): THUMB})
    assert base64.b64encode(THUMB).decode() not in doc


def test_malicious_names_are_escaped(frames_csv: Path) -> None:
    evil = "<script>alert(1)</script>.mp4"
    report = make_report(
        source=f"/tmp/{evil}",
        video=replace(VIDEO, path=evil, codec="<b>h264</b>"),
        notes=('note with "<img src=x onerror=alert(1)>"',),
        settings={"model": "<i>m</i>"},
    )
    doc = render_html(report, frames_csv, {})
    assert "<script>alert" not in doc and doc.count("<script") == 1  # the seek code only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in doc
    assert "<img src=x" not in doc and "<b>h264" not in doc and "<i>m" not in doc


def test_one_plot_per_distinct_metric(frames_csv: Path) -> None:
    report = make_report()
    doc = render_html(report, frames_csv, {})
    # 2 checks share knee_ankle_gap_ratio: 6 metrics judged, not 7 checks; the 7th metric
    # is only the unjudged standing_knee_midline's, and gets no (empty) plot
    assert len(distinct_metrics(report)) == 7
    judged = {cs.metric for h in report.holds for cs in h.checks if cs.score is not None}
    assert len(judged) == 6
    assert doc.count("<svg") == 6
    assert doc.count('<figure class="plot">') == 6


def test_threshold_lines_abs_above() -> None:
    check = PoseCheck(
        id="knee_90", title="knee at 90", metric="knee_angle_{side}_deg",
        direction="abs_above", target=90.0, warn=15.0, fault=25.0, message="m", source="s",
    )  # fmt: skip
    assert threshold_lines(check) == [(65.0, "fault"), (75.0, "warn"), (105.0, "warn"),
                                      (115.0, "fault")]  # fmt: skip
    bands = threshold_bands(check)
    assert (75.0, 105.0) not in [(lo, hi) for lo, hi, _ in bands]
    assert (-math.inf, 65.0, "fault") in bands and (105.0, 115.0, "warn") in bands


def test_threshold_lines_above_below_and_info_cap() -> None:
    tree = {c.id: c for c in get_pose("tree").checks}
    knee = tree["standing_knee_midline"]  # "above": warn below fault
    assert threshold_lines(knee) == [(knee.warn, "warn"), (knee.fault, "fault")]
    assert threshold_lines(tree["standing_leg_straight"]) == [(160.0, "fault"), (170.0, "warn")]
    # pelvis_level is capped at info: its lines never claim warn/fault
    assert {lvl for _, lvl in threshold_lines(tree["pelvis_level"])} == {"info"}
    weight = next(c for c in get_pose("bridge").checks if c.id == "weight_even")
    assert [v for v, _ in threshold_lines(weight)] == [25.0, 35.0, 65.0, 75.0]


def test_no_holds_says_why(frames_csv: Path, tmp_path: Path) -> None:
    # frames.csv names Tree in every frame: recognised, but never held for 2 s
    doc = render_html(make_report(holds=()), frames_csv, {})
    assert doc.count("Tree was recognised, but never held still for 2 s") == 1  # on top
    assert top_score(doc).startswith("Tree was recognised")
    assert "Try holding" not in doc and "<svg" not in doc
    assert "How scores are computed" in doc
    # no pose in any frame: the pose was not recognised (holding longer would not help)
    blank = tmp_path / "blank.csv"
    blank.write_text(frames_csv.read_text().replace(",tree,left,", ",,,"), encoding="utf-8")
    doc = render_html(make_report(holds=()), blank, {})
    assert "none of the four poses" in doc and "held still" not in doc
    doc = render_html(make_report(holds=(), frames_with_person=0), blank, {})
    assert "No person found in the video." in doc


def test_missing_or_empty_frames_csv(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(",".join(header()) + "\n", encoding="utf-8")
    for path in (empty, tmp_path / "missing.csv"):
        doc = render_html(make_report(), path, {})
        assert doc.count("<svg") == 6
        assert "no measurable values" in doc


def test_read_series_respects_valid_flags(frames_csv: Path) -> None:
    t, series = read_series(frames_csv, ["knee_angle_left_deg", "hip_angle_deg", "nope"])
    assert t.size == series["knee_angle_left_deg"].size == 660
    knee = series["knee_angle_left_deg"]
    assert np.isnan(knee[(t > 6.05) & (t < 6.95)]).all()
    assert np.isfinite(knee[t < 6]).all()
    assert np.isnan(series["hip_angle_deg"]).all() and np.isnan(series["nope"]).all()


def test_downsample_keeps_extremes_and_gaps() -> None:
    t = np.arange(100_000, dtype=np.float64) / 30
    y = np.sin(t)
    y[50_000] = 9.0  # one spike
    y[70_000:75_000] = np.nan  # a long gap
    ts, ys = downsample(t, y)
    assert ts.size <= MAX_PLOT_POINTS
    assert np.nanmax(ys) == 9.0 and np.nanmin(ys) == pytest.approx(-1.0, abs=1e-3)
    assert np.isnan(ys[(ts > 70_100 / 30) & (ts < 74_900 / 30)]).all()
    assert np.all(np.diff(ts) >= 0)
    short_t, short_y = downsample(t[:10], y[:10])
    assert short_t.size == 10 and np.array_equal(short_y, y[:10])


def test_long_video_renders_fast(tmp_path: Path) -> None:
    t = np.arange(100_000) / 30.0  # 55 minutes at 30 fps
    knee = 165.0 + 12.0 * np.sin(t / 5)
    path = write_frames_csv(tmp_path / "frames.csv", t, {"knee_angle_left_deg": knee})
    holds = tuple(
        replace(TREE_HOLD, index=i + 1, start_s=600.0 * i + 10, end_s=600.0 * i + 200)
        for i in range(5)
    )
    report = make_report(holds=holds, video=replace(VIDEO, duration_s=t[-1]))
    start = time.perf_counter()
    doc = render_html(report, path, {})
    elapsed = time.perf_counter() - start
    assert elapsed < 4.0, f"{elapsed:.1f} s"
    assert doc.count("<svg") == 3  # the judged checks' metrics
    assert len(doc) < 2_000_000


def test_import_is_light() -> None:
    """The module pulls in neither mediapipe, cv2 nor (until a plot is drawn) matplotlib."""
    code = (
        "import sys, posecheck.outputs.report_html; "
        "print(sorted(m for m in ('cv2', 'mediapipe', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_shares_are_not_rounded_to_all_or_nothing() -> None:
    from posecheck.outputs.report_html import _pct_text

    assert _pct_text(99.57) == "99.6 %"
    assert _pct_text(100.0) == "100 %"
    assert _pct_text(0.2) == "0.2 %"
    assert _pct_text(42.4) == "42 %"
    assert _pct_text(None) == "–"


def top_score(doc: str) -> str:
    """The score shown at the top of the page."""
    match = re.search(r'id="score" data-score="([^"]*)">([^<]*)<', doc)
    assert match, "no score at the top"
    return match.group(2)


def test_the_answer_comes_first(frames_csv: Path, thumbs: dict[tuple[int, str], bytes]) -> None:
    report = make_report()
    doc = render_html(report, frames_csv, thumbs)
    # the score shown is the mean of the holds' scores (results.csv's), with its coverage
    mean = (TREE_HOLD.score + BRIDGE_HOLD.score) / 2  # type: ignore[operator]
    assert top_score(doc) == f"{mean:.0f}"
    judged = {(h.pose, c.check) for h in report.holds for c in h.checks if c.score is not None}
    total = {(h.pose, c.check) for h in report.holds for c in h.checks}
    assert f"{len(judged)} of {len(total)} checks judged" in doc
    # pose, score, cues, video, holds, then the folded settings and metric ids
    order = [
        "<h1>Tree, Bridge",
        'id="score"',
        "What to work on",
        '<video id="player"',
        "<h2>Holds</h2>",
        "Timelines of the judged measures",
        "Settings, files and metric ids",
        "max_width = None",
        "knee_angle_left_deg</code>",
    ]
    at = [doc.index(text) for text in order]
    assert at == sorted(at), order
    assert doc.index("<details", at[5] - 60) < at[6] < doc.index("max_width = None")


def test_top_cues_are_the_worst_checks_in_words(frames_csv: Path) -> None:
    doc = render_html(make_report(), frames_csv, {})
    cues = re.findall(r'<p class="cue-text[^"]*">([^<]*)</p>', doc)
    # weight_even (12), standing_leg_straight (61), knees_not_caving (70); not com (93)
    messages = {c.id: c.message for c in get_pose("bridge").checks} | {
        c.id: c.message for c in get_pose("tree").checks
    }
    expected = [messages["weight_even"], messages["standing_leg_straight"]]
    assert [html.unescape(c) for c in cues] == [*expected, messages["knees_not_caving"]]
    # the time of each seeks the embedded video
    assert 'data-t="18.00"' in doc and 'data-t="4.70"' in doc
    aligned = replace(TREE_HOLD, checks=TREE_HOLD.checks[1:2], score=100.0)
    doc = render_html(make_report(holds=(aligned,)), frames_csv, {})
    assert "No cue: every judged check stayed aligned." in doc
    assert top_score(doc) == "100" and "1 of 1 check judged" in doc


def test_checks_not_judged_get_one_line_and_no_plot(frames_csv: Path) -> None:
    tree = {c.id: c for c in get_pose("tree").checks}
    switched_off = next(c for c in tree.values() if c.unreliable)
    off = score(
        switched_off.id,
        switched_off.title,
        "thigh_out_of_plane_right_deg",
        None,
        None,
        None,
        None,
        reason=f"switched off: {switched_off.unreliable}",
    )
    hold = replace(TREE_HOLD, checks=(*TREE_HOLD.checks, off))
    doc = render_html(make_report(holds=(hold,)), frames_csv, {})
    # plots only for the judged checks' metrics: not pelvic obliquity, not the thigh
    judged = {c.metric for c in hold.checks if c.score is not None}
    assert doc.count("<svg") == len(judged) == 3
    assert (
        "pelvic_obliquity_deg (deg)" not in doc
        and "thigh_out_of_plane" not in doc.split("Settings, files and metric ids")[0]
    )
    assert "3 of 5 checks judged" in doc
    lines = re.findall(r'<ul class="unjudged">(.*?)</ul>', doc)
    assert len(lines) == 1 and lines[0].count("<li>") == 2
    assert f"<strong>{html.escape(switched_off.title)}</strong>: switched off" in lines[0]
    assert html.escape(switched_off.unreliable or "") in lines[0]  # the why, folded
    assert "film from the front to judge it" in lines[0]  # the standing knee, from the side


def test_hold_keys_count_judged_checks() -> None:
    d = TREE_HOLD.to_dict()
    assert (d["checks_judged"], d["checks_total"]) == (3, 4)
    assert list(d)[: len(d) - 2] == [
        "index", "pose", "side", "start_s", "end_s", "duration_s", "frames", "confidence",
        "view", "score", "sway_pct", "checks",
    ]  # fmt: skip


def _people_section(doc: str) -> str:
    """The text of the "who is who" section, or "" when the page has none."""
    match = re.search(r'<section class="people".*?</section>', doc, re.S)
    return "" if match is None else match.group(0)


def test_people_section_only_with_several_people_or_person(frames_csv: Path) -> None:
    three = PeopleSeen(3, 2, 1.25, ((200.0, 400.0), (640.0, 410.0), (1000.0, 390.0)), THUMB)
    doc = render_html(make_report(people=three), frames_csv, {})
    section = _people_section(doc)
    assert "3 people in this video; posecheck followed person 2 (the largest)." in section
    assert f'id="{PEOPLE_STILL_ID}" src="data:image/jpeg;base64,' in section
    assert base64.b64encode(THUMB).decode() in section
    assert 'data-t="1.25"' in section  # the still and its time seek the video there
    assert "--person N</code> to follow another" in section
    # near the top: after the score, before the cues
    assert doc.index('id="score"') < doc.index('id="people"') < doc.index('id="cues"')
    # with --person, it says so; one person is shown only then
    asked = make_report(people=replace(three, followed=3), settings={"person": 3})
    assert "followed person 3 (as asked with <code" in _people_section(
        render_html(asked, frames_csv, {})
    )
    alone = PeopleSeen(1, 1, 0.0, ((640.0, 400.0),), THUMB)
    assert _people_section(render_html(make_report(people=alone), frames_csv, {})) == ""
    with_person = make_report(people=alone, settings={"person": 1})
    assert "1 person in this video" in _people_section(render_html(with_person, frames_csv, {}))
    missing = make_report(people=replace(three, followed=None), settings={"person": 4})
    assert "nobody was followed" in _people_section(render_html(missing, frames_csv, {}))
    assert _people_section(render_html(make_report(), frames_csv, {})) == ""


def test_people_block_in_json_has_no_image() -> None:
    people = PeopleSeen(2, 1, 0.5, ((100.04, 200.0), (300.0, 210.26)), THUMB)
    data = make_report(people=people).to_dict()
    assert data["people"] == {
        "count": 2,
        "followed": 1,
        "first_seen_s": 0.5,
        "hips_px": [[100.0, 200.0], [300.0, 210.3]],
    }
    assert make_report().to_dict()["people"] is None
