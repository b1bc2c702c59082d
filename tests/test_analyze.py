"""posecheck analyze / analyze_video on real clips with the real model."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from posecheck.apps.analyze import analyze_video
from posecheck.apps.cli import app
from posecheck.errors import InputError
from posecheck.io.images import load_image
from posecheck.outputs.frames_csv import FRAMES_CSV_FIELDS
from posecheck.report import SCHEMA_VERSION
from tests.conftest import SAMPLES, SQUATS, faststart_copy, shared_data

pytestmark = pytest.mark.model

runner = CliRunner()


def _frame_count(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def test_outputs_on_a_real_clip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = analyze_video(SQUATS, tmp_path / "out")
    assert capsys.readouterr() == ("", "")  # the library prints nothing
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "annotated.mp4",
        "frames.csv",
        "report.html",
        "report.json",
    ]
    data = json.loads((out / "report.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["complete"] is True
    assert data["frames_decoded"] == data["frames_analysed"] == _frame_count(SQUATS)
    assert data["frames_with_person"] == report.frames_with_person > 0
    assert data["video"]["width"] == 720 and data["video"]["height"] == 1280
    with (out / "frames.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == FRAMES_CSV_FIELDS
    assert len(rows) - 1 == report.frames_analysed
    times = [float(r[0]) for r in rows[1:]]
    assert all(b > a for a, b in zip(times, times[1:], strict=False))
    assert _frame_count(out / "annotated.mp4") == report.frames_analysed
    html = (out / "report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "squats_front.mp4" in html
    # squats are none of the four poses: nothing is scored
    assert report.holds == ()


def test_annotated_video_is_capped_but_the_analysis_sees_the_full_frame(tmp_path: Path) -> None:
    report = analyze_video(SQUATS, tmp_path, stride=6, video_max_side=640)
    assert (report.video.width, report.video.height) == (720, 1280)
    with av.open(str(tmp_path / "annotated.mp4")) as c:
        stream = c.streams.video[0]
        assert (stream.width, stream.height) == (360, 640)
    assert _frame_count(tmp_path / "annotated.mp4") == report.frames_analysed


def test_stride_max_width_and_no_video(tmp_path: Path) -> None:
    report = analyze_video(SQUATS, tmp_path, stride=3, max_width=360, write_video=False)
    total = _frame_count(SQUATS)
    assert report.frames_decoded == total
    assert report.frames_analysed == len(range(0, total, 3))
    assert not (tmp_path / "annotated.mp4").exists()
    assert report.settings["stride"] == 3 and report.settings["max_width"] == 360


def _clip_from_image(image: np.ndarray, path: Path, seconds: float, fps: int = 15) -> None:
    h, w = image.shape[:2]
    w2, h2 = w - w % 2, h - h % 2
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = w2, h2, "yuv420p"
        for _ in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(image[:h2, :w2]), format="bgr24"
            )
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)


@pytest.mark.shared_data
def test_a_held_tree_is_one_scored_hold(tmp_path: Path) -> None:
    # A real Tree photo held still for 4 s: one hold, the standing leg judged by eye.
    photo = shared_data() / "poses" / "tree" / "e4c9e78856.jpg"
    clip = tmp_path / "tree.mp4"
    _clip_from_image(load_image(photo), clip, seconds=4.0)
    report = analyze_video(clip, tmp_path / "out", write_video=False)
    assert len(report.holds) == 1
    hold = report.holds[0]
    assert hold.pose == "tree" and hold.side == "right"
    assert hold.duration_s >= 3.0
    assert hold.score is not None and 0 <= hold.score <= 100
    checks = {c.check: c for c in hold.checks}
    # every check was either judged or says why not
    assert all(c.frames_judged > 0 or c.reason for c in hold.checks)
    assert checks["standing_knee_midline"].frames_judged > 0
    with (tmp_path / "out" / "frames.csv").open(newline="") as fh:
        holds = {row["hold"] for row in csv.DictReader(fh)}
    assert "1" in holds


def test_bad_inputs_give_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n")
    audio = tmp_path / "audio.m4a"
    with av.open(str(audio), "w") as c:
        s = c.add_stream("aac", rate=16000)
        for i in range(20):
            f = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono"
            )
            f.sample_rate, f.pts = 16000, i * 1024
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    for path, words in [
        (tmp_path / "missing.mp4", "no such file"),
        (tmp_path, "is a directory"),
        (empty, "empty"),
        (text, "not a video"),
        (audio, "no video stream"),
    ]:
        with pytest.raises(InputError) as info:
            analyze_video(path)
        assert str(info.value).startswith(str(path)) and words in str(info.value)
        result = runner.invoke(app, ["analyze", str(path), "--out", str(tmp_path / "o")])
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1 and words in result.stderr
        assert "Traceback" not in result.stderr


def test_truncated_clip_gives_a_marked_partial_report(tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"
    faststart_copy(SQUATS, whole)
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    result = runner.invoke(app, ["analyze", str(cut), "--out", str(tmp_path / "o"), "--no-video"])
    assert result.exit_code == 3, result.stderr
    assert "partial report" in result.stderr
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["complete"] is False and report["stopped_at_s"] > 0
    assert 0 < report["frames_analysed"] < _frame_count(SQUATS)
    assert any("decoding stopped" in n for n in report["notes"])


def test_truncated_clip_without_its_index_is_a_one_line_error(tmp_path: Path) -> None:
    # squats_front.mp4 keeps its index (moov) at the end: cut, nothing can be decoded.
    cut = tmp_path / "cut.mp4"
    data = SQUATS.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    result = runner.invoke(app, ["analyze", str(cut), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"posecheck: {cut}: ") and result.stderr.count("\n") == 1


def test_no_person_in_the_video(tmp_path: Path) -> None:
    # Real pixels without a person: the empty top-right corner of the squat clip.
    image = cv2.imread(str(SAMPLES / "squat_front_standing.jpg"))
    corner = np.ascontiguousarray(image[: image.shape[0] // 3, 3 * image.shape[1] // 4 :])
    clip = tmp_path / "empty_scene.mp4"
    _clip_from_image(corner, clip, seconds=1.0)
    report = analyze_video(clip, tmp_path / "o", write_video=False)
    assert report.frames_with_person == 0 and report.holds == ()
    assert "no person found in the video" in report.notes


def test_model_error_writes_no_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.task"
    bad.write_text("nope")
    out = tmp_path / "o"
    result = runner.invoke(app, ["analyze", str(SQUATS), "--out", str(out), "--model", str(bad)])
    assert result.exit_code == 2
    assert not (out / "report.json").exists()


# Moments of tree_tutorial.mp4 that are close-ups (checked by eye on the frames): a leg
# at 20.5, 25 and 66 s, the face at 41 and 79 s, the chest at 54 s. Nothing may be scored
# there; the full-body Tree segments hold the holds.
TREE_CLOSE_UPS_S = (20.5, 25.0, 41.0, 54.0, 66.0, 79.0)


@pytest.mark.shared_data
def test_tree_tutorial_holds_only_in_full_body_segments(tmp_path: Path) -> None:
    clip = shared_data() / "clips" / "tree_tutorial.mp4"
    report = analyze_video(clip, stride=4, max_width=640, write_video=False)
    assert len(report.holds) >= 3
    assert all(h.pose == "tree" for h in report.holds)
    for t in TREE_CLOSE_UPS_S:
        assert not any(h.start_s <= t <= h.end_s for h in report.holds), t
    assert any(h.start_s < 35 and h.end_s > 28 for h in report.holds)  # the first hold


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["low_lunge.mp4", "plank_cobra_dog.mp4"])
def test_look_alikes_and_flows_are_none_of_the_four(name: str) -> None:
    report = analyze_video(shared_data() / "clips" / name, stride=2, write_video=False)
    assert report.frames_with_person > 0
    assert report.holds == ()
