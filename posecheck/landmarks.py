"""Landmark names and the per-frame landmarks type.

Coordinate frames used across posecheck:

* **normalised image** (``Landmarks.xy``): x to the right in [0, 1] of the image width,
  y downwards in [0, 1] of the image height, as MediaPipe returns them. Not isotropic:
  a unit of x and a unit of y differ by the aspect ratio. Values may fall slightly
  outside [0, 1] for joints the model places beyond the frame.
* **pixel** (``Landmarks.xy_px``): the same points in pixels, x right, y down. Isotropic,
  so angles and distances are measured here.
* **world** (``Landmarks.world``): MediaPipe's metric 3D estimate in metres, origin at the
  centre of the hips, axes aligned with the camera (x right, y down, z away from the
  camera is positive). Its depth is noisy: use it for ordering and view estimation, not
  as a measurement.

Left and right are always the **body's** own sides (MediaPipe's naming), never the
screen's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

N_LANDMARKS = 33


class Landmark(IntEnum):
    """The 33 BlazePose landmarks, by MediaPipe index."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


#: Shoulders, hips, knees and ankles: the joints that say where the body is (framing,
#: steadiness).
MAIN_JOINTS: tuple[Landmark, ...] = (
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE,
    Landmark.RIGHT_KNEE,
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
)

#: Skeleton edges (pairs of landmark indices) drawn by the renderer; the face is reduced
#: to nose-eyes-ears so the overlay stays readable.
SKELETON: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.NOSE, Landmark.LEFT_EYE),
    (Landmark.NOSE, Landmark.RIGHT_EYE),
    (Landmark.LEFT_EYE, Landmark.LEFT_EAR),
    (Landmark.RIGHT_EYE, Landmark.RIGHT_EAR),
)


@dataclass(frozen=True)
class Landmarks:
    """One person's landmarks in one image.

    Attributes:
        xy: ``(33, 2)`` float64, normalised image coordinates (x right, y down, [0, 1]).
        visibility: ``(33,)`` float64 in [0, 1], MediaPipe's visibility score. It stays
            near 0.99 for many hidden joints: a weak signal, never the only gate.
        image_wh: ``(width, height)`` of the image in pixels.
        world: ``(33, 3)`` float64 metres in MediaPipe's hip-centred world frame, or
            ``None`` when not available.
        silhouette: ``(13, 4)`` float64, the body's outline across the trunk axis from
            MediaPipe's segmentation mask (see :mod:`posecheck.measure.silhouette`), or
            ``None`` when the estimator was not asked for masks.
        hip_line_px: ``(2,)`` float64 unit vector in pixels (x right, y down), the hip
            line's direction as the picture's pixels across the pelvis read it
            (:mod:`posecheck.measure.pelvis_pixels`; its sign means nothing), or ``None``
            when not read (no pixel model, or the hip line seen end-on).
    """

    xy: FloatArray
    visibility: FloatArray
    image_wh: tuple[int, int]
    world: FloatArray | None = None
    silhouette: FloatArray | None = None
    hip_line_px: FloatArray | None = None

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=np.float64)
        vis = np.asarray(self.visibility, dtype=np.float64)
        if xy.shape != (N_LANDMARKS, 2):
            raise ValueError(f"xy must have shape ({N_LANDMARKS}, 2), got {xy.shape}")
        if vis.shape != (N_LANDMARKS,):
            raise ValueError(f"visibility must have shape ({N_LANDMARKS},), got {vis.shape}")
        w, h = self.image_wh
        if w <= 0 or h <= 0:
            raise ValueError(f"image_wh must be positive, got {self.image_wh}")
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "visibility", vis)
        object.__setattr__(self, "image_wh", (int(w), int(h)))
        if self.world is not None:
            world = np.asarray(self.world, dtype=np.float64)
            if world.shape != (N_LANDMARKS, 3):
                raise ValueError(f"world must have shape ({N_LANDMARKS}, 3), got {world.shape}")
            object.__setattr__(self, "world", world)
        if self.silhouette is not None:
            object.__setattr__(self, "silhouette", np.asarray(self.silhouette, dtype=np.float64))
        if self.hip_line_px is not None:
            line = np.asarray(self.hip_line_px, dtype=np.float64)
            if line.shape != (2,):
                raise ValueError(f"hip_line_px must have shape (2,), got {line.shape}")
            object.__setattr__(self, "hip_line_px", line)

    @property
    def xy_px(self) -> FloatArray:
        """``(33, 2)`` pixel coordinates (x right, y down)."""
        return self.xy * np.asarray(self.image_wh, dtype=np.float64)

    def mirrored(self) -> Landmarks:
        """The same body seen in a horizontally flipped image.

        Only the pixels move: a landmark keeps its anatomical name, so the left knee stays
        ``LEFT_KNEE`` (a mirror does not change which leg is which). World x flips too.
        """
        xy = self.xy.copy()
        xy[:, 0] = 1.0 - xy[:, 0]
        world = None
        if self.world is not None:
            world = self.world.copy()
            world[:, 0] = -world[:, 0]
        # The outline's +n side becomes its -n side in a mirror (n turns with the picture).
        silhouette = None if self.silhouette is None else self.silhouette[:, [2, 3, 0, 1]]
        line = None if self.hip_line_px is None else self.hip_line_px * np.array([-1.0, 1.0])
        return Landmarks(
            xy=xy,
            visibility=self.visibility,
            image_wh=self.image_wh,
            world=world,
            silhouette=silhouette,
            hip_line_px=line,
        )

    def to_list(self) -> list[list[float]]:
        """``33 x [x, y, visibility]`` as plain floats (the JSON ``landmarks`` field)."""
        return [
            [round(float(x), 5), round(float(y), 5), round(float(v), 4)]
            for (x, y), v in zip(self.xy, self.visibility, strict=True)
        ]


def unrotate(lm: Landmarks, quarter_turns: int, image_wh: tuple[int, int]) -> Landmarks:
    """Landmarks found in ``np.rot90(image, quarter_turns)`` mapped back to ``image``.

    ``np.rot90`` turns counter-clockwise: a point (x, y) of the original (normalised)
    lands at (y, 1 - x), so one turn is undone by (x', y') -> (1 - y', x'). World axes
    follow the camera and turn the same way (x', y') -> (-y', x'); depth is unchanged.

    Args:
        lm: landmarks of the rotated image.
        quarter_turns: the ``k`` given to ``np.rot90``.
        image_wh: ``(width, height)`` of the original image.
    """
    xy = lm.xy.copy()
    world = None if lm.world is None else lm.world.copy()
    line = None if lm.hip_line_px is None else lm.hip_line_px.copy()
    for _ in range(quarter_turns % 4):
        xy = np.stack([1.0 - xy[:, 1], xy[:, 0]], axis=-1)
        if world is not None:
            world = np.stack([-world[:, 1], world[:, 0], world[:, 2]], axis=-1)
        if line is not None:  # in pixels a quarter turn is a rotation: (x, y) -> (-y, x)
            line = np.array([-line[1], line[0]])
    # The outline is measured in the trunk's own frame, which turns with the picture.
    return Landmarks(
        xy=xy,
        visibility=lm.visibility,
        image_wh=image_wh,
        world=world,
        silhouette=lm.silhouette,
        hip_line_px=line,
    )
