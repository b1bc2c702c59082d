"""``posecheck live``: alignment feedback from a camera while the student practises.

Threads and data flow::

    CaptureThread (own thread: camera via cv2.VideoCapture, or a video file played at
      its own frame rate; BGR -> RGB with OpenCV)
      -> FrameSlot (only the newest frame waits; one overwritten unseen is "dropped")
      -> inference thread: PoseEstimator(mode="video").detect_rgb (releases the GIL)
      -> main thread: LandmarkFilter (One Euro, causal) -> assess -> HoldTracker
         -> CueDebouncer -> live_display -> mirror -> annotate -> status bar
         -> window (cv2.imshow, keys) | ThreadedWriter | frames.csv | Speaker

The main thread owns the window: OpenCV's HighGUI (Qt) must run there. Inference always
sees the camera's own, unmirrored picture; for the selfie view the picture *and* the
landmarks are mirrored before the overlay is drawn (:func:`mirror_result`), so text
reads normally and left/right in the cues stay the student's own.

Cues are steadied by :class:`CueDebouncer`: one appears after its fault has lasted
:data:`CUE_ON_S` and leaves after it has been gone :data:`CUE_OFF_S`. As in ``analyze``,
cues are given only during a hold (:class:`~posecheck.judge.temporal.HoldTracker`): the header
then shows "hold 12.3 s"; outside holds it says "transition: not scored".

The library prints nothing: :func:`run_live` returns a :class:`LiveSummary` and, with
``record``, writes the same files as ``analyze`` (``annotated.mp4``, ``frames.csv``,
``report.html``, ``report.json``).

Keys (window only): ``q``/``Esc`` quit, ``space`` pause, ``m`` mirror on/off, ``a`` auto
pose, ``1``-``4`` a fixed pose (warrior1, tree, half_moon, bridge), ``s`` snapshot.
"""

from __future__ import annotations

import contextlib
import csv
import math
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
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.apps.analyze import (
    FRAMES_CSV_FIELDS,
    csv_row,
    partial_path,
    summary_notes,
    thumbnail_jpeg,
    write_report_files,
)
from posecheck.errors import InputError, PosecheckError
from posecheck.estimate.landmarker import PoseEstimator, quiet_stderr
from posecheck.judge.assess import assess
from posecheck.judge.temporal import HoldTracker, LandmarkFilter
from posecheck.landmarks import Landmarks
from posecheck.outputs.overlay import Annotator
from posecheck.outputs.speech import Speaker, find_speech_engine
from posecheck.poses import get_pose, pose_keys
from posecheck.report import Hold, VideoInfo, VideoReport
from posecheck.result import Balance, Cue, FrameResult

Image = NDArray[np.uint8]

WINDOW_TITLE = "posecheck live"
#: Where ``s`` saves snapshots when no record folder is given.
SNAPSHOT_DIR = Path("posecheck-snapshots")
#: Keys ``1``, ``2``, ... choose the registered poses in order (warrior1, tree, half_moon,
#: bridge); ``a`` goes back to recognising the pose.
POSE_KEYS: dict[str, str] = pose_keys()
#: A cue appears once its fault has lasted this long (seconds) ...
CUE_ON_S = 0.5
#: ... and leaves once the fault has been gone this long.
CUE_OFF_S = 0.5
#: While a cue is building up, gaps up to this long (a frame or two where the fault
#: dips under its threshold) do not restart the count.
CUE_GAP_S = 0.2
#: A camera that delivers no frame for this long has failed (unplugged).
CAMERA_TIMEOUT_S = 2.0
#: Frames larger than this (w, h) get a resizable window scaled to fit.
MAX_WINDOW_WH = (1280, 800)
#: How long a status-bar message (snapshot saved, pose chosen) stays.
MESSAGE_S = 3.0
#: Inference calls kept quiet on fd 2 after the first one that finds a person.
QUIET_CALLS_AFTER_PERSON = 5

_ESC = 27


class LiveDisplayError(PosecheckError):
    """A window was asked for but there is no display to show it on."""


