"""``analyze_video``: a recorded video through the whole pipeline, streaming.

Data flow (each stage a plain function or small object, see the package docstring)::

    VideoReader (decode thread) -> PoseEstimator (VIDEO mode) -> CenteredSmoother
      -> assess (metrics, pose, checks) -> HoldTracker (holds, scores)
      -> overlay + ThreadedWriter (encode thread), frames.csv row

Decoding and encoding run in their own threads so they overlap inference. Memory stays
flat: only a few frames are ever held (the prefetch queue, the smoother's window, the
encoder's queue). Outputs are written under temporary names and renamed into place when
complete, report.json last, so a crash never leaves a half-written report. The library
prints nothing: progress goes to an optional callback.
"""

from __future__ import annotations

import csv
import json
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.judge.assess import assess, metrics_batch
from posecheck.judge.temporal import CenteredSmoother, HoldTracker
from posecheck.measure import geometry
from posecheck.poses import get_pose
from posecheck.report import Hold, VideoReport
from posecheck.result import FrameResult
from posecheck.vocab import PartialReason

#: Progress callback: (seconds of video done, total seconds or None).
Progress = Callable[[float, float | None], None]

FRAMES_CSV_FIELDS = (
    ["time_s", "frame", "person", "pose", "side", "confidence", "view", "hold", "status"]
    + [col for name in geometry.METRIC_UNITS for col in (name, f"{name}_valid")]
    + ["cues"]
)

THUMBNAIL_WIDTH = 480
#: Frames measured together in one vectorised geometry call.
BATCH = 16


def csv_row(index: int, time_s: float, r: FrameResult, hold: int | None) -> list[str]:
    """One ``frames.csv`` row (columns :data:`FRAMES_CSV_FIELDS`) for frame ``index``."""
    row = [
        f"{time_s:.4f}",
        str(index),
        "1" if r.person else "0",
        r.pose or "",
        r.side or "",
        "" if r.pose_confidence is None else f"{r.pose_confidence:.3f}",
        r.view.value,
        "" if hold is None else str(hold),
        r.status or "",
    ]
    for name in geometry.METRIC_UNITS:
        m = r.metrics.get(name)
        ok = m is not None and m.valid
        row += [f"{m.value:.4f}" if ok and m is not None else "", "1" if ok else "0"]
    row.append(";".join(c.check for c in r.cues))
    return row


def partial_path(path: Path) -> Path:
    """Where ``path`` is written until it is complete (then renamed into place)."""
    return path.with_name(f".{path.name}.partial")


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = partial_path(path)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _display_result(result: FrameResult, tracker: HoldTracker, time_s: float) -> FrameResult:
    """What the overlay shows: the hold's timer in a hold, no cues in transitions."""
    current = tracker.current
    if current is not None and result.person:
        pose, _, start_s = current
        if result.pose == pose:
            return replace(result, status=f"hold {time_s - start_s:.1f} s")
    if not result.person:
        return result
    return replace(result, cues=(), status="transition: not scored")


def summary_notes(frames_with_person: int, several_people: int, holds: list[Hold]) -> list[str]:
    """The report's notes about people and holds: nobody found, more than one person in
    ``several_people`` frames, or people but no hold."""
    notes = []
    if frames_with_person == 0:
        notes.append("no person found in the video")
    if several_people:
        notes.append(
            f"more than one person in {several_people} frames; followed one person "
            "(the largest when first seen, then the nearest to where they were)"
        )
    if frames_with_person and not holds:
        notes.append("no pose held steadily for 2 s or more: nothing scored")
    return notes


