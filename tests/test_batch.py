"""posecheck batch / run_batch: many clips, resumable, safe names, both engines.

The model tests run the real model on the real sample clips (copied under other names
into tmp_path), with --no-video and --stride 2 to stay fast.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from posecheck.apps.batch import (
    DASK_MISSING,
    MARKER,
    BatchUsageError,
    Clip,
    Job,
    Settings,
    _reuse,
    collect_inputs,
    make_clips,
    run_batch,
    write_tables,
)
from posecheck.apps.cli import app
from posecheck.outputs.batch_html import clip_view, index_html_text, view_from_report
from posecheck.outputs.batch_table import (
    BASE_FIELDS,
    PARTIAL_TEXT,
    RESULT_FIELDS,
    error_row,
    read_results_csv,
    results_csv_text,
    row_from_report,
)
from posecheck.poses import REGISTRY
from posecheck.report import CheckScore, Hold, VideoInfo, VideoReport
from posecheck.vocab import PartialReason
from tests.conftest import BALANCE, SAMPLES, SQUATS, faststart_copy

FAST = ["--no-video", "--stride", "2"]
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", *args])
    return result.exit_code, result.stdout, result.stderr


def read_rows(out: Path) -> list[dict[str, str]]:
    with (out / "results.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == list(RESULT_FIELDS)
        return list(reader)


def marker_times(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{MARKER}")}


def all_files(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


# --------------------------------------------------------------------------- pure parts


def test_clip_ids_are_safe_unique_and_stay_inside(tmp_path: Path) -> None:
    names = [
        "evil.mp4",
        "<script>.mp4",
        "with space ünïcode 日本.mp4",
        "日本.mp4",
        "..mp4",
        "...mp4",
        "-rf.mp4",
        ".hidden.mp4",
        "results.csv.mp4",
        "index.html.mp4",
        "A.mp4",
        "a.mp4",
        "x.mp4",
        "x.mov",
        "sub dir/clip name.mp4",
        "sub/dir/deep.mp4",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "a" / "b").mkdir(parents=True)
    paths = [tmp_path / n for n in names[1:]] + [tmp_path / "a" / "b" / ".." / ".." / "evil.mp4"]
    clips = make_clips(collect_inputs(paths))
    ids = [c.clip_id for c in clips]
    assert len({i.lower() for i in ids}) == len(ids) == len(names)
    out = tmp_path / "out"
    for clip_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", clip_id), clip_id
        assert ".." not in clip_id and not clip_id.startswith((".", "-"))
        assert clip_id.lower() not in {"results.csv", "index.html"}
        assert (out / clip_id).resolve().parent == out.resolve()
    by_source = {Path(c.path).relative_to(tmp_path).as_posix(): c.clip_id for c in clips}
    assert by_source["evil.mp4"] == "evil"
    assert by_source["sub dir/clip name.mp4"] == "sub_dir__clip_name"
    assert by_source["sub/dir/deep.mp4"] == "sub__dir__deep"
    assert by_source["<script>.mp4"] == "script"
    assert by_source["with space ünïcode 日本.mp4"] == "with_space_unicode"
    assert re.fullmatch(r"x-[0-9a-f]{8}", by_source["x.mp4"])  # x.mp4 and x.mov collide
    assert re.fullmatch(r"results\.csv-[0-9a-f]{8}", by_source["results.csv.mp4"])
    # deterministic: the same inputs in another order give the same ids
    assert make_clips(collect_inputs(list(reversed(paths)))) == clips


def test_collect_inputs_walks_folders_expands_globs_and_skips_the_output(tmp_path: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    for name in ("in/a.mp4", "in/sub/b.MOV", "in/notes.txt", "in/.hidden.mp4", "c.mp4"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "in" / "out" / "old").mkdir(parents=True)
    (tmp_path / "in" / "out" / "old" / "annotated.mp4").write_bytes(b"x")
    found = collect_inputs(
        [tmp_path / "in", str(tmp_path / "*.mp4"), tmp_path / "in" / "a.mp4"],
        exclude=tmp_path / "in" / "out",
    )
    rel = [p.resolve().relative_to(tmp_path.resolve()).as_posix() for p in found]
    assert rel == ["c.mp4", "in/a.mp4", "in/sub/b.MOV"]  # sorted, each once
    # a file named explicitly is always tried, whatever its suffix
    assert collect_inputs([tmp_path / "in" / "notes.txt"]) == [tmp_path / "in" / "notes.txt"]
    for bad in (str(tmp_path / "missing.mp4"), str(tmp_path / "nothing*.mp4")):
        with pytest.raises(BatchUsageError):
            collect_inputs([bad])


def _hold(pose: str, score: float | None, checks: dict[str, float | None]) -> dict[str, object]:
    return {
        "pose": pose,
        "duration_s": 3.5,
        "score": score,
        "checks": [{"check": k, "score": v} for k, v in checks.items()],
    }


def test_row_from_report_means_per_pose_and_check() -> None:
    report = {
        "video": {"duration_s": 20.0},
        "frames_analysed": 100,
        "frames_with_person": 90,
        "complete": True,
        "notes": [],
        "holds": [
            _hold("tree", 80.0, {"standing_knee_midline": 70.0, "pelvis_level": None}),
            _hold("bridge", None, {"hips_lifted": None}),
            _hold("tree", 60.0, {"standing_knee_midline": 90.0, "pelvis_level": 50.0}),
        ],
    }
    clip = Clip("c", "/x/c.mp4", "c.mp4")
    row = row_from_report(clip, report)
    assert list(row) == list(RESULT_FIELDS)
    assert RESULT_FIELDS[: len(BASE_FIELDS)] == BASE_FIELDS
    n_checks = sum(len(spec.checks) for spec in REGISTRY.values())
    assert len(RESULT_FIELDS) == len(BASE_FIELDS) + n_checks
    assert row["status"] == "ok" and row["error"] == ""
    assert row["poses"] == "tree:2;bridge:1"
    assert row["holds"] == "3" and row["hold_seconds"] == "10.500"
    assert row["score"] == "70.0"
    assert row["score_tree_standing_knee_midline"] == "80.0"
    assert row["score_tree_pelvis_level"] == "50.0"
    assert row["score_bridge_hips_lifted"] == ""
    assert row["score_warrior1_front_knee_90"] == ""
    partial = dict(report, complete=False, notes=["/x/c.mp4: decoding stopped at 4.0 s (x)"])
    assert row_from_report(clip, partial)["status"] == "partial"
    assert row_from_report(clip, partial)["error"] == "decoding stopped at 4.0 s (x)"
    nobody = dict(report, frames_with_person=0, holds=[])
    assert row_from_report(clip, nobody)["status"] == "error"


#: report.json's keys before partial_reason was added: every one must stay.
REPORT_KEYS_V1 = {
    "schema_version",
    "source",
    "video",
    "settings",
    "complete",
    "stopped_at_s",
    "frames_decoded",
    "frames_analysed",
    "frames_with_person",
    "holds",
    "notes",
    "outputs",
}


def _video_report(**changes: object) -> VideoReport:
    info = VideoInfo("/x/c.mp4", 640, 480, 25.0, 8.0, 0, "h264")
    fields: dict[str, object] = {
        "source": "/x/c.mp4",
        "video": info,
        "settings": {"pose": "auto", "stride": 1},
        "frames_decoded": 100,
        "frames_analysed": 100,
        "frames_with_person": 100,
        "holds": (),
    }
    fields.update(changes)
    return VideoReport(**fields)  # type: ignore[arg-type]


def test_report_json_says_why_a_report_is_partial() -> None:
    whole = json.loads(json.dumps(_video_report().to_dict()))
    # Keys are only ever added to schema 1 (partial_reason, then people: issue 15).
    assert set(whole) == REPORT_KEYS_V1 | {"partial_reason", "people"}
    assert whole["partial_reason"] is None and whole["complete"] is True
    for reason in PartialReason:
        cut = _video_report(complete=False, stopped_at_s=4.0, partial_reason=reason)
        data = json.loads(json.dumps(cut.to_dict()))
        assert set(data) == set(whole)
        assert data["partial_reason"] == reason.value and PartialReason(data["partial_reason"])
        assert data["complete"] is False and data["stopped_at_s"] == 4.0


def test_the_typed_reason_not_the_note_text_makes_a_clip_partial() -> None:
    clip = Clip("c", "/x/c.mp4", "c.mp4")
    stopped = "/x/c.mp4: decoding stopped at 4.0 s (x)"
    base = {"frames_with_person": 5, "frames_analysed": 5, "holds": []}

    def row(**report: object) -> tuple[str, str]:
        r = row_from_report(clip, {**base, **report})  # type: ignore[typeddict-item]
        return r["status"], r["error"]

    # the same wording as before for a decoding stop, read from the note naming the file
    reason = PartialReason.DECODE_STOPPED.value
    assert row(complete=False, partial_reason=reason, notes=[stopped]) == (
        "partial",
        "decoding stopped at 4.0 s (x)",
    )
    reworded = "/x/c.mp4: the decoder gave up at 4.0 s"
    assert row(complete=False, partial_reason=reason, notes=["other", reworded]) == (
        "partial",
        "the decoder gave up at 4.0 s",
    )
    for value in PartialReason:
        assert row(complete=False, partial_reason=value.value, notes=["unrelated"]) == (
            "partial",
            PARTIAL_TEXT[value],
        )
    # a note mentioning "decoding stopped" no longer decides anything by itself
    assert row(complete=True, partial_reason=None, notes=[stopped]) == ("ok", "")
    # a report.json from before partial_reason existed (a resumed batch): the notes tell
    assert row(complete=False, notes=[stopped]) == ("partial", "decoding stopped at 4.0 s (x)")
    assert row(complete=False, notes=[]) == ("partial", "decoding stopped early")
    assert row(complete=True, notes=[]) == ("ok", "")
    # a real report says the same as its JSON read back
    report = _video_report(
        complete=False,
        stopped_at_s=4.0,
        partial_reason=PartialReason.DECODE_STOPPED,
        notes=("no pose held steadily", stopped),
    )
    assert row_from_report(clip, report.to_dict())["error"] == "decoding stopped at 4.0 s (x)"


def test_write_tables_round_trips_and_links_only_clips_with_a_report(tmp_path: Path) -> None:
    clips = [Clip(i, f"/x/{i}.mp4", f"{i}.mp4") for i in ("a", "b")]
    rows = [
        row_from_report(clips[0], {"frames_with_person": 1, "holds": []}),  # type: ignore[typeddict-item]
        error_row(clips[1], "/x/b.mp4: not a\nvideo"),
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "report.html").write_text("<html></html>")
    write_tables(tmp_path, rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "index.html", "results.csv"]
    assert read_results_csv(tmp_path / "results.csv") == rows
    assert (tmp_path / "results.csv").read_text(encoding="utf-8") == results_csv_text(rows)
    assert rows[1]["error"] == "not a video"
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page == index_html_text(rows, {"a"})
    assert 'href="a/report.html"' in page and 'href="b/report.html"' not in page
    (tmp_path / "other.csv").write_text("clip_id,status\n")
    with pytest.raises(ValueError, match="not a results.csv"):
        read_results_csv(tmp_path / "other.csv")


def test_index_html_escapes_names() -> None:
    clip = Clip("script", "/x/<script>alert(1)</script>.mp4", "<script>alert(1)</script>.mp4")
    row = dict(row_from_report(clip, {"frames_with_person": 1, "holds": []}))
    row["error"] = "<img src=x onerror=alert(1)>"
    page = index_html_text([row])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.mp4" in page
    assert "<img" not in page and page.count("<script>") == 1  # only the sorting code
    assert "http" not in page  # self-contained


def _card(page: str, clip_id: str) -> str:
    match = re.search(rf'<li class="clip" data-name="{clip_id}"(.*?)</li>', page, re.S)
    assert match, clip_id
    return match.group(1)


def test_index_cards_answer_first(tmp_path: Path) -> None:
    """A card shows the pose, side, the row's score with the checks it covers, the top
    cue in words and the worst moment's still; a clip without a hold says why."""
    faulty = CheckScore(
        "front_knee_midline",
        "front knee not toward the midline",
        "knee_medial_disp_left_pct",
        30,
        30,
        0.0,
        7.3,
        2.9,
        "fault",
        42.0,
    )
    off = CheckScore("hips_level", "hips level", "pelvic_obliquity_deg", 0, 30, None, None,
                     None, None, None, "switched off: unreliable")  # fmt: skip
    hold = Hold(1, "warrior1", "left", 1.0, 4.0, 30, 0.9, "front", (faulty, off), 42.0)
    report = VideoReport("w.mp4", VideoInfo("w.mp4", 64, 48, 30.0, 4.0, 0, "h264"), {},
                         120, 120, 120, (hold,))  # fmt: skip
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps(report.to_dict()))
    (folder / "report.html").write_text('<img id="worst-still" src="data:image/jpeg;base64,QUJD">')
    view = clip_view(folder)
    assert view is not None and view.still == "data:image/jpeg;base64,QUJD"
    assert (view.judged, view.total, view.poses, view.sides) == (
        1, 2, ("Warrior 1",), ("front leg: left",))  # fmt: skip
    clips = [Clip("w", "/x/w.mp4", "w.mp4"), Clip("n", "/x/n.mp4", "n.mp4")]
    rows = [
        row_from_report(clips[0], report.to_dict()),
        row_from_report(clips[1], {"frames_with_person": 0, "holds": []}),  # type: ignore[typeddict-item]
    ]
    nobody = view_from_report({"frames_with_person": 0, "holds": []})
    page = index_html_text(rows, {"w", "n"}, {"w": view, "n": nobody})
    assert '<meta name="viewport"' in page
    card = _card(page, "w")
    assert f'class="score poor">{float(rows[0]["score"]):.0f}<' in card  # the row's score
    assert "1 of 2 checks judged" in card and "Warrior 1" in card and "front leg: left" in card
    message = next(c.message for c in REGISTRY["warrior1"].checks if c.id == faulty.check)
    assert message in card and "(at 2.9 s)" in card
    assert 'src="data:image/jpeg;base64,QUJD"' in card and 'href="w/report.html"' in card
    card = _card(page, "n")
    assert "No person found in the video." in card and "not scored" in card
    # the per-check columns fold away
    assert page.index("<details>") < page.index("score_warrior1_front_knee_midline")


