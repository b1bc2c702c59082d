"""tools/synth/truth.py: the true metrics, on analytic bodies whose answers follow from
their construction (numpy only; runs in CI).

Bodies are :func:`tests.factories.standing_body` moved into the synth world frame (metres,
+Z up, floor z = 0, -Y the body's front, +X its left), then posed by rotating limbs by
known angles. Cameras are pinholes (:func:`tools.synth.camera.orbit_camera`) placed so the
moved limb lies in a plane parallel to the image plane: a pinhole draws such a plane as
a similarity, so image angles and length ratios in it are exact, and every expected
number below is derived from the construction, not read from the output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from posecheck.landmarks import Landmark as L
from posecheck.measure.geometry import METRIC_UNITS
from tests.factories import ANKLE_Y, HIP_Y, KNEE_Y, FloatArray, standing_body
from tools.synth.camera import Camera, orbit_camera
from tools.synth.truth import (
    FOOT_BREADTH_PER_LENGTH,
    GROUND_TOLERANCE_M,
    grounded,
    segment_com,
    true_metrics,
)

THIGH = HIP_Y - KNEE_Y  # 0.41 m
SHANK = KNEE_Y - ANKLE_Y  # 0.41 m
LEG = THIGH + SHANK
DOWN = np.array([0.0, 0.0, -1.0])
BACK = np.array([0.0, 1.0, 0.0])  # the body faces -Y
UP = np.array([0.0, 0.0, 1.0])


def world_body() -> FloatArray:
    """``(33, 3)`` the factories' standing body in the synth world frame: factory
    (x left, y up, z front) -> world (X = x, Y = -z, Z = y)."""
    b = standing_body()
    return np.stack([b[:, 0], -b[:, 2], b[:, 1]], axis=-1)


def lat(side: str) -> FloatArray:
    """Unit vector away from the midline for ``side`` (+X is the body's left)."""
    return np.array([1.0 if side == "left" else -1.0, 0.0, 0.0])


def j(side: str, joint: str) -> int:
    return int(L[f"{side.upper()}_{joint}"])


def rotate_about(
    body: FloatArray, idx: Sequence[int], pivot: FloatArray, axis: FloatArray, deg: float
) -> FloatArray:
    """Rotate landmarks ``idx`` about the line through ``pivot`` along ``axis`` by ``deg``
    (right hand; Rodrigues)."""
    out = body.copy()
    k = axis / np.linalg.norm(axis)
    t = math.radians(deg)
    v = out[list(idx)] - pivot
    rows = list(idx)
    out[rows] = (
        pivot
        + v * math.cos(t)
        + np.cross(k, v) * math.sin(t)
        + np.outer(v @ k, k) * (1 - math.cos(t))
    )
    return out


def swing(
    body: FloatArray,
    idx: Sequence[int],
    pivot: FloatArray,
    a: FloatArray,
    b: FloatArray,
    deg: float,
) -> FloatArray:
    """Rotate ``idx`` about ``pivot`` by ``deg`` in the plane of ``a`` and ``b``, taking
    direction ``a`` toward ``b`` (the axis is ``a x b``)."""
    return rotate_about(body, idx, pivot, np.cross(a, b), deg)


def below_knee(side: str) -> list[int]:
    return [j(side, "ANKLE"), j(side, "HEEL"), j(side, "FOOT_INDEX")]


def below_hip(side: str) -> list[int]:
    return [j(side, "KNEE"), *below_knee(side)]


def cave(body: FloatArray, side: str, deg: float) -> FloatArray:
    """Turn one shank about its knee in the frontal plane: the ankle goes ``deg`` away from
    the midline, which leaves the knee ``deg`` toward it (valgus); negative = varus."""
    knee = body[j(side, "KNEE")].copy()
    return swing(body, below_knee(side), knee, DOWN, lat(side), deg)


def front_cam(target: tuple[float, float, float] = (0.0, 0.0, 0.9), **kw: float) -> Camera:
    return orbit_camera(
        np.array(target),
        azimuth_deg=kw.get("azimuth_deg", 0.0),
        elevation_deg=kw.get("elevation_deg", 0.0),
        distance_m=4.0,
    )


def side_cam(target: tuple[float, float, float] = (0.0, 0.0, 0.9)) -> Camera:
    """On the body's left (+X), looking along -X: the sagittal planes face it."""
    return orbit_camera(np.array(target), azimuth_deg=90.0, elevation_deg=0.0, distance_m=4.0)


def one(body: FloatArray, camera: Camera, com: FloatArray | None = None) -> dict[str, float | None]:
    """Metrics of one frame."""
    m = true_metrics(body[None], camera, None if com is None else com[None])
    return {k: v[0] for k, v in m.items()}


def val(m: dict[str, float | None], name: str) -> float:
    v = m[name]
    assert v is not None, f"{name} undefined"
    return v


# --------------------------------------------------------------------------- API


def test_every_metric_per_frame() -> None:
    bodies = np.stack([world_body(), cave(world_body(), "left", 10.0), world_body()])
    m = true_metrics(bodies, front_cam())
    assert list(m) == list(METRIC_UNITS)
    assert all(len(v) == 3 for v in m.values())
    # vectorised over frames = frame by frame
    second = one(bodies[1], front_cam())
    assert {k: v[1] for k, v in m.items()} == second


def test_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError):
        true_metrics(world_body(), front_cam())
    with pytest.raises(ValueError):
        true_metrics(world_body()[None], front_cam(), np.zeros((2, 3)))


