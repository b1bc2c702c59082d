"""Pinhole cameras for the synthetic renders: placement, projection, OpenGL pose.

Frames:
    world   the body's frame (anny's): metres, +Z up, -Y the body's front (the way it
            faces in the rest pose), +X the body's left. The floor is z = 0.
    camera  OpenCV: +x right in the picture, +y down, +z forward (into the scene).
    pixels  x right, y down, origin at the top-left pixel's corner.

Pure numpy; no rendering or I/O here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Camera:
    """A pinhole camera.

    Attributes:
        image_wh: picture size in pixels.
        fx_px, fy_px, cx_px, cy_px: intrinsics in pixels.
        r_world_to_cam: ``(3, 3)`` rotation, nested lists (JSON-friendly).
        t_world_to_cam_m: ``(3,)`` translation in metres: ``x_cam = R @ x_world + t``.
        azimuth_deg, elevation_deg, distance_m: how it was placed (see :func:`orbit_camera`).
    """

    image_wh: tuple[int, int]
    fx_px: float
    fy_px: float
    cx_px: float
    cy_px: float
    r_world_to_cam: tuple[tuple[float, float, float], ...]
    t_world_to_cam_m: tuple[float, float, float]
    azimuth_deg: float = 0.0
    elevation_deg: float = 0.0
    distance_m: float = 0.0

    @property
    def rotation(self) -> FloatArray:
        """``(3, 3)`` world -> camera rotation."""
        return np.asarray(self.r_world_to_cam, dtype=np.float64)

    @property
    def translation_m(self) -> FloatArray:
        """``(3,)`` world -> camera translation in metres."""
        return np.asarray(self.t_world_to_cam_m, dtype=np.float64)

    @property
    def position_m(self) -> FloatArray:
        """``(3,)`` the camera centre in world metres."""
        return -self.rotation.T @ self.translation_m

    def to_cam(self, points_world_m: FloatArray) -> FloatArray:
        """``(..., 3)`` world metres -> ``(..., 3)`` camera metres (OpenCV axes)."""
        p = np.asarray(points_world_m, dtype=np.float64)
        return p @ self.rotation.T + self.translation_m

    def project(self, points_world_m: FloatArray) -> FloatArray:
        """``(..., 3)`` world metres -> ``(..., 2)`` pixels (x right, y down)."""
        c = self.to_cam(points_world_m)
        z = c[..., 2]
        return np.stack(
            [self.fx_px * c[..., 0] / z + self.cx_px, self.fy_px * c[..., 1] / z + self.cy_px],
            axis=-1,
        )

    def gl_pose(self) -> FloatArray:
        """``(4, 4)`` camera-to-world pose in OpenGL axes (pyrender: looks down -z, +y up)."""
        flip = np.diag([1.0, -1.0, -1.0])
        pose = np.eye(4)
        pose[:3, :3] = self.rotation.T @ flip
        pose[:3, 3] = self.position_m
        return pose

    def yfov_rad(self) -> float:
        """Vertical field of view in radians."""
        return 2.0 * math.atan(self.image_wh[1] / (2.0 * self.fy_px))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON dict (lists, floats)."""
        d = asdict(self)
        d["image_wh"] = list(self.image_wh)
        d["r_world_to_cam"] = [list(r) for r in self.r_world_to_cam]
        d["t_world_to_cam_m"] = list(self.t_world_to_cam_m)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Camera:
        """Inverse of :meth:`to_json`."""
        return cls(
            image_wh=(int(d["image_wh"][0]), int(d["image_wh"][1])),
            fx_px=float(d["fx_px"]),
            fy_px=float(d["fy_px"]),
            cx_px=float(d["cx_px"]),
            cy_px=float(d["cy_px"]),
            r_world_to_cam=tuple(tuple(float(v) for v in r) for r in d["r_world_to_cam"]),  # type: ignore[misc]
            t_world_to_cam_m=tuple(float(v) for v in d["t_world_to_cam_m"]),  # type: ignore[arg-type]
            azimuth_deg=float(d.get("azimuth_deg", 0.0)),
            elevation_deg=float(d.get("elevation_deg", 0.0)),
            distance_m=float(d.get("distance_m", 0.0)),
        )


def look_at(
    eye_m: FloatArray, target_m: FloatArray, up: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """World -> camera ``(R (3, 3), t (3,))`` for a camera at ``eye_m`` looking at
    ``target_m`` with world ``up`` (default +Z) drawn upward in the picture."""
    eye = np.asarray(eye_m, dtype=np.float64)
    fwd = np.asarray(target_m, dtype=np.float64) - eye
    fwd /= np.linalg.norm(fwd)
    up_v = np.array([0.0, 0.0, 1.0]) if up is None else np.asarray(up, dtype=np.float64)
    right = np.cross(fwd, up_v)
    if np.linalg.norm(right) < 1e-9:  # looking straight down/up: any right will do
        right = np.cross(fwd, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    r = np.stack([right, down, fwd])
    return r, -r @ eye


def orbit_camera(
    target_m: FloatArray,
    *,
    azimuth_deg: float,
    elevation_deg: float,
    distance_m: float,
    image_wh: tuple[int, int] = (640, 480),
    vfov_deg: float = 50.0,
) -> Camera:
    """A camera on a sphere around ``target_m``, looking at it.

    ``azimuth_deg`` 0 puts the camera in front of the body (on its -Y side, looking
    along +Y); +90 on the body's left (+X), -90 on its right, 180 behind it.
    ``elevation_deg`` raises it above the target (positive looks down).
    """
    az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
    offset = distance_m * np.array(
        [math.sin(az) * math.cos(el), -math.cos(az) * math.cos(el), math.sin(el)]
    )
    target = np.asarray(target_m, dtype=np.float64)
    r, t = look_at(target + offset, target)
    f = image_wh[1] / (2.0 * math.tan(math.radians(vfov_deg) / 2.0))
    return Camera(
        image_wh=image_wh,
        fx_px=f,
        fy_px=f,
        cx_px=image_wh[0] / 2.0,
        cy_px=image_wh[1] / 2.0,
        r_world_to_cam=tuple(tuple(float(v) for v in row) for row in r),  # type: ignore[misc]
        t_world_to_cam_m=tuple(float(v) for v in t),  # type: ignore[arg-type]
        azimuth_deg=azimuth_deg,
        elevation_deg=elevation_deg,
        distance_m=distance_m,
    )
