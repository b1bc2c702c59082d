"""A lying body (Bridge) is recognised from the side and from above its feet, and gets
no centre of mass over the feet and no weight split. Synthetic bodies, no model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.judge.assess import LYING_REASON, WEIGHT_ON_FEET_METRICS, assess
from posecheck.judge.recognition import LYING_TRUNK_AWAY, lying_body, recognise
from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.outputs.overlay import OverlayStyle, _panel_rows, _Sizes
from posecheck.poses.bridge import BRIDGE
from posecheck.poses.features import features
from tests import pose_bodies as pb
from tests.factories import FloatArray, camera_view, standing_body

#: Bridge's camera placement from the feet looks down at about 55 deg (BRIDGE.cameras).
FEET_CAMERA_DOWN_DEG = 55.0


def pitched_camera(body: FloatArray, down_deg: float) -> Landmarks:
    """``body`` photographed from in front of it (its +z; for Bridge: its feet end) by a
    camera looking ``down_deg`` below level: the level camera of ``camera_view`` with the
    body turned about its x axis by the same angle (its far end up)."""
    t = math.radians(down_deg)
    rot = np.array([[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]])
    return camera_view(body @ rot.T)


def test_the_feet_camera_is_the_one_bridge_recommends() -> None:
    front = next(c for c in BRIDGE.cameras if c.view == "front")
    assert f"{FEET_CAMERA_DOWN_DEG:.0f} deg" in front.where


def test_bridge_from_above_its_feet_is_recognised_and_lying() -> None:
    lm = pitched_camera(pb.bridge(), FEET_CAMERA_DOWN_DEG)
    rec = recognise(lm)
    assert rec.pose == "bridge"
    assert rec.side is None
    assert rec.lying
    # The same body from its side, level, is recognised by the side-view conditions.
    side = recognise(camera_view(pb.bridge(), yaw_deg=90.0))
    assert side.pose == "bridge" and side.lying


def test_from_above_the_feet_the_trunk_runs_into_the_picture() -> None:
    # Derived: the trunk slopes down from the lifted hips to the shoulders by some angle
    # a; a camera looking down at 55 deg sees it at 55 - a from its line of sight, so the
    # depth share of its direction is cos(55 - a).
    body = pb.bridge()
    hips = (body[L.LEFT_HIP] + body[L.RIGHT_HIP]) / 2
    shoulders = (body[L.LEFT_SHOULDER] + body[L.RIGHT_SHOULDER]) / 2
    trunk = shoulders - hips
    slope_deg = math.degrees(math.atan2(-trunk[1], math.hypot(trunk[0], trunk[2])))
    f = features(pitched_camera(body, FEET_CAMERA_DOWN_DEG))
    expected = math.cos(math.radians(FEET_CAMERA_DOWN_DEG - slope_deg))
    assert f.trunk_away == pytest.approx(expected, abs=1e-6)
    assert f.trunk_away >= LYING_TRUNK_AWAY


@pytest.mark.parametrize("down_deg", [0.0, 30.0, FEET_CAMERA_DOWN_DEG])
def test_a_standing_body_is_not_lying_nor_bridge_from_any_camera_height(down_deg: float) -> None:
    # From a high camera the trunk points toward it (shoulders nearer than the hips).
    lm = pitched_camera(standing_body(), down_deg)
    rec = recognise(lm)
    assert rec.pose != "bridge"
    assert not rec.lying
    assert features(lm).trunk_away <= 0.0


def test_half_moons_horizontal_trunk_is_not_lying() -> None:
    for yaw in (0.0, 90.0):
        lm = camera_view(pb.half_moon("left"), yaw_deg=yaw)
        assert not lying_body(features(lm))


def test_a_lying_body_gets_no_centre_of_mass_nor_weight_split() -> None:
    lm = pitched_camera(pb.bridge(), FEET_CAMERA_DOWN_DEG)
    result = assess(lm, "synthetic", lm.image_wh)
    assert result.pose == "bridge"
    assert result.balance is None
    for name in WEIGHT_ON_FEET_METRICS:
        metric = result.metrics[name]
        assert not metric.valid and math.isnan(metric.value)
        assert metric.reason == LYING_REASON
    # ...so the one Bridge check that reads the weight is not judged
    weight = next(s for s in result.checks if s.check == "weight_even")
    assert weight.severity is None
    # and the overlay's panel has no weight bar and no "weight n/a" line
    sizes = _Sizes.of(lm.image_wh, OverlayStyle())
    rows = _panel_rows(result, lm.xy_px, OverlayStyle(), sizes)
    assert all(row.weight is None and not row.text.startswith("weight") for row in rows)


def test_a_standing_body_keeps_its_centre_of_mass_and_weight_split() -> None:
    lm = camera_view(pb.tree("left"))  # one foot down: the split is measurable (100/0)
    result = assess(lm, "synthetic", lm.image_wh)
    assert not recognise(lm).lying
    assert result.balance is not None
    assert result.metrics["weight_left_pct"].valid
    sizes = _Sizes.of(lm.image_wh, OverlayStyle())
    rows = _panel_rows(result, lm.xy_px, OverlayStyle(), sizes)
    assert any(row.weight is not None for row in rows)
