"""Geometry against answers derived by hand from synthetic bodies (tests/factories.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.measure import geometry as g
from tests.factories import (
    HIP_HALF_WIDTH,
    camera_view,
    displace_knee,
    lean_trunk,
    lift_foot,
    raise_hip,
    shift_feet,
    standing_body,
    swing_thigh,
)


def measure(lm: Landmarks) -> tuple[str, dict[str, g.Measure]]:
    view, metrics = g.measure_all(lm.xy_px, lm.visibility, lm.world)
    return str(view), metrics


def value(lm: Landmarks, name: str) -> float:
    return float(measure(lm)[1][name].value)


def reason(lm: Landmarks, name: str) -> str:
    return str(measure(lm)[1][name].reason)


# ----------------------------------------------------------------------------- knee valgus


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("fppa", [4.0, 10.0, 17.5, -8.0])
@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("image_wh", [(640, 480), (720, 1280)])
def test_knee_displaced_toward_midline_reads_that_angle(
    side: str, fppa: float, mirror: bool, image_wh: tuple[int, int]
) -> None:
    lm = camera_view(displace_knee(standing_body(), side, fppa), image_wh=image_wh)
    if mirror:
        lm = lm.mirrored()
    assert value(lm, f"knee_valgus_{side}_deg") == pytest.approx(fppa, abs=1e-6)
    other = "right" if side == "left" else "left"
    assert value(lm, f"knee_valgus_{other}_deg") == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("side", ["left", "right"])
def test_medial_displacement_is_offset_over_leg_length(side: str) -> None:
    fppa = 12.0
    body = displace_knee(standing_body(), side, fppa)
    h = 0.90 - 0.08
    offset = (h / 2) * math.tan(math.radians(fppa) / 2)
    leg = 2 * math.hypot(h / 2, offset)
    lm = camera_view(body)
    assert value(lm, f"knee_medial_disp_{side}_pct") == pytest.approx(100 * offset / leg)


@pytest.mark.parametrize(("lean", "measured"), [(45.0, True), (75.0, False)])
def test_knee_valgus_is_judged_under_an_upright_trunk(lean: float, measured: bool) -> None:
    # a 10 deg cave under a trunk leaning 45 deg (a squat) reads 10; with the trunk 75 deg
    # from vertical (past MAX_TRUNK_TILT_FOR_VALGUS_DEG, lying as in Bridge) it is off
    lm = camera_view(lean_trunk(displace_knee(standing_body(), "left", 10.0), lean))
    if measured:
        assert value(lm, "knee_valgus_left_deg") == pytest.approx(10.0, abs=1e-6)
    else:
        assert reason(lm, "knee_valgus_left_deg").startswith("trunk lying")
        assert reason(lm, "knee_medial_disp_left_pct").startswith("trunk lying")


def test_knee_valgus_needs_the_trunk_in_the_picture() -> None:
    """A trunk tipped 55 deg toward the camera is under the 60 deg tilt limit but shows
    cos(55) = 0.57 of its length, under MIN_TRUNK_SHOWN_FOR_VALGUS: the knees are not
    judged (a lying Bridge filmed from above its feet looks like this to MediaPipe's
    camera-pitched world). At 45 deg it shows 0.71 and the 10 deg cave reads 10."""
    assert (
        math.cos(math.radians(55.0)) < g.MIN_TRUNK_SHOWN_FOR_VALGUS < math.cos(math.radians(45.0))
    )
    tipped = camera_view(lean_trunk(displace_knee(standing_body(), "left", 10.0), 55.0))
    assert reason(tipped, "knee_valgus_left_deg").startswith("trunk lying or pointing")
    assert reason(tipped, "knee_medial_disp_left_pct").startswith("trunk lying or pointing")


def test_knee_valgus_needs_a_front_view() -> None:
    lm = camera_view(displace_knee(standing_body(), "left", 10.0), yaw_deg=80.0)
    assert math.isnan(value(lm, "knee_valgus_left_deg"))
    assert "front view" in reason(lm, "knee_valgus_left_deg")


def test_hidden_knee_is_not_measured() -> None:
    vis = np.ones(33)
    vis[L.LEFT_KNEE] = 0.1
    lm = camera_view(standing_body(), visibility=vis)
    assert math.isnan(value(lm, "knee_valgus_left_deg"))
    assert reason(lm, "knee_valgus_left_deg") == "left leg not visible"
    assert not math.isnan(value(lm, "knee_valgus_right_deg"))


def test_fppa_yaw_artefact_matches_projection_of_a_bent_leg() -> None:
    # A knee bent 60 deg in its own sagittal plane, thigh and shank of equal length,
    # hip straight above the ankle, seen 20 deg off-front: project it and measure.
    phi, yaw = math.radians(60.0), 20.0
    half = phi / 2
    hip, knee, ankle = (
        np.array([0, 1.0, 0]),
        np.array([0, 1 - math.cos(half), math.sin(half)]),
        np.array([0, 1 - 2 * math.cos(half), 0]),
    )
    t = math.radians(yaw)
    right = np.array([math.cos(t), 0, math.sin(t)])
    pts = [np.array([p @ right, -p[1]]) for p in (hip, knee, ankle)]
    projected = g.angle_between_deg(pts[1] - pts[0], pts[2] - pts[1])
    assert float(g.fppa_yaw_artefact_deg(np.array(60.0), np.array(yaw))) == pytest.approx(
        float(projected)
    )


def test_bent_knee_seen_off_front_is_gated() -> None:
    body = standing_body()
    # Bend the left knee 60 deg in its sagittal plane: thigh 30 deg forward, shank 30 back.
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    body[L.LEFT_KNEE] = body[L.LEFT_HIP] + 0.41 * np.array([0, -c, s])
    body[L.LEFT_ANKLE] = body[L.LEFT_KNEE] + 0.41 * np.array([0, -c, -s])
    front = camera_view(body, yaw_deg=0.0)
    assert reason(front, "knee_valgus_left_deg") == ""
    off = camera_view(body, yaw_deg=20.0)
    assert "bend would read as valgus" in reason(off, "knee_valgus_left_deg")
    # the straight right leg is not affected by the same yaw
    assert reason(off, "knee_valgus_right_deg") == ""


def test_knee_gap_ratio() -> None:
    body = standing_body()
    narrow = body.copy()
    narrow[L.LEFT_KNEE, 0] -= 0.03
    narrow[L.RIGHT_KNEE, 0] += 0.03
    expected = (2 * HIP_HALF_WIDTH - 0.06) / (2 * HIP_HALF_WIDTH)
    assert value(camera_view(narrow), "knee_ankle_gap_ratio") == pytest.approx(expected)
    assert value(camera_view(body), "knee_ankle_gap_ratio") == pytest.approx(1.0)


# ----------------------------------------------------------------------------- pelvis


@pytest.mark.parametrize("side,sign", [("left", 1.0), ("right", -1.0)])
@pytest.mark.parametrize("mirror", [False, True])
def test_pelvic_obliquity_positive_when_left_hip_higher(
    side: str, sign: float, mirror: bool
) -> None:
    dy = 0.03
    lm = camera_view(raise_hip(standing_body(), side, dy))
    if mirror:
        lm = lm.mirrored()
    width = 2 * HIP_HALF_WIDTH
    assert value(lm, "pelvic_obliquity_deg") == pytest.approx(
        sign * math.degrees(math.atan2(dy, width))
    )
    assert value(lm, "hip_height_diff_pct") == pytest.approx(
        sign * 100 * dy / math.hypot(width, dy)
    )


def test_level_pelvis_reads_zero_and_side_view_is_not_measurable() -> None:
    assert value(camera_view(standing_body()), "pelvic_obliquity_deg") == pytest.approx(0.0)
    assert "front view" in reason(camera_view(standing_body(), yaw_deg=90), "pelvic_obliquity_deg")


@pytest.mark.parametrize("yaw", [0.0, 25.0, 50.0, 90.0])
def test_pelvis_rotation_is_camera_yaw(yaw: float) -> None:
    assert value(camera_view(standing_body(), yaw_deg=yaw), "pelvis_rotation_deg") == pytest.approx(
        yaw
    )


# ----------------------------------------------------------------------------- view


@pytest.mark.parametrize(
    "yaw,expected",
    [(0, "front"), (20, "front"), (45, "oblique"), (75, "side"), (90, "side"), (-90, "side")],
)
@pytest.mark.parametrize("with_world", [True, False])
def test_view_from_yaw(yaw: float, expected: str, with_world: bool) -> None:
    lm = camera_view(standing_body(), yaw_deg=yaw)
    view, _ = g.measure_all(lm.xy_px, lm.visibility, lm.world if with_world else None)
    assert str(view) == expected


# ----------------------------------------------------------------------------- hip extension


@pytest.mark.parametrize("angle", [20.0, 35.0, -30.0, -90.0])
@pytest.mark.parametrize("yaw", [90.0, -90.0])
@pytest.mark.parametrize("mirror", [False, True])
def test_hip_extension_signed_from_the_side(angle: float, yaw: float, mirror: bool) -> None:
    lm = camera_view(swing_thigh(standing_body(), "left", angle), yaw_deg=yaw)
    if mirror:
        lm = lm.mirrored()
    assert value(lm, "hip_extension_left_deg") == pytest.approx(angle, abs=1e-6)
    assert value(lm, "hip_extension_right_deg") == pytest.approx(0.0, abs=1e-6)


def test_hip_extension_counts_trunk_lean() -> None:
    # Warrior 1's back leg: thigh 39 deg behind vertical. Leaning the trunk 25 deg
    # forward flexes the hip by as much, leaving 14 deg of extension; a plain forward
    # lean over a vertical thigh is 25 deg of flexion.
    extended = swing_thigh(standing_body(), "left", 39.0)
    lm = camera_view(lean_trunk(extended, 25.0), yaw_deg=90.0)
    assert value(lm, "hip_extension_left_deg") == pytest.approx(39.0 - 25.0, abs=1e-6)
    lm = camera_view(lean_trunk(standing_body(), 25.0), yaw_deg=-90.0)
    assert value(lm, "hip_extension_right_deg") == pytest.approx(-25.0, abs=1e-6)


@pytest.mark.parametrize("hidden", [None, "RIGHT", "LEFT"])
def test_hip_angle_reads_the_seen_sides(hidden: str | None) -> None:
    # Left thigh swung 30 deg back, right thigh 50 deg forward: shoulder-hip-knee angles
    # 180 - 30 and 180 - 50 (trunk vertical). Seen from the left, the far (right) hip and
    # knee hide; the angle then comes from the near side alone.
    body = swing_thigh(swing_thigh(standing_body(), "left", 30.0), "right", -50.0)
    vis = np.ones(33)
    if hidden is not None:
        vis[[L[f"{hidden}_HIP"], L[f"{hidden}_KNEE"]]] = 0.1
    expected = {None: (150.0 + 130.0) / 2, "RIGHT": 150.0, "LEFT": 130.0}[hidden]
    lm = camera_view(body, yaw_deg=90.0, visibility=vis)
    assert value(lm, "hip_angle_deg") == pytest.approx(expected, abs=1e-6)


def test_hip_angle_needs_a_seen_hip_and_knee() -> None:
    vis = np.ones(33)
    vis[[L.LEFT_KNEE, L.RIGHT_HIP]] = 0.1
    lm = camera_view(standing_body(), yaw_deg=90.0, visibility=vis)
    assert reason(lm, "hip_angle_deg") == "hips or knees not visible"


@pytest.mark.parametrize("angle", [0.0, 30.0, 60.0])
def test_thigh_out_of_plane_from_its_shown_length(angle: float) -> None:
    # a thigh swung `angle` forward (toward the camera at the body's front) shows
    # cos(angle) of its length: it reads `angle` out of the picture plane
    body = swing_thigh(standing_body(), "left", -angle)
    # (acos is steep near 1: float noise in the shown share moves 0 deg by ~1e-6)
    assert value(camera_view(body), "thigh_out_of_plane_left_deg") == pytest.approx(angle, abs=1e-4)
    lm = camera_view(body)
    no_world = Landmarks(xy=lm.xy, visibility=lm.visibility, image_wh=lm.image_wh, world=None)
    assert reason(no_world, "thigh_out_of_plane_left_deg") == "needs world landmarks"


def test_hip_extension_needs_a_side_view() -> None:
    assert "side or oblique" in reason(camera_view(standing_body()), "hip_extension_left_deg")


# ----------------------------------------------------------------------------- balance


def test_segment_mass_fractions_sum_to_one() -> None:
    assert sum(s[2] for s in g.SEGMENTS.values()) == pytest.approx(1.0)


def test_com_of_symmetric_stance_lies_midway() -> None:
    lm = camera_view(shift_feet(standing_body(), 0.15))
    com = g.center_of_mass(lm.xy_px)
    mid = (lm.xy_px[L.LEFT_ANKLE, 0] + lm.xy_px[L.RIGHT_ANKLE, 0]) / 2
    assert com[0] == pytest.approx(mid)
    assert value(lm, "weight_left_pct") == pytest.approx(50.0)
    assert value(lm, "weight_right_pct") == pytest.approx(50.0)


def test_com_is_the_mass_weighted_mean_of_segment_centres() -> None:
    body = standing_body()
    expected = np.zeros(3)
    for prox, dist, mass, along in g.SEGMENTS.values():
        p = body[list(prox)].mean(axis=0)
        d = body[list(dist)].mean(axis=0)
        expected += mass * (p + along * (d - p))
    assert g.center_of_mass(body) == pytest.approx(expected)


@pytest.mark.parametrize("side", ["left", "right"])
def test_one_foot_stance_puts_all_weight_on_that_foot(side: str) -> None:
    lifted = "right" if side == "left" else "left"
    lm = camera_view(lift_foot(standing_body(), lifted, 0.3))
    assert value(lm, f"weight_{side}_pct") == pytest.approx(100.0)
    assert value(lm, f"weight_{lifted}_pct") == pytest.approx(0.0)
    # standing foot straight under its hip: COM (near the midline) is one hip half-width
    # away from the foot centre, in foot lengths.
    foot_len = math.hypot(0.17 + 0.05, 0.02)  # heel (z -0.05, y 0.02) to toes (z 0.17, y 0)
    com_x = g.center_of_mass(lift_foot(standing_body(), lifted, 0.3))[0]
    foot_x = (1.0 if side == "left" else -1.0) * HIP_HALF_WIDTH
    assert value(lm, "com_offset_foot_lengths") == pytest.approx(
        abs(com_x - foot_x) / foot_len, rel=1e-6
    )


def test_weight_follows_the_lever_rule() -> None:
    # Shift the whole body except the feet toward the left foot: share = (com - xr) / (xl - xr)
    moved = shift_feet(standing_body(), 0.20)
    feet = [L[f"{s}_{j}"] for s in ("LEFT", "RIGHT") for j in ("ANKLE", "HEEL", "FOOT_INDEX")]
    others = [i for i in range(33) if i not in feet]
    moved[others, 0] += 0.06
    lm = camera_view(moved)
    com_x = g.center_of_mass(moved)[0]
    xl, xr = HIP_HALF_WIDTH + 0.2, -(HIP_HALF_WIDTH + 0.2)
    assert value(lm, "weight_left_pct") == pytest.approx(100 * (com_x - xr) / (xl - xr))


def test_feet_in_line_with_camera_give_no_weight_split() -> None:
    lm = camera_view(shift_feet(standing_body(), 0.15), yaw_deg=90.0)
    assert "too close together" in reason(lm, "weight_left_pct")


def test_com_offset_needs_one_foot() -> None:
    assert "exactly one foot" in reason(camera_view(standing_body()), "com_offset_foot_lengths")


# ----------------------------------------------------------------------------- vectorised


def test_measure_all_is_vectorised_over_frames() -> None:
    frames = [
        camera_view(displace_knee(standing_body(), "left", a), yaw_deg=y)
        for a, y in ((5.0, 0.0), (12.0, 10.0), (8.0, 80.0))
    ]
    xy = np.stack([f.xy_px for f in frames])
    vis = np.stack([f.visibility for f in frames])
    world = np.stack([f.world for f in frames if f.world is not None])
    view, metrics = g.measure_all(xy, vis, world)
    assert view.shape == (3,)
    for i, f in enumerate(frames):
        v1, m1 = measure(f)
        assert str(view[i]) == v1
        for name, m in metrics.items():
            np.testing.assert_equal(m.value[i], m1[name].value)
            assert m.reason[i] == m1[name].reason


def test_grounded_feet_need_image_and_world_heights() -> None:
    # A high camera can draw a foot lifted behind the body level with the standing foot.
    leg_m = 0.90 - 0.08  # hip to ankle of the straight synthetic leg
    body = lift_foot(standing_body(), "right", (g.WORLD_GROUND_TOLERANCE + 0.1) * leg_m)
    lm = camera_view(body)
    xy = lm.xy.copy()
    for j in (L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX):
        xy[j, 1] = lm.xy[j - 1, 1]  # the LEFT_* twin sits one index before
    drawn_level = Landmarks(xy=xy, visibility=lm.visibility, image_wh=lm.image_wh, world=lm.world)
    assert value(drawn_level, "feet_grounded") == 1
    image_only = Landmarks(xy=xy, visibility=lm.visibility, image_wh=lm.image_wh)
    assert value(image_only, "feet_grounded") == 2
    # ...and a foot lifted less than the world tolerance counts as down if the image agrees
    low = lift_foot(standing_body(), "right", 0.5 * g.WORLD_GROUND_TOLERANCE * leg_m)
    lm_low = camera_view(low)
    xy_low = lm_low.xy.copy()
    for j in (L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX):
        xy_low[j, 1] = lm_low.xy[j - 1, 1]
    level = Landmarks(
        xy=xy_low, visibility=lm_low.visibility, image_wh=lm_low.image_wh, world=lm_low.world
    )
    assert value(level, "feet_grounded") == 2


def test_knee_angle_needs_the_leg_seen_from_its_side() -> None:
    # Facing the camera, feet pointing at it: the knee's bend is hidden.
    front = camera_view(standing_body())
    assert "seen from its side" in reason(front, "knee_angle_left_deg")
    # The same view with the left foot turned out 90 deg (toes to the body's left): the
    # foot lies across the picture, so the left knee bends in the picture plane.
    body = standing_body()
    heel, toe = body[L.LEFT_HEEL].copy(), body[L.LEFT_FOOT_INDEX].copy()
    length = float(np.linalg.norm(toe - heel))
    body[L.LEFT_FOOT_INDEX] = heel + np.array([length, 0.0, 0.0])
    turned = camera_view(body)
    assert reason(turned, "knee_angle_left_deg") == ""
    assert value(turned, "knee_angle_left_deg") == pytest.approx(180.0)
    assert "seen from its side" in reason(turned, "knee_angle_right_deg")
    # From the side every knee angle can be read.
    assert reason(camera_view(standing_body(), yaw_deg=90.0), "knee_angle_right_deg") == ""
