"""The article's hip action (issue 17): the two new readings on synthetic landmarks, and
the held-out benchmark's line fitting and bar.

Expected values come from how the bodies are built (rotations by known angles), not from
posecheck's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks import hip_action as bench
from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.measure import geometry as g
from posecheck.poses import REGISTRY
from tests.factories import FloatArray, camera_view, standing_body

X, Y, Z = np.eye(3)  # body frame: x the body's left, y up, z its front (toward the camera)


def rotate(
    body: FloatArray, idx: list[int], pivot: FloatArray, axis: FloatArray, deg: float
) -> FloatArray:
    """Rotate landmarks ``idx`` about the line through ``pivot`` along ``axis`` by ``deg``
    (right hand, Rodrigues)."""
    out = body.copy()
    k = axis / np.linalg.norm(axis)
    t = math.radians(deg)
    v = out[idx] - pivot
    out[idx] = (
        pivot
        + v * math.cos(t)
        + np.cross(k, v) * math.sin(t)
        + np.outer(v @ k, k) * (1 - math.cos(t))
    )
    return out


def leg(side: str) -> list[int]:
    s = side.upper()
    return [int(L[f"{s}_{j}"]) for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]


def hip(body: FloatArray, side: str) -> FloatArray:
    return np.asarray(body[L[f"{side.upper()}_HIP"]].copy(), dtype=np.float64)


def read(lm: Landmarks, name: str) -> g.Measure:
    return g.measure_all(lm.xy_px, lm.visibility, lm.world)[1][name]


def out_to(side: str) -> float:
    """Sign of a rotation about the front axis (+z) that swings a hanging leg of
    ``side`` out to its side: the left leg goes to +x."""
    return 1.0 if side == "left" else -1.0


# ----------------------------------------------------------------------- hip abduction


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("angle", [0.0, 20.0, 45.0])
def test_hip_abduction_reads_the_thigh_swung_out(side: str, angle: float) -> None:
    body = rotate(standing_body(), leg(side), hip(standing_body(), side), Z, out_to(side) * angle)
    m = read(camera_view(body), f"hip_abduction_{side}_deg")
    assert float(m.value) == pytest.approx(angle, abs=1e-6)
    # across the midline it is negative
    body = rotate(standing_body(), leg(side), hip(standing_body(), side), Z, -out_to(side) * 15.0)
    assert float(read(camera_view(body), f"hip_abduction_{side}_deg").value) == pytest.approx(-15.0)


def half_moon(side: str, sag_deg: float = 0.0) -> FloatArray:
    """Everything but the ``side`` leg turned 90 deg about its hip in the frontal plane,
    the head over the standing side (trunk horizontal, hips stacked), then the pelvis and
    trunk turned back ``sag_deg`` (the lifted side dropping toward the floor)."""
    body = standing_body()
    pivot = hip(body, side)
    upper = [i for i in range(33) if i not in leg(side)]
    turned = rotate(body, upper, pivot, Z, -out_to(side) * 90.0)
    return rotate(turned, upper, pivot, Z, out_to(side) * sag_deg)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("sag", [0.0, 10.0, 25.0])
def test_half_moon_standing_hip_reads_90_less_the_sag(side: str, sag: float) -> None:
    lm = camera_view(half_moon(side, sag))
    assert float(read(lm, "trunk_tilt_deg").value) == pytest.approx(90.0 - sag, abs=1e-6)
    assert float(read(lm, f"hip_abduction_{side}_deg").value) == pytest.approx(90.0 - sag, abs=1e-6)


def test_hip_abduction_is_the_bodys_in_a_mirrored_picture() -> None:
    lm = camera_view(half_moon("left", 10.0))
    mirrored = Landmarks(
        xy=np.stack([1.0 - lm.xy[:, 0], lm.xy[:, 1]], axis=-1),
        visibility=lm.visibility,
        image_wh=lm.image_wh,
        world=None if lm.world is None else lm.world * np.array([-1.0, 1.0, 1.0]),
    )
    assert float(read(mirrored, "hip_abduction_left_deg").value) == pytest.approx(80.0)


def test_hip_abduction_needs_the_frontal_plane_facing_the_camera() -> None:
    m = read(camera_view(standing_body(), yaw_deg=90.0), "hip_abduction_left_deg")
    assert not m.valid and "needs a front view" in str(m.reason)
    # Half Moon filmed end-on (from its head): the trunk points at the camera, so there
    # is no long axis in the picture and no value, rather than a made-up one
    end_on = read(camera_view(half_moon("left"), yaw_deg=90.0), "hip_abduction_left_deg")
    assert not end_on.valid


# ----------------------------------------------------------------------- thigh opening


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("flexion", [60.0, 90.0])
@pytest.mark.parametrize("turn", [0.0, 30.0, 70.0])
def test_thigh_opening_is_the_lateral_share_of_the_thigh(
    side: str, flexion: float, turn: float
) -> None:
    """A thigh raised ``flexion`` forward, then turned ``turn`` out about the vertical,
    points ``asin(sin(turn) sin(flexion))`` out of the sagittal plane; the standing thigh
    stands in the picture and gives the scale."""
    body = standing_body()
    pivot = hip(body, side)
    raised = rotate(body, leg(side), pivot, X, -flexion)  # the knee forward (+z), up
    opened = rotate(raised, leg(side), pivot, Y, out_to(side) * turn)
    knee = opened[L[f"{side.upper()}_KNEE"]] - pivot
    assert knee[2] > 0 or turn == 90.0  # the knee in front of the hip, as built
    want = math.degrees(math.asin(math.sin(math.radians(turn)) * math.sin(math.radians(flexion))))
    m = read(camera_view(opened), f"thigh_opening_{side}_deg")
    assert float(m.value) == pytest.approx(want, abs=1e-6)


def test_thigh_opening_needs_a_front_view_and_the_other_thigh() -> None:
    body = standing_body()
    raised = rotate(body, leg("left"), hip(body, "left"), X, -90.0)
    opened = rotate(raised, leg("left"), hip(body, "left"), Y, 90.0)  # straight out
    assert float(read(camera_view(opened), "thigh_opening_left_deg").value) == pytest.approx(90.0)
    side_view = read(camera_view(opened, yaw_deg=90.0), "thigh_opening_left_deg")
    assert "needs a front view" in str(side_view.reason)
    # the other (right) thigh pointing at the camera, its shin hanging: no scale
    knee = opened[L.RIGHT_KNEE].copy()
    bent = rotate(opened, leg("right"), hip(body, "right"), X, -90.0)
    bent = rotate(bent, leg("right")[1:], bent[L.RIGHT_KNEE], X, 90.0)
    assert not np.allclose(bent[L.RIGHT_KNEE], knee)
    assert "the other thigh points at the camera" in str(
        read(camera_view(bent), "thigh_opening_left_deg").reason
    )


# ----------------------------------------------------------------------- the benchmark


def test_the_fitted_line_separates_train_faults_from_aligned_clips() -> None:
    check = bench.CELLS[1].check()  # Tree: fires below the line
    assert check.direction == "below"
    readings = [10.0, 20.0, 30.0, 50.0, 55.0, 60.0]
    clear = [True, True, True, False, False, False]
    aligned = [False, False, False, True, True, True]
    line = bench.fit_line(check, readings, clear, aligned)
    assert line is not None and 30.0 < line < 50.0
    assert bench.fit_line(check, readings, [False] * 6, aligned) is None


def test_the_bar_needs_enough_held_out_clips() -> None:
    cue = {"clear": 4, "aligned": 5, "clear_cued": 4, "aligned_cued": 0}
    ok, why = bench.meets_bar(cue)
    assert not ok and "4 clear faults (needs 10)" in why and "5 aligned clips (needs 30)" in why
    ok, why = bench.meets_bar({"clear": 10, "aligned": 30, "clear_cued": 9, "aligned_cued": 1})
    assert ok and why == ""
    ok, why = bench.meets_bar({"clear": 10, "aligned": 30, "clear_cued": 8, "aligned_cued": 2})
    assert not ok and "8/10 clear faults cued" in why and "2/30 aligned clips cued" in why


def test_the_hip_action_row_is_in_every_pose() -> None:
    for cell in bench.CELLS:
        check = next(c for c in REGISTRY[cell.pose].checks if c.id == cell.check_id)
        assert check.mission == "hip_action"