def test_a_marker_with_other_settings_or_bytes_is_not_reused(tmp_path: Path) -> None:
    clip = Clip("c", str(tmp_path / "c.mp4"), "c.mp4")
    settings = Settings(None, 1, None, False, "/m.task", "ab")
    folder = tmp_path / "out" / "c"
    folder.mkdir(parents=True)
    report = {"frames_with_person": 3, "frames_analysed": 3, "holds": []}
    (folder / "report.json").write_text(json.dumps(report))
    marker = {"marker_version": 1, "input_sha256": "h1", "settings": settings.to_dict()}
    (folder / MARKER).write_text(json.dumps(marker))
    job = Job(clip, str(tmp_path / "out"), settings)
    assert _reuse(job, folder, "h1") is not None
    assert _reuse(job, folder, "h2") is None
    other = Job(clip, job.out_dir, Settings("tree", 1, None, False, "/m.task", "ab"))
    assert _reuse(other, folder, "h1") is None
    other_model = Job(clip, job.out_dir, Settings(None, 1, None, False, "/m.task", "cd"))
    assert _reuse(other_model, folder, "h1") is None
    corrected = Job(
        clip, job.out_dir, Settings(None, 1, None, False, "/m.task", "ab", correct=True)
    )
    assert corrected.settings.to_dict()["correction"] is True
    assert _reuse(corrected, folder, "h1") is None  # done without the correction: redo
    fast = Job(clip, job.out_dir, Settings(None, 1, None, False, "/m.task", "ab", fast=True))
    assert fast.settings.to_dict()["fast"] is True and "fast" not in settings.to_dict()
    assert _reuse(fast, folder, "h1") is None  # done finding the person afresh: redo
    (folder / "report.json").unlink()  # marker left but outputs gone: redo
    assert _reuse(job, folder, "h1") is None