# --------------------------------------------------------------------------- knees


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("deg", [10.0, -10.0, 4.0])
def test_knee_cave_reads_its_angle_from_the_front(side: str, deg: float) -> None:
    m = one(cave(world_body(), side, deg), front_cam())
    assert val(m, f"knee_valgus_{side}_deg") == pytest.approx(deg, abs=1e-9)
    # the knee sits THIGH sin(deg / 2) off the hip-ankle line of an isosceles leg
    expected_disp = 100.0 * THIGH * math.sin(math.radians(deg / 2)) / LEG
    assert val(m, f"knee_medial_disp_{side}_pct") == pytest.approx(expected_disp, abs=1e-9)
    other = "right" if side == "left" else "left"
    assert val(m, f"knee_valgus_{other}_deg") == pytest.approx(0.0, abs=1e-9)


def test_knee_cave_sign_is_the_body_s_seen_from_behind() -> None:
    m = one(cave(world_body(), "left", 10.0), front_cam(azimuth_deg=180.0))
    assert val(m, "knee_valgus_left_deg") == pytest.approx(10.0, abs=1e-9)


def test_knee_valgus_undefined_with_no_midline_side() -> None:
    """From the side the hips are stacked: the mid-hip lies on the leg's own line."""
    m = one(cave(world_body(), "left", 10.0), side_cam())
    assert m["knee_valgus_left_deg"] is None
    assert m["knee_medial_disp_left_pct"] is None


def test_knee_ankle_gap_ratio() -> None:
    body = world_body()
    assert val(one(body, front_cam()), "knee_ankle_gap_ratio") == pytest.approx(1.0)
    for factor in (0.5, 1.5):
        moved = body.copy()
        moved[[L.LEFT_KNEE, L.RIGHT_KNEE], 0] *= factor  # knees in/out, ankles kept
        assert val(one(moved, front_cam()), "knee_ankle_gap_ratio") == pytest.approx(factor)
    together = body.copy()
    together[[L.LEFT_ANKLE, L.RIGHT_ANKLE], 0] = 0.0
    assert one(together, front_cam())["knee_ankle_gap_ratio"] is None


def test_knee_bend_in_the_image_plane_and_end_on() -> None:
    """A 30 deg knee bend (shank swung back) reads 150 deg and a 30 deg shin from the side;
    from a camera straight in front of the leg it is drawn straight (180, shin 0)."""
    body = world_body()
    knee = body[L.LEFT_KNEE].copy()
    bent = swing(body, below_knee("left"), knee, DOWN, BACK, 30.0)
    m = one(bent, side_cam())
    assert val(m, "knee_angle_left_deg") == pytest.approx(150.0, abs=1e-9)
    assert val(m, "shin_angle_left_deg") == pytest.approx(30.0, abs=1e-9)
    assert val(m, "knee_angle_right_deg") == pytest.approx(180.0, abs=1e-9)
    ahead = one(bent, front_cam(target=(float(knee[0]), 0.0, 0.5)))  # optical axis in the leg
    assert val(ahead, "knee_angle_left_deg") == pytest.approx(180.0, abs=1e-9)
    assert val(ahead, "shin_angle_left_deg") == pytest.approx(0.0, abs=1e-9)


