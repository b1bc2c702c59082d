"""tools/synth body and poses: geometry the truth files rely on (needs anny; skipped in CI)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("anny")

from posecheck.landmarks import Landmark as L  # noqa: E402
from posecheck.measure.geometry import fppa_deg  # noqa: E402
from tools.synth import poses as P  # noqa: E402
from tools.synth.body import Body, rot_x  # noqa: E402
from tools.synth.camera import orbit_camera  # noqa: E402


@pytest.fixture(scope="module")
def body() -> Body:
    return Body()


def test_numpy_skeleton_matches_anny(body: Body) -> None:
    rots = {"upperleg01.L": rot_x(-40.0), "lowerleg01.L": rot_x(60.0), "root": rot_x(10.0)}
    posed = body.pose(rots)
    ids = np.array(list(body.landmark_vertex.values()))
    sk = body.skeleton(rots, None, ids)
    heads = np.array([posed.bone_heads_m[b] for b in body.bone_labels])
    assert np.abs(heads - sk.heads_m).max() < 1e-9
    assert np.abs(posed.vertices_m[ids] - sk.points_m).max() < 1e-9


def test_rest_body_left_is_plus_x_and_on_floor(body: Body) -> None:
    posed = body.pose({})
    lm = posed.landmarks_m
    assert lm[L.LEFT_HIP, 0] > 0 > lm[L.RIGHT_HIP, 0]
    assert lm[L.LEFT_EYE, 0] > 0 > lm[L.RIGHT_EYE, 0]
    assert abs(posed.vertices_m[:, 2].min()) < 1e-9
    assert lm[L.NOSE, 1] < lm[L.LEFT_EAR, 1]  # the nose is in front (-Y)


@pytest.mark.parametrize("side", ["left", "right"])
def test_tree_knee_cave_reads_as_fppa(body: Body, side: str) -> None:
    posed = P.solve(P.Tree(side=side, knee_midline_deg=10.0), body).pose(body)
    cam = orbit_camera(np.array([0.0, 0.0, 0.8]), azimuth_deg=0, elevation_deg=0, distance_m=3)
    px = cam.project(posed.landmarks_m)
    s = "LEFT" if side == "left" else "RIGHT"
    mid = (px[L.LEFT_HIP] + px[L.RIGHT_HIP]) / 2
    fppa = float(fppa_deg(px[L[s + "_HIP"]], px[L[s + "_KNEE"]], px[L[s + "_ANKLE"]], mid))
    assert fppa == pytest.approx(10.0, abs=1.0)


@pytest.mark.parametrize(
    "params", [P.Warrior1(), P.Warrior1(side="right"), P.Tree(), P.HalfMoon(), P.Bridge()]
)
def test_poses_stand_on_the_floor(body: Body, params: P.PoseParams) -> None:
    posed = P.solve(params, body).pose(body)
    assert abs(float(posed.vertices_m[:, 2].min())) < 2e-3


def test_warrior1_front_knee_and_back_heel(body: Body) -> None:
    lm = P.solve(P.Warrior1(), body).pose(body).landmarks_m
    thigh = lm[L.LEFT_HIP] - lm[L.LEFT_KNEE]
    shin = lm[L.LEFT_ANKLE] - lm[L.LEFT_KNEE]
    cos = thigh @ shin / np.linalg.norm(thigh) / np.linalg.norm(shin)
    assert np.degrees(np.arccos(cos)) == pytest.approx(90.0, abs=1.0)
    assert lm[L.RIGHT_HEEL, 2] < 0.02  # back heel grounded
    assert lm[L.RIGHT_ANKLE, 1] > lm[L.LEFT_ANKLE, 1] + 0.7  # back foot well behind


def test_bridge_knee_gap_ratio(body: Body) -> None:
    lm = P.solve(P.Bridge(knee_gap_ratio=0.6), body).pose(body).landmarks_m
    knees = abs(lm[L.LEFT_KNEE, 1] - lm[L.RIGHT_KNEE, 1])
    ankles = abs(lm[L.LEFT_ANKLE, 1] - lm[L.RIGHT_ANKLE, 1])
    assert knees / ankles == pytest.approx(0.6, abs=0.02)


def test_animate_frame_count_and_contacts(body: Body) -> None:
    frames = P.animate(P.Tree(), body, fps=10, entry_s=0.3, hold_s=0.5)
    assert len(frames) == 8
    for f in frames[3:]:
        assert abs(float(f.vertices_m[:, 2].min())) < 2e-3


def _knee_angle_deg(lm: np.ndarray, s: str) -> float:
    thigh = lm[L[s + "_HIP"]] - lm[L[s + "_KNEE"]]
    shin = lm[L[s + "_ANKLE"]] - lm[L[s + "_KNEE"]]
    cos = thigh @ shin / np.linalg.norm(thigh) / np.linalg.norm(shin)
    return float(np.degrees(np.arccos(cos)))


def test_warrior1_back_knee_bend(body: Body) -> None:
    """Bending the back knee by N (at the bone joints) closes its true landmark angle by
    0.9-1.0 N: the landmarks are not the bone joints (a straight leg reads ~178 deg, and
    28 deg of bend closes it by ~26). The front knee stays at 90
    and the back heel on the floor, so only the back-knee check's metric changes."""
    straight = P.solve(P.Warrior1(), body).pose(body).landmarks_m
    lm = P.solve(P.Warrior1(back_knee_bend_deg=28.0), body).pose(body).landmarks_m
    drop_deg = _knee_angle_deg(straight, "RIGHT") - _knee_angle_deg(lm, "RIGHT")
    assert 0.9 * 28.0 <= drop_deg <= 28.0
    assert _knee_angle_deg(lm, "LEFT") == pytest.approx(90.0, abs=1.0)
    assert lm[L.RIGHT_HEEL, 2] < 0.02


def test_tree_standing_knee_bend(body: Body) -> None:
    """Bending the standing knee by N closes its true landmark angle by 0.9-1.0 N (see the
    Warrior 1 test), the knee moving forward
    (-Y), not toward the midline: the frontal view's FPPA stays near 0."""
    straight = P.solve(P.Tree(), body).pose(body).landmarks_m
    posed = P.solve(P.Tree(standing_knee_bend_deg=20.0), body).pose(body)
    lm = posed.landmarks_m
    drop_deg = _knee_angle_deg(straight, "LEFT") - _knee_angle_deg(lm, "LEFT")
    assert 0.9 * 20.0 <= drop_deg <= 20.0
    assert lm[L.LEFT_KNEE, 1] < lm[L.LEFT_ANKLE, 1] - 0.05  # knee ahead of the ankle
    cam = orbit_camera(np.array([0.0, 0.0, 0.8]), azimuth_deg=0, elevation_deg=0, distance_m=40)
    px = cam.project(lm)
    mid = (px[L.LEFT_HIP] + px[L.RIGHT_HIP]) / 2
    fppa = float(fppa_deg(px[L.LEFT_HIP], px[L.LEFT_KNEE], px[L.LEFT_ANKLE], mid))
    assert abs(fppa) < 2.0
    assert abs(float(posed.vertices_m[:, 2].min())) < 2e-3