# ----------------------------------------------------------------------------- pure parts


@dataclass
class _CueState:
    first_seen: float
    last_seen: float
    cue: Cue
    shown: Cue | None = None
    order: int = 0
    lower_since: float | None = None


class CueDebouncer:
    """Steadies the cue list over time (pure; feed every frame, times increasing).

    A cue (keyed by its check id) is shown once it has been present for ``on_s``
    (gaps up to ``gap_s`` while it builds up do not restart the count), and hidden once
    it has been absent for ``off_s``. So a shown cue stays at least ``off_s``, a hidden
    one stays hidden at least ``on_s``, and nothing flickers. While shown, a cue's
    severity may rise at once but falls only after the lower one has lasted ``off_s``.
    Shown cues keep the order in which they appeared.

    Args:
        on_s: presence needed before a cue is shown (seconds).
        off_s: absence needed before a shown cue is hidden (seconds).
        gap_s: tolerated gap while a cue builds up (seconds).
    """

    def __init__(self, on_s: float = CUE_ON_S, off_s: float = CUE_OFF_S, gap_s: float = CUE_GAP_S):
        self.on_s = on_s
        self.off_s = off_s
        self.gap_s = gap_s
        self._states: dict[str, _CueState] = {}
        self._counter = 0

    def reset(self) -> None:
        """Forget every cue (shown or building up)."""
        self._states.clear()

    @property
    def shown(self) -> tuple[Cue, ...]:
        """The cues shown now, in the order they appeared."""
        states = sorted(
            (s for s in self._states.values() if s.shown is not None), key=lambda s: s.order
        )
        return tuple(s.shown for s in states if s.shown is not None)

    def update(self, time_s: float, cues: Sequence[Cue]) -> tuple[Cue, ...]:
        """Take the raw cues of the frame at ``time_s``; return the cues to show."""
        present = {c.check: c for c in cues}
        for key, cue in present.items():
            state = self._states.get(key)
            if state is None or (state.shown is None and time_s - state.last_seen > self.gap_s):
                state = _CueState(first_seen=time_s, last_seen=time_s, cue=cue)
                self._states[key] = state
            state.last_seen, state.cue = time_s, cue
            if state.shown is None:
                if time_s - state.first_seen >= self.on_s - 1e-9:
                    self._counter += 1
                    state.shown, state.order = cue, self._counter
            else:
                self._update_severity(state, cue, time_s)
        for key in [k for k in self._states if k not in present]:
            state = self._states[key]
            absent = time_s - state.last_seen
            if absent > self.gap_s if state.shown is None else absent >= self.off_s - 1e-9:
                del self._states[key]
        return self.shown

    def _update_severity(self, state: _CueState, cue: Cue, time_s: float) -> None:
        shown = state.shown
        assert shown is not None
        if cue.severity.rank >= shown.severity.rank:
            state.shown, state.lower_since = cue, None
            return
        if state.lower_since is None:
            state.lower_since = time_s
        elif time_s - state.lower_since >= self.off_s - 1e-9:
            state.shown, state.lower_since = cue, None


def live_display(
    result: FrameResult,
    hold: tuple[str, str | None, float] | None,
    time_s: float,
    cues: Sequence[Cue],
) -> FrameResult:
    """What the overlay shows for ``result`` at ``time_s``.

    In a hold (``hold`` is :attr:`HoldTracker.current`: pose, side, start), the header
    names the hold's pose and side with "hold 12.3 s" and the (debounced) ``cues`` are
    listed; the hold's pose is kept through the frames where recognition wavers (the
    tracker's own grace period), so the header does not flicker. Outside a hold:
    "transition: not scored" and no cues. Without a person: as is, without cues.
    """
    if not result.person:
        return replace(result, cues=())
    if hold is None:
        return replace(result, cues=(), status="transition: not scored")
    pose, side, start_s = hold
    return replace(
        result,
        pose=pose,
        side=side,
        cues=tuple(cues),
        status=f"hold {max(0.0, time_s - start_s):.1f} s",
    )


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


