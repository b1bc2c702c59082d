"""Tests for posecheck.outputs.overlay: the overlay drawn on frames.

The golden image ``tests/golden/overlay_640x480.png`` is compared with a tolerance so that
anti-aliasing differences between OpenCV, Pillow and FreeType builds do not break it.
Rewrite it after an intended change to the look with::

    POSECHECK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py

and look at the new PNG before committing it.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from posecheck.landmarks import N_LANDMARKS, Landmark, Landmarks
from posecheck.outputs import fonts
from posecheck.outputs.overlay import (
    Annotator,
    OverlayStyle,
    _Sizes,
    _weight_rows,
    annotate,
    header_text,
    joint_statuses,
    knee_correction_direction,
)
from posecheck.result import Balance, Cue, FrameResult, Metric
from posecheck.vocab import Severity, View
from tests.factories import STANDING_FACING_XY

GOLDEN = Path(__file__).parent / "golden" / "overlay_640x480.png"
UPDATE_GOLDEN = os.environ.get("POSECHECK_UPDATE_GOLDEN") == "1"

L = Landmark


def standing_landmarks(image_wh: tuple[int, int] = (640, 480)) -> Landmarks:
    """All 33 landmarks of a standing, camera-facing figure in an image of ``image_wh``."""
    assert len(STANDING_FACING_XY) == N_LANDMARKS
    xy = np.array([STANDING_FACING_XY[Landmark(i)] for i in range(N_LANDMARKS)], dtype=np.float64)
    return Landmarks(xy=xy, visibility=np.full(N_LANDMARKS, 0.99), image_wh=image_wh)


def _invalid(unit: str, reason: str) -> Metric:
    return Metric(value=math.nan, unit=unit, valid=False, reason=reason)


def make_result(
    image_wh: tuple[int, int] = (640, 480), landmarks: Landmarks | None = None
) -> FrameResult:
    """A Warrior 1 frame: a left-knee valgus fault, hip metrics not measurable from the
    front, a valid weight split and a balance with the COM inside the base of support."""
    lm = landmarks if landmarks is not None else standing_landmarks(image_wh)
    w, h = image_wh
    feet_x = lm.xy_px[[L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX], 0]
    metrics = {
        "knee_valgus_left_deg": Metric(11.4, "deg", True),
        "knee_valgus_right_deg": Metric(1.6, "deg", True),
        "hip_extension_left_deg": _invalid("deg", "needs a side view; camera sees the front"),
        "hip_extension_right_deg": _invalid("deg", "needs a side view; camera sees the front"),
        "weight_left_pct": Metric(62.0, "pct", True),
        "weight_right_pct": Metric(38.0, "pct", True),
    }
    cues = (
        Cue(
            check="knee_valgus_left",
            severity=Severity.FAULT,
            message="Left knee drifting toward the midline: press it out over the second toe",
            metric="knee_valgus_left_deg",
            joint=L.LEFT_KNEE,
        ),
        Cue(
            check="weight_even",
            severity=Severity.WARN,
            message="Weight is on the left leg: share it evenly",
            metric="weight_left_pct",
        ),
        Cue(
            check="hip_extension",
            severity=Severity.INFO,
            message="Turn sideways to the camera to check the back hip",
        ),
    )
    balance = Balance(
        com_px=(0.505 * w, 0.56 * h),
        floor_y_px=0.93 * h,
        support_x_px=(float(feet_x.min()), float(feet_x.max())),
        grounded=("left_foot", "right_foot"),
    )
    return FrameResult(
        source="synthetic",
        image_wh=image_wh,
        landmarks=lm,
        view=View.FRONT,
        metrics=metrics,
        pose="warrior1",
        side="left",
        pose_confidence=0.9,
        cues=cues,
        balance=balance,
    )


def background(image_wh: tuple[int, int]) -> NDArray[np.uint8]:
    """A deterministic, busy-enough BGR picture: a wall gradient, a floor and a stripe."""
    w, h = image_wh
    ys = np.linspace(0.0, 1.0, h)[:, None]
    xs = np.linspace(0.0, 1.0, w)[None, :]
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[..., 0] = (150 + 60 * ys + 20 * xs).astype(np.uint8)
    img[..., 1] = (140 + 50 * ys - 30 * xs + 30).astype(np.uint8)
    img[..., 2] = (120 + 40 * xs + 0 * ys).astype(np.uint8)
    floor = int(0.8 * h)
    img[floor:] = (60, 90, 120)
    img[:, int(0.12 * w) : int(0.16 * w)] = (235, 235, 235)
    return img


# ------------------------------------------------------------------------------ golden


def _compare(actual: NDArray[np.uint8], expected: NDArray[np.uint8]) -> tuple[float, float]:
    """(mean absolute difference, fraction of pixels with a channel differing by > 40)."""
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    return float(diff.mean()), float(np.mean(diff.max(axis=2) > 40))


def test_overlay_matches_golden_image() -> None:
    image = background((640, 480))
    overlay = annotate(image, make_result())
    if UPDATE_GOLDEN:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        assert cv2.imwrite(str(GOLDEN), overlay)
    if not GOLDEN.exists():
        pytest.fail(
            f"golden image {GOLDEN} is missing; create it with "
            "POSECHECK_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py "
            "and look at it before committing"
        )
    read = cv2.imread(str(GOLDEN), cv2.IMREAD_COLOR)
    assert read is not None, f"cannot read {GOLDEN}"
    expected = np.asarray(read, dtype=np.uint8)
    assert expected.shape == overlay.shape
    mad, changed = _compare(overlay, expected)
    assert mad < 2.0 and changed < 0.01, (
        f"overlay differs from {GOLDEN.name}: mean abs diff {mad:.2f} (limit 2), "
        f"{changed:.2%} of pixels differ by > 40 (limit 1%); if the change is intended, "
        "rerun with POSECHECK_UPDATE_GOLDEN=1 and look at the new image"
    )


def test_golden_comparison_notices_a_missing_overlay() -> None:
    """The tolerance is not so loose that an undrawn frame passes."""
    image = background((640, 480))
    overlay = annotate(image, make_result())
    mad, changed = _compare(overlay, image)
    assert mad >= 2.0 or changed >= 0.01


# --------------------------------------------------------------------- copies and sizes


@pytest.mark.parametrize("image_wh", [(640, 480), (1920, 1080), (1080, 1920), (320, 240)])
def test_returns_a_copy_of_the_same_shape_and_leaves_the_input_alone(
    image_wh: tuple[int, int],
) -> None:
    image = background(image_wh)
    before = image.copy()
    overlay = Annotator().annotate(image, make_result(image_wh))
    assert np.array_equal(image, before)
    assert overlay.shape == image.shape
    assert overlay.dtype == np.uint8
    assert not np.shares_memory(overlay, image)
    assert not np.array_equal(overlay, image)


def test_no_person_renders_a_header_only() -> None:
    image = background((640, 480))
    result = FrameResult(source="x", image_wh=(640, 480), landmarks=None)
    overlay = annotate(image, result)
    assert overlay.shape == image.shape
    assert header_text(result) == "No person found"
    changed = np.any(overlay != image, axis=2)
    rows, cols = np.nonzero(changed)
    # Only the panel in a corner is drawn: nothing in the lower half of the frame.
    assert rows.max() < 240 and cols.min() < 320


def test_balance_without_landmarks_or_support_does_not_fail() -> None:
    result = make_result()
    no_support = Balance(com_px=(320.0, 250.0), floor_y_px=440.0, support_x_px=None, grounded=())
    for r in (
        FrameResult(source="x", image_wh=(640, 480), landmarks=None, balance=no_support),
        FrameResult(
            source="x", image_wh=(640, 480), landmarks=result.landmarks, balance=no_support
        ),
    ):
        assert annotate(background((640, 480)), r).shape == (480, 640, 3)


def test_frame_smaller_than_the_analysed_one_is_annotated_in_place_of_it() -> None:
    """Landmarks (normalised) and balance (pixels of image_wh) follow a resized frame."""
    result = make_result((1280, 960))
    small = background((640, 480))
    half = annotate(small, result)
    direct = annotate(small, make_result((640, 480)))
    mad, _ = _compare(half, direct)
    assert mad < 0.5


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((480, 640), dtype=np.uint8),
        np.zeros((480, 640, 4), dtype=np.uint8),
        np.zeros((480, 640, 3), dtype=np.float32),
    ],
)
def test_rejects_images_that_are_not_hwc_uint8(bad: NDArray[np.generic]) -> None:
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        annotate(bad, make_result())  # type: ignore[arg-type]


def test_style_changes_the_look() -> None:
    image = background((640, 480))
    plain = annotate(image, make_result())
    pink = annotate(image, make_result(), OverlayStyle(skeleton=(255, 0, 255), panel_alpha=0.9))
    assert not np.array_equal(plain, pink)


# ------------------------------------------------------------------- knee arrow geometry


def _assert_unit(v: NDArray[np.float64], expected: tuple[float, float]) -> None:
    assert v.shape == (2,)
    np.testing.assert_allclose(v, expected, atol=1e-9)


def test_knee_correction_left_leg_of_camera_facing_body_points_screen_right() -> None:
    # Body's left leg on screen-right, vertical hip-ankle line at x=350; mid-hip at x=320
    # (left of the line), so "away from the midline" is +x.
    d = knee_correction_direction((350, 260), (335, 340), (350, 420), (320, 260))
    _assert_unit(d, (1.0, 0.0))


def test_knee_correction_right_leg_points_screen_left() -> None:
    d = knee_correction_direction((290, 260), (305, 340), (290, 420), (320, 260))
    _assert_unit(d, (-1.0, 0.0))


def test_knee_correction_slanted_leg() -> None:
    # Hip (300, 200) -> ankle (340, 400): along = (40, 200), length = 40*sqrt(26).
    # Normals (∓200, ±40)/len; mid-hip (260, 200) is on the -x side, so the answer is
    # (200, -40)/(40*sqrt(26)) = (5, -1)/sqrt(26).
    d = knee_correction_direction((300, 200), (310, 300), (340, 400), (260, 200))
    _assert_unit(d, (5 / math.sqrt(26), -1 / math.sqrt(26)))


def test_knee_correction_in_a_mirrored_image_flips_x_for_the_same_leg() -> None:
    lm = standing_landmarks((640, 480))
    mirrored = lm.mirrored()

    def direction(landmarks: Landmarks, side: str) -> NDArray[np.float64]:
        p = landmarks.xy_px
        hip, knee, ankle = (Landmark[f"{side}_{j}"] for j in ("HIP", "KNEE", "ANKLE"))
        mid = (p[L.LEFT_HIP] + p[L.RIGHT_HIP]) / 2
        return knee_correction_direction(p[hip], p[knee], p[ankle], mid)

    # Hand-derived for the left leg: hip (344.32, 264), ankle (348.8, 424.8);
    # along = (4.48, 160.8); mid-hip (320, 264) lies on the -x side, so the direction is
    # (160.8, -4.48) / hypot(4.48, 160.8).
    n = math.hypot(4.48, 160.8)
    _assert_unit(direction(lm, "LEFT"), (160.8 / n, -4.48 / n))
    # Mirrored picture: the body's left leg is now on screen-left, and its knee must be
    # pushed toward screen-left.
    _assert_unit(direction(mirrored, "LEFT"), (-160.8 / n, -4.48 / n))
    # Right leg: hip (295.68, 264), ankle (295.68, 424.8): straight down, midline at +x.
    _assert_unit(direction(lm, "RIGHT"), (-1.0, 0.0))
    _assert_unit(direction(mirrored, "RIGHT"), (1.0, 0.0))


@pytest.mark.parametrize(
    ("hip", "ankle", "mid_hip"),
    [
        ((300, 200), (300, 200), (260, 200)),  # hip == ankle: no line
        ((300, 200), (300, 400), (300, 200)),  # mid-hip on the line (side view)
        ((300, 200), (300, float("nan")), (260, 200)),  # hidden ankle
    ],
)
def test_knee_correction_is_zero_when_undefined(
    hip: tuple[float, float], ankle: tuple[float, float], mid_hip: tuple[float, float]
) -> None:
    _assert_unit(knee_correction_direction(hip, (310, 300), ankle, mid_hip), (0.0, 0.0))


def test_arrow_is_drawn_on_the_outer_side_of_the_faulty_knee() -> None:
    """Rendered check: pixels in the fault colour appear beside the left knee on the
    outer side (screen-right for this camera-facing figure; screen-left when mirrored)."""
    style = OverlayStyle(fault=(0, 0, 255))
    for mirror in (False, True):
        lm = standing_landmarks((640, 480))
        lm = lm.mirrored() if mirror else lm
        result = make_result((640, 480), lm)
        result = FrameResult(
            source="x",
            image_wh=(640, 480),
            landmarks=lm,
            metrics={"knee_valgus_left_deg": result.metrics["knee_valgus_left_deg"]},
            cues=result.cues[:1],
        )
        overlay = Annotator(style).annotate(np.zeros((480, 640, 3), np.uint8), result)
        kx, ky = (int(v) for v in lm.xy_px[L.LEFT_KNEE])
        red = np.all(overlay == (0, 0, 255), axis=2)
        band = red[ky - 4 : ky + 5]
        outer = band[:, kx + 14 : kx + 60] if not mirror else band[:, kx - 60 : kx - 14]
        inner = band[:, kx - 60 : kx - 14] if not mirror else band[:, kx + 14 : kx + 60]
        assert outer.sum() > 20, "no arrow on the outer side of the left knee"
        assert inner.sum() == 0, "arrow drawn toward the midline"


@pytest.mark.parametrize("mirror", [False, True])
def test_weight_bar_puts_each_side_where_that_foot_is(mirror: bool) -> None:
    """Camera-facing, the body's left foot is on screen-right, so the body-left part of
    the bar (62 %) is on the right; mirrored, it moves to the left."""
    blue, green = (255, 0, 0), (0, 255, 0)
    # No legend: its weight icon shows the same two colours, in a fixed order.
    style = OverlayStyle(weight_left=blue, weight_right=green, panel_alpha=1.0, legend=False)
    lm = standing_landmarks()
    lm = lm.mirrored() if mirror else lm
    overlay = Annotator(style).annotate(
        np.zeros((480, 640, 3), np.uint8), make_result(landmarks=lm)
    )
    left_cols = np.nonzero(np.all(overlay == blue, axis=2))[1]
    right_cols = np.nonzero(np.all(overlay == green, axis=2))[1]
    assert left_cols.size and right_cols.size
    if mirror:
        assert left_cols.max() < right_cols.min()
    else:
        assert right_cols.max() < left_cols.min()
    left_w = left_cols.max() - left_cols.min() + 1
    right_w = right_cols.max() - right_cols.min() + 1
    assert left_w / (left_w + right_w) == pytest.approx(0.62, abs=0.02)


# --------------------------------------------------------------------- statuses, header


def test_joint_statuses_from_cues_and_metrics() -> None:
    result = make_result()
    statuses = joint_statuses(result)
    assert statuses[L.LEFT_KNEE] is Severity.FAULT  # the fault cue points at it
    assert statuses[L.RIGHT_KNEE] is Severity.OK  # valid metric, no cue
    assert statuses[L.LEFT_HIP] is None  # metric present but not measurable
    assert statuses[L.RIGHT_HIP] is None
    assert L.LEFT_ANKLE not in statuses  # nothing says anything about it


def test_joint_status_is_the_worst_cue() -> None:
    cues = (
        Cue("a", Severity.INFO, "a", joint=L.RIGHT_ANKLE),
        Cue("b", Severity.WARN, "b", joint=L.RIGHT_ANKLE),
        Cue("c", Severity.INFO, "c", joint=L.RIGHT_ANKLE),
    )
    result = FrameResult(source="x", image_wh=(640, 480), landmarks=standing_landmarks(), cues=cues)
    assert joint_statuses(result) == {L.RIGHT_ANKLE: Severity.WARN}


@pytest.mark.parametrize(
    ("pose", "side", "view", "expected"),
    [
        ("warrior1", "left", View.FRONT, "Warrior 1 (front leg: left) | view: front"),
        ("tree", "right", View.FRONT, "Tree (standing: right) | view: front"),
        ("half_moon", "left", View.SIDE, "Half Moon (standing: left) | view: side"),
        ("bridge", None, View.SIDE, "Bridge | view: side"),
        (None, None, View.FRONT, "Pose: not recognised | view: front"),
    ],
)
def test_header_text(pose: str | None, side: str | None, view: View, expected: str) -> None:
    result = FrameResult(
        source="x",
        image_wh=(640, 480),
        landmarks=standing_landmarks(),
        view=view,
        pose=pose,
        side=side,
    )
    assert header_text(result) == expected


def test_many_cues_and_invalid_weight_render() -> None:
    cues = tuple(
        Cue(f"c{i}", Severity.WARN, f"A long enough cue message number {i} " * 3) for i in range(9)
    )
    metrics = {
        "weight_left_pct": _invalid("pct", "no foot grounded"),
        "weight_right_pct": _invalid("pct", "no foot grounded"),
    }
    result = FrameResult(
        source="x",
        image_wh=(640, 480),
        landmarks=standing_landmarks(),
        metrics=metrics,
        cues=cues,
    )
    assert annotate(background((640, 480)), result).shape == (480, 640, 3)


# ------------------------------------------------------------------------- TrueType text


def _ink(text: str, px: int = 28) -> NDArray[np.bool_]:
    """Where ``text`` (white, no outline, baseline at y=45) inks a black 60x400 canvas."""
    canvas = np.zeros((60, 400, 3), np.uint8)
    fonts.draw_text(canvas, text, (5, 45), px, (255, 255, 255))
    ink: NDArray[np.bool_] = canvas[..., 0] > 60
    return ink


def _blank_runs(ink: NDArray[np.bool_]) -> list[int]:
    """Widths of the empty column runs between the first and last inked column."""
    cols = ink.any(axis=0)
    inked = np.nonzero(cols)[0]
    runs, run = [], 0
    for c in range(int(inked.min()), int(inked.max()) + 1):
        if cols[c]:
            runs, run = (runs + [run] if run else runs), 0
        else:
            run += 1
    return runs


def test_font_is_dejavu_sans_from_matplotlib() -> None:
    regular, bold = fonts.font_path(), fonts.font_path(bold=True)
    assert regular is not None and regular.name == "DejaVuSans.ttf"
    assert bold is not None and bold.name == "DejaVuSans-Bold.ttf"
    assert (regular.parent / "LICENSE_DEJAVU").is_file()


def test_accented_letter_is_the_plain_letter_plus_an_accent_above() -> None:
    """ "é" draws "e" (same ink from its top down) plus ink above it: a real glyph, not
    "?" or an empty box (Hershey fonts have neither)."""
    plain, accented = _ink("e"), _ink("é")
    e_top = int(np.nonzero(plain.any(axis=1))[0].min())
    assert np.array_equal(accented[e_top:], plain[e_top:])
    assert accented[: e_top - 1].sum() > 10


def test_degree_sign_is_a_small_raised_glyph_after_the_digits() -> None:
    digits, degrees = _ink("11"), _ink("11°")
    digit_rows = np.nonzero(digits.any(axis=1))[0]
    middle = (digit_rows.min() + digit_rows.max()) / 2
    extra = degrees & ~digits
    rows = np.nonzero(extra.any(axis=1))[0]
    assert rows.size, "no degree sign drawn"
    assert rows.max() < middle, "the degree sign sits in the digits' upper half"
    assert np.nonzero(extra.any(axis=0))[0].min() > np.nonzero(digits.any(axis=0))[0].max()


def test_brackets_are_spaced_like_letters_not_like_a_space() -> None:
    """Hershey drew "Tree ( standing: left )": here no gap inside "(standing" or "left)"
    is even half as wide as a word space."""
    space = max(_blank_runs(_ink("a b")))
    for text in ("(standing", "left)"):
        assert max(_blank_runs(_ink(text))) < space / 2, text


def test_cached_text_draws_the_same_pixels_and_the_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fonts.clear_cache()
    first, again = background((320, 60)), background((320, 60))
    fonts.draw_text(first, "Équilibre 11°", (4, 40), 24, (255, 255, 255), (20, 20, 20))
    fonts.draw_text(again, "Équilibre 11°", (4, 40), 24, (255, 255, 255), (20, 20, 20))
    assert np.array_equal(first, again)
    monkeypatch.setattr(fonts, "_CACHE_BYTES", 100_000)
    for i in range(40):
        fonts.draw_text(again, f"cue number {i}", (4, 40), 24, (255, 255, 255), (0, 0, 0))
    assert 0 < fonts._layer_bytes <= 100_000
    fonts.clear_cache()


def test_text_clipped_at_the_frame_edges_does_not_fail() -> None:
    img = np.zeros((30, 40, 3), np.uint8)
    for org in ((-50, 10), (30, 5), (10, 200), (-5, -5), (35, 40)):
        fonts.draw_text(img, "Half Moon (standing: left)", org, 20, (255, 255, 255), (0, 0, 0))
    assert img.shape == (30, 40, 3)


def test_non_ascii_cue_renders_in_the_panel() -> None:
    result = make_result()
    cue = Cue("c", Severity.WARN, "Genou gauche : poussez-le vers l'extérieur, 11°")
    with_cue = replace(result, cues=(cue,))
    twin = Cue("c", Severity.WARN, "Genou gauche : poussez-le vers l'exterieur, 11")
    with_twin = replace(result, cues=(twin,))
    image = background((640, 480))
    assert not np.array_equal(annotate(image, with_cue), annotate(image, with_twin))


# -------------------------------------------------------------------------------- legend


def _legend_box(image_wh: tuple[int, int]) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` of the pixels the legend changes in the test scene."""
    image = background(image_wh)
    result = make_result(image_wh)
    on = Annotator(OverlayStyle(legend=True)).annotate(image, result)
    off = Annotator(OverlayStyle(legend=False)).annotate(image, result)
    rows, cols = np.nonzero(np.any(on != off, axis=2))
    assert rows.size, "no legend drawn"
    return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1


