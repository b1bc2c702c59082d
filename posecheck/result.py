"""Plain result types shared by geometry, rules, the renderer and the report writers.

Nothing here computes anything: these are the values that flow between the pipeline's
stages (see the package docstring) and that ``--json`` serialises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from posecheck.landmarks import Landmark, Landmarks
from posecheck.vocab import JSONObject, Severity, Side, View


@dataclass(frozen=True)
class Metric:
    """One measurement of one frame.

    ``value`` is NaN exactly when ``valid`` is false, and ``reason`` then says why
    (e.g. "needs a front view; camera sees the side"). ``unit`` is one of ``deg``,
    ``pct``, ``ratio``, ``foot_lengths``, ``count``.
    """

    value: float
    unit: str
    valid: bool
    reason: str | None = None

    def to_dict(self) -> JSONObject:
        return {
            "value": None if not self.valid or math.isnan(self.value) else round(self.value, 3),
            "unit": self.unit,
            "valid": self.valid,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Cue:
    """A piece of feedback for the student.

    Attributes:
        check: the check's stable id, e.g. ``knee_valgus_left``.
        severity: how much it matters.
        message: short, kind, actionable text in the body's own left/right.
        metric: name of the metric it is about, if any (``knee_valgus_left_deg``).
        joint: the landmark the cue points at, if any (the renderer marks it).
    """

    check: str
    severity: Severity
    message: str
    metric: str | None = None
    joint: Landmark | None = None

    def to_dict(self) -> JSONObject:
        return {"check": self.check, "severity": self.severity.value, "message": self.message}


@dataclass(frozen=True)
class CheckStatus:
    """How one check of a pose came out on one frame.

    ``severity`` is None when the check could not be judged; ``reason`` then says why.
    """

    check: str
    metric: str
    value: float
    severity: Severity | None
    reason: str | None


@dataclass(frozen=True)
class Balance:
    """Where the body's weight falls, in pixel coordinates (x right, y down).

    Attributes:
        com_px: ``(x, y)`` whole-body centre of mass in the image.
        floor_y_px: image row of the floor line under the body (lowest grounded point).
        support_x_px: ``(x_min, x_max)`` of the base of support along the floor line, or
            ``None`` when no foot or hand is grounded.
        grounded: names of grounded contacts among ``left_foot``, ``right_foot``,
            ``left_hand``, ``right_hand``.
    """

    com_px: tuple[float, float]
    floor_y_px: float
    support_x_px: tuple[float, float] | None
    grounded: tuple[str, ...]


@dataclass(frozen=True)
class FrameResult:
    """Everything posecheck says about one image or video frame.

    ``metrics`` is keyed by metric name (``knee_valgus_left_deg`` ...); ``side`` is the
    working leg named by the body (front leg in Warrior 1, standing leg in Tree and Half
    Moon), ``None`` for Bridge or when no pose is known.
    """

    source: str
    image_wh: tuple[int, int]
    landmarks: Landmarks | None
    view: View = View.UNKNOWN
    metrics: dict[str, Metric] = field(default_factory=dict)
    pose: str | None = None
    side: Side | None = None
    pose_confidence: float | None = None
    cues: tuple[Cue, ...] = ()
    checks: tuple[CheckStatus, ...] = ()
    balance: Balance | None = None
    notes: tuple[str, ...] = ()
    status: str | None = None  # e.g. "hold 12.3 s" or "transition: not scored" in video

    @property
    def person(self) -> bool:
        return self.landmarks is not None

    def to_dict(self) -> JSONObject:
        """The ``--json`` object (schema documented in the README)."""
        return {
            "source": self.source,
            "person": self.person,
            "image_wh": list(self.image_wh),
            "pose": self.pose,
            "side": self.side,
            "pose_confidence": (
                None if self.pose_confidence is None else round(self.pose_confidence, 3)
            ),
            "view": self.view.value,
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
            "cues": [c.to_dict() for c in self.cues],
            "checks": [_check_dict(c) for c in self.checks],
            "notes": list(self.notes),
            "status": self.status,
            "landmarks": None if self.landmarks is None else self.landmarks.to_list(),
        }


def _check_dict(status: CheckStatus) -> JSONObject:
    measured = status.severity is not None and not math.isnan(status.value)
    return {
        "check": status.check,
        "metric": status.metric,
        "status": status.severity.value if status.severity is not None else "not_measurable",
        "value": round(status.value, 3) if measured else None,
        "reason": status.reason,
    }
