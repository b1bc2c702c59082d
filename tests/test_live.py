"""posecheck live: cue debouncing and speech limits on synthetic sequences, and real
sessions with the real model on video files standing in for a camera, with and without
the window (under Xvfb, checked on screenshots)."""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from typer.testing import CliRunner

from posecheck.apps.cli import app
from posecheck.apps.live import WINDOW_TITLE, LiveControls, mirror_result, run_live
from posecheck.io.camera import CapturedFrame, FrameSlot
from posecheck.io.video import VideoReader, VideoWriter
from posecheck.judge.assess import assess
from posecheck.judge.session import display_result as live_display
from posecheck.judge.temporal import CUE_OFF_S, CUE_ON_S, CueDebouncer
from posecheck.outputs.speech import Speaker, SpeechLimiter, find_speech_engine
from posecheck.result import Cue
from posecheck.vocab import Severity
from tests.conftest import BALANCE as BALANCE_60FPS
from tests.conftest import SAMPLES, SQUATS, faststart_copy, shared_data
from tests.factories import camera_view, standing_body

CLI = [sys.executable, "-c", "from posecheck.apps.cli import main; main()"]
runner = CliRunner()

# ----------------------------------------------------------------------------- helpers


def _cue(check: str, severity: Severity = Severity.FAULT) -> Cue:
    return Cue(check=check, severity=severity, message=f"fix {check}")


def _feed(
    debouncer: CueDebouncer, present: Sequence[bool], fps: float = 30.0, check: str = "knee"
) -> list[bool]:
    """Shown (True/False) per frame for a cue present in the frames marked True."""
    out = []
    for i, here in enumerate(present):
        shown = debouncer.update(i / fps, [_cue(check)] if here else [])
        out.append(any(c.check == check for c in shown))
    return out


def _runs(values: Sequence[bool]) -> list[tuple[bool, int, int]]:
    """(value, first index, last index) of each run of equal values."""
    runs: list[tuple[bool, int, int]] = []
    for i, v in enumerate(values):
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1], i)
        else:
            runs.append((v, i, i))
    return runs


def _write_clip(path: Path, frames: Sequence[NDArray[np.uint8]], fps: float) -> Path:
    h, w = frames[0].shape[:2]
    with VideoWriter(path, fps=fps, size_wh=(w, h), crf=18) as writer:
        for i, f in enumerate(frames):
            writer.write(f, i / fps)
    return path


def _photo_clip(path: Path, seconds: float, fps: float = 15.0) -> Path:
    """A clip of one real photo (a woman standing, front view), 360x640, held still."""
    image = cv2.imread(str(SAMPLES / "squat_front_standing.jpg"))
    image = np.ascontiguousarray(cv2.resize(image, (360, 640), interpolation=cv2.INTER_AREA))
    return _write_clip(path, [image] * int(seconds * fps), fps)


def _first_frame(path: Path) -> NDArray[np.uint8]:
    with VideoReader(path) as reader:
        return next(iter(reader)).image_bgr


# ----------------------------------------------------------------------------- debouncing


def test_a_blip_never_shows() -> None:
    # present 0.3 s, then gone: never shown
    shown = _feed(CueDebouncer(), [True] * 9 + [False] * 60)
    assert not any(shown)


def test_a_cue_shows_after_on_s_and_leaves_after_off_s() -> None:
    fps = 30.0
    present = [True] * 60 + [False] * 60  # 2 s of fault, then 2 s without
    shown = _feed(CueDebouncer(), present, fps)
    first = shown.index(True)
    assert first / fps == pytest.approx(CUE_ON_S, abs=1 / fps + 1e-9)
    last = len(shown) - 1 - shown[::-1].index(True)
    gone_at = (last + 1) / fps
    assert gone_at - 60 / fps == pytest.approx(CUE_OFF_S, abs=1 / fps + 1e-9)
    assert _runs(shown) == [(False, 0, first - 1), (True, first, last), (False, last + 1, 119)]


def test_short_gaps_do_not_restart_the_count() -> None:
    # a fault measured in 9 of every 10 frames (a frame dipping under the threshold)
    present = [i % 10 != 9 for i in range(60)]
    shown = _feed(CueDebouncer(), present)
    assert shown.index(True) / 30 == pytest.approx(CUE_ON_S, abs=1 / 30 + 1e-9)
    assert all(shown[shown.index(True) :])  # and it stays


