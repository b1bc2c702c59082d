"""``posecheck live`` shows (and with ``--voice`` speaks) where to film next: the same
camera advice as the report and the terminal (:func:`posecheck.poses.base.camera_advice`).

Pure tests of :class:`posecheck.apps.live.CameraAdvisor` on synthetic bodies; a real
session on rendered Bridge pixels (MediaPipe, espeak-ng writing wav files); and the window
under Xvfb, checked on a screenshot."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from posecheck.apps.live import (
    ADVICE_REPEAT_S,
    ADVICE_SHOWN_S,
    ADVICE_SPEECH_GAP_S,
    HOLD_ADVICE_AFTER_S,
    NO_POSE_ADVICE,
    NO_POSE_ADVICE_AFTER_S,
    CameraAdvisor,
    LiveSession,
    advice_for_hold,
)
from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.camera import CaptureThread, open_source
from posecheck.io.video import VideoReader
from posecheck.judge.assess import assess
from posecheck.outputs.speech import Speaker
from posecheck.outputs.text import camera_lines
from posecheck.poses import get_pose
from posecheck.poses.base import camera_advice
from posecheck.result import FrameResult
from posecheck.vocab import Severity
from tests import pose_bodies as pb
from tests.factories import camera_view, standing_body
from tests.test_live import (  # noqa: F401  (display is a fixture)
    _find_window,
    _live_process,
    _screenshot,
    _until,
    _write_clip,
    display,
    espeak,
)
from tests.test_lying import FEET_CAMERA_DOWN_DEG, pitched_camera

ROOT = Path(__file__).resolve().parent.parent
BRIDGE_FROM_FEET = ROOT / "samples" / "synth" / "bridge_knees_in_front.mp4"


def _bridge_from_feet() -> FrameResult:
    lm = pitched_camera(pb.bridge(), FEET_CAMERA_DOWN_DEG)
    result = assess(lm, "synthetic", lm.image_wh)
    assert result.pose == "bridge"
    return result


def _expected_hold_advice(result: FrameResult) -> str:
    """camera_advice for the checks (not switched off) that this frame's view does not
    judge."""
    spec = get_pose("bridge")
    blind = [c.id for c in spec.checks if c.unreliable is None and result.view.value not in c.views]
    advice = camera_advice(spec, blind)
    assert advice is not None
    return advice


def test_a_hold_gets_the_advice_for_checks_its_view_cannot_judge() -> None:
    result = _bridge_from_feet()
    hold = ("bridge", None, 10.0)
    advisor = CameraAdvisor()
    step = 0.1
    times = [10.0 + step * i for i in range(int((HOLD_ADVICE_AFTER_S + ADVICE_SHOWN_S + 5) / step))]
    shown = [advisor.update(t, result, hold) for t in times]
    on = [t for t, a in zip(times, shown, strict=True) if a is not None]
    assert on, "no advice shown"
    assert on[0] == pytest.approx(10.0 + HOLD_ADVICE_AFTER_S, abs=step + 1e-9)
    assert on[-1] - on[0] == pytest.approx(ADVICE_SHOWN_S, abs=step + 1e-9)
    texts = {a.text for a in shown if a is not None}
    assert texts == {_expected_hold_advice(result)}
    assert advisor.shown == [_expected_hold_advice(result)]
    # a new hold of the same pose shows it again; its spoken form names the same checks
    later = 10.0 + times[-1]
    new_hold = ("bridge", None, later)
    again = [advisor.update(later + s, result, new_hold) for s in (0.0, HOLD_ADVICE_AFTER_S)]
    assert again[0] is None and again[1] is not None
    spec = get_pose("bridge")
    for title in (c.title for c in spec.checks if c.views == ("side",)):
        assert title in again[1].spoken


def test_a_check_judged_once_in_the_hold_is_not_advised() -> None:
    # every check the view cannot judge was judged on some frame of the hold (say the
    # student turned): nothing left to advise
    result = _bridge_from_feet()
    spec = get_pose("bridge")
    blind = {c.id for c in spec.checks if c.unreliable is None and result.view.value not in c.views}
    judged = tuple(
        s if s.check not in blind else replace(s, value=160.0, severity=Severity.OK, reason=None)
        for s in result.checks
    )
    advisor = CameraAdvisor()
    hold = ("bridge", None, 0.0)
    advisor.update(0.0, replace(result, checks=judged), hold)
    assert advisor.update(HOLD_ADVICE_AFTER_S + 0.1, result, hold) is None
    assert advice_for_hold("bridge", set()) is None


def test_no_pose_for_a_while_gets_the_whole_body_advice() -> None:
    lm = camera_view(standing_body())
    result = assess(lm, "synthetic", lm.image_wh)
    assert result.person and result.pose is None
    advisor = CameraAdvisor()
    assert advisor.update(0.0, result, None) is None
    assert advisor.update(NO_POSE_ADVICE_AFTER_S - 0.1, result, None) is None
    advice = advisor.update(NO_POSE_ADVICE_AFTER_S, result, None)
    assert advice is not None and advice.text == NO_POSE_ADVICE
    # a frame without anybody ends the spell: the count starts again
    nobody = FrameResult(source="x", image_wh=lm.image_wh, landmarks=None)
    advisor.update(NO_POSE_ADVICE_AFTER_S + 1, nobody, None)
    assert advisor.update(NO_POSE_ADVICE_AFTER_S + 2, result, None) is None


def test_advice_is_spoken_once_per_spell_and_not_too_often() -> None:
    result = _bridge_from_feet()
    advisor = CameraAdvisor()
    t0 = 0.0
    hold = ("bridge", None, t0)
    assert advisor.to_speak(t0) is None  # nothing on show yet
    advice = advisor.update(t0 + HOLD_ADVICE_AFTER_S, result, hold)
    assert advice is not None
    sentence = advisor.to_speak(t0 + HOLD_ADVICE_AFTER_S)
    assert sentence == advice.spoken
    advisor.spoken(t0 + HOLD_ADVICE_AFTER_S, sentence)
    assert advisor.to_speak(t0 + HOLD_ADVICE_AFTER_S + 1) is None  # once per spell
    # the next hold, soon after: within the gap, not spoken (shown only)
    t1 = t0 + HOLD_ADVICE_AFTER_S + 1
    hold1 = ("bridge", None, t1)
    assert advisor.update(t1 + HOLD_ADVICE_AFTER_S, result, hold1) is not None
    assert t1 + HOLD_ADVICE_AFTER_S - (t0 + HOLD_ADVICE_AFTER_S) < ADVICE_SPEECH_GAP_S
    assert advisor.to_speak(t1 + HOLD_ADVICE_AFTER_S) is None
    # past the gap but within the repeat time: the same words are not said again
    t2 = t0 + HOLD_ADVICE_AFTER_S + ADVICE_SPEECH_GAP_S + 1
    assert t2 - (t0 + HOLD_ADVICE_AFTER_S) < ADVICE_REPEAT_S
    hold2 = ("bridge", None, t2)
    assert advisor.update(t2 + HOLD_ADVICE_AFTER_S, result, hold2) is not None
    assert advisor.to_speak(t2 + HOLD_ADVICE_AFTER_S) is None
    # past the repeat time: said again
    t3 = t0 + HOLD_ADVICE_AFTER_S + ADVICE_REPEAT_S + 1
    hold3 = ("bridge", None, t3)
    assert advisor.update(t3 + HOLD_ADVICE_AFTER_S, result, hold3) is not None
    assert advisor.to_speak(t3 + HOLD_ADVICE_AFTER_S) == advice.spoken


# ----------------------------------------------------------------------------- real pixels


def _looped_bridge_clip(path: Path, seconds: float) -> Path:
    """The rendered Bridge filmed from its feet (the committed sample), its still hold
    (from 1.5 s) played forward and back until ``seconds`` long."""
    frames: list[NDArray[np.uint8]] = []
    with VideoReader(BRIDGE_FROM_FEET) as reader:
        fps = reader.info.fps
        for frame in reader:
            if frame.time_s >= 1.5:
                frames.append(frame.image_bgr)
    looped: list[NDArray[np.uint8]] = []
    while len(looped) < seconds * fps:
        looped += frames + frames[::-1]
    return _write_clip(path, looped[: int(seconds * fps)], fps)


@pytest.mark.model
def test_a_live_bridge_from_its_feet_shows_and_speaks_the_reports_advice(
    espeak: str,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> None:
    clip = _looped_bridge_clip(tmp_path / "bridge.mp4", 8.0)
    wavs = tmp_path / "wav"
    src = open_source(None, clip)
    try:
        with PoseEstimator(mode="video") as estimator, Speaker(espeak, wav_dir=wavs) as speaker:
            summary = LiveSession(
                CaptureThread(src), estimator, window=False, speaker=speaker
            ).run()
    finally:
        src.close()
    report = summary.report
    assert [h.pose for h in report.holds] == ["bridge"]
    # what live showed is what the report and the terminal say to do next
    assert summary.advice and summary.advice[0] in camera_lines(report)
    unjudged = {c.check for c in report.holds[0].checks if c.score is None}
    expected = advice_for_hold("bridge", unjudged)
    assert expected is not None and summary.advice == (expected.text,)
    assert summary.spoken == (expected.spoken,)
    _until(lambda: any(p.stat().st_size > 8000 for p in wavs.glob("*.wav")), 10)
    assert any(p.stat().st_size > 8000 for p in wavs.glob("*.wav"))


@pytest.mark.model
def test_the_window_shows_the_advice_banner(display: str, tmp_path: Path) -> None:  # noqa: F811
    clip = _looped_bridge_clip(tmp_path / "bridge.mp4", 40.0)
    env = {**os.environ, "DISPLAY": display}
    with _live_process(["--source", str(clip), "--seconds", "30"], env) as proc:
        window = _find_window(display, proc)
        h, w = 480, 640
        frame = cv2.imread(str(_first_hold_frame(tmp_path)))[:, ::-1]  # mirrored view

        def banner(shot: NDArray[np.uint8]) -> bool:
            # a dark band across the bottom of the picture, with light text in it
            if shot.shape[0] < h or shot.shape[1] < w:
                return False  # the window is not at its size yet (a loaded machine)
            band = shot[h - 60 : h - 10, 20 : w - 20].astype(np.int16)
            under = frame[h - 60 : h - 10, 20 : w - 20].astype(np.int16)
            darker = np.mean(np.all(under - band > 40, axis=2))
            return bool(darker > 0.6 and band.max() > 200)

        shot = _screenshot(display, window)
        deadline = 25.0
        waited = 0.0
        while not banner(shot) and waited < deadline:
            _until(lambda: False, 0.3)
            waited += 0.3
            shot = _screenshot(display, window)
        out = os.environ.get("POSECHECK_SCREENSHOT_DIR")
        if out:
            cv2.imwrite(str(Path(out) / "live_advice_window.png"), shot)
        assert banner(shot), "no advice banner at the bottom of the picture"
        proc.terminate()
        proc.communicate(timeout=60)


def _first_hold_frame(tmp_path: Path) -> Path:
    path = tmp_path / "hold-frame.png"
    with VideoReader(BRIDGE_FROM_FEET) as reader:
        for frame in reader:
            if frame.time_s >= 1.5:
                cv2.imwrite(str(path), frame.image_bgr)
                break
    return path