# ----------------------------------------------------------------------------- capture


@dataclass(frozen=True)
class CapturedFrame:
    """One frame from the camera (or the file standing in for it).

    Attributes:
        index: 0, 1, 2, ... in capture order (frames skipped while paused not counted).
        time_s: seconds since the session began (the file's own time for a file).
        captured_at: ``time.perf_counter()`` when the frame arrived (for latency).
        image_bgr: ``(H, W, 3)`` uint8 BGR, as the camera sees it (not mirrored).
        image_rgb: the same picture in RGB, C-contiguous, for MediaPipe.
    """

    index: int
    time_s: float
    captured_at: float
    image_bgr: Image
    image_rgb: Image


@dataclass(frozen=True)
class SourceInfo:
    """What the source delivers: a label for messages and the report, the frame size,
    its nominal frame rate, and facts for the report's ``video`` block."""

    label: str
    width: int
    height: int
    fps: float
    codec: str
    rotation_deg: int = 0
    is_file: bool = False


class FrameSource(Protocol):
    """A camera or a file, read from one thread.

    :meth:`read` returns ``(image_bgr, own_time_s)`` (own time: the file's time stamp,
    None for a camera), None when no frame is available right now (a camera hiccup), or
    :data:`END` when there will be no more; ``error`` then says why if that was abnormal.
    """

    info: SourceInfo
    error: str | None

    def read(self) -> tuple[Image, float | None] | object | None: ...

    def close(self) -> None: ...


END = object()
"""Returned by :meth:`FrameSource.read` when the source has no more frames."""


class CameraSource:
    """A camera by index, or a stream URL, through ``cv2.VideoCapture``.

    Opening also reads the first frame, so a camera that opens but gives nothing is
    reported at once.

    Raises:
        InputError: the camera cannot be opened or gives no frame (one line).
    """

    def __init__(self, target: int | str, timeout_s: float = CAMERA_TIMEOUT_S) -> None:
        self.label = f"camera {target}" if isinstance(target, int) else str(target)
        self.error: str | None = None
        self.timeout_s = timeout_s
        with quiet_stderr():  # OpenCV's backends chatter on fd 2 for a missing camera
            self._cap = cv2.VideoCapture(target)
            opened = bool(self._cap.isOpened())
            ok, first = self._cap.read() if opened else (False, None)
        if not opened:
            what = (
                "no such camera, or in use by another program"
                if isinstance(target, int)
                else ("not a stream OpenCV can open")
            )
            self._cap.release()
            raise InputError(f"{self.label}: cannot open ({what})")
        if not ok or first is None:
            self._cap.release()
            raise InputError(f"{self.label}: opened but delivers no frames")
        with contextlib.suppress(cv2.error):
            self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the newest, not a backlog
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        h, w = first.shape[:2]
        self.info = SourceInfo(
            label=self.label,
            width=int(w),
            height=int(h),
            fps=fps if math.isfinite(fps) and 1.0 <= fps <= 240.0 else 30.0,
            codec="camera" if isinstance(target, int) else "stream",
        )
        self._pending: Image | None = np.ascontiguousarray(first, dtype=np.uint8)
        self._failing_since: float | None = None
        self._started = time.perf_counter()

    def read(self) -> tuple[Image, float | None] | object | None:
        if self._pending is not None:
            image, self._pending = self._pending, None
            return image, None
        ok, got = self._cap.read()
        now = time.perf_counter()
        if ok and got is not None:
            self._failing_since = None
            return np.ascontiguousarray(got, dtype=np.uint8), None
        if self._failing_since is None:
            self._failing_since = now
        if now - self._failing_since >= self.timeout_s:
            self.error = (
                f"{self.label}: stopped delivering frames after "
                f"{self._failing_since - self._started:.1f} s (unplugged?)"
            )
            return END
        time.sleep(0.01)
        return None

    def close(self) -> None:
        self._cap.release()


