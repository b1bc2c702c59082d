"""The hip line read from the picture's pixels across the pelvis. Pure numpy (and OpenCV's
affine warp for the crop), no I/O.

Why: MediaPipe's hip landmarks are dragged by the legs (a lifted Tree leg pulls its hip up
by 6-14 deg of pelvis tilt), and the landmark correction (:mod:`posecheck.measure.correction`)
reads a level Tree pelvis to about 3 deg / 7 deg (median / p90) on bodies it never saw.
The picture itself shows the pelvis in other ways the landmarks do not carry: the
waistband, the hem of a top, the creases at the hip joints, the shading of the iliac
crests. A small convolutional network, trained on rendered bodies with known joints
(``tools/correction/pixels.py``) and judged on bodies it never saw and on real photos,
reads the hip line's angle from a small crop of the picture; its errors are largely
independent of the correction's, so the corrected hips are turned part of the way toward
it, by a share per pose (:attr:`PoseCorrection.pixel_weight
<posecheck.measure.correction.PoseCorrection.pixel_weight>`; measured in
``docs/measurements.md``, "The picture across the pelvis").

The crop (:func:`pelvis_crop`) is taken in the trunk frame of
:mod:`posecheck.measure.silhouette`, so it turns and scales with the body: origin
MediaPipe's mid-hip, unit the trunk length, columns along ``n`` (the picture's right for
an upright body), rows along ``-u`` (down the trunk). It spans :data:`CROP_X_TRUNK`
across and :data:`CROP_Y_TRUNK` along the trunk (negative above mid-hip) and is
:data:`CROP_WH` pixels. The angle (:func:`hip_line_angle_deg`) is the hip line's slope in
that frame: from the hip nearer the crop's left edge to the other, ``atan2(dy, dx)`` with
``dx >= 0``, degrees, positive when the line goes down to the crop's right. A mirrored
picture mirrors the crop (its columns reversed) and negates the angle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import Landmark as L
from posecheck.measure.silhouette import MIN_TRUNK_PX, trunk_frame

FloatArray = NDArray[np.float64]
UInt8Array = NDArray[np.uint8]

#: Crop size in pixels, ``(width, height)``.
CROP_WH: tuple[int, int] = (64, 48)
#: The crop's extent across the trunk (along ``n``), trunk lengths from mid-hip.
CROP_X_TRUNK: tuple[float, float] = (-0.9, 0.9)
#: The crop's extent along the trunk (along ``-u``: negative above mid-hip), trunk lengths.
CROP_Y_TRUNK: tuple[float, float] = (-0.62, 0.73)
#: Below this hip-line length across the crop (trunk lengths) the hip line is seen end-on
#: and its angle means nothing (a side view); no reading is made.
MIN_HIP_SPAN_TRUNK = 0.25


def crop_affine(xy_px: FloatArray) -> FloatArray | None:
    """``(2, 3)`` affine map from crop pixels ``(col, row, 1)`` to picture pixels, for the
    landmarks ``xy_px`` ``(33, 2)``; None when the trunk has no length."""
    origin, length, u, n = trunk_frame(xy_px)
    if not (np.isfinite(length) and length >= MIN_TRUNK_PX and np.isfinite(origin).all()):
        return None
    (x0, x1), (y0, y1) = CROP_X_TRUNK, CROP_Y_TRUNK
    w, h = CROP_WH
    sx = (x1 - x0) / w * float(length)
    sy = (y1 - y0) / h * float(length)
    corner = origin + x0 * float(length) * n - y0 * float(length) * u
    return np.array(
        [[n[0] * sx, -u[0] * sy, corner[0]], [n[1] * sx, -u[1] * sy, corner[1]]],
        dtype=np.float64,
    )


def pelvis_crop(image_bgr: UInt8Array, xy_px: FloatArray) -> UInt8Array | None:
    """The ``(CROP_WH[1], CROP_WH[0], 3)`` uint8 BGR crop across the pelvis of ``image_bgr``
    ``(H, W, 3)``, for its landmarks ``xy_px`` ``(33, 2)``; None without a trunk."""
    affine = crop_affine(xy_px)
    if affine is None:
        return None
    crop = cv2.warpAffine(
        image_bgr,
        affine,
        CROP_WH,
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(crop, dtype=np.uint8)


def hip_line(xy_px: FloatArray, left_px: FloatArray, right_px: FloatArray) -> tuple[float, float]:
    """The hip line through ``left_px`` and ``right_px`` (``(2,)`` pixels) in the crop
    frame of the landmarks ``xy_px``: ``(angle_deg, span_trunk)``, the angle as in the
    module docstring and the line's extent across the crop in trunk lengths."""
    _, length, u, n = trunk_frame(xy_px)
    d = np.asarray(right_px, dtype=np.float64) - np.asarray(left_px, dtype=np.float64)
    dx, dy = float(d @ n), float(d @ -u)
    if dx < 0:
        dx, dy = -dx, -dy
    return math.degrees(math.atan2(dy, dx)), dx / max(float(length), MIN_TRUNK_PX)


