"""The body's outline across the trunk axis, from MediaPipe's segmentation mask. Pure numpy.

Why: MediaPipe's hip landmarks are dragged by the legs (in Tree the lifted leg pulls its
hip up by 6-14 deg of pelvis tilt), while the outline of waist, hips and upper thighs
shows where the pelvis really is. On rendered Tree holds a linear model on landmarks plus
these edges recovered 0.72 of a true pelvis tilt against 0.53 from the landmarks alone
(see ``docs/measurements.md``, "How much pelvis signal the landmarks carry").

The frame (the same for every feature a correction uses, so that they are invariant to
where the body is in the picture, how large it is and how it is turned in the picture):

- origin: the midpoint of the two hip landmarks, in pixels;
- unit length: the trunk length, mid-hip to mid-shoulder, in pixels;
- ``u``: the unit vector from mid-hip toward mid-shoulder (up the trunk);
- ``n``: ``u`` turned a quarter turn clockwise on screen (x right, y down): for an
  upright body, ``n`` points to the right of the picture.

Along ``u``, :data:`LEVELS_TRUNK` places lines across the body, from the waist above the
hips to the upper thighs below them. On each line, on each side (+n, -n), the mask is
walked outward from the axis; the first stretch of body met gives an *entry* and an
*exit* distance (entry is 0 on the trunk; between the thighs the axis itself is off the
body, so entry is where the thigh begins).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Lines across the trunk axis, in trunk lengths from mid-hip (+ toward the shoulders).
LEVELS_TRUNK: FloatArray = np.linspace(0.7, -0.5, 13)
#: How far out each line is walked, in trunk lengths.
REACH_TRUNK = 0.8
#: Samples per half line (a step of 1/60 trunk length: ~4 px for a 250 px trunk).
STEPS = 48
#: A mask value above this is the body.
MASK_THRESHOLD = 0.5
#: Number of features per frame: (entry, exit) x (+n, -n) x levels.
N_FEATURES = 4 * len(LEVELS_TRUNK)

_LEFT_HIP, _RIGHT_HIP, _LEFT_SHOULDER, _RIGHT_SHOULDER = 23, 24, 11, 12


#: A trunk shorter than this (pixels) has no frame: the shoulders sit on the hips.
MIN_TRUNK_PX = 1e-6


def trunk_frame(xy_px: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The trunk frame of each frame's landmarks: origin ``(..., 2)`` px, trunk length
    ``(...)`` px, ``u`` ``(..., 2)`` and ``n`` ``(..., 2)``.

    Args:
        xy_px: ``(..., 33, 2)`` landmark pixels (x right, y down).

    A length under :data:`MIN_TRUNK_PX` (or NaN) means the frame is undefined; ``u`` and
    ``n`` are then meaningless.
    """
    hip = (xy_px[..., _LEFT_HIP, :] + xy_px[..., _RIGHT_HIP, :]) / 2.0
    shoulder = (xy_px[..., _LEFT_SHOULDER, :] + xy_px[..., _RIGHT_SHOULDER, :]) / 2.0
    axis = shoulder - hip
    length = np.hypot(axis[..., 0], axis[..., 1])
    u = axis / np.maximum(length, MIN_TRUNK_PX)[..., None]
    n = np.stack([-u[..., 1], u[..., 0]], axis=-1)  # a quarter turn clockwise (y down)
    return hip, length, u, n


def silhouette_edges(mask: NDArray[np.floating], xy_px: FloatArray) -> FloatArray:
    """The outline features of one frame.

    Args:
        mask: ``(H, W)`` or ``(H, W, 1)`` float, 1 on the person (MediaPipe's
            segmentation mask of the image the landmarks were found in).
        xy_px: ``(33, 2)`` landmark pixels in the same image.

    Returns:
        ``(len(LEVELS_TRUNK), 4)`` float64, in trunk lengths from the axis: columns
        ``entry +n, exit +n, entry -n, exit -n``. A side with no body within
        :data:`REACH_TRUNK` reads ``REACH_TRUNK`` for both; a line whose body runs past
        the reach reads ``REACH_TRUNK`` as its exit. All NaN when the trunk has no length.
    """
    plane = mask[:, :, 0] if mask.ndim == 3 else mask
    height, width = plane.shape
    origin, length, u, n = trunk_frame(xy_px)
    out = np.full((len(LEVELS_TRUNK), 4), np.nan)
    if not (np.isfinite(length) and length >= MIN_TRUNK_PX):
        return out
    dist = np.linspace(0.0, REACH_TRUNK, STEPS)  # (S,) trunk lengths
    centres = origin + (LEVELS_TRUNK * length)[:, None] * u  # (K, 2)
    for col, sign in ((0, 1.0), (2, -1.0)):
        pts = centres[:, None, :] + (sign * dist * length)[None, :, None] * n  # (K, S, 2)
        xi = np.rint(pts[..., 0]).astype(np.int64)
        yi = np.rint(pts[..., 1]).astype(np.int64)
        inside = (xi >= 0) & (xi < width) & (yi >= 0) & (yi < height)
        on = np.zeros(xi.shape, dtype=bool)
        on[inside] = plane[yi[inside], xi[inside]] > MASK_THRESHOLD
        steps = np.arange(STEPS)
        has = on.any(axis=1)
        entry = np.argmax(on, axis=1)
        off_after = ~on & (steps[None, :] > entry[:, None])
        has_exit = off_after.any(axis=1)
        exit_ = np.where(has_exit, np.argmax(off_after, axis=1), STEPS - 1)
        out[:, col] = np.where(has, dist[entry], REACH_TRUNK)
        out[:, col + 1] = np.where(has, dist[exit_], REACH_TRUNK)
    return out