# --------------------------------------------------------------------------- pelvis


def tilt_pelvis(body: FloatArray, left_down_deg: float) -> FloatArray:
    """Turn the hip line about the fore-aft axis through the mid-hip: the left hip drops."""
    mid = (body[L.LEFT_HIP] + body[L.RIGHT_HIP]) / 2
    return swing(body, [L.LEFT_HIP, L.RIGHT_HIP], mid, lat("left"), DOWN, left_down_deg)


def turn_torso(body: FloatArray, deg: float, shoulders: bool = True) -> FloatArray:
    """Turn hips (and shoulders) about the vertical through the mid-hip."""
    mid = (body[L.LEFT_HIP] + body[L.RIGHT_HIP]) / 2
    idx = [L.LEFT_HIP, L.RIGHT_HIP] + ([L.LEFT_SHOULDER, L.RIGHT_SHOULDER] if shoulders else [])
    return rotate_about(body, idx, mid, UP, deg)


@pytest.mark.parametrize("drop", [5.0, -5.0])
def test_pelvis_drop_reads_its_angle_whatever_the_camera(drop: float) -> None:
    body = tilt_pelvis(world_body(), drop)
    for cam in (front_cam(), side_cam(), front_cam(azimuth_deg=35.0, elevation_deg=20.0)):
        m = one(body, cam)
        assert val(m, "pelvic_obliquity_deg") == pytest.approx(-drop, abs=1e-9)
        assert val(m, "hip_height_diff_pct") == pytest.approx(
            -100.0 * math.sin(math.radians(drop)), abs=1e-9
        )
    turned = one(turn_torso(body, 30.0), front_cam())  # a turn about the vertical keeps it
    assert val(turned, "pelvic_obliquity_deg") == pytest.approx(-drop, abs=1e-9)


def test_pelvis_turn_out_of_the_image_plane() -> None:
    body = turn_torso(world_body(), 30.0)
    m = one(body, front_cam())
    assert val(m, "pelvis_rotation_deg") == pytest.approx(30.0, abs=1e-9)
    assert val(m, "torso_yaw_deg") == pytest.approx(30.0, abs=1e-9)
    assert val(one(body, side_cam()), "pelvis_rotation_deg") == pytest.approx(60.0, abs=1e-9)
    # camera 20 deg above: the horizontal hip line's part along the optical axis is
    # sin 30 cos 20, so its angle out of the image plane is asin(sin 30 cos 20)
    high = one(body, front_cam(elevation_deg=20.0))
    expected = math.degrees(math.asin(math.sin(math.radians(30)) * math.cos(math.radians(20))))
    assert val(high, "pelvis_rotation_deg") == pytest.approx(expected, abs=1e-9)
    # hips turned, shoulders square: the torso yaw is the mean of the two lines
    hips_only = one(turn_torso(world_body(), 30.0, shoulders=False), front_cam())
    assert val(hips_only, "torso_yaw_deg") == pytest.approx(15.0, abs=1e-9)


def test_hips_square_from_above() -> None:
    body = world_body()
    assert val(one(body, front_cam()), "hips_square_deg") == pytest.approx(0.0, abs=1e-9)
    lunge = body.copy()  # left foot a stride ahead (-Y), right behind, both under the hips
    lunge[[L.LEFT_ANKLE, L.RIGHT_ANKLE], 0] = 0.0
    lunge[L.LEFT_ANKLE, 1], lunge[L.RIGHT_ANKLE, 1] = -0.5, 0.6
    assert val(one(lunge, front_cam()), "hips_square_deg") == pytest.approx(90.0, abs=1e-9)
    turned = turn_torso(lunge, 30.0)
    assert val(one(turned, front_cam()), "hips_square_deg") == pytest.approx(60.0, abs=1e-9)


# --------------------------------------------------------------------------- hip, thigh, leg


@pytest.mark.parametrize("deg", [20.0, -20.0])
def test_hip_extension_signed_by_the_body_s_front(deg: float) -> None:
    """The left leg swung back (+) or forward (-) about the hip, trunk upright."""
    body = world_body()
    hip = body[L.LEFT_HIP].copy()
    swung = swing(body, below_hip("left"), hip, DOWN, BACK, deg)
    m = one(swung, side_cam())
    assert val(m, "hip_extension_left_deg") == pytest.approx(deg, abs=1e-9)
    assert val(m, "hip_extension_right_deg") == pytest.approx(0.0, abs=1e-9)
    # from the front the body's front points at the camera: no sign
    assert one(swung, front_cam())["hip_extension_left_deg"] is None


