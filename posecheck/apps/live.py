"""``posecheck live``: alignment feedback from a camera while the student practises.

Threads and data flow::

    CaptureThread (own thread: camera via cv2.VideoCapture, or a video file played at
      its own frame rate; BGR -> RGB with OpenCV)
      -> FrameSlot (only the newest frame waits; one overwritten unseen is "dropped")
      -> inference thread (a Producer): PoseEstimator(mode="video").detect_rgb
         (releases the GIL)
      -> main thread: Session.live (One Euro, causal -> assess -> HoldTracker
         -> CueDebouncer -> displayed result) -> mirror -> annotate -> status bar
         -> window (cv2.imshow, keys) | ThreadedWriter | frames.csv | Speaker

The capture side lives in :mod:`posecheck.io.camera`, the threads are
:mod:`posecheck.io.stage` helpers, and the frame loop is
:class:`posecheck.judge.session.Session`, the same as ``analyze``'s.

The main thread owns the window: OpenCV's HighGUI (Qt) must run there. Inference always
sees the camera's own, unmirrored picture; for the selfie view the picture *and* the
landmarks are mirrored before the overlay is drawn (:func:`mirror_result`), so text
reads normally and left/right in the cues stay the student's own.

Cues are steadied by :class:`~posecheck.judge.temporal.CueDebouncer`: one appears after
its fault has lasted 0.5 s and leaves after it has been gone 0.5 s. As in ``analyze``,
cues are given only during a hold, on the frames of its pose and side (the session's
one hold rule): the header then shows "hold 12.3 s"; outside holds it says
"transition: not scored".

Camera advice: when a hold has checks that this camera's view cannot judge, a banner
along the bottom of the picture (instead of the legend) names the placement that would
(the same words as the report's and the terminal's,
:func:`posecheck.poses.base.camera_advice`), 2 s into the hold and for 10 s; after 8 s
with a person but no pose recognised it says how to film the whole body. With
``--voice`` the advice is also spoken, once per hold (or spell without a pose), at most
every 20 s, and the same advice not again within 60 s (:class:`CameraAdvisor`).

The library prints nothing: :func:`run_live` returns a :class:`LiveSummary` and, with
``record``, writes the same files as ``analyze`` (``annotated.mp4``, ``frames.csv``,
``report.html``, ``report.json``).

Keys (window only): ``q``/``Esc`` quit, ``space`` pause, ``m`` mirror on/off, ``a`` auto
pose, ``1``-``4`` a fixed pose (warrior1, tree, half_moon, bridge), ``s`` snapshot.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.errors import InputError, PosecheckError
from posecheck.estimate.landmarker import PoseEstimator, quiet_stderr
from posecheck.io.camera import CapturedFrame, CaptureThread, FrameSlot, open_source
from posecheck.io.stage import Ended, Producer
from posecheck.judge.recognition import is_lying
from posecheck.judge.session import CurrentHold, Session, in_hold
from posecheck.landmarks import Landmarks
from posecheck.outputs.frames_csv import FramesCsvWriter
from posecheck.outputs.overlay import Annotator, OverlayStyle, draw_banner
from posecheck.outputs.report_json import write_report_files
from posecheck.outputs.speech import Speaker, find_speech_engine
from posecheck.outputs.text import FILM_WHOLE_BODY
from posecheck.poses import get_pose, pose_keys
from posecheck.poses.base import best_placement, camera_advice, switched_off
from posecheck.report import VideoInfo, VideoReport
from posecheck.result import Balance, FrameResult

if TYPE_CHECKING:
    from posecheck.io.video import ThreadedWriter

Image = NDArray[np.uint8]

WINDOW_TITLE = "posecheck live"
#: Where ``s`` saves snapshots when no record folder is given.
SNAPSHOT_DIR = Path("posecheck-snapshots")
#: Keys ``1``, ``2``, ... choose the registered poses in order (warrior1, tree, half_moon,
#: bridge); ``a`` goes back to recognising the pose.
POSE_KEYS: dict[str, str] = pose_keys()
#: Frames larger than this (w, h) get a resizable window scaled to fit.
MAX_WINDOW_WH = (1280, 800)
#: How long a status-bar message (snapshot saved, pose chosen) stays.
MESSAGE_S = 3.0
#: Inference calls kept quiet on fd 2 after the first one that finds a person.
QUIET_CALLS_AFTER_PERSON = 5

_ESC = 27

#: Camera advice for a hold shows once the hold has lasted this long (seconds), so that
#: its checks have had frames to be judged on...
HOLD_ADVICE_AFTER_S = 2.0
#: ... and advice that no pose is read once a person was seen this long without one.
NO_POSE_ADVICE_AFTER_S = 8.0
#: How long the advice banner stays (seconds); it comes back only for the next hold or
#: the next spell without a pose.
ADVICE_SHOWN_S = 10.0
#: With ``--voice``, advice is spoken at most once per hold or spell without a pose, at
#: most one piece every ADVICE_SPEECH_GAP_S seconds, and the same words not again within
#: ADVICE_REPEAT_S seconds.
ADVICE_SPEECH_GAP_S = 20.0
ADVICE_REPEAT_S = 60.0
#: The advice when a person is seen but no pose is recognised.
NO_POSE_ADVICE = (
    f"no pose recognised: {FILM_WHOLE_BODY}, and hold the pose still "
    "(`posecheck poses` lists where to film each pose)"
)
NO_POSE_SPOKEN = "No pose recognised. Film the whole body, with the camera at hip height."


class LiveDisplayError(PosecheckError):
    """A window was asked for but there is no display to show it on."""


# ----------------------------------------------------------------------------- pure parts


def mirror_result(result: FrameResult) -> FrameResult:
    """``result`` as seen in the horizontally flipped picture (for a selfie view).

    Landmarks move with :meth:`Landmarks.mirrored` (a left knee stays the left knee)
    and the balance's pixel positions flip; metrics, cues and checks, which name the
    body's own sides, are unchanged.
    """
    lm = result.landmarks
    if lm is None:
        return result
    balance = result.balance
    if balance is not None:
        width = float(result.image_wh[0])
        support = balance.support_x_px
        balance = Balance(
            com_px=(width - balance.com_px[0], balance.com_px[1]),
            floor_y_px=balance.floor_y_px,
            support_x_px=None if support is None else (width - support[1], width - support[0]),
            grounded=balance.grounded,
        )
    return replace(result, landmarks=lm.mirrored(), balance=balance)


@dataclass
class LiveControls:
    """What the keys change. :meth:`handle_key` applies one key code from
    ``cv2.waitKeyEx``.

    Attributes:
        pose: None recognises the pose; a name checks that pose.
        mirror: show the selfie (mirrored) view.
        paused: frames are neither processed nor shown.
        quit: the session should end.
        snapshot: a snapshot was asked for and not yet saved.
    """

    pose: str | None = None
    mirror: bool = True
    paused: bool = False
    quit: bool = False
    snapshot: bool = False

    def handle_key(self, key: int) -> str | None:
        """Apply ``key`` (a ``cv2.waitKeyEx`` code; -1 means none). Returns a short
        message for the status bar, or None when the key means nothing. Only plain
        character codes count: ``cv2.waitKey`` masks codes to 8 bits, which would turn
        the left arrow (0xFF51) into ``Q``."""
        if not 0 <= key < 256:
            return None
        if key == _ESC:
            self.quit = True
            return "quit"
        char = chr(key).lower()
        if char == "q":
            self.quit = True
            return "quit"
        if char == " ":
            self.paused = not self.paused
            return "paused (space resumes)" if self.paused else "resumed"
        if char == "m":
            self.mirror = not self.mirror
            return "mirror on" if self.mirror else "mirror off"
        if char == "a":
            self.pose = None
            return "pose: auto"
        if char in POSE_KEYS:
            self.pose = POSE_KEYS[char]
            return f"pose: {get_pose(self.pose).display_name}"
        if char == "s":
            self.snapshot = True
            return "snapshot"
        return None


@dataclass(frozen=True)
class CameraAdvice:
    """Where to film next, in words.

    Attributes:
        text: what the banner shows (:func:`~posecheck.poses.base.camera_advice`'s words,
            or :data:`NO_POSE_ADVICE`).
        spoken: the shorter sentence said with ``--voice`` (no lens heights and distances).
    """

    text: str
    spoken: str


def advice_for_hold(pose: str, unjudged: set[str]) -> CameraAdvice | None:
    """The advice for a hold of ``pose`` whose checks ``unjudged`` (ids) were not judged
    from the camera's view; None when no placement judges any of them."""
    spec = get_pose(pose)
    # ``unjudged`` holds only checks the frames judged on (a check on only with the
    # correction counts only from corrected frames): advise for them as corrected.
    text = camera_advice(spec, unjudged, corrected=True)
    best = best_placement(spec, unjudged, corrected=True)
    if text is None or best is None:
        return None
    placement, titles = best
    spoken = f"To check {', '.join(titles)}, film {spec.display_name} from {placement.where}."
    return CameraAdvice(text, spoken)