def test_a_shown_cue_rides_out_a_flickering_fault() -> None:
    present = [True] * 30 + [i % 2 == 0 for i in range(90)]  # on, then every other frame
    shown = _feed(CueDebouncer(), present)
    assert [v for v, _, _ in _runs(shown)] == [False, True]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8, 0.95])
def test_never_flickers_on_random_input(seed: int, p: float) -> None:
    """Whatever the raw sequence, the shown cue never changes faster than the
    hysteresis allows: every run (shown or hidden, after the first) lasts at least
    min(on, off) seconds, except a run cut off by the end of the sequence."""
    rng = np.random.default_rng(seed)
    fps = 30.0
    present = list(rng.random(600) < p)
    shown = _feed(CueDebouncer(), present, fps)
    runs = _runs(shown)
    shortest = min(CUE_ON_S, CUE_OFF_S)
    for value, a, b in runs[1:-1]:
        assert (b - a + 1) / fps >= shortest - 1e-9, (value, a, b)


def test_severity_rises_at_once_and_falls_only_when_it_lasts() -> None:
    d = CueDebouncer()
    t = 0.0
    for _ in range(20):  # a warning, long enough to show
        d.update(t, [_cue("knee", Severity.WARN)])
        t += 1 / 30
    assert [c.severity for c in d.shown] == [Severity.WARN]
    d.update(t, [_cue("knee", Severity.FAULT)])
    assert [c.severity for c in d.shown] == [Severity.FAULT]  # worse: at once
    seen = []
    for i in range(30):  # alternating warn/fault for 1 s: stays at fault
        t += 1 / 30
        sev = Severity.WARN if i % 2 else Severity.FAULT
        seen.append(d.update(t, [_cue("knee", sev)])[0].severity)
    assert set(seen) == {Severity.FAULT}
    for _ in range(20):  # a steady warning for 0.67 s: back to warn
        t += 1 / 30
        d.update(t, [_cue("knee", Severity.WARN)])
    assert [c.severity for c in d.shown] == [Severity.WARN]


def test_cues_are_independent_and_keep_their_order() -> None:
    d = CueDebouncer()
    for i in range(60):
        t = i / 30
        cues = [_cue("hip")] if i >= 15 else []
        cues.insert(0, _cue("knee"))  # the raw order puts knee first
        if i >= 30:
            cues = [_cue("hip")]  # knee fixed at 1 s
        shown = [c.check for c in d.update(t, cues)]
        if i < 15:
            assert shown == ([] if t < CUE_ON_S else ["knee"])
        elif 30 <= i < 45:
            assert shown[-1] == "hip"  # appeared after knee: listed after it
    assert [c.check for c in d.shown] == ["hip"]
    d.reset()
    assert d.shown == ()


# ----------------------------------------------------------------------------- speech


def test_speech_limiter_gap_and_repeat() -> None:
    lim = SpeechLimiter(min_gap_s=4.0, repeat_s=15.0)
    knee, hip = _cue("knee"), _cue("hip", Severity.WARN)
    said = []
    for i in range(0, 400):  # 40 s at 10 fps, both cues shown throughout
        t = i / 10
        cue = lim.choose(t, [hip, knee])
        if cue is not None:
            said.append((t, cue.check))
    times = [t for t, _ in said]
    assert all(b - a >= 4.0 - 1e-9 for a, b in zip(times, times[1:], strict=False))
    for check in ("knee", "hip"):
        own = [t for t, c in said if c == check]
        assert all(b - a >= 15.0 - 1e-9 for a, b in zip(own, own[1:], strict=False))
    assert said[0] == (0.0, "knee")  # the fault before the warning
    assert said[1] == (4.0, "hip")
    assert said[2] == (15.0, "knee")


def test_speech_limiter_ignores_info_cues() -> None:
    lim = SpeechLimiter()
    assert lim.choose(0.0, [_cue("pelvis", Severity.INFO)]) is None
    assert lim.choose(0.1, [_cue("knee", Severity.WARN)]) is not None


