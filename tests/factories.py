"""Synthetic bodies for unit tests: a 3D stick figure posed by hand and photographed by an
orthographic camera, so every expected value can be derived on paper.

Body frame (metres): x = the body's LEFT, y = up, z = the body's FRONT; the floor is
y = 0. The camera looks at the body's front when ``yaw_deg = 0``; ``yaw_deg = 90`` shows the
body's left side. In the picture of a body facing the camera, its left is on the image
right.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import N_LANDMARKS, Landmarks
from posecheck.landmarks import Landmark as L

FloatArray = NDArray[np.float64]

HIP_HALF_WIDTH = 0.10
SHOULDER_HALF_WIDTH = 0.20
HIP_Y = 0.90
KNEE_Y = 0.49  # midway: straight legs
ANKLE_Y = 0.08
SHOULDER_Y = 1.45


def standing_body() -> FloatArray:
    """``(33, 3)`` a person standing tall, feet under the hips, arms by the sides."""
    p = np.zeros((N_LANDMARKS, 3))

    def put(lm: L, x: float, y: float, z: float = 0.0) -> None:
        p[lm] = (x, y, z)

    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        put(L[f"{side}_SHOULDER"], s * SHOULDER_HALF_WIDTH, SHOULDER_Y)
        put(L[f"{side}_ELBOW"], s * 0.22, 1.17)
        put(L[f"{side}_WRIST"], s * 0.23, 0.92)
        put(L[f"{side}_PINKY"], s * 0.24, 0.84)
        put(L[f"{side}_INDEX"], s * 0.23, 0.83, 0.02)
        put(L[f"{side}_THUMB"], s * 0.22, 0.86, 0.03)
        put(L[f"{side}_HIP"], s * HIP_HALF_WIDTH, HIP_Y)
        put(L[f"{side}_KNEE"], s * HIP_HALF_WIDTH, KNEE_Y)
        put(L[f"{side}_ANKLE"], s * HIP_HALF_WIDTH, ANKLE_Y)
        put(L[f"{side}_HEEL"], s * HIP_HALF_WIDTH, 0.02, -0.05)
        put(L[f"{side}_FOOT_INDEX"], s * HIP_HALF_WIDTH, 0.0, 0.17)
        put(L[f"{side}_EAR"], s * 0.07, 1.60, -0.02)
        put(L[f"{side}_EYE"], s * 0.03, 1.63, 0.08)
        put(L[f"{side}_EYE_INNER"], s * 0.015, 1.63, 0.08)
        put(L[f"{side}_EYE_OUTER"], s * 0.045, 1.63, 0.07)
        put(L[f"MOUTH_{side}"], s * 0.025, 1.55, 0.08)
    put(L.NOSE, 0.0, 1.59, 0.11)
    return p


def camera_view(
    body: FloatArray,
    yaw_deg: float = 0.0,
    image_wh: tuple[int, int] = (640, 480),
    px_per_m: float = 220.0,
    visibility: FloatArray | None = None,
) -> Landmarks:
    """Photograph ``body`` (``(33, 3)`` body frame) with an orthographic, level camera.

    Args:
        yaw_deg: how far the camera has walked around to the body's left (0 = front).
        image_wh: picture size in pixels; the figure's floor sits at 90 % of the height.
        px_per_m: scale of the picture.
    Returns:
        Landmarks with normalised xy and MediaPipe-style world coordinates (hip-centred,
        x right, y down, z away from the camera).
    """
    t = np.radians(yaw_deg)
    # Camera axes in the body frame: image-right and the direction toward the camera.
    right = np.array([np.cos(t), 0.0, np.sin(t)])
    toward = np.array([-np.sin(t), 0.0, np.cos(t)])
    w, h = image_wh
    x_px = w / 2 + px_per_m * body @ right
    y_px = 0.9 * h - px_per_m * body[:, 1]
    xy = np.stack([x_px / w, y_px / h], axis=-1)
    hips = (body[L.LEFT_HIP] + body[L.RIGHT_HIP]) / 2
    centred = body - hips
    world = np.stack([centred @ right, -centred[:, 1], -(centred @ toward)], axis=-1)
    vis = np.ones(N_LANDMARKS) if visibility is None else visibility
    return Landmarks(xy=xy, visibility=vis, image_wh=image_wh, world=world)


def displace_knee(body: FloatArray, side: str, fppa_deg: float) -> FloatArray:
    """Move one knee toward the midline (positive) or away (negative) in the frontal
    plane so that thigh and shank meet at ``fppa_deg``: with the hip straight above the
    ankle a height ``h`` apart, the knee sits ``(h / 2) * tan(fppa / 2)`` off the line."""
    out = body.copy()
    hip, knee, ankle = (L[f"{side.upper()}_{j}"] for j in ("HIP", "KNEE", "ANKLE"))
    h = out[hip, 1] - out[ankle, 1]
    out[knee, 1] = (out[hip, 1] + out[ankle, 1]) / 2
    toward_midline = -1.0 if side == "left" else 1.0  # left leg: midline is at -x
    out[knee, 0] = out[hip, 0] + toward_midline * (h / 2) * np.tan(np.radians(fppa_deg) / 2)
    return out


def swing_thigh(body: FloatArray, side: str, angle_deg: float) -> FloatArray:
    """Rotate one whole leg about its hip in the sagittal plane: positive swings it
    backward (hip extension), negative forward (flexion)."""
    out = body.copy()
    s = side.upper()
    hip = out[L[f"{s}_HIP"]].copy()
    t = np.radians(angle_deg)
    # Rotation about the body's x axis taking "down" (-y) toward "back" (-z) for t > 0.
    rot = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
        out[L[f"{s}_{j}"]] = hip + rot @ (out[L[f"{s}_{j}"]] - hip)
    return out


def lean_trunk(body: FloatArray, angle_deg: float) -> FloatArray:
    """Tip everything above the hips forward (positive) about the mid-hip point."""
    out = body.copy()
    hips = (out[L.LEFT_HIP] + out[L.RIGHT_HIP]) / 2
    t = np.radians(angle_deg)
    # Rotation about the body's x axis taking "up" (+y) toward "front" (+z) for t > 0.
    rot = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    for i in range(L.LEFT_HIP):  # face, shoulders and arms come before the hips
        out[i] = hips + rot @ (out[i] - hips)
    return out


def raise_hip(body: FloatArray, side: str, dy_m: float) -> FloatArray:
    """Lift one hip landmark by ``dy_m`` metres (pelvic obliquity)."""
    out = body.copy()
    out[L[f"{side.upper()}_HIP"], 1] += dy_m
    return out


def lift_foot(body: FloatArray, side: str, dy_m: float) -> FloatArray:
    """Lift one foot (ankle, heel, toes) off the floor by ``dy_m`` metres."""
    out = body.copy()
    s = side.upper()
    for j in ("ANKLE", "HEEL", "FOOT_INDEX"):
        out[L[f"{s}_{j}"], 1] += dy_m
    return out


def shift_feet(body: FloatArray, dx_m: float) -> FloatArray:
    """Spread (positive) or narrow the stance: each foot moves ``dx_m`` outward."""
    out = body.copy()
    for side, s in (("LEFT", 1.0), ("RIGHT", -1.0)):
        for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
            out[L[f"{side}_{j}"], 0] += s * dx_m * (0.5 if j == "KNEE" else 1.0)
    return out


#: A person standing facing the camera, normalised image coordinates (x right, y down).
#: Facing the camera, the body's left is on the screen's right. The left knee caves in
#: toward the midline (valgus); the right leg is straight.
STANDING_FACING_XY: dict[L, tuple[float, float]] = {
    L.NOSE: (0.500, 0.150),
    L.LEFT_EYE_INNER: (0.506, 0.138),
    L.LEFT_EYE: (0.512, 0.137),
    L.LEFT_EYE_OUTER: (0.518, 0.138),
    L.RIGHT_EYE_INNER: (0.494, 0.138),
    L.RIGHT_EYE: (0.488, 0.137),
    L.RIGHT_EYE_OUTER: (0.482, 0.138),
    L.LEFT_EAR: (0.528, 0.150),
    L.RIGHT_EAR: (0.472, 0.150),
    L.MOUTH_LEFT: (0.508, 0.178),
    L.MOUTH_RIGHT: (0.492, 0.178),
    L.LEFT_SHOULDER: (0.565, 0.270),
    L.RIGHT_SHOULDER: (0.435, 0.270),
    L.LEFT_ELBOW: (0.590, 0.400),
    L.RIGHT_ELBOW: (0.410, 0.400),
    L.LEFT_WRIST: (0.600, 0.520),
    L.RIGHT_WRIST: (0.400, 0.520),
    L.LEFT_PINKY: (0.604, 0.545),
    L.RIGHT_PINKY: (0.396, 0.545),
    L.LEFT_INDEX: (0.600, 0.550),
    L.RIGHT_INDEX: (0.400, 0.550),
    L.LEFT_THUMB: (0.594, 0.540),
    L.RIGHT_THUMB: (0.406, 0.540),
    L.LEFT_HIP: (0.538, 0.550),
    L.RIGHT_HIP: (0.462, 0.550),
    L.LEFT_KNEE: (0.518, 0.720),
    L.RIGHT_KNEE: (0.465, 0.720),
    L.LEFT_ANKLE: (0.545, 0.885),
    L.RIGHT_ANKLE: (0.462, 0.885),
    L.LEFT_HEEL: (0.543, 0.910),
    L.RIGHT_HEEL: (0.464, 0.910),
    L.LEFT_FOOT_INDEX: (0.560, 0.930),
    L.RIGHT_FOOT_INDEX: (0.447, 0.930),
}
