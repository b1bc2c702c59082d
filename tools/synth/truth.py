"""True value of every posecheck metric, from true 3D landmarks and the camera.

Pure numpy, written from the metric definitions (the README's metric table and the
docstrings of ``posecheck.measure.geometry``), never from its code: it imports only the metric
*names* (``posecheck.measure.geometry.METRIC_UNITS``) and the landmark indices
(``posecheck.landmarks.Landmark``). It is what a perfect landmark detector would let
posecheck say, so ``measured - true`` is posecheck's error on a rendered clip.

Frames (see ``tools/synth/README.md``):

* **world**: the body's, metres, +Z up, floor z = 0, -Y the body's front in the rest
  pose, +X its left. Landmarks ``(T, 33, 3)`` in MediaPipe's order.
* **camera**: OpenCV (x right, y down, z forward), metres; ``Camera.to_cam``.
* **pixels**: x right, y down; ``Camera.project`` (pinhole, no lens distortion).

Two kinds of truth:

* **image-plane** metrics apply posecheck's 2D definition to the *projected true*
  landmarks (pixels). Their truth depends on the camera, as posecheck's reading does.
* **3D** metrics are the physical quantity, measured in the world (or, for the angles
  out of the image plane, in camera metres). posecheck estimates these from the picture;
  the truth is what it tries to estimate.

Sides are the body's own. "Toward the midline" is geometric: a knee is displaced toward
the midline when, in the picture, it lies on the same side of its own hip->ankle line as
the body's TRUE mid-hip point (projected). Where the picture gives the midline no side
(the projected mid-hip lies within :data:`MIN_MIDLINE_SIDE_FRACTION` of the true half hip
width of that line, e.g. hips stacked toward the camera), the signed knee metrics are
undefined. "Leg length (image)" is the longer of the two legs' projected hip-knee-ankle
paths; "leg length (true)" the longer of the two 3D paths.

========================== ====== =============================================================
metric                     kind   truth definition
========================== ====== =============================================================
knee_valgus_{s}_deg        image  FPPA: angle between hip->knee and knee->ankle (0 = straight),
                                  + when the knee lies on the true midline's side of the
                                  hip->ankle line (valgus), - on the other (varus).
knee_medial_disp_{s}_pct   image  knee's distance from the hip->ankle line, signed as the FPPA,
                                  % of that leg's image hip-knee-ankle path.
knee_ankle_gap_ratio       image  |knee_L - knee_R| / |ankle_L - ankle_R|; None when the ankles
                                  are under :data:`MIN_ANKLE_GAP_LEGS` image leg lengths apart.
knee_angle_{s}_deg         image  interior hip-knee-ankle angle (180 = straight).
pelvic_obliquity_deg       3D     tilt of the hip line against the floor plane,
                                  ``asin(dz / |hip_L - hip_R|)``; + when the LEFT hip is higher.
hip_height_diff_pct        3D     ``100 dz / |hip_L - hip_R|`` (+ = left higher).
pelvis_rotation_deg        3D cam hip line's angle out of the image plane (camera x-y),
                                  ``atan(|dz_cam| / hypot(dx_cam, dy_cam))``, in [0, 90].
hip_extension_{s}_deg      image  angle of the thigh (hip->knee) against the trunk line
                                  (mid-shoulder->hip), + behind it (extension), - in front.
                                  Front = the TRUE pelvis front ``(hip_L - hip_R) x (mid-shoulder
                                  - mid-hip)`` projected at the hip; None when that projection
                                  has less than :data:`MIN_FRONT_SIDE_FRACTION` of its length
                                  across the trunk line (body facing the camera).
weight_{s}_pct             3D     lever rule on the floor: both feet grounded -> the share of the
                                  COM's floor point along the line from the other foot's centre
                                  to this one's, clipped to [0, 100]; one grounded foot -> 100 / 0;
                                  none -> None; None too when the grounded feet's centres are
                                  under :data:`MIN_FOOT_SEPARATION_M` apart.
com_offset_foot_lengths    3D     exactly one foot grounded: floor distance of the COM from its
                                  centre / its 3D heel->toe length; else None.
shin_angle_{s}_deg         image  knee->ankle from the image vertical, in [0, 90].
heel_lift_{s}_pct          image  heel height above the toes in the image (rows), % image leg.
foot_knee_gap_{s}_pct      image  named by the STANDING leg s: |row of the other foot's centre
                                  (mean of its heel and toe rows) - row of s's knee|, % image leg.
thigh_abduction_{s}_deg    image  angle between hip->knee and mid-shoulder->mid-hip, [0, 180].
thigh_out_of_plane_{s}_deg 3D cam angle of the true hip->knee out of the image plane, [0, 90].
hip_abduction_{s}_deg      3D     the thigh's angle from the pelvis's long axis in the pelvis's
                                  frontal plane (:func:`pelvis_axes`): ``atan2(thigh . out,
                                  thigh . caudal)``, 0 = along the long axis (standing), + out
                                  to the thigh's own side, - across the midline, (-180, 180].
                                  Half Moon's standing hip (trunk horizontal): ~90.
thigh_opening_{s}_deg      3D     the thigh's angle out of the pelvis's sagittal plane toward
                                  its own side: ``asin(unit(thigh) . out)``, [-90, 90]; 0 in
                                  the sagittal plane (forward, down or up), 90 straight out.
                                  Tree's lifted knee: falls as the knee swings forward or drops.
leg_elevation_{s}_deg      image  hip->ankle above the image horizontal, ``atan2(up, |dx|)``.
hand_under_shoulder_{s}_pct image |column of wrist - column of shoulder|, % image leg.
hip_angle_deg              image  mean of the two shoulder-hip-knee angles, degrees.
hips_square_deg            3D     seen from above (world x-y): hip line vs ankle line, folded to
                                  [0, 90]; None when either is under :data:`MIN_TOP_LINE_M`.
com_outside_support_pct    3D     floor distance of the COM from the support polygon (convex hull
                                  of grounded feet and hands; 0 inside), % true leg length.
                                  A foot is its heel->toe strip widened to
                                  :data:`FOOT_BREADTH_PER_LENGTH` of its length; a hand, the hull
                                  of its wrist, index, pinky and thumb points. Other body contacts
                                  (Bridge's shoulders) are not counted, as in posecheck's
                                  definition. None with nothing grounded.
torso_yaw_deg              3D cam mean of the shoulder line's and hip line's angles out of the
                                  image plane (as ``pelvis_rotation_deg``), [0, 90].
trunk_tilt_deg             3D     angle of mid-hip -> mid-shoulder from world up (+Z), [0, 180]:
                                  0 upright, 90 lying.
feet_grounded              3D     number of grounded feet (0, 1, 2).
========================== ====== =============================================================

A foot (hand) is **grounded** when its lowest sole point (ankle, heel, foot index; for a
hand wrist, index, pinky, thumb) is at most :data:`GROUND_TOLERANCE_M` above the floor z = 0
(below it counts: a foot a little into the floor still stands on it).
A foot's **centre** is the mean of its ankle, heel and foot-index floor points. The
**COM** is the mesh volume centroid when the renderer gives it (``com_world_m``), else
:func:`segment_com` (de Leva 1996). Image-plane metrics are None only where their
definition degenerates (a zero-length image vector, or the sign conditions above).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import Landmark as L
from posecheck.measure.geometry import METRIC_UNITS
from tools.synth.camera import Camera

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: A foot or hand touches the floor when its lowest point is this close to z = 0 (metres).
GROUND_TOLERANCE_M = 0.03
#: Grounded feet whose centres are closer than this (metres) give no lever-rule split.
MIN_FOOT_SEPARATION_M = 0.05
#: Ankles closer than this many image leg lengths give no knee/ankle gap ratio.
MIN_ANKLE_GAP_LEGS = 0.05
#: The projected true mid-hip must lie at least this fraction of the true half hip width
#: (in pixels at the hip's depth) off a leg's hip->ankle line for "toward the midline".
MIN_MIDLINE_SIDE_FRACTION = 0.25
#: The projected true pelvis front must have at least this fraction of its true length
#: (in pixels at the hip's depth) across the trunk line to sign the hip extension.
MIN_FRONT_SIDE_FRACTION = 0.25
#: Shorter horizontal hip or ankle lines (metres, seen from above) give no hips-square.
MIN_TOP_LINE_M = 0.02
#: Foot breadth over foot length (adult feet ~0.37-0.40; e.g. Jurca et al. 2019).
FOOT_BREADTH_PER_LENGTH = 0.38
#: Image vectors shorter than this (pixels) are degenerate.
_EPS_PX = 1e-6

#: de Leva (1996), Table 4, male: segment -> (proximal points, distal points, mass
#: fraction, COM from proximal as a fraction of proximal->distal). Landmark proxies: the
#: head's COM at the mid-ear point (distal = proximal), C7 at the mid-shoulder, the hip
#: joint centres at the hip landmarks, MET3 at the mean of index and pinky. Sums to 1.
DE_LEVA_SEGMENTS: tuple[tuple[tuple[int, ...], tuple[int, ...], float, float], ...] = (
    ((L.LEFT_EAR, L.RIGHT_EAR), (L.LEFT_EAR, L.RIGHT_EAR), 0.0694, 0.0),
    ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP), 0.4346, 0.4486),
    *(
        seg
        for s in ("LEFT", "RIGHT")
        for seg in (
            ((L[f"{s}_SHOULDER"],), (L[f"{s}_ELBOW"],), 0.0271, 0.5772),
            ((L[f"{s}_ELBOW"],), (L[f"{s}_WRIST"],), 0.0162, 0.4574),
            ((L[f"{s}_WRIST"],), (L[f"{s}_INDEX"], L[f"{s}_PINKY"]), 0.0061, 0.7900),
            ((L[f"{s}_HIP"],), (L[f"{s}_KNEE"],), 0.1416, 0.4095),
            ((L[f"{s}_KNEE"],), (L[f"{s}_ANKLE"],), 0.0433, 0.4459),
            ((L[f"{s}_HEEL"],), (L[f"{s}_FOOT_INDEX"],), 0.0137, 0.4415),
        )
    ),
)

_SIDES = ("left", "right")


def _j(side: str, joint: str) -> int:
    return int(L[f"{side.upper()}_{joint}"])


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _foot_idx(side: str) -> list[int]:
    return [_j(side, "ANKLE"), _j(side, "HEEL"), _j(side, "FOOT_INDEX")]


def _hand_idx(side: str) -> list[int]:
    return [_j(side, "WRIST"), _j(side, "INDEX"), _j(side, "PINKY"), _j(side, "THUMB")]


# ------------------------------------------------------------------------------ helpers


def _norm(v: FloatArray) -> FloatArray:
    return np.asarray(np.linalg.norm(v, axis=-1), dtype=np.float64)


def _cross2(a: FloatArray, b: FloatArray) -> FloatArray:
    """``(..., 2) x (..., 2) -> (...)``: z of the 2D cross product."""
    return np.asarray(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], dtype=np.float64)


def _angle_deg(u: FloatArray, v: FloatArray) -> FloatArray:
    """Unsigned angle between ``(..., d)`` vectors, degrees; NaN when either is ~0."""
    nu, nv = _norm(u), _norm(v)
    ok = (nu > _EPS_PX) & (nv > _EPS_PX)
    cos = np.sum(u * v, axis=-1) / np.where(ok, nu * nv, 1.0)
    return np.asarray(np.where(ok, np.degrees(np.arccos(np.clip(cos, -1, 1))), np.nan))


def _out_of_plane_deg(d_cam: FloatArray) -> FloatArray:
    """Angle of camera-frame vectors ``(..., 3)`` out of the image (x-y) plane, [0, 90]."""
    return np.asarray(
        np.degrees(np.arctan2(np.abs(d_cam[..., 2]), np.hypot(d_cam[..., 0], d_cam[..., 1])))
    )


def _px_per_m(camera: Camera, points_world_m: FloatArray) -> FloatArray:
    """``(...)`` pixels per metre for a small length parallel to the image plane at the
    depth of ``points_world_m`` ``(..., 3)``."""
    depth = camera.to_cam(points_world_m)[..., 2]
    return np.asarray(camera.fx_px / depth, dtype=np.float64)


def _leg_path(points: FloatArray) -> FloatArray:
    """``(T,)`` the longer hip-knee-ankle path of the two legs, in the points' units:
    projected ``(T, 33, 2)`` pixels or true ``(T, 33, 3)`` metres."""
    paths = [
        _norm(points[:, _j(s, "KNEE")] - points[:, _j(s, "HIP")])
        + _norm(points[:, _j(s, "ANKLE")] - points[:, _j(s, "KNEE")])
        for s in _SIDES
    ]
    return np.asarray(np.maximum(paths[0], paths[1]))


def _pct_of(value: FloatArray, scale: FloatArray) -> FloatArray:
    return np.asarray(
        np.where(scale > _EPS_PX, 100.0 * value / np.where(scale > 0, scale, 1), np.nan)
    )


# ------------------------------------------------------------------------------ 3D body


def segment_com(world_m: FloatArray) -> FloatArray:
    """Whole-body centre of mass from :data:`DE_LEVA_SEGMENTS`.

    Args:
        world_m: ``(..., 33, 3)`` world metres.
    Returns:
        ``(..., 3)`` world metres.
    """
    total = np.zeros(world_m.shape[:-2] + (3,))
    mass = 0.0
    for proximal, distal, fraction, along in DE_LEVA_SEGMENTS:
        p = world_m[..., list(proximal), :].mean(axis=-2)
        d = world_m[..., list(distal), :].mean(axis=-2)
        total = total + fraction * (p + along * (d - p))
        mass += fraction
    return np.asarray(total / mass, dtype=np.float64)


def pelvis_axes(world_m: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
    """The pelvis's frame at hip ``side``, from the true joints, world metres.

    Args:
        world_m: ``(T, 33, 3)`` world metres.
        side: ``"left"`` or ``"right"``.
    Returns:
        ``(out, caudal)``, each ``(T, 3)`` unit vectors: ``out`` from the other hip to
        this one (the pelvis's lateral axis, pointing to ``side``'s outside); ``caudal``
        the pelvis's long axis toward the feet: the trunk line (mid-hip -> mid-shoulder)
        made perpendicular to ``out`` and reversed. The two span the pelvis's frontal
        plane; ``out`` is the normal of its sagittal plane.
    """
    hip = world_m[:, _j(side, "HIP")]
    out = hip - world_m[:, _j(_other(side), "HIP")]
    out = out / np.maximum(_norm(out), 1e-12)[:, None]
    mid_hip = (world_m[:, L.LEFT_HIP] + world_m[:, L.RIGHT_HIP]) / 2.0
    mid_sh = (world_m[:, L.LEFT_SHOULDER] + world_m[:, L.RIGHT_SHOULDER]) / 2.0
    up = mid_sh - mid_hip
    up = up - np.sum(up * out, axis=-1, keepdims=True) * out
    caudal = -up / np.maximum(_norm(up), 1e-12)[:, None]
    return np.asarray(out, dtype=np.float64), np.asarray(caudal, dtype=np.float64)


def grounded(world_m: FloatArray) -> dict[str, BoolArray]:
    """Which feet and hands touch the floor (z = 0).

    Args:
        world_m: ``(T, 33, 3)`` world metres.
    Returns:
        ``{"left_foot", "right_foot", "left_hand", "right_hand"}`` -> ``(T,)`` bool: the
        lowest of the contact's points at most :data:`GROUND_TOLERANCE_M` above z = 0
        (or below it).
    """
    out: dict[str, BoolArray] = {}
    for side in _SIDES:
        for kind, idx in (("foot", _foot_idx(side)), ("hand", _hand_idx(side))):
            low = np.min(world_m[:, idx, 2], axis=-1)
            out[f"{side}_{kind}"] = np.asarray(low <= GROUND_TOLERANCE_M)
    return out


def foot_centre_xy(world_m: FloatArray, side: str) -> FloatArray:
    """``(T, 2)`` a foot's centre on the floor: mean of ankle, heel, foot index (x, y)."""
    return np.asarray(world_m[:, _foot_idx(side), :2].mean(axis=1), dtype=np.float64)