def test_thigh_abduction_and_leg_elevation() -> None:
    body = world_body()
    hip = body[L.LEFT_HIP].copy()
    opened = swing(body, below_hip("left"), hip, DOWN, lat("left"), 40.0)
    assert val(one(opened, front_cam()), "thigh_abduction_left_deg") == pytest.approx(40.0)
    assert val(one(body, front_cam()), "thigh_abduction_left_deg") == pytest.approx(0.0)
    for above in (0.0, 20.0):  # the leg lifted behind to horizontal, then 20 deg higher
        lifted = swing(body, below_hip("left"), hip, DOWN, BACK, 90.0 + above)
        m = one(lifted, side_cam())
        assert val(m, "leg_elevation_left_deg") == pytest.approx(above, abs=1e-9)
    # standing: the leg hangs straight down
    assert val(one(body, side_cam()), "leg_elevation_left_deg") == pytest.approx(-90.0)


@pytest.mark.parametrize("angle", [0.0, 35.0, 70.0])
def test_thigh_out_of_plane(angle: float) -> None:
    """A leg swung `angle` backward, seen from the front, turns that far out of the
    image plane; from the side it stays in the plane."""
    body = world_body()
    hip = body[L.LEFT_HIP].copy()
    moved = swing(body, below_hip("left"), hip, DOWN, BACK, angle)
    assert val(one(moved, front_cam()), "thigh_out_of_plane_left_deg") == pytest.approx(
        angle, abs=1e-6
    )
    assert val(one(moved, side_cam()), "thigh_out_of_plane_left_deg") == pytest.approx(
        0.0, abs=1e-6
    )


def test_hip_angle_standing_and_seated() -> None:
    body = world_body()
    assert val(one(body, side_cam()), "hip_angle_deg") == pytest.approx(180.0, abs=1e-9)
    seated = body
    for side in ("left", "right"):
        hip = seated[j(side, "HIP")].copy()
        seated = swing(seated, below_hip(side), hip, DOWN, -BACK, 90.0)
    # camera at hip height: the horizontal thighs are drawn horizontal
    assert val(one(seated, side_cam()), "hip_angle_deg") == pytest.approx(90.0, abs=1e-9)


def test_image_lengths_in_leg_lengths() -> None:
    """Heel lift, foot-knee gap and hand-under-shoulder are image rows/columns over the
    image leg length; in a plane parallel to the image that is metres over LEG."""
    body = world_body()
    heel_z = body[L.LEFT_HEEL, 2] - body[L.LEFT_FOOT_INDEX, 2]  # 0.02 m above the toes
    m = one(body, side_cam())
    assert val(m, "heel_lift_left_pct") == pytest.approx(100 * heel_z / LEG, abs=1e-9)
    raised = body.copy()
    raised[L.LEFT_HEEL, 2] = 0.10
    m = one(raised, side_cam())
    assert val(m, "heel_lift_left_pct") == pytest.approx(
        100 * (0.10 - body[L.LEFT_FOOT_INDEX, 2]) / LEG, abs=1e-9
    )

    tree = body.copy()  # the right foot hangs toes-down beside the left knee, frontal plane:
    tree[L.RIGHT_HEEL] = (-0.05, 0.0, KNEE_Y + 0.16)  # heel 0.16 m above the knee,
    tree[L.RIGHT_FOOT_INDEX] = (-0.05, 0.0, KNEE_Y - 0.06)  # toes 0.06 m below: centre +0.05
    m = one(tree, front_cam())
    assert val(m, "foot_knee_gap_left_pct") == pytest.approx(100 * 0.05 / LEG, abs=1e-9)

    shoulder_x, wrist_x = body[L.LEFT_SHOULDER, 0], body[L.LEFT_WRIST, 0]
    m = one(body, front_cam())
    assert val(m, "hand_under_shoulder_left_pct") == pytest.approx(
        100 * abs(wrist_x - shoulder_x) / LEG, abs=1e-9
    )


# --------------------------------------------------------------------------- balance