def hip_line_seen(xy_px: FloatArray) -> bool:
    """Whether the landmarks' hip line spans at least :data:`MIN_HIP_SPAN_TRUNK` across
    their crop (not seen end-on): the pixels' hip line is read only then."""
    return hip_line(xy_px, xy_px[L.LEFT_HIP], xy_px[L.RIGHT_HIP])[1] >= MIN_HIP_SPAN_TRUNK


def hip_line_angle_deg(xy_px: FloatArray) -> float:
    """The angle of the landmarks' own hip line in their crop frame (degrees)."""
    return hip_line(xy_px, xy_px[L.LEFT_HIP], xy_px[L.RIGHT_HIP])[0]


def picture_direction(xy_px: FloatArray, angle_deg: float) -> FloatArray:
    """``(2,)`` unit vector in pixels of a line at ``angle_deg`` in the crop frame of the
    landmarks ``xy_px`` (crop columns run along ``n``, rows along ``-u``)."""
    _, _, u, n = trunk_frame(xy_px)
    a = math.radians(angle_deg)
    return np.asarray(math.cos(a) * n - math.sin(a) * u, dtype=np.float64)


def blend_hip_line(xy_px: FloatArray, line_px: FloatArray, weight: float) -> FloatArray:
    """``xy_px`` ``(33, 2)`` with the two hips turned about their midpoint toward the
    direction ``line_px`` (``(2,)`` pixels, either sign): ``weight`` 0 keeps them, 1 lays
    them along ``line_px``, between turns them by that share of the angle between the two
    lines. Their distance and midpoint, and which hip lies on which side, are kept."""
    out = np.array(xy_px, dtype=np.float64, copy=True)
    left, right = out[L.LEFT_HIP], out[L.RIGHT_HIP]
    span = right - left
    half = float(np.hypot(*span)) / 2.0
    if not (half > 0 and np.isfinite(half) and np.all(np.isfinite(line_px))):
        return out
    here = span / (2.0 * half)
    there = np.asarray(line_px, dtype=np.float64) / float(np.hypot(*line_px))
    if float(here @ there) < 0:
        there = -there
    turn = math.atan2(float(here[0] * there[1] - here[1] * there[0]), float(here @ there))
    a = math.atan2(float(here[1]), float(here[0])) + weight * turn
    mid = (left + right) / 2.0
    direction = np.array([math.cos(a), math.sin(a)])
    out[L.LEFT_HIP] = mid - half * direction
    out[L.RIGHT_HIP] = mid + half * direction
    return out


F32 = NDArray[np.float32]


