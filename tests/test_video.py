"""posecheck.io.video on real files: clips are encoded with PyAV into tmp_path, then decoded.

Every synthetic frame has a white block in the stored top-left corner (to check rotation)
and a green bar whose left edge moves 3 px per frame (to check which frame came out).
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from posecheck.errors import InputError
from posecheck.io.stage import Ended, Producer, Stage
from posecheck.io.video import (
    Frame,
    FrameClock,
    PrefetchReader,
    ThreadedWriter,
    VideoReader,
    VideoWriter,
    fit_side,
    fit_width,
    probe,
    resize_bgr,
    rotation_clockwise,
)
from tests.conftest import shared_data

N_FRAMES = 64
FPS = 30


# --------------------------------------------------------------------------- clip makers


def bar_left(i: int) -> int:
    return 8 + 3 * i


def pattern(i: int, w: int, h: int) -> NDArray[np.uint8]:
    """``(h, w, 3)`` BGR: white top-left block, green bar at ``bar_left(i)``, the number."""
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 6, : w // 6] = 255
    img[h // 2 - 15 : h // 2 + 15, bar_left(i) : bar_left(i) + 16] = (0, 200, 0)
    cv2.putText(img, str(i), (w // 2, h - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (90, 90, 255))
    return img


def encode_clip(
    path: Path,
    size_wh: tuple[int, int] = (320, 240),
    n: int = N_FRAMES,
    fmt: str = "mp4",
    display_ccw: float | None = None,
    rotate_tag: str | None = None,
) -> Path:
    """An H.264 clip at 30 fps (moov first for mp4, so a truncated copy still opens)."""
    options = {"movflags": "+faststart"} if fmt == "mp4" else {}
    with av.open(str(path), "w", format=fmt, options=options) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size_wh
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "18"}
        if display_ccw is not None:
            stream.set_display_rotation(display_ccw)
        if rotate_tag is not None:
            stream.metadata["rotate"] = rotate_tag
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(pattern(i, *size_wh), format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def encode_mjpeg_mkv(path: Path, pts: Sequence[int], rate: int = 25) -> Path:
    """A Matroska MJPEG clip whose packets carry exactly ``pts`` (in 1/rate s)."""
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("mjpeg", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuvj420p"
        stream.codec_context.time_base = Fraction(1, rate)
        for i, p in enumerate(pts):
            frame = av.VideoFrame.from_ndarray(pattern(i, 160, 120), format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, rate)
            for packet in stream.encode(frame):  # intra-only: one packet per frame
                packet.pts = packet.dts = p
                out.mux(packet)
    return path


def encode_audio_only(path: Path) -> Path:
    """Half a second of AAC silence in an .m4a."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=16000)
        stream.layout = "mono"
        for k in range(8):
            samples = np.zeros((1, 1024), np.float32)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, k * 1024
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def bar_centre(image: NDArray[np.uint8]) -> float:
    row = image[image.shape[0] // 2]
    cols = np.flatnonzero((row[:, 1] > 100) & (row[:, 2] < 100))
    return float(cols.mean())


def bright_corner(image: NDArray[np.uint8]) -> str:
    h, w = image.shape[:2]
    ph, pw = h // 10, w // 10
    corners = {
        "top-left": image[:ph, :pw],
        "top-right": image[:ph, -pw:],
        "bottom-left": image[-ph:, :pw],
        "bottom-right": image[-ph:, -pw:],
    }
    return max(corners, key=lambda k: float(corners[k].mean()))


def read_all(path: Path, **kwargs: int) -> tuple[list[Frame], VideoReader]:
    with VideoReader(path, **kwargs) as reader:
        frames = list(reader)
    return frames, reader


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """64 frames, 320x240, 30 fps, H.264 mp4."""
    return encode_clip(tmp_path_factory.mktemp("clips") / "clip.mp4")


# --------------------------------------------------------------------------- probe, reading


def test_probe_normal_clip(clip: Path) -> None:
    info = probe(clip)
    assert (info.width, info.height, info.rotation_deg, info.codec) == (320, 240, 0, "h264")
    assert info.fps == pytest.approx(30.0)
    assert info.duration_s == pytest.approx(N_FRAMES / FPS, abs=0.05)
    assert info.path == str(clip)


def test_reader_yields_every_frame_in_order(clip: Path) -> None:
    frames, reader = read_all(clip)
    assert [f.index for f in frames] == list(range(N_FRAMES))
    assert [f.time_s for f in frames] == pytest.approx([i / FPS for i in range(N_FRAMES)])
    assert reader.frames_decoded == N_FRAMES and reader.error is None
    assert reader.stopped_at_s is None and reader.info == probe(clip)
    for f in frames:
        assert f.image_bgr.shape == (240, 320, 3) and f.image_bgr.dtype == np.uint8
        assert f.image_bgr.flags.c_contiguous
        assert bar_centre(f.image_bgr) == pytest.approx(bar_left(f.index) + 7.5, abs=1.5)
        assert bright_corner(f.image_bgr) == "top-left"


@pytest.mark.parametrize(
    ("display_ccw", "rotation", "corner"),
    [
        (-90, 90, "top-right"),  # portrait phone clip: ffprobe "rotation of -90", rotate=90
        (90, 270, "bottom-left"),
        (180, 180, "bottom-right"),
    ],
)
def test_display_matrix_rotation_is_applied(
    tmp_path: Path, display_ccw: int, rotation: int, corner: str
) -> None:
    path = encode_clip(tmp_path / "phone.mp4", n=6, display_ccw=display_ccw)
    info = probe(path)
    assert info.rotation_deg == rotation
    upright_wh = (240, 320) if rotation in (90, 270) else (320, 240)
    assert (info.width, info.height) == upright_wh
    frames, reader = read_all(path, max_width=120)
    assert len(frames) == 6 and reader.info == info
    for f in frames:
        h, w = f.image_bgr.shape[:2]
        assert (w, h) == reader.output_size and w <= 120
        assert (h > w) == (rotation != 180)
        assert f.image_bgr.flags.c_contiguous
        assert bright_corner(f.image_bgr) == corner


def test_rotate_tag_is_applied(tmp_path: Path) -> None:
    """Matroska keeps a stream ``rotate`` tag (read back as ``ROTATE``): the legacy path."""
    path = encode_clip(tmp_path / "tagged.mkv", n=4, fmt="matroska", rotate_tag="90")
    info = probe(path)
    assert (info.rotation_deg, info.width, info.height) == (90, 240, 320)
    frames, _ = read_all(path)
    assert frames[0].image_bgr.shape == (320, 240, 3)
    assert bright_corner(frames[0].image_bgr) == "top-right"


@pytest.mark.parametrize(
    ("display_ccw", "tag", "expected"),
    [
        (0.0, None, 0),
        (-90.0, None, 90),
        (90.0, None, 270),
        (180.0, None, 180),
        (-180.0, None, 180),
        (-89.97, None, 90),
        (0.0, "90", 90),
        (0.0, "-90", 270),
        (0.0, "450", 90),
        (0.0, "sideways", 0),
        (-90.0, "180", 90),  # the display matrix wins
    ],
)
def test_rotation_clockwise(display_ccw: float, tag: str | None, expected: int) -> None:
    assert rotation_clockwise(display_ccw, tag) == expected


def test_duplicate_time_stamps_are_made_increasing(tmp_path: Path) -> None:
    """Real duplicated packet stamps (Matroska allows equal ones): 0,1,1,1,6.. at 25 fps."""
    path = encode_mjpeg_mkv(tmp_path / "dups.mkv", [0, 1, 1, 1, 6, 7, 8, 9])
    frames, reader = read_all(path)
    assert reader.info.fps == pytest.approx(25.0)
    nudge = FrameClock.NUDGE_S  # duplicates are nudged, so later stamps stay on time
    expected = [0.0, 0.04, 0.04 + nudge, 0.04 + 2 * nudge, 0.24, 0.28, 0.32, 0.36]
    assert [f.time_s for f in frames] == pytest.approx(expected)
    assert reader.error is None and len(frames) == 8


def test_frame_clock_rules() -> None:
    """Cases no muxer lets us write: missing and decreasing stamps, a missing first one."""
    clock = FrameClock(fps=10.0)
    raw = [5.0, 5.1, None, 5.0, 5.45, math.nan, 5.7, 5.75]
    got = [clock(t) for t in raw]
    nudge = FrameClock.NUDGE_S
    assert got == pytest.approx([0.0, 0.1, 0.2, 0.2 + nudge, 0.45, 0.55, 0.7, 0.75])
    # one duplicate does not make every later frame late (no cascade)
    clock = FrameClock(fps=1.0)
    assert [clock(t) for t in [0.0, 1.0, 1.0, 2.0, 3.0]] == pytest.approx(
        [0.0, 1.0, 1.0 + nudge, 2.0, 3.0]
    )
    clock = FrameClock(fps=4.0)
    assert [clock(t) for t in [None, None, 2.0, 2.25]] == pytest.approx([0, 0.25, 0.5, 0.75])


def test_stride_and_max_width(clip: Path) -> None:
    frames, reader = read_all(clip, stride=3, max_width=101)
    assert [f.index for f in frames] == list(range(0, N_FRAMES, 3))
    assert reader.frames_decoded == N_FRAMES
    assert [f.time_s for f in frames] == pytest.approx([i / FPS for i in range(0, N_FRAMES, 3)])
    h, w = frames[0].image_bgr.shape[:2]
    assert (w, h) == reader.output_size and w % 2 == 0 and h % 2 == 0 and w <= 101
    assert abs(h - w * 240 / 320) <= 1
    assert bar_centre(frames[5].image_bgr) * 320 / w == pytest.approx(bar_left(15) + 7.5, abs=3)


def test_max_width_on_portrait_clip(tmp_path: Path) -> None:
    path = encode_clip(tmp_path / "portrait.mp4", size_wh=(240, 320), n=4)
    frames, reader = read_all(path, max_width=101)
    assert reader.output_size == (100, 134)
    assert all(f.image_bgr.shape == (134, 100, 3) for f in frames)
    frames, reader = read_all(path, max_width=1000)  # never enlarged
    assert reader.output_size == (240, 320)


@pytest.mark.parametrize(
    ("size", "max_width", "expected"),
    [
        ((1920, 1080), 640, (640, 360)),
        ((1080, 1920), 640, (640, 1138)),
        ((1920, 1080), 641, (640, 360)),
        ((321, 241), 100, (100, 76)),
        ((640, 480), None, (640, 480)),
        ((639, 479), 640, (639, 479)),
    ],
)
def test_fit_width(size: tuple[int, int], max_width: int | None, expected: tuple[int, int]) -> None:
    assert fit_width(*size, max_width) == expected


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((1920, 1080), 1280, (1280, 720)),
        ((1080, 1920), 1280, (720, 1280)),
        ((1280, 720), 1280, (1280, 720)),
        ((720, 1280), 1280, (720, 1280)),
        ((1080, 1920), None, (1080, 1920)),
        ((1440, 1440), 1280, (1280, 1280)),
    ],
)
def test_fit_side(size: tuple[int, int], max_side: int | None, expected: tuple[int, int]) -> None:
    assert fit_side(*size, max_side) == expected


