"""The segmentation outline and the landmark correction: pure numpy on synthetic data, plus
the real model's mask on a real photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posecheck.errors import ModelError
from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.images import load_image
from posecheck.io.model_files import correction_arrays, load_correction
from posecheck.judge.assess import analyze_image
from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.measure.correction import (
    FEATURE_VERSION,
    JOINTS,
    MIRROR_ORDER,
    N_FEATURES,
    N_OUTPUTS,
    LandmarkCorrection,
    PoseCorrection,
    correction_features,
    from_trunk,
    mirror_inputs,
    to_trunk,
)
from posecheck.measure.silhouette import LEVELS_TRUNK, REACH_TRUNK, STEPS, silhouette_edges
from tests.conftest import SAMPLES
from tests.factories import camera_view, standing_body

W, H = 400, 600
HIP = np.array([200.0, 350.0])
TRUNK_PX = 150.0


def _upright_landmarks() -> np.ndarray:
    """(33, 2) px: hips at HIP +- 20 px, shoulders TRUNK_PX straight above, rest at HIP."""
    xy = np.tile(HIP, (33, 1))
    xy[L.LEFT_HIP] = HIP + (20, 0)
    xy[L.RIGHT_HIP] = HIP - (20, 0)
    xy[L.LEFT_SHOULDER] = HIP + (40, -TRUNK_PX)
    xy[L.RIGHT_SHOULDER] = HIP + (-40, -TRUNK_PX)
    return xy


def _box_mask(left_px: float, right_px: float) -> np.ndarray:
    mask = np.zeros((H, W), dtype=np.float32)
    mask[:, int(HIP[0] - left_px) : int(HIP[0] + right_px) + 1] = 1.0
    return mask


def test_edges_of_an_upright_box_are_its_half_widths() -> None:
    # A body 60 px wide on screen-left of the axis and 90 px on screen-right: n points to
    # the screen's right for an upright trunk, so +n reads 90 px and -n 60 px.
    edges = silhouette_edges(_box_mask(60, 90), _upright_landmarks())
    step = REACH_TRUNK / (STEPS - 1)
    assert edges.shape == (len(LEVELS_TRUNK), 4)
    assert np.all(edges[:, 0] == 0) and np.all(edges[:, 2] == 0)  # the axis is on the body
    assert np.allclose(edges[:, 1], 90 / TRUNK_PX, atol=1.5 * step)
    assert np.allclose(edges[:, 3], 60 / TRUNK_PX, atol=1.5 * step)


def test_edges_turn_with_the_picture_and_swap_in_a_mirror() -> None:
    mask, xy = _box_mask(60, 90), _upright_landmarks()
    edges = silhouette_edges(mask, xy)
    # np.rot90 (counter-clockwise): a pixel (x, y) lands at (y, W - 1 - x).
    turned = np.stack([xy[:, 1], (W - 1) - xy[:, 0]], axis=-1)
    assert np.allclose(silhouette_edges(np.rot90(mask), turned), edges)
    mirrored = np.stack([(W - 1) - xy[:, 0], xy[:, 1]], axis=-1)
    assert np.allclose(silhouette_edges(mask[:, ::-1], mirrored), edges[:, [2, 3, 0, 1]])


def test_a_gap_between_the_thighs_gives_an_entry() -> None:
    mask = _box_mask(60, 90)
    mask[int(HIP[1]) :, int(HIP[0] - 15) : int(HIP[0] + 15)] = 0.0  # crotch gap below the hips
    edges = silhouette_edges(mask, _upright_landmarks())
    below = LEVELS_TRUNK < -1.5 / TRUNK_PX * 2
    assert np.all(edges[below, 0] > 0) and np.all(edges[below, 2] > 0)
    assert np.all(edges[~below & (LEVELS_TRUNK > 0), 0] == 0)


def test_trunk_frame_round_trip() -> None:
    lm = camera_view(standing_body(), yaw_deg=20.0)
    xy = lm.xy_px[None]
    back = from_trunk(to_trunk(xy, xy), xy)
    assert np.allclose(back, xy)
    tf = to_trunk(xy, xy)[0]
    # Mid-hip is the origin, mid-shoulder is (0, 1).
    assert np.allclose((tf[L.LEFT_HIP] + tf[L.RIGHT_HIP]) / 2, 0.0, atol=1e-12)
    assert np.allclose((tf[L.LEFT_SHOULDER] + tf[L.RIGHT_SHOULDER]) / 2, (0.0, 1.0))


def test_mirroring_twice_is_the_identity() -> None:
    assert sorted(MIRROR_ORDER) == list(range(33))
    assert all(MIRROR_ORDER[MIRROR_ORDER[i]] == i for i in range(33))
    rng = np.random.default_rng(1)
    arrays = (rng.random((3, 33, 2)) * 100, rng.random((3, 33)), rng.random((3, 33, 3)),
              rng.random((3, 13, 4)))  # fmt: skip
    once = mirror_inputs(*arrays, image_w=640.0)
    twice = mirror_inputs(*once, image_w=640.0)
    for a, b in zip(arrays, twice, strict=True):
        assert np.allclose(a, b)


def _bias_only_model(offsets: np.ndarray) -> LandmarkCorrection:
    """A network whose output is ``offsets`` whatever the input (all weights zero)."""
    h = 4
    z = np.zeros
    return LandmarkCorrection(
        w1=z((N_FEATURES, h)), b1=z(h), w2=z((h, h)), b2=z(h), w3=z((h, N_OUTPUTS)),
        b3=offsets, x_mean=z(N_FEATURES), x_std=np.ones(N_FEATURES), y_mean=z(N_OUTPUTS),
        y_std=np.ones(N_OUTPUTS),
    )  # fmt: skip


def test_correction_moves_only_its_joints_by_the_predicted_offsets() -> None:
    base = camera_view(standing_body(), yaw_deg=0.0)
    lm = Landmarks(
        xy=base.xy,
        visibility=base.visibility,
        image_wh=base.image_wh,
        world=np.zeros((33, 3)),
        silhouette=np.zeros((13, 4)),
    )
    nj = len(JOINTS)
    offsets = np.zeros(N_OUTPUTS)
    hip = JOINTS.index(int(L.LEFT_HIP))
    offsets[2 * hip + 1] = 0.1  # the left hip 0.1 trunk lengths up the trunk
    offsets[2 * nj + 3 * hip + 2] = -0.05  # and 5 cm toward the camera
    out = _bias_only_model(offsets).apply(lm)
    xy, new = lm.xy_px, out.xy_px
    trunk = np.linalg.norm(
        (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2 - (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    )
    # Upright body: "up the trunk" is straight up in the picture.
    assert new[L.LEFT_HIP] == pytest.approx(xy[L.LEFT_HIP] - (0.0, 0.1 * trunk))
    assert out.world is not None and out.world[L.LEFT_HIP, 2] == pytest.approx(-0.05)
    others = [i for i in range(33) if i != L.LEFT_HIP]
    assert np.allclose(new[others], xy[others])
    assert np.allclose(out.world[others], 0.0)
    assert correction_features(xy[None], lm.visibility[None], np.zeros((1, 33, 3)),
                               np.zeros((1, 13, 4))).shape == (1, N_FEATURES)  # fmt: skip


def test_no_silhouette_means_no_correction() -> None:
    lm = camera_view(standing_body(), yaw_deg=0.0)
    assert _bias_only_model(np.ones(N_OUTPUTS)).apply(lm) is lm


@pytest.mark.model
def test_real_mask_outlines_the_real_body() -> None:
    image = load_image(SAMPLES / "squat_front_standing.jpg")
    with PoseEstimator(segmentation=True) as est:
        lm = est.detect(image)
    assert lm is not None and lm.silhouette is not None
    sil = lm.silhouette
    assert np.all(np.isfinite(sil))
    waist = LEVELS_TRUNK > 0.2
    # On the waist lines the axis is inside the body and both flanks are found within
    # reach, the two sides similar for a person standing square to the camera.
    assert np.all(sil[waist, 0] == 0) and np.all(sil[waist, 2] == 0)
    assert np.all(sil[waist, 1] < REACH_TRUNK) and np.all(sil[waist, 3] < REACH_TRUNK)
    hip_w = np.linalg.norm(lm.xy_px[L.LEFT_HIP] - lm.xy_px[L.RIGHT_HIP])
    trunk = np.linalg.norm(
        (lm.xy_px[L.LEFT_SHOULDER] + lm.xy_px[L.RIGHT_SHOULDER]) / 2
        - (lm.xy_px[L.LEFT_HIP] + lm.xy_px[L.RIGHT_HIP]) / 2
    )
    # The flanks lie outside the hip joint centres (half the hip width from the axis).
    assert np.median(sil[waist, 1]) > 0.5 * hip_w / trunk
    assert np.median(sil[waist, 3]) > 0.5 * hip_w / trunk


def _save(correction: PoseCorrection, path: Path, **extra: object) -> None:
    np.savez(path, **correction_arrays(correction), **extra)  # type: ignore[arg-type]


def test_correction_files_load_or_fail_in_one_line(tmp_path: Path) -> None:
    tree = _bias_only_model(np.arange(N_OUTPUTS, dtype=np.float64))
    bridge = _bias_only_model(-np.arange(N_OUTPUTS, dtype=np.float64))
    both = PoseCorrection({"tree": tree, "bridge": bridge})
    good = tmp_path / "good.npz"
    _save(both, good, feature_version=np.asarray(FEATURE_VERSION),
          landmarker_sha256=np.asarray("abc"))  # fmt: skip
    loaded, sha = load_correction(good)
    assert sha == "abc" and sorted(loaded.by_pose) == ["bridge", "tree"]
    assert np.array_equal(loaded.by_pose["tree"].b3, tree.b3)
    assert np.array_equal(loaded.by_pose["bridge"].b3, bridge.b3)
    old = tmp_path / "old.npz"
    _save(both, old, feature_version=np.asarray(FEATURE_VERSION + 1))
    with pytest.raises(ModelError, match=r"old\.npz: made for correction features"):
        load_correction(old)
    junk = tmp_path / "junk.npz"
    junk.write_text("not a zip")
    with pytest.raises(ModelError, match=r"junk\.npz: not a landmark correction file"):
        load_correction(junk)
    with pytest.raises(ModelError, match="not found"):
        load_correction(tmp_path / "missing.npz")


def test_a_pose_correction_applies_only_the_model_of_the_pose_checked() -> None:
    base = camera_view(standing_body(), yaw_deg=0.0)
    lm = Landmarks(xy=base.xy, visibility=base.visibility, image_wh=base.image_wh,
                   world=np.zeros((33, 3)), silhouette=np.zeros((13, 4)))  # fmt: skip
    offsets = np.zeros(N_OUTPUTS)
    offsets[2 * JOINTS.index(int(L.LEFT_HIP)) + 1] = 0.1
    correction = PoseCorrection({"tree": _bias_only_model(offsets)})
    assert correction.apply(lm, None) is lm
    assert correction.apply(lm, "bridge") is lm
    moved = correction.apply(lm, "tree")
    assert moved.xy_px[L.LEFT_HIP, 1] < lm.xy_px[L.LEFT_HIP, 1]


@pytest.mark.model
def test_the_judge_applies_the_correction_of_the_pose_to_real_landmarks() -> None:
    image = load_image(SAMPLES / "squat_front_standing.jpg")
    offsets = np.zeros(N_OUTPUTS)
    knee = JOINTS.index(int(L.RIGHT_KNEE))
    offsets[2 * knee] = 0.2  # 0.2 trunk lengths along n
    correction = PoseCorrection({"tree": _bias_only_model(offsets)})
    with PoseEstimator() as plain, PoseEstimator(correction=correction) as fixed:
        raw = analyze_image(image, plain, pose="tree")
        moved = analyze_image(image, fixed, pose="tree")
        other = analyze_image(image, fixed, pose="warrior1")
    assert raw.landmarks is not None and moved.landmarks is not None
    assert moved.landmarks.silhouette is not None
    shift = moved.landmarks.xy_px[L.RIGHT_KNEE] - raw.landmarks.xy_px[L.RIGHT_KNEE]
    xy = raw.landmarks.xy_px
    trunk = np.linalg.norm(
        (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2 - (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    )
    assert np.linalg.norm(shift) == pytest.approx(0.2 * trunk, rel=1e-6)
    assert np.allclose(moved.landmarks.xy_px[L.LEFT_KNEE], xy[L.LEFT_KNEE])
    # The metrics are measured on the moved joints; another pose keeps MediaPipe's.
    assert moved.metrics["knee_angle_right_deg"].value != raw.metrics["knee_angle_right_deg"].value
    assert other.landmarks is not None
    assert np.allclose(other.landmarks.xy_px[L.RIGHT_KNEE], xy[L.RIGHT_KNEE])


def test_auto_correction_needs_the_bundle_it_was_trained_for(tmp_path: Path) -> None:
    other = tmp_path / "other.task"
    other.write_bytes(b"not the shipped bundle")
    # Whatever models/ ships, a correction never applies to a landmarker it was not
    # trained for (its errors differ).
    assert PoseEstimator(model_path=other, correction="auto").correction is None


def test_a_check_on_only_with_the_correction_is_judged_on_corrected_frames_only() -> None:
    """``on_with_correction``: off as MediaPipe reads the frame (its reason says why),
    judged once the correction moved the landmarks, on the moved joints' value."""
    from dataclasses import replace

    from posecheck.judge.assess import assess
    from posecheck.poses import get_pose, registered

    tree = get_pose("tree")
    pelvis = next(c for c in tree.checks if c.id == "pelvis_level")
    # warn at 0.5 deg: any measurable tilt of the moved hip line warns, none of the level one
    gated = replace(pelvis, warn=0.5, fault=60.0, on_with_correction=True,
                    unreliable="test: off without the correction")  # fmt: skip
    assert gated.state == "on with --correct"
    assert not gated.is_on() and gated.is_on(corrected=True)
    spec = replace(tree, name="tree_gated", checks=(gated,))
    base = camera_view(standing_body(), yaw_deg=0.0)
    lm = Landmarks(xy=base.xy, visibility=base.visibility, image_wh=base.image_wh,
                   world=np.zeros((33, 3)), silhouette=np.zeros((13, 4)))  # fmt: skip
    offsets = np.zeros(N_OUTPUTS)
    offsets[2 * JOINTS.index(int(L.LEFT_HIP)) + 1] = 0.1  # the left hip a tenth of a trunk up
    with registered(spec):
        correction = PoseCorrection({"tree_gated": _bias_only_model(offsets)})
        plain = assess(lm, "x", lm.image_wh, pose="tree_gated")
        fixed = assess(lm, "x", lm.image_wh, pose="tree_gated", correction=correction)
    (off,) = plain.checks
    assert off.severity is None and off.reason == "switched off: test: off without the correction"
    (on,) = fixed.checks
    assert fixed.landmarks is not None
    xy = fixed.landmarks.xy_px
    d = xy[L.LEFT_HIP] - xy[L.RIGHT_HIP]
    tilt = abs(np.degrees(np.arctan2(d[1], abs(d[0]))))
    assert tilt > 1.0 and on.value == pytest.approx(tilt, abs=0.5)
    assert on.severity is not None and on.severity.rank > 0


def test_a_check_on_with_the_correction_must_say_why_it_is_off_without() -> None:
    from dataclasses import replace

    from posecheck.poses import get_pose

    check = next(c for c in get_pose("tree").checks if c.unreliable is None)
    with pytest.raises(ValueError, match="on_with_correction needs the reason"):
        replace(check, on_with_correction=True)