def conv3x3(x: F32, w: F32, stride: int = 1) -> F32:
    """A 3x3 convolution with one pixel of zero padding, no bias. ``x`` ``(..., H, W, C)``,
    ``w`` ``(..., 3, 3, C, K)`` (its leading axes broadcast against ``x``'s, so several
    nets' kernels can run on their own inputs at once) -> ``(..., ceil(H / stride),
    ceil(W / stride), K)`` (torch's ``Conv2d(C, K, 3, stride, padding=1)``). Written as
    nine shifted matrix products, which numpy runs faster than a patch matrix for these
    sizes."""
    h, wd = x.shape[-3], x.shape[-2]
    padded = np.pad(x, [(0, 0)] * (x.ndim - 3) + [(1, 1), (1, 1), (0, 0)])
    rows, cols = stride * ((h - 1) // stride + 1), stride * ((wd - 1) // stride + 1)
    y: F32 = padded[..., 0:rows:stride, 0:cols:stride, :] @ w[..., 0, 0, :, :]
    for i in range(3):
        for j in range(3):
            if i or j:
                y += (
                    padded[..., i : i + rows : stride, j : j + cols : stride, :]
                    @ w[..., i, j, :, :]
                )
    return y


def max_pool2(x: F32) -> F32:
    """2x2 max-pool of ``(..., H, W, C)`` (an odd last row or column is dropped)."""
    return np.maximum(
        np.maximum(x[..., 0:-1:2, 0:-1:2, :], x[..., 1::2, 0:-1:2, :]),
        np.maximum(x[..., 0:-1:2, 1::2, :], x[..., 1::2, 1::2, :]),
    )


def run_convs(x: F32, convs: Sequence[tuple[F32, F32, int]]) -> F32:
    """The convolution layers: each :func:`conv3x3`, a 2x2 max-pool when its stride is 1,
    then bias and ReLU (after the pool: the same result, on a quarter of the values)."""
    for w, b, stride in convs:
        y = conv3x3(x, w, stride)
        if stride == 1:
            y = max_pool2(y)
        x = np.maximum(y + b, 0.0)
    return x


def run_dense(v: F32, dense: Sequence[tuple[F32, F32]]) -> F32:
    """The dense layers on ``(..., I)`` (ReLU between them); weights may carry leading axes."""
    for i, (w, b) in enumerate(dense):
        v = v @ w + b
        if i < len(dense) - 1:
            v = np.maximum(v, 0.0)
    return v


@dataclass(frozen=True)
class PixelNet:
    """One network of :class:`PelvisPixelModel`: 3x3 convolutions (ReLU; ``stride`` 2, or
    stride 1 and a 2x2 max-pool), then dense layers (ReLU between them).

    ``convs``: ``(w (3, 3, C, K), b (K,), stride)``; ``dense``: ``(w (I, O), b (O,))``, the
    first taking the last feature map flattened in (row, col, channel) order; float32.
    """

    convs: tuple[tuple[F32, F32, int], ...]
    dense: tuple[tuple[F32, F32], ...]

    def __call__(self, x: F32) -> F32:
        """``(N, h, w, 3)`` normalised crops -> ``(N,)`` outputs."""
        features = run_convs(x, self.convs)
        v = run_dense(features.reshape(len(x), -1), self.dense)
        return np.asarray(v[:, 0], dtype=np.float32)


@dataclass(frozen=True)
class _Stacked:
    """:class:`PelvisPixelModel`'s nets' weights side by side (see ``_side_by_side``)."""

    first_w: F32  # (3, 3, C, nets * K)
    first_b: F32  # (nets * K,)
    first_stride: int
    convs: tuple[tuple[F32, F32, int], ...]  # (nets, 1, 1, 3, 3, C, K), (nets, 1, 1, 1, K)
    dense: tuple[tuple[F32, F32], ...]  # (nets, I, O), (nets, 1, O)


@dataclass(frozen=True)
class PelvisPixelModel:
    """The networks that read the hip line from :func:`pelvis_crop` crops, averaged.

    Weights as ``tools/correction/pixels.py`` exports them. ``mean`` and ``std`` ``(3,)``
    normalise the crop's BGR values in [0, 1]; ``scale_deg`` turns an output into degrees.
    Several networks trained from different seeds are averaged: they err differently.
    """

    nets: tuple[PixelNet, ...]
    mean: F32
    std: F32
    scale_deg: float

    @cached_property
    def _side_by_side(self) -> _Stacked | None:
        """The nets' weights stacked for :meth:`_forward_side_by_side`, or None when the
        nets do not share one layout (then each runs on its own)."""
        first = self.nets[0]
        layout = [(w.shape, s) for w, _, s in first.convs], [w.shape for w, _ in first.dense]
        for net in self.nets:
            if ([(w.shape, s) for w, _, s in net.convs], [w.shape for w, _ in net.dense]) != layout:
                return None
        k = len(self.nets)
        return _Stacked(
            first_w=np.concatenate([n.convs[0][0] for n in self.nets], axis=3),
            first_b=np.concatenate([n.convs[0][1] for n in self.nets]),
            first_stride=first.convs[0][2],
            convs=tuple(
                (
                    np.stack([n.convs[i][0] for n in self.nets])[:, None, None],
                    np.stack([n.convs[i][1] for n in self.nets]).reshape(k, 1, 1, 1, -1),
                    first.convs[i][2],
                )
                for i in range(1, len(first.convs))
            ),
            dense=tuple(
                (
                    np.stack([n.dense[i][0] for n in self.nets]),
                    np.stack([n.dense[i][1] for n in self.nets])[:, None],
                )
                for i in range(len(first.dense))
            ),
        )

    def _forward_side_by_side(self, x: F32, st: _Stacked) -> F32:
        """The nets' mean output for ``(N, h, w, 3)`` normalised crops, all nets in the same
        numpy calls: the first convolution as one with the nets' kernels side by side, the
        rest with the nets on a leading axis. Numpy's per-call cost, not arithmetic, is
        what a 64x48 crop costs, so this is about 1.5x as fast as one net after another."""
        k = len(self.nets)
        y = run_convs(x, ((st.first_w, st.first_b, st.first_stride),))  # (N, H, W, k*K)
        n, h, wd, kk = y.shape
        t = np.ascontiguousarray(y.reshape(n, h, wd, k, kk // k).transpose(3, 0, 1, 2, 4))
        t = run_convs(t, st.convs)  # (k, N, H', W', K')
        v = run_dense(t.reshape(k, n, -1), st.dense)
        return np.asarray(v[:, :, 0].mean(axis=0), dtype=np.float32)

    def predict(self, crops: UInt8Array) -> FloatArray:
        """``(N, h, w, 3)`` uint8 BGR crops -> ``(N,)`` hip line angles (degrees, crop
        frame). Each crop is read as it is and mirrored, and the two readings averaged
        (a mirrored crop's angle is the negative), which cancels a left-right bias."""
        x = (crops.astype(np.float32) / 255.0 - self.mean) / self.std
        both = np.concatenate([x, x[:, :, ::-1]])
        stacked = self._side_by_side
        if stacked is None:
            out = np.mean([net(both) for net in self.nets], axis=0)
        else:
            out = self._forward_side_by_side(both, stacked)
        n = len(crops)
        return np.asarray((out[:n] - out[n:]) / 2.0 * self.scale_deg, dtype=np.float64)


def read_hip_line(
    model: PelvisPixelModel, image: UInt8Array, xy_px: FloatArray, *, rgb: bool = False
) -> FloatArray | None:
    """The hip line's direction as ``model`` reads it from ``image`` ``(H, W, 3)`` uint8
    (BGR, or RGB with ``rgb``) for its landmarks ``xy_px`` ``(33, 2)``: a ``(2,)`` unit
    vector in pixels (its sign means nothing), or None without a trunk or when the
    landmarks' hip line is seen end-on (shorter than :data:`MIN_HIP_SPAN_TRUNK`)."""
    if not hip_line_seen(xy_px):
        return None
    crop = pelvis_crop(image, xy_px)
    if crop is None:
        return None
    bgr = crop[:, :, ::-1] if rgb else crop
    angle_deg = float(model.predict(bgr[None])[0])
    return picture_direction(xy_px, angle_deg)