def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = tmp_path / "c.mp4"
    shutil.copyfile(SQUATS, clip)
    out = tmp_path / "out"
    for args, words in [
        ([str(tmp_path / "missing.mp4")], "no such file or folder"),
        ([str(tmp_path / "none*.mp4")], "no video file matches"),
        ([str(clip), "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        ([str(clip), "--model", str(tmp_path / "missing.task")], "model file not found"),
    ]:
        code, _, err = run(*args, "--out", str(out))
        assert code == 2, err
        assert err.count("\n") == 1 and words in err and "Traceback" not in err
    (tmp_path / "file").write_text("x")
    code, _, err = run(str(clip), "--out", str(tmp_path / "file"))
    assert code == 1 and "not a folder" in err  # an output fault (issue 14), not usage
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask were not installed
    code, _, err = run(str(clip), "--out", str(out), "--engine", "dask")
    assert code == 2 and err == f"posecheck: {DASK_MISSING}\n"
    assert not out.exists()  # nothing was started


# --------------------------------------------------------------------------- real model


@pytest.mark.model
def test_folder_file_and_glob_then_resume(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    inp = tmp_path / "in"
    (inp / "folder" / "sub").mkdir(parents=True)
    (inp / "globbed").mkdir()
    shutil.copyfile(SQUATS, inp / "folder" / "sub" / "a.mp4")
    shutil.copyfile(SQUATS, inp / "folder" / "b.mp4")
    (inp / "folder" / "notes.txt").write_text("not a clip, not picked from a folder\n")
    shutil.copyfile(BALANCE, inp / "one.mp4")
    shutil.copyfile(SQUATS, inp / "globbed" / "g1.mp4")
    out = tmp_path / "out"
    args = [str(inp / "folder"), str(inp / "one.mp4"), str(inp / "globbed" / "*.mp4")]
    capfd.readouterr()

    code, stdout, stderr = run(*args, "--out", str(out), "--workers", "2", *FAST)
    assert code == 0, stderr
    assert capfd.readouterr() == ("", "")  # the workers printed nothing
    assert "4 clips: 4 ok, 0 partial, 0 error; 0 skipped" in stdout and stderr == ""
    rows = read_rows(out)
    assert [r["clip_id"] for r in rows] == ["folder__b", "folder__sub__a", "globbed__g1", "one"]
    assert {r["status"] for r in rows} == {"ok"} and {r["error"] for r in rows} == {""}
    assert [r["frames_analysed"] for r in rows] == ["33", "33", "33", "50"]
    assert rows[0]["duration_s"] == "13.000" and rows[0]["holds"] == "0"
    for row in rows:
        folder = out / row["clip_id"]
        assert sorted(p.name for p in folder.iterdir()) == [
            "done.json",
            "frames.csv",
            "report.html",
            "report.json",
        ]
        marker = json.loads((folder / MARKER).read_text())
        assert marker["status"] == "ok" and len(marker["input_sha256"]) == 64
        assert marker["settings"]["stride"] == 2 and marker["settings"]["video"] is False
        assert (
            marker["settings"]["pose"] == "auto" and len(marker["settings"]["model_sha256"]) == 64
        )
    index = (out / "index.html").read_text()
    assert all(f'href="{r["clip_id"]}/report.html"' in index for r in rows)
    first = marker_times(out)

    # rerun: everything is skipped, nothing rewritten, same table
    table = (out / "results.csv").read_bytes()
    code, stdout, _ = run(*args, "--out", str(out), *FAST)
    assert code == 0 and "4 skipped" in stdout
    assert marker_times(out) == first
    assert (out / "results.csv").read_bytes() == table

    # a changed input: only that clip is redone
    shutil.copyfile(BALANCE, inp / "globbed" / "g1.mp4")
    code, stdout, _ = run(*args, "--out", str(out), *FAST)
    assert code == 0 and "3 skipped" in stdout
    now = marker_times(out)
    assert [k for k in first if now[k] != first[k]] == ["globbed__g1"]
    assert read_rows(out)[2]["frames_analysed"] == "50"

    # a half-done clip (no marker, a stale file): cleared and redone
    (out / "folder__b" / MARKER).unlink()
    (out / "folder__b" / "stale.txt").write_text("left by an older run")
    code, stdout, _ = run(*args, "--out", str(out), *FAST)
    assert code == 0 and "3 skipped" in stdout
    assert not (out / "folder__b" / "stale.txt").exists()
    assert (out / "folder__b" / MARKER).exists()
    assert read_rows(out)[0] == rows[0]


def _empty_scene(path: Path) -> None:
    """One second of real pixels without a person (a corner of a sample photo)."""
    image = cv2.imread(str(SAMPLES / "squat_front_standing.jpg"))
    corner = np.ascontiguousarray(image[:400, -240:])
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = 240, 400, "yuv420p"
        for _ in range(10):
            for packet in s.encode(av.VideoFrame.from_ndarray(corner, format="bgr24")):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)


@pytest.mark.model
def test_bad_clips_become_rows_and_evil_names_stay_inside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp = tmp_path / "in"
    (inp / "x" / "y").mkdir(parents=True)
    (inp / "text.mp4").write_text("not a video\n")
    (inp / "zero.mp4").write_bytes(b"")
    shutil.copyfile(SQUATS, inp / "<script>.mp4")
    shutil.copyfile(SQUATS, inp / "sp ace ünï 日本.mp4")
    shutil.copyfile(SQUATS, inp / "evil.mp4")
    _empty_scene(inp / "nobody.mp4")
    whole = tmp_path / "whole.mp4"
    faststart_copy(SQUATS, whole)
    (inp / "cut.mp4").write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])
    before = all_files(tmp_path)
    monkeypatch.chdir(inp / "x" / "y")
    inputs = ["../../evil.mp4", "../../<script>.mp4", "../../[!e]*.mp4", "../../s*"]

    code, stdout, stderr = run(*inputs, "--out", "../../../out", *FAST)
    assert code == 1, stderr
    out = tmp_path / "out"
    assert {p for p in all_files(tmp_path) - before if out not in p.parents} == {out}
    rows = {r["clip_id"]: r for r in read_rows(out)}
    assert sorted(rows) == ["cut", "evil", "nobody", "script", "sp_ace_uni", "text", "zero"]
    assert rows["text"]["status"] == "error" and "not a video" in rows["text"]["error"]
    assert rows["zero"]["status"] == "error" and "empty file" in rows["zero"]["error"]
    assert rows["nobody"]["status"] == "error"
    assert rows["nobody"]["error"] == "no person found in the video"
    assert rows["cut"]["status"] == "partial" and "decoding stopped" in rows["cut"]["error"]
    assert 0 < int(rows["cut"]["frames_analysed"]) < 33
    reasons = {
        name: json.loads((out / name / "report.json").read_text())["partial_reason"]
        for name in ("cut", "evil", "nobody")
    }
    assert reasons == {"cut": PartialReason.DECODE_STOPPED.value, "evil": None, "nobody": None}
    for name in ("evil", "script", "sp_ace_uni"):
        assert rows[name]["status"] == "ok", rows[name]
    assert rows["script"]["source"] == "../../<script>.mp4"
    assert all("\n" not in r["error"] for r in rows.values())
    assert stderr.count("\n") == 3 and "Traceback" not in stderr  # one line per error
    assert "7 clips: 3 ok, 1 partial, 3 error; 0 skipped" in stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;.mp4" in index and "<script>.mp4" not in index
    assert 'href="nobody/report.html"' in index and 'href="text/report.html"' not in index

    # the same inputs give the same table; errors with a marker are not retried
    table = (out / "results.csv").read_bytes()
    code, stdout, _ = run(*inputs, "--out", "../../../out", *FAST)
    assert code == 1 and "7 skipped" in stdout
    assert (out / "results.csv").read_bytes() == table