@pytest.fixture
def espeak() -> str:
    engine = find_speech_engine()
    if engine is None:
        pytest.skip("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    return engine


def test_speaker_speaks_with_the_real_engine(espeak: str, tmp_path: Path) -> None:
    with Speaker(espeak, wav_dir=tmp_path) as speaker:
        start = time.perf_counter()
        assert speaker.offer(0.0, [_cue("knee")]) == "fix knee"
        assert time.perf_counter() - start < 0.05  # queued, not spoken in the caller
        assert speaker.offer(1.0, [_cue("hip")]) is None  # rate limit: within 4 s
        wav = tmp_path / "utterance-000.wav"
        _until(lambda: wav.is_file() and wav.stat().st_size > 0, 10, every_s=0.05)
    data = wav.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert len(data) > 8000  # about a second of 22 kHz speech, not an empty header
    assert speaker.spoken == ["fix knee"]


# ----------------------------------------------------------------------------- display


def test_live_display_shows_cues_only_in_a_hold() -> None:
    lm = camera_view(standing_body())
    result = assess(lm, "synthetic", lm.image_wh, pose="tree")
    cue = _cue("knee")
    shown = live_display(result, None, 3.0, [cue])
    assert shown.cues == () and shown.status == "transition: not scored"
    shown = live_display(result, ("tree", "left", 1.0), 13.34, [cue])
    assert shown.cues == (cue,) and shown.status == "hold 12.3 s"
    assert (shown.pose, shown.side) == ("tree", "left")
    nobody = assess(None, "synthetic", lm.image_wh)
    assert live_display(nobody, ("tree", "left", 1.0), 2.0, [cue]).cues == ()


def test_mirror_result_flips_pixels_not_sides() -> None:
    lm = camera_view(standing_body())
    result = assess(lm, "synthetic", lm.image_wh)
    assert result.balance is not None and result.landmarks is not None
    m = mirror_result(result)
    assert m.landmarks is not None and m.balance is not None
    w = lm.image_wh[0]
    np.testing.assert_allclose(m.landmarks.xy[:, 0], 1.0 - lm.xy[:, 0])
    assert m.balance.com_px[0] == pytest.approx(w - result.balance.com_px[0])
    if result.balance.support_x_px is not None:
        lo, hi = result.balance.support_x_px
        assert m.balance.support_x_px == pytest.approx((w - hi, w - lo))
    assert m.metrics == result.metrics and m.cues == result.cues  # the body's own sides
    back = mirror_result(m)
    assert back.landmarks is not None
    np.testing.assert_allclose(back.landmarks.xy, lm.xy)
    assert mirror_result(assess(None, "x", (640, 480))).landmarks is None


def test_keys() -> None:
    c = LiveControls()
    assert (c.pose, c.mirror, c.paused, c.quit) == (None, True, False, False)
    assert c.handle_key(-1) is None
    assert c.handle_key(ord("2")) == "pose: Tree" and c.pose == "tree"
    assert c.handle_key(ord("3")) and c.pose == "half_moon"
    assert c.handle_key(ord("4")) and c.pose == "bridge"
    assert c.handle_key(ord("1")) and c.pose == "warrior1"
    assert c.handle_key(ord("a")) == "pose: auto" and c.pose is None
    assert c.handle_key(ord("m")) == "mirror off" and not c.mirror
    assert c.handle_key(ord("M")) == "mirror on" and c.mirror
    assert c.handle_key(ord(" ")) and c.paused
    assert c.handle_key(ord(" ")) == "resumed" and not c.paused
    assert c.handle_key(ord("s")) and c.snapshot
    assert c.handle_key(ord("x")) is None
    assert not c.quit and c.handle_key(ord("q")) and c.quit
    assert LiveControls().handle_key(27) == "quit"
    arrows = LiveControls()
    for special in (0xFF51, 0xFF53, 0xFFBF, 0xFFE1):  # left/right arrow, F2, shift (X11)
        assert arrows.handle_key(special) is None
    assert not arrows.quit and arrows.pose is None


def test_frame_slot_keeps_only_the_newest() -> None:
    slot = FrameSlot()
    img = np.zeros((2, 2, 3), np.uint8)
    for i in range(5):
        slot.put(CapturedFrame(i, i / 30, 0.0, img, img))
    taken = slot.take(0.01)
    assert taken is not None and taken.index == 4
    assert (slot.published, slot.dropped) == (5, 4)
    assert slot.take(0.01) is None
    got: list[CapturedFrame | None] = []
    waiter = threading.Thread(target=lambda: got.append(slot.take(5.0)))
    waiter.start()
    slot.put(CapturedFrame(5, 5 / 30, 0.0, img, img))
    waiter.join(5.0)
    assert got and got[0] is not None and got[0].index == 5
    slot.close()
    assert slot.take(5.0) is None and slot.closed


# ----------------------------------------------------------------------------- sessions


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["live", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.model
def test_no_window_session_records_like_analyze(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    code, stdout, stderr = _cli(
        "--no-window", "--seconds", "2", "--source", str(SQUATS), "--record", str(out)
    )
    assert code == 0, stderr
    assert stderr == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "annotated.mp4",
        "frames.csv",
        "report.html",
        "report.json",
    ]
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True and report["settings"]["mode"] == "live"
    assert report["frames_analysed"] >= 5  # 2 s of a 5 fps clip
    assert report["frames_with_person"] == report["frames_analysed"]
    assert report["video"]["width"] == 720 and report["video"]["height"] == 1280
    assert 1.9 <= report["video"]["duration_s"] < 4
    assert any("ended by: time limit" in n for n in report["notes"])
    with (out / "frames.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) - 1 == report["frames_analysed"]
    with av.open(str(out / "annotated.mp4")) as c:
        assert sum(1 for _ in c.decode(video=0)) == report["frames_analysed"]
    assert "live session:" in stdout and "ended by: time limit" in stdout
    assert report["settings"]["correction"] == "off"
    assert report["settings"]["fast"] is False


@pytest.mark.model
def test_live_correct_turns_the_shipped_correction_on(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    code, _, stderr = _cli(
        "--no-window", "--seconds", "1", "--source", str(SQUATS), "--record", str(out), "--correct"
    )
    assert code == 0, stderr
    report = json.loads((out / "report.json").read_text())
    assert report["settings"]["correction"] == "on"


@pytest.mark.model
def test_live_fast_tracks_the_person_and_says_so(tmp_path: Path) -> None:
    """``--fast`` reaches the estimator (tracking one person) and the report records it;
    the person is still found in the frames."""
    out = tmp_path / "rec"
    code, _, stderr = _cli(
        "--no-window", "--seconds", "2", "--source", str(SQUATS), "--record", str(out), "--fast"
    )
    assert code == 0, stderr
    report = json.loads((out / "report.json").read_text())
    assert report["settings"]["fast"] is True
    with (out / "frames.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and sum(r["person"] == "1" for r in rows) >= len(rows) // 2


@pytest.mark.model
def test_slow_processing_drops_frames_and_keeps_up(capfd: pytest.CaptureFixture[str]) -> None:
    """A 60 fps 1080x1920 clip is more than this machine analyses: only the newest frame
    is processed, the rest are counted as dropped, and the session keeps real time."""
    start = time.perf_counter()
    summary = run_live(source=BALANCE_60FPS, window=False)
    elapsed = time.perf_counter() - start
    assert capfd.readouterr() == ("", "")  # the library prints nothing, nor does MediaPipe
    assert summary.stop_reason == "stream ended" and summary.complete
    assert summary.frames_captured == 100  # every frame of the clip was delivered
    assert summary.frames_dropped > 0
    assert summary.frames_processed + summary.frames_dropped <= summary.frames_captured
    assert summary.frames_captured - summary.frames_processed - summary.frames_dropped <= 3
    assert summary.duration_s < 1.67 + 2.0  # real time, not one frame after the other (~6 s)
    assert elapsed < 15
    assert summary.latency_ms is not None and summary.latency_ms[0] < 500


@pytest.mark.model
def test_a_source_that_fails_midway_keeps_the_recording(tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"
    faststart_copy(SQUATS, whole)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.3)])
    out = tmp_path / "rec"
    code, stdout, stderr = _cli("--no-window", "--source", str(cut), "--record", str(out))
    assert code == 3, stderr
    assert stderr.count("\n") == 1 and "decoding stopped" in stderr and str(out) in stderr
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is False and report["stopped_at_s"] > 0
    assert report["frames_analysed"] > 0
    assert (out / "annotated.mp4").is_file() and (out / "report.html").is_file()


def test_a_camera_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    if Path("/dev/video9").exists():
        pytest.skip("this machine has a /dev/video9")
    code, _, stderr = _cli("--camera", "9", "--no-window", "--record", str(tmp_path / "r"))
    assert code == 1
    message = "camera 9: cannot open (no such camera, or in use by another program)"
    assert stderr == f"posecheck: {message}\n"
    assert not (tmp_path / "r").exists()


def test_usage_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, stderr = _cli("--camera", "0", "--source", str(SQUATS))
    assert code == 2 and "not both" in stderr
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, _, stderr = _cli("--source", str(SQUATS))
    assert code == 2 and stderr.count("\n") == 1 and "--no-window" in stderr


@pytest.mark.model
def test_voice_without_an_engine_warns_once_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng to be found
    code, stdout, stderr = _cli("--no-window", "--voice", "--seconds", "1", "--source", str(SQUATS))
    assert code == 0
    assert stderr == "posecheck: --voice: espeak-ng not found; continuing without speech\n"
    assert "live session:" in stdout


@pytest.mark.model
def test_ctrl_c_ends_the_session_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    with _live_process(["--no-window", "--source", str(SQUATS), "--record", str(out)]) as proc:
        _until(lambda: _has_rows(_streamed_csv(out), 4), 60)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "ended by: interrupted" in stdout
    report = json.loads((out / "report.json").read_text())
    assert report["frames_analysed"] >= 3 and report["complete"] is True
    assert not list(out.glob(".frames.csv*.partial"))


@pytest.mark.model
@pytest.mark.shared_data
def test_tree_holds_live_with_steady_cues(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Real Tree holds (tree_tutorial.mp4 from 26.5 s, 640x480) played as a camera: the
    holds are found, and every cue in frames.csv stays or stays away >= 0.5 s."""
    src = shared_data() / "clips" / "tree_tutorial.mp4"
    frames: list[NDArray[np.uint8]] = []
    with VideoReader(src) as reader:
        fps = reader.info.fps
        for frame in reader:
            if frame.time_s < 26.5:
                continue
            h, w = frame.image_bgr.shape[:2]
            crop = frame.image_bgr[:, (w - h * 4 // 3) // 2 :][:, : h * 4 // 3]
            frames.append(
                np.ascontiguousarray(cv2.resize(crop, (640, 480), interpolation=cv2.INTER_AREA))
            )
            if len(frames) >= int(12 * fps):
                break
    clip = _write_clip(tmp_path / "tree.mp4", frames, fps)
    out = tmp_path / "rec"
    capfd.readouterr()
    summary = run_live(source=clip, window=False, record=out)
    # nothing on stdout or stderr, also when MediaPipe first tracks a person mid-session
    assert capfd.readouterr() == ("", "")
    assert summary.stop_reason == "stream ended"
    holds = summary.report.holds
    assert holds and all(h.pose == "tree" and h.side == "right" for h in holds)
    with (out / "frames.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    times = [float(r["time_s"]) for r in rows]
    assert any(r["hold"] for r in rows) and any(r["status"].startswith("hold ") for r in rows)
    checks = {c for r in rows for c in r["cues"].split(";") if c}
    for check in checks:
        shown = [check in r["cues"].split(";") for r in rows]
        runs = _runs(shown)
        for value, a, b in runs[1:-1]:
            # a run lasts from its first frame to the next run's first frame
            assert times[b + 1] - times[a] >= 0.5 - 1e-6, (check, value, times[a], times[b])


# ----------------------------------------------------------------------------- window


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(
            f"needs {', '.join(missing)} (Debian: apt-get install xvfb x11-utils imagemagick "
            "xdotool)"
        )


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """An X display: ``$DISPLAY`` if set, else a private Xvfb started here."""
    _need("import", "xwininfo", "xdotool")
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    _need("Xvfb")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as fh:
            number = fh.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def _x(display: str, *args: str) -> str:
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run(
        list(args), env=env, capture_output=True, text=True, timeout=20, check=True
    ).stdout


def _until(done: Callable[[], bool], timeout_s: float, every_s: float = 0.1) -> None:
    """Poll ``done()`` until it holds or ``timeout_s`` passes (callers assert after)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline and not done():
        time.sleep(every_s)


def _streamed_csv(out: Path) -> Path:
    """The hidden file frames.csv's rows stream to during a recording
    (``.frames.csv.<pid>-<hex>.partial``), or a path that does not exist yet."""
    return next(out.glob(".frames.csv*.partial"), out / ".frames.csv.partial")


def _has_rows(path: Path, n: int) -> bool:
    """Whether the CSV at ``path`` exists and has at least ``n`` lines."""
    return path.is_file() and path.read_text().count("\n") >= n


@contextlib.contextmanager
def _live_process(
    args: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """``posecheck live ARGS`` as a real process (text pipes); killed on the way out if
    the test left it running."""
    proc = subprocess.Popen(
        [*CLI, "live", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):  # a failed test must not leak them
            if pipe is not None:
                pipe.close()


def _find_window(display: str, proc: subprocess.Popen[str], timeout_s: float = 60) -> int:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        assert proc.poll() is None, proc.communicate()
        with contextlib.suppress(subprocess.CalledProcessError):
            info = _x(display, "xwininfo", "-name", WINDOW_TITLE)
            return int(re.search(r"Window id: (0x[0-9a-f]+)", info).group(1), 16)  # type: ignore[union-attr]
        time.sleep(0.2)
    raise AssertionError("the live window never appeared")


def _screenshot(display: str, window: int, attempts: int = 3) -> NDArray[np.uint8]:
    """The window's pixels (ImageMagick ``import``). On a loaded machine ``import`` can
    stall on the X server for longer than its timeout: it is tried again."""
    env = {**os.environ, "DISPLAY": display}
    png = b""
    for attempt in range(attempts):
        try:
            png = subprocess.run(
                ["import", "-window", hex(window), "png:-"],
                env=env,
                capture_output=True,
                timeout=20,
            ).stdout
            break
        except subprocess.TimeoutExpired:
            if attempt == attempts - 1:
                raise
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "screenshot failed"
    return np.asarray(image, dtype=np.uint8)


def _median_diff(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> float:
    return float(np.median(np.abs(a.astype(np.int16) - b.astype(np.int16))))


def _wait_for(
    display: str, window: int, shape: tuple[int, int], ok: object, timeout_s: float = 20
) -> NDArray[np.uint8]:
    """Screenshots until ``ok(picture part)`` holds; returns the whole last one."""
    deadline = time.perf_counter() + timeout_s
    shot = _screenshot(display, window)
    while time.perf_counter() < deadline:
        shot = _screenshot(display, window)
        if shot.shape[0] > shape[0] and callable(ok) and ok(shot[: shape[0], : shape[1]]):
            return shot
        time.sleep(0.2)
    raise AssertionError("the window never showed what was expected")


def _key(display: str, window: int, key: str) -> None:
    _x(display, "xdotool", "windowfocus", str(window))
    _x(display, "xdotool", "key", key)


@pytest.mark.model
def test_window_shows_the_mirrored_overlay_and_obeys_keys(display: str, tmp_path: Path) -> None:
    clip = _photo_clip(tmp_path / "still.mp4", seconds=60)
    frame = _first_frame(clip)
    h, w = frame.shape[:2]
    mirrored = frame[:, ::-1]
    out = tmp_path / "rec"
    env = {**os.environ, "DISPLAY": display}
    args = ["--source", str(clip), "--record", str(out), "--seconds", "50"]
    with _live_process(args, env) as proc:
        window = _find_window(display, proc)

        def shows_mirrored(pic: NDArray[np.uint8]) -> bool:
            return _median_diff(pic, mirrored) < 6 and _median_diff(pic, frame) > 15

        shot = _wait_for(display, window, (h, w), shows_mirrored)
        cv2.imwrite(str(tmp_path / "window.png"), shot)
        assert shot.shape[:2] == (h + round(24 * w / 480), w)  # the picture + status bar
        pic = shot[:h].astype(np.int16)
        # the header panel: a block much darker than the picture under it, at the top
        darker = np.all(mirrored.astype(np.int16) - pic > 25, axis=2)
        top = darker[: h // 3]
        assert top.sum() > 0.03 * top.size, "no dark header panel at the top"
        rows = np.flatnonzero(top.sum(axis=1) > 40)
        assert rows.size > 20 and rows.min() < 20  # starts near the top edge
        assert float(np.std(shot[:h])) > 20  # a picture, not a blank window
        bar = shot[h:]
        assert np.median(bar) < 40 and bar.max() > 200  # dark status bar with text

        _key(display, window, "m")  # mirror off: the camera's own picture
        _wait_for(
            display,
            window,
            (h, w),
            lambda p: _median_diff(p, frame) < 6 and _median_diff(p, mirrored) > 15,
        )
        partial = _streamed_csv(out)
        _key(display, window, "space")  # pause: no frame is processed
        time.sleep(0.5)
        paused_rows = partial.read_text().count("\n")
        time.sleep(1.0)
        assert partial.read_text().count("\n") == paused_rows
        _key(display, window, "space")  # resume
        _key(display, window, "2")  # a fixed pose: Tree
        _until(lambda: _has_rows(partial, paused_rows + 1), 10)
        assert partial.read_text().count("\n") > paused_rows
        _key(display, window, "s")
        _until(lambda: bool(list(out.glob("snapshot-*.jpg"))), 10)
        _key(display, window, "q")
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "ended by: quit" in stdout
    snaps = list(out.glob("snapshot-*.jpg"))
    assert len(snaps) == 1 and f"snapshot: {snaps[0]}" in stdout
    snap = cv2.imread(str(snaps[0]))
    assert snap.shape == frame.shape and _median_diff(snap, frame) < 6  # unmirrored now
    assert "Traceback" not in stderr
    report = json.loads((out / "report.json").read_text())
    assert report["frames_analysed"] > 5 and report["settings"]["mirror"] is True
    assert report["settings"]["pose"] == "auto"
    assert any(n.startswith("pose set to tree at ") for n in report["notes"])


def _send_wm_delete(display: str, window: int) -> None:
    """Ask the window to close, as a window manager's close button does
    (a WM_PROTOCOLS / WM_DELETE_WINDOW client message)."""
    name = ctypes.util.find_library("X11")
    if name is None:
        pytest.skip("libX11 not found")
    x11 = ctypes.CDLL(name)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.c_void_p,
    ]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

    class ClientMessage(ctypes.Structure):
        _fields_ = [
            ("type", ctypes.c_int),
            ("serial", ctypes.c_ulong),
            ("send_event", ctypes.c_int),
            ("display", ctypes.c_void_p),
            ("window", ctypes.c_ulong),
            ("message_type", ctypes.c_ulong),
            ("format", ctypes.c_int),
            ("data", ctypes.c_long * 5),
        ]

    class Event(ctypes.Union):
        _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]

    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open display {display}"
    try:
        event = Event()
        event.xclient.type = 33  # ClientMessage
        event.xclient.window = window
        event.xclient.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        x11.XSendEvent(dpy, window, 0, 0, ctypes.byref(event))
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)


@pytest.mark.model
def test_closing_the_window_ends_the_session_cleanly(display: str, tmp_path: Path) -> None:
    clip = _photo_clip(tmp_path / "still.mp4", seconds=60)
    out = tmp_path / "rec"
    args = ["--source", str(clip), "--record", str(out), "--seconds", "50"]
    with _live_process(args, {**os.environ, "DISPLAY": display}) as proc:
        window = _find_window(display, proc)
        _until(lambda: _has_rows(_streamed_csv(out), 4), 30)
        _send_wm_delete(display, window)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "ended by: window closed" in stdout
    assert json.loads((out / "report.json").read_text())["frames_analysed"] >= 3
    assert math.isfinite(float(re.search(r"\(([\d.]+) fps\)", stdout).group(1)))  # type: ignore[union-attr]