@pytest.mark.parametrize("image_wh", [(640, 480), (1080, 1920)])
def test_legend_is_in_a_corner_clear_of_the_body_and_the_panel(image_wh: tuple[int, int]) -> None:
    x0, y0, x1, y1 = _legend_box(image_wh)
    w, h = image_wh
    # Bottom-left corner (the first choice when free), in the frame's lower half.
    assert x0 < 0.05 * w and y1 > 0.95 * h and y0 > h / 2 and x1 < w / 2
    # No landmark of the figure, and no part of the cue panel (top-left), is under it.
    xy = standing_landmarks(image_wh).xy_px
    inside = (xy[:, 0] >= x0) & (xy[:, 0] < x1) & (xy[:, 1] >= y0) & (xy[:, 1] < y1)
    assert not inside.any()


def test_legend_scales_with_the_frame() -> None:
    small, large = _legend_box((640, 480)), _legend_box((1080, 1920))
    scale = 1080 / 480  # sizes follow the shorter side
    width_ratio = (large[2] - large[0]) / (small[2] - small[0])
    height_ratio = (large[3] - large[1]) / (small[3] - small[1])
    assert width_ratio == pytest.approx(scale, rel=0.12)
    assert height_ratio == pytest.approx(scale, rel=0.12)


def test_legend_is_left_out_where_it_would_be_unreadable() -> None:
    image, result = background((320, 240)), make_result((320, 240))
    on = Annotator(OverlayStyle(legend=True)).annotate(image, result)
    off = Annotator(OverlayStyle(legend=False)).annotate(image, result)
    assert np.array_equal(on, off)