@pytest.mark.model
def test_a_broken_model_stops_the_batch_with_exit_2(tmp_path: Path) -> None:
    clip = tmp_path / "c.mp4"
    shutil.copyfile(SQUATS, clip)
    broken = tmp_path / "broken.task"
    with zipfile.ZipFile(broken, "w") as bundle:  # a zip, so only loading it can tell
        bundle.writestr("pose_detector.tflite", b"not a model")
    out = tmp_path / "out"
    code, _, err = run(str(clip), "--out", str(out), "--model", str(broken), *FAST)
    assert code == 2, err
    assert err.count("\n") == 1 and "cannot load pose model" in err
    assert not list(out.glob(f"*/{MARKER}")) and read_rows(out) == []


def _token_processes(token: str) -> list[int]:
    """Live processes whose environment carries ``token``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _start(args: list[str], token: str) -> subprocess.Popen[str]:
    code = "from posecheck.apps.cli import main; main()"
    env = dict(os.environ, POSECHECK_TEST_TOKEN=token)
    return subprocess.Popen(
        [sys.executable, "-c", code, "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )


def _table_rows(out: Path) -> int:
    try:
        return len(read_rows(out))
    except FileNotFoundError:
        return 0


def _wait_for_rows(out: Path, n: int, proc: subprocess.Popen[str]) -> None:
    """Wait until results.csv lists ``n`` finished clips."""
    deadline = time.monotonic() + 120
    while _table_rows(out) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no clip finished in time"
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.model
def test_interrupted_or_killed_batch_loses_nothing_finished(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(4):
        shutil.copyfile(SQUATS, inp / f"c{i}.mp4")
    out = tmp_path / "out"
    args = [str(inp), "--out", str(out), "--workers", "1", *FAST]
    token = uuid.uuid4().hex

    # Ctrl-C (SIGINT to the whole process group, as a terminal sends it)
    proc = _start(args, token)
    _wait_for_rows(out, 1, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in stderr
    done = {p.parent.name for p in out.glob(f"*/{MARKER}")}
    listed = {r["clip_id"] for r in read_rows(out)}
    assert listed and listed <= done and len(done) < 4  # every listed clip is marked done

    # killed outright (SIGKILL to the main process only): its workers go too
    proc = _start(args, token)
    _wait_for_rows(out, len(done) + 1, proc)
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while _token_processes(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _token_processes(token) == [], "orphan workers left running"
    done_now = {p.parent.name for p in out.glob(f"*/{MARKER}")}
    assert done < done_now

    summary = run_batch([inp], out, workers=1, write_video=False, stride=2)
    assert summary.skipped == len(done_now) and summary.exit_code == 0
    assert [r["status"] for r in summary.rows] == ["ok"] * 4
    assert not list(out.rglob(".*.partial"))  # the cut-off clip's leftovers are gone


@pytest.mark.model
@pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="needs the 'dask' extra (pip install 'posecheck[dask]')",
)
def test_dask_local_cluster_equals_the_local_engine(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copyfile(SQUATS, inp / "squats.mp4")
    shutil.copyfile(BALANCE, inp / "balance.mp4")
    (inp / "broken.mp4").write_text("not a video\n")
    code, _, err = run(str(inp), "--out", str(tmp_path / "local"), "--workers", "2", *FAST)
    assert code == 1, err
    code, stdout, err = run(
        str(inp), "--out", str(tmp_path / "dask"), "--engine", "dask", "--workers", "2", *FAST
    )
    assert code == 1, err
    assert "3 clips: 2 ok, 0 partial, 1 error; 0 skipped" in stdout
    local, dask = read_rows(tmp_path / "local"), read_rows(tmp_path / "dask")
    assert len(local) == 3 and local == dask
