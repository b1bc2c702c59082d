"""Draw posecheck's findings on a frame with OpenCV (text: TrueType, via Pillow).

The one job of this module: take a BGR frame and a :class:`~posecheck.result.FrameResult`
and return an annotated copy. No I/O, no printing, no MediaPipe::

    overlay = Annotator(OverlayStyle(panel_alpha=0.7)).annotate(image_bgr, result)

What is drawn (back to front): the centre of mass over the base of support, the skeleton,
the knee valgus (FPPA) angles, the measured joints coloured by status, arrows showing
which way a faulty knee should move, a cue panel (header, left/right weight bar or why
the weight split is not measured; neither for a lying body, which has no balance), cues)
and a small legend in another free corner.

Text is DejaVu Sans drawn with Pillow (see :mod:`posecheck.outputs.fonts`): non-ASCII
characters such as "°" and "é" render, and rendered strings are cached from frame to frame.

Coordinates: every point is in **pixels** of the image being drawn on, x to the right,
y downwards, origin at the top-left corner. Landmarks are placed from their normalised
coordinates times the frame's size, and ``result.balance`` (pixels of
``result.image_wh``) is rescaled, so a downscaled copy of the analysed frame can be
annotated too. Sizes (line widths, fonts, radii) scale with ``min(H, W)`` so the overlay
reads the same at 640x480, 1920x1080 and 1080x1920.

Left and right in labels are the **body's** sides. To show a mirrored (selfie) view,
mirror the picture and the landmarks before annotating, never the annotated frame (the
text would read backwards).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import SKELETON, Landmark, Landmarks
from posecheck.outputs import fonts
from posecheck.poses import get_pose
from posecheck.result import Balance, Cue, FrameResult, Metric
from posecheck.vocab import Severity, Side

__all__ = [
    "draw_banner",
    "Annotator",
    "OverlayStyle",
    "annotate",
    "header_text",
    "joint_statuses",
    "knee_correction_direction",
]

Color = tuple[int, int, int]
"""A BGR colour, each channel 0-255."""

Point = tuple[int, int]
"""An integer pixel position ``(x, y)``, x right, y down."""

FloatArray = NDArray[np.float64]
Image = NDArray[np.uint8]


@dataclass(frozen=True)
class OverlayStyle:
    """The look of the overlay. Colours are BGR; sizes are in pixels of a frame whose
    shorter side is ``reference_px`` and scale linearly with the real shorter side.

    Attributes:
        fault, warn, info, ok: severity colours (joint fill, cue dots, arrows).
        unmeasured: joints whose metric cannot be measured in this view.
        skeleton, outline: bone and joint colour, and the dark edge drawn under lines
            and text so they read on any picture.
        text, text_dim: panel text; secondary text (``n/a``, ``+N more``).
        panel, panel_alpha: cue panel fill and its opacity in [0, 1].
        label_alpha: opacity of the dark box behind an angle label.
        com: centre-of-mass marker and plumb line.
        support_in, support_out: base of support when the COM falls inside / outside.
        weight_left, weight_right: the body-left and body-right parts of the weight bar.
        reference_px: shorter image side at which the sizes below apply as given.
        font_px: size (pixel height of the em) of the TrueType panel text at
            ``reference_px``; the font is DejaVu Sans (see :mod:`posecheck.outputs.fonts`).
        bone_px, joint_px, measured_joint_px: bone width, plain and measured joint radii.
        arc_px, arrow_px: knee angle arc radius and correction arrow length.
        panel_width_px, margin_px: cue panel width and its distance from the edges.
        panel_max_frac: the panel is at most this fraction of the frame's width, so in a
            portrait frame it leaves the middle (where the person usually is) clear.
        max_cues: cues listed before "+N more".
        min_visibility: landmarks below this MediaPipe visibility are not drawn.
        legend: draw the small legend (joint colours, centre of mass, weight bar) in a
            free corner.
    """

    fault: Color = (40, 40, 235)
    warn: Color = (0, 175, 255)
    info: Color = (235, 170, 60)
    ok: Color = (70, 200, 70)
    unmeasured: Color = (150, 150, 150)
    skeleton: Color = (240, 240, 240)
    outline: Color = (20, 20, 20)
    text: Color = (255, 255, 255)
    text_dim: Color = (185, 185, 185)
    panel: Color = (25, 25, 25)
    panel_alpha: float = 0.65
    label_alpha: float = 0.7
    com: Color = (255, 230, 0)
    support_in: Color = (70, 200, 70)
    support_out: Color = (40, 40, 235)
    weight_left: Color = (200, 140, 40)
    weight_right: Color = (60, 140, 220)
    reference_px: float = 480.0
    font_px: float = 14.0
    bone_px: float = 2.0
    joint_px: float = 3.0
    measured_joint_px: float = 6.5
    arc_px: float = 22.0
    arrow_px: float = 38.0
    panel_width_px: float = 300.0
    panel_max_frac: float = 0.47
    margin_px: float = 8.0
    max_cues: int = 6
    min_visibility: float = 0.5
    legend: bool = True


DEFAULT_STYLE = OverlayStyle()

_AA = cv2.LINE_AA

#: Measured joints and the metric each one shows.
_JOINT_METRICS: dict[Landmark, str] = {
    Landmark.LEFT_KNEE: "knee_valgus_left_deg",
    Landmark.RIGHT_KNEE: "knee_valgus_right_deg",
    Landmark.LEFT_HIP: "hip_extension_left_deg",
    Landmark.RIGHT_HIP: "hip_extension_right_deg",
}
#: Joints that get a status-coloured marker (cues may also point at the ankles).
_MEASURED_JOINTS: tuple[Landmark, ...] = (
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE,
    Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
)
#: ``(hip, knee, ankle)`` of each leg, by the body's side.
_LEGS: dict[Side, tuple[Landmark, Landmark, Landmark]] = {
    "left": (Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    "right": (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
}


# --------------------------------------------------------------------------- public API


class Annotator:
    """Draws a :class:`FrameResult` on frames; the look is fixed by ``style``."""

    def __init__(self, style: OverlayStyle = DEFAULT_STYLE) -> None:
        self.style = style

    def annotate(self, image_bgr: Image, result: FrameResult) -> Image:
        """Return an annotated **copy** of ``image_bgr``; the input is not modified.

        Args:
            image_bgr: ``(H, W, 3)`` uint8 BGR frame, the one ``result`` was computed on
                or a resized copy of it.
            result: what posecheck found in that frame.

        Returns:
            ``(H, W, 3)`` uint8 BGR, same shape as the input.

        Raises:
            ValueError: when the image is not ``(H, W, 3)`` uint8.
        """
        _check_image(image_bgr)
        out: Image = np.ascontiguousarray(image_bgr).copy()
        h, w = out.shape[:2]
        sizes = _Sizes.of((w, h), self.style)
        pts = _landmark_points(result.landmarks, (w, h), self.style.min_visibility)
        if result.balance is not None and pts is not None:
            balance = _rescale_balance(result.balance, result.image_wh, (w, h))
            _draw_balance(out, balance, self.style, sizes)
        statuses = joint_statuses(result)
        if pts is not None:
            _draw_skeleton(out, pts, self.style, sizes)
            _draw_knee_angles(out, pts, result.metrics, statuses, self.style, sizes)
            _draw_joints(out, pts, statuses, self.style, sizes)
            _draw_knee_arrows(out, pts, result.cues, self.style, sizes)
        clear = None if pts is None else _keep_clear(pts, sizes)
        rows = _panel_rows(result, pts, self.style, sizes)
        panel = _draw_panel(out, rows, clear, self.style, sizes)
        if self.style.legend and pts is not None:
            legend = _legend_items(
                statuses=bool(statuses),
                balance=result.balance is not None,
                weight=any(row.weight is not None for row in rows),
                style=self.style,
            )
            _draw_legend(out, legend, clear, panel, self.style, sizes)
        return out


def annotate(image_bgr: Image, result: FrameResult, style: OverlayStyle | None = None) -> Image:
    """``Annotator(style).annotate(image_bgr, result)``: an annotated ``(H, W, 3)`` uint8
    BGR copy of ``image_bgr`` (default style when ``style`` is ``None``)."""
    return Annotator(style or DEFAULT_STYLE).annotate(image_bgr, result)


def draw_banner(image_bgr: Image, text: str, style: OverlayStyle | None = None) -> Image:
    """An annotated **copy** of ``image_bgr`` with ``text`` in a semi-transparent banner
    along the bottom edge (``live``'s camera advice), wrapped to the picture's width.

    Args:
        image_bgr: ``(H, W, 3)`` uint8 BGR.
        text: one message.
    Returns:
        ``(H, W, 3)`` uint8 BGR, same shape as the input.
    """
    st = style or DEFAULT_STYLE
    _check_image(image_bgr)
    out: Image = np.ascontiguousarray(image_bgr).copy()
    h, w = out.shape[:2]
    sz = _Sizes.of((w, h), st)
    width = w - 2 * sz.margin - 2 * sz.pad
    lines = _wrap(text, width, sz.font)
    row_h = _row_height(sz.font, sz)
    _, text_h, _ = _text_size("Hg", sz.font)
    box_h = len(lines) * row_h + 2 * sz.pad
    y0 = h - sz.margin - box_h
    _blend_rect(out, sz.margin, y0, w - sz.margin, h - sz.margin, st.panel, st.panel_alpha)
    for i, line in enumerate(lines):
        baseline = y0 + sz.pad + i * row_h + text_h + max(1, sz.pad // 4)
        _put(out, line, (sz.margin + sz.pad, baseline), sz.font, st.text, st.outline)
    return out


def knee_correction_direction(
    hip_px: Sequence[float] | FloatArray,
    knee_px: Sequence[float] | FloatArray,
    ankle_px: Sequence[float] | FloatArray,
    mid_hip_px: Sequence[float] | FloatArray,
) -> FloatArray:
    """The way a knee drifting toward the midline should move, as a pixel unit vector.

    Perpendicular to the leg's hip–ankle line, pointing to the side of that line **away**
    from the mid-hip point (the body's midline). Computed from the points alone, so it is
    right for either leg and in mirrored images. The knee's own position does not change
    the direction (the arrow starts there).

    Args:
        hip_px, knee_px, ankle_px: ``(2,)`` pixel positions (x right, y down) of one leg.
        mid_hip_px: ``(2,)`` mean of the left and right hip, pixels.

    Returns:
        ``(2,)`` float64 unit vector in pixels (x right, y down), or ``(0, 0)`` when it is
        undefined: hip and ankle coincide, the mid-hip point lies on the hip–ankle line
        (e.g. a side view), or an input is not finite.
    """
    hip, knee, ankle, mid = (
        np.asarray(p, dtype=np.float64) for p in (hip_px, knee_px, ankle_px, mid_hip_px)
    )
    zero = np.zeros(2, dtype=np.float64)
    if not all(np.all(np.isfinite(p)) for p in (hip, knee, ankle, mid)):
        return zero
    along = ankle - hip
    length = float(np.hypot(along[0], along[1]))
    if length < 1e-9:
        return zero
    normal = np.array([-along[1], along[0]]) / length
    midline_side = float(np.dot(mid - hip, normal))
    if abs(midline_side) < 1e-6 * max(length, 1.0):
        return zero
    result: FloatArray = -math.copysign(1.0, midline_side) * normal
    return result


def joint_statuses(result: FrameResult) -> dict[Landmark, Severity | None]:
    """Status of each measured joint (hips, knees, ankles) that has one.

    A joint's status is the worst severity among the cues pointing at it; without a cue,
    ``Severity.OK`` if its metric is present and valid, ``None`` if the metric is present
    but not measurable. Joints with neither a cue nor a metric are left out (drawn plain).
    """
    statuses: dict[Landmark, Severity | None] = {}
    for joint in _MEASURED_JOINTS:
        worst = Severity.worst(c.severity for c in result.cues if c.joint == joint)
        metric = result.metrics.get(_JOINT_METRICS.get(joint, ""))
        if worst is not None:
            statuses[joint] = worst
        elif metric is not None:
            statuses[joint] = Severity.OK if metric.valid else None
    return statuses


def header_text(result: FrameResult) -> str:
    """The panel's first line, e.g. ``"Tree (standing: left) | view: front"``,
    ``"Pose: not recognised | view: side"`` or ``"No person found"``.

    The pose's display name and side word come from its registry entry; a pose not in
    the registry is a KeyError.
    """
    if result.landmarks is None:
        return "No person found"
    view = f"view: {result.view.value}"
    if result.pose is None:
        return f"Pose: not recognised | {view}"
    spec = get_pose(result.pose)
    name = spec.display_name
    if result.side is not None and spec.side_label is not None:
        name = f"{name} ({spec.side_label}: {result.side})"
    if result.status:
        return f"{name} | {view} | {result.status}"
    return f"{name} | {view}"


# ------------------------------------------------------------------------------ sizes


@dataclass(frozen=True)
class _Sizes:
    """Pixel sizes for one frame, derived from ``min(H, W)``."""

    scale: float
    font: int
    small_font: int
    text: int
    bone: int
    joint: int
    measured: int
    arc: int
    arrow: int
    panel_w: int
    margin: int
    pad: int

    @staticmethod
    def of(image_wh: tuple[int, int], style: OverlayStyle) -> _Sizes:
        s = min(image_wh) / style.reference_px

        def px(v: float, lo: int = 1) -> int:
            return max(lo, round(v * s))

        margin = px(style.margin_px)
        return _Sizes(
            scale=s,
            font=px(style.font_px, 8),
            small_font=px(0.8 * style.font_px, 7),
            text=px(1.0),
            bone=px(style.bone_px),
            joint=px(style.joint_px, 2),
            measured=px(style.measured_joint_px, 3),
            arc=px(style.arc_px, 6),
            arrow=px(style.arrow_px, 10),
            panel_w=min(
                image_wh[0] - 2 * margin,
                max(round(style.panel_max_frac * image_wh[0]), 60),
                px(style.panel_width_px, 60),
            ),
            margin=margin,
            pad=px(6.0, 2),
        )


# ---------------------------------------------------------------------------- helpers


def _check_image(image_bgr: Image) -> None:
    if not isinstance(image_bgr, np.ndarray):
        raise ValueError(f"image_bgr must be a numpy array, got {type(image_bgr).__name__}")
    if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
        raise ValueError(
            f"image_bgr must be (H, W, 3) uint8 BGR, got {image_bgr.shape} {image_bgr.dtype}"
        )
    if image_bgr.shape[0] < 1 or image_bgr.shape[1] < 1:
        raise ValueError(f"image_bgr must not be empty, got {image_bgr.shape}")


def _severity_color(severity: Severity | None, style: OverlayStyle) -> Color:
    return {
        Severity.FAULT: style.fault,
        Severity.WARN: style.warn,
        Severity.INFO: style.info,
        Severity.OK: style.ok,
        None: style.unmeasured,
    }[severity]


def _landmark_points(
    landmarks: Landmarks | None, image_wh: tuple[int, int], min_visibility: float
) -> FloatArray | None:
    """``(33, 2)`` pixel positions in an image of ``image_wh``; NaN rows for landmarks that
    are not finite or below ``min_visibility``. ``None`` without landmarks."""
    if landmarks is None:
        return None
    pts: FloatArray = landmarks.xy * np.asarray(image_wh, dtype=np.float64)
    hidden = ~(landmarks.visibility >= min_visibility) | ~np.all(np.isfinite(pts), axis=1)
    pts[hidden] = np.nan
    return pts


def _rescale_balance(
    balance: Balance, analysed_wh: tuple[int, int], image_wh: tuple[int, int]
) -> Balance:
    """``balance`` (pixels of ``analysed_wh``) in pixels of ``image_wh``."""
    sx, sy = image_wh[0] / analysed_wh[0], image_wh[1] / analysed_wh[1]
    support = balance.support_x_px
    return Balance(
        com_px=(balance.com_px[0] * sx, balance.com_px[1] * sy),
        floor_y_px=balance.floor_y_px * sy,
        support_x_px=None if support is None else (support[0] * sx, support[1] * sx),
        grounded=balance.grounded,
    )


def _ok(p: FloatArray) -> bool:
    return bool(np.all(np.isfinite(p)))


def _pt(p: Sequence[float] | FloatArray) -> Point:
    """Nearest integer pixel, clamped far outside any frame so OpenCV can clip it.
    (Plain Python min/max: ``np.clip`` on scalars was a third of the overlay's time.)"""
    return (
        min(max(round(float(p[0])), -32000), 32000),
        min(max(round(float(p[1])), -32000), 32000),
    )


def _line(img: Image, a: Point, b: Point, color: Color, thick: int, outline: Color) -> None:
    """A line with a dark edge one pixel wider on each side."""
    cv2.line(img, a, b, outline, thick + 2, _AA)
    cv2.line(img, a, b, color, thick, _AA)


def _dot(img: Image, c: Point, r: int, color: Color, outline: Color) -> None:
    cv2.circle(img, c, r + 1, outline, -1, _AA)
    cv2.circle(img, c, r, color, -1, _AA)


def _dashed(img: Image, a: FloatArray, b: FloatArray, color: Color, thick: int, dash: int) -> None:
    """A dashed line from ``a`` to ``b`` (pixels), dashes ``dash`` px long."""
    length = float(np.hypot(*(b - a)))
    steps = max(1, int(length // dash))
    for i in range(0, steps, 2):
        p0 = a + (b - a) * (i / steps)
        p1 = a + (b - a) * (min(i + 1, steps) / steps)
        cv2.line(img, _pt(p0), _pt(p1), color, thick, _AA)


def _blend_rect(img: Image, x0: int, y0: int, x1: int, y1: int, color: Color, alpha: float) -> None:
    """Fill ``[x0, x1) x [y0, y1)`` (clipped to the image) with ``color`` at ``alpha``."""
    h, w = img.shape[:2]
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    fill = np.empty_like(roi)
    fill[:] = color
    img[y0:y1, x0:x1] = cv2.addWeighted(fill, alpha, roi, 1.0 - alpha, 0.0)


def _blend_poly(img: Image, poly: FloatArray, color: Color, alpha: float) -> None:
    """Fill the polygon ``poly`` (``(N, 2)`` pixels) with ``color`` at ``alpha``."""
    h, w = img.shape[:2]
    x0, y0 = np.floor(poly.min(axis=0)).astype(int)
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    filled = roi.copy()
    local = np.round(poly - (x0, y0)).astype(np.int32).reshape(-1, 1, 2)
    cv2.fillPoly(filled, [local], color, _AA)
    img[y0:y1, x0:x1] = cv2.addWeighted(filled, alpha, roi, 1.0 - alpha, 0.0)


def _text_size(text: str, font: int, bold: bool = False) -> tuple[int, int, int]:
    """``(width, height above baseline, depth below baseline)`` in pixels of a line of
    ``text`` at font size ``font`` px (the height and depth are those of any line, so rows
    line up)."""
    above, below = fonts.line_metrics(font, bold)
    return fonts.text_width(text, font, bold), above, below


def _put(
    img: Image,
    text: str,
    org: Point,
    font: int,
    color: Color,
    outline: Color,
    bold: bool = False,
) -> None:
    """TrueType ``text`` with its baseline starting at ``org``, in ``color`` with a thin
    ``outline`` so that it reads on any background."""
    fonts.draw_text(img, text, org, font, color, outline, bold)


@lru_cache(maxsize=2048)
def _wrap(text: str, width: int, font: int, bold: bool = False) -> tuple[str, ...]:
    """Greedy word wrap of ``text`` to lines at most ``width`` px wide (long words split).
    Cached: the same cues come back frame after frame."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _text_size(candidate, font, bold)[0] <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _text_size(word, font, bold)[0] > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and _text_size(word[:cut], font, bold)[0] > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return tuple(lines) or ("",)


# ---------------------------------------------------------------------------- drawing


def _draw_skeleton(img: Image, pts: FloatArray, style: OverlayStyle, sz: _Sizes) -> None:
    for a, b in SKELETON:
        if _ok(pts[a]) and _ok(pts[b]):
            _line(img, _pt(pts[a]), _pt(pts[b]), style.skeleton, sz.bone, style.outline)
    drawn = {j for edge in SKELETON for j in edge}
    for j in sorted(drawn):
        if _ok(pts[j]):
            _dot(img, _pt(pts[j]), sz.joint, style.skeleton, style.outline)


def _draw_joints(
    img: Image,
    pts: FloatArray,
    statuses: dict[Landmark, Severity | None],
    style: OverlayStyle,
    sz: _Sizes,
) -> None:
    """Status-coloured markers on the measured joints (see :func:`joint_statuses`)."""
    for joint, status in statuses.items():
        if _ok(pts[joint]):
            c = _pt(pts[joint])
            cv2.circle(img, c, sz.measured + max(1, sz.bone), style.outline, -1, _AA)
            cv2.circle(img, c, sz.measured, _severity_color(status, style), -1, _AA)


_Leg = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def _leg_points(pts: FloatArray, side: Side) -> _Leg:
    """``(hip, knee, ankle, mid_hip)`` pixel positions of one leg (NaN where hidden)."""
    hip, knee, ankle = (pts[j] for j in _LEGS[side])
    mid_hip: FloatArray = (pts[Landmark.LEFT_HIP] + pts[Landmark.RIGHT_HIP]) / 2.0
    return hip, knee, ankle, mid_hip


def _draw_knee_angles(
    img: Image,
    pts: FloatArray,
    metrics: dict[str, Metric],
    statuses: dict[Landmark, Severity | None],
    style: OverlayStyle,
    sz: _Sizes,
) -> None:
    """For each valid knee valgus metric, the FPPA it measures: a dashed continuation of
    the thigh past the knee (where a straight leg's shin would be), a translucent wedge
    from it to the actual shin, and the value in a dark label on the outer side of the
    leg. (An arc between thigh and shin themselves would span ~170 deg for a 10 deg
    reading.)"""
    for side, (_, knee_j, _) in _LEGS.items():
        metric = metrics.get(f"knee_valgus_{side}_deg")
        hip, knee, ankle, mid_hip = _leg_points(pts, side)
        if metric is None or not metric.valid or not all(map(_ok, (hip, knee, ankle))):
            continue
        color = _severity_color(statuses.get(knee_j, Severity.OK), style)
        shin_len = float(np.hypot(*(ankle - knee)))
        radius = float(np.clip(0.5 * shin_len, sz.arc, 3 * sz.arc))
        start, end = _arc_angles(knee - hip, ankle - knee)
        theta = np.radians(np.linspace(start, end, max(2, int(end - start) + 2)))
        arc = knee + radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
        _blend_poly(img, np.vstack([knee, arc]), color, 0.55)
        arc_i = np.round(arc).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [arc_i], False, style.outline, sz.bone + 2, _AA)
        cv2.polylines(img, [arc_i], False, color, sz.bone, _AA)
        thigh_on = knee + _unit(knee - hip) * radius * 1.25
        dash = max(3, round(4 * sz.scale))
        _dashed(img, knee, thigh_on, color, sz.bone, dash)
        outward = knee_correction_direction(hip, knee, ankle, mid_hip)
        if not np.any(outward):
            outward = np.array([1.0, 0.0])
        _draw_angle_label(img, knee, outward, metric.value, style, sz)


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.hypot(v[0], v[1]))
    out: FloatArray = v / n if n > 0 else np.zeros(2, dtype=np.float64)
    return out


def _arc_angles(thigh_dir: FloatArray, shin_dir: FloatArray) -> tuple[float, float]:
    """Start and end angles (degrees from +x, clockwise on screen since y is down;
    ``start <= end``) of the smaller arc from one pixel direction to the other."""
    a = math.degrees(math.atan2(thigh_dir[1], thigh_dir[0]))
    b = math.degrees(math.atan2(shin_dir[1], shin_dir[0]))
    span = (b - a) % 360.0
    return (a, a + span) if span <= 180.0 else (b, b + 360.0 - span)


def _draw_angle_label(
    img: Image,
    knee: FloatArray,
    outward: FloatArray,
    value: float,
    style: OverlayStyle,
    sz: _Sizes,
) -> None:
    """``"<value>°"`` in a dark box beside the knee, on the ``outward`` side (beyond the
    correction arrow)."""
    text = f"{round(value)}°"
    font = sz.font
    tw, th, _ = _text_size(text, font, True)  # digits are as tall as capitals: no depth
    box_w, box_h = tw + 2 * sz.pad, th + 2 * sz.pad
    centre = knee + outward * (sz.arrow + sz.measured + 0.6 * box_w)
    h, w = img.shape[:2]
    x0 = int(np.clip(centre[0] - box_w / 2, 0, max(0, w - box_w)))
    y0 = int(np.clip(centre[1] - box_h / 2, 0, max(0, h - box_h)))
    _blend_rect(img, x0, y0, x0 + box_w, y0 + box_h, style.outline, style.label_alpha)
    _put(img, text, (x0 + sz.pad, y0 + sz.pad + th), font, style.text, style.outline, True)


def _draw_knee_arrows(
    img: Image, pts: FloatArray, cues: Sequence[Cue], style: OverlayStyle, sz: _Sizes
) -> None:
    """An arrow from each knee with a warn/fault ``knee_valgus_*`` cue, pointing away from
    the midline (see :func:`knee_correction_direction`), in the cue's colour."""
    for side in _LEGS:
        severity = Severity.worst(
            c.severity
            for c in cues
            if c.metric is not None
            and c.metric.startswith(f"knee_valgus_{side}")
            and c.severity in (Severity.WARN, Severity.FAULT)
        )
        if severity is None:
            continue
        hip, knee, ankle, mid_hip = _leg_points(pts, side)
        direction = knee_correction_direction(hip, knee, ankle, mid_hip)
        if not np.any(direction):
            continue
        start = _pt(knee + direction * (sz.measured + sz.bone + 2))
        end = _pt(knee + direction * (sz.measured + sz.arrow))
        thick = max(2, round(3 * sz.scale))
        color = _severity_color(severity, style)
        cv2.arrowedLine(img, start, end, style.outline, thick + 2, _AA, 0, 0.4)
        cv2.arrowedLine(img, start, end, color, thick, _AA, 0, 0.4)


def _draw_balance(img: Image, balance: Balance, style: OverlayStyle, sz: _Sizes) -> None:
    """Base of support along the floor line (green if the COM's floor point is inside it,
    red if not), a dashed plumb line from the COM to the floor and markers at both ends."""
    com = np.asarray(balance.com_px, dtype=np.float64)
    floor = np.array([com[0], balance.floor_y_px], dtype=np.float64)
    if not (_ok(com) and _ok(floor)):
        return
    if balance.support_x_px is not None:
        lo, hi = sorted(balance.support_x_px)
        color = style.support_in if lo <= com[0] <= hi else style.support_out
        a, b = _pt((lo, floor[1])), _pt((hi, floor[1]))
        _line(img, a, b, color, max(3, round(5 * sz.scale)), style.outline)
    _dashed(img, com, floor, style.outline, sz.bone + 2, max(4, round(8 * sz.scale)))
    _dashed(img, com, floor, style.com, sz.bone, max(4, round(8 * sz.scale)))
    r = sz.measured
    cv2.circle(img, _pt(com), r, style.outline, sz.bone + 2, _AA)
    cv2.circle(img, _pt(com), r, style.com, sz.bone, _AA)
    _diamond(img, floor, r, style.com, style.outline)


def _diamond(img: Image, c: FloatArray, r: int, color: Color, outline: Color) -> None:
    poly = np.array([[c[0], c[1] - r], [c[0] + r, c[1]], [c[0], c[1] + r], [c[0] - r, c[1]]])
    pts = np.round(poly).astype(np.int32).reshape(-1, 1, 2)
    cv2.fillPoly(img, [pts], color, _AA)
    cv2.polylines(img, [pts], True, outline, 1, _AA)


# ------------------------------------------------------------------------------ panel


@dataclass(frozen=True)
class _Row:
    """One panel line: text, its colour and an optional severity dot before it."""

    text: str
    color: Color
    dot: Color | None = None
    indent: bool = False
    weight: tuple[float, float, bool] | None = None  # (left %, right %, left on screen-left)
    bold: bool = False


def _panel_rows(
    result: FrameResult, pts: FloatArray | None, style: OverlayStyle, sz: _Sizes
) -> list[_Row]:
    """Header, weight bar and cues (worst first, at most ``style.max_cues``), wrapped to
    the panel's width. No weight bar without a balance (a lying body has none, see
    :func:`posecheck.judge.recognition.lying_body`)."""
    inner = sz.panel_w - 2 * sz.pad
    indent = _indent(sz)
    rows = [
        _Row(line, style.text, bold=True) for line in _wrap_header(header_text(result), inner, sz)
    ]
    if result.balance is not None:  # none for a lying body: its weight is not on the feet
        rows += _weight_rows(result.metrics, pts, style, inner, sz)
    ranked = sorted(result.cues, key=lambda c: -c.severity.rank)
    for cue in ranked[: style.max_cues]:
        lines = _wrap(cue.message, inner - indent, sz.font)
        dot = _severity_color(cue.severity, style)
        rows += [_Row(t, style.text, dot if i == 0 else None, True) for i, t in enumerate(lines)]
    if len(ranked) > style.max_cues:
        rows.append(_Row(f"+{len(ranked) - style.max_cues} more", style.text_dim, None, True))
    return rows


def _indent(sz: _Sizes) -> int:
    """How far cue text is indented, leaving room for the severity dot."""
    return _text_size("M", sz.font)[0] + sz.pad


def _wrap_header(header: str, width: int, sz: _Sizes) -> list[str]:
    """Wrap the (bold) header, breaking at its ``" | "`` separators first."""
    lines: list[str] = []
    for part in header.split(" | "):
        joined = f"{lines[-1]} | {part}" if lines else part
        if lines and _text_size(joined, sz.font, True)[0] <= width:
            lines[-1] = joined
        else:
            lines += _wrap(part, width, sz.font, True)
    return lines


def _weight_rows(
    metrics: dict[str, Metric],
    pts: FloatArray | None,
    style: OverlayStyle,
    width: int,
    sz: _Sizes,
) -> list[_Row]:
    """The weight bar; when the split cannot be measured, why (the metric's ``reason``,
    e.g. "feet too close together ...") in dim text, or nothing if no reason is given."""
    left, right = metrics.get("weight_left_pct"), metrics.get("weight_right_pct")
    if left is None or right is None or pts is None:
        return []
    if not (left.valid and right.valid and math.isfinite(left.value + right.value)):
        reason = left.reason or right.reason
        if not reason:
            return []
        return [_Row(t, style.text_dim) for t in _wrap(f"weight n/a: {reason}", width, sz.font)]
    la, ra = pts[Landmark.LEFT_ANKLE, 0], pts[Landmark.RIGHT_ANKLE, 0]
    # Facing the camera the body's left is on screen-right, hence False when unknown.
    left_on_left = bool(np.isfinite(la) and np.isfinite(ra) and la < ra)
    return [_Row("", style.text, weight=(left.value, right.value, left_on_left))]


def _row_height(font: int, sz: _Sizes) -> int:
    _, h, base = _text_size("Hg", font)
    return h + base + max(2, sz.pad * 2 // 3)


_Rect = tuple[int, int, int, int]
"""``(x0, y0, x1, y1)`` pixels, x1 and y1 exclusive."""


def _draw_panel(
    img: Image, rows: Sequence[_Row], clear: FloatArray | None, style: OverlayStyle, sz: _Sizes
) -> _Rect:
    """The semi-transparent cue panel (``rows``, see :func:`_panel_rows`) in the corner
    that covers the fewest of the ``clear`` points. Returns the rectangle it covers."""
    _, text_h, _ = _text_size("Hg", sz.font)
    indent = _indent(sz)
    row_h = _row_height(sz.font, sz)
    panel_wh = (_panel_width(rows, indent, sz), len(rows) * row_h + 2 * sz.pad)
    img_h, img_w = img.shape[:2]
    x0, y0 = _corner(panel_wh, (img_w, img_h), clear, sz.margin, _PANEL_CORNERS)
    _blend_rect(img, x0, y0, x0 + panel_wh[0], y0 + panel_wh[1], style.panel, style.panel_alpha)
    for i, row in enumerate(rows):
        baseline = y0 + sz.pad + i * row_h + text_h + max(1, sz.pad // 4)
        if row.weight is not None:
            inner = (x0 + sz.pad, x0 + panel_wh[0] - sz.pad)
            _draw_weight_bar(img, inner, baseline, text_h, row.weight, style, sz)
            continue
        if row.dot is not None:
            r = max(2, round(text_h * 0.38))
            _dot(img, (x0 + sz.pad + r + 1, baseline - text_h // 2), r, row.dot, style.outline)
        x = x0 + sz.pad + (indent if row.indent else 0)
        _put(img, row.text, (x, baseline), sz.font, row.color, style.outline, row.bold)
    return x0, y0, x0 + panel_wh[0], y0 + panel_wh[1]


def _panel_width(rows: Sequence[_Row], indent: int, sz: _Sizes) -> int:
    """The panel's full width with a weight bar, else shrunk to its widest line."""
    if any(row.weight is not None for row in rows):
        return sz.panel_w
    widest = max(
        _text_size(row.text, sz.font, row.bold)[0] + (indent if row.indent else 0) for row in rows
    )
    return min(sz.panel_w, widest + 2 * sz.pad)


def _draw_weight_bar(
    img: Image,
    x_range: tuple[int, int],
    baseline: int,
    text_h: int,
    weight: tuple[float, float, bool],
    style: OverlayStyle,
    sz: _Sizes,
) -> None:
    """``L 58% [=====|===] 42% R`` across ``x_range`` (pixels), text on ``baseline``, with
    L and R on the screen sides where the body's left and right feet are."""
    left_pct, right_pct, left_on_left = weight
    total = left_pct + right_pct
    left_share = float(np.clip(left_pct / total, 0.0, 1.0)) if total > 0 else 0.5
    items = [
        ("L", left_pct, left_share, style.weight_left),
        ("R", right_pct, 1.0 - left_share, style.weight_right),
    ]
    screen_l, screen_r = items if left_on_left else items[::-1]
    l_text = f"{screen_l[0]} {screen_l[1]:.0f}%"
    r_text = f"{screen_r[1]:.0f}% {screen_r[0]}"
    x0, x1 = x_range
    _put(img, l_text, (x0, baseline), sz.font, style.text, style.outline)
    r_w = _text_size(r_text, sz.font)[0]
    _put(img, r_text, (x1 - r_w, baseline), sz.font, style.text, style.outline)
    label_w = _text_size("L 100%", sz.font)[0]
    bx0, bx1 = x0 + label_w + sz.pad, x1 - label_w - sz.pad
    by0, by1 = baseline - text_h, baseline
    split = bx0 + round((bx1 - bx0) * screen_l[2])
    cv2.rectangle(img, (bx0, by0), (split, by1), screen_l[3], -1)
    cv2.rectangle(img, (split, by0), (bx1, by1), screen_r[3], -1)
    mid = (bx0 + bx1) // 2
    cv2.line(img, (mid, by0 - 2), (mid, by1 + 2), style.text, max(1, sz.text))
    cv2.rectangle(img, (bx0, by0), (bx1, by1), style.text_dim, 1)


# ----------------------------------------------------------------------------- legend

#: Corner preference of the cue panel and of the legend (indices into ``_corners``).
_PANEL_CORNERS = (0, 1, 2, 3)  # top-left, top-right, bottom-left, bottom-right
_LEGEND_CORNERS = (2, 3, 1, 0)  # bottom-left first: text is read top-left

#: Below this font size (px) the legend would be unreadable and is left out.
_MIN_LEGEND_FONT = 8

_LegendItem = tuple[str, str, tuple[Color, ...]]
"""``(icon kind, label, colours)`` of one legend entry."""


def _legend_items(
    statuses: bool, balance: bool, weight: bool, style: OverlayStyle
) -> list[list[_LegendItem]]:
    """Legend rows for what is drawn: joint status colours, the centre of mass over the
    base of support, the weight bar's body sides."""
    rows: list[list[_LegendItem]] = []
    if statuses:
        rows.append(
            [
                ("dot", "ok", (style.ok,)),
                ("dot", "warn", (style.warn,)),
                ("dot", "fault", (style.fault,)),
                ("dot", "n/a", (style.unmeasured,)),
            ]
        )
    if balance:
        rows.append([("com", "centre of mass", (style.com,))])
        support = (style.support_in, style.support_out)
        rows.append([("base", "base of support: COM in / out", support)])
    if weight:
        sides = (style.weight_left, style.weight_right)
        rows.append([("bar", "weight: body left / right", sides)])
    return rows


def _legend_item_width(item: _LegendItem, font: int, icon_w: int, gap: int) -> int:
    return icon_w + gap + _text_size(item[1], font)[0]


def _draw_legend(
    img: Image,
    rows: list[list[_LegendItem]],
    clear: FloatArray | None,
    avoid: _Rect,
    style: OverlayStyle,
    sz: _Sizes,
) -> None:
    """A small key in the free corner that hides the least of the body; not drawn when
    every corner would overlap the cue panel (``avoid``)."""
    font = sz.small_font
    if not rows or font < _MIN_LEGEND_FONT:
        return
    _, text_h, _ = _text_size("Hg", font)
    row_h = _row_height(font, sz)
    pad, gap = max(2, sz.pad * 3 // 4), max(2, sz.pad // 2)
    dot_w, icon_w = text_h, round(2.4 * text_h)
    widths = [
        sum(
            _legend_item_width(item, font, dot_w if item[0] == "dot" else icon_w, gap)
            for item in row
        )
        + 2 * gap * (len(row) - 1)
        for row in rows
    ]
    wh = (max(widths) + 2 * pad, len(rows) * row_h + 2 * pad)
    img_h, img_w = img.shape[:2]
    if wh[0] > img_w // 2 or wh[1] > img_h // 2:
        return
    corners = [
        c
        for c in _LEGEND_CORNERS
        if not _overlap(_corner_xy(c, wh, (img_w, img_h), sz.margin), wh, avoid)
    ]
    if not corners:
        return
    x0, y0 = _corner(wh, (img_w, img_h), clear, sz.margin, tuple(corners))
    _blend_rect(img, x0, y0, x0 + wh[0], y0 + wh[1], style.panel, style.panel_alpha)
    for i, row in enumerate(rows):
        baseline = y0 + pad + i * row_h + text_h + max(1, sz.pad // 4)
        mid_y = baseline - text_h // 2
        x = x0 + pad
        for kind, label, colors in row:
            w = dot_w if kind == "dot" else icon_w
            _legend_icon(img, kind, (x, mid_y), w, text_h, colors, style, sz)
            x += w + gap
            _put(img, label, (x, baseline), font, style.text, style.outline)
            x += _text_size(label, font)[0] + 2 * gap


def _legend_icon(
    img: Image,
    kind: str,
    left_mid: Point,
    width: int,
    text_h: int,
    colors: tuple[Color, ...],
    style: OverlayStyle,
    sz: _Sizes,
) -> None:
    """The icon of one legend entry, ``width`` px wide, centred vertically on
    ``left_mid``'s y: a joint dot, the COM ring and plumb-line diamond, the base of
    support line in both colours, or the weight bar's two colours."""
    x, y = left_mid
    r = max(2, round(text_h * 0.4))
    thin = max(1, sz.bone // 2 + 1)
    if kind == "dot":
        _dot(img, (x + width // 2, y), r, colors[0], style.outline)
    elif kind == "com":
        end = np.array([x + width - r, y], dtype=np.float64)
        _dashed(img, np.array([x + r, y], dtype=np.float64), end, colors[0], thin, max(3, r))
        cv2.circle(img, (x + r, y), r, style.outline, thin + 2, _AA)
        cv2.circle(img, (x + r, y), r, colors[0], thin, _AA)
        _diamond(img, end, r, colors[0], style.outline)
    elif kind == "base":
        thick = max(3, round(4 * sz.scale))
        half = x + width // 2
        _line(img, (x + 1, y), (half - 1, y), colors[0], thick, style.outline)
        _line(img, (half + 1, y), (x + width - 1, y), colors[1], thick, style.outline)
    elif kind == "bar":
        y0, y1 = y - text_h // 2, y + text_h - text_h // 2
        half = x + width // 2
        cv2.rectangle(img, (x, y0), (half, y1), colors[0], -1)
        cv2.rectangle(img, (half, y0), (x + width, y1), colors[1], -1)
        cv2.rectangle(img, (x, y0), (x + width, y1), style.text_dim, 1)


def _overlap(xy: Point, wh: tuple[int, int], rect: _Rect) -> bool:
    return (
        xy[0] < rect[2] and rect[0] < xy[0] + wh[0] and xy[1] < rect[3] and rect[1] < xy[1] + wh[1]
    )


# ------------------------------------------------------------------------- placement


def _corner_xy(index: int, wh: tuple[int, int], image_wh: tuple[int, int], margin: int) -> Point:
    """Top-left of a ``wh`` box in frame corner ``index``: 0 top-left, 1 top-right,
    2 bottom-left, 3 bottom-right, ``margin`` px from the edges (clamped to the frame)."""
    (bw, bh), (w, h) = wh, image_wh
    x = margin if index in (0, 2) else w - bw - margin
    y = margin if index in (0, 1) else h - bh - margin
    return max(0, x), max(0, y)


def _corner(
    box_wh: tuple[int, int],
    image_wh: tuple[int, int],
    clear: FloatArray | None,
    margin: int,
    order: tuple[int, ...],
) -> Point:
    """Top-left corner of a box: the frame corner (of ``order``, in that order of
    preference) covering the fewest of the ``(N, 2)`` pixel points in ``clear``."""
    pw, ph = box_wh
    corners = [_corner_xy(i, box_wh, image_wh, margin) for i in order]
    if clear is None:
        return corners[0]

    def covered(corner: Point) -> int:
        x, y = corner
        in_x = (clear[:, 0] >= x) & (clear[:, 0] < x + pw)
        return int(np.count_nonzero(in_x & (clear[:, 1] >= y) & (clear[:, 1] < y + ph)))

    return min(corners, key=covered)


_ARM_BONES = {
    frozenset((Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW)),
    frozenset((Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST)),
    frozenset((Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW)),
    frozenset((Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST)),
}


def _keep_clear(pts: FloatArray, sz: _Sizes) -> FloatArray:
    """``(N, 2)`` pixel points the panel should not hide: samples along the head, trunk
    and leg bones (arms matter least) and the knee labels' places on both sides."""
    t = np.linspace(0.0, 1.0, 9)[:, None]
    bones = [(a, b) for a, b in SKELETON if frozenset((a, b)) not in _ARM_BONES]
    samples = [pts[a] + (pts[b] - pts[a]) * t for a, b in bones]
    reach = np.array([[sz.arrow + 2 * sz.arc, 0.0]])
    for knee in (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE):
        samples.append(np.vstack([pts[knee] - reach, pts[knee] + reach]))
    every = np.concatenate(samples)
    out: FloatArray = every[np.all(np.isfinite(every), axis=1)]
    return out