class CameraAdvisor:
    """Which camera advice ``live`` shows and speaks, frame by frame (pure; times are
    seconds and increase).

    A spell is the hold in progress (:attr:`~posecheck.judge.session.Session.current_hold`)
    or an unbroken run of frames with a person and no pose. In a hold, a check counts as
    unjudged when a frame of the hold left it out because the view does not judge it
    (switched-off checks never count) and no frame of the hold judged it; after
    :data:`HOLD_ADVICE_AFTER_S` the advice for those checks shows for
    :data:`ADVICE_SHOWN_S`. Without a pose, :data:`NO_POSE_ADVICE` shows after
    :data:`NO_POSE_ADVICE_AFTER_S`. Each spell shows its advice once.

    Attributes:
        shown: every advice text shown so far, in order, without repeats.
    """

    def __init__(
        self,
        hold_after_s: float = HOLD_ADVICE_AFTER_S,
        no_pose_after_s: float = NO_POSE_ADVICE_AFTER_S,
        shown_s: float = ADVICE_SHOWN_S,
        speech_gap_s: float = ADVICE_SPEECH_GAP_S,
        repeat_s: float = ADVICE_REPEAT_S,
    ) -> None:
        self.hold_after_s = hold_after_s
        self.no_pose_after_s = no_pose_after_s
        self.shown_s = shown_s
        self.speech_gap_s = speech_gap_s
        self.repeat_s = repeat_s
        self.shown: list[str] = []
        self._spell: CurrentHold | str | None = None
        self._spell_start = 0.0
        self._judged: set[str] = set()
        self._unjudged: set[str] = set()
        self._advice: CameraAdvice | None = None
        self._shown_at: float | None = None
        self._done = False  # this spell's advice was shown (or there is none)
        self._spoken_in_spell = False
        self._last_spoken_at: float | None = None
        self._spoken_at: dict[str, float] = {}

    def update(
        self, time_s: float, result: FrameResult, hold: CurrentHold | None
    ) -> CameraAdvice | None:
        """The advice to show with this frame (``result`` as assessed, ``hold`` the hold
        in progress), or None."""
        spell: CurrentHold | str | None
        if hold is not None:
            spell = hold
        elif result.person and result.pose is None:
            spell = "no pose"
        else:
            spell = None
        if spell != self._spell:
            self._start(spell, time_s if hold is None else hold[2])
        if hold is not None and in_hold(result, hold):
            self._note_checks(result)
        if self._advice is None and not self._done and spell is not None:
            if time_s - self._spell_start >= (
                self.hold_after_s if hold is not None else self.no_pose_after_s
            ):
                self._done = True
                self._advice = (
                    advice_for_hold(hold[0], self._unjudged - self._judged)
                    if hold is not None
                    else CameraAdvice(NO_POSE_ADVICE, NO_POSE_SPOKEN)
                )
                self._shown_at = time_s
                if self._advice is not None and self._advice.text not in self.shown:
                    self.shown.append(self._advice.text)
        if self._advice is not None and self._shown_at is not None:
            if time_s - self._shown_at < self.shown_s:
                return self._advice
            self._advice = None
        return None

    def to_speak(self, time_s: float) -> str | None:
        """The sentence to say now for the advice on show, or None (see the class's
        limits); call :meth:`spoken` once it was handed to the speech engine."""
        advice = self._advice
        if advice is None or self._spoken_in_spell:
            return None
        if self._last_spoken_at is not None and time_s - self._last_spoken_at < self.speech_gap_s:
            return None
        last = self._spoken_at.get(advice.spoken)
        if last is not None and time_s - last < self.repeat_s:
            return None
        return advice.spoken

    def spoken(self, time_s: float, sentence: str) -> None:
        """Record that ``sentence`` (from :meth:`to_speak`) was handed to the engine."""
        self._spoken_in_spell = True
        self._last_spoken_at = time_s
        self._spoken_at[sentence] = time_s

    def _start(self, spell: CurrentHold | str | None, start_s: float) -> None:
        self._spell = spell
        self._spell_start = start_s
        self._judged = set()
        self._unjudged = set()
        self._advice = None
        self._shown_at = None
        self._done = False
        self._spoken_in_spell = False

    def _note_checks(self, result: FrameResult) -> None:
        if result.pose is None:
            return
        spec = get_pose(result.pose)
        checks = {c.id: c for c in spec.checks}
        view = result.view.value
        for status in result.checks:
            check = checks.get(status.check)
            if check is None or switched_off(status.reason):
                continue  # off (or off on this frame: on only with the correction)
            if status.severity is not None:
                self._judged.add(status.check)
            elif view not in check.views:
                self._unjudged.add(status.check)


