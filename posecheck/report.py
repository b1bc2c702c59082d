"""The video report: plain types and their JSON form. No computation, no I/O.

``report.json`` is ``VideoReport.to_dict()``; its schema is versioned by
:data:`SCHEMA_VERSION` and documented in the README. Times are seconds from the start of
the video (presentation time of the decoded frames, made strictly increasing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from posecheck.vocab import PartialReason

SCHEMA_VERSION = 1

#: A value of ``settings``: what the run was asked to do (pose, stride, model, ...).
Setting = str | int | float | bool | None


class CheckScoreDict(TypedDict):
    """The JSON form of :class:`CheckScore`."""

    check: str
    title: str
    metric: str
    frames_judged: int
    frames_total: int
    aligned_pct: float | None
    worst_value: float | None
    worst_time_s: float | None
    worst_severity: str | None
    score: float | None
    reason: str | None


class HoldDict(TypedDict):
    """The JSON form of :class:`Hold`."""

    index: int
    pose: str
    side: str | None
    start_s: float | None
    end_s: float | None
    duration_s: float | None
    frames: int
    confidence: float | None
    view: str
    score: float | None
    sway_pct: float | None
    checks: list[CheckScoreDict]
    #: How many of ``checks`` were judged (have a score) and how many there are: the
    #: score covers ``checks_judged`` of ``checks_total``. Absent in older files.
    checks_judged: NotRequired[int]
    checks_total: NotRequired[int]


class VideoInfoDict(TypedDict):
    """The JSON form of :class:`VideoInfo`."""

    path: str
    width: int
    height: int
    fps: float | None
    duration_s: float | None
    rotation_deg: int
    codec: str


class PeopleDict(TypedDict):
    """The JSON form of :class:`PeopleSeen` (the still itself is not in it)."""

    count: int
    followed: int | None
    first_seen_s: float | None
    hips_px: list[list[float]]


class VideoReportDict(TypedDict):
    """``report.json``: the JSON form of :class:`VideoReport`.

    ``partial_reason`` is null, or a :class:`~posecheck.vocab.PartialReason` value; files
    written before it existed lack the key (``complete`` and ``notes`` still tell).
    """

    schema_version: int
    source: str
    video: VideoInfoDict
    settings: dict[str, Setting]
    complete: bool
    partial_reason: str | None
    stopped_at_s: float | None
    frames_decoded: int
    frames_analysed: int
    frames_with_person: int
    holds: list[HoldDict]
    notes: list[str]
    outputs: dict[str, str]
    #: The people numbered for ``--person`` (null when one person was seen and no
    #: ``--person`` was given). Absent in older files.
    people: NotRequired[PeopleDict | None]


def _num(x: float | None, digits: int = 3) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


@dataclass(frozen=True)
class CheckScore:
    """How one check went over one hold.

    Attributes:
        check, title, metric: the check (metric name resolved for the hold's side).
        frames_judged: frames of the hold where the check could be judged.
        frames_total: frames in the hold.
        aligned_pct: share of judged time in alignment (status ok or info), in %.
        worst_value: the metric's value furthest on the wrong side, or None.
        worst_time_s: when it happened.
        worst_severity: ``ok``/``info``/``warn``/``fault`` at that moment.
        score: 0-100, see :func:`posecheck.judge.temporal.check_score` for the formula; None
            when never judged.
        reason: why the check was never judged, if it was not.
    """

    check: str
    title: str
    metric: str
    frames_judged: int
    frames_total: int
    aligned_pct: float | None
    worst_value: float | None
    worst_time_s: float | None
    worst_severity: str | None
    score: float | None
    reason: str | None = None

    def to_dict(self) -> CheckScoreDict:
        """The JSON form (numbers rounded, non-finite ones null)."""
        return {
            "check": self.check,
            "title": self.title,
            "metric": self.metric,
            "frames_judged": self.frames_judged,
            "frames_total": self.frames_total,
            "aligned_pct": _num(self.aligned_pct, 1),
            "worst_value": _num(self.worst_value),
            "worst_time_s": _num(self.worst_time_s),
            "worst_severity": self.worst_severity,
            "score": _num(self.score, 1),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Hold:
    """A pose held steadily from ``start_s`` to ``end_s`` (transitions excluded)."""

    index: int
    pose: str
    side: str | None
    start_s: float
    end_s: float
    frames: int
    confidence: float
    view: str
    checks: tuple[CheckScore, ...]
    score: float | None
    sway_pct: float | None = None  # SD of the COM's horizontal position, % of leg length

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def checks_judged(self) -> int:
        """How many of the hold's checks were judged (have a score): the hold's score
        covers these only."""
        return sum(c.score is not None for c in self.checks)

    @property
    def checks_total(self) -> int:
        """How many checks the hold's pose has (judged or not)."""
        return len(self.checks)

    def to_dict(self) -> HoldDict:
        """The JSON form (numbers rounded, non-finite ones null)."""
        return {
            "index": self.index,
            "pose": self.pose,
            "side": self.side,
            "start_s": _num(self.start_s),
            "end_s": _num(self.end_s),
            "duration_s": _num(self.duration_s),
            "frames": self.frames,
            "confidence": _num(self.confidence),
            "view": self.view,
            "score": _num(self.score, 1),
            "sway_pct": _num(self.sway_pct, 2),
            "checks": [c.to_dict() for c in self.checks],
            "checks_judged": self.checks_judged,
            "checks_total": self.checks_total,
        }


@dataclass(frozen=True)
class VideoInfo:
    """What the input video is (after rotation to upright)."""

    path: str
    width: int
    height: int
    fps: float
    duration_s: float | None
    rotation_deg: int
    codec: str

    def to_dict(self) -> VideoInfoDict:
        """The JSON form (numbers rounded, non-finite ones null)."""
        return {
            "path": self.path,
            "width": self.width,
            "height": self.height,
            "fps": _num(self.fps),
            "duration_s": _num(self.duration_s),
            "rotation_deg": self.rotation_deg,
            "codec": self.codec,
        }


@dataclass(frozen=True)
class PeopleSeen:
    """The people of the frame where they were numbered for ``--person N``.

    That frame is the first with more than one person, or with ``--person N`` the one
    the person was picked in (the first with at least N people).

    Attributes:
        count: how many people were found in that frame.
        followed: the number (1 = leftmost) of the person followed there: ``--person``,
            or without it the largest; None when ``--person`` exceeds ``count``.
        first_seen_s: the frame's time, seconds from the start of the video.
        hips_px: each person's mid-hip ``(x, y)``, left to right, in pixels of the upright
            video (``VideoInfo.width`` x ``height``, origin top left, y down).
        still_jpeg: that frame, small, with each number drawn at its mid-hip (the
            followed one highlighted); JPEG bytes for ``report.html``, not in the JSON.
    """

    count: int
    followed: int | None
    first_seen_s: float
    hips_px: tuple[tuple[float, float], ...]
    still_jpeg: bytes | None = field(default=None, repr=False)

    def to_dict(self) -> PeopleDict:
        """The JSON form (pixels to 0.1, the time to the millisecond; no still)."""
        return {
            "count": self.count,
            "followed": self.followed,
            "first_seen_s": _num(self.first_seen_s),
            "hips_px": [[round(x, 1), round(y, 1)] for x, y in self.hips_px],
        }


@dataclass(frozen=True)
class VideoReport:
    """Everything ``posecheck analyze`` says about one video.

    ``complete`` is false when the report covers only part of the video: decoding
    stopped early or the run was cut short. ``partial_reason`` then says why (typed),
    ``stopped_at_s`` where, and ``notes`` explain in words. ``people`` is set when more
    than one person was seen or ``--person`` was given.
    """

    source: str
    video: VideoInfo
    settings: dict[str, Setting]
    frames_decoded: int
    frames_analysed: int
    frames_with_person: int
    holds: tuple[Hold, ...]
    complete: bool = True
    stopped_at_s: float | None = None
    notes: tuple[str, ...] = ()
    outputs: dict[str, str] = field(default_factory=dict)
    partial_reason: PartialReason | None = None
    people: PeopleSeen | None = None

    def to_dict(self) -> VideoReportDict:
        """``report.json``'s content: every field, ``partial_reason`` as its value or None."""
        return {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "video": self.video.to_dict(),
            "settings": dict(self.settings),
            "complete": self.complete,
            "partial_reason": None if self.partial_reason is None else self.partial_reason.value,
            "stopped_at_s": _num(self.stopped_at_s),
            "frames_decoded": self.frames_decoded,
            "frames_analysed": self.frames_analysed,
            "frames_with_person": self.frames_with_person,
            "holds": [h.to_dict() for h in self.holds],
            "notes": list(self.notes),
            "outputs": dict(self.outputs),
            "people": None if self.people is None else self.people.to_dict(),
        }