def analyze_video(
    path: Path | str,
    out_dir: Path | str | None = None,
    *,
    pose: str | None = None,
    stride: int = 1,
    max_width: int | None = None,
    write_video: bool = True,
    model: Path | str | None = None,
    progress: Progress | None = None,
) -> VideoReport:
    """Analyse a recorded video; returns the report (and writes the outputs to ``out_dir``).

    Args:
        path: the video file.
        out_dir: where ``annotated.mp4``, ``frames.csv``, ``report.html`` and
            ``report.json`` go; None writes nothing.
        pose: None recognises the pose in every frame; a name checks that pose.
        stride: analyse every ``stride``-th decoded frame.
        max_width: downscale frames wider than this (pixels) before analysis.
        write_video: write ``annotated.mp4``.
        model: a pose landmarker ``.task`` file (default: the shipped one).
        progress: called with (seconds done, total seconds or None) as frames go by.

    Raises:
        InputError: the file cannot be opened as a video (one-line message).
        ModelError: the model cannot be loaded.
    """
    from posecheck.io.video import PrefetchReader, ThreadedWriter, VideoReader
    from posecheck.outputs.overlay import annotate

    if pose is not None:
        get_pose(pose)
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    path = Path(path)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)

    tracker = HoldTracker()
    holds: list[Hold] = []
    smoother: CenteredSmoother[tuple[int, NDArray[np.uint8]]] = CenteredSmoother()
    counts = {"analysed": 0, "person": 0, "several": 0}
    notes: list[str] = []
    source = str(path)

    with ExitStack() as stack:
        reader = stack.enter_context(
            PrefetchReader(VideoReader(path, stride=stride, max_width=max_width, with_rgb=True))
        )
        info = reader.info
        estimator = stack.enter_context(PoseEstimator(model_path=model, mode="video"))
        csv_out: Any = None
        writer: Any = None
        if out is not None:
            csv_file = stack.enter_context(
                open(partial_path(out / "frames.csv"), "w", newline="", encoding="utf-8")
            )
            csv_out = csv.writer(csv_file)
            csv_out.writerow(FRAMES_CSV_FIELDS)
            if write_video:
                writer = stack.enter_context(
                    ThreadedWriter(
                        out / "annotated.mp4", fps=info.fps / stride, size_wh=reader.output_size
                    )
                )

        def finish_frame(
            index_image: tuple[int, NDArray[np.uint8]], time_s: float, lm: Any, measured: Any
        ) -> None:
            index, image = index_image
            height, width = image.shape[:2]
            result = assess(lm, source, (width, height), pose=pose, measured=measured)
            counts["analysed"] += 1
            counts["person"] += result.person
            holds.extend(tracker.push(time_s, result, index))
            shown = _display_result(result, tracker, time_s)
            if csv_out is not None:
                csv_out.writerow(csv_row(index, time_s, shown, None))
            if writer is not None:
                writer.write(annotate(image, shown), time_s)

        batch: list[tuple[tuple[int, NDArray[np.uint8]], float, Any]] = []

        def post(item: tuple[tuple[int, NDArray[np.uint8]], float, Any] | None) -> None:
            """Second stage (own thread): smoothing, checks, holds, CSV, overlay. Smoothed
            frames are measured in batches of :data:`BATCH` (vectorised geometry)."""
            batch.extend(smoother.flush() if item is None else smoother.push(*item))
            if len(batch) < BATCH and item is not None:
                return
            people = [lm for _, _, lm in batch if lm is not None]
            measured = iter(metrics_batch(people))
            for key, t, lm in batch:
                finish_frame(key, t, lm, next(measured) if lm is not None else None)
            batch.clear()

        # Inference here, everything after it in a second thread: MediaPipe releases the
        # GIL while it runs, so the checks and the overlay of one frame overlap the
        # inference of the next.
        with _Stage(post) as stage:
            for frame in reader:
                rgb = frame.image_rgb if frame.image_rgb is not None else frame.image_bgr[..., ::-1]
                lm = estimator.detect_rgb(
                    np.ascontiguousarray(rgb), timestamp_ms=int(round(frame.time_s * 1000))
                )
                if estimator.last_people > 1:
                    counts["several"] += 1
                stage.put(((frame.index, frame.image_bgr), frame.time_s, lm))
                if progress is not None:
                    progress(frame.time_s, info.duration_s)
            stage.put(None)
        holds.extend(tracker.finish())
        if reader.error:
            notes.append(reader.error)
        stopped_at = reader.stopped_at_s if reader.error else None
        frames_decoded = reader.frames_decoded

    notes += summary_notes(counts["person"], counts["several"], holds)
    report = VideoReport(
        source=source,
        video=info,
        settings={
            "pose": pose or "auto",
            "stride": stride,
            "max_width": max_width,
            "video": write_video,
            "model": str(estimator.model_path),
        },
        frames_decoded=frames_decoded,
        frames_analysed=counts["analysed"],
        frames_with_person=counts["person"],
        holds=tuple(holds),
        complete=stopped_at is None,
        partial_reason=None if stopped_at is None else PartialReason.DECODE_STOPPED,
        stopped_at_s=stopped_at,
        notes=tuple(notes),
    )
    if out is None:
        return report
    thumbnails = _thumbnails(path, stride, max_width, tracker, annotate)
    return write_report_files(out, report, thumbnails, video=write_video)


