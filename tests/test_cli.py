"""The command line as a user runs it: exit codes, messages, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from typer.testing import CliRunner

from posecheck.apps.cli import app
from posecheck.measure.geometry import METRIC_UNITS
from tests.conftest import SAMPLES

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_does_not_import_mediapipe() -> None:
    code = (
        "import sys\n"
        "from posecheck.apps.cli import main\n"
        "sys.argv = ['posecheck', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'mediapipe' not in sys.modules, 'mediapipe imported by --help'\n"
        "sys.argv = ['posecheck', 'image', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'mediapipe' not in sys.modules, 'mediapipe imported by image --help'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "image" in proc.stdout and "--pose" in proc.stdout


def test_poses_lists_every_check_and_what_is_switched_off() -> None:
    """`posecheck poses` (text and --json) names every check of every pose, says which
    are switched off and why, and the trunk gate of the poses that have one."""
    from posecheck.poses import REGISTRY

    code, out, _ = run("poses", "--json")
    assert code == 0
    listed = json.loads(out)
    assert set(listed) == set(REGISTRY)
    for name, spec in REGISTRY.items():
        assert [c["check"] for c in listed[name]["checks"]] == [c.id for c in spec.checks]
        assert [c["unreliable"] for c in listed[name]["checks"]] == [
            c.unreliable for c in spec.checks
        ]
        assert listed[name]["min_trunk_tilt_deg"] == spec.min_trunk_tilt_deg
    code, text, _ = run("poses")
    assert code == 0
    off = [c for spec in REGISTRY.values() for c in spec.checks if c.unreliable]
    assert off and text.count("SWITCHED OFF: ") == len(off)
    gated = [s for s in REGISTRY.values() if s.min_trunk_tilt_deg is not None]
    assert gated and text.count("checks judged only with the trunk at least") == len(gated)


@pytest.mark.model
def test_json_contract(tmp_path: Path) -> None:
    photo = SAMPLES / "squat_front_standing.jpg"
    code, out, err = run("image", str(photo), "--json", "--out", str(tmp_path))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    for key in ("source", "person", "pose", "side", "view", "metrics", "cues", "landmarks"):
        assert key in obj
    assert obj["source"] == str(photo)
    assert obj["person"] is True
    assert obj["pose"] is None  # --pose auto before recognition
    assert obj["view"] in {"front", "oblique", "side", "unknown"}
    assert set(METRIC_UNITS) <= set(obj["metrics"])
    for m in obj["metrics"].values():
        assert set(m) == {"value", "unit", "valid", "reason"}
        assert (m["value"] is None) == (not m["valid"])
        assert (m["reason"] is None) == m["valid"]
    assert len(obj["landmarks"]) == 33 and all(len(p) == 3 for p in obj["landmarks"])
    annotated = cv2.imread(str(tmp_path / "squat_front_standing.posecheck.jpg"))
    assert annotated is not None and annotated.shape == cv2.imread(str(photo)).shape


@pytest.mark.model
def test_several_paths_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = SAMPLES / "squat_front_standing.jpg"
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.jpg"
    text.write_text("this is not a photo\n")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(good.read_bytes()[:20000])
    missing = tmp_path / "missing.jpg"
    folder = tmp_path / "folder"
    folder.mkdir()
    out_dir = tmp_path / "out"
    code, out, err = run(
        "image",
        str(empty),
        str(good),
        str(text),
        str(truncated),
        str(missing),
        str(folder),
        "--json",
        "--out",
        str(out_dir),
    )
    assert code == 1
    assert len(out.strip().splitlines()) == 1  # the good photo's JSON
    errors = err.strip().splitlines()
    assert len(errors) == 5, err
    expected = {
        empty: "empty file",
        text: "not an image",
        truncated: "truncated JPEG",
        missing: "no such file",
        folder: "is a directory",
    }
    for path, words in expected.items():
        assert any(line.startswith(f"posecheck: {path}: ") and words in line for line in errors)
    assert "Traceback" not in err
    assert (out_dir / "squat_front_standing.posecheck.jpg").is_file()


@pytest.mark.model
def test_no_person_is_reported_not_an_error(tmp_path: Path) -> None:
    image = cv2.imread(str(SAMPLES / "squat_front_standing.jpg"))
    empty_scene = tmp_path / "scene.png"
    cv2.imwrite(str(empty_scene), image[: image.shape[0] // 3, 3 * image.shape[1] // 4 :])
    code, out, err = run("image", str(empty_scene), "--json", "--out", str(tmp_path / "o"))
    assert code == 0
    assert json.loads(out)["person"] is False
    assert err.strip() == f"posecheck: {empty_scene}: no person found"


def test_bad_model_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.task"
    bad.write_text("nope")
    code, out, err = run("image", str(SAMPLES / "squat_front_standing.jpg"), "--model", str(bad))
    assert code == 2
    assert err.strip().startswith(f"posecheck: {bad}: not a MediaPipe .task model")
    assert len(err.strip().splitlines()) == 1


def test_unknown_pose_is_a_usage_error() -> None:
    code, _, err = run("image", str(SAMPLES / "squat_front_standing.jpg"), "--pose", "plank")
    assert code == 2
    assert "warrior1" in err and "half_moon" in err


@pytest.mark.model
def test_forced_pose_and_output_file(tmp_path: Path) -> None:
    target = tmp_path / "annotated.png"
    code, out, _ = run(
        "image",
        str(SAMPLES / "one_leg_balance_front.jpg"),
        "--pose",
        "tree",
        "--json",
        "--out",
        str(target),
    )
    assert code == 0
    assert json.loads(out)["pose"] == "tree"
    assert cv2.imread(str(target)) is not None


SCRIPT = Path(sys.executable).parent / "posecheck"


@pytest.mark.model
def test_console_script_end_to_end(tmp_path: Path) -> None:
    assert SCRIPT.is_file(), f"console script missing at {SCRIPT}: install with pip -e ."
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.run(
        [str(SCRIPT), "image", str(SAMPLES / "squat_front_standing.jpg"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "knee_valgus_left_deg" in proc.stdout
    # MediaPipe's C++ start-up chatter is kept away from the user.
    assert proc.stderr == ""


# --------------------------------------------------------------------------- terminal text


def test_video_summary_is_the_reports_holds_notes_and_outputs() -> None:
    from posecheck.outputs.text import HOLD_COLUMNS, camera_lines, video_summary
    from posecheck.poses import get_pose
    from tests.test_html_report import make_report

    report = make_report()
    summary = video_summary(report, Path("out"))
    assert report.source in summary.heading and f"person in {report.frames_with_person}" in (
        summary.heading
    )
    assert len(summary.hold_rows) == len(report.holds)
    for row, hold in zip(summary.hold_rows, report.holds, strict=True):
        cells = dict(zip(HOLD_COLUMNS, row, strict=True))
        assert cells["#"] == str(hold.index)
        assert cells["pose"] == get_pose(hold.pose).display_name
        assert cells["score"] == f"{hold.score:.0f}"
        judged = [c for c in hold.checks if c.score is not None]
        weakest = min(judged, key=lambda c: c.score or 0.0)
        assert cells["weakest check"] == f"{weakest.title} ({weakest.score:.0f})"
        assert cells["time"] == f"{hold.start_s:.1f}-{hold.end_s:.1f} s"
    assert summary.tail == (
        *(f"note: {n}" for n in report.notes),
        *(f"next: {line}" for line in camera_lines(report)),
        "outputs in out/: " + ", ".join(report.outputs.values()),
    )
    no_hold = make_report(holds=(), notes=())
    bare = video_summary(no_hold, None)
    assert bare.hold_rows == ()
    # A person but no hold: how to film so that a pose is read.
    (advice,) = camera_lines(no_hold)
    assert bare.tail == (f"next: {advice}",) and "hold the pose still" in advice
    assert camera_lines(make_report(holds=(), notes=(), frames_with_person=0)) == []


def test_live_and_batch_lines() -> None:
    from types import SimpleNamespace

    from posecheck.outputs.text import (
        batch_count_line,
        batch_error_lines,
        batch_tables_line,
        live_partial_line,
        live_session_lines,
    )

    session = SimpleNamespace(
        duration_s=12.04,
        frames_processed=300,
        frames_dropped=7,
        fps=24.96,
        latency_ms=(41.2, 77.9),
        stop_reason="quit",
        snapshots=(Path("snaps/a.jpg"), Path("snaps/b.jpg")),
    )
    lines = live_session_lines(session)
    assert lines == [
        "live session: 12.0 s, 300 frames processed (25.0 fps), 7 dropped; "
        "latency 41 ms median, 78 ms p90; ended by: quit",
        "snapshot: snaps/a.jpg",
        "snapshot: snaps/b.jpg",
    ]
    session.latency_ms, session.snapshots = None, ()
    assert live_session_lines(session) == [
        lines[0].replace("; latency 41 ms median, 78 ms p90", "")
    ]
    assert live_partial_line("cam: lost", Path("rec")) == "cam: lost; partial report in rec"
    assert live_partial_line("cam: lost", None) == "cam: lost"

    rows = [
        {"source": "a.mp4", "status": "ok", "error": ""},
        {"source": "b.mp4", "status": "error", "error": "not a video"},
        {"source": "c.mp4", "status": "partial", "error": "decoding stopped"},
        {"source": "d.mp4", "status": "error", "error": "empty file"},
    ]
    assert batch_count_line(rows, 1, 3.26) == (
        "4 clips: 1 ok, 1 partial, 2 error; 1 skipped (already done); 3.3 s"
    )
    assert batch_error_lines(rows) == ["b.mp4: not a video", "d.mp4: empty file"]
    out = Path("results-dir")
    assert batch_tables_line(out) == f"results: {out / 'results.csv'} and {out / 'index.html'}"
