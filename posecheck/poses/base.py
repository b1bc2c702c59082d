"""The pose-rule framework: a pose declares its checks; :func:`evaluate_pose` runs them.

A :class:`PoseCheck` names a metric by template: ``{side}`` is the working leg (front leg
in Warrior 1, standing leg in Tree and Half Moon) and ``{other}`` the other one, so
``knee_angle_{other}_deg`` is Warrior 1's back knee. Each check also says from which
camera views it can be judged; from any other view it reports "not measurable from this
view" instead of firing. Thresholds are typed fields with their source, in one place per
pose (that pose's module).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from posecheck.landmarks import Landmark
from posecheck.poses.features import RecognitionRule
from posecheck.result import CheckStatus, Cue, Metric
from posecheck.vocab import Severity, Side, other_side

# CheckStatus is defined in posecheck.result (with the other result types) and named here
# too, as part of the framework's vocabulary.
__all__ = [
    "ALL_VIEWS",
    "CheckStatus",
    "Direction",
    "PoseCheck",
    "PoseSpec",
    "ViewName",
    "evaluate_pose",
]

Direction = Literal["above", "below", "abs_above"]
ViewName = Literal["front", "oblique", "side"]
ALL_VIEWS: tuple[ViewName, ...] = ("front", "oblique", "side")


MissionRow = Literal["knee", "hips", "weight", "hip_action"]
#: The mission matrix's rows, in order, with their names for people: what posecheck is
#: for (knee pain often starts at the hip), judged in each of the four poses.
MISSION_ROWS: dict[MissionRow, str] = {
    "knee": "knee toward the midline",
    "hips": "hip symmetry",
    "weight": "weight distribution",
    "hip_action": "the article's hip action",
}


@dataclass(frozen=True)
class PoseCheck:
    """One check of one pose.

    Attributes:
        id: stable identifier, e.g. ``front_knee_over_ankle`` (JSON ``cues[].check``).
        title: short human name for listings.
        metric: metric name template (``{side}`` / ``{other}`` are filled in).
        direction: ``above``: fires when ``value - target >= threshold``; ``below``: when
            ``value - target <= threshold``; ``abs_above``: when ``|value - target| >=
            threshold``.
        warn, fault: thresholds (``fault`` lies beyond ``warn``).
        target: subtracted from the value before comparing (e.g. 90 for a 90 deg knee).
        views: camera views the check can be judged from.
        message: the cue, short, kind, actionable, in the seed article's voice.
        source: where the numbers come from.
        joint: landmark template the renderer marks (``{side}``-resolved name of a
            :class:`Landmark` member, e.g. ``"{SIDE}_KNEE"``).
        max_severity: cap for checks whose metric is not yet validated for this pose
            (``info`` = shown but never a warning).
        needs_feet_grounded: only judged with this many feet on the floor.
        unreliable: why the check is switched off, with the figure measured against
            rendered truth (``benchmarks/accuracy.py``); None when it is on. An
            unreliable check is listed but never judged (but see ``on_with_correction``).
        on_with_correction: the check is judged on frames the landmark correction
            (``--correct``) moved, and only there: its figures meet the bar on held-out
            bodies as corrected, not as MediaPipe reads them (``unreliable`` then says why
            it is off without the correction).
        mission: the row of the mission matrix the check serves (:data:`MISSION_ROWS`:
            the knee toward the midline, hip symmetry, weight, the article's hip action),
            or None for the pose's other checks.
    """

    id: str
    title: str
    metric: str
    direction: Direction
    warn: float
    fault: float
    message: str
    source: str
    views: tuple[ViewName, ...] = ALL_VIEWS
    target: float = 0.0
    joint: str | None = None
    max_severity: Severity = Severity.FAULT
    needs_feet_grounded: int | None = None
    unreliable: str | None = None
    mission: MissionRow | None = None
    on_with_correction: bool = False

    def __post_init__(self) -> None:
        beyond = self.fault >= self.warn if self.direction != "below" else self.fault <= self.warn
        if not beyond:
            raise ValueError(f"{self.id}: fault threshold must lie beyond the warn threshold")
        if self.on_with_correction and self.unreliable is None:
            raise ValueError(
                f"{self.id}: on_with_correction needs the reason it is off without it (unreliable)"
            )

    def is_on(self, corrected: bool = False) -> bool:
        """Whether the check is judged: always when reliable; with the landmark
        correction on (``corrected``: the frame's landmarks were corrected) when it is
        on only with the correction."""
        return self.unreliable is None or (self.on_with_correction and corrected)

    @property
    def state(self) -> str:
        """``on``, ``on with --correct`` or ``off``: the mission matrix's words."""
        if self.unreliable is None:
            return "on"
        return "on with --correct" if self.on_with_correction else "off"

    def metric_name(self, side: Side | None) -> str:
        """The concrete metric name for the working ``side`` (None: the pose has no
        working side, and its templates name no side: ``left`` fills them)."""
        side = side or "left"
        return self.metric.format(side=side, other=other_side(side))

    def joint_for(self, side: Side | None) -> Landmark | None:
        """The landmark the renderer marks for the working ``side``, or None."""
        if self.joint is None:
            return None
        side = side or "left"
        return Landmark[self.joint.format(SIDE=side.upper(), OTHER=other_side(side).upper())]

    def severity(self, value: float) -> Severity:
        """Severity of a measured ``value`` (``ok`` when the check passes)."""
        if math.isnan(value):
            return Severity.OK
        x = value - self.target
        if self.direction == "below":
            x, warn, fault = -x, -self.warn, -self.fault
        elif self.direction == "abs_above":
            x, warn, fault = abs(x), self.warn, self.fault
        else:
            warn, fault = self.warn, self.fault
        if x >= fault:
            found = Severity.FAULT
        elif x >= warn:
            found = Severity.WARN
        else:
            return Severity.OK
        return found.capped(self.max_severity)

    def describe_threshold(self) -> str:
        """e.g. ``"|value - 90| >= 15 warn, >= 25 fault"`` for listings."""
        v = "value" if self.target == 0 else f"value - {self.target:g}"
        op = {"above": ">=", "below": "<=", "abs_above": ">="}[self.direction]
        lhs = f"|{v}|" if self.direction == "abs_above" else v
        cap = (
            "" if self.max_severity is Severity.FAULT else f" (shown as {self.max_severity.value})"
        )
        return f"{lhs} {op} {self.warn:g} warn, {op} {self.fault:g} fault{cap}"


@dataclass(frozen=True)
class CameraPlacement:
    """Where to put the camera for one view of a pose, for people (``posecheck poses``,
    the report, live).

    Attributes:
        view: the body-relative view this placement gives (``front``, ``oblique``,
            ``side``): the checks whose ``views`` name it are judged from here.
        where: where the camera stands, in words (``at the front leg's side``).
        height_m: lens height above the floor, (low, high) metres.
        distance_m: distance from the body, (near, far) metres: the whole body, arms
            included, must fit the picture.
    """

    view: Literal["front", "oblique", "side"]
    where: str
    height_m: tuple[float, float]
    distance_m: tuple[float, float]

    def describe(self) -> str:
        """``at the front leg's side, lens 0.8-1 m high, 3-4 m away``."""
        (h0, h1), (d0, d1) = self.height_m, self.distance_m
        return f"{self.where}, lens {h0:g}-{h1:g} m high, {d0:g}-{d1:g} m away"


@dataclass(frozen=True)
class PoseSpec:
    """A pose, whole: its name and labels, its checks, and how it is recognised.

    Attributes:
        name: the registry key (``--pose`` choice, JSON ``pose``).
        display_name: how people read it (``Warrior 1``): listings, overlay, HTML report.
        side_meaning: what the working side is (``front leg``, ``standing leg``), or None
            for a pose without one (Bridge).
        checks: the pose's checks, in listing order.
        summary: one line for ``posecheck poses``.
        side_label: the overlay header's word for the side (``standing`` in ``Tree
            (standing: left)``); None exactly when ``side_meaning`` is.
        recognition: how the pose is recognised (its conditions, score and side rule);
            None only for a check set that is no pose (the generic checks): the registry
            refuses a spec without one.
        cameras: where to film the pose from, best first (see :func:`camera_advice`).

    ``min_trunk_tilt_deg``: when set, no check is judged on a frame whose trunk reads
    nearer vertical than this (metric ``trunk_tilt_deg``): the landmarks do not show the
    pose, whatever the user or recognition said. Half Moon filmed end-on (from its head
    or feet) is read by MediaPipe as a near-upright trunk (per-clip medians mostly 3-30
    deg, at most 66, against 96-135 from the chest side or 45 deg); told the pose
    there, its checks measured that phantom and cued on aligned clips
    (benchmarks/accuracy.py). 60 lies between, and inside recognition's 90 +- 40.
    """

    name: str
    display_name: str
    side_meaning: str | None  # "front leg", "standing leg", or None (Bridge)
    checks: tuple[PoseCheck, ...]
    summary: str = ""
    min_trunk_tilt_deg: float | None = None
    side_label: str | None = None
    recognition: RecognitionRule | None = None
    cameras: tuple[CameraPlacement, ...] = ()

    def __post_init__(self) -> None:
        ids = [c.id for c in self.checks]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{self.name}: duplicate check ids")
        if (self.side_label is None) != (self.side_meaning is None):
            raise ValueError(f"{self.name}: side_label and side_meaning go together")
        rule = self.recognition
        if rule is not None and (rule.side_rule is None) != (self.side_meaning is None):
            raise ValueError(
                f"{self.name}: a pose with a working side needs a side rule, and only it"
            )

    def recognition_rule(self) -> RecognitionRule:
        """:attr:`recognition`, which every registered pose has.

        Raises:
            ValueError: for a spec without one (the generic checks).
        """
        if self.recognition is None:
            raise ValueError(f"{self.name} has no recognition rule: it is not a pose")
        return self.recognition


def judged_from(
    spec: PoseSpec, placement: CameraPlacement, corrected: bool = False
) -> tuple[PoseCheck, ...]:
    """The checks of ``spec`` that are on (:meth:`PoseCheck.is_on`; ``corrected``: with
    the landmark correction) and that ``placement``'s view judges."""
    return tuple(c for c in spec.checks if c.is_on(corrected) and placement.view in c.views)


def camera_advice(spec: PoseSpec, unjudged: Iterable[str], corrected: bool = False) -> str | None:
    """Which camera placement would judge the checks in ``unjudged`` (check ids not
    judged from the current view), in words; None when none of them would be.

    The placement judging most of them wins (ties: the pose's order of ``cameras``)::

        "film Bridge from beside the mat, level with the hips, lens 0.3-0.5 m high,
         2-3 m away to check: hips lifted, left knee over ankle, right knee over ankle"
    """
    best = best_placement(spec, unjudged, corrected)
    if best is None:
        return None
    placement, titles = best
    return f"film {spec.display_name} from {placement.describe()} to check: {', '.join(titles)}"


def best_placement(
    spec: PoseSpec, unjudged: Iterable[str], corrected: bool = False
) -> tuple[CameraPlacement, tuple[str, ...]] | None:
    """The placement :func:`camera_advice` names for ``unjudged``, with the titles of the
    checks it would judge (that are on; ``corrected``: with the landmark correction);
    None when no placement judges any of them."""
    wanted = set(unjudged)
    best: tuple[CameraPlacement, tuple[str, ...]] | None = None
    for placement in spec.cameras:
        titles = tuple(c.title for c in judged_from(spec, placement, corrected) if c.id in wanted)
        if titles and (best is None or len(titles) > len(best[1])):
            best = (placement, titles)
    return best


#: How the reason of a check that is off (:meth:`PoseCheck.is_on`) begins, in a
#: :class:`CheckStatus` and in the hold scores built from it.
SWITCHED_OFF = "switched off"


def switched_off(reason: str | None) -> bool:
    """Whether a status's ``reason`` says its check was off on that frame."""
    return reason is not None and reason.startswith(SWITCHED_OFF)


def evaluate_pose(
    spec: PoseSpec,
    metrics: Mapping[str, Metric],
    view: str,
    side: Side | None,
    corrected: bool = False,
) -> tuple[tuple[Cue, ...], tuple[CheckStatus, ...]]:
    """Run every check of ``spec`` on one frame.

    Args:
        metrics: the frame's metrics by name.
        view: the frame's camera view (``front``/``oblique``/``side``/``unknown``).
        side: the working leg (``left``/``right``), or None for Bridge.
        corrected: the metrics were measured on landmarks the landmark correction moved
            (checks that are on only with it are judged).
    Returns:
        ``(cues, statuses)``: cues worst first, and one status per check in order.
    """
    cues: list[Cue] = []
    statuses: list[CheckStatus] = []
    feet = metrics.get("feet_grounded")
    upright = _upright_reason(spec, metrics.get("trunk_tilt_deg"))
    for check in spec.checks:
        name = check.metric_name(side)
        metric = metrics.get(name)
        value = metric.value if metric is not None else math.nan
        reason: str | None = None
        if not check.is_on(corrected):
            reason = f"{SWITCHED_OFF}: {check.unreliable}"
        elif upright is not None:
            reason = upright
        elif view not in check.views:
            reason = f"not measurable from this view ({view}); needs {'/'.join(check.views)}"
        elif metric is None:
            reason = f"unknown metric {name}"
        elif not metric.valid:
            reason = f"not measurable: {metric.reason}"
        elif check.needs_feet_grounded is not None and not (
            feet is not None and feet.valid and feet.value == check.needs_feet_grounded
        ):
            reason = f"needs {check.needs_feet_grounded} foot/feet on the floor"
        if reason is not None:
            statuses.append(CheckStatus(check.id, name, math.nan, None, reason))
            continue
        severity = check.severity(value)
        statuses.append(CheckStatus(check.id, name, value, severity, None))
        if severity is not Severity.OK:
            cues.append(
                Cue(
                    check=check.id,
                    severity=severity,
                    message=check.message,
                    metric=name,
                    joint=check.joint_for(side),
                )
            )
    cues.sort(key=lambda c: -c.severity.rank)
    return tuple(cues), tuple(statuses)


def _upright_reason(spec: PoseSpec, tilt: Metric | None) -> str | None:
    """Why no check of ``spec`` can be judged on a frame whose trunk reads too upright
    (see :attr:`PoseSpec.min_trunk_tilt_deg`), or None."""
    if spec.min_trunk_tilt_deg is None or tilt is None or not tilt.valid:
        return None
    if tilt.value >= spec.min_trunk_tilt_deg:
        return None
    return (
        f"not measurable: the trunk reads {tilt.value:.0f} deg from vertical and "
        f"{spec.display_name} needs at least {spec.min_trunk_tilt_deg:.0f} (not in the "
        "pose, or filmed end-on?)"
    )
