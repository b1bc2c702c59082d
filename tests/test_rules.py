"""Checks turn metrics into cues; thresholds are read from the check, not copied."""

from __future__ import annotations

import math

import pytest

from posecheck.judge.assess import assess
from posecheck.poses.base import PoseCheck, PoseSpec, evaluate_pose
from posecheck.poses.generic import GENERIC
from posecheck.result import Metric
from posecheck.vocab import Severity
from tests.factories import camera_view, displace_knee, lift_foot, shift_feet, standing_body

KNEE = next(c for c in GENERIC.checks if c.id == "knee_valgus_left")
WEIGHT = next(c for c in GENERIC.checks if c.id == "weight_even")


def metric(value: float, unit: str = "deg") -> Metric:
    ok = not math.isnan(value)
    return Metric(value=value, unit=unit, valid=ok, reason=None if ok else "hidden")


def only(check: PoseCheck) -> PoseSpec:
    return PoseSpec(name="t", display_name="t", side_meaning=None, checks=(check,))


@pytest.mark.parametrize(
    "value,expected",
    [
        (KNEE.warn - 0.1, Severity.OK),
        (KNEE.warn, Severity.WARN),
        (KNEE.fault - 0.1, Severity.WARN),
        (KNEE.fault, Severity.FAULT),
        (-KNEE.fault, Severity.OK),  # varus is not valgus
    ],
)
def test_above_thresholds(value: float, expected: Severity) -> None:
    assert KNEE.severity(value) is expected


def test_below_and_abs_directions() -> None:
    below = PoseCheck("straight", "t", "knee_angle_left_deg", "below", 165.0, 150.0, "m", "s")
    assert below.severity(170.0) is Severity.OK
    assert below.severity(160.0) is Severity.WARN
    assert below.severity(150.0) is Severity.FAULT
    both = PoseCheck("level", "t", "pelvic_obliquity_deg", "abs_above", 5.0, 10.0, "m", "s")
    assert both.severity(-10.0) is Severity.FAULT and both.severity(6.0) is Severity.WARN


def test_unmeasurable_metric_gives_no_cue_and_says_so() -> None:
    cues, statuses = evaluate_pose(
        only(KNEE), {"knee_valgus_left_deg": metric(math.nan)}, "front", None
    )
    assert cues == () and statuses[0].severity is None and statuses[0].reason


def test_weight_check_needs_both_feet_down() -> None:
    uneven = {"weight_left_pct": metric(WEIGHT.target + WEIGHT.fault, "pct")}
    two = {**uneven, "feet_grounded": metric(2.0, "count")}
    one = {**uneven, "feet_grounded": metric(1.0, "count")}
    assert [c.check for c in evaluate_pose(only(WEIGHT), two, "front", None)[0]] == ["weight_even"]
    assert evaluate_pose(only(WEIGHT), one, "front", None)[0] == ()


def test_cues_from_a_synthetic_body_end_to_end() -> None:
    caved = camera_view(displace_knee(standing_body(), "left", KNEE.fault + 2.0))
    result = assess(caved, "synthetic", caved.image_wh)
    assert result.pose is None
    assert [c.check for c in result.cues] == ["knee_valgus_left"]
    assert result.cues[0].severity is Severity.FAULT
    straight = camera_view(shift_feet(standing_body(), 0.15))
    assert assess(straight, "synthetic", straight.image_wh).cues == ()
    one_leg = camera_view(lift_foot(standing_body(), "right", 0.3))
    assert all(c.check != "weight_even" for c in assess(one_leg, "s", one_leg.image_wh).cues)