class FileSource:
    """A video file standing in for a camera (decoded with :class:`VideoReader`).

    Raises:
        InputError: like :class:`~posecheck.io.video.VideoReader`.
    """

    def __init__(self, path: Path | str) -> None:
        from posecheck.io.video import VideoReader

        self._reader = VideoReader(path)
        info = self._reader.info
        w, h = self._reader.output_size
        self.info = SourceInfo(
            label=str(path),
            width=w,
            height=h,
            fps=info.fps,
            codec=info.codec,
            rotation_deg=info.rotation_deg,
            is_file=True,
        )
        self.error: str | None = None
        self._frames = iter(self._reader)

    def read(self) -> tuple[Image, float | None] | object | None:
        try:
            frame = next(self._frames)
        except StopIteration:
            self.error = self._reader.error
            return END
        return frame.image_bgr, frame.time_s

    def close(self) -> None:
        self._reader.close()


def open_source(camera: int | None = None, source: str | Path | None = None) -> FrameSource:
    """The camera ``camera`` (default 0), or ``source``: a stream URL (``scheme://``,
    opened like a camera) or a video file (played at its own frame rate).

    Raises:
        InputError: it cannot be opened (one line).
        ValueError: both were given.
    """
    if camera is not None and source is not None:
        raise ValueError("give a camera or a source, not both")
    if source is None:
        return CameraSource(0 if camera is None else camera)
    text = str(source)
    if "://" in text and not text.startswith("file://"):
        return CameraSource(text)
    return FileSource(text.removeprefix("file://"))


class FrameSlot:
    """Hands the newest frame from the capture thread to the inference thread.

    Only one frame waits: :meth:`put` over an unseen frame replaces it and counts it in
    ``dropped``. :meth:`take` waits for a frame; after :meth:`close` it returns the last
    one, then None.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: CapturedFrame | None = None
        self._closed = False
        self.dropped = 0
        self.published = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, frame: CapturedFrame) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.published += 1
            self._cond.notify()

    def take(self, timeout_s: float) -> CapturedFrame | None:
        """The newest unseen frame, waiting up to ``timeout_s``; None if none came."""
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._closed, timeout_s)
            frame, self._frame = self._frame, None
            return frame

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class CaptureThread:
    """Reads ``source`` in its own thread into a :class:`FrameSlot` (newest wins).

    A file is played at its own frame rate (sleeping until each frame is due); if
    decoding falls behind it plays as fast as it can. Frames read while ``paused`` is
    set are thrown away and not counted. RGB is made here, with OpenCV.

    Attributes:
        slot: where frames go; ``slot.published`` frames captured, ``slot.dropped``
            replaced before anyone took them.
        ended: set once the source has no more frames (or failed, see ``error``).
        error: None, or the one-line reason the source failed.
    """

    def __init__(self, source: FrameSource, paused: threading.Event | None = None) -> None:
        self.source = source
        self.info = source.info
        self.slot = FrameSlot()
        self.paused = paused or threading.Event()
        self.ended = threading.Event()
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posecheck-capture", daemon=True)
        self.started_at = 0.0

    @property
    def frames_captured(self) -> int:
        return self.slot.published

    @property
    def frames_dropped(self) -> int:
        return self.slot.dropped

    def start(self) -> None:
        self.started_at = time.perf_counter()
        self._thread.start()

    def stop(self) -> None:
        """Stop reading, wait for the thread and close the source. Safe to call twice."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.source.close()

    def _run(self) -> None:
        first_own: float | None = None
        index = 0
        try:
            while not self._stop.is_set():
                item = self.source.read()
                if item is END:
                    self.error = self.source.error
                    return
                if not isinstance(item, tuple):
                    continue  # a camera hiccup: try again
                image, own_t = item
                if own_t is not None:
                    first_own = own_t if first_own is None else first_own
                    if not self._wait_until(self.started_at + own_t - first_own):
                        return
                captured_at = time.perf_counter()
                if self.paused.is_set():
                    continue
                time_s = own_t if own_t is not None else captured_at - self.started_at
                rgb = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                self.slot.put(CapturedFrame(index, time_s, captured_at, image, rgb))
                index += 1
        except Exception as exc:  # a broken camera driver, a decoder failure
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self.error = f"{self.info.label}: capture failed ({reason[:160]})"
        finally:
            self.ended.set()
            self.slot.close()

    def _wait_until(self, due: float) -> bool:
        """Sleep until ``due`` (perf_counter seconds); False if stopped meanwhile."""
        while True:
            left = due - time.perf_counter()
            if left <= 0:
                return True
            if self._stop.wait(min(left, 0.05)):
                return False