def foot_centre(body: FloatArray, side: str) -> FloatArray:
    """The definition's foot centre: mean of ankle, heel, toes on the floor."""
    return np.asarray(body[below_knee(side), :2].mean(axis=0))


def with_z(xy: FloatArray, z: float = 0.9) -> FloatArray:
    return np.array([xy[0], xy[1], z])


def lift(body: FloatArray, side: str, dz: float) -> FloatArray:
    out = body.copy()
    out[below_knee(side), 2] += dz
    return out


def test_weight_share_by_the_lever_rule() -> None:
    body = world_body()
    cl, cr = foot_centre(body, "left"), foot_centre(body, "right")
    cam = front_cam()
    for frac_left, com_xy in (
        (1.0, cl),  # over the left foot
        (0.5, (cl + cr) / 2),  # midway
        (0.25, cr + 0.25 * (cl - cr)),  # a quarter of the way from the right foot
        (1.0, cl + 0.3 * (cl - cr)),  # beyond the left foot: all on it
    ):
        m = one(body, cam, with_z(com_xy))
        assert val(m, "weight_left_pct") == pytest.approx(100 * frac_left, abs=1e-9)
        assert val(m, "weight_right_pct") == pytest.approx(100 * (1 - frac_left), abs=1e-9)
        assert m["com_offset_foot_lengths"] is None  # needs exactly one foot down
    # the COM's height and its position across the feet line do not matter
    off_line = with_z((cl + cr) / 2 + np.array([0.0, 0.2]), z=0.5)
    assert val(one(body, cam, off_line), "weight_left_pct") == pytest.approx(50.0, abs=1e-9)
    # symmetric body, de Leva COM: on the midline, so 50/50
    assert float(segment_com(body)[0]) == pytest.approx(0.0, abs=1e-12)
    assert val(one(body, cam), "weight_left_pct") == pytest.approx(50.0, abs=1e-9)


def test_one_foot_and_no_foot() -> None:
    body = lift(world_body(), "right", 0.2)  # the right foot 20 cm up
    cl = foot_centre(body, "left")
    com = with_z(cl + np.array([0.0, -0.1]))  # 10 cm ahead of the left foot's centre
    m = one(body, front_cam(), com)
    assert val(m, "feet_grounded") == 1
    assert val(m, "weight_left_pct") == 100.0
    assert val(m, "weight_right_pct") == 0.0
    foot_len = float(np.linalg.norm(body[L.LEFT_FOOT_INDEX] - body[L.LEFT_HEEL]))
    assert val(m, "com_offset_foot_lengths") == pytest.approx(0.1 / foot_len, abs=1e-9)

    air = lift(body, "left", 0.2)
    m = one(air, front_cam(), com)
    assert val(m, "feet_grounded") == 0
    for name in ("weight_left_pct", "weight_right_pct", "com_offset_foot_lengths"):
        assert m[name] is None
    assert m["com_outside_support_pct"] is None
    # the tolerance: a sole just within it still touches the floor
    near = lift(world_body(), "right", GROUND_TOLERANCE_M - 0.005)
    assert val(one(near, front_cam()), "feet_grounded") == 2


def test_com_outside_support() -> None:
    body = world_body()
    cam = front_cam()
    cl, cr = foot_centre(body, "left"), foot_centre(body, "right")
    assert val(one(body, cam, with_z((cl + cr) / 2)), "com_outside_support_pct") == 0.0
    toe_y = body[L.LEFT_FOOT_INDEX, 1]  # both feet point along -Y, toes level
    ahead = with_z(np.array([0.0, toe_y - 0.2]))  # 20 cm in front of the toe line
    expected = 100 * 0.2 / LEG
    assert val(one(body, cam, ahead), "com_outside_support_pct") == pytest.approx(expected)
    # beside the left foot: its outer edge is half a foot breadth out from heel->toe
    heel, toe = body[L.LEFT_HEEL, :2], body[L.LEFT_FOOT_INDEX, :2]
    half_breadth = FOOT_BREADTH_PER_LENGTH * float(np.linalg.norm(toe - heel)) / 2
    beside = with_z(np.array([heel[0] + half_breadth + 0.05, (heel[1] + toe[1]) / 2]))
    assert val(one(body, cam, beside), "com_outside_support_pct") == pytest.approx(100 * 0.05 / LEG)


