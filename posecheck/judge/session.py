"""One frame loop for ``analyze`` and ``live``: a :class:`Session` takes each frame's
landmarks and time stamp and gives back what to show and record; at the end it builds
the report. The apps keep only their I/O (decoding, camera, window, encoding, files).

Per frame, in this order::

    Landmarks of the analysed frame (normalised image coordinates, see
    posecheck.landmarks) + its time stamp (seconds, increasing)
      -> smoothing: centred Gaussian (offline, a fixed delay of 2 frames) or One Euro
         (live, causal)
      -> assess (metrics measured in vectorised batches, pose, checks)
      -> HoldTracker (holds, scores, worst moments)
      -> the displayed result (display_result) -> Step

The one hold rule: **a frame belongs to the hold in progress when its pose and its side
are the hold's** (:func:`in_hold`). Only the cues of such frames are shown (live lets a
shown cue fade out over 0.5 s), and only such frames are judged in the hold's scores
(:class:`~posecheck.judge.temporal.HoldTracker` keys holds by pose and side too).
Outside a hold the header says "transition: not scored" and no cue is shown. The two
apps differ only in two declared choices, fixed by the constructors
:meth:`Session.offline` and :meth:`Session.live`:

* smoothing (zero-phase for a file, causal for a camera); both steady the cues of the
  frames in the hold with a :class:`~posecheck.judge.temporal.CueDebouncer`;
* ``steady_header``: live keeps the hold's header (pose, side, timer) through frames
  where recognition wavers, so the window does not flicker; offline each frame's header
  tells what that frame was.

Thumbnails of each faulty check's worst moment are made by one function,
:meth:`Session.thumbnails`, from frames the app reads back (the recording for ``live``);
``analyze`` keeps the candidate frames as they go by (:class:`WorstFrameKeeper`) and
reads back only what it missed. The report is built by :meth:`Session.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from posecheck.judge.assess import assess, metrics_batch
from posecheck.judge.temporal import CenteredSmoother, CueDebouncer, HoldTracker, LandmarkFilter
from posecheck.landmarks import Landmarks
from posecheck.measure.correction import PoseCorrection
from posecheck.poses import get_pose
from posecheck.report import Hold, Setting, VideoInfo, VideoReport
from posecheck.result import Cue, FrameResult, Metric
from posecheck.vocab import PartialReason, Side, View

T = TypeVar("T")

Image = NDArray[np.uint8]
#: The hold in progress as :attr:`HoldTracker.current` gives it: (pose, side, start_s).
CurrentHold = tuple[str, Side | None, float]
#: (hold index, check id) -> (frame index, result) at that check's worst moment.
WorstMoments = Mapping[tuple[int, str], tuple[int, FrameResult]]

#: Frames measured together in one vectorised geometry call (offline).
BATCH = 16
#: Thumbnails are at most this wide (pixels).
THUMBNAIL_WIDTH = 480
TRANSITION = "transition: not scored"


def in_hold(result: FrameResult, hold: CurrentHold | None) -> bool:
    """The hold rule: ``result`` belongs to ``hold`` (a person, the hold's pose and
    side)."""
    return hold is not None and result.person and result.pose == hold[0] and result.side == hold[1]


def display_result(
    result: FrameResult,
    hold: CurrentHold | None,
    time_s: float,
    cues: Sequence[Cue],
    steady_header: bool = True,
) -> FrameResult:
    """What the overlay shows for ``result`` at ``time_s`` (seconds).

    ``hold`` is the hold in progress (:attr:`HoldTracker.current`) and ``cues`` the cues
    to list (those of a frame in the hold, steadied or not). In a hold the header shows
    "hold 12.3 s" with ``cues``. A frame outside the hold's pose and side (see
    :func:`in_hold`) shows "transition: not scored" and no cues, unless
    ``steady_header``: then the header keeps the hold's pose, side and timer (no
    flicker while recognition wavers) and lists ``cues``. Outside a hold: "transition:
    not scored" and no cues. Without a person: as is, without cues.
    """
    if not result.person:
        return replace(result, cues=()) if result.cues else result
    if hold is None:
        return replace(result, cues=(), status=TRANSITION)
    pose, side, start_s = hold
    status = f"hold {max(0.0, time_s - start_s):.1f} s"
    if steady_header:
        return replace(result, pose=pose, side=side, cues=tuple(cues), status=status)
    if not in_hold(result, hold):
        return replace(result, cues=(), status=TRANSITION)
    return replace(result, cues=tuple(cues), status=status)


def summary_notes(frames_with_person: int, several_people: int, holds: Sequence[Hold]) -> list[str]:
    """The report's notes about people and holds: nobody found, more than one person in
    ``several_people`` frames, or people but no hold."""
    notes = []
    if frames_with_person == 0:
        notes.append("no person found in the video")
    if several_people:
        notes.append(
            f"more than one person in {several_people} frames; followed one person (the "
            "largest in each frame, or with --person N the N-th from the left, then the "
            "nearest to where they were)"
        )
    if frames_with_person and not holds:
        notes.append("no pose held steadily for 2 s or more: nothing scored")
    return notes


def thumbnail_jpeg(image: Image) -> bytes | None:
    """``image`` (``(H, W, 3)`` uint8 BGR) as a JPEG (quality 80) at most
    :data:`THUMBNAIL_WIDTH` wide, or None if it cannot be encoded."""
    import cv2

    scale = THUMBNAIL_WIDTH / image.shape[1]
    if scale < 1:
        size = (THUMBNAIL_WIDTH, int(round(image.shape[0] * scale)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return jpeg.tobytes() if ok else None


@dataclass(frozen=True)
class Step(Generic[T]):
    """One frame through the session.

    Attributes:
        item: what the app handed in with the frame (e.g. its image), unchanged.
        index: the app's frame number (the decoded frame's index for a file, the
            processed frame's count live; ``frames.csv``'s ``frame`` column).
        time_s: seconds from the start of the video or session.
        result: the frame as assessed (smoothed landmarks, pose, checks, raw cues).
        shown: what the overlay shows (:func:`display_result`).
    """

    item: T
    index: int
    time_s: float
    result: FrameResult
    shown: FrameResult

    @property
    def row(self) -> FrameResult:
        """What ``frames.csv`` records: the assessed frame (its own pose and side) with
        the shown header and cues."""
        return replace(self.result, status=self.shown.status, cues=self.shown.cues)


@dataclass
class _Pending(Generic[T]):
    item: T
    index: int
    image_wh: tuple[int, int]


class Session(Generic[T]):
    """The frame loop shared by ``analyze`` and ``live`` (pure: no I/O, no threads).

    Feed frames in time order with :meth:`push`; it returns the frames that are ready
    (offline, smoothing and batching delay them; :meth:`flush` returns the rest at the
    end; live, each push returns its own frame). Then :meth:`finish`, and
    :meth:`report`. Build one with :meth:`offline` or :meth:`live`.

    Args:
        source: the input's name for the results (a path, ``camera 0``).
        pose: None recognises the pose in every frame; a name checks that pose.
        causal: One Euro smoothing (live) instead of the centred Gaussian (offline).
        batch: frames measured together in one vectorised geometry call.
        debounce: steady the cues with a :class:`CueDebouncer`.
        steady_header: see :func:`display_result`.
        correction: per-pose landmark correction applied by :func:`assess` (usually the
            estimator's :attr:`~posecheck.estimate.landmarker.PoseEstimator.correction`).
    """

    def __init__(
        self,
        source: str,
        *,
        pose: str | None = None,
        causal: bool,
        batch: int,
        debounce: bool,
        steady_header: bool,
        correction: PoseCorrection | None = None,
    ) -> None:
        if pose is not None:
            get_pose(pose)
        if batch < 1:
            raise ValueError(f"batch must be >= 1, got {batch}")
        self.source = source
        self.pose = pose
        self.correction = correction
        self.steady_header = steady_header
        self._batch = batch
        self._filter = LandmarkFilter() if causal else None
        self._smoother: CenteredSmoother[_Pending[T]] = CenteredSmoother()
        self._debouncer = CueDebouncer() if debounce else None
        self._tracker = HoldTracker()
        self._ready: list[tuple[_Pending[T], float, Landmarks | None]] = []
        self.holds: list[Hold] = []
        self.frames_analysed = 0
        self.frames_with_person = 0
        self.frames_several_people = 0
        self.last_time_s = 0.0
        self._notes: list[str] = []

    @classmethod
    def offline(
        cls, source: str, pose: str | None = None, correction: PoseCorrection | None = None
    ) -> Session[T]:
        """For a recorded video: zero-phase smoothing, batched measuring, each frame's own
        header, and cues steadied as live steadies them (a cue shows once its fault has
        lasted 0.5 s and stays through short gaps): a metric whose validity flickers no
        longer makes the overlay's cue blink. ``frames.csv`` and the scores still record
        every frame's own checks."""
        return cls(
            source,
            pose=pose,
            causal=False,
            batch=BATCH,
            debounce=True,
            steady_header=False,
            correction=correction,
        )

    @classmethod
    def live(
        cls, source: str, pose: str | None = None, correction: PoseCorrection | None = None
    ) -> Session[T]:
        """For a camera: causal smoothing, every frame at once, steadied cues and a
        steady header."""
        return cls(
            source,
            pose=pose,
            causal=True,
            batch=1,
            debounce=True,
            steady_header=True,
            correction=correction,
        )

    @property
    def current_hold(self) -> CurrentHold | None:
        """The hold in progress, as of the last frame returned."""
        return self._tracker.current

    def thumbnail_candidates(self) -> set[int]:
        """Indices of the frames returned so far that may yet be a worst moment
        (:meth:`~posecheck.judge.temporal.HoldTracker.candidate_frames`)."""
        return self._tracker.candidate_frames()

    @property
    def worst_moments(self) -> WorstMoments:
        """(hold index, check id) -> (frame index, result) of each warned or faulted
        check's worst moment, for the holds ended so far."""
        return self._tracker.worst_moments

    def set_pose(self, pose: str | None, time_s: float) -> None:
        """Check ``pose`` (None: recognise) from the frame at ``time_s`` on; the report
        notes the change."""
        if pose != self.pose:
            self._notes.append(f"pose set to {pose or 'auto'} at {time_s:.1f} s")
            self.pose = pose

    def push(
        self,
        item: T,
        index: int,
        time_s: float,
        landmarks: Landmarks | None,
        image_wh: tuple[int, int],
        people: int = 1,
    ) -> list[Step[T]]:
        """Take one frame; return the frames that are ready, in order.

        Args:
            item: anything the app wants back with the frame (e.g. the image).
            index: the app's frame number (see :class:`Step`).
            time_s: seconds, strictly increasing.
            landmarks: the estimator's landmarks of the frame, or None (nobody).
            image_wh: ``(width, height)`` of the frame in pixels.
            people: how many people the estimator found in the frame.
        """
        self.frames_several_people += people > 1
        pending = _Pending(item, index, image_wh)
        if self._filter is not None:
            self._ready.append((pending, time_s, self._filter(landmarks, time_s)))
        else:
            self._ready.extend(self._smoother.push(pending, time_s, landmarks))
        if len(self._ready) < self._batch:
            return []
        return self._assess_ready()

    def flush(self) -> list[Step[T]]:
        """End of input: the frames still held back by smoothing or batching."""
        self._ready.extend(self._smoother.flush())
        return self._assess_ready()

    def finish(self) -> None:
        """End of the session: close the hold in progress (call after :meth:`flush`)."""
        self.holds.extend(self._tracker.finish())

    def _assess_ready(self) -> list[Step[T]]:
        ready, self._ready = self._ready, []
        if self.correction is not None:  # assess measures each frame once it is corrected
            return [self._step(p, t, lm, None) for p, t, lm in ready]
        measured = iter(metrics_batch([lm for _, _, lm in ready if lm is not None]))
        return [
            self._step(p, t, lm, next(measured) if lm is not None else None) for p, t, lm in ready
        ]

    def _step(
        self,
        pending: _Pending[T],
        time_s: float,
        landmarks: Landmarks | None,
        measured: tuple[View, dict[str, Metric]] | None,
    ) -> Step[T]:
        result = assess(
            landmarks,
            self.source,
            pending.image_wh,
            pose=self.pose,
            measured=measured,
            correction=self.correction,
        )
        self.frames_analysed += 1
        self.frames_with_person += result.person
        self.last_time_s = time_s
        self.holds.extend(self._tracker.push(time_s, result, pending.index))
        hold = self._tracker.current
        cues: Sequence[Cue] = result.cues if in_hold(result, hold) else ()
        if self._debouncer is not None:
            cues = self._debouncer.update(time_s, cues)
        shown = display_result(result, hold, time_s, cues, self.steady_header)
        return Step(pending.item, pending.index, time_s, result, shown)

    def report(
        self,
        *,
        video: VideoInfo,
        settings: Mapping[str, Setting],
        frames_decoded: int,
        stopped_at_s: float | None = None,
        partial_reason: PartialReason | None = None,
        notes: Sequence[str] = (),
    ) -> VideoReport:
        """The report of the session (call after :meth:`finish`).

        Args:
            video: the input's facts.
            settings: the run's settings, as ``report.json`` records them.
            frames_decoded: frames the source delivered.
            stopped_at_s: where the input broke off (the report is then partial), or
                None.
            partial_reason: why the report is partial (None when complete).
            notes: the app's notes; the session adds its own (pose changes, people,
                holds) after them.
        """
        all_notes = [*notes, *self._notes]
        all_notes += summary_notes(self.frames_with_person, self.frames_several_people, self.holds)
        return VideoReport(
            source=self.source,
            video=video,
            settings=dict(settings),
            frames_decoded=frames_decoded,
            frames_analysed=self.frames_analysed,
            frames_with_person=self.frames_with_person,
            holds=tuple(self.holds),
            complete=stopped_at_s is None,
            partial_reason=partial_reason,
            stopped_at_s=stopped_at_s,
            notes=tuple(all_notes),
        )

    def thumbnails(
        self,
        frames: Iterable[tuple[int, Image]],
        draw: Callable[[Image, FrameResult], Image] | None = None,
        skip: Iterable[tuple[int, str]] = (),
    ) -> dict[tuple[int, str], bytes]:
        """JPEG thumbnails of each warned or faulted check's worst moment.

        Args:
            frames: ``(frame index, (H, W, 3) uint8 BGR image)`` in index order, read
                back by the app; iteration stops at the last frame needed (not at all
                when none is).
            draw: draws the overlay of the moment's result on the image; None when the
                images already carry it (a recording of what was shown).
            skip: moments the app already has a thumbnail of.

        Returns:
            (hold index, check id) -> JPEG bytes.
        """
        wanted: dict[int, list[tuple[tuple[int, str], FrameResult]]] = {}
        done = set(skip)
        for key, (index, result) in self.worst_moments.items():
            if key not in done:
                wanted.setdefault(index, []).append((key, result))
        out: dict[tuple[int, str], bytes] = {}
        if not wanted:
            return out
        last = max(wanted)
        for index, image in frames:
            for key, result in wanted.get(index, []):
                jpeg = thumbnail_jpeg(image if draw is None else draw(image, result))
                if jpeg is not None:
                    out[key] = jpeg
            if index >= last:
                break
        return out


class WorstFrameKeeper:
    """Keeps the frames that may turn out to be a check's worst moment as they go by, so
    ``analyze`` need not decode the video a second time for the report's thumbnails.

    The app offers each frame's image as the session returns it (:meth:`offer`); after
    each batch of frames, :meth:`update` makes the JPEG thumbnails (:func:`thumbnail_jpeg`,
    drawn as :meth:`Session.thumbnails` draws them) of the moments of holds that ended,
    then lets go of every image but the session's candidates
    (:meth:`~posecheck.judge.temporal.HoldTracker.candidate_frames`: each check's worst
    frame in the hold in progress, and the worst of the frames not yet placed). Images
    are held by reference (no copy): a batch's images, then one per firing check. A moment
    it missed (rare: a streak that broke off and came back) is read back as before,
    :meth:`Session.thumbnails` with ``skip`` the moments kept.

    Args:
        draw: draws a moment's overlay on its image (as for :meth:`Session.thumbnails`).
    """

    def __init__(self, draw: Callable[[Image, FrameResult], Image]) -> None:
        self._draw = draw
        self._frames: dict[int, Image] = {}
        #: (hold index, check id) -> JPEG bytes, for the holds ended so far.
        self.kept: dict[tuple[int, str], bytes] = {}

    def offer(self, index: int, image: Image) -> None:
        """One frame the session returned: ``image`` ``(H, W, 3)`` uint8 BGR, as the
        thumbnails show it."""
        self._frames[index] = image

    def update(self, session: Session[T]) -> None:
        """After a batch (and after :meth:`Session.finish`): thumbnails of the ended
        holds' moments held, then only the candidates' images are kept."""
        for key, (index, result) in session.worst_moments.items():
            if key in self.kept or index not in self._frames:
                continue
            jpeg = thumbnail_jpeg(self._draw(self._frames[index], result))
            if jpeg is not None:
                self.kept[key] = jpeg
        wanted = session.thumbnail_candidates()
        for index in [i for i in self._frames if i not in wanted]:
            del self._frames[index]