# ----------------------------------------------------------------------------- inference


@dataclass(frozen=True)
class _Detected:
    frame: CapturedFrame
    landmarks: Landmarks | None
    people: int


@dataclass(frozen=True)
class _Failure:
    exc: BaseException


_DONE = object()


class _InferenceThread:
    """Takes the newest frame from the slot, runs the model, queues the result."""

    def __init__(self, slot: FrameSlot, estimator: PoseEstimator) -> None:
        self.slot = slot
        self.estimator = estimator
        self.results: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posecheck-infer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        # MediaPipe's C++ code writes a warning to fd 2 when it first tracks a person
        # (landmark_projection_calculator), which may be long after the estimator's own
        # quiet start: keep fd 2 quiet until a person was seen and a few calls after.
        quiet_after_person = QUIET_CALLS_AFTER_PERSON
        try:
            while not self._stop.is_set():
                frame = self.slot.take(0.05)
                if frame is None:
                    if self.slot.closed:
                        self._put(_DONE)
                        return
                    continue
                quiet = quiet_stderr() if quiet_after_person > 0 else contextlib.nullcontext()
                with quiet:
                    lm = self.estimator.detect_rgb(
                        frame.image_rgb, timestamp_ms=int(round(frame.time_s * 1000))
                    )
                if lm is not None or quiet_after_person < QUIET_CALLS_AFTER_PERSON:
                    quiet_after_person -= 1
                self._put(_Detected(frame, lm, self.estimator.last_people))
        except BaseException as exc:  # handed to the main thread
            self._put(_Failure(exc))

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self.results.put(item, timeout=0.05)
                return
            except queue.Full:
                continue


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
        spoken: cue messages handed to the speech engine.
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

    @property
    def complete(self) -> bool:
        """False when the source failed part-way (the report is then partial)."""
        return self.error is None