def write_report_files(
    out: Path,
    report: VideoReport,
    thumbnails: dict[tuple[int, str], bytes],
    video: bool,
) -> VideoReport:
    """Finish the outputs in ``out`` and return ``report`` with its ``outputs`` filled.

    ``frames.csv`` is made from its streamed partial file (``_atomic_path``) with the
    hold column filled, then ``report.html`` and, last, ``report.json``, each renamed into
    place when complete. ``annotated.mp4`` is listed when ``video`` and the file exists.
    ``thumbnails``: (hold index, check id) -> JPEG bytes for the HTML report.
    """
    outputs = {
        "frames_csv": "frames.csv",
        "report_json": "report.json",
        "report_html": "report.html",
    }
    _fill_hold_column(partial_path(out / "frames.csv"), out / "frames.csv", report.holds)
    if video and (out / "annotated.mp4").exists():
        outputs["annotated_video"] = "annotated.mp4"
    report = replace(report, outputs=outputs)
    from posecheck.outputs.report_html import render_html

    _write_text_atomic(out / "report.html", render_html(report, out / "frames.csv", thumbnails))
    _write_text_atomic(out / "report.json", json.dumps(report.to_dict(), indent=2, allow_nan=False))
    return report


def _thumbnails(
    path: Path,
    stride: int,
    max_width: int | None,
    tracker: HoldTracker,
    annotate: Callable[[NDArray[np.uint8], FrameResult], NDArray[np.uint8]],
) -> dict[tuple[int, str], bytes]:
    """JPEG thumbnails of the worst moment of each faulty check, from a second decoding
    pass that stops at the last frame needed (no inference)."""
    from posecheck.io.video import VideoReader

    wanted: dict[int, list[tuple[tuple[int, str], FrameResult]]] = {}
    for key, (index, result) in tracker.worst_moments.items():
        wanted.setdefault(index, []).append((key, result))
    if not wanted:
        return {}
    out: dict[tuple[int, str], bytes] = {}
    last = max(wanted)
    with VideoReader(path, stride=stride, max_width=max_width) as reader:
        for frame in _until(reader, last):
            for key, result in wanted.get(frame.index, []):
                jpeg = thumbnail_jpeg(annotate(frame.image_bgr, result))
                if jpeg is not None:
                    out[key] = jpeg
    return out


def thumbnail_jpeg(image: NDArray[np.uint8]) -> bytes | None:
    """``image`` (BGR) as a JPEG (quality 80) at most :data:`THUMBNAIL_WIDTH` wide, or
    None if it cannot be encoded."""
    import cv2

    scale = THUMBNAIL_WIDTH / image.shape[1]
    if scale < 1:
        size = (THUMBNAIL_WIDTH, int(round(image.shape[0] * scale)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return jpeg.tobytes() if ok else None


def _until(frames: Any, last_index: int) -> Iterator[Any]:
    for frame in frames:
        yield frame
        if frame.index >= last_index:
            return


class _Stage:
    """Runs ``work(item)`` for each item put, in order, in one background thread.

    A bounded queue keeps memory flat; an exception in ``work`` is re-raised in the
    caller at the next :meth:`put` or on exit; leaving the ``with`` block waits for the
    queue to drain (or, on an exception in the caller, stops the thread at once).
    """

    _END = object()

    def __init__(self, work: Callable[[Any], None], size: int = 8) -> None:
        self._work = work
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=size)
        self._error: BaseException | None = None
        self._abort = threading.Event()
        self._thread = threading.Thread(target=self._run, name="posecheck-post", daemon=True)

    def __enter__(self) -> _Stage:
        self._thread.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self._abort.set()
        self._put(self._END)
        self._thread.join()
        if self._error is not None and exc_type is None:
            raise self._error

    def put(self, item: Any) -> None:
        if self._error is not None:
            raise self._error
        self._put(item)

    def _put(self, item: Any) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._END or self._abort.is_set():
                return
            if self._error is not None:
                continue
            try:
                self._work(item)
            except BaseException as exc:  # re-raised in the caller
                self._error = exc


def _fill_hold_column(partial: Path, final: Path, holds: tuple[Hold, ...]) -> None:
    """Copy frames.csv, filling the ``hold`` column from the holds' time spans (holds are
    known only once they end, so the streamed rows leave it empty). Streams row by row."""
    spans = [(h.start_s, h.end_s, h.index) for h in holds]
    col = FRAMES_CSV_FIELDS.index("hold")
    tmp = partial_path(final).with_suffix(".fill")
    with (
        partial.open(newline="", encoding="utf-8") as src,
        tmp.open("w", newline="", encoding="utf-8") as dst,
    ):
        rows = csv.reader(src)
        out = csv.writer(dst)
        out.writerow(next(rows))
        for row in rows:
            t = float(row[0])
            row[col] = next((str(i) for a, b, i in spans if a - 1e-6 <= t <= b + 1e-6), "")
            out.writerow(row)
    os.replace(tmp, final)
    partial.unlink()