def _hull_2d(points: FloatArray) -> FloatArray:
    """Convex hull ``(k, 2)`` of ``(n, 2)`` points, counter-clockwise (Andrew's monotone
    chain); fewer than 3 distinct points come back as they are (a point or a segment)."""
    pts = sorted({(float(x), float(y)) for x, y in points})
    if len(pts) <= 2:
        return np.asarray(pts, dtype=np.float64).reshape(-1, 2)

    def half(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        chain: list[tuple[float, float]] = []
        for p in seq:
            while len(chain) >= 2:
                (ax, ay), (bx, by) = chain[-2], chain[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 1e-12:
                    break
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(pts), half(pts[::-1])
    return np.asarray(lower[:-1] + upper[:-1], dtype=np.float64)


def _distance_to_polygon(q: FloatArray, hull: FloatArray) -> float:
    """Distance of point ``q`` ``(2,)`` from convex polygon ``hull`` ``(k, 2)`` (CCW), 0
    inside; a 1- or 2-point hull is a point or a segment."""
    if len(hull) >= 3:
        edges = np.roll(hull, -1, axis=0) - hull
        if np.all(_cross2(edges, q - hull) >= 0.0):
            return 0.0
    a = hull
    b = np.roll(hull, -1, axis=0) if len(hull) > 1 else hull
    ab = b - a
    len2 = np.sum(ab * ab, axis=-1)
    t = np.clip(np.sum((q - a) * ab, axis=-1) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
    return float(np.min(_norm(a + t[:, None] * ab - q)))


def _foot_outline_xy(world_m: FloatArray, side: str) -> FloatArray:
    """``(4, 2)`` floor rectangle of one frame's foot ``(33, 3)``: the heel->toe strip
    widened to :data:`FOOT_BREADTH_PER_LENGTH` of its length, plus nothing else."""
    heel = world_m[_j(side, "HEEL"), :2]
    toe = world_m[_j(side, "FOOT_INDEX"), :2]
    along = toe - heel
    length = float(np.linalg.norm(along))
    if length < 1e-9:
        return np.asarray(world_m[_foot_idx(side), :2], dtype=np.float64)
    across = np.array([-along[1], along[0]]) / length * (FOOT_BREADTH_PER_LENGTH * length / 2)
    return np.stack([heel + across, heel - across, toe + across, toe - across])


# ------------------------------------------------------------------------------ metrics


def stored_inputs(truth: Mapping[str, Any]) -> tuple[FloatArray, Camera, FloatArray | None]:
    """What :func:`true_metrics` needs, from a parsed truth file (``tools/synth/README.md``):
    the landmarks ``(T, 33, 3)`` world metres, the camera, and the mesh COM ``(T, 3)`` (None
    when any frame lacks it)."""
    frames = truth["frames"]
    world = np.array([f["landmarks_world_m"] for f in frames], dtype=np.float64)
    com = (
        np.array([f["com_world_m"] for f in frames], dtype=np.float64)
        if all(f.get("com_world_m") is not None for f in frames)
        else None
    )
    return world, Camera.from_json(truth["camera"]), com


def true_metrics(
    landmarks_world_m: FloatArray,
    camera: Camera,
    com_world_m: FloatArray | None = None,
) -> dict[str, list[float | None]]:
    """The true value, per frame, of every metric in ``posecheck.measure.geometry.METRIC_UNITS``.

    Args:
        landmarks_world_m: ``(T, 33, 3)`` true landmarks, world metres (MediaPipe order).
        camera: the camera that filmed them.
        com_world_m: ``(T, 3)`` true centre of mass (world metres), or None to use
            :func:`segment_com`.
    Returns:
        metric name -> ``T`` values (units as in ``METRIC_UNITS``), None where undefined;
        in ``METRIC_UNITS`` order. See the module docstring for each definition.
    """
    world = np.asarray(landmarks_world_m, dtype=np.float64)
    if world.ndim != 3 or world.shape[1:] != (33, 3):
        raise ValueError(f"landmarks_world_m must be (T, 33, 3), got {world.shape}")
    n = world.shape[0]
    com = segment_com(world) if com_world_m is None else np.asarray(com_world_m, np.float64)
    if com.shape != (n, 3):
        raise ValueError(f"com_world_m must be ({n}, 3), got {com.shape}")
    px = camera.project(world)  # (T, 33, 2)
    rot = camera.rotation
    leg_px = _leg_path(px)
    out: dict[str, FloatArray] = {}

    def p(i: int) -> FloatArray:
        return np.asarray(px[:, i, :])

    mid_hip_w = (world[:, L.LEFT_HIP] + world[:, L.RIGHT_HIP]) / 2.0
    mid_sh_w = (world[:, L.LEFT_SHOULDER] + world[:, L.RIGHT_SHOULDER]) / 2.0
    mid_hip_px, mid_sh_px = camera.project(mid_hip_w), camera.project(mid_sh_w)
    hip_scale = _px_per_m(camera, mid_hip_w)  # (T,) px per metre at the hips
    half_hip_w = _norm(world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP]) / 2.0

    # --- knees toward the midline (FPPA, medial displacement)
    for s in _SIDES:
        hip, knee, ankle = p(_j(s, "HIP")), p(_j(s, "KNEE")), p(_j(s, "ANKLE"))
        axis = ankle - hip
        axis_len = _norm(axis)
        safe = np.where(axis_len > _EPS_PX, axis_len, 1.0)
        knee_off = _cross2(axis, knee - hip) / safe  # signed distance from hip->ankle line
        mid_off = _cross2(axis, mid_hip_px - hip) / safe
        has_side = (np.abs(mid_off) >= MIN_MIDLINE_SIDE_FRACTION * half_hip_w * hip_scale) & (
            axis_len > _EPS_PX
        )
        sign = np.sign(knee_off) * np.sign(mid_off)
        sign = np.where(sign == 0, 1.0, sign)  # knee on the line: FPPA is 0 anyway
        fppa = sign * _angle_deg(knee - hip, ankle - knee)
        path = _norm(knee - hip) + _norm(ankle - knee)
        disp = _pct_of(np.abs(knee_off) * sign, path)
        out[f"knee_valgus_{s}_deg"] = np.where(has_side, fppa, np.nan)
        out[f"knee_medial_disp_{s}_pct"] = np.where(has_side, disp, np.nan)

    # --- knee/ankle gap ratio
    knee_gap = _norm(p(L.LEFT_KNEE) - p(L.RIGHT_KNEE))
    ankle_gap = _norm(p(L.LEFT_ANKLE) - p(L.RIGHT_ANKLE))
    apart = (ankle_gap >= MIN_ANKLE_GAP_LEGS * leg_px) & (ankle_gap > _EPS_PX)
    out["knee_ankle_gap_ratio"] = np.where(apart, knee_gap / np.where(apart, ankle_gap, 1), np.nan)

    for s in _SIDES:
        hip, knee, ankle = p(_j(s, "HIP")), p(_j(s, "KNEE")), p(_j(s, "ANKLE"))
        out[f"knee_angle_{s}_deg"] = _angle_deg(hip - knee, ankle - knee)

    # --- pelvis (3D)
    hip_line = world[:, L.LEFT_HIP] - world[:, L.RIGHT_HIP]
    hip_len = _norm(hip_line)
    rise = np.where(hip_len > 0, hip_line[:, 2] / np.where(hip_len > 0, hip_len, 1), np.nan)
    out["pelvic_obliquity_deg"] = np.degrees(np.arcsin(np.clip(rise, -1, 1)))
    out["hip_height_diff_pct"] = 100.0 * rise
    hip_cam = hip_line @ rot.T
    sh_cam = (world[:, L.LEFT_SHOULDER] - world[:, L.RIGHT_SHOULDER]) @ rot.T
    out["pelvis_rotation_deg"] = _out_of_plane_deg(hip_cam)

    # --- hip extension (image, signed by the true pelvis front)
    front_w = np.cross(hip_line, mid_sh_w - mid_hip_w)
    front_w = front_w / np.maximum(_norm(front_w), 1e-12)[:, None]
    probe_m = 0.1
    for s in _SIDES:
        hip_w = world[:, _j(s, "HIP")]
        hip, knee = p(_j(s, "HIP")), p(_j(s, "KNEE"))
        front = camera.project(hip_w + probe_m * front_w) - hip
        trunk = hip - mid_sh_px
        trunk_len = _norm(trunk)
        across = np.abs(_cross2(trunk, front)) / np.where(trunk_len > 0, trunk_len, 1.0)
        signed = (across >= MIN_FRONT_SIDE_FRACTION * probe_m * _px_per_m(camera, hip_w)) & (
            trunk_len > _EPS_PX
        )
        thigh = knee - hip
        magnitude = _angle_deg(trunk, thigh)
        toward_front = np.sign(_cross2(trunk, thigh)) * np.sign(_cross2(trunk, front)) > 0
        out[f"hip_extension_{s}_deg"] = np.where(
            signed, np.where(toward_front, -magnitude, magnitude), np.nan
        )

    # --- balance (3D)
    contacts = grounded(world)
    gl, gr = contacts["left_foot"], contacts["right_foot"]
    com_xy = com[:, :2]
    cl, cr = foot_centre_xy(world, "left"), foot_centre_xy(world, "right")
    line = cl - cr
    sep = _norm(line)
    lever = np.clip(
        np.sum((com_xy - cr) * line, axis=-1) / np.where(sep > 0, sep * sep, 1.0), 0.0, 1.0
    )
    left = np.where(gl & gr, lever, np.where(gl, 1.0, 0.0))
    ok = (gl | gr) & ~(gl & gr & (sep < MIN_FOOT_SEPARATION_M))
    out["weight_left_pct"] = np.where(ok, 100.0 * left, np.nan)
    out["weight_right_pct"] = np.where(ok, 100.0 * (1.0 - left), np.nan)

    foot_len = {s: _norm(world[:, _j(s, "FOOT_INDEX")] - world[:, _j(s, "HEEL")]) for s in _SIDES}
    one = gl != gr
    centre = np.where(gl[:, None], cl, cr)
    length = np.where(gl, foot_len["left"], foot_len["right"])
    out["com_offset_foot_lengths"] = np.where(
        one & (length > 0), _norm(com_xy - centre) / np.where(length > 0, length, 1), np.nan
    )

    # --- limb shapes (image)
    for s in _SIDES:
        knee, ankle = p(_j(s, "KNEE")), p(_j(s, "ANKLE"))
        shin = ankle - knee
        out[f"shin_angle_{s}_deg"] = np.where(
            _norm(shin) > _EPS_PX,
            np.degrees(np.arctan2(np.abs(shin[:, 0]), np.abs(shin[:, 1]))),
            np.nan,
        )
        heel, toe = p(_j(s, "HEEL")), p(_j(s, "FOOT_INDEX"))
        out[f"heel_lift_{s}_pct"] = _pct_of(toe[:, 1] - heel[:, 1], leg_px)  # rows grow down
        other_foot_row = (p(_j(_other(s), "HEEL"))[:, 1] + p(_j(_other(s), "FOOT_INDEX"))[:, 1]) / 2
        out[f"foot_knee_gap_{s}_pct"] = _pct_of(np.abs(other_foot_row - knee[:, 1]), leg_px)
        hip = p(_j(s, "HIP"))
        out[f"thigh_abduction_{s}_deg"] = _angle_deg(knee - hip, mid_hip_px - mid_sh_px)
        thigh_cam = (world[:, _j(s, "KNEE")] - world[:, _j(s, "HIP")]) @ rot.T
        out[f"thigh_out_of_plane_{s}_deg"] = _out_of_plane_deg(thigh_cam)
        lateral, caudal = pelvis_axes(world, s)
        thigh_w = world[:, _j(s, "KNEE")] - world[:, _j(s, "HIP")]
        along_out = np.sum(thigh_w * lateral, axis=-1)
        out[f"hip_abduction_{s}_deg"] = np.degrees(
            np.arctan2(along_out, np.sum(thigh_w * caudal, axis=-1))
        )
        thigh_len = _norm(thigh_w)
        out[f"thigh_opening_{s}_deg"] = np.where(
            thigh_len > 0,
            np.degrees(
                np.arcsin(np.clip(along_out / np.where(thigh_len > 0, thigh_len, 1), -1, 1))
            ),
            np.nan,
        )
        d = ankle - hip
        out[f"leg_elevation_{s}_deg"] = np.where(
            _norm(d) > _EPS_PX, np.degrees(np.arctan2(-d[:, 1], np.abs(d[:, 0]))), np.nan
        )
        wrist, shoulder = p(_j(s, "WRIST")), p(_j(s, "SHOULDER"))
        out[f"hand_under_shoulder_{s}_pct"] = _pct_of(np.abs(wrist[:, 0] - shoulder[:, 0]), leg_px)
    out["hip_angle_deg"] = np.mean(
        [
            _angle_deg(p(_j(s, "SHOULDER")) - p(_j(s, "HIP")), p(_j(s, "KNEE")) - p(_j(s, "HIP")))
            for s in _SIDES
        ],
        axis=0,
    )

    # --- hips square (3D, from above)
    ankle_line = world[:, L.LEFT_ANKLE, :2] - world[:, L.RIGHT_ANKLE, :2]
    hips_top = hip_line[:, :2]
    a = _angle_deg(hips_top, ankle_line)
    square = np.minimum(a, 180.0 - a)
    long_enough = (_norm(hips_top) >= MIN_TOP_LINE_M) & (_norm(ankle_line) >= MIN_TOP_LINE_M)
    out["hips_square_deg"] = np.where(long_enough, square, np.nan)

    # --- COM outside the support polygon (3D)
    leg_m = _leg_path(world)
    outside = np.full(n, np.nan)
    for t in range(n):
        pts: list[FloatArray] = []
        for s in _SIDES:
            if contacts[f"{s}_foot"][t]:
                pts.append(_foot_outline_xy(world[t], s))
            if contacts[f"{s}_hand"][t]:
                pts.append(world[t, _hand_idx(s), :2])
        if pts:
            hull = _hull_2d(np.concatenate(pts))
            outside[t] = 100.0 * _distance_to_polygon(com_xy[t], hull) / leg_m[t]
    out["com_outside_support_pct"] = outside

    # --- view and contacts
    out["torso_yaw_deg"] = (_out_of_plane_deg(sh_cam) + _out_of_plane_deg(hip_cam)) / 2.0
    trunk_w = mid_sh_w - mid_hip_w
    out["trunk_tilt_deg"] = _angle_deg(trunk_w, np.broadcast_to([0.0, 0.0, 1.0], trunk_w.shape))
    out["feet_grounded"] = gl.astype(np.float64) + gr.astype(np.float64)

    missing = set(METRIC_UNITS) - set(out)
    if missing:  # pragma: no cover - a new posecheck metric needs a truth definition here
        raise KeyError(f"no truth definition for {sorted(missing)}")
    return {name: _as_list(out[name]) for name in METRIC_UNITS}


def _as_list(values: FloatArray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=np.float64)]