def test_resize_bgr_keeps_an_image_of_that_size() -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    assert resize_bgr(image, (60, 40)) is image
    assert resize_bgr(image, (30, 20)).shape == (20, 30, 3)


def test_truncated_file_stops_with_error(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 6 // 10])
    frames, reader = read_all(cut)
    assert 0 < len(frames) < N_FRAMES
    for f in frames:
        assert bar_centre(f.image_bgr) == pytest.approx(bar_left(f.index) + 7.5, abs=1.5)
    assert reader.error is not None and "\n" not in reader.error
    assert reader.error.startswith(f"{cut}: decoding stopped at ")
    assert reader.stopped_at_s == pytest.approx(frames[-1].time_s)


def test_truncated_mkv_that_ends_quietly_is_flagged(tmp_path: Path) -> None:
    """Matroska just ends (no decode error): the stated duration gives it away."""
    data = encode_clip(tmp_path / "full.mkv", fmt="matroska").read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) * 6 // 10])
    frames, reader = read_all(cut)
    assert 0 < len(frames) < N_FRAMES
    assert reader.error is not None and "stated duration" in reader.error
    assert reader.error.startswith(f"{cut}: decoding stopped at {frames[-1].time_s:.1f} s (")


def _bad_input(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.mp4"
    if kind == "empty":
        path.touch()
    elif kind == "text":
        path.write_text("this is not a video\n" * 20)
    elif kind == "folder":
        path.mkdir()
    elif kind == "audio":
        encode_audio_only(tmp_path / "audio.m4a").rename(path)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "no such file"),
        ("folder", "is a directory"),
        ("empty", "empty file"),
        ("text", "not a video"),
        ("audio", "has no video stream (audio only)"),
    ],
)
def test_bad_inputs_raise_one_line_naming_the_file(tmp_path: Path, kind: str, message: str) -> None:
    path = _bad_input(tmp_path, kind)
    for opener in (probe, VideoReader):
        with pytest.raises(InputError) as err:
            opener(path)
        text = str(err.value)
        assert text.startswith(f"{path}: ") and message in text and "\n" not in text