# ----------------------------------------------------------------------------- inference


@dataclass(frozen=True)
class _Detected:
    frame: CapturedFrame
    landmarks: Landmarks | None
    people: int


def _detections(
    slot: FrameSlot, estimator: PoseEstimator, stopping: threading.Event
) -> Iterator[_Detected]:
    """The inference thread's body: takes the newest frame from ``slot``, runs the model
    and yields the landmarks, until the slot is closed and empty (or ``stopping``)."""
    # MediaPipe's C++ code writes a warning to fd 2 when it first tracks a person
    # (landmark_projection_calculator), which may be long after the estimator's own
    # quiet start: keep fd 2 quiet until a person was seen and a few calls after.
    quiet_after_person = QUIET_CALLS_AFTER_PERSON
    while not stopping.is_set():
        frame = slot.take(0.05)
        if frame is None:
            if slot.closed:
                return
            continue
        quiet = quiet_stderr() if quiet_after_person > 0 else contextlib.nullcontext()
        with quiet:
            lm = estimator.detect_rgb(frame.image_rgb, timestamp_ms=int(round(frame.time_s * 1000)))
        if lm is not None or quiet_after_person < QUIET_CALLS_AFTER_PERSON:
            quiet_after_person -= 1
        yield _Detected(frame, lm, estimator.last_people)


