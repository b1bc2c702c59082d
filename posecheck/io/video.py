"""Reading and writing video files: PyAV (FFmpeg) for the codecs, OpenCV for pixels.

This is, with :mod:`posecheck.io.images` and :mod:`posecheck.outputs.overlay`, one of the few
modules allowed to touch OpenCV.

Conventions used throughout:

- Images are ``(H, W, 3)`` ``uint8`` arrays in **BGR** channel order (OpenCV's), C-contiguous.
- Frames come out **upright**: a phone video stored sideways with a display rotation is
  turned before it is handed out, and :class:`~posecheck.report.VideoInfo` reports the
  upright ``width``/``height``.
- ``rotation_deg`` is the **clockwise** rotation (0, 90, 180 or 270) that turns a stored
  frame upright: the meaning of the legacy ``rotate`` tag. FFmpeg's display matrix
  (``VideoFrame.rotation``, ffprobe's "rotation of -90.00 degrees") is counter-clockwise,
  so a portrait phone clip shows ``-90`` there and ``90`` here. Mirroring in the display
  matrix is ignored.
- Times are seconds from the **first decoded frame** (so a stream starting at 1.4 s starts
  at 0.0 here). They are the frames' presentation times (``pts * time_base``) made
  strictly increasing: a frame with no time stamp, or one that is not later than the
  frame before (duplicated or broken stamps, muxer glitches in variable-frame-rate
  clips), gets the previous time plus ``1 / fps`` instead. See :class:`FrameClock`.
- Errors about the input are :class:`~posecheck.errors.InputError` with one line that
  names the file. A video that breaks off part-way is *not* an error: the readers stop,
  and set ``error`` and ``stopped_at_s``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Self

import av
import av.container
import cv2
import numpy as np
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from numpy.typing import NDArray

from posecheck.errors import InputError
from posecheck.io.atomic import commit, temp_path
from posecheck.io.closing import ClosesOnExit, CommitsOnExit
from posecheck.io.paths import output_error
from posecheck.io.stage import Producer, Stage
from posecheck.report import VideoInfo

DEFAULT_FPS = 30.0
"""Frame rate assumed when a file states none."""

_ROTATE_CODES = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}
_WRITER_TIME_BASE = Fraction(1, 90_000)  # MPEG clock: exact for 24, 25, 30, 29.97, 60 fps


# --------------------------------------------------------------------------- pure helpers


def rotation_clockwise(display_ccw_deg: float, rotate_tag: str | None = None) -> int:
    """The clockwise turn (0/90/180/270) that makes stored frames upright.

    Args:
        display_ccw_deg: FFmpeg's display-matrix angle (counter-clockwise, -180..180;
            0 when the stream has no display matrix).
        rotate_tag: the legacy ``rotate`` metadata tag (clockwise degrees), used only when
            the display matrix says 0. Unreadable tags count as 0.
    """
    degrees = -display_ccw_deg
    if display_ccw_deg == 0 and rotate_tag is not None:
        try:
            degrees = float(rotate_tag)
        except ValueError:
            degrees = 0.0
    return int(round(degrees / 90.0)) % 4 * 90


def fit_width(width: int, height: int, max_width: int | None) -> tuple[int, int]:
    """``(w, h)`` for an image of ``width x height`` shrunk so that ``w <= max_width``.

    The aspect ratio is kept (to within a pixel) and both sides are even. An image that
    already fits, or ``max_width=None``, keeps its size.
    """
    if max_width is None or width <= max_width:
        return width, height
    w = max(2, max_width - max_width % 2)
    h = max(2, 2 * round(height * w / width / 2))
    return w, h


def fit_side(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """``(w, h)`` for an image of ``width x height`` shrunk so that its longer side is at
    most ``max_side``: aspect kept (to within a pixel), both sides even. An image that
    already fits, or ``max_side=None``, keeps its size."""
    if max_side is None or max(width, height) <= max_side:
        return width, height
    if width >= height:
        return fit_width(width, height, max_side)
    h, w = fit_width(height, width, max_side)
    return w, h


def resize_bgr(image: NDArray[np.uint8], size_wh: tuple[int, int]) -> NDArray[np.uint8]:
    """``image`` resized to ``size_wh = (w, h)`` (bilinear: about a quarter of INTER_AREA's
    cost at 1080p -> 720p, for a picture that is drawn on and encoded); itself when it
    already has that size."""
    if (image.shape[1], image.shape[0]) == size_wh:
        return image
    return np.asarray(cv2.resize(image, size_wh, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


class FrameClock:
    """Turns raw presentation times into strictly increasing seconds from the first frame.

    Call it once per decoded frame, in decoding order, with ``pts * time_base`` in seconds
    (or None when the frame has no time stamp). The first stamped frame defines 0 (or
    its place in the sequence, if frames without stamps came first). A missing stamp is
    replaced by the previous result plus ``1 / fps``. A stamp that is not strictly later
    than the previous result (a duplicate, a step back) becomes the previous result plus
    :data:`NUDGE_S` (1 ms), so one glitch does not push every later frame a frame late:
    stamps 0, 1, 1, 2, 3 (in frame periods) come out 0, 1, 1 + 1 ms, 2, 3.
    """

    NUDGE_S = 0.001

    def __init__(self, fps: float) -> None:
        self.step = 1.0 / fps
        self._offset: float | None = None
        self._prev: float | None = None

    def __call__(self, raw_s: float | None) -> float:
        fallback = 0.0 if self._prev is None else self._prev + self.step
        if raw_s is not None and math.isfinite(raw_s) and self._offset is None:
            self._offset = raw_s - fallback
        t = fallback
        if raw_s is not None and self._offset is not None and math.isfinite(raw_s):
            t = raw_s - self._offset
        if self._prev is not None and not t > self._prev:
            t = self._prev + min(self.NUDGE_S, self.step)
        self._prev = t
        return t


# --------------------------------------------------------------------------- probing


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a video file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")


def _open_input(path: Path) -> av.container.InputContainer:
    _check_file(path)
    try:
        return av.open(str(path), "r")
    except av.FFmpegError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"{path}: not a video FFmpeg can read ({reason})") from exc


def _video_stream(path: Path, container: av.container.InputContainer) -> VideoStream:
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams})
        what = "audio only" if kinds == ["audio"] else ", ".join(kinds) or "no streams"
        raise InputError(f"{path}: has no video stream ({what})")
    return container.streams.video[0]


def _fps(stream: VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate):
        if rate is not None and rate > 0:
            return float(rate)
    return DEFAULT_FPS


def _duration_s(container: av.container.InputContainer, stream: VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def _rotate_tag(stream: VideoStream) -> str | None:
    for key, value in stream.metadata.items():
        if key.lower() == "rotate":
            return value
    return None


def _first_frame(path: Path, frames: Iterator[VideoFrame]) -> VideoFrame:
    try:
        return next(frames)
    except StopIteration:
        raise InputError(f"{path}: has no decodable video frames") from None
    except av.FFmpegError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"{path}: cannot decode the first video frame ({reason})") from exc


def _info(
    path: Path, container: av.container.InputContainer, stream: VideoStream, first: VideoFrame
) -> VideoInfo:
    rotation = rotation_clockwise(first.rotation, _rotate_tag(stream))
    w, h = first.width, first.height
    if rotation in (90, 270):
        w, h = h, w
    return VideoInfo(
        path=str(path),
        width=w,
        height=h,
        fps=_fps(stream),
        duration_s=_duration_s(container, stream),
        rotation_deg=rotation,
        codec=stream.codec_context.name,
    )


def probe(path: Path | str) -> VideoInfo:
    """What ``path`` holds: upright size, fps, duration, display rotation and codec.

    Decodes the first frame (the display matrix travels with decoded frames in PyAV).

    Raises:
        InputError: one line naming ``path``: missing, a directory, empty, not a media
            file, no video stream (e.g. audio only), or no decodable frame.
    """
    path = Path(path)
    with _open_input(path) as container:
        stream = _video_stream(path, container)
        return _info(path, container, stream, _first_frame(path, container.decode(stream)))


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Frame:
    """One decoded video frame.

    Attributes:
        index: position among all decoded frames (0-based; with ``stride`` > 1 these skip).
        time_s: seconds from the first frame, strictly increasing (see :class:`FrameClock`).
        image_bgr: ``(H, W, 3)`` uint8 BGR, upright, C-contiguous.
        image_rgb: the same picture in RGB (C-contiguous), when the reader was asked for
            it (``with_rgb=True``): MediaPipe wants RGB, and converting here, in the
            decoding thread, with OpenCV (~1 ms at 1080p) beats reversing channels with
            numpy later (~7 ms).
    """

    index: int
    time_s: float
    image_bgr: NDArray[np.uint8]
    image_rgb: NDArray[np.uint8] | None = None


def _raw_time_s(frame: VideoFrame) -> float | None:
    if frame.pts is None or frame.time_base is None:
        return None
    return float(frame.pts * frame.time_base)


def to_upright_bgr(
    frame: VideoFrame, rotation_deg: int, size_wh: tuple[int, int]
) -> NDArray[np.uint8]:
    """``frame`` as ``(h, w, 3)`` uint8 BGR for the upright ``size_wh = (w, h)``.

    Shrinks first (INTER_AREA, in the stored orientation, so less is rotated), then turns
    clockwise by ``rotation_deg``.
    """
    image: NDArray[np.uint8] = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
    w, h = size_wh
    stored_wh = (h, w) if rotation_deg in (90, 270) else (w, h)
    if (image.shape[1], image.shape[0]) != stored_wh:
        image = np.asarray(cv2.resize(image, stored_wh, interpolation=cv2.INTER_AREA))
    if rotation_deg in _ROTATE_CODES:
        image = np.asarray(cv2.rotate(image, _ROTATE_CODES[rotation_deg]))
    return np.ascontiguousarray(image, dtype=np.uint8)


class VideoReader(ClosesOnExit):
    """Decode a video file frame by frame (PyAV, threaded decoding); memory stays flat.

    Use as a context manager and iterate: yields a :class:`Frame` for every ``stride``-th
    decoded frame (indices 0, stride, 2*stride, ...), upright, shrunk to
    ``width <= max_width`` (even sides, aspect kept) when given.

    If decoding breaks off part-way (truncated or corrupt file), iteration just stops;
    ``error`` then holds a one-line message naming the file and ``stopped_at_s`` the time
    of the last decoded frame. A file that ends cleanly but well before its stated
    duration counts as broken off too.

    Attributes:
        path: the file.
        info: :class:`VideoInfo` (upright size of the *source*, before ``max_width``).
        output_size: ``(w, h)`` of the images handed out.
        frames_decoded: frames decoded so far (all of them, not only the yielded ones).
        error: None, or why decoding stopped early.
        stopped_at_s: None, or the time of the last good frame when ``error`` is set.

    Raises:
        InputError: at construction, like :func:`probe`.
    """

    def __init__(
        self,
        path: Path | str,
        stride: int = 1,
        max_width: int | None = None,
        with_rgb: bool = False,
    ) -> None:
        if stride < 1:
            raise ValueError(f"stride must be >= 1, got {stride}")
        if max_width is not None and max_width < 2:
            raise ValueError(f"max_width must be >= 2, got {max_width}")
        self.path = Path(path)
        self.stride = stride
        self.with_rgb = with_rgb
        self.frames_decoded = 0
        self.error: str | None = None
        self.stopped_at_s: float | None = None
        self._container = _open_input(self.path)
        try:
            stream = _video_stream(self.path, self._container)
            stream.thread_type = "AUTO"
            self._frames = self._container.decode(stream)
            self._pending: VideoFrame | None = _first_frame(self.path, self._frames)
            self.info = _info(self.path, self._container, stream, self._pending)
        except BaseException:
            self._container.close()
            raise
        self.output_size = fit_width(self.info.width, self.info.height, max_width)
        self._clock = FrameClock(self.info.fps)
        self._last_time_s: float | None = None
        self._done = False

    def close(self) -> None:
        """Release the file. Iterating afterwards yields nothing. Safe to call twice."""
        self._done = True
        self._pending = None
        self._container.close()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> Frame:
        while True:
            raw = self._next_decoded()
            if raw is None:
                raise StopIteration
            index = self.frames_decoded
            self.frames_decoded += 1
            time_s = self._clock(_raw_time_s(raw))
            self._last_time_s = time_s
            if index % self.stride == 0:
                image, rgb = self._convert(raw)
                return Frame(index=index, time_s=time_s, image_bgr=image, image_rgb=rgb)

    def _convert(self, raw: VideoFrame) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None]:
        """A decoded frame as the upright BGR image handed out (and its RGB twin)."""
        image = to_upright_bgr(raw, self.info.rotation_deg, self.output_size)
        rgb = None
        if self.with_rgb:
            rgb = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        return image, rgb

    def _next_decoded(self) -> VideoFrame | None:
        if self._pending is not None:
            raw, self._pending = self._pending, None
            return raw
        if self._done:
            return None
        try:
            return next(self._frames)
        except StopIteration:
            self._done = True
            self._check_complete()
        except av.FFmpegError as exc:
            self._done = True
            self._stop(exc.strerror or type(exc).__name__)
        return None

    def _check_complete(self) -> None:
        """Flag a file that ends cleanly but well before its stated duration."""
        duration = self.info.duration_s
        last = self._last_time_s if self._last_time_s is not None else 0.0
        end = last + 1.0 / self.info.fps
        if duration is not None and end < duration - max(0.5, 3.0 / self.info.fps):
            self._stop(f"file ends before its stated duration of {duration:.1f} s")

    def _stop(self, reason: str) -> None:
        self.stopped_at_s = self._last_time_s if self._last_time_s is not None else 0.0
        reason = " ".join(reason.split())
        self.error = f"{self.path}: decoding stopped at {self.stopped_at_s:.1f} s ({reason})"


class PrefetchReader(ClosesOnExit):
    """A :class:`VideoReader` decoded ahead in a background thread.

    Same iterator interface and attributes (``info``, ``output_size``, ``frames_decoded``,
    ``error``, ``stopped_at_s``, read through from the wrapped reader). Decoded frames wait
    in a bounded queue (``queue_size`` frames), so decoding overlaps the caller's work
    while memory stays bounded. ``frames_decoded`` runs ahead of what was consumed while
    the thread works; ``error`` is final once iteration has stopped.

    Always ``close()`` it (or use ``with``): that stops and joins the thread, also when the
    consumer stops early, and closes the wrapped reader. An unexpected exception in the
    thread is raised again in the consumer by ``next()``.
    """

    def __init__(self, reader: VideoReader, queue_size: int = 6) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        self.reader = reader
        self._frames: Producer[Frame] = Producer(
            lambda _stopping: reader, name="posecheck-prefetch", size=queue_size
        )

    @property
    def info(self) -> VideoInfo:
        return self.reader.info

    @property
    def output_size(self) -> tuple[int, int]:
        return self.reader.output_size

    @property
    def frames_decoded(self) -> int:
        return self.reader.frames_decoded

    @property
    def error(self) -> str | None:
        return self.reader.error

    @property
    def stopped_at_s(self) -> float | None:
        return self.reader.stopped_at_s

    def close(self) -> None:
        """Stop the thread, wait for it, and close the reader. Safe to call twice."""
        self._frames.close()
        self.reader.close()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> Frame:
        return next(self._frames)


# --------------------------------------------------------------------------- writing


#: x264 options on top of ``preset="veryfast"`` for the annotated video: the diamond
#: motion search and the first sub-pixel refinement level (superfast's) cut x264's CPU by
#: about a third at 1080p for a file about 8 % larger at the same CRF (issue 16).
FAST_X264_PARAMS = "me=dia:subme=1"


def _even(n: int) -> int:
    return n + n % 2


class VideoWriter(CommitsOnExit):
    """Write an H.264 MP4 (libx264, yuv420p, ``+faststart``) that browsers play.

    ``write()`` takes ``(h, w, 3)`` uint8 BGR images of exactly ``size_wh = (w, h)``; odd
    sides are padded to even by repeating the last row/column. Time stamps are stored in
    a 90 kHz clock: ``time_s`` (seconds, any origin: the first frame's time becomes 0)
    when given, else the previous time plus ``1 / fps``; they are forced strictly
    increasing (at least one 1/90000 s tick apart).

    The file is written to a temporary name in the same folder and renamed into place by
    a successful ``close()``. Leaving the ``with`` block by an exception (or calling
    ``abort()``) deletes it, so there is never a half-written ``path``.

    ``crf`` and ``preset`` are x264's; ``x264_params`` (e.g. :data:`FAST_X264_PARAMS`)
    overrides single settings of the preset.
    """

    def __init__(
        self,
        path: Path | str,
        fps: float,
        size_wh: tuple[int, int],
        crf: int = 23,
        preset: str = "veryfast",
        x264_params: str | None = None,
    ) -> None:
        if fps <= 0 or not math.isfinite(fps):
            raise ValueError(f"fps must be positive, got {fps}")
        if min(size_wh) < 1:
            raise ValueError(f"size_wh must be positive, got {size_wh}")
        self.path = Path(path)
        self.fps = float(fps)
        self.size_wh = (int(size_wh[0]), int(size_wh[1]))
        self.frames_written = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = temp_path(self.path)
        self._container = av.open(
            str(self._tmp), "w", format="mp4", options={"movflags": "+faststart"}
        )
        try:
            self._stream = self._add_stream(crf, preset, x264_params)
        except BaseException:
            self._discard()
            raise
        self._origin_s: float | None = None
        self._last_time_s: float | None = None
        self._last_pts: int | None = None
        self._closed = False

    def _add_stream(self, crf: int, preset: str, x264_params: str | None) -> VideoStream:
        rate = Fraction(self.fps).limit_denominator(1001)
        stream = self._container.add_stream("libx264", rate=rate)
        stream.width, stream.height = _even(self.size_wh[0]), _even(self.size_wh[1])
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = _WRITER_TIME_BASE
        stream.options = {"crf": str(crf), "preset": preset}
        if x264_params:
            stream.options = {**stream.options, "x264-params": x264_params}
        return stream

    def check_image(self, image_bgr: NDArray[np.uint8]) -> None:
        """Raise ValueError unless ``image_bgr`` is ``(h, w, 3)`` uint8 for ``size_wh``."""
        w, h = self.size_wh
        if image_bgr.shape != (h, w, 3) or image_bgr.dtype != np.uint8:
            raise ValueError(
                f"{self.path}: expected a ({h}, {w}, 3) uint8 image, "
                f"got {image_bgr.shape} {image_bgr.dtype}"
            )

    def write(self, image_bgr: NDArray[np.uint8], time_s: float | None = None) -> None:
        """Encode one ``(h, w, 3)`` uint8 BGR image shown at ``time_s`` seconds."""
        if self._closed:
            raise ValueError(f"{self.path}: writer is closed")
        self.check_image(image_bgr)
        if time_s is not None and not math.isfinite(time_s):
            raise ValueError(f"{self.path}: time_s must be finite, got {time_s}")
        # OpenCV's BGR -> I420 (BT.601, limited range, as swscale's) costs about a third
        # of PyAV's reformat at 1080p (issue 16).
        yuv = cv2.cvtColor(self._pad_even(image_bgr), cv2.COLOR_BGR2YUV_I420)
        frame = VideoFrame.from_ndarray(np.asarray(yuv, dtype=np.uint8), format="yuv420p")
        frame.pts = self._next_pts(time_s)
        frame.time_base = _WRITER_TIME_BASE
        try:
            self._container.mux(self._stream.encode(frame))
        except OSError as exc:  # disk full, file size limit: name the output, not its temp
            raise output_error(exc, self.path) from None
        self.frames_written += 1

    def _pad_even(self, image: NDArray[np.uint8]) -> NDArray[np.uint8]:
        w, h = self.size_wh
        if w % 2 == 0 and h % 2 == 0:
            return np.ascontiguousarray(image)
        padded = cv2.copyMakeBorder(image, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE)
        return np.ascontiguousarray(padded, dtype=np.uint8)

    def _next_pts(self, time_s: float | None) -> int:
        if time_s is None:
            time_s = 0.0 if self._last_time_s is None else self._last_time_s + 1.0 / self.fps
        if self._origin_s is None:
            self._origin_s = time_s
        self._last_time_s = time_s
        pts = round((time_s - self._origin_s) / _WRITER_TIME_BASE)
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1
        self._last_pts = pts
        return pts

    def close(self) -> None:
        """Flush the encoder, finish the file and move it to ``path``. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self._container.mux(self._stream.encode(None))
            self._container.close()
            commit(self._tmp, self.path)
        except OSError as exc:
            self._discard()
            raise output_error(exc, self.path) from None
        except BaseException:
            self._discard()
            raise

    def abort(self) -> None:
        """Stop writing and delete the temporary file; ``path`` is left untouched."""
        self._closed = True
        self._discard()

    def _discard(self) -> None:
        try:
            self._container.close()
        except (av.FFmpegError, OSError):
            pass  # the file is deleted anyway
        self._tmp.unlink(missing_ok=True)


class ThreadedWriter(CommitsOnExit):
    """A :class:`VideoWriter` that encodes in a background thread.

    Same interface and guarantees (atomic file, BGR ``(h, w, 3)`` uint8 images, times in
    seconds). ``write()`` checks the image shape at once, copies it (so the caller may
    reuse its buffer; ``copy=False`` does not) and queues it; it blocks while
    ``queue_size`` frames wait. An exception in the encoding thread is raised again by
    the next ``write()`` or by ``close()``, and the temporary file is deleted.
    """

    def __init__(
        self,
        path: Path | str,
        fps: float,
        size_wh: tuple[int, int],
        crf: int = 23,
        preset: str = "veryfast",
        queue_size: int = 8,
        x264_params: str | None = None,
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        self.writer = VideoWriter(
            path, fps, size_wh, crf=crf, preset=preset, x264_params=x264_params
        )
        self.path = self.writer.path
        self._stage: Stage[tuple[NDArray[np.uint8], float | None]] = Stage(
            self._encode, name="posecheck-writer", size=queue_size
        ).start()
        self._closed = False

    @property
    def frames_written(self) -> int:
        return self.writer.frames_written

    def _encode(self, item: tuple[NDArray[np.uint8], float | None]) -> None:
        self.writer.write(*item)

    def write(
        self, image_bgr: NDArray[np.uint8], time_s: float | None = None, *, copy: bool = True
    ) -> None:
        """Queue one ``(h, w, 3)`` uint8 BGR image shown at ``time_s`` seconds.

        ``copy=False`` hands the image over as it is: for a caller that never touches it
        again (a full-resolution copy costs a few ms a frame)."""
        self._stage.raise_error()
        if self._closed:
            raise ValueError(f"{self.path}: writer is closed")
        self.writer.check_image(image_bgr)
        self._stage.put(
            (np.array(image_bgr, dtype=np.uint8, copy=True) if copy else image_bgr, time_s)
        )

    def close(self) -> None:
        """Encode what is queued, finish the file and move it to ``path``."""
        if self._closed:
            self._stage.raise_error()
            return
        self._closed = True
        try:
            self._stage.close()
        except BaseException:
            self.writer.abort()
            raise
        self.writer.close()

    def abort(self) -> None:
        """Drop what is queued, stop the thread and delete the temporary file."""
        self._closed = True
        self._stage.abort()
        self.writer.abort()
