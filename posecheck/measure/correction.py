"""A learned correction of MediaPipe's systematic landmark errors. Pure numpy, no I/O.

MediaPipe's landmarks are off in ways that repeat: a lifted Tree leg drags its hip
landmark up, a caved knee reads at ~0.65x its size, depth is 15-20 deg off (measured on
rendered bodies with known joints: ``docs/measurements.md``). A small network, trained by
``tools/correction/train.py`` on rendered clips and judged on bodies it never saw, maps
one frame's MediaPipe output to where the main joints truly are:

- input (:func:`correction_features`): the 33 image landmarks in the trunk frame of
  :mod:`posecheck.measure.silhouette`, their visibility, the 33 world landmarks, and the
  segmentation mask's outline across the trunk;
- output: for each joint of :data:`JOINTS`, the offset from MediaPipe's image landmark to
  the true joint centre (trunk frame, trunk lengths) and from its world landmark to the
  true one (metres, MediaPipe's hip-centred camera-aligned axes).

:meth:`LandmarkCorrection.apply` returns new :class:`~posecheck.landmarks.Landmarks` with
those joints moved; every other landmark is kept. All geometry then measures the
corrected joints with its usual definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.measure.pelvis_pixels import PelvisPixelModel, blend_hip_line
from posecheck.measure.silhouette import LEVELS_TRUNK, MIN_TRUNK_PX, trunk_frame

FloatArray = NDArray[np.float64]

#: The joints the correction moves (MediaPipe indices).
JOINTS: tuple[int, ...] = tuple(
    int(j)
    for j in (
        L.LEFT_SHOULDER,
        L.RIGHT_SHOULDER,
        L.LEFT_HIP,
        L.RIGHT_HIP,
        L.LEFT_KNEE,
        L.RIGHT_KNEE,
        L.LEFT_ANKLE,
        L.RIGHT_ANKLE,
        L.LEFT_HEEL,
        L.RIGHT_HEEL,
        L.LEFT_FOOT_INDEX,
        L.RIGHT_FOOT_INDEX,
    )
)

#: Bump when the features or outputs change: a model file records the version it was
#: trained with and is refused by another.
FEATURE_VERSION = 1

N_LANDMARKS = 33
N_FEATURES = N_LANDMARKS * 2 + N_LANDMARKS + N_LANDMARKS * 3 + len(LEVELS_TRUNK) * 4
N_OUTPUTS = len(JOINTS) * 5

#: Left <-> right landmark order of MediaPipe's 33 points (0 nose stays).
MIRROR_ORDER: tuple[int, ...] = (
    0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21,
    24, 23, 26, 25, 28, 27, 30, 29, 32, 31,
)  # fmt: skip


def to_trunk(points_px: FloatArray, xy_px: FloatArray) -> FloatArray:
    """``(F, P, 2)`` pixels -> ``(F, P, 2)`` trunk frame (along n, along u; trunk lengths)
    of each frame's landmarks ``xy_px`` ``(F, 33, 2)``."""
    origin, length, u, n = trunk_frame(xy_px)
    rel = (points_px - origin[:, None, :]) / np.maximum(length, MIN_TRUNK_PX)[:, None, None]
    return np.stack([np.einsum("fpk,fk->fp", rel, n), np.einsum("fpk,fk->fp", rel, u)], axis=-1)


def from_trunk(points_tf: FloatArray, xy_px: FloatArray) -> FloatArray:
    """Inverse of :func:`to_trunk`: ``(F, P, 2)`` trunk frame -> pixels."""
    origin, length, u, n = trunk_frame(xy_px)
    return np.asarray(
        origin[:, None, :]
        + length[:, None, None]
        * (points_tf[..., :1] * n[:, None, :] + points_tf[..., 1:2] * u[:, None, :]),
        dtype=np.float64,
    )


def correction_features(
    xy_px: FloatArray, visibility: FloatArray, world: FloatArray, silhouette: FloatArray
) -> FloatArray:
    """The network's input for F frames: ``(F, N_FEATURES)``.

    Args:
        xy_px: ``(F, 33, 2)`` MediaPipe image landmarks, pixels.
        visibility: ``(F, 33)``.
        world: ``(F, 33, 3)`` MediaPipe world landmarks, metres.
        silhouette: ``(F, 13, 4)`` from :func:`~posecheck.measure.silhouette.silhouette_edges`.
    """
    f = xy_px.shape[0]
    return np.concatenate(
        [
            to_trunk(xy_px, xy_px).reshape(f, -1),
            visibility.reshape(f, -1),
            world.reshape(f, -1),
            silhouette.reshape(f, -1),
        ],
        axis=1,
    )


