"""The hip line read from the picture's pixels: crop geometry, the numpy network, the blend,
the model file, and the real estimator on a real photo."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from posecheck.errors import ModelError
from posecheck.io.model_files import (
    correction_arrays,
    load_correction,
    pixel_model_arrays,
    pixel_model_from_arrays,
)
from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks, unrotate
from posecheck.measure.correction import FEATURE_VERSION, PoseCorrection
from posecheck.measure.pelvis_pixels import (
    CROP_WH,
    CROP_X_TRUNK,
    CROP_Y_TRUNK,
    MIN_HIP_SPAN_TRUNK,
    PelvisPixelModel,
    PixelNet,
    blend_hip_line,
    hip_line,
    hip_line_angle_deg,
    pelvis_crop,
    picture_direction,
    read_hip_line,
)

HIP = np.array([200.0, 300.0])
TRUNK_PX = 120.0


def _landmarks(tilt_deg: float = 0.0, turn_deg: float = 0.0) -> np.ndarray:
    """(33, 2) px: an upright trunk of TRUNK_PX above HIP, hips 50 px apart with their line
    tilted ``tilt_deg`` (the left hip, on the picture's right, lower for a positive
    tilt), everything then turned ``turn_deg`` about HIP (y down)."""
    xy = np.tile(HIP, (33, 1))
    t = math.radians(tilt_deg)
    half = 25.0 * np.array([math.cos(t), math.sin(t)])
    xy[L.LEFT_HIP], xy[L.RIGHT_HIP] = HIP + half, HIP - half
    xy[L.LEFT_SHOULDER] = HIP + (30, -TRUNK_PX)
    xy[L.RIGHT_SHOULDER] = HIP + (-30, -TRUNK_PX)
    r = math.radians(turn_deg)
    rot = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    return np.asarray((xy - HIP) @ rot.T + HIP)


def _random_net(rng: np.random.Generator) -> PixelNet:
    convs, channels = [], 3
    for k, stride in ((4, 2), (6, 1), (5, 1)):
        w = rng.normal(0, 0.3, (3, 3, channels, k)).astype(np.float32)
        convs.append((w, rng.normal(0, 0.1, k).astype(np.float32), stride))
        channels = k
    inputs = (CROP_WH[0] // 8) * (CROP_WH[1] // 8) * channels
    dense = (
        (rng.normal(0, 0.1, (inputs, 7)).astype(np.float32), np.zeros(7, np.float32)),
        (rng.normal(0, 0.3, (7, 1)).astype(np.float32), np.full(1, 0.2, np.float32)),
    )
    return PixelNet(convs=tuple(convs), dense=dense)


def _random_model(seed: int = 0, nets: int = 2) -> PelvisPixelModel:
    rng = np.random.default_rng(seed)
    return PelvisPixelModel(
        nets=tuple(_random_net(rng) for _ in range(nets)),
        mean=np.full(3, 0.5, np.float32),
        std=np.full(3, 0.25, np.float32),
        scale_deg=20.0,
    )


def test_the_crop_puts_mid_hip_where_its_extent_says() -> None:
    # A white dot at mid-hip on black: in the crop it lands at the fraction of the extent
    # where 0 lies, across and along the trunk.
    image = np.zeros((600, 400, 3), np.uint8)
    image[298:303, 198:203] = 255
    crop = pelvis_crop(image, _landmarks())
    assert crop is not None and crop.shape == (CROP_WH[1], CROP_WH[0], 3)
    rows, cols = np.nonzero(crop[:, :, 0] > 0)
    (x0, x1), (y0, y1) = CROP_X_TRUNK, CROP_Y_TRUNK
    assert np.mean(cols) == pytest.approx(-x0 / (x1 - x0) * CROP_WH[0] - 0.5, abs=0.75)
    assert np.mean(rows) == pytest.approx(-y0 / (y1 - y0) * CROP_WH[1] - 0.5, abs=0.75)


def test_the_crop_turns_with_the_body() -> None:
    # A bar along the hip line: turning the picture and the landmarks together leaves the
    # crop (nearly) the same.
    import cv2

    image = np.zeros((600, 400, 3), np.uint8)
    cv2.line(image, (150, 300), (250, 300), (255, 255, 255), 5)
    upright = pelvis_crop(image, _landmarks())
    turn = cv2.getRotationMatrix2D((200.0, 300.0), -30.0, 1.0)  # +30 deg on screen (y down)
    turned_image = cv2.warpAffine(image, turn, (400, 600))
    turned = pelvis_crop(turned_image, _landmarks(turn_deg=30.0))
    assert upright is not None and turned is not None
    assert np.mean(np.abs(upright.astype(float) - turned.astype(float))) < 6.0


def test_hip_line_angle_is_the_tilt_in_the_trunk_frame() -> None:
    for tilt in (-12.0, 0.0, 7.5):
        for turn in (0.0, 35.0, 90.0):
            assert hip_line_angle_deg(_landmarks(tilt, turn)) == pytest.approx(tilt)
    _, span = hip_line(_landmarks(), _landmarks()[L.LEFT_HIP], _landmarks()[L.RIGHT_HIP])
    assert span == pytest.approx(50.0 / TRUNK_PX)


def test_picture_direction_undoes_the_crop_frame() -> None:
    xy = _landmarks(9.0, 40.0)
    direction = picture_direction(xy, hip_line_angle_deg(xy))
    span = xy[L.LEFT_HIP] - xy[L.RIGHT_HIP]
    assert abs(float(direction @ span)) == pytest.approx(float(np.hypot(*span)))


def test_blend_turns_the_hips_by_the_share() -> None:
    xy = _landmarks(0.0, 20.0)
    target = picture_direction(xy, 10.0)
    for share in (0.0, 0.5, 1.0):
        out = blend_hip_line(xy, -target, share)  # the line's sign means nothing
        assert hip_line_angle_deg(out) == pytest.approx(10.0 * share)
        mid_before = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
        mid_after = (out[L.LEFT_HIP] + out[L.RIGHT_HIP]) / 2
        np.testing.assert_allclose(mid_after, mid_before)
        assert np.hypot(*(out[L.LEFT_HIP] - out[L.RIGHT_HIP])) == pytest.approx(50.0)
        # the left hip stays on the side it was on
        side = (xy[L.LEFT_HIP] - mid_before) @ (out[L.LEFT_HIP] - mid_after)
        assert side > 0
        others = [i for i in range(33) if i not in (L.LEFT_HIP, L.RIGHT_HIP)]
        np.testing.assert_array_equal(out[others], xy[others])


def _naive_forward(net: PixelNet, x: np.ndarray) -> float:
    """One network written out loop by loop, for one (h, w, 3) normalised crop."""
    for w, b, stride in net.convs:
        h, wd, _ = x.shape
        padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
        rows, cols = range(0, h, stride), range(0, wd, stride)
        y = np.zeros((len(rows), len(cols), w.shape[3]))
        for r_out, r in enumerate(rows):
            for c_out, c in enumerate(cols):
                patch = padded[r : r + 3, c : c + 3]
                y[r_out, c_out] = np.einsum("ijk,ijkl->l", patch, w) + b
        x = np.maximum(y, 0)
        if stride == 1:
            hh, ww = x.shape[0] // 2, x.shape[1] // 2
            x = x.reshape(hh, 2, ww, 2, -1).max(axis=(1, 3))
    v = x.reshape(-1)
    (w0, b0), (w1, b1) = net.dense
    return float((np.maximum(v @ w0 + b0, 0) @ w1 + b1)[0])


def test_numpy_networks_are_the_written_out_ones_and_mirror_antisymmetric() -> None:
    model = _random_model()
    rng = np.random.default_rng(1)
    crop = rng.integers(0, 256, (1, CROP_WH[1], CROP_WH[0], 3), dtype=np.uint8)
    x = (crop[0].astype(np.float32) / 255 - model.mean) / model.std
    each = [(_naive_forward(net, x) - _naive_forward(net, x[:, ::-1])) / 2 for net in model.nets]
    expected = float(np.mean(each)) * model.scale_deg
    assert model.predict(crop)[0] == pytest.approx(expected, rel=1e-4, abs=1e-4)
    assert model.predict(crop[:, :, ::-1])[0] == pytest.approx(-expected, rel=1e-4, abs=1e-4)


def test_read_hip_line_skips_an_end_on_hip_line() -> None:
    model = _random_model()
    image = np.full((600, 400, 3), 90, np.uint8)
    xy = _landmarks()
    assert read_hip_line(model, image, xy) is not None
    end_on = xy.copy()
    end_on[L.LEFT_HIP] = HIP + (0.4 * MIN_HIP_SPAN_TRUNK * TRUNK_PX, 0)
    end_on[L.RIGHT_HIP] = HIP - (0.4 * MIN_HIP_SPAN_TRUNK * TRUNK_PX, 0)
    assert read_hip_line(model, image, end_on) is None


def test_mirror_and_unrotate_carry_the_hip_line() -> None:
    wh = (300, 500)
    xy = np.random.default_rng(2).uniform(0.2, 0.8, (33, 2))
    px = xy * wh
    line = px[L.RIGHT_HIP] - px[L.LEFT_HIP]
    lm = Landmarks(xy=xy, visibility=np.ones(33), image_wh=wh, hip_line_px=line / np.hypot(*line))
    mirrored = lm.mirrored()
    m_line = mirrored.xy_px[L.RIGHT_HIP] - mirrored.xy_px[L.LEFT_HIP]
    assert mirrored.hip_line_px is not None
    np.testing.assert_allclose(mirrored.hip_line_px, m_line / np.hypot(*m_line))
    for turns in (1, 2, 3):
        back = unrotate(lm, turns, (500, 300) if turns % 2 else (300, 500))
        b_line = back.xy_px[L.RIGHT_HIP] - back.xy_px[L.LEFT_HIP]
        assert back.hip_line_px is not None
        np.testing.assert_allclose(back.hip_line_px, b_line / np.hypot(*b_line), atol=1e-9)


def test_the_correction_turns_the_hips_by_its_share_for_the_pose() -> None:
    xy = _landmarks(0.0)
    wh = (400, 600)
    line = picture_direction(xy, 8.0)
    lm = Landmarks(xy=xy / wh, visibility=np.ones(33), image_wh=wh, hip_line_px=line)
    correction = PoseCorrection({}, pixels=_random_model(), pixel_weight={"tree": 0.5})
    assert hip_line_angle_deg(correction.apply(lm, "tree").xy_px) == pytest.approx(4.0)
    np.testing.assert_array_equal(correction.apply(lm, "bridge").xy, lm.xy)
    np.testing.assert_array_equal(correction.apply(lm, None).xy, lm.xy)


def test_model_file_round_trip_and_a_broken_network(tmp_path: Path) -> None:
    model = _random_model()
    correction = PoseCorrection({}, pixels=model, pixel_weight={"tree": 0.75})
    path = tmp_path / "c.npz"
    np.savez(
        path,
        feature_version=np.int64(FEATURE_VERSION),
        landmarker_sha256=np.asarray("x"),
        **correction_arrays(correction),
    )
    loaded, _ = load_correction(path)
    assert loaded.pixels is not None and loaded.pixel_weight == {"tree": 0.75}
    crops = np.random.default_rng(3).integers(0, 256, (2, CROP_WH[1], CROP_WH[0], 3), np.uint8)
    np.testing.assert_allclose(loaded.pixels.predict(crops), model.predict(crops))
    arrays = pixel_model_arrays(model)
    arrays["net1.dense0.w"] = arrays["net1.dense0.w"][:-1]
    with pytest.raises(ValueError, match="net1.dense0 of shape"):
        pixel_model_from_arrays(arrays)
    broken = {f"pixels.{k}": v for k, v in arrays.items()}
    np.savez(
        path,
        feature_version=np.int64(FEATURE_VERSION),
        landmarker_sha256=np.asarray("x"),
        poses=np.asarray([], dtype=str),
        **broken,
    )
    with pytest.raises(ModelError, match=r"c\.npz: its pixel network does not load"):
        load_correction(path)


@pytest.mark.model
def test_the_shipped_network_reads_a_real_hip_line_that_turns_with_the_picture() -> None:
    """The real estimator on a real photo: the shipped correction reads the hip line from
    the pixels, and turning the photo turns that line with it. One reading jitters by
    about 1.5 deg as the picture is resampled, so the test fits the turn over five angles:
    it must follow the picture one for one (a slope within 0.1 of 1)."""
    import cv2

    from posecheck.estimate.landmarker import PoseEstimator
    from posecheck.io.images import load_image
    from tests.conftest import SAMPLES

    image = load_image(SAMPLES / "squat_front_standing.jpg")
    h, w = image.shape[:2]
    turns = np.array([-20.0, -10.0, 0.0, 10.0, 20.0])
    read = []
    with PoseEstimator(correction="auto") as est:
        assert est.correction is not None and est.correction.pixels is not None
        for turn_deg in turns:
            # cv2 turns counter-clockwise on screen for a positive angle: -turn_deg turns
            # the picture by +turn_deg in image coordinates (y down).
            m = cv2.getRotationMatrix2D((w / 2, h / 2), -float(turn_deg), 1.0)
            turned = cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
            lm = est.detect(turned)
            assert lm is not None and lm.hip_line_px is not None
            assert np.hypot(*lm.hip_line_px) == pytest.approx(1.0)
            line = lm.hip_line_px if lm.hip_line_px[0] >= 0 else -lm.hip_line_px
            read.append(math.degrees(math.atan2(line[1], line[0])))
    slope = np.polyfit(turns, np.asarray(read), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.1)


def test_nets_side_by_side_read_as_one_after_another() -> None:
    """The fast path (the nets' weights stacked) gives the nets' own mean output; nets of
    different layouts fall back to running one after another."""
    model = _random_model(seed=4, nets=3)
    crops = np.random.default_rng(5).integers(0, 256, (3, CROP_WH[1], CROP_WH[0], 3), np.uint8)
    x = (crops.astype(np.float32) / 255 - model.mean) / model.std
    one_by_one = np.mean([net(x) for net in model.nets], axis=0)
    stacked = model._side_by_side
    assert stacked is not None
    np.testing.assert_allclose(
        model._forward_side_by_side(x, stacked), one_by_one, rtol=1e-5, atol=1e-5
    )
    w, b, stride = model.nets[1].convs[1]
    odd = PixelNet(
        convs=(model.nets[1].convs[0], (w[:, :, :, :4], b[:4], stride), model.nets[1].convs[2]),
        dense=model.nets[1].dense,
    )
    assert PelvisPixelModel((model.nets[0], odd), model.mean, model.std, 20.0)._side_by_side is None


def test_the_readme_states_the_shipped_shares() -> None:
    """The README says how far each pose turns toward the picture's hip line; the shipped
    correction file is what decides it."""
    from posecheck.io.model_files import CORRECTION_FILENAME

    root = Path(__file__).resolve().parents[1]
    correction, _ = load_correction(root / "models" / CORRECTION_FILENAME)
    words = {0.0: "not at all", 0.25: "a quarter", 0.5: "half way", 0.75: "three quarters"}
    names = {"warrior1": "Warrior 1", "tree": "Tree", "half_moon": "Half Moon", "bridge": "Bridge"}
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    said = readme[readme.index("The corrected hips are then turned part of the way") :][:200]
    assert correction.pixels is not None
    for pose, name in names.items():
        share = correction.pixel_weight.get(pose, 0.0)
        phrase = words[share]
        start = said.index(phrase)
        assert name in said[start : start + len(phrase) + 30], (pose, share, said)
