"""Alignment measurements from landmarks: pure numpy, no I/O, vectorised over frames.

Every function takes arrays whose leading dimensions are free (``...``): one frame is
``(33, 2)``, a clip is ``(T, 33, 2)``; results have the leading shape ``(...)``.

Coordinate frames (see :mod:`posecheck.landmarks`):

* ``xy_px``: ``(..., 33, 2)`` **pixel** coordinates, x right, y down. Pixels are square,
  so angles and distance ratios are meaningful. (Never measure angles on the normalised
  coordinates: their x and y units differ by the aspect ratio.)
* ``world``: ``(..., 33, 3)`` MediaPipe world metres (hip-centred, camera-aligned axes).
  Used only for the camera view and for scale, never as the measurement itself: its depth
  is noisy (Cerfoglio & Cimolin 2025).

The camera is assumed level (image vertical = gravity). A value that the current view
cannot support is NaN with a reason string; a measurable value has reason ``""``.
Sides are the body's own (``left`` = MediaPipe's LEFT_* landmarks), and every sign below is
defined by the body, so it is the same in a mirrored picture.

Sources for definitions and numbers are given per function; docs/measurements.md has the overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import Landmark as L

FloatArray = NDArray[np.float64]
StrArray = NDArray[np.str_]
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")

#: Below this MediaPipe visibility a joint counts as not seen. Visibility stays ~0.99 for
#: many hidden joints, so this only catches the obvious cases.
MIN_VISIBILITY = 0.5

#: View classification by the torso's yaw against the image plane (degrees): below the
#: first the frontal plane faces the camera ("front", which includes seen from behind),
#: above the second the camera sees the side.
FRONT_MAX_YAW_DEG = 30.0
SIDE_MIN_YAW_DEG = 60.0

#: A foot is grounded when its lowest point is within this fraction of the leg length
#: of the floor (the lowest foot point) in the image, and within the world one in world
#: height; see :func:`grounded_contacts` for the measurements behind both.
GROUND_TOLERANCE = 0.15
WORLD_GROUND_TOLERANCE = 0.25

#: Feet closer than this fraction of the leg length along the image's horizontal axis
#: give no weight split. The lever rule divides the COM's offset by the feet's
#: separation, so the COM's error (a few % of body height, i.e. ~5 % of the leg length)
#: becomes +-20 % of weight share at this separation and worse below it. Seen on the
#: Pexels squat clip: hip-width feet (0.2 leg lengths) read 70-80 % on one foot.
MIN_FOOT_SEPARATION = 0.25

_LEG = {
    "left": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
    "right": (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
}
_FOOT = {
    "left": (L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    "right": (L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
}
_HAND = {
    "left": (L.LEFT_WRIST, L.LEFT_INDEX, L.LEFT_PINKY),
    "right": (L.RIGHT_WRIST, L.RIGHT_INDEX, L.RIGHT_PINKY),
}


@dataclass(frozen=True)
class Measure:
    """A measured quantity over the leading shape ``(...)``.

    Attributes:
        value: ``(...)`` float64, NaN where not measurable.
        reason: ``(...)`` str, ``""`` where measurable, else why not.
    """

    value: FloatArray
    reason: StrArray

    @property
    def valid(self) -> NDArray[np.bool_]:
        return np.asarray((self.reason == "") & np.isfinite(self.value), dtype=np.bool_)


def gate(value: FloatArray, *rules: tuple[NDArray[np.bool_], str]) -> Measure:
    """Attach validity to ``value``: the first rule whose mask is true names the reason.

    Args:
        value: ``(...)`` raw values.
        rules: ``(mask, reason)`` pairs, masks broadcastable to ``value``; earlier rules win.
    """
    value = np.asarray(value, dtype=np.float64)
    reason = np.full(value.shape, "", dtype=object)
    for mask, why in reversed(rules):
        reason = np.where(np.broadcast_to(mask, value.shape), why, reason)
    reason = np.where((reason == "") & ~np.isfinite(value), "could not be computed", reason)
    out = np.where(reason == "", value, np.nan)
    return Measure(value=out, reason=reason.astype(str))


# --------------------------------------------------------------------------- primitives


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """z component of the 2D cross product, ``(..., 2) x (..., 2) -> (...)``."""
    return np.asarray(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], dtype=np.float64)


def _norm(v: FloatArray) -> FloatArray:
    return np.asarray(np.linalg.norm(v, axis=-1), dtype=np.float64)


def angle_between_deg(u: FloatArray, v: FloatArray) -> FloatArray:
    """Unsigned angle between vectors ``u`` and ``v`` (``(..., d)``), in [0, 180] degrees."""
    with np.errstate(invalid="ignore", divide="ignore"):  # zero-length -> NaN, gated later
        cos = np.sum(u * v, axis=-1) / (_norm(u) * _norm(v))
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def joint_angle_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Interior angle a-b-c at ``b`` in degrees (180 = straight), points ``(..., d)``."""
    return angle_between_deg(a - b, c - b)


def _seen(visibility: FloatArray | None, *idx: int) -> NDArray[np.bool_]:
    """``(...)`` true where all landmarks ``idx`` have visibility >= MIN_VISIBILITY."""
    if visibility is None:
        return np.asarray(True)
    return np.asarray(np.all(visibility[..., list(idx)] >= MIN_VISIBILITY, axis=-1))


def _mid(xy: FloatArray, a: int, b: int) -> FloatArray:
    return np.asarray((xy[..., a, :] + xy[..., b, :]) / 2.0, dtype=np.float64)


def leg_length_px(xy_px: FloatArray) -> FloatArray:
    """``(...)`` the longer of the two legs (hip-knee-ankle path) in pixels: a body scale
    that foreshortening shrinks less than any single segment."""
    lengths = []
    for hip, knee, ankle in _LEG.values():
        lengths.append(
            _norm(xy_px[..., knee, :] - xy_px[..., hip, :])
            + _norm(xy_px[..., ankle, :] - xy_px[..., knee, :])
        )
    return np.asarray(np.maximum(*lengths), dtype=np.float64)


# --------------------------------------------------------------------------- view


def _out_of_plane_deg(d: FloatArray) -> FloatArray:
    """Angle of world vectors ``d`` ``(..., 3)`` out of the image plane, in [0, 90]."""
    in_plane = np.hypot(d[..., 0], d[..., 1])
    return np.asarray(np.degrees(np.arctan2(np.abs(d[..., 2]), in_plane)), dtype=np.float64)


