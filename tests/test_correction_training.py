"""The correction's training data: targets are zero where MediaPipe is right, mirrored
frames are consistent, and a network fitted to a known offset learns it."""

from __future__ import annotations

import numpy as np

from posecheck.landmarks import Landmark as L
from posecheck.measure.correction import JOINTS, N_FEATURES, N_OUTPUTS
from tests.factories import camera_view, standing_body
from tools.correction.train import Clip, design, targets, train_mlp


def _clip(frames: int, offset_px: float = 0.0, seed: int = 0) -> Clip:
    """A clip whose MediaPipe reading equals the truth except the left hip, which reads
    ``offset_px`` too high; bodies sway a little from frame to frame."""
    rng = np.random.default_rng(seed)
    xy, world, truth = [], [], []
    for _ in range(frames):
        lm = camera_view(standing_body(), yaw_deg=float(rng.uniform(-20, 20)))
        true_px = lm.xy_px + rng.normal(0, 2.0, (33, 2))
        read = true_px.copy()
        read[L.LEFT_HIP, 1] -= offset_px
        xy.append(read)
        truth.append(true_px)
        w = rng.normal(0, 0.3, (33, 3))
        world.append(w)
    xy_a, truth_a, world_a = np.array(xy), np.array(truth), np.array(world)
    return Clip(
        name="c", body="b", split="train", pose="tree", azimuth_deg=0.0, elevation_deg=0.0,
        xy_px=xy_a, visibility=np.ones((frames, 33)), world=world_a,
        silhouette=rng.uniform(0, 0.5, (frames, 13, 4)), true_px=truth_a,
        true_cam=world_a.copy(), image_w=640.0,
    )  # fmt: skip


def test_targets_are_zero_where_mediapipe_is_right() -> None:
    c = _clip(5)
    t = targets(c.xy_px, c.world, c.true_px, c.true_cam)
    assert t.shape == (5, N_OUTPUTS) and np.allclose(t, 0.0)


def test_mirrored_frames_carry_the_same_error_on_the_other_side() -> None:
    c = _clip(3, offset_px=10.0)
    x, y = design([c], mirror=True)
    assert x.shape == (6, N_FEATURES) and y.shape == (6, N_OUTPUTS)
    left, right = JOINTS.index(int(L.LEFT_HIP)), JOINTS.index(int(L.RIGHT_HIP))
    # The reading is 10 px too high: the truth lies 10 px down the trunk (negative "up").
    assert np.all(y[:3, 2 * left + 1] < 0) and np.allclose(y[:3, 2 * right + 1], 0.0)
    # In the mirror the body's right hip carries that error, by the same amount.
    assert np.allclose(y[3:, 2 * right + 1], y[:3, 2 * left + 1])
    assert np.allclose(y[3:, 2 * left + 1], 0.0)


def test_a_fitted_network_learns_a_constant_offset() -> None:
    train, val = _clip(200, offset_px=12.0, seed=1), _clip(50, offset_px=12.0, seed=2)
    x, y = design([train], mirror=False)
    xv, yv = design([val], mirror=False)
    model = train_mlp(x, y, xv, yv, hidden=32, epochs=30, log=False)
    xy, _ = model.apply_arrays(val.xy_px, val.visibility, val.world, val.silhouette)
    err_before = np.abs(val.xy_px[:, L.LEFT_HIP, 1] - val.true_px[:, L.LEFT_HIP, 1])
    err_after = np.abs(xy[:, L.LEFT_HIP, 1] - val.true_px[:, L.LEFT_HIP, 1])
    assert np.median(err_before) > 11.0
    assert np.median(err_after) < 0.25 * np.median(err_before)


def test_ridge_stored_as_the_network_is_the_linear_map() -> None:
    from tools.correction.train import train_ridge

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, N_FEATURES))
    true_w = rng.normal(size=(N_FEATURES, N_OUTPUTS)) * 0.01
    y = x @ true_w + 0.5
    model = train_ridge(x, y, x[:50], y[:50], alphas=(1e-6,), log=False)
    assert np.allclose(model.predict(x[:20]), y[:20], atol=1e-3)


def test_keep_only_zeroes_exactly_the_other_joints_outputs() -> None:
    from tools.correction.train import JOINT_GROUPS, keep_only, train_ridge

    rng = np.random.default_rng(4)
    x = rng.normal(size=(300, N_FEATURES))
    y = x @ (rng.normal(size=(N_FEATURES, N_OUTPUTS)) * 0.01) + 0.3
    full = train_ridge(x, y, x[:50], y[:50], alphas=(1e-3,), log=False)
    hips = keep_only(full, JOINT_GROUPS["hips"])
    out_full, out_hips = full.predict(x[:10]), hips.predict(x[:10])
    nj = len(JOINTS)
    for i, joint in enumerate(JOINTS):
        cols = [2 * i, 2 * i + 1, 2 * nj + 3 * i, 2 * nj + 3 * i + 1, 2 * nj + 3 * i + 2]
        if joint in (L.LEFT_HIP, L.RIGHT_HIP):
            assert np.allclose(out_hips[:, cols], out_full[:, cols])
        else:
            assert np.all(out_hips[:, cols] == 0.0)


def test_auto_keeps_the_kind_that_predicts_the_validation_bodies_better() -> None:
    from tools.correction.train import JOINT_GROUPS, fit_pose, validation_error

    train = [_clip(150, offset_px=12.0, seed=s) for s in (5, 6)]
    val = [_clip(60, offset_px=12.0, seed=7)]
    notes: dict[str, object] = {}
    hips = JOINT_GROUPS["hips"]
    model = fit_pose(train, val, "auto", hidden=32, epochs=20, notes=notes, joints=hips)
    errors = notes["validation_error"]
    assert isinstance(errors, dict) and set(errors) == {"ridge", "mlp"}
    assert notes["kind"] == min(errors, key=lambda k: errors[k])
    if notes["kind"] == "mlp":  # the ridge is refitted with the validation bodies; the net not
        xv, yv = design(val, mirror=False)
        assert abs(validation_error(model, xv, yv, hips) - errors["mlp"]) < 1e-3
    fixed, _ = model.apply_arrays(val[0].xy_px, val[0].visibility, val[0].world, val[0].silhouette)
    err = np.abs(fixed[:, L.LEFT_HIP, 1] - val[0].true_px[:, L.LEFT_HIP, 1])
    assert np.median(err) < 0.25 * 12.0