# --------------------------------------------------------------------------- prefetching


def test_prefetch_gives_the_same_frames(clip: Path) -> None:
    expected, _ = read_all(clip, stride=2, max_width=160)
    with PrefetchReader(VideoReader(clip, stride=2, max_width=160), queue_size=4) as pre:
        got = list(pre)
        assert pre.error is None and pre.frames_decoded == N_FRAMES
        assert pre.info == probe(clip) and pre.output_size == (160, 120)
    assert [(f.index, f.time_s) for f in got] == [(f.index, f.time_s) for f in expected]
    assert all(np.array_equal(a.image_bgr, b.image_bgr) for a, b in zip(got, expected, strict=True))


def test_prefetch_stops_cleanly_when_the_consumer_breaks(clip: Path) -> None:
    baseline = threading.active_count()
    with PrefetchReader(VideoReader(clip), queue_size=2) as pre:
        for frame in pre:
            if frame.index == 3:
                break
        assert threading.active_count() == baseline + 1  # queue full, thread waiting
    assert threading.active_count() == baseline
    assert list(pre) == []


def test_prefetch_reports_truncation(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 6 // 10])
    _, plain = read_all(cut)
    with PrefetchReader(VideoReader(cut)) as pre:
        frames = list(pre)
    assert len(frames) == plain.frames_decoded and pre.error == plain.error
    assert pre.stopped_at_s == plain.stopped_at_s


class _FailingReader(VideoReader):
    """A real reader whose consumer-side processing breaks at frame 5."""

    def __next__(self) -> Frame:
        frame = super().__next__()
        if frame.index == 5:
            raise RuntimeError("boom at frame 5")
        return frame


def test_prefetch_reraises_thread_exceptions(clip: Path) -> None:
    baseline = threading.active_count()
    got: list[int] = []
    with PrefetchReader(_FailingReader(clip)) as pre:
        with pytest.raises(RuntimeError, match="boom at frame 5"):
            for frame in pre:
                got.append(frame.index)
    assert got == [0, 1, 2, 3, 4]
    assert threading.active_count() == baseline


# --------------------------------------------------------------------------- writing


def _decoded(path: Path) -> tuple[list[NDArray[np.uint8]], list[float], str]:
    """Images, times and ``codec/pix_fmt`` of a written file, decoded with plain PyAV."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        codec = f"{stream.codec_context.name}/{stream.codec_context.pix_fmt}"
        frames = list(container.decode(stream))
    images = [np.asarray(f.to_ndarray(format="bgr24"), dtype=np.uint8) for f in frames]
    times = [float(f.pts * f.time_base) for f in frames if f.pts is not None and f.time_base]
    return images, times, codec


@pytest.mark.parametrize("writer_class", [VideoWriter, ThreadedWriter])
def test_writer_output_decodes_back(tmp_path: Path, writer_class: type[VideoWriter]) -> None:
    baseline = threading.active_count()
    out = tmp_path / "out" / "annotated.mp4"
    with writer_class(out, FPS, (320, 240)) as writer:
        for i in range(30):
            writer.write(pattern(i, 320, 240))
    assert threading.active_count() == baseline
    images, times, codec = _decoded(out)
    assert len(images) == 30 and images[0].shape == (240, 320, 3)
    assert codec == "h264/yuv420p"
    assert times == pytest.approx([i / FPS for i in range(30)], abs=1e-3)
    assert bar_centre(images[20]) == pytest.approx(bar_left(20) + 7.5, abs=1.5)
    head = out.read_bytes()
    assert 0 < head.find(b"moov") < head.find(b"mdat")  # +faststart: playable while loading
    assert sorted(p.name for p in out.parent.iterdir()) == ["annotated.mp4"]
    info = probe(out)
    assert (info.width, info.height, info.codec) == (320, 240, "h264")


def test_writer_uses_given_times_and_pads_odd_sizes(tmp_path: Path) -> None:
    out = tmp_path / "odd.mp4"
    stamps = [10.0, 10.1, 10.1, 10.35, 10.5]  # origin dropped, the repeat nudged forward
    with VideoWriter(out, 10, (161, 121)) as writer:
        for i, t in enumerate(stamps):
            writer.write(pattern(i, 161, 121), time_s=t)
    images, times, _ = _decoded(out)
    assert images[0].shape == (122, 162, 3)
    assert times == pytest.approx([0.0, 0.1, 0.1, 0.35, 0.5], abs=1e-3)
    assert all(b > a for a, b in zip(times, times[1:], strict=False))


def test_writer_rejects_wrong_shapes(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "x.mp4", FPS, (64, 48)) as writer:
        with pytest.raises(ValueError, match=r"expected a \(48, 64, 3\) uint8"):
            writer.write(np.zeros((64, 48, 3), np.uint8))
        writer.write(np.zeros((48, 64, 3), np.uint8))
    assert probe(tmp_path / "x.mp4").width == 64


@pytest.mark.parametrize("writer_class", [VideoWriter, ThreadedWriter])
def test_exception_inside_writer_leaves_no_file(
    tmp_path: Path, writer_class: type[VideoWriter]
) -> None:
    out = tmp_path / "never.mp4"
    with pytest.raises(KeyError):
        with writer_class(out, FPS, (64, 48)) as writer:
            for i in range(10):
                writer.write(pattern(i, 64, 48))
            raise KeyError("inference failed")
    assert list(tmp_path.iterdir()) == []


def test_existing_output_survives_a_failed_rewrite(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "keep.mp4"
    out.write_bytes(clip.read_bytes())
    with pytest.raises(RuntimeError):
        with VideoWriter(out, FPS, (64, 48)) as writer:
            writer.write(pattern(0, 64, 48))
            raise RuntimeError("stop")
    assert out.read_bytes() == clip.read_bytes()


def test_threaded_writer_reraises_encoder_thread_errors(tmp_path: Path) -> None:
    """A NaN time fails inside the encoding thread; a later write()/close() raises it."""
    baseline = threading.active_count()
    out = tmp_path / "nan.mp4"
    with pytest.raises(ValueError):
        with ThreadedWriter(out, FPS, (64, 48), queue_size=2) as writer:
            writer.write(pattern(0, 64, 48), time_s=math.nan)
            for i in range(1, 40):
                writer.write(pattern(i, 64, 48))
    assert list(tmp_path.iterdir()) == []
    assert threading.active_count() == baseline


# --------------------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_real_clip_squats_front() -> None:
    path = shared_data() / "clips" / "squats_front.mp4"
    frames, reader = read_all(path)
    assert len(frames) == 65 and reader.error is None
    assert (reader.info.width, reader.info.height) == (720, 1280)
    assert frames[0].image_bgr.shape == (1280, 720, 3)
    times = [f.time_s for f in frames]
    assert times[0] == 0.0 and all(b > a for a, b in zip(times, times[1:], strict=False))


# --------------------------------------------------------------------------- stage helper


def test_stage_runs_items_in_order_and_raises_its_error_in_the_caller() -> None:
    baseline = threading.active_count()
    done: list[int] = []
    with Stage(done.append, name="t-stage", size=2) as stage:
        for i in range(50):
            stage.put(i)
    assert done == list(range(50)) and threading.active_count() == baseline

    def work(item: int) -> None:
        if item == 3:
            raise KeyError("bad item")

    with pytest.raises(KeyError, match="bad item"):
        with Stage(work, name="t-stage", size=2) as stage:
            for i in range(1000):  # the error surfaces at a later put, not after 1000
                stage.put(i)
    assert threading.active_count() == baseline
    failing = Stage(work, name="t-stage", size=2).start()
    for i in range(4):
        failing.put(i)
    with pytest.raises(KeyError):
        failing.close()  # or on close, once the queue is done
    assert threading.active_count() == baseline


def test_stage_abort_is_prompt_and_drops_what_waits() -> None:
    baseline = threading.active_count()
    done: list[int] = []
    with pytest.raises(RuntimeError):
        with Stage(lambda i: (time.sleep(0.05), done.append(i)), name="t-slow", size=50) as s:
            for i in range(50):
                s.put(i)
            start = time.perf_counter()
            raise RuntimeError("caller failed")
    assert time.perf_counter() - start < 1.0 and len(done) < 50
    assert threading.active_count() == baseline


def test_producer_hands_over_items_then_its_error_and_stops_promptly() -> None:
    baseline = threading.active_count()

    def items(stopping: threading.Event) -> Iterator[int]:
        yield from range(3)
        raise OSError("source broke")

    got: list[int] = []
    with Producer(items, name="t-producer", size=1) as producer:
        with pytest.raises(OSError, match="source broke"):
            for item in producer:
                got.append(item)
        with pytest.raises(Ended):
            producer.get(0.1)
    assert got == [0, 1, 2] and threading.active_count() == baseline

    def endless(stopping: threading.Event) -> Iterator[int]:
        n = 0
        while True:
            yield n
            n += 1

    producer = Producer(endless, name="t-endless", size=2).start()
    assert producer.get(5.0) == 0
    start = time.perf_counter()
    producer.close()  # the thread is blocked on a full queue: it still stops at once
    assert time.perf_counter() - start < 1.0 and threading.active_count() == baseline

    def idle(stopping: threading.Event) -> Iterator[int]:
        stopping.wait()  # a source waiting for its next item watches the stop flag
        yield from ()

    with Producer(idle, name="t-idle") as waiting:
        with pytest.raises(queue.Empty):
            waiting.get(0.05)
    assert threading.active_count() == baseline