# ----------------------------------------------------------------------------- session


@dataclass(frozen=True)
class LiveSummary:
    """How a live session went.

    Attributes:
        source: the camera or file label.
        report: the same report as ``analyze`` (holds, scores, notes, outputs).
        duration_s: wall-clock length of the session, seconds.
        frames_captured: frames the source delivered (not counting those while paused).
        frames_processed: frames analysed and shown.
        frames_dropped: frames replaced by a newer one before they could be processed.
        fps: frames processed per second while running.
        latency_ms: (median, 90th percentile) from capture to the drawn overlay, or None.
        stop_reason: ``quit``, ``window closed``, ``interrupted``, ``time limit``,
            ``stream ended`` or ``source failed``.
        error: the source's one-line failure message (``stop_reason == "source failed"``).
        out_dir: the record folder, or None.
        snapshots: snapshot files saved.
        spoken: cue messages and camera advice handed to the speech engine.
        advice: the camera advice shown on screen, in order, without repeats.
    """

    source: str
    report: VideoReport
    duration_s: float
    frames_captured: int
    frames_processed: int
    frames_dropped: int
    fps: float
    latency_ms: tuple[float, float] | None
    stop_reason: str
    error: str | None = None
    out_dir: Path | None = None
    snapshots: tuple[Path, ...] = ()
    spoken: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """False when the source failed part-way (the report is then partial)."""
        return self.error is None


@dataclass
class _Stats:
    processed: int = 0
    first_at: float | None = None
    last_at: float | None = None
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=90))

    def shown(self, now: float) -> None:
        self.first_at = now if self.first_at is None else self.first_at
        self.last_at = now
        self.recent.append(now)

    def recent_fps(self) -> float:
        """Frames shown per second over the last second or so."""
        if not self.recent:
            return 0.0
        newest = self.recent[-1]
        times = [t for t in self.recent if t >= newest - 1.0]
        return (len(times) - 1) / (newest - times[0]) if newest > times[0] else 0.0

    def mean_fps(self) -> float:
        if self.first_at is None or self.last_at is None or self.last_at <= self.first_at:
            return 0.0
        return (self.processed - 1) / (self.last_at - self.first_at)