def test_hand_on_the_floor_joins_the_support() -> None:
    body = lift(world_body(), "right", 0.3)
    hand = [j("left", k) for k in ("WRIST", "INDEX", "PINKY", "THUMB")]
    assert not grounded(body[None])["left_hand"][0]
    down = body.copy()
    down[hand, 2] -= down[hand, 2].min()  # the hand's lowest point on the floor
    assert grounded(down[None])["left_hand"][0]
    wrist_floor = with_z(down[L.LEFT_WRIST, :2])
    assert val(one(body, front_cam(), wrist_floor), "com_outside_support_pct") > 0.0
    assert val(one(down, front_cam(), wrist_floor), "com_outside_support_pct") == 0.0


def test_trunk_tilt_upright_and_lying() -> None:
    """The trunk's angle from world up: 0 for the standing body, 90 once it lies along +Y,
    whatever the camera."""
    body = world_body()
    assert val(one(body, front_cam()), "trunk_tilt_deg") == pytest.approx(0.0, abs=1e-9)
    lying = body.copy()
    mid_hip = (body[L.LEFT_HIP] + body[L.RIGHT_HIP]) / 2
    for i in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER):
        up = body[i, 2] - mid_hip[2]
        lying[i] = [body[i, 0], mid_hip[1] + up, mid_hip[2]]
    assert val(one(lying, front_cam()), "trunk_tilt_deg") == pytest.approx(90.0, abs=1e-9)


# --------------------------------------------------------------------------- hip action


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0])
def test_hip_abduction_is_the_thigh_out_to_its_side(side: str, angle: float) -> None:
    """A leg swung ``angle`` out to its own side in the frontal plane is abducted that
    much; swung across the midline it reads negative; the camera does not matter (3D)."""
    body = world_body()
    hip = body[j(side, "HIP")].copy()
    out = swing(body, below_hip(side), hip, DOWN, lat(side), angle)
    for cam in (front_cam(), side_cam()):
        assert val(one(out, cam), f"hip_abduction_{side}_deg") == pytest.approx(angle, abs=1e-6)
    across = swing(body, below_hip(side), hip, DOWN, -lat(side), 20.0)
    assert val(one(across, front_cam()), f"hip_abduction_{side}_deg") == pytest.approx(-20.0)


def test_hip_abduction_follows_the_pelvis_not_the_world() -> None:
    """Half Moon: the whole body but the standing (left) leg turned 90 deg about the
    standing hip (head over the standing side, trunk horizontal, hip line vertical) leaves
    that hip abducted 90; the pelvis then sagging ``d`` over the standing leg (its lifted
    side dropping toward the floor, the trunk end rising) leaves 90 - d."""
    body = world_body()
    hip = body[L.LEFT_HIP].copy()
    upper = [i for i in range(33) if i not in below_hip("left")]
    half_moon = swing(body, upper, hip, UP, lat("left"), 90.0)
    assert val(one(half_moon, front_cam()), "hip_abduction_left_deg") == pytest.approx(90.0)
    for d in (10.0, 25.0):
        sag = swing(half_moon, upper, hip, lat("left"), UP, d)
        assert val(one(sag, front_cam()), "hip_abduction_left_deg") == pytest.approx(90.0 - d)


@pytest.mark.parametrize("side", ["left", "right"])
def test_thigh_opening_out_of_the_sagittal_plane(side: str) -> None:
    """A thigh raised forward (flexion, in the sagittal plane) opens 0 deg however high;
    turned from there ``a`` degrees out to its side about the vertical, it opens ``a``
    scaled by how horizontal it is: asin(sin(a) sin(flexion))."""
    body = world_body()
    hip = body[j(side, "HIP")].copy()
    front = -BACK
    for flexion in (45.0, 90.0, 120.0):
        raised = swing(body, below_hip(side), hip, DOWN, front, flexion)
        assert val(one(raised, front_cam()), f"thigh_opening_{side}_deg") == pytest.approx(
            0.0, abs=1e-6
        )
        for a in (30.0, 70.0):
            opened = swing(raised, below_hip(side), hip, front, lat(side), a)
            want = math.degrees(
                math.asin(math.sin(math.radians(a)) * math.sin(math.radians(flexion)))
            )
            assert val(one(opened, front_cam()), f"thigh_opening_{side}_deg") == pytest.approx(
                want, abs=1e-6
            )