def torso_yaw_deg(xy_px: FloatArray, world: FloatArray | None) -> FloatArray:
    """How far the torso is turned from facing the camera, in [0, 90] degrees.

    0 means the shoulder and hip lines lie in the image plane (front or back view), 90
    means they point at the camera (side view). With world landmarks it is the mean of the
    shoulder line's and hip line's angle out of the image plane,
    ``atan(|dz| / hypot(dx, dy))``, so it holds for a body at any roll: standing, lying
    in Bridge (seen from the feet = front), or trunk horizontal in Half Moon (seen from
    the chest = front, hip line vertical in the picture). Without them it is
    estimated from the apparent shoulder width against the torso length
    (``acos(min(1, w / (0.75 * h)))``: MediaPipe's shoulder points are about 0.75 torso
    lengths apart).

    Args:
        xy_px: ``(..., 33, 2)`` pixels.
        world: ``(..., 33, 3)`` world metres or None.
    Returns:
        ``(...)`` degrees.
    """
    if world is not None:
        yaws = []
        for a, b in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
            yaws.append(_out_of_plane_deg(world[..., a, :] - world[..., b, :]))
        return np.asarray((yaws[0] + yaws[1]) / 2.0, dtype=np.float64)
    width = _norm(xy_px[..., L.LEFT_SHOULDER, :] - xy_px[..., L.RIGHT_SHOULDER, :])
    torso = _norm(
        _mid(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(xy_px, L.LEFT_HIP, L.RIGHT_HIP)
    )
    ratio = np.clip(width / np.maximum(0.75 * torso, 1e-9), 0.0, 1.0)
    return np.asarray(np.degrees(np.arccos(ratio)), dtype=np.float64)


def classify_view(yaw_deg: FloatArray) -> StrArray:
    """``(...)`` "front" / "oblique" / "side" (or "unknown" for NaN) from :func:`torso_yaw_deg`."""
    yaw = np.asarray(yaw_deg, dtype=np.float64)
    view = np.where(yaw < FRONT_MAX_YAW_DEG, "front", "oblique")
    view = np.where(yaw >= SIDE_MIN_YAW_DEG, "side", view)
    return np.asarray(np.where(np.isfinite(yaw), view, "unknown"), dtype=str)


def _needs_view(view: StrArray, allowed: tuple[str, ...]) -> tuple[NDArray[np.bool_], str]:
    ok = np.isin(view, allowed)
    label = " or ".join(allowed)
    return ~ok, f"needs a {label} view"


# --------------------------------------------------------------------------- knee valgus


def fppa_deg(
    hip: FloatArray, knee: FloatArray, ankle: FloatArray, midline: FloatArray
) -> FloatArray:
    """Frontal-plane projection angle of a knee, signed positive toward the midline.

    The magnitude is the angle between the thigh (hip->knee) and the shank (knee->ankle)
    vectors, 0 for a straight leg. The sign is positive when the knee lies on the same
    side of the hip->ankle line as ``midline`` (knee valgus, "knee toward the midline")
    and negative on the other side (varus). Because the sign is taken against the body's
    own midline, it does not depend on which leg, or on a mirrored image.

    Source: Munro, Herrington & Carolan 2012 (norms in single-leg landing: 1-9 deg men,
    5-12 deg women); 2D error ~2-4 deg (Gwynne & Curran 2014). Valid from the front.

    Args:
        hip, knee, ankle: ``(..., 2)`` pixels of one leg.
        midline: ``(..., 2)`` a point on the body's midline (mid-hip).
    Returns:
        ``(...)`` degrees.
    """
    magnitude = angle_between_deg(knee - hip, ankle - knee)
    axis = ankle - hip
    knee_side = np.sign(_cross(axis, knee - hip))
    mid_side = np.sign(_cross(axis, midline - hip))
    sign = np.where(knee_side == 0, 1.0, knee_side * mid_side)
    return np.asarray(sign * magnitude, dtype=np.float64)


def medial_knee_displacement(
    hip: FloatArray, knee: FloatArray, ankle: FloatArray, midline: FloatArray
) -> FloatArray:
    """Distance of the knee from the hip->ankle line, as a fraction of the leg length.

    Signed like :func:`fppa_deg` (positive toward the midline). Leg length is
    |hip-knee| + |knee-ankle| in the image. Shapes as in :func:`fppa_deg`.
    """
    axis = ankle - hip
    dist = _cross(axis, knee - hip) / np.maximum(_norm(axis), 1e-9)
    mid_side = np.sign(_cross(axis, midline - hip))
    leg = _norm(knee - hip) + _norm(ankle - knee)
    return np.asarray(dist * mid_side / np.maximum(leg, 1e-9), dtype=np.float64)


#: FPPA of a bent knee is only trustworthy when the camera looks straight at the leg: a
#: knee bent by ``phi`` in its own plane, seen ``theta`` off-front, shows a fake FPPA of
#: about ``2 * atan(tan(phi / 2) * sin(theta))``. Above this many degrees of predicted
#: artefact the FPPA is reported as not measurable. (Derived by projecting a bent leg;
#: e.g. a 90 deg Warrior 1 knee needs the camera within ~4 deg of the leg's front.)
MAX_FPPA_ARTEFACT_DEG = 5.0

#: The same for the medial knee displacement: a knee bent by ``phi`` sits
#: ``sin(phi / 2) / 2`` leg lengths off its hip-ankle line in its own plane, which
#: ``theta`` of yaw turns into ``sin(theta)`` of that sideways. Above this many % of leg
#: length of predicted artefact it is not measurable.
MAX_DISPLACEMENT_ARTEFACT_PCT = 2.0

#: The FPPA is the angle between two image vectors; when the thigh or the shin points
#: nearly at the camera (Warrior 1's front thigh seen from the front) its image is short
#: and the angle swings wildly with a centimetre of landmark noise (a synthetic Warrior 1
#: read 11 deg of "valgus" with the camera 1 deg off-front). Below this fraction of their
#: true length, FPPA is not measurable; the medial displacement still is.
MIN_SEGMENT_FORESHORTENING = 0.5

#: Knee valgus is judged under an upright trunk (standing, lunging, squatting). With the
#: trunk lying more than this far from vertical (Bridge, Half Moon) it is not measured:
#: on rendered bodies seen from the front, Bridge's knees read 4 deg median and 40 deg p90
#: off the truth, Half Moon's 1-3 deg median and 9 deg p90 (benchmarks/accuracy.py),
#: against 1.3-1.8 median and 3.3-4.5 p90 for Tree's and Warrior 1's legs.
MAX_TRUNK_TILT_FOR_VALGUS_DEG = 60.0

#: ... and with world landmarks, the trunk must lie in the picture: below this share of
#: its true length shown it points at the camera, which a standing body seen from the
#: front never does. Needed because the world landmarks' "up" pitches with the camera: a
#: Bridge filmed from 55 deg above its feet read a trunk tilt of 46-68 deg (image: 4 deg)
#: and its knees were measured, 7 deg p90 off; its trunk showed 0.35-0.47 of its length,
#: standing Trees and Warrior 1s from the front 0.8-0.93 (benchmarks/accuracy.py).
MIN_TRUNK_SHOWN_FOR_VALGUS = 0.6

#: MediaPipe's world skeleton reads a straight knee as bent: 11-16 deg (mean ~13) on the
#: standing frames of the Pexels squat clip. This much is taken off the world knee
#: flexion before predicting the FPPA artefact, so a straight leg is not gated off.
WORLD_KNEE_FLEXION_BIAS_DEG = 10.0


def fppa_yaw_artefact_deg(knee_flexion_deg: FloatArray, yaw_deg: FloatArray) -> FloatArray:
    """Fake FPPA (degrees) that a knee bent ``knee_flexion_deg`` (0 = straight) shows when
    the camera is ``yaw_deg`` off the leg's front. Shapes broadcast."""
    half = np.radians(np.asarray(knee_flexion_deg, dtype=np.float64)) / 2.0
    theta = np.radians(np.asarray(yaw_deg, dtype=np.float64))
    return np.asarray(2.0 * np.degrees(np.arctan(np.tan(half) * np.sin(theta))), dtype=np.float64)


def displacement_yaw_artefact_pct(knee_flexion_deg: FloatArray, yaw_deg: FloatArray) -> FloatArray:
    """Fake medial displacement (% of leg length) of a knee bent ``knee_flexion_deg`` seen
    ``yaw_deg`` off-front (thigh and shank of equal length). Shapes broadcast."""
    half = np.radians(np.asarray(knee_flexion_deg, dtype=np.float64)) / 2.0
    theta = np.radians(np.asarray(yaw_deg, dtype=np.float64))
    return np.asarray(100.0 * np.sin(half) / 2.0 * np.abs(np.sin(theta)), dtype=np.float64)


def trunk_tilt_deg(xy_px: FloatArray, world: FloatArray | None) -> FloatArray:
    """``(...)`` angle of the trunk (mid-hip -> mid-shoulder) from vertical-up, degrees:
    0 upright, 90 lying. From the world landmarks (y down; pitched with the camera) when
    given, else from the picture (y down)."""
    pts = world if world is not None else xy_px
    trunk = _mid(pts, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(pts, L.LEFT_HIP, L.RIGHT_HIP)
    up = np.zeros(trunk.shape[-1])
    up[1] = -1.0
    return angle_between_deg(trunk, np.broadcast_to(up, trunk.shape))


def knee_valgus(
    xy_px: FloatArray,
    visibility: FloatArray | None,
    view: StrArray,
    side: Side,
    world: FloatArray | None = None,
    yaw_deg: FloatArray | None = None,
    tilt_deg: FloatArray | None = None,
) -> tuple[Measure, Measure]:
    """FPPA (degrees) and medial knee displacement (% of leg length) for one leg.

    Both need a front view and a midline side (with the hips stacked over the leg, as in
    Half Moon, "toward the midline" has no direction in the picture). With world
    landmarks and the torso yaw each is also gated off when the knee is bent enough that
    the camera's yaw alone would fake it (:data:`MAX_FPPA_ARTEFACT_DEG`,
    :data:`MAX_DISPLACEMENT_ARTEFACT_PCT`), and the FPPA when the thigh or shin points
    at the camera (:data:`MIN_SEGMENT_FORESHORTENING`). Args as in :func:`measure_all`;
    ``tilt_deg`` is :func:`trunk_tilt_deg` of these landmarks (computed when None).
    """
    hip_i, knee_i, ankle_i = _LEG[side]
    hip, knee, ankle = (xy_px[..., i, :] for i in _LEG[side])
    midline = _mid(xy_px, L.LEFT_HIP, L.RIGHT_HIP)
    shape = xy_px.shape[:-2]
    fppa_artefact = np.zeros(shape)
    disp_artefact = np.zeros(shape)
    end_on = np.zeros(shape, dtype=bool)
    if world is not None and yaw_deg is not None:
        flexion = 180.0 - joint_angle_deg(
            world[..., hip_i, :], world[..., knee_i, :], world[..., ankle_i, :]
        )
        flexion = np.maximum(flexion - WORLD_KNEE_FLEXION_BIAS_DEG, 0.0)
        fppa_artefact = fppa_yaw_artefact_deg(flexion, yaw_deg)
        disp_artefact = displacement_yaw_artefact_pct(flexion, yaw_deg)
        end_on = (foreshortening(xy_px, world, hip_i, knee_i) < MIN_SEGMENT_FORESHORTENING) | (
            foreshortening(xy_px, world, knee_i, ankle_i) < MIN_SEGMENT_FORESHORTENING
        )
    if tilt_deg is None:
        tilt_deg = trunk_tilt_deg(xy_px, world)
    lying = tilt_deg > MAX_TRUNK_TILT_FOR_VALGUS_DEG
    if world is not None:
        lying = lying | (trunk_shown_share(xy_px, world) < MIN_TRUNK_SHOWN_FOR_VALGUS)
    axis = ankle - hip
    hip_width = _norm(xy_px[..., L.LEFT_HIP, :] - xy_px[..., L.RIGHT_HIP, :])
    midline_offset = np.abs(_cross(axis, midline - hip)) / np.maximum(_norm(axis), 1e-9)
    common = (
        (~_seen(visibility, hip_i, knee_i, ankle_i), f"{side} leg not visible"),
        _needs_view(view, ("front",)),
        (
            lying,
            "trunk lying or pointing at the camera (Bridge, Half Moon): knee valgus is "
            "judged standing",
        ),
        (_norm(axis) < 0.25 * leg_length_px(xy_px), f"{side} leg folded: no knee line"),
        (
            midline_offset < 0.25 * hip_width,
            "hips stacked over the leg: no midline side in this picture",
        ),
    )
    bent = f"{side} knee bent with the camera off its front: the bend would read as valgus"
    fppa = gate(
        fppa_deg(hip, knee, ankle, midline),
        *common,
        (fppa_artefact > MAX_FPPA_ARTEFACT_DEG, bent),
        (end_on, f"{side} thigh or shin points at the camera: angle unstable"),
    )
    disp = gate(
        100.0 * medial_knee_displacement(hip, knee, ankle, midline),
        *common,
        (disp_artefact > MAX_DISPLACEMENT_ARTEFACT_PCT, bent),
    )
    return fppa, disp


def knee_ankle_gap_ratio(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray
) -> Measure:
    """Knee gap over ankle gap (image distance between the knees / between the ankles).

    1 = knees stacked over the ankles, < 1 knees caving in, > 1 knees splaying out. Only
    meaningful in two-foot poses seen from the front (Bridge from the feet end).
    """
    knees = _norm(xy_px[..., L.LEFT_KNEE, :] - xy_px[..., L.RIGHT_KNEE, :])
    ankles = _norm(xy_px[..., L.LEFT_ANKLE, :] - xy_px[..., L.RIGHT_ANKLE, :])
    return gate(
        knees / np.maximum(ankles, 1e-9),
        (
            ~_seen(visibility, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE),
            "knees or ankles not visible",
        ),
        _needs_view(view, ("front",)),
        (ankles < 0.1 * leg_length_px(xy_px), "ankles together: no gap to compare"),
    )


#: A leg is seen from its side when its foot is drawn lying across the picture: heel ->
#: toes at least twice as wide as tall in the image and at least this many leg lengths
#: long. Then the plane the knee bends in faces the camera, whatever the trunk does (Half
#: Moon's standing leg, seen from the chest side, shows its bend although the trunk faces
#: the camera). A foot pointing at the camera is drawn short and steep. (Measured in the
#: image: MediaPipe's world feet are too short, ~0.13 m, and their depth too noisy to
#: tell; on the Tree tutorial a front-facing standing foot read 0.57-0.59 of its "true"
#: length, and a 2D knee angle taken there reads the frontal deviation as a bend.)
LEG_SIDE_MIN_FOOT_LEGS = 0.12


def leg_seen_from_side(
    view: StrArray, world: FloatArray | None, side: Side, xy_px: FloatArray | None = None
) -> NDArray[np.bool_]:
    """``(...)`` whether a leg's bend lies in the picture: the body is seen from the side
    or obliquely, or the leg's foot is drawn lying across the picture."""
    seen = np.isin(view, ("side", "oblique"))
    if xy_px is None:
        return np.asarray(seen)
    _, heel, toe = _FOOT[side]
    foot = xy_px[..., toe, :] - xy_px[..., heel, :]
    across = (np.abs(foot[..., 0]) >= 2.0 * np.abs(foot[..., 1])) & (
        _norm(foot) >= LEG_SIDE_MIN_FOOT_LEGS * leg_length_px(xy_px)
    )
    return np.asarray(seen | across)


def _needs_leg_side(
    view: StrArray, world: FloatArray | None, side: Side, xy_px: FloatArray
) -> tuple[NDArray[np.bool_], str]:
    seen = leg_seen_from_side(view, world, side, xy_px)
    return ~seen, f"needs the {side} leg seen from its side"


def knee_angle(
    xy_px: FloatArray,
    visibility: FloatArray | None,
    view: StrArray,
    side: Side,
    world: FloatArray | None = None,
) -> Measure:
    """Interior knee angle hip-knee-ankle in the image (180 = straight), in degrees.

    A bent knee that points at the camera looks straight, so this needs the leg seen
    from its side (:func:`leg_seen_from_side`).
    """
    hip_i, knee_i, ankle_i = _LEG[side]
    return gate(
        joint_angle_deg(xy_px[..., hip_i, :], xy_px[..., knee_i, :], xy_px[..., ankle_i, :]),
        (~_seen(visibility, hip_i, knee_i, ankle_i), f"{side} leg not visible"),
        _needs_leg_side(view, world, side, xy_px),
    )


# --------------------------------------------------------------------------- pelvis


def pelvic_obliquity_deg(xy_px: FloatArray) -> FloatArray:
    """Tilt of the hip line against the image horizontal, positive when the LEFT hip is
    higher. Uses ``|dx|`` so the sign belongs to the body, not to the screen. ``(...)``."""
    left = xy_px[..., L.LEFT_HIP, :]
    right = xy_px[..., L.RIGHT_HIP, :]
    rise = right[..., 1] - left[..., 1]  # image y grows downwards
    return np.asarray(
        np.degrees(np.arctan2(rise, np.abs(left[..., 0] - right[..., 0]))), dtype=np.float64
    )


def pelvis_level(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray
) -> tuple[Measure, Measure]:
    """Pelvic obliquity (degrees) and hip height difference (% of hip width).

    Both positive when the left hip is higher; both need a front view (a hip line seen
    from the side is foreshortened to a point). Caution, measured on rendered bodies: in
    Tree the lifted leg drags MediaPipe's hip landmark (~13 deg off for a level pelvis),
    so pose rules must validate this metric per pose before trusting it.
    """
    left = xy_px[..., L.LEFT_HIP, :]
    right = xy_px[..., L.RIGHT_HIP, :]
    width = _norm(left - right)
    rules = (
        (~_seen(visibility, L.LEFT_HIP, L.RIGHT_HIP), "hips not visible"),
        _needs_view(view, ("front",)),
        (width < 0.05 * leg_length_px(xy_px), "hips overlap in the image"),
    )
    obliquity = gate(pelvic_obliquity_deg(xy_px), *rules)
    diff = gate(100.0 * (right[..., 1] - left[..., 1]) / np.maximum(width, 1e-9), *rules)
    return obliquity, diff


def pelvis_rotation(xy_px: FloatArray, world: FloatArray | None) -> Measure:
    """How far the hip line is turned out of the image plane, in [0, 90] degrees, from the
    world landmarks' hip line ``atan(|dz| / hypot(dx, dy))``: 0 = the pelvis faces the
    camera squarely. With a known camera placement it reads "hips squared" (Warrior 1
    seen from the front of the mat) or "hips stacked" (Half Moon seen from the chest
    side). Needs world landmarks."""
    if world is None:
        shape = xy_px.shape[:-2]
        return gate(np.full(shape, np.nan), (np.ones(shape, bool), "needs world landmarks"))
    return gate(_out_of_plane_deg(world[..., L.LEFT_HIP, :] - world[..., L.RIGHT_HIP, :]))


# --------------------------------------------------------------------------- hip extension


def body_front_direction(xy_px: FloatArray) -> FloatArray:
    """``(..., 2)`` unit vector pointing to the front of the body in the image, from the
    ears to the nose (the face looks forward). Meaningful in side views."""
    ears = _mid(xy_px, L.LEFT_EAR, L.RIGHT_EAR)
    v = xy_px[..., L.NOSE, :] - ears
    return np.asarray(v / np.maximum(_norm(v), 1e-9)[..., None], dtype=np.float64)


def hip_extension_deg(
    shoulder_mid: FloatArray, hip: FloatArray, knee: FloatArray, front: FloatArray
) -> FloatArray:
    """Signed angle of the thigh against the trunk line, in degrees.

    The trunk line runs from mid-shoulder through the hip; the thigh runs hip->knee. 0
    when the thigh continues the trunk line (standing tall), positive when the thigh goes
    behind it (hip extension), negative in front (flexion: sitting = about -90). The
    front of the body is given by ``front`` (see :func:`body_front_direction`). A signed
    angle is needed: in Warrior 1 a trunk leaning 25 deg forward *raised* the unsigned
    shoulder-hip-knee angle from 138 to 160 deg while true extension fell from 39 to 14.

    Args:
        shoulder_mid, hip, knee, front: ``(..., 2)`` pixels (``front`` a direction).
    """
    trunk = hip - shoulder_mid
    thigh = knee - hip
    magnitude = angle_between_deg(trunk, thigh)
    # thigh rotated from the trunk direction toward the front side => flexion.
    toward = np.sign(_cross(trunk, thigh)) * np.sign(_cross(trunk, front))
    return np.asarray(np.where(toward > 0, -magnitude, magnitude), dtype=np.float64)


def hip_extension(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray, side: Side
) -> Measure:
    """:func:`hip_extension_deg` for one leg, valid from a side or oblique view."""
    hip_i, knee_i, _ = _LEG[side]
    shoulders = _mid(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return gate(
        hip_extension_deg(
            shoulders, xy_px[..., hip_i, :], xy_px[..., knee_i, :], body_front_direction(xy_px)
        ),
        (
            ~_seen(visibility, hip_i, knee_i, L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
            f"{side} hip or knee not visible",
        ),
        (~_seen(visibility, L.NOSE), "face not visible: cannot tell front from back"),
        _needs_view(view, ("side", "oblique")),
    )


# --------------------------------------------------------------------------- balance

#: Body segments for the centre of mass: name -> (proximal points, distal points, mass
#: fraction of body mass, COM position from proximal as a fraction of the segment). From
#: de Leva 1996 (adjustments to Zatsiorsky-Seluyanov's parameters), male table, as
#: docs/measurements.md#weight-and-centre-of-mass cites it (trunk 43.46 %, thigh
#: 14.16 %, shank 4.33 %, foot 1.37 %); the female table moves the whole-body COM by
#: under 1 % of height. Endpoints are MediaPipe
#: proxies of de Leva's landmarks: mid-shoulder for C7, each hip landmark for the hip
#: joint centre, the mean of index and pinky knuckles for MET3; the head's COM is put at
#: the mid-ear point. The 14 mass fractions sum to 1.
SEGMENTS: dict[str, tuple[tuple[int, ...], tuple[int, ...], float, float]] = {
    "head": ((L.LEFT_EAR, L.RIGHT_EAR), (L.LEFT_EAR, L.RIGHT_EAR), 0.0694, 0.0),
    "trunk": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP), 0.4346, 0.4486),
    "upper_arm_l": ((L.LEFT_SHOULDER,), (L.LEFT_ELBOW,), 0.0271, 0.5772),
    "upper_arm_r": ((L.RIGHT_SHOULDER,), (L.RIGHT_ELBOW,), 0.0271, 0.5772),
    "forearm_l": ((L.LEFT_ELBOW,), (L.LEFT_WRIST,), 0.0162, 0.4574),
    "forearm_r": ((L.RIGHT_ELBOW,), (L.RIGHT_WRIST,), 0.0162, 0.4574),
    "hand_l": ((L.LEFT_WRIST,), (L.LEFT_INDEX, L.LEFT_PINKY), 0.0061, 0.7900),
    "hand_r": ((L.RIGHT_WRIST,), (L.RIGHT_INDEX, L.RIGHT_PINKY), 0.0061, 0.7900),
    "thigh_l": ((L.LEFT_HIP,), (L.LEFT_KNEE,), 0.1416, 0.4095),
    "thigh_r": ((L.RIGHT_HIP,), (L.RIGHT_KNEE,), 0.1416, 0.4095),
    "shank_l": ((L.LEFT_KNEE,), (L.LEFT_ANKLE,), 0.0433, 0.4459),
    "shank_r": ((L.RIGHT_KNEE,), (L.RIGHT_ANKLE,), 0.0433, 0.4459),
    "foot_l": ((L.LEFT_HEEL,), (L.LEFT_FOOT_INDEX,), 0.0137, 0.4415),
    "foot_r": ((L.RIGHT_HEEL,), (L.RIGHT_FOOT_INDEX,), 0.0137, 0.4415),
}


def _point(xy: FloatArray, idx: tuple[int, ...]) -> FloatArray:
    return np.asarray(np.mean(xy[..., list(idx), :], axis=-2), dtype=np.float64)


def center_of_mass(points: FloatArray) -> FloatArray:
    """Whole-body centre of mass from :data:`SEGMENTS` (de Leva 1996).

    Args:
        points: ``(..., 33, d)`` landmarks in any frame (pixels or metres).
    Returns:
        ``(..., d)`` the mass-weighted mean of the segment centres, same frame.
    """
    total = np.zeros(points.shape[:-2] + points.shape[-1:], dtype=np.float64)
    mass = 0.0
    for proximal, distal, fraction, along in SEGMENTS.values():
        p = _point(points, proximal)
        d = _point(points, distal)
        total = total + fraction * (p + along * (d - p))
        mass += fraction
    return np.asarray(total / mass, dtype=np.float64)


def _lowest_y(xy_px: FloatArray, idx: tuple[int, ...]) -> FloatArray:
    return np.asarray(np.max(xy_px[..., list(idx), 1], axis=-1), dtype=np.float64)


def contact_points(xy_px: FloatArray) -> dict[str, tuple[FloatArray, FloatArray]]:
    """For each possible contact (``left_foot``, ``right_foot``, ``left_hand``,
    ``right_hand``): its lowest image row ``(...)`` and its horizontal extent
    ``(..., 2)`` (min x, max x) in pixels."""
    out: dict[str, tuple[FloatArray, FloatArray]] = {}
    for kind, table in (("foot", _FOOT), ("hand", _HAND)):
        for side, idx in table.items():
            xs = xy_px[..., list(idx), 0]
            extent = np.stack([np.min(xs, axis=-1), np.max(xs, axis=-1)], axis=-1)
            out[f"{side}_{kind}"] = (_lowest_y(xy_px, idx), extent)
    return out


def _grounded_by_height(points: FloatArray, tolerance: float) -> dict[str, NDArray[np.bool_]]:
    contacts = contact_points(points)
    floor = np.maximum(contacts["left_foot"][0], contacts["right_foot"][0])
    tol = tolerance * leg_length_px(points)
    out: dict[str, NDArray[np.bool_]] = {}
    for name, (lowest, _) in contacts.items():
        scale = 1.0 if name.endswith("foot") else 0.5
        out[name] = np.asarray(floor - lowest <= scale * tol)
    return out


def grounded_contacts(
    xy_px: FloatArray, world: FloatArray | None = None
) -> dict[str, NDArray[np.bool_]]:
    """Which feet and hands touch the floor: ``(...)`` bool per contact name.

    The floor is the lowest foot point. A foot is grounded when it is within
    :data:`GROUND_TOLERANCE` leg lengths of the floor in the image AND, with world
    landmarks, within :data:`WORLD_GROUND_TOLERANCE` in world height; a hand needs half
    those (a hand hanging near the floor is not leaning on it). Why both: image rows
    mix height with depth (from a high camera, Pose2Sim's one-leg clip draws the foot
    lifted behind the body only 0.09 leg lengths above the standing one; world height
    says 0.27), while world heights are noisy in long stances (Warrior 1 photos, both
    feet down: world 0.12 median, 0.19 at p90, up to 0.35; image 0.07 median, 0.13 at
    p90). One-legged poses read 0.46+ either way (Tree p10; Half Moon 1.2+). World axes
    follow the camera, so a strongly pitched camera still tilts the floor.

    Args:
        xy_px: ``(..., 33, 2)`` pixels.
        world: ``(..., 33, 3)`` world metres (y down), or None.
    """
    grounded = _grounded_by_height(xy_px, GROUND_TOLERANCE)
    if world is None:
        return grounded
    in_world = _grounded_by_height(world[..., :2], WORLD_GROUND_TOLERANCE)
    return {name: np.asarray(g & in_world[name]) for name, g in grounded.items()}


def weight_share(
    xy_px: FloatArray, visibility: FloatArray | None, world: FloatArray | None = None
) -> tuple[Measure, Measure]:
    """Estimated share of body weight on the left and right foot, in percent.

    Static lever rule along the image's horizontal axis: with both feet grounded, the
    share on the left foot is ``(x_com - x_right) / (x_left - x_right)`` (clipped to
    [0, 1]), where ``x_*`` are the feet's centres (mean of ankle, heel, toe). One grounded
    foot takes 100 %. Hands on the floor are ignored here (they are part of the base of
    support, see :func:`balance`). An estimate: image-only balance correlates weakly with
    force plates (r 0.2-0.3, Scott 2022).
    """
    com = center_of_mass(xy_px)
    grounded = grounded_contacts(xy_px, world)
    gl, gr = grounded["left_foot"], grounded["right_foot"]
    xl = _point(xy_px, _FOOT["left"])[..., 0]
    xr = _point(xy_px, _FOOT["right"])[..., 0]
    sep = xl - xr
    lever = np.clip((com[..., 0] - xr) / np.where(np.abs(sep) > 1e-9, sep, np.nan), 0.0, 1.0)
    left = np.where(gl & gr, lever, np.where(gl, 1.0, 0.0))
    rules = (
        (~_seen(visibility, *_FOOT["left"], *_FOOT["right"]), "feet not visible"),
        (~(gl | gr), "no foot on the floor"),
        (
            (gl & gr) & (np.abs(sep) < MIN_FOOT_SEPARATION * leg_length_px(xy_px)),
            "feet too close together in the image to split the weight",
        ),
    )
    return gate(100.0 * left, *rules), gate(100.0 * (1.0 - left), *rules)


def px_per_metre(xy_px: FloatArray, world: FloatArray) -> FloatArray:
    """``(...)`` image scale: the largest image/world length ratio over the long segments
    (thighs, shanks, trunk sides). The least foreshortened segment gives the truest scale."""
    pairs = [
        (L.LEFT_HIP, L.LEFT_KNEE),
        (L.RIGHT_HIP, L.RIGHT_KNEE),
        (L.LEFT_KNEE, L.LEFT_ANKLE),
        (L.RIGHT_KNEE, L.RIGHT_ANKLE),
        (L.LEFT_SHOULDER, L.LEFT_HIP),
        (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    ]
    ratios = [
        _norm(xy_px[..., a, :] - xy_px[..., b, :])
        / np.maximum(_norm(world[..., a, :] - world[..., b, :]), 1e-6)
        for a, b in pairs
    ]
    return np.asarray(np.max(np.stack(ratios, axis=-1), axis=-1), dtype=np.float64)


def trunk_shown_share(xy_px: FloatArray, world: FloatArray) -> FloatArray:
    """``(...)`` how much of the trunk's (mid-hip -> mid-shoulder) true length the picture
    shows, as :func:`foreshortening`: ~1 in the image plane, near 0 pointing at the
    camera."""
    true_px = _norm(
        _mid(world, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(world, L.LEFT_HIP, L.RIGHT_HIP)
    ) * px_per_metre(xy_px, world)
    shown = _norm(
        _mid(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(xy_px, L.LEFT_HIP, L.RIGHT_HIP)
    )
    return np.asarray(shown / np.maximum(true_px, 1e-9), dtype=np.float64)


def foreshortening(xy_px: FloatArray, world: FloatArray, a: int, b: int) -> FloatArray:
    """``(...)`` how much of segment a-b's true length the image shows (1 = in the image
    plane, near 0 = pointing at the camera), from the world length and the image scale."""
    true_px = _norm(world[..., a, :] - world[..., b, :]) * px_per_metre(xy_px, world)
    return np.asarray(
        _norm(xy_px[..., a, :] - xy_px[..., b, :]) / np.maximum(true_px, 1e-9), dtype=np.float64
    )


def foot_length_px(xy_px: FloatArray, world: FloatArray | None, side: Side) -> FloatArray:
    """``(...)`` length of a foot in pixels, foreshortening-free when world landmarks exist.

    With world landmarks: the world heel-toe length times the image scale, where the
    scale (px per metre) is the largest image/world length ratio over the long segments
    (thighs, shanks, trunk sides): the least foreshortened segment gives the truest scale.
    Without: 0.26 x the leg length (foot ~0.152 H, leg ~0.53 H in Drillis & Contini 1966).
    """
    if world is None:
        return np.asarray(0.26 * leg_length_px(xy_px), dtype=np.float64)
    _, heel, toe = _FOOT[side]
    length_m = _norm(world[..., toe, :] - world[..., heel, :])
    return np.asarray(length_m * px_per_metre(xy_px, world), dtype=np.float64)


def com_offset_from_foot(
    xy_px: FloatArray, world: FloatArray | None, visibility: FloatArray | None
) -> Measure:
    """Horizontal distance of the COM's floor point from the standing foot's centre, in
    foot lengths (unsigned). Valid only when exactly one foot is grounded."""
    com = center_of_mass(xy_px)
    grounded = grounded_contacts(xy_px, world)
    gl, gr = grounded["left_foot"], grounded["right_foot"]
    xl = _point(xy_px, _FOOT["left"])[..., 0]
    xr = _point(xy_px, _FOOT["right"])[..., 0]
    foot_x = np.where(gl, xl, xr)
    length = np.where(
        gl, foot_length_px(xy_px, world, "left"), foot_length_px(xy_px, world, "right")
    )
    return gate(
        np.abs(com[..., 0] - foot_x) / np.maximum(length, 1e-9),
        (~_seen(visibility, *_FOOT["left"], *_FOOT["right"]), "feet not visible"),
        (gl == gr, "needs exactly one foot on the floor"),
    )


# --------------------------------------------------------------------------- limb shapes


def _from_vertical_deg(v: FloatArray) -> FloatArray:
    """Unsigned angle of image vectors ``(..., 2)`` from the vertical, in [0, 90]."""
    return np.asarray(
        np.degrees(np.arctan2(np.abs(v[..., 0]), np.abs(v[..., 1]))), dtype=np.float64
    )


def shin_angle(
    xy_px: FloatArray,
    visibility: FloatArray | None,
    view: StrArray,
    side: Side,
    world: FloatArray | None = None,
) -> Measure:
    """Tilt of the shank (knee->ankle) from the image vertical, in [0, 90] degrees.

    0 = knee straight above the ankle (Warrior 1's front shin, Bridge's shins). Needs the
    leg seen from its side (:func:`leg_seen_from_side`): from the front a shin leaning
    forward looks vertical.
    """
    _, knee_i, ankle_i = _LEG[side]
    return gate(
        _from_vertical_deg(xy_px[..., ankle_i, :] - xy_px[..., knee_i, :]),
        (~_seen(visibility, knee_i, ankle_i), f"{side} knee or ankle not visible"),
        _needs_leg_side(view, world, side, xy_px),
    )


def heel_lift(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray, side: Side
) -> Measure:
    """Height of the heel above the toes, as % of the leg length (0 = flat foot,
    positive = heel up). Needs a side or oblique view (from the front the heel hides
    behind the foot)."""
    _, heel_i, toe_i = _FOOT[side]
    rise = xy_px[..., toe_i, 1] - xy_px[..., heel_i, 1]  # image y grows downwards
    return gate(
        100.0 * rise / np.maximum(leg_length_px(xy_px), 1e-9),
        (~_seen(visibility, heel_i, toe_i), f"{side} foot not visible"),
        _needs_view(view, ("side", "oblique")),
    )


def foot_knee_gap(xy_px: FloatArray, visibility: FloatArray | None, standing: Side) -> Measure:
    """Tree: height of the lifted foot's centre (midway between heel and toes) above or
    below the STANDING knee, as % of leg length, unsigned. Near 0 means the sole presses
    on the knee joint. Any view (heights do not depend on where the camera stands).

    Why the centre, not the heel: a foot on the inner thigh or the knee hangs toes-down.
    On rendered Trees with the sole on the knee the heel sat 16 % of a leg above the knee
    (clear of the 10 % warning) while the centre sat 1-2 % from it; with the foot on the
    thigh the centre sat 27-29 % above (benchmarks/accuracy.py)."""
    other: Side = "right" if standing == "left" else "left"
    _, knee_i, _ = _LEG[standing]
    _, heel_i, toe_i = _FOOT[other]
    centre_y = (xy_px[..., heel_i, 1] + xy_px[..., toe_i, 1]) / 2.0
    gap = np.abs(centre_y - xy_px[..., knee_i, 1])
    return gate(
        100.0 * gap / np.maximum(leg_length_px(xy_px), 1e-9),
        (~_seen(visibility, knee_i, heel_i, toe_i), "knee or lifted foot not visible"),
    )


def thigh_abduction(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray, side: Side
) -> Measure:
    """Angle between a thigh (hip->knee) and the trunk's downward line (mid-shoulder ->
    mid-hip), in the image, [0, 180] degrees. For Tree's lifted leg seen from the front,
    this is how far the knee opens out to the side (hip abduction and external
    rotation); a knee swinging forward instead looks short and close to the midline."""
    hip_i, knee_i, _ = _LEG[side]
    down = _mid(xy_px, L.LEFT_HIP, L.RIGHT_HIP) - _mid(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return gate(
        angle_between_deg(xy_px[..., knee_i, :] - xy_px[..., hip_i, :], down),
        (~_seen(visibility, hip_i, knee_i), f"{side} hip or knee not visible"),
        _needs_view(view, ("front",)),
    )


def thigh_out_of_plane(
    xy_px: FloatArray, visibility: FloatArray | None, world: FloatArray | None, side: Side
) -> Measure:
    """How far a thigh (hip->knee) turns out of the picture plane, in [0, 90] degrees:
    ``acos`` of the share of its true length that the picture shows
    (:func:`foreshortening`). For Tree's lifted leg seen from the front: ~20 with the knee
    opened out to the side, toward 90 with the knee pointing forward at the camera.

    Why not :func:`thigh_abduction`: on rendered Trees a knee swinging forward made the
    thigh's picture short and pointing anywhere, so its angle from the trunk line ROSE
    (99 deg opened, 117 at 20 deg of opening, 177 pointing forward) instead of falling;
    this reading fell as it should (19, 48, 68, 81 deg for 70, 40, 20, 0 deg of opening).
    Needs world landmarks (the thigh's true length)."""
    hip_i, knee_i, _ = _LEG[side]
    shape = xy_px.shape[:-2]
    if world is None:
        return gate(np.full(shape, np.nan), (np.ones(shape, bool), "needs world landmarks"))
    share = np.clip(foreshortening(xy_px, world, hip_i, knee_i), 0.0, 1.0)
    return gate(
        np.degrees(np.arccos(share)),
        (~_seen(visibility, hip_i, knee_i), f"{side} hip or knee not visible"),
    )


def pelvis_axes_px(xy_px: FloatArray, side: Side) -> tuple[FloatArray, FloatArray]:
    """The pelvis's long and lateral axes as the picture shows them, at hip ``side``.

    The long axis is read from the trunk line, not the hip line: MediaPipe's hip
    landmarks follow the legs (docs/measurements.md#hip-symmetry), and on rendered Trees
    and Half Moons seen from the front the thigh against the trunk line read 2-3x closer
    to the true pelvis-frame angles than against the hip line
    (docs/measurements.md#hip-action; benchmarks/hip_action.py).

    Args:
        xy_px: ``(..., 33, 2)`` pixels.
        side: the hip the frame is for.
    Returns:
        ``(out, caudal)``, each ``(..., 2)`` unit image vectors: ``caudal`` along the trunk
        line mid-shoulder -> mid-hip (toward the feet), ``out`` perpendicular to it, on
        the side of ``side``'s hip (away from the other hip). NaN where degenerate.
    """
    hip_i = _LEG[side][0]
    other_i = _LEG["right" if side == "left" else "left"][0]
    down = _mid(xy_px, L.LEFT_HIP, L.RIGHT_HIP) - _mid(xy_px, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    with np.errstate(invalid="ignore", divide="ignore"):
        caudal = down / _norm(down)[..., None]
        across = xy_px[..., hip_i, :] - xy_px[..., other_i, :]
        across = across - np.sum(across * caudal, axis=-1, keepdims=True) * caudal
        out = across / _norm(across)[..., None]
    return np.asarray(out, dtype=np.float64), np.asarray(caudal, dtype=np.float64)


def _hips_across_trunk_px(xy_px: FloatArray) -> FloatArray:
    """``(...)`` pixels: the hips' separation across the trunk line."""
    out, _ = pelvis_axes_px(xy_px, "left")
    hips = xy_px[..., L.LEFT_HIP, :] - xy_px[..., L.RIGHT_HIP, :]
    return np.asarray(np.abs(np.sum(hips * out, axis=-1)), dtype=np.float64)


#: The hips must lie at least this many leg lengths apart across the trunk line for the
#: pelvis's lateral axis to have a side (seen from the side they overlap).
MIN_HIPS_ACROSS_LEGS = 0.05


def hip_abduction(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray, side: Side
) -> Measure:
    """A hip's abduction in the picture: the thigh's (hip->knee) angle from the pelvis's
    long axis (:func:`pelvis_axes_px`), ``atan2(thigh . out, thigh . caudal)`` in degrees,
    (-180, 180]: 0 along the long axis (standing), + out to the leg's own side, - across
    the midline. Half Moon's standing hip, trunk horizontal and leg vertical: ~90; it
    falls as the pelvis sags toward the floor over the standing leg (adduction). Needs
    the frontal plane facing the camera (a front view: Half Moon from its chest side).
    Sign and value belong to the body, so a mirrored picture reads the same.
    docs/measurements.md#hip-action."""
    hip_i, knee_i, _ = _LEG[side]
    out, caudal = pelvis_axes_px(xy_px, side)
    thigh = xy_px[..., knee_i, :] - xy_px[..., hip_i, :]
    value = np.degrees(np.arctan2(np.sum(thigh * out, axis=-1), np.sum(thigh * caudal, axis=-1)))
    return gate(
        value,
        (
            ~_seen(
                visibility,
                hip_i,
                knee_i,
                L.LEFT_HIP,
                L.RIGHT_HIP,
                L.LEFT_SHOULDER,
                L.RIGHT_SHOULDER,
            ),
            f"{side} hip, knee or trunk not visible",
        ),
        _needs_view(view, ("front",)),
        (
            _hips_across_trunk_px(xy_px) < MIN_HIPS_ACROSS_LEGS * leg_length_px(xy_px),
            "hips overlap across the trunk line: no pelvis side in this picture",
        ),
    )


def thigh_opening(
    xy_px: FloatArray, visibility: FloatArray | None, view: StrArray, side: Side
) -> Measure:
    """How far a thigh opens out of the pelvis's sagittal plane toward its own side, in
    degrees, [-90, 90]: ``asin`` of the thigh's (hip->knee) image component along the
    pelvis's lateral axis (:func:`pelvis_axes_px`) over the OTHER thigh's image length,
    clipped to [-1, 1]. 0 = the thigh in the sagittal plane (knee forward, down or up),
    90 = straight out to the side, negative across the midline.

    For Tree's lifted leg seen from the front: the knee opened out reads high, a knee
    swinging forward or dropping reads low. The other (standing) thigh stands in the
    picture plane from the front, so its image length is the thigh's true length in
    pixels there, a scale no depth estimate is needed for (MediaPipe's world lengths made
    ``thigh_out_of_plane`` 17 deg off). Front view only. docs/measurements.md#hip-action.
    """
    hip_i, knee_i, _ = _LEG[side]
    other_hip_i, other_knee_i, _ = _LEG["right" if side == "left" else "left"]
    out, _ = pelvis_axes_px(xy_px, side)
    thigh = xy_px[..., knee_i, :] - xy_px[..., hip_i, :]
    scale = _norm(xy_px[..., other_knee_i, :] - xy_px[..., other_hip_i, :])
    legs = leg_length_px(xy_px)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.sum(thigh * out, axis=-1) / scale
    return gate(
        np.degrees(np.arcsin(np.clip(share, -1.0, 1.0))),
        (
            ~_seen(
                visibility,
                hip_i,
                knee_i,
                other_hip_i,
                other_knee_i,
                L.LEFT_SHOULDER,
                L.RIGHT_SHOULDER,
            ),
            f"{side} thigh, the other thigh or the trunk not visible",
        ),
        _needs_view(view, ("front",)),
        (
            _hips_across_trunk_px(xy_px) < MIN_HIPS_ACROSS_LEGS * legs,
            "hips overlap across the trunk line: no pelvis side in this picture",
        ),
        (scale < 0.2 * legs, "the other thigh points at the camera: no thigh length to scale by"),
    )


def leg_elevation(xy_px: FloatArray, visibility: FloatArray | None, side: Side) -> Measure:
    """Angle of a whole leg (hip->ankle) above the image horizontal, in degrees (0 =
    horizontal, positive = foot above the hip). Half Moon's lifted leg aims at 0."""
    hip_i, _, ankle_i = _LEG[side]
    d = xy_px[..., ankle_i, :] - xy_px[..., hip_i, :]
    return gate(
        np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0]))),
        (~_seen(visibility, hip_i, ankle_i), f"{side} hip or ankle not visible"),
    )


def hand_under_shoulder(xy_px: FloatArray, visibility: FloatArray | None, side: Side) -> Measure:
    """Horizontal distance of a wrist from its shoulder, as % of leg length (0 = the
    hand straight below or above the shoulder). Half Moon's lower hand aims at 0."""
    shoulder_i = L.LEFT_SHOULDER if side == "left" else L.RIGHT_SHOULDER
    wrist_i = L.LEFT_WRIST if side == "left" else L.RIGHT_WRIST
    dx = np.abs(xy_px[..., wrist_i, 0] - xy_px[..., shoulder_i, 0])
    return gate(
        100.0 * dx / np.maximum(leg_length_px(xy_px), 1e-9),
        (~_seen(visibility, shoulder_i, wrist_i), f"{side} shoulder or wrist not visible"),
    )


def hip_angle(xy_px: FloatArray, visibility: FloatArray | None, view: StrArray) -> Measure:
    """Shoulder-hip-knee angle in the image, degrees (180 = trunk and thighs in one line),
    the mean over the sides whose hip and knee are seen. Bridge's "hips lifted" (>= ~160).
    Side or oblique view. From the side the far leg hides behind the near one (MediaPipe's
    visibility drops): on rendered Bridges seen from the side, requiring both sides left
    the metric unmeasured in every frame, so one seen side is enough."""
    angles, seen = [], []
    for sh, hip, knee in (
        (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE),
        (L.RIGHT_SHOULDER, L.RIGHT_HIP, L.RIGHT_KNEE),
    ):
        angles.append(joint_angle_deg(xy_px[..., sh, :], xy_px[..., hip, :], xy_px[..., knee, :]))
        seen.append(np.broadcast_to(_seen(visibility, hip, knee), angles[-1].shape))
    weights = np.stack(seen).astype(np.float64)
    total = np.where(np.stack(seen), np.stack(angles), 0.0).sum(axis=0)
    n_seen = weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n_seen
    return gate(
        mean,
        (n_seen == 0, "hips or knees not visible"),
        _needs_view(view, ("side", "oblique")),
    )


def hips_square(world: FloatArray | None, shape: tuple[int, ...]) -> Measure:
    """Angle between the hip line and the line between the ankles, seen from above (world
    x-z), folded to [0, 90] degrees. 90 = hips squared to the front leg (Warrior 1's
    aim), 0 = hips open along the feet line (Warrior 2). Needs world landmarks; their
    depth is noisy, so read it as coarse."""
    if world is None:
        return gate(np.full(shape, np.nan), (np.ones(shape, bool), "needs world landmarks"))
    hips = world[..., L.LEFT_HIP, :] - world[..., L.RIGHT_HIP, :]
    feet = world[..., L.LEFT_ANKLE, :] - world[..., L.RIGHT_ANKLE, :]
    a = angle_between_deg(hips[..., [0, 2]], feet[..., [0, 2]])
    return gate(np.minimum(a, 180.0 - a))


def com_outside_support(xy_px: FloatArray, world: FloatArray | None) -> Measure:
    """How far the COM's floor point lies outside the base of support (grounded feet and
    hands, see :func:`base_of_support_px`), along the image horizontal, as % of leg
    length; 0 when it is inside."""
    com_x = center_of_mass(xy_px)[..., 0]
    _, lo, hi = base_of_support_px(xy_px, world)
    outside = np.maximum(np.maximum(lo - com_x, com_x - hi), 0.0)
    return gate(
        100.0 * outside / np.maximum(leg_length_px(xy_px), 1e-9),
        (~np.isfinite(lo), "nothing on the floor"),
    )


# --------------------------------------------------------------------------- all metrics

#: Metric name -> unit, in report order. Positive directions: knee valgus toward the
#: midline; pelvic obliquity and hip height difference when the LEFT hip is higher; hip
#: extension behind the trunk line.
METRIC_UNITS: dict[str, str] = {
    "knee_valgus_left_deg": "deg",
    "knee_valgus_right_deg": "deg",
    "knee_medial_disp_left_pct": "pct",
    "knee_medial_disp_right_pct": "pct",
    "knee_ankle_gap_ratio": "ratio",
    "knee_angle_left_deg": "deg",
    "knee_angle_right_deg": "deg",
    "pelvic_obliquity_deg": "deg",
    "hip_height_diff_pct": "pct",
    "pelvis_rotation_deg": "deg",
    "hip_extension_left_deg": "deg",
    "hip_extension_right_deg": "deg",
    "weight_left_pct": "pct",
    "weight_right_pct": "pct",
    "com_offset_foot_lengths": "foot_lengths",
    "shin_angle_left_deg": "deg",
    "shin_angle_right_deg": "deg",
    "heel_lift_left_pct": "pct",
    "heel_lift_right_pct": "pct",
    "foot_knee_gap_left_pct": "pct",
    "foot_knee_gap_right_pct": "pct",
    "thigh_abduction_left_deg": "deg",
    "thigh_abduction_right_deg": "deg",
    "thigh_out_of_plane_left_deg": "deg",
    "thigh_out_of_plane_right_deg": "deg",
    "hip_abduction_left_deg": "deg",
    "hip_abduction_right_deg": "deg",
    "thigh_opening_left_deg": "deg",
    "thigh_opening_right_deg": "deg",
    "leg_elevation_left_deg": "deg",
    "leg_elevation_right_deg": "deg",
    "hand_under_shoulder_left_pct": "pct",
    "hand_under_shoulder_right_pct": "pct",
    "hip_angle_deg": "deg",
    "hips_square_deg": "deg",
    "com_outside_support_pct": "pct",
    "torso_yaw_deg": "deg",
    "trunk_tilt_deg": "deg",
    "feet_grounded": "count",
}


def measure_all(
    xy_px: FloatArray, visibility: FloatArray | None = None, world: FloatArray | None = None
) -> tuple[StrArray, dict[str, Measure]]:
    """Every metric of :data:`METRIC_UNITS`, and the view it was measured from.

    Args:
        xy_px: ``(..., 33, 2)`` pixels (x right, y down).
        visibility: ``(..., 33)`` MediaPipe visibility in [0, 1], or None (all seen).
        world: ``(..., 33, 3)`` world metres, or None.
    Returns:
        ``(view, metrics)``: view ``(...)`` of "front"/"oblique"/"side"/"unknown" and a
        :class:`Measure` per metric name.
    """
    xy_px = np.asarray(xy_px, dtype=np.float64)
    yaw = torso_yaw_deg(xy_px, world)
    view = classify_view(yaw)
    tilt = trunk_tilt_deg(xy_px, world)
    out: dict[str, Measure] = {}
    for side in SIDES:
        fppa, disp = knee_valgus(xy_px, visibility, view, side, world, yaw, tilt)
        out[f"knee_valgus_{side}_deg"] = fppa
        out[f"knee_medial_disp_{side}_pct"] = disp
    out["knee_ankle_gap_ratio"] = knee_ankle_gap_ratio(xy_px, visibility, view)
    for side in SIDES:
        out[f"knee_angle_{side}_deg"] = knee_angle(xy_px, visibility, view, side, world)
    out["pelvic_obliquity_deg"], out["hip_height_diff_pct"] = pelvis_level(xy_px, visibility, view)
    out["pelvis_rotation_deg"] = pelvis_rotation(xy_px, world)
    for side in SIDES:
        out[f"hip_extension_{side}_deg"] = hip_extension(xy_px, visibility, view, side)
    out["weight_left_pct"], out["weight_right_pct"] = weight_share(xy_px, visibility, world)
    out["com_offset_foot_lengths"] = com_offset_from_foot(xy_px, world, visibility)
    for side in SIDES:
        out[f"shin_angle_{side}_deg"] = shin_angle(xy_px, visibility, view, side, world)
        out[f"heel_lift_{side}_pct"] = heel_lift(xy_px, visibility, view, side)
        out[f"foot_knee_gap_{side}_pct"] = foot_knee_gap(xy_px, visibility, side)
        out[f"thigh_abduction_{side}_deg"] = thigh_abduction(xy_px, visibility, view, side)
        out[f"thigh_out_of_plane_{side}_deg"] = thigh_out_of_plane(xy_px, visibility, world, side)
        out[f"hip_abduction_{side}_deg"] = hip_abduction(xy_px, visibility, view, side)
        out[f"thigh_opening_{side}_deg"] = thigh_opening(xy_px, visibility, view, side)
        out[f"leg_elevation_{side}_deg"] = leg_elevation(xy_px, visibility, side)
        out[f"hand_under_shoulder_{side}_pct"] = hand_under_shoulder(xy_px, visibility, side)
    out["hip_angle_deg"] = hip_angle(xy_px, visibility, view)
    out["hips_square_deg"] = hips_square(world, xy_px.shape[:-2])
    out["com_outside_support_pct"] = com_outside_support(xy_px, world)
    out["torso_yaw_deg"] = gate(yaw)
    out["trunk_tilt_deg"] = gate(tilt)
    grounded = grounded_contacts(xy_px, world)
    out["feet_grounded"] = gate(
        grounded["left_foot"].astype(np.float64) + grounded["right_foot"].astype(np.float64),
        (~_seen(visibility, *_FOOT["left"], *_FOOT["right"]), "feet not visible"),
    )
    return view, {name: out[name] for name in METRIC_UNITS}


def base_of_support_px(
    xy_px: FloatArray, world: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Floor line and base of support along it.

    Args:
        xy_px: ``(..., 33, 2)`` pixels.
    Returns:
        ``(floor_y, support_min_x, support_max_x)``, each ``(...)`` pixels; the support
        spans the horizontal extents of all grounded feet and hands.
    """
    contacts = contact_points(xy_px)
    grounded = grounded_contacts(xy_px, world)
    floor = np.maximum(contacts["left_foot"][0], contacts["right_foot"][0])
    lo = np.full(floor.shape, np.inf)
    hi = np.full(floor.shape, -np.inf)
    for name, (_, extent) in contacts.items():
        g = grounded[name]
        lo = np.where(g, np.minimum(lo, extent[..., 0]), lo)
        hi = np.where(g, np.maximum(hi, extent[..., 1]), hi)
    return floor, lo, hi
