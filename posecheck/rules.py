"""Checks: metric thresholds that turn measurements into cues. Pure, no I/O.

A :class:`Check` reads one metric and compares it with a warn and a fault threshold. A
check whose metric is not measurable in this frame (wrong view, joint hidden) gives no
cue: :func:`evaluate` reports it as not measurable instead of guessing.

These are the pose-independent checks used when no pose is known. Per-pose rules
(Warrior 1, Tree, Half Moon, Bridge) build on the same :class:`Check` type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from posecheck.landmarks import Landmark
from posecheck.result import Cue, Metric, Severity

Direction = Literal["above", "below", "abs_above"]


@dataclass(frozen=True)
class Check:
    """One threshold check on one metric.

    Attributes:
        id: stable identifier, used in JSON (``cues[].check``).
        metric: the metric name it reads.
        direction: ``above`` fires when value >= threshold, ``below`` when value <=
            threshold, ``abs_above`` when |value| >= threshold.
        warn: threshold for a warning.
        fault: threshold for a fault (beyond ``warn`` in the firing direction).
        message: the cue, in the student's own left/right.
        source: where the thresholds come from.
        joint: the landmark the renderer marks for this check.
        needs_feet_grounded: the check applies only with this many feet on the floor.
    """

    id: str
    metric: str
    direction: Direction
    warn: float
    fault: float
    message: str
    source: str
    joint: Landmark | None = None
    needs_feet_grounded: int | None = None

    def applies(self, metrics: Mapping[str, Metric]) -> bool:
        """Whether the check means anything in this frame (e.g. a weight split needs
        both feet on the floor)."""
        if self.needs_feet_grounded is None:
            return True
        feet = metrics.get("feet_grounded")
        return feet is not None and feet.valid and feet.value == self.needs_feet_grounded

    def severity(self, value: float) -> Severity:
        """Severity for a measured ``value`` (``ok`` when it does not fire)."""
        if math.isnan(value):
            return Severity.OK
        if self.direction == "below":
            x, warn, fault = -value, -self.warn, -self.fault
        elif self.direction == "abs_above":
            x, warn, fault = abs(value), self.warn, self.fault
        else:
            x, warn, fault = value, self.warn, self.fault
        if x >= fault:
            return Severity.FAULT
        if x >= warn:
            return Severity.WARN
        return Severity.OK


KNEE_VALGUS_SOURCE = (
    "FPPA norms in single-leg landing 1-9 deg (men), 5-12 deg (women), Munro 2012; "
    "2D error 2-4 deg, Gwynne & Curran 2014. Starting values, to be tuned per pose."
)

GENERIC_CHECKS: tuple[Check, ...] = (
    Check(
        id="knee_valgus_left",
        metric="knee_valgus_left_deg",
        direction="above",
        warn=10.0,
        fault=15.0,
        message="Left knee drifting toward the midline: press it out over the second toe",
        source=KNEE_VALGUS_SOURCE,
        joint=Landmark.LEFT_KNEE,
    ),
    Check(
        id="knee_valgus_right",
        metric="knee_valgus_right_deg",
        direction="above",
        warn=10.0,
        fault=15.0,
        message="Right knee drifting toward the midline: press it out over the second toe",
        source=KNEE_VALGUS_SOURCE,
        joint=Landmark.RIGHT_KNEE,
    ),
    Check(
        id="pelvis_level",
        metric="pelvic_obliquity_deg",
        direction="abs_above",
        warn=5.0,
        fault=10.0,
        message="Hips uneven: level the pelvis, lengthen the low side's waist",
        source="Starting value (DESIGN.md); validate per pose: in Tree the lifted leg "
        "drags MediaPipe's hip landmark by ~13 deg.",
    ),
    Check(
        id="weight_even",
        metric="weight_left_pct",
        direction="abs_above",
        warn=20.0,
        fault=30.0,
        message="Weight landing unevenly: share it between both feet",
        source="Two-foot stance: beyond 70/30 warns, 80/20 faults (starting values, wide "
        "because the estimate's error is ~+-20 % at hip-width stances). "
        "Image-only estimate, r 0.2-0.3 with force plates (Scott 2022).",
        needs_feet_grounded=2,
    ),
)


def _value_for(check: Check, metric: Metric) -> float:
    # Weight is checked as its distance from an even 50/50 split.
    if check.metric == "weight_left_pct":
        return metric.value - 50.0
    return metric.value


def evaluate(
    checks: Iterable[Check], metrics: Mapping[str, Metric]
) -> tuple[tuple[Cue, ...], dict[str, Severity | None]]:
    """Run ``checks`` on one frame's ``metrics``.

    Returns:
        ``(cues, status)``: cues for checks that fired (worst first), and for every check
        id its severity, or None when its metric is not measurable in this frame.
    """
    cues: list[Cue] = []
    status: dict[str, Severity | None] = {}
    for check in checks:
        metric = metrics.get(check.metric)
        if metric is None or not metric.valid or not check.applies(metrics):
            status[check.id] = None
            continue
        severity = check.severity(_value_for(check, metric))
        status[check.id] = severity
        if severity is not Severity.OK:
            cues.append(
                Cue(
                    check=check.id,
                    severity=severity,
                    message=check.message,
                    metric=check.metric,
                    joint=check.joint,
                )
            )
    order = {Severity.FAULT: 0, Severity.WARN: 1, Severity.INFO: 2, Severity.OK: 3}
    cues.sort(key=lambda c: order[c.severity])
    return tuple(cues), status
