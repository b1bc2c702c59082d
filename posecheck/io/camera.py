"""Frame sources for live use: a camera (or stream URL) or a video file standing in for
one, read in a capture thread that always hands on the newest frame.

* :func:`open_source` - a :class:`CameraSource` (``cv2.VideoCapture``) or a
  :class:`FileSource` (:class:`~posecheck.io.video.VideoReader`, played at its own
  frame rate).
* :class:`CaptureThread` - reads a source in its own thread (a
  :class:`~posecheck.io.stage.Worker`) into a :class:`FrameSlot`, where the newest frame
  wins and an unseen one overwritten counts as dropped.

Images are ``(H, W, 3)`` uint8 BGR as the camera sees them (never mirrored here), plus
the same picture in RGB for MediaPipe. Times are seconds since capture began (a file's
own time stamps for a file).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.errors import InputError
from posecheck.estimate.landmarker import quiet_stderr
from posecheck.io.stage import Latest, Worker

Image = NDArray[np.uint8]

#: A camera that delivers no frame for this long has failed (unplugged).
CAMERA_TIMEOUT_S = 2.0


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


class FrameSlot(Latest[CapturedFrame]):
    """Hands the newest frame from the capture thread to the inference thread.

    Only one frame waits: :meth:`put` over an unseen frame replaces it and counts it in
    ``dropped``. :meth:`take` waits for a frame; after :meth:`close` it returns the last
    one, then None. (A :class:`~posecheck.io.stage.Latest` slot of frames.)
    """


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
        self._worker = Worker(self._run, name="posecheck-capture")
        self.started_at = 0.0

    @property
    def frames_captured(self) -> int:
        return self.slot.published

    @property
    def frames_dropped(self) -> int:
        return self.slot.dropped

    def start(self) -> None:
        self.started_at = time.perf_counter()
        self._worker.start()

    def stop(self) -> None:
        """Stop reading, wait for the thread and close the source. Safe to call twice.

        Raises:
            an unexpected exception that ended the thread (a broken source's own errors
            become :attr:`error` instead).
        """
        self._worker.stop()
        self.source.close()
        self._worker.raise_error()

    def _run(self, stopping: threading.Event) -> None:
        first_own: float | None = None
        index = 0
        try:
            while not stopping.is_set():
                item = self.source.read()
                if item is END:
                    self.error = self.source.error
                    return
                if not isinstance(item, tuple):
                    continue  # a camera hiccup: try again
                image, own_t = item
                if own_t is not None:
                    first_own = own_t if first_own is None else first_own
                    if not self._wait_until(self.started_at + own_t - first_own, stopping):
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

    def _wait_until(self, due: float, stopping: threading.Event) -> bool:
        """Sleep until ``due`` (perf_counter seconds); False if stopped meanwhile."""
        while True:
            left = due - time.perf_counter()
            if left <= 0:
                return True
            if stopping.wait(min(left, 0.05)):
                return False