def has_display() -> bool:
    """Whether a window can be shown (on Linux: ``DISPLAY`` or ``WAYLAND_DISPLAY`` set)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextlib.contextmanager
def _ctrl_c_sets(event: threading.Event) -> Iterator[None]:
    """While active (main thread only), Ctrl-C or SIGTERM sets ``event`` instead of
    raising, so the session ends cleanly and the recording is kept; a second one raises
    KeyboardInterrupt as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if event.is_set():
            raise KeyboardInterrupt
        event.set()

    previous = signal.signal(signal.SIGINT, handler)
    previous_term = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)


class LiveSession:
    """One live session: runs until a key, Ctrl-C, the window, the source or the time
    limit ends it, then finishes the recording and the report.

    Args:
        capture: the (not yet started) capture thread.
        estimator: an open :class:`PoseEstimator` in ``video`` mode.
        controls: pose, mirror, pause (the keys change them).
        record_dir: where to write ``annotated.mp4``, ``frames.csv``, ``report.html``
            and ``report.json``; None writes nothing.
        window: show the OpenCV window (main thread) and read keys.
        seconds: stop after this many seconds; None runs until stopped.
        speaker: speaks new cues, or None.
        snapshot_dir: where ``s`` saves snapshots.
        notes: extra notes for the report (e.g. speech unavailable).
    """

    def __init__(
        self,
        capture: CaptureThread,
        estimator: PoseEstimator,
        *,
        controls: LiveControls | None = None,
        record_dir: Path | None = None,
        window: bool = True,
        seconds: float | None = None,
        speaker: Speaker | None = None,
        snapshot_dir: Path | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        self.capture = capture
        self.estimator = estimator
        self.controls = controls or LiveControls()
        self.record_dir = record_dir
        self.window = window
        self.seconds = seconds
        self.speaker = speaker
        self.snapshot_dir = snapshot_dir or record_dir or SNAPSHOT_DIR
        self.info = capture.info
        self._notes = list(notes)
        self._initial = replace(self.controls)
        self._session: Session[None] = Session.live(
            self.info.label, pose=self.controls.pose, correction=estimator.correction
        )
        self._annotator = Annotator()
        self._annotator_no_legend = Annotator(OverlayStyle(legend=False))
        self._advisor = CameraAdvisor()
        self._stats = _Stats()
        self._snapshots: list[Path] = []
        self._spoken: list[str] = []
        self._interrupted = threading.Event()
        self._writer: ThreadedWriter | None = None
        self._csv: FramesCsvWriter | None = None
        self._last_picture: Image | None = None
        self._message: tuple[str, float] | None = None
        self._window_shown = False

    # -- running ----------------------------------------------------------------------

    def run(self) -> LiveSummary:
        """Run the session to its end; returns the summary (and writes the outputs)."""
        started = time.perf_counter()
        reason = "quit"
        with ExitStack() as stack:
            if self.window:
                self._open_window()
                stack.callback(self._close_window)
            if self.record_dir is not None:
                self._open_outputs(stack, self.record_dir)
            self._warm_up()
            infer: Producer[_Detected] = Producer(
                partial(_detections, self.capture.slot, self.estimator),
                name="posecheck-infer",
                size=2,
            )
            stack.callback(self.capture.stop)
            stack.callback(infer.close)  # runs first: the consumer stops before the source
            stack.enter_context(_ctrl_c_sets(self._interrupted))
            self.capture.start()
            infer.start()
            started = self.capture.started_at
            reason = self._loop(infer, started)
        duration = time.perf_counter() - started
        return self._finish(reason, duration)

    def _loop(self, infer: Producer[_Detected], started: float) -> str:
        wait_s = 0.005 if self.window else 0.05
        while True:
            if self._interrupted.is_set():
                return "interrupted"
            if self.controls.quit:
                return "quit"
            if self.seconds is not None and time.perf_counter() - started >= self.seconds:
                return "time limit"
            item: _Detected | None = None
            try:
                item = infer.get(timeout_s=wait_s)  # raises the inference's error, if any
            except queue.Empty:
                pass
            except Ended:
                return "source failed" if self.capture.error else "stream ended"
            if item is not None and not self.controls.paused:
                self._process(item)
            if self.window and not self._pump_window():
                return "window closed"

    def _warm_up(self) -> None:
        """One inference on a blank frame before the clock starts (the first call sets
        up the model's delegate and is several times slower)."""
        blank = np.zeros((self.info.height, self.info.width, 3), dtype=np.uint8)
        self.estimator.detect_rgb(blank, timestamp_ms=0)

    def _process(self, item: _Detected) -> None:
        frame = item.frame
        t = frame.time_s
        stats = self._stats
        self._session.set_pose(self.controls.pose, t)
        h, w = frame.image_bgr.shape[:2]
        index = stats.processed
        stats.processed += 1
        (step,) = self._session.push(None, index, t, item.landmarks, (w, h), item.people)
        shown = step.shown
        advice = self._advisor.update(t, step.result, self._session.current_hold)
        # the advice banner takes the bottom edge, where the legend would be
        annotator = self._annotator if advice is None else self._annotator_no_legend
        if self.controls.mirror:
            picture = np.ascontiguousarray(cv2.flip(frame.image_bgr, 1), dtype=np.uint8)
            drawn = annotator.annotate(picture, mirror_result(shown))
        else:
            drawn = annotator.annotate(frame.image_bgr, shown)
        if advice is not None:
            drawn = draw_banner(drawn, f"Next: {advice.text}")
        canvas = self._with_status_bar(drawn) if self.window else drawn
        now = time.perf_counter()
        stats.latencies.append(now - frame.captured_at)
        stats.shown(now)
        self._last_picture = drawn
        if self.window:
            cv2.imshow(WINDOW_TITLE, canvas)
            self._window_shown = True
        if self.speaker is not None:
            said = self.speaker.offer(t, shown.cues)
            if said is not None:
                self._spoken.append(said)
            sentence = None if said is not None else self._advisor.to_speak(t)
            if sentence is not None and self.speaker.say(sentence):
                self._advisor.spoken(t, sentence)
                self._spoken.append(sentence)
        if self._writer is not None:
            self._writer.write(self._fit(drawn), t)
        if self._csv is not None:
            self._csv.write(index, t, step.row)

    # -- window -----------------------------------------------------------------------

    def _open_window(self) -> None:
        if not has_display():
            raise LiveDisplayError(
                "no display to show the window on (DISPLAY is not set); use --no-window"
            )
        w, h = self.info.width, self.info.height + _bar_height(self.info.width, self.info.height)
        max_w, max_h = MAX_WINDOW_WH
        if w <= max_w and h <= max_h:
            cv2.namedWindow(WINDOW_TITLE, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
            return
        scale = min(max_w / w, max_h / h)
        cv2.namedWindow(
            WINDOW_TITLE, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL
        )
        cv2.resizeWindow(WINDOW_TITLE, int(w * scale), int(h * scale))

    def _close_window(self) -> None:
        with contextlib.suppress(cv2.error):
            cv2.destroyWindow(WINDOW_TITLE)
            cv2.waitKey(1)

    def _pump_window(self) -> bool:
        """Let the window draw, read a key and act on it; False once it was closed."""
        key = int(cv2.waitKeyEx(1))  # unmasked: an arrow key is not a letter
        message = self.controls.handle_key(key)
        if self.controls.paused != self.capture.paused.is_set():
            (self.capture.paused.set if self.controls.paused else self.capture.paused.clear)()
        if message is not None and message != "quit":
            if self.controls.snapshot:
                self.controls.snapshot = False
                message = self._save_snapshot()
            self._message = (message, time.perf_counter())
            if self._last_picture is not None:  # show the change now, also while paused
                cv2.imshow(WINDOW_TITLE, self._with_status_bar(self._last_picture))
        if not self._window_shown:
            return True
        try:
            visible = float(cv2.getWindowProperty(WINDOW_TITLE, cv2.WND_PROP_VISIBLE))
        except cv2.error:
            return False
        return visible >= 1.0

    def _save_snapshot(self) -> str:
        from posecheck.io.images import save_image

        if self._last_picture is None:
            return "snapshot: nothing shown yet"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.snapshot_dir / f"snapshot-{stamp}-{len(self._snapshots) + 1:03d}.jpg"
        try:
            save_image(path, self._last_picture)
        except (OSError, PosecheckError) as exc:
            return f"snapshot failed: {exc}"
        self._snapshots.append(path)
        return f"saved {path}"

    def _status_text(self) -> tuple[str, str]:
        c = self.controls
        parts = ["PAUSED" if c.paused else f"LIVE {self._stats.recent_fps():.1f} fps"]
        parts.append(f"dropped {self.capture.frames_dropped}")
        parts.append(f"pose: {c.pose or 'auto'}")
        if c.mirror:
            parts.append("mirror")
        if self._writer is not None:
            parts.append("REC")
        right = "q quit  space pause  m mirror  a/1-4 pose  s snapshot"
        if self._message is not None and time.perf_counter() - self._message[1] < MESSAGE_S:
            right = self._message[0]
        return " | ".join(parts), right

    def _with_status_bar(self, picture: Image) -> Image:
        """``picture`` with a dark status bar below it: frame rate, dropped frames, pose
        mode, mirror and recording on the left; key help or the last message right."""
        h, w = picture.shape[:2]
        bar = _bar_height(w, h)
        canvas = np.empty((h + bar, w, 3), dtype=np.uint8)
        canvas[:h] = picture
        canvas[h:] = (25, 25, 25)
        left, right = self._status_text()
        scale = 0.45 * bar / 24.0
        thick = 1
        base = h + int(bar * 0.7)
        cv2.putText(
            canvas,
            left,
            (6, base),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (255, 255, 255),
            thick,
            cv2.LINE_AA,
        )
        (lw, _), _ = cv2.getTextSize(left, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        (rw, _), _ = cv2.getTextSize(right, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        if lw + rw + 24 <= w:
            cv2.putText(
                canvas,
                right,
                (w - rw - 6, base),
                cv2.FONT_HERSHEY_SIMPLEX,
                scale,
                (185, 185, 185),
                thick,
                cv2.LINE_AA,
            )
        return canvas

    # -- outputs ----------------------------------------------------------------------

    def _open_outputs(self, stack: ExitStack, out: Path) -> None:
        from posecheck.io.paths import make_output_dir
        from posecheck.io.video import ThreadedWriter

        make_output_dir(out)  # OutputError naming it: a file, under a file, read-only
        self._csv = stack.enter_context(FramesCsvWriter(out / "frames.csv"))
        self._writer = stack.enter_context(
            ThreadedWriter(
                out / "annotated.mp4",
                fps=self.info.fps,
                size_wh=(self.info.width, self.info.height),
                preset="ultrafast",
            )
        )

    def _fit(self, image: Image) -> Image:
        """``image`` at the recording's size (a camera may change its size mid-way)."""
        w, h = self.info.width, self.info.height
        if image.shape[:2] == (h, w):
            return image
        return np.asarray(cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA), np.uint8)

    def _finish(self, reason: str, duration_s: float) -> LiveSummary:
        """Close the hold in progress and build the report; with a record folder, write
        the files (the video is already closed by the run's exit stack)."""
        session = self._session
        session.finish()
        stats = self._stats
        error = self.capture.error if reason == "source failed" else None
        notes = [error] if error else []
        dropped = self.capture.frames_dropped
        notes.append(
            f"live session of {duration_s:.1f} s: {self.capture.frames_captured} frames "
            f"captured, {stats.processed} processed, {dropped} dropped (only the newest "
            f"frame is processed); ended by: {reason}"
        )
        notes += self._notes
        initial = self._initial
        report = session.report(
            video=VideoInfo(
                path=self.info.label,
                width=self.info.width,
                height=self.info.height,
                fps=self.info.fps,
                duration_s=duration_s,
                rotation_deg=self.info.rotation_deg,
                codec=self.info.codec,
            ),
            settings={
                "pose": initial.pose or "auto",
                "stride": 1,
                "max_width": None,
                "video": self.record_dir is not None,
                "model": str(self.estimator.model_path),
                "mode": "live",
                "mirror": initial.mirror,
                "voice": self.speaker is not None,
                "correction": "on" if self.estimator.correction is not None else "off",
                "fast": self.estimator.track_one,
            },
            frames_decoded=self.capture.frames_captured,
            stopped_at_s=session.last_time_s if error else None,
            notes=notes,
        )
        if self.record_dir is not None and self._csv is not None:
            recording = _recorded_frames(self.record_dir / "annotated.mp4")
            report = write_report_files(
                self.record_dir, report, self._csv, session.thumbnails(recording), video=True
            )
        latency = None
        if stats.latencies:
            ms = 1000.0 * np.asarray(stats.latencies)
            latency = (float(np.median(ms)), float(np.percentile(ms, 90)))
        return LiveSummary(
            source=self.info.label,
            report=report,
            duration_s=duration_s,
            frames_captured=self.capture.frames_captured,
            frames_processed=stats.processed,
            frames_dropped=dropped,
            fps=stats.mean_fps(),
            latency_ms=latency,
            stop_reason=reason,
            error=error,
            out_dir=self.record_dir,
            snapshots=tuple(self._snapshots),
            spoken=tuple(self._spoken),
            advice=tuple(self._advisor.shown),
        )


def _bar_height(width: int, height: int) -> int:
    """Status bar height in pixels: 24 at 480 px, scaling with the shorter side."""
    return max(18, round(24 * min(width, height) / 480))


def _recorded_frames(video: Path) -> Iterator[tuple[int, Image]]:
    """``(index, BGR image)`` of the recorded ``annotated.mp4``, for the thumbnails: its
    n-th frame is the n-th processed frame, as shown. Nothing if it cannot be read."""
    from posecheck.io.video import VideoReader

    if not video.is_file():
        return
    try:
        with VideoReader(video) as reader:
            for frame in reader:
                yield frame.index, frame.image_bgr
    except InputError:
        return


# ----------------------------------------------------------------------------- API


def run_live(
    camera: int | None = None,
    source: str | Path | None = None,
    *,
    pose: str | None = None,
    record: Path | str | None = None,
    voice: bool = False,
    window: bool = True,
    seconds: float | None = None,
    model: Path | str | None = None,
    mirror: bool = True,
    snapshot_dir: Path | str | None = None,
    correct: bool = False,
    fast: bool = False,
) -> LiveSummary:
    """Run a live session and return its summary (prints nothing).

    Args:
        camera: camera index for ``cv2.VideoCapture`` (default 0 when no ``source``).
        source: instead of a camera, a video file played at its own frame rate as a
            stand-in camera, or a stream URL.
        pose: None recognises the pose; a name checks that pose (keys can change it).
        record: folder for ``annotated.mp4``, ``frames.csv``, ``report.html`` and
            ``report.json`` (written on any exit); None writes nothing.
        voice: speak cues with espeak-ng (silently skipped when it is not installed;
            :func:`posecheck.outputs.speech.find_speech_engine` tells beforehand).
        window: show the window (needs a display) and read keys.
        seconds: stop after this many seconds.
        model: a pose landmarker ``.task`` file (default: the shipped one).
        mirror: start with the mirrored (selfie) view (key ``m`` toggles it).
        snapshot_dir: where key ``s`` saves snapshots (default: ``record``, else
            ``./posecheck-snapshots``).
        correct: measure on landmarks corrected by the shipped per-pose model
            (``PoseEstimator(correction="auto")``; the estimator's ``correction`` stays
            None with another landmarker).
        fast: let MediaPipe track the person from frame to frame
            (``PoseEstimator(track_one=True)``, a look for more people every
            :data:`~posecheck.estimate.landmarker.PEOPLE_LOOK_MS`) instead of finding
            them afresh in every frame: about half the inference, so fewer dropped
            frames and less delay between a movement and its overlay (README, "Live
            speed"); knees measured slightly worse, as ``analyze --fast``.

    Raises:
        InputError: the camera or file cannot be opened (one line).
        ModelError: the model cannot be loaded.
        LiveDisplayError: ``window`` without a display.
        ValueError: both ``camera`` and ``source``, a bad pose name or ``seconds``.
    """
    if pose is not None:
        get_pose(pose)
    if seconds is not None and not seconds > 0:
        raise ValueError(f"seconds must be > 0, got {seconds}")
    if window and not has_display():
        raise LiveDisplayError(
            "no display to show the window on (DISPLAY is not set); use --no-window"
        )
    record_dir = Path(record) if record is not None else None
    notes: list[str] = []
    with ExitStack() as stack:
        src = open_source(camera, source)
        stack.callback(src.close)
        estimator = stack.enter_context(
            PoseEstimator(
                model_path=model,
                mode="video",
                correction="auto" if correct else None,
                track_one=fast,
                detect_while=is_lying,
            )
        )
        if correct and estimator.correction is None:
            notes.append("--correct: no landmark correction for this landmarker; not applied")
        speaker = None
        if voice:
            engine = find_speech_engine()
            if engine is None:
                notes.append("--voice: espeak-ng not found; no speech")
            else:
                speaker = stack.enter_context(Speaker(engine))
        session = LiveSession(
            CaptureThread(src),
            estimator,
            controls=LiveControls(pose=pose, mirror=mirror),
            record_dir=record_dir,
            window=window,
            seconds=seconds,
            speaker=speaker,
            snapshot_dir=Path(snapshot_dir) if snapshot_dir is not None else None,
            notes=notes,
        )
        return session.run()
    raise AssertionError("unreachable")  # pragma: no cover
