"""``analyze_video``: a recorded video through the whole pipeline, streaming.

Data flow (the frame loop itself is :class:`posecheck.judge.session.Session`, shared
with ``live``; this module does the video's I/O around it)::

    VideoReader (decode thread, PrefetchReader) -> PoseEstimator (VIDEO mode)
      -> Session.offline: CenteredSmoother -> assess -> HoldTracker -> displayed result
      -> overlay + ThreadedWriter (encode thread), frames.csv row

Decoding and encoding run in their own threads so they overlap inference, and the
session's work runs in a third (a :class:`~posecheck.io.stage.Stage`). Memory stays flat:
only a few frames are ever held (the prefetch queue, the smoother's window, the
encoder's queue). Outputs are written under temporary names and renamed into place when
complete, report.json last, so a crash never leaves a half-written report. The library
prints nothing: progress goes to an optional callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.paths import make_output_dir, output_error, printable
from posecheck.io.stage import Stage
from posecheck.judge.recognition import is_lying
from posecheck.judge.session import Session, Step, WorstFrameKeeper
from posecheck.landmarks import Landmarks
from posecheck.measure.correction import PoseCorrection
from posecheck.outputs.frames_csv import FramesCsvWriter
from posecheck.outputs.landmarks_csv import LandmarksCsvSink
from posecheck.outputs.report_json import (
    ANNOTATED_VIDEO,
    LANDMARK_FILES,
    OUTPUT_FILES,
    write_report_files,
)
from posecheck.outputs.trc import write_trc
from posecheck.poses import get_pose
from posecheck.report import VideoReport
from posecheck.vocab import PartialReason

#: People found per frame, at most (more with ``person`` beyond it), so that a class is
#: numbered for ``--person N``. One person costs the same as with 2 (~43 ms a frame on
#: squats_front.mp4, 2 shared cores); each extra person adds a landmark inference.
MAX_PEOPLE = 4

#: The longer side of ``annotated.mp4`` (pixels): 1080x1920 and 1920x1080 clips are drawn
#: and encoded at 720x1280 and 1280x720, which costs about half the CPU of their full
#: size (issue 16); smaller clips keep their size.
VIDEO_MAX_SIDE = 1280

#: Progress callback: (seconds of video done, total seconds or None).
Progress = Callable[[float, float | None], None]

Image = NDArray[np.uint8]
#: What the inference hands to the session's thread: (frame index, BGR image, time_s,
#: landmarks or None, people found); None ends the stream.
_Detected = tuple[int, Image, float, Landmarks | None, int]


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
    correction: PoseCorrection | Literal["auto"] | None = None,
    person: int | None = None,
    landmarks: bool = False,
    video_max_side: int | None = VIDEO_MAX_SIDE,
    fast: bool = False,
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
        correction: the landmark correction (``"auto"``: the shipped one, for the
            shipped landmarker only; see :class:`PoseEstimator`), or None for MediaPipe's
            landmarks as they are.
        person: None follows the largest person; N (1, 2, ...) the N-th person from the
            left in the first frame with people (see :class:`PoseEstimator`).
        landmarks: also write the smoothed landmarks of every analysed frame:
            ``landmarks.csv`` (image and world, visibility) and ``landmarks.trc``
            (OpenSim markers, for Sports2D and Pose2Sim).
        video_max_side: ``annotated.mp4``'s longer side at most this many pixels (the
            analysed frame is shrunk before the overlay is drawn on it); None keeps the
            analysed size. The analysis itself always sees the full frame.
        fast: let MediaPipe track one person from frame to frame instead of finding
            the person afresh in every frame: about 1.4x faster, knees measured slightly
            worse (``PoseEstimator(track_one=True)``; docs/measurements.md).

    Raises:
        InputError: the file cannot be opened as a video (one-line message).
        ModelError: the model cannot be loaded.
        OutputError: ``out_dir`` cannot be written (a file, read-only, disk full).
        AnalysisInterrupted: Ctrl-C (or SIGTERM turned into KeyboardInterrupt) during
            the analysis, raised once the partial report is written (it carries it).
    """
    from posecheck.io.video import (
        FAST_X264_PARAMS,
        PrefetchReader,
        ThreadedWriter,
        VideoReader,
        fit_side,
        resize_bgr,
    )
    from posecheck.outputs.overlay import annotate
    from posecheck.outputs.people_still import people_seen, shrink_for_still

    if pose is not None:
        get_pose(pose)
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    path = Path(path)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        remove_previous_outputs(out)

    with ExitStack() as stack:
        reader = stack.enter_context(
            PrefetchReader(VideoReader(path, stride=stride, max_width=max_width, with_rgb=True))
        )
        info = reader.info
        if out is not None:
            make_output_dir(out)
        estimator = stack.enter_context(
            PoseEstimator(
                model_path=model,
                mode="video",
                correction=correction,
                person=person,
                max_people=max(MAX_PEOPLE, person or 0),
                track_one=fast,
                detect_while=is_lying,
            )
        )
        session: Session[Image] = Session.offline(
            printable(path), pose=pose, correction=estimator.correction
        )
        rows: FramesCsvWriter | None = None
        marks: LandmarksCsvSink | None = None
        trc_times: list[float] = []
        trc_world: list[NDArray[np.float64]] = []
        writer: ThreadedWriter | None = None
        video_size = fit_side(*reader.output_size, video_max_side)
        if out is not None:
            rows = stack.enter_context(FramesCsvWriter(out / "frames.csv"))
            if landmarks:
                marks = stack.enter_context(LandmarksCsvSink(out / LANDMARK_FILES["landmarks_csv"]))
            if write_video:
                writer = stack.enter_context(
                    ThreadedWriter(
                        out / "annotated.mp4",
                        fps=info.fps / stride,
                        size_wh=video_size,
                        x264_params=FAST_X264_PARAMS,
                    )
                )

        # the report's thumbnails, kept as the frames go by (no second decoding pass)
        keeper = WorstFrameKeeper(draw=annotate) if out is not None else None

        def record(steps: list[Step[Image]]) -> None:
            for step in steps:
                if keeper is not None:
                    keeper.offer(step.index, step.item)
                if rows is not None:
                    rows.write(step.index, step.time_s, step.row)
                if marks is not None:
                    lm = step.result.landmarks
                    marks.append(step.index, step.time_s, lm)
                    trc_times.append(step.time_s)
                    world = None if lm is None else lm.world
                    trc_world.append(np.full((33, 3), np.nan) if world is None else world)
                if writer is not None:
                    # annotate returns a new image, used nowhere else: no copy needed
                    shown = annotate(resize_bgr(step.item, video_size), step.shown)
                    writer.write(shown, step.time_s, copy=False)

        def post(item: _Detected | None) -> None:
            """The session's stage (own thread): smoothing, checks, holds, CSV, overlay."""
            if item is None:
                steps = session.flush()
            else:
                index, image, time_s, lm, people = item
                height, width = image.shape[:2]
                steps = session.push(image, index, time_s, lm, (width, height), people)
            record(steps)
            if keeper is not None and steps:  # nothing new before a batch comes back
                keeper.update(session)

        # Inference here, everything after it in a second thread: MediaPipe releases the
        # GIL while it runs, so the checks and the overlay of one frame overlap the
        # inference of the next.
        interrupted: KeyboardInterrupt | None = None
        last_s = 0.0
        numbered: tuple[Image, float] | None = None  # the frame people were numbered in
        with Stage(post, name="posecheck-post", size=8) as stage:
            try:
                for frame in reader:
                    rgb = frame.image_rgb
                    if rgb is None:
                        rgb = frame.image_bgr[..., ::-1]
                    lm = estimator.detect_rgb(
                        np.ascontiguousarray(rgb), timestamp_ms=int(round(frame.time_s * 1000))
                    )
                    if estimator.numbered_this_frame:  # a small copy for the report's still
                        numbered = (shrink_for_still(frame.image_bgr), frame.time_s)
                    stage.put(
                        (frame.index, frame.image_bgr, frame.time_s, lm, estimator.last_people)
                    )
                    last_s = frame.time_s
                    if progress is not None:
                        progress(frame.time_s, info.duration_s)
            except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: keep what was analysed
                interrupted = exc
            stage.put(None)
        session.finish()
        if keeper is not None:
            keeper.update(session)
        stopped_at = reader.stopped_at_s if reader.error else None
        reason = None if stopped_at is None else PartialReason.DECODE_STOPPED
        notes = [reader.error] if reader.error else []
        if interrupted is not None:
            stopped_at, reason = last_s, PartialReason.INTERRUPTED
            notes.append(f"{printable(path)}: interrupted at {last_s:.1f} s")
        report = session.report(
            video=info,
            settings={
                "pose": pose or "auto",
                "stride": stride,
                "max_width": max_width,
                "video": write_video,
                "model": str(estimator.model_path),
                "person": person,
                "correction": "on" if estimator.correction is not None else "off",
                "fast": fast,
            },
            frames_decoded=reader.frames_decoded,
            stopped_at_s=stopped_at,
            partial_reason=reason,
            notes=notes,
        )
        if numbered is not None and estimator.people_first_seen is not None:
            people = people_seen(
                estimator.people_first_seen,
                estimator.followed_first_seen,
                numbered[1],
                numbered[0],
                reader.output_size,
                (info.width, info.height),
            )
            report = replace(report, people=people)

    if out is None or rows is None:
        if interrupted is not None:
            raise interrupted
        return report
    if landmarks:
        world = np.asarray(trc_world).reshape(len(trc_world), 33, 3)
        write_trc(out / LANDMARK_FILES["landmarks_trc"], trc_times, world, info.fps / stride)

    def source_frames() -> Iterator[tuple[int, Image]]:
        """A second decoding pass (no inference), for thumbnails the keeper missed."""
        with VideoReader(path, stride=stride, max_width=max_width) as again:
            for frame in again:
                yield frame.index, frame.image_bgr

    kept = dict(keeper.kept) if keeper is not None else {}
    if interrupted is not None:  # no second decoding pass: the user wants to stop
        written = write_report_files(out, report, rows, kept, video=write_video)
        raise AnalysisInterrupted(written, interrupted) from None
    # decodes only when a moment was missed, and only up to the last one missed
    kept.update(session.thumbnails(source_frames(), draw=annotate, skip=kept))
    return write_report_files(out, report, rows, kept, video=write_video)


class AnalysisInterrupted(KeyboardInterrupt):
    """Raised by :func:`analyze_video` after Ctrl-C or SIGTERM, once the partial report
    (``partial_reason: interrupted``) is written: ``report`` is it, ``cause`` the
    interrupt (its ``signum`` attribute, when set, says which signal)."""

    def __init__(self, report: VideoReport, cause: KeyboardInterrupt) -> None:
        super().__init__("interrupted")
        self.report = report
        self.cause = cause


def remove_previous_outputs(out: Path) -> None:
    """Delete what an earlier run left in ``out`` (report.json first), so a run that
    fails never leaves an old report looking current next to nothing new."""
    first = OUTPUT_FILES["report_json"]
    names = [
        first,
        *(n for n in OUTPUT_FILES.values() if n != first),
        ANNOTATED_VIDEO,
        *LANDMARK_FILES.values(),
    ]
    for name in names:
        target = out / name
        try:
            if target.is_file() or target.is_symlink():
                target.unlink()
        except OSError as exc:
            raise output_error(exc, target, "cannot remove the previous output") from None