# ---------------------------------------------------------------------------- weight n/a


def _with_weight(left: Metric | None, right: Metric | None) -> FrameResult:
    base = make_result()
    metrics = {k: v for k, v in base.metrics.items() if not k.startswith("weight_")}
    if left is not None and right is not None:
        metrics |= {"weight_left_pct": left, "weight_right_pct": right}
    return replace(base, metrics=metrics)


def test_unmeasurable_weight_says_why() -> None:
    reason = "feet too close together in the image to split the weight"
    result = _with_weight(_invalid("pct", reason), _invalid("pct", reason))
    pts = standing_landmarks().xy_px
    sizes = _Sizes.of((640, 480), OverlayStyle())
    rows = _weight_rows(result.metrics, pts, OverlayStyle(), 10_000, sizes)
    assert [r.text for r in rows] == [f"weight n/a: {reason}"]
    image = background((640, 480))
    assert not np.array_equal(annotate(image, result), annotate(image, _with_weight(None, None)))


def test_unmeasurable_weight_without_a_reason_is_not_shown() -> None:
    nan = Metric(value=math.nan, unit="pct", valid=False)
    image = background((640, 480))
    hidden = annotate(image, _with_weight(nan, nan))
    assert np.array_equal(hidden, annotate(image, _with_weight(None, None)))


def test_without_matplotlibs_font_pillows_default_font_draws_the_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def forget() -> None:
        fonts.clear_cache()
        fonts._font.cache_clear()
        fonts.line_metrics.cache_clear()

    monkeypatch.setattr(fonts, "font_path", lambda bold=False: None)
    forget()
    try:
        assert _ink("é 11°").sum() > _ink("e 11").sum() > 0
        assert annotate(background((640, 480)), make_result()).shape == (480, 640, 3)
    finally:
        monkeypatch.undo()
        forget()
    assert fonts.font_path() is not None