def mirror_inputs(
    xy_px: FloatArray,
    visibility: FloatArray,
    world: FloatArray,
    silhouette: FloatArray,
    image_w: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The same frames seen in a horizontally flipped picture, as MediaPipe would label
    them (the mirrored body's left is the original's right)."""
    order = list(MIRROR_ORDER)
    xy = xy_px[:, order].copy()
    xy[..., 0] = image_w - xy[..., 0]
    w = world[:, order].copy()
    w[..., 0] = -w[..., 0]
    return xy, visibility[:, order], w, silhouette[..., [2, 3, 0, 1]]


@dataclass(frozen=True)
class LandmarkCorrection:
    """A trained correction: a two-hidden-layer ReLU network with standardised input and
    output. Arrays: ``w1 (N_FEATURES, H1)``, ``w2 (H1, H2)``, ``w3 (H2, N_OUTPUTS)``, biases,
    ``x_mean``/``x_std (N_FEATURES,)``, ``y_mean``/``y_std (N_OUTPUTS,)``."""

    w1: FloatArray
    b1: FloatArray
    w2: FloatArray
    b2: FloatArray
    w3: FloatArray
    b3: FloatArray
    x_mean: FloatArray
    x_std: FloatArray
    y_mean: FloatArray
    y_std: FloatArray

    def predict(self, features: FloatArray) -> FloatArray:
        """``(F, N_FEATURES)`` -> ``(F, N_OUTPUTS)`` offsets: for each joint of
        :data:`JOINTS` its image offset (2, trunk lengths), then all world offsets
        (3 per joint, metres)."""
        x = (features - self.x_mean) / self.x_std
        h = np.maximum(x @ self.w1 + self.b1, 0.0)
        h = np.maximum(h @ self.w2 + self.b2, 0.0)
        return np.asarray((h @ self.w3 + self.b3) * self.y_std + self.y_mean, dtype=np.float64)

    def apply_arrays(
        self,
        xy_px: FloatArray,
        visibility: FloatArray,
        world: FloatArray,
        silhouette: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """Corrected ``(F, 33, 2)`` pixels and ``(F, 33, 3)`` world landmarks."""
        out = self.predict(correction_features(xy_px, visibility, world, silhouette))
        nj = len(JOINTS)
        joints = list(JOINTS)
        tf = to_trunk(xy_px[:, joints], xy_px) + out[:, : 2 * nj].reshape(-1, nj, 2)
        xy = xy_px.copy()
        xy[:, joints] = from_trunk(tf, xy_px)
        w = world.copy()
        w[:, joints] = world[:, joints] + out[:, 2 * nj :].reshape(-1, nj, 3)
        return xy, w

    def apply(self, landmarks: Landmarks) -> Landmarks:
        """``landmarks`` with the joints of :data:`JOINTS` moved to where the network puts
        them; unchanged when they carry no world landmarks or no silhouette."""
        if landmarks.world is None or landmarks.silhouette is None:
            return landmarks
        if not np.all(np.isfinite(landmarks.silhouette)):
            return landmarks
        _, length, _, _ = trunk_frame(landmarks.xy_px)
        if not (np.isfinite(length) and length >= MIN_TRUNK_PX):
            return landmarks
        xy, world = self.apply_arrays(
            landmarks.xy_px[None],
            landmarks.visibility[None],
            landmarks.world[None],
            landmarks.silhouette[None],
        )
        wh = np.asarray(landmarks.image_wh, dtype=np.float64)
        return replace(landmarks, xy=xy[0] / wh, world=world[0])


@dataclass(frozen=True)
class PoseCorrection:
    """One :class:`LandmarkCorrection` per pose, applied to landmarks checked as that pose.

    MediaPipe's errors depend on the pose (a lifted Tree leg drags its hip landmark up, a
    Half Moon pelvis seen from the chest side reads rolled), and one model per pose measured
    much better on bodies it never saw than one model for every pose
    (``docs/measurements.md``, "Landmark correction"). The pose is posecheck's own verdict
    for the frame (recognised, or the one asked for), so a correction never has to guess
    it. A pose without a model keeps MediaPipe's landmarks. A model may move only some of
    :data:`JOINTS` (its other outputs are exactly zero: see ``tools/correction/train.py``).
    """

    by_pose: Mapping[str, LandmarkCorrection]
    #: The network that reads the hip line from the picture (None: not used).
    pixels: PelvisPixelModel | None = None
    #: Per pose, the share of the turn from the corrected hip line toward the pixels' line
    #: (0 keeps the corrected hips; chosen on validation bodies by
    #: ``tools/correction/pixels.py``).
    pixel_weight: Mapping[str, float] = field(default_factory=dict)

    def apply(self, landmarks: Landmarks, pose: str | None) -> Landmarks:
        """``landmarks`` corrected for ``pose``; unchanged for None or a pose without a
        model, and when they carry no world landmarks or silhouette. Where the landmarks
        carry the pixels' hip line (:attr:`Landmarks.hip_line_px`), the hips are then
        turned toward it by the pose's :attr:`pixel_weight`."""
        model = self.by_pose.get(pose) if pose is not None else None
        out = landmarks if model is None else model.apply(landmarks)
        share = self.pixel_weight.get(pose, 0.0) if pose is not None else 0.0
        if share <= 0.0 or landmarks.hip_line_px is None:
            return out
        xy = blend_hip_line(out.xy_px, landmarks.hip_line_px, share)
        return replace(out, xy=xy / np.asarray(out.image_wh, dtype=np.float64))