@dataclass
class _Stats:
    processed: int = 0
    with_person: int = 0
    several: int = 0
    first_at: float | None = None
    last_at: float | None = None
    last_time_s: float = 0.0
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
    """While active (main thread only), Ctrl-C sets ``event`` instead of raising, so the
    session ends cleanly; a second Ctrl-C raises KeyboardInterrupt as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if event.is_set():
            raise KeyboardInterrupt
        event.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
        self._filter = LandmarkFilter()
        self._tracker = HoldTracker()
        self._debouncer = CueDebouncer()
        self._annotator = Annotator()
        self._holds: list[Hold] = []
        self._stats = _Stats()
        self._snapshots: list[Path] = []
        self._spoken: list[str] = []
        self._interrupted = threading.Event()
        self._writer: Any = None
        self._csv: Any = None
        self._last_picture: Image | None = None
        self._message: tuple[str, float] | None = None
        self._window_shown = False
        self._pose_seen = self.controls.pose

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
            infer = _InferenceThread(self.capture.slot, self.estimator)
            stack.callback(self.capture.stop)
            stack.callback(infer.stop)  # runs first: the consumer stops before the source
            stack.enter_context(_ctrl_c_sets(self._interrupted))
            self.capture.start()
            infer.start()
            started = self.capture.started_at
            reason = self._loop(infer, started)
        duration = time.perf_counter() - started
        return self._finish(reason, duration)

    def _loop(self, infer: _InferenceThread, started: float) -> str:
        wait_s = 0.005 if self.window else 0.05
        while True:
            if self._interrupted.is_set():
                return "interrupted"
            if self.controls.quit:
                return "quit"
            if self.seconds is not None and time.perf_counter() - started >= self.seconds:
                return "time limit"
            try:
                item = infer.results.get(timeout=wait_s)
            except queue.Empty:
                item = None
            if item is _DONE:
                return "source failed" if self.capture.error else "stream ended"
            if isinstance(item, _Failure):
                raise item.exc
            if isinstance(item, _Detected) and not self.controls.paused:
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
        pose = self.controls.pose
        if pose != self._pose_seen:
            self._notes.append(f"pose set to {pose or 'auto'} at {t:.1f} s")
            self._pose_seen = pose
        smoothed = self._filter(item.landmarks, t)
        h, w = frame.image_bgr.shape[:2]
        result = assess(smoothed, self.info.label, (w, h), pose=pose)
        index = stats.processed
        stats.processed += 1
        stats.with_person += result.person
        stats.several += item.people > 1
        stats.last_time_s = t
        self._holds.extend(self._tracker.push(t, result, index))
        hold = self._tracker.current
        in_hold = hold is not None and result.person and (result.pose, result.side) == hold[:2]
        cues = self._debouncer.update(t, result.cues if in_hold else ())
        shown = live_display(result, hold, t, cues)
        if self.controls.mirror:
            picture = np.ascontiguousarray(cv2.flip(frame.image_bgr, 1), dtype=np.uint8)
            drawn = self._annotator.annotate(picture, mirror_result(shown))
        else:
            drawn = self._annotator.annotate(frame.image_bgr, shown)
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
        if self._writer is not None:
            self._writer.write(self._fit(drawn), t)
        if self._csv is not None:
            row = replace(result, status=shown.status, cues=shown.cues)
            self._csv.writerow(csv_row(index, t, row, None))

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
        from posecheck.io.video import ThreadedWriter

        out.mkdir(parents=True, exist_ok=True)
        csv_file = stack.enter_context(
            open(partial_path(out / "frames.csv"), "w", newline="", encoding="utf-8")
        )
        self._csv = csv.writer(csv_file)
        self._csv.writerow(FRAMES_CSV_FIELDS)
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
        self._holds.extend(self._tracker.finish())
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
        notes += summary_notes(stats.with_person, stats.several, self._holds)
        initial = self._initial
        report = VideoReport(
            source=self.info.label,
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
            },
            frames_decoded=self.capture.frames_captured,
            frames_analysed=stats.processed,
            frames_with_person=stats.with_person,
            holds=tuple(self._holds),
            complete=error is None,
            stopped_at_s=stats.last_time_s if error else None,
            notes=tuple(notes),
        )
        if self.record_dir is not None:
            report = write_report_files(
                self.record_dir,
                report,
                _recorded_thumbnails(self.record_dir / "annotated.mp4", self._tracker),
                video=True,
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
        )


def _bar_height(width: int, height: int) -> int:
    """Status bar height in pixels: 24 at 480 px, scaling with the shorter side."""
    return max(18, round(24 * min(width, height) / 480))


def _recorded_thumbnails(video: Path, tracker: HoldTracker) -> dict[tuple[int, str], bytes]:
    """Thumbnails of each faulty check's worst moment, taken from the recorded
    ``annotated.mp4`` (its n-th frame is the n-th processed frame, already annotated)."""
    from posecheck.io.video import VideoReader

    wanted: dict[int, list[tuple[int, str]]] = {}
    for key, (index, _) in tracker.worst_moments.items():
        wanted.setdefault(index, []).append(key)
    if not wanted or not video.is_file():
        return {}
    out: dict[tuple[int, str], bytes] = {}
    last = max(wanted)
    try:
        with VideoReader(video) as reader:
            for frame in reader:
                for key in wanted.get(frame.index, []):
                    jpeg = thumbnail_jpeg(frame.image_bgr)
                    if jpeg is not None:
                        out[key] = jpeg
                if frame.index >= last:
                    break
    except InputError:
        return out
    return out


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
        estimator = stack.enter_context(PoseEstimator(model_path=model, mode="video"))
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
