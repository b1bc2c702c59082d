"""Clean 3D bodies for the registered poses, and faults that each spoil one check.

Same conventions as :mod:`tests.factories` (metres; x = the body's LEFT when standing,
y = up, z = the body's FRONT when standing; floor y = 0), and every body is photographed
with :func:`tests.factories.camera_view`. Segment lengths, the face, the hands and the feet
are those of :func:`tests.factories.standing_body`, re-placed limb by limb, so nothing here
is a new anatomy: only joint angles are chosen, each with its reason.

Each pose is built for the LEFT working side (front leg, standing leg) and mirrored for the
right (:func:`mirror`). Fault keywords move one thing, sized by the caller (the tests size
them from the check's own thresholds); the pose functions' docstrings say which keyword
spoils which check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from posecheck.landmarks import N_LANDMARKS
from posecheck.landmarks import Landmark as L
from posecheck.measure.geometry import center_of_mass
from tests.factories import (
    ANKLE_Y,
    HIP_HALF_WIDTH,
    HIP_Y,
    KNEE_Y,
    SHOULDER_HALF_WIDTH,
    SHOULDER_Y,
    FloatArray,
    standing_body,
)

X = np.array([1.0, 0.0, 0.0])
Y = np.array([0.0, 1.0, 0.0])
Z = np.array([0.0, 0.0, 1.0])

_STAND = standing_body()


def _dist(a: FloatArray, b: FloatArray) -> float:
    return float(np.linalg.norm(a - b))


# Segment lengths of the factory's standing body.
THIGH = HIP_Y - KNEE_Y
SHANK = KNEE_Y - ANKLE_Y
LEG = THIGH + SHANK  # hip to ankle, straight
TRUNK = SHOULDER_Y - HIP_Y  # mid-hip to mid-shoulder
UPPER_ARM = _dist(_STAND[L.LEFT_SHOULDER], _STAND[L.LEFT_ELBOW])
FOREARM = _dist(_STAND[L.LEFT_ELBOW], _STAND[L.LEFT_WRIST])
ARM = UPPER_ARM + FOREARM  # shoulder to wrist, straight
FOOT = _dist(_STAND[L.LEFT_HEEL], _STAND[L.LEFT_FOOT_INDEX])  # heel to toes

SIDES = ("left", "right")
_FACE = list(range(L.LEFT_SHOULDER))  # nose, eyes, ears, mouth come first
_HAND = ("PINKY", "INDEX", "THUMB")
_FOOT_PTS = ("HEEL", "FOOT_INDEX")


def _unit(v: FloatArray) -> FloatArray:
    return np.asarray(v / np.linalg.norm(v), dtype=np.float64)


def _lm(side: str, joint: str) -> int:
    return int(L[f"{side.upper()}_{joint}"])


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _sign(side: str) -> float:
    """+1 for the left side (at +x when standing), -1 for the right."""
    return 1.0 if side == "left" else -1.0


def _in_frame(points: FloatArray, origin: FloatArray, axes: Sequence[FloatArray]) -> FloatArray:
    """``points`` relative to ``origin``, as coordinates along the orthonormal ``axes``."""
    return np.asarray((points - origin) @ np.stack(axes).T, dtype=np.float64)


def _from_frame(coords: FloatArray, origin: FloatArray, axes: Sequence[FloatArray]) -> FloatArray:
    return np.asarray(origin + coords @ np.stack(axes), dtype=np.float64)


# The face, hands and feet of the standing body, in frames that travel with them:
# face: (left, up, front) from mid-shoulder; hand: (along the forearm, thumb side, back of
# the hand) from the wrist; foot: (toes, top of the foot, outward) from the ankle.
_MID_SH0 = (_STAND[L.LEFT_SHOULDER] + _STAND[L.RIGHT_SHOULDER]) / 2
_FACE_LOCAL = _in_frame(_STAND[_FACE], _MID_SH0, (X, Y, Z))
_HAND_LOCAL = _in_frame(_STAND[[_lm("left", j) for j in _HAND]], _STAND[L.LEFT_WRIST], (-Y, Z, X))
_FOOT_LOCAL = _in_frame(
    _STAND[[_lm("left", j) for j in _FOOT_PTS]], _STAND[L.LEFT_ANKLE], (Z, Y, X)
)


# --------------------------------------------------------------------------- placing parts


def _axes(first: FloatArray, second: FloatArray, sign: float = 1.0) -> tuple[FloatArray, ...]:
    """Orthonormal ``(first, second, sign * first x second)``; ``second`` loses its part
    along ``first`` (Gram-Schmidt)."""
    a = _unit(first)
    b = _unit(second - (second @ a) * a)
    return a, b, sign * np.cross(a, b)


def _put_head(p: FloatArray, mid_shoulder: FloatArray, left: FloatArray, up: FloatArray) -> None:
    """Face points of the standing body, carried by the trunk's (left, up) axes."""
    p[_FACE] = _from_frame(_FACE_LOCAL, mid_shoulder, _axes(left, up))


def _put_hand(p: FloatArray, side: str, along: FloatArray, thumb: FloatArray) -> None:
    """Hand points around the placed wrist: fingers ``along``, thumb side ``thumb`` (the
    back of the hand faces ``thumb x along`` for the left hand, the reverse for the right)."""
    idx = [_lm(side, j) for j in _HAND]
    p[idx] = _from_frame(_HAND_LOCAL, p[_lm(side, "WRIST")], _axes(along, thumb, -_sign(side)))


def _foot_axes(side: str, toes: FloatArray, top: FloatArray) -> tuple[FloatArray, ...]:
    return _axes(toes, top, -_sign(side))  # the third axis points away from the midline


def _put_foot(p: FloatArray, side: str, toes: FloatArray, top: FloatArray) -> None:
    """Heel and toes around the placed ankle: toes pointing ``toes``, instep ``top``."""
    idx = [_lm(side, j) for j in _FOOT_PTS]
    p[idx] = _from_frame(_FOOT_LOCAL, p[_lm(side, "ANKLE")], _foot_axes(side, toes, top))


def _foot_low_offset(toes: FloatArray, top: FloatArray) -> float:
    """How far the foot's lowest point (heel or toes) lies below the ankle."""
    pts = _from_frame(_FOOT_LOCAL, np.zeros(3), _foot_axes("left", toes, top))
    return float(-np.min(pts[:, 1]))


def _two_link(a: FloatArray, c: FloatArray, l1: float, l2: float, hint: FloatArray) -> FloatArray:
    """The middle joint b of a chain a-b-c with ``|ab| = l1``, ``|bc| = l2``, bent toward
    ``hint`` (a direction; its part along a->c is ignored)."""
    d = _dist(a, c)
    u = (c - a) / d
    along = (d * d + l1 * l1 - l2 * l2) / (2 * d)  # law of cosines, projected on a->c
    r = math.sqrt(max(l1 * l1 - along * along, 0.0))
    side = hint - (hint @ u) * u
    return np.asarray(a + along * u + r * _unit(side), dtype=np.float64)


def _knee_between(hip: FloatArray, ankle: FloatArray, hint: FloatArray) -> FloatArray:
    return _two_link(hip, ankle, THIGH, SHANK, hint)


def _chain_length_for_angle(l1: float, l2: float, angle_deg: float) -> float:
    """End-to-end distance of a two-segment chain whose interior angle is ``angle_deg``."""
    t = math.radians(angle_deg)
    return math.sqrt(l1 * l1 + l2 * l2 - 2 * l1 * l2 * math.cos(t))


def _rotate(v: FloatArray, axis: FloatArray, deg: float) -> FloatArray:
    """Rodrigues' rotation of ``v`` (``(..., 3)``) about ``axis`` by ``deg`` (right hand)."""
    k = _unit(axis)
    t = math.radians(deg)
    return np.asarray(
        v * math.cos(t)
        + np.cross(k, v) * math.sin(t)
        + np.outer(v @ k, k).reshape(v.shape) * (1 - math.cos(t)),
        dtype=np.float64,
    )


def _solve(f: Callable[[float], float], lo: float, hi: float) -> float:
    """Root of a monotone ``f`` on ``[lo, hi]`` by bisection (f(lo), f(hi) of opposite sign)."""
    flo = f(lo)
    if flo * f(hi) > 0:
        raise ValueError("no sign change: the asked fault is out of this body's reach")
    while hi - lo > 1e-9 * max(1.0, abs(hi)):
        mid = (lo + hi) / 2
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def projected_angle_deg(a: FloatArray, b: FloatArray, c: FloatArray, yaw_deg: float) -> float:
    """Angle between a->b and b->c as an orthographic camera at ``yaw_deg`` draws them
    (the factories' camera: image right = (cos t, 0, sin t), up = y); 0 = in line."""
    t = math.radians(yaw_deg)
    right = np.array([math.cos(t), 0.0, math.sin(t)])

    def flat(v: FloatArray) -> FloatArray:
        return np.array([v @ right, v[1]])

    u, v = flat(b - a), flat(c - b)
    cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def projected_offset_pct(a: FloatArray, b: FloatArray, c: FloatArray, yaw_deg: float) -> float:
    """Distance of ``b`` from the line a->c as the camera at ``yaw_deg`` draws it, in % of
    the drawn path a-b-c (the medial knee displacement's definition, unsigned)."""
    t = math.radians(yaw_deg)
    right = np.array([math.cos(t), 0.0, math.sin(t)])

    def flat(v: FloatArray) -> FloatArray:
        return np.array([v @ right, v[1]])

    axis, off = flat(c - a), flat(b - a)
    dist = abs(float(axis[0] * off[1] - axis[1] * off[0])) / float(np.linalg.norm(axis))
    path = float(np.linalg.norm(flat(b - a)) + np.linalg.norm(flat(c - b)))
    return 100.0 * dist / path


def mirror(body: FloatArray) -> FloatArray:
    """The same pose done on the other side: reflect x and swap LEFT_/RIGHT_ names."""
    out = body.copy()
    out[:, 0] = -out[:, 0]
    for lm in L:
        if "LEFT" in lm.name:
            twin = L[lm.name.replace("LEFT", "RIGHT")]
            out[[lm, twin]] = out[[twin, lm]]
    return out


def _sided(body: FloatArray, side: str) -> FloatArray:
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    return body if side == "left" else mirror(body)


def _centre_on_hips(body: FloatArray) -> FloatArray:
    """Shift horizontally so the mid-hip sits over the origin (the picture's centre)."""
    mid = (body[L.LEFT_HIP] + body[L.RIGHT_HIP]) / 2
    return np.asarray(body - np.array([mid[0], 0.0, mid[2]]), dtype=np.float64)


def _com(body: FloatArray) -> FloatArray:
    """Whole-body centre of mass (posecheck's de Leva model, tested in test_geometry)."""
    return np.asarray(center_of_mass(body), dtype=np.float64)


def _foot_centre(body: FloatArray, side: str) -> FloatArray:
    """Mean of ankle, heel and toes: the point the lever rule uses for a foot."""
    return np.asarray(
        body[[_lm(side, j) for j in ("ANKLE", "HEEL", "FOOT_INDEX")]].mean(axis=0),
        dtype=np.float64,
    )


def _lever_share(body: FloatArray, side: str, axis: FloatArray) -> float:
    """Percent of the weight on ``side``'s foot by the lever rule along ``axis``."""
    near, far = _foot_centre(body, side) @ axis, _foot_centre(body, _other(side)) @ axis
    return float(100 * (_com(body) @ axis - far) / (near - far))


def _bend_sideways(body: FloatArray, toward: str, deg: float) -> FloatArray:
    """Side-bend everything above the hips ``deg`` toward ``toward``'s side (about the
    fore-aft axis through the mid-hip)."""
    out = body.copy()
    hips = (out[L.LEFT_HIP] + out[L.RIGHT_HIP]) / 2
    upper = list(range(L.LEFT_HIP))  # face, shoulders, arms and hands come first
    out[upper] = hips + _rotate(out[upper] - hips, Z, -_sign(toward) * deg)
    return out


def _swing_knee_until(
    body: FloatArray,
    side: str,
    reading: Callable[[FloatArray, FloatArray, FloatArray, float], float],
    target: float,
) -> FloatArray:
    """Swing a bent knee about its hip-ankle axis toward the midline (both segments keep
    their length, as in a knee caving in) until the front camera's ``reading(hip, knee,
    ankle, yaw)`` of it has grown by ``target`` from the clean body's."""
    out = body.copy()
    hip, knee, ankle = (out[_lm(side, j)].copy() for j in ("HIP", "KNEE", "ANKLE"))
    axis = ankle - hip
    # Which way the swing goes: the one that moves the knee toward the body's midline.
    medial = -_sign(side) * X

    def swung(deg: float) -> FloatArray:
        return np.asarray(hip + _rotate(knee - hip, axis, deg), dtype=np.float64)

    step = 1.0 if (swung(1.0) - knee) @ medial > 0 else -1.0
    base = reading(hip, knee, ankle, 0.0)
    deg = _solve(lambda d: reading(hip, swung(step * d), ankle, 0.0) - base - target, 0.0, 90.0)
    out[_lm(side, "KNEE")] = swung(step * deg)
    return out


def _knee_toward_midline(body: FloatArray, side: str, fppa_deg: float) -> FloatArray:
    """Cave a bent knee in until the front camera sees thigh and shank meet at
    ``fppa_deg`` more than before. A straight leg has nothing to swing: see
    :func:`_displace_knee`."""
    return _swing_knee_until(body, side, projected_angle_deg, fppa_deg)


def _knee_toward_midline_pct(body: FloatArray, side: str, pct: float) -> FloatArray:
    """Cave a bent knee in until the front camera sees it ``pct`` % of the leg's drawn
    length further off its hip-ankle line."""
    return _swing_knee_until(body, side, projected_offset_pct, pct)


def _displace_knee(body: FloatArray, side: str, fppa_deg: float) -> FloatArray:
    """:func:`tests.factories.displace_knee` for a leg that need not be vertical: the knee
    goes to the middle of hip-ankle and then off that line, in the frontal plane, toward
    the midline by ``(d / 2) tan(fppa / 2)`` (``d`` the hip-ankle distance), so thigh and
    shank meet at ``fppa_deg`` seen from the front (each stretches by ``1 / cos(fppa / 2)``:
    under 1 % up to 16 deg)."""
    out = body.copy()
    hip, ankle = out[_lm(side, "HIP")], out[_lm(side, "ANKLE")]
    d = ankle - hip
    perp = _unit(np.array([-d[1], d[0], 0.0]))  # in the frontal plane, across the leg
    if perp @ X * _sign(side) > 0:  # make it point toward the midline
        perp = -perp
    half = float(np.hypot(d[0], d[1])) / 2
    out[_lm(side, "KNEE")] = (hip + ankle) / 2 + perp * half * math.tan(math.radians(fppa_deg) / 2)
    return out


# --------------------------------------------------------------------------- Warrior 1

#: The front knee 5 deg short of a right angle (thigh 5 deg above parallel): at exactly
#: 90 deg a level camera in front sees the thigh end-on, as a point, and no knee line.
W1_FRONT_KNEE_DEG = 95.0
#: The back foot turns out 45 deg (yoga teaching: 45-60 deg), heel down.
W1_BACK_FOOT_TURNOUT_DEG = 45.0


def warrior1(
    front: str = "left",
    *,
    front_knee_deg: float = W1_FRONT_KNEE_DEG,
    shin_deg: float = 0.0,
    back_knee_deg: float = 180.0,
    trunk_lean_deg: float = 0.0,
    hips_open_deg: float = 0.0,
    back_heel_rise: float | None = None,
) -> FloatArray:
    """Warrior 1 with the ``front`` leg forward (+z), feet hip-width apart.

    Front shin vertical, knee :data:`W1_FRONT_KNEE_DEG`; back leg straight, back foot flat
    and turned out; pelvis and shoulders square to the front; trunk upright; arms
    overhead in line with the trunk. Derived: the straight back leg reaches the floor
    ``sqrt(LEG^2 - (hip height - ankle height)^2)`` behind the hips (~1.1 m between
    the ankles), the hip line stands at ``90 - atan(hip width / fore-aft ankle gap)``
    (~80 deg) to the feet line, and the back thigh is ~57 deg behind the upright trunk.

    Fault keywords (each spoils one check):
        front_knee_deg: front knee angle (``front_knee_90``).
        shin_deg: front shin tilted forward, knee angle kept (``front_knee_over_ankle``).
        back_knee_deg: back knee angle (``back_knee_straight``).
        trunk_lean_deg: trunk and arms tipped forward about the hips (``back_hip_extended``).
        hips_open_deg: pelvis turned about the vertical, back hip going back
            (``hips_square``).
        back_heel_rise: back heel above the back toes, metres; the foot pivots on the toes
            (``back_heel_down``).
    """
    p = np.zeros((N_LANDMARKS, 3))
    f, b = "left", "right"  # built with the left leg in front, mirrored for the right
    # Front leg, in the plane x = +HIP_HALF_WIDTH: ankle at the origin of z, the shin
    # tipped forward by shin_deg, the thigh meeting it at front_knee_deg.
    t, k = math.radians(shin_deg), math.radians(front_knee_deg)
    p[_lm(f, "ANKLE")] = (HIP_HALF_WIDTH, ANKLE_Y, 0.0)
    p[_lm(f, "KNEE")] = p[_lm(f, "ANKLE")] + SHANK * np.array([0, math.cos(t), math.sin(t)])
    # Knee-to-hip direction: the knee-to-ankle direction turned backward by the knee angle.
    p[_lm(f, "HIP")] = p[_lm(f, "KNEE")] + THIGH * np.array([0, -math.cos(t + k), -math.sin(t + k)])
    _put_foot(p, f, Z, Y)
    # Pelvis: the back hip one hip width across, turned back by hips_open_deg.
    o = math.radians(hips_open_deg)
    p[_lm(b, "HIP")] = p[_lm(f, "HIP")] + 2 * HIP_HALF_WIDTH * np.array(
        [-math.cos(o), 0, -math.sin(o)]
    )
    # Back foot turned out (toward its own side, -x); pivoting on the toes lifts the heel.
    turn = math.radians(W1_BACK_FOOT_TURNOUT_DEG)
    toes = np.array([-math.sin(turn), 0.0, math.cos(turn)])
    top = Y
    if back_heel_rise is not None:
        heel_to_toe = _FOOT_LOCAL[1] - _FOOT_LOCAL[0]  # (toes, top, out) components
        # heel height over the toes after pitching the foot by a: rise = R sin(a + a0)
        r0 = math.hypot(heel_to_toe[0], heel_to_toe[1])
        a0 = math.atan2(-heel_to_toe[1], heel_to_toe[0])
        a = math.asin(back_heel_rise / r0) - a0
        toes, top = (
            math.cos(a) * toes - math.sin(a) * Y,
            math.sin(a) * toes + math.cos(a) * Y,
        )
    # Back ankle: as high as the (pitched) foot puts it, straight back from the back hip,
    # as far as the back leg (bent to back_knee_deg) reaches.
    ankle_y = _foot_low_offset(toes, top)
    reach = _chain_length_for_angle(THIGH, SHANK, back_knee_deg)
    hip_b = p[_lm(b, "HIP")]
    drop = hip_b[1] - ankle_y
    p[_lm(b, "ANKLE")] = (hip_b[0], ankle_y, hip_b[2] - math.sqrt(reach**2 - drop**2))
    # A bent back knee drops toward the floor and forward.
    p[_lm(b, "KNEE")] = _knee_between(hip_b, p[_lm(b, "ANKLE")], np.array([0.0, -1.0, 1.0]))
    _put_foot(p, b, toes, top)
    # Trunk, upright, or tipped forward about the mid-hip; shoulders square.
    mid_hip = (p[_lm(f, "HIP")] + hip_b) / 2
    lean = math.radians(trunk_lean_deg)
    up = np.array([0.0, math.cos(lean), math.sin(lean)])
    mid_sh = mid_hip + TRUNK * up
    _put_head(p, mid_sh, X, up)
    for side in SIDES:
        sh = mid_sh + _sign(side) * SHOULDER_HALF_WIDTH * X
        p[_lm(side, "SHOULDER")] = sh
        p[_lm(side, "ELBOW")] = sh + UPPER_ARM * up
        p[_lm(side, "WRIST")] = sh + ARM * up
        _put_hand(p, side, up, -np.cross(X, up))  # palms facing, thumbs back
    return _sided(_centre_on_hips(p), front)


def warrior1_hips_to_feet_deg(body: FloatArray) -> float:
    """Hip line against the ankle line seen from above, folded to [0, 90] degrees."""
    hips = (body[L.LEFT_HIP] - body[L.RIGHT_HIP])[[0, 2]]
    feet = (body[L.LEFT_ANKLE] - body[L.RIGHT_ANKLE])[[0, 2]]
    return math.degrees(math.acos(abs(hips @ feet) / (np.linalg.norm(hips) * np.linalg.norm(feet))))


def warrior1_back_hip_extension_deg(body: FloatArray, front: str) -> float:
    """Back thigh (hip->knee) against the trunk line (mid-shoulder->back hip), as a side
    camera draws them (unsigned; the clean body's thigh lies behind the line)."""
    mid_sh = (body[L.LEFT_SHOULDER] + body[L.RIGHT_SHOULDER]) / 2
    back = _other(front)
    return projected_angle_deg(mid_sh, body[_lm(back, "HIP")], body[_lm(back, "KNEE")], 90.0)


def warrior1_hips_open(front: str, hips_to_feet_deg: float) -> FloatArray:
    """Warrior 1 with the pelvis turned open until the hip line is ``hips_to_feet_deg``
    from the feet line seen from above (``hips_square``)."""
    clean = warrior1_hips_to_feet_deg(warrior1(front))
    opened = _solve(
        lambda o: warrior1_hips_to_feet_deg(warrior1(front, hips_open_deg=o)) - hips_to_feet_deg,
        0.0,
        clean,
    )
    return warrior1(front, hips_open_deg=opened)


def warrior1_knee_in(front: str, fppa_deg: float) -> FloatArray:
    """Warrior 1 with the front knee caved toward the midline about its hip-ankle axis
    until the front view shows a ``fppa_deg`` frontal-plane angle (``front_knee_midline``)."""
    return _knee_toward_midline(warrior1(front), front, fppa_deg)


def warrior1_knee_in_pct(front: str, pct: float) -> FloatArray:
    """Warrior 1 with the front knee caved toward the midline about its hip-ankle axis
    until the front view shows it ``pct`` % of leg length further off its hip-ankle line
    (``front_knee_midline``, measured as the medial knee displacement)."""
    return _knee_toward_midline_pct(warrior1(front), front, pct)


def warrior1_hip_dropped(front: str, obliquity_deg: float) -> FloatArray:
    """Warrior 1 with the back hip ``HIP width * tan(obliquity)`` lower than the front one
    (``hips_level``)."""
    body = warrior1(front)
    body[_lm(_other(front), "HIP"), 1] -= 2 * HIP_HALF_WIDTH * math.tan(math.radians(obliquity_deg))
    return body


def warrior1_weight_forward(front: str, share_pct: float) -> FloatArray:
    """Warrior 1 with the upper body (head, trunk top, arms) carried forward over the front
    foot until the lever rule along the feet line (a side view) puts ``share_pct`` % on
    it (``weight_not_on_front``, judged from the side)."""
    body = warrior1(front)
    upper = np.arange(int(L.LEFT_HIP))  # every landmark above the hips

    def shifted(d: float) -> FloatArray:
        out = body.copy()
        out[upper] += d * Z
        return out

    return shifted(_solve(lambda d: _lever_share(shifted(d), front, Z) - share_pct, 0.0, 1.0))


# --------------------------------------------------------------------------- Tree

#: Half the thickness of the thigh: the lifted heel rests on the standing thigh's inner
#: surface this far from its axis (a thigh is ~0.14 m across above the knee).
THIGH_RADIUS = 0.07
#: The lifted foot's centre (midway heel-toes) sits on the inner thigh this far above
#: the standing knee: well clear of the joint (Tree's rule), the heel near the groin
#: (rendered Trees with the foot on the thigh: centre 27-29 % of a leg above the knee).
TREE_FOOT_ABOVE_KNEE = 0.20
#: Prayer hands, left wrist from mid-shoulder: half a palm's thickness off the midline,
#: at the sternum a hand's width below the shoulders, in front of the chest.
PRAYER_WRIST = np.array([0.02, -0.20, 0.20])


def _balance_foot(
    build: Callable[[FloatArray], FloatArray], side: str, offset: FloatArray
) -> FloatArray:
    """Place the standing foot (``build(ankle_xz)``) so that its centre lies ``offset``
    (x, z metres) from the centre of mass: fixed-point iteration, since moving the foot
    moves the COM only through the leg's own small mass."""
    ankle = np.zeros(2)
    for _ in range(100):
        body = build(ankle)
        miss = (_com(body) + np.array([offset[0], 0.0, offset[1]]) - _foot_centre(body, side))[
            [0, 2]
        ]
        if np.abs(miss).max() < 1e-12:
            break
        ankle = ankle + miss
    return body


def tree(
    standing: str = "left",
    *,
    foot_above_knee: float = TREE_FOOT_ABOVE_KNEE,
    knee_forward_deg: float = 0.0,
    standing_knee_deg: float = 180.0,
    hip_hike: float = 0.0,
    com_offset: float = 0.0,
) -> FloatArray:
    """Tree on the ``standing`` leg: standing leg straight, its foot flat under the
    centre of mass (so the straight leg slants in toward the midline, as a one-legged
    stance does); pelvis level, trunk upright; the lifted heel on the
    standing thigh's inner side, sole against it, toes down; the lifted knee as far out to
    the side as the heel allows (the knee in the frontal plane: ~63 deg from the trunk's
    down line seen from the front, derived from the two-segment leg); hands in prayer.

    Fault keywords (each spoils one check):
        foot_above_knee: height of the lifted foot's centre (midway between heel and
            toes) over the standing knee, metres, negative below it (``foot_off_knee``).
        knee_forward_deg: the lifted knee swung forward about its hip-ankle axis
            (``lifted_knee_open``).
        standing_knee_deg: standing knee angle, knee forward (``standing_leg_straight``).
        hip_hike: the lifted side's hip, and the leg hanging from it, raised (metres)
            (``pelvis_level``).
        com_offset: the standing foot this far out from under the COM, away from the
            midline, metres (``com_over_foot``).
    """
    s, o = "left", "right"  # built standing on the left, mirrored for the right
    reach = _chain_length_for_angle(THIGH, SHANK, standing_knee_deg)

    def build(ankle_xz: FloatArray) -> FloatArray:
        p = np.zeros((N_LANDMARKS, 3))
        hip = np.array([HIP_HALF_WIDTH, 0.0, 0.0])
        ankle = np.array([ankle_xz[0], ANKLE_Y, ankle_xz[1]])
        flat = np.hypot(*(hip - ankle)[[0, 2]])
        hip[1] = ANKLE_Y + math.sqrt(reach**2 - flat**2)
        p[_lm(s, "HIP")], p[_lm(s, "ANKLE")] = hip, ankle
        p[_lm(s, "KNEE")] = _knee_between(hip, ankle, Z)  # a bent knee goes forward
        _put_foot(p, s, Z, Y)
        p[_lm(o, "HIP")] = hip - 2 * HIP_HALF_WIDTH * X + hip_hike * Y
        mid_hip = (hip + p[_lm(o, "HIP")]) / 2
        mid_sh = mid_hip + TRUNK * Y
        _put_head(p, mid_sh, X, Y)
        for side in SIDES:
            sh = mid_sh + _sign(side) * SHOULDER_HALF_WIDTH * X
            wrist = mid_sh + PRAYER_WRIST * np.array([_sign(side), 1.0, 1.0])
            p[_lm(side, "SHOULDER")], p[_lm(side, "WRIST")] = sh, wrist
            # elbows hang out and down beside the ribs
            p[_lm(side, "ELBOW")] = _two_link(
                sh, wrist, UPPER_ARM, FOREARM, np.array([_sign(side), -1.0, 0.0])
            )
            _put_hand(p, side, Y, -Z)  # fingers up, palms together
        # Lifted foot: heel on the standing thigh's inner side, toes down, instep out.
        knee = p[_lm(s, "KNEE")]
        toes, top = -Y, -X
        foot = _from_frame(_FOOT_LOCAL, np.zeros(3), _foot_axes(o, toes, top))  # from ankle
        heel_offset = foot[0]
        heel_above_centre = heel_offset[1] - (foot[0][1] + foot[1][1]) / 2  # toes hang down
        heel_above_knee = foot_above_knee + heel_above_centre
        along = (heel_above_knee / (hip[1] - knee[1])) * (hip - knee)
        heel = knee + along - THIGH_RADIUS * X + hip_hike * Y
        p[_lm(o, "ANKLE")] = heel - heel_offset
        _put_foot(p, o, toes, top)
        # Lifted knee: out to the side, then swung forward about the hip-ankle axis.
        hip_o, ankle_o = p[_lm(o, "HIP")], p[_lm(o, "ANKLE")]
        knee_out = _knee_between(hip_o, ankle_o, -X)
        axis = ankle_o - hip_o  # points down: a right-hand turn about it takes -x to -z
        p[_lm(o, "KNEE")] = hip_o + _rotate(knee_out - hip_o, axis, -knee_forward_deg)
        return p

    body = _balance_foot(build, s, np.array([com_offset, 0.0]))
    return _sided(_centre_on_hips(body), standing)


def thigh_out_of_plane_deg(body: FloatArray, side: str) -> float:
    """Angle of ``side``'s thigh (hip -> knee) out of the frontal (x-y) plane, degrees:
    what a camera at the body's front sees (``thigh_out_of_plane``)."""
    d = body[_lm(side, "KNEE")] - body[_lm(side, "HIP")]
    return math.degrees(math.atan2(abs(d[2]), math.hypot(d[0], d[1])))


def tree_knee_forward(standing: str, out_of_plane_deg: float) -> FloatArray:
    """Tree with the lifted knee swung forward until its thigh turns ``out_of_plane_deg``
    out of the frontal plane (``lifted_knee_open``)."""
    lifted = _other(standing)

    def miss(deg: float) -> float:
        body = tree(standing, knee_forward_deg=deg)
        return thigh_out_of_plane_deg(body, lifted) - out_of_plane_deg

    return tree(standing, knee_forward_deg=_solve(miss, 0.0, 90.0))


def tree_knee_in(standing: str, fppa_deg: float) -> FloatArray:
    """Tree with the standing knee displaced toward the midline to ``fppa_deg`` seen
    from the front (``standing_knee_midline``)."""
    return _displace_knee(tree(standing), standing, fppa_deg)


# --------------------------------------------------------------------------- Half Moon


def half_moon(
    standing: str = "left",
    *,
    standing_knee_deg: float = 180.0,
    knee_in_deg: float = 0.0,
    hips_roll_deg: float = 0.0,
    lifted_leg_deg: float = 0.0,
    hand_forward: float = 0.0,
    hand_lifted: bool = False,
    foot_back: float = 0.0,
) -> FloatArray:
    """Half Moon on the ``standing`` leg, chest toward +z (the camera at yaw 0), head
    toward the standing side's +x.

    Standing leg straight and vertical, foot pointing toward the hand; hips stacked (hip
    line vertical); lifted leg straight out from the top hip, level; upper arm straight
    up; lower arm straight down from its shoulder to the fingertips on the floor. A
    straight arm (shoulder to knuckles ~0.62 m) cannot reach the floor from a horizontal
    trunk whose lower shoulder is at 0.8 m, so the trunk slopes down toward the head just
    enough for it to (~20 deg, derived), bending sideways at the waist over the stacked
    hips.

    Fault keywords (each spoils one check):
        standing_knee_deg: standing knee angle, the knee going forward toward the hand
            (``standing_leg_straight``).
        knee_in_deg: the direction of that bend turned from over the toes toward the
            chest (the knee rolling in; ``standing_knee_tracking``).
        hips_roll_deg: top hip and lifted leg rolled toward the floor about the
            horizontal axis through the standing hip (``hips_stacked``).
        lifted_leg_deg: lifted leg raised (positive) or dropped from level
            (``lifted_leg_level``).
        hand_forward: lower hand this far ahead of the shoulder, metres, the trunk dipping
            so the straight arm still reaches the floor (``hand_under_shoulder``).
        hand_lifted, foot_back: with the lower hand lifted off the floor (elbow bent a
            right angle, forearm toward the camera) and the standing foot this far behind
            the hips, the body tips forward past its base (``com_over_base``).
    """
    p = np.zeros((N_LANDMARKS, 3))
    s, o = "left", "right"  # built standing on the left, mirrored for the right
    # Standing leg: foot flat, toes toward +x; hip straight above the ankle unless the
    # foot stands back; a bent knee goes forward (+x).
    reach = _chain_length_for_angle(THIGH, SHANK, standing_knee_deg)
    ankle = np.array([-foot_back, ANKLE_Y, 0.0])
    hip = np.array([0.0, ANKLE_Y + math.sqrt(reach**2 - foot_back**2), 0.0])
    p[_lm(s, "ANKLE")], p[_lm(s, "HIP")] = ankle, hip
    # The bend goes over the toes (+x), or knee_in_deg of the way round toward the chest.
    t = math.radians(knee_in_deg)
    p[_lm(s, "KNEE")] = _knee_between(hip, ankle, np.array([math.cos(t), 0.0, math.sin(t)]))
    _put_foot(p, s, X, Y)
    # Pelvis stacked: the body's left points down, so the top hip is the right one.
    top_hip = hip + 2 * HIP_HALF_WIDTH * Y
    # Lifted leg straight out from the top hip along -x, level unless lifted_leg_deg.
    e = math.radians(lifted_leg_deg)
    out = np.array([-math.cos(e), math.sin(e), 0.0])
    p[_lm(o, "HIP")] = top_hip
    p[_lm(o, "KNEE")] = top_hip + THIGH * out
    p[_lm(o, "ANKLE")] = top_hip + LEG * out
    _put_foot(p, o, Z, -out)  # toes toward the chest side, heel reaching out
    if hips_roll_deg:
        rolled = [_lm(o, j) for j in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
        # a right-hand turn about +x tips the pelvis's front (+z) toward the floor and
        # brings the top hip toward the camera
        p[rolled] = hip + _rotate(p[rolled] - hip, X, hips_roll_deg)
    # Trunk: slopes down toward the head by d until the lower shoulder is a straight arm
    # (plus the fingers) above the floor, the hand hand_forward ahead of the shoulder:
    # lower shoulder height = mid-hip height - TRUNK sin d - SHOULDER_HALF_WIDTH cos d.
    mid_hip = hip + HIP_HALF_WIDTH * Y
    fingers = float(np.max(_HAND_LOCAL[:, 0]))  # knuckles below the wrist, hand hanging
    shoulder_y = fingers + math.sqrt(ARM**2 - hand_forward**2)
    rhs = mid_hip[1] - shoulder_y
    phase = math.atan2(SHOULDER_HALF_WIDTH, TRUNK)
    d = math.asin(rhs / math.hypot(TRUNK, SHOULDER_HALF_WIDTH)) - phase
    up = np.array([math.cos(d), -math.sin(d), 0.0])
    left = np.array([-math.sin(d), -math.cos(d), 0.0])
    mid_sh = mid_hip + TRUNK * up
    _put_head(p, mid_sh, left, up)
    low_sh = mid_sh + SHOULDER_HALF_WIDTH * left
    high_sh = mid_sh - SHOULDER_HALF_WIDTH * left
    p[_lm(s, "SHOULDER")], p[_lm(o, "SHOULDER")] = low_sh, high_sh
    wrist = np.array([low_sh[0] + hand_forward, fingers, 0.0])
    p[_lm(s, "ELBOW")] = low_sh + UPPER_ARM * _unit(wrist - low_sh)
    p[_lm(s, "WRIST")] = wrist
    _put_hand(p, s, wrist - p[_lm(s, "ELBOW")], X)  # fingertips down, thumb toward the head
    if hand_lifted:
        p[_lm(s, "WRIST")] = p[_lm(s, "ELBOW")] + FOREARM * Z
        _put_hand(p, s, Z, X)
    p[_lm(o, "ELBOW")] = high_sh + UPPER_ARM * Y
    p[_lm(o, "WRIST")] = high_sh + ARM * Y
    _put_hand(p, o, Y, X)  # palm toward the camera
    return _sided(_centre_on_hips(p), standing)


def half_moon_tipping(standing: str, outside: float) -> FloatArray:
    """Half Moon with the lower hand off the floor and the standing foot back until the
    centre of mass lies ``outside`` metres ahead of the foot (``com_over_base``)."""

    def miss(back: float) -> float:
        body = half_moon(standing, hand_lifted=True, foot_back=back)
        foot = body[[_lm(standing, j) for j in ("ANKLE", "HEEL", "FOOT_INDEX")], 0]
        com_x = float(_com(body)[0])
        # the head side is +x standing on the left, -x on the right (mirrored)
        ahead = com_x - float(foot.max()) if standing == "left" else float(foot.min()) - com_x
        return ahead - outside

    return half_moon(standing, hand_lifted=True, foot_back=_solve(miss, 0.0, 0.6))


def half_moon_knee_in(standing: str, fppa_deg: float) -> FloatArray:
    """Half Moon with the standing knee bent ``fppa_deg`` toward the chest instead of over
    the toes (the knee rolling in): thigh and shank meet at ``fppa_deg`` seen from the
    lifted-foot end (yaw 90), where that bend lies in the picture
    (``standing_knee_tracking``)."""
    return half_moon(standing, standing_knee_deg=180.0 - fppa_deg, knee_in_deg=90.0)


# --------------------------------------------------------------------------- Bridge

#: Height of the shoulder joint centres above the mat when lying on the back (about half
#: the depth of the upper back).
SHOULDER_LYING_Y = 0.06
#: Height of the wrists lying on the mat (about half a forearm's thickness).
WRIST_LYING_Y = 0.03
#: Bridge's shoulder-hip-knee angle: hips lifted near straight (>= ~160 deg,
#: docs/measurements.md#bridge).
BRIDGE_HIP_DEG = 170.0


def bridge(
    *,
    hip_deg: float = BRIDGE_HIP_DEG,
    shin_deg: tuple[float, float] = (0.0, 0.0),
    knees_in_deg: float = 0.0,
    hip_drop: tuple[float, float] = (0.0, 0.0),
    hips_shift: float = 0.0,
) -> FloatArray:
    """Bridge lying along z, feet toward +z and the head toward -z, face up (+y), the
    body's left at +x: a camera at yaw 0 looks from the feet end (a front view: knees and
    hips across the picture), at yaw 90 from the side.

    Feet flat, hip-width apart, shins vertical (knees a shank above the ankles), arms on
    the mat along the body, shoulders and head on the mat; the hips as high as the
    shoulder-hip-knee angle ``hip_deg`` puts them (solved from the thigh and trunk lengths).

    Fault keywords (each spoils one check):
        hip_deg: shoulder-hip-knee angle (``hips_lifted``).
        shin_deg: (left, right) shin tilt, the foot walked out away from the hips with the
            hips kept (``left_knee_over_ankle`` / ``right_knee_over_ankle``).
        knees_in_deg: both knees swung about their hip-ankle axes toward (positive) or
            away from the midline (``knees_not_caving`` / ``knees_not_splaying``).
        hip_drop: (left, right) hip landmark lowered, metres (``hips_level``).
        hips_shift: pelvis and upper body slid toward the body's left (+x), knees half
            as far, feet kept (``weight_even``).
    """
    p = np.zeros((N_LANDMARKS, 3))
    knee_y = ANKLE_Y + SHANK
    # In the side profile (z, y): the thigh falls a below the horizontal from the knee to
    # the hip, the trunk b = a + (180 - hip_deg) from the hip to the shoulders, which lie
    # at SHOULDER_LYING_Y: THIGH sin a + TRUNK sin(a + bend) = knee_y - SHOULDER_LYING_Y,
    # i.e. R sin(a + phase) = rhs.
    bend = math.radians(180.0 - hip_deg)
    c1, c2 = THIGH + TRUNK * math.cos(bend), TRUNK * math.sin(bend)
    a = math.asin((knee_y - SHOULDER_LYING_Y) / math.hypot(c1, c2)) - math.atan2(c2, c1)
    b = a + bend
    hip_z = -THIGH * math.cos(a)  # knees at z = 0
    hip_y = knee_y - THIGH * math.sin(a)
    sh_z = hip_z - TRUNK * math.cos(b)
    for i, side in enumerate(SIDES):
        x = _sign(side) * HIP_HALF_WIDTH
        hip = np.array([x, hip_y, hip_z])
        # Shin tilted t with the foot out ahead: knee = ankle + SHANK (-sin t, cos t) in
        # (z, y), the knee one thigh from the hip.
        t = math.radians(shin_deg[i])
        k_y = ANKLE_Y + SHANK * math.cos(t)
        k_z = hip_z + math.sqrt(THIGH**2 - (k_y - hip_y) ** 2)
        p[_lm(side, "HIP")] = hip
        p[_lm(side, "KNEE")] = (x, k_y, k_z)
        p[_lm(side, "ANKLE")] = (x, ANKLE_Y, k_z + SHANK * math.sin(t))
        _put_foot(p, side, Z, Y)
        p[_lm(side, "SHOULDER")] = (_sign(side) * SHOULDER_HALF_WIDTH, SHOULDER_LYING_Y, sh_z)
    mid_sh = np.array([0.0, SHOULDER_LYING_Y, sh_z])
    _put_head(p, mid_sh, X, -Z)  # head on the mat beyond the shoulders, face up
    for side in SIDES:
        sh = p[_lm(side, "SHOULDER")]
        drop = SHOULDER_LYING_Y - WRIST_LYING_Y
        along = np.array([0.0, -drop, math.sqrt(ARM**2 - drop**2)]) / ARM
        p[_lm(side, "ELBOW")] = sh + UPPER_ARM * along
        p[_lm(side, "WRIST")] = sh + ARM * along
        _put_hand(p, side, along, -_sign(side) * X)  # palms down, thumbs in
    for i, side in enumerate(SIDES):
        if knees_in_deg:
            hip, knee, ankle = (p[_lm(side, j)].copy() for j in ("HIP", "KNEE", "ANKLE"))
            # right-hand turn about hip->ankle (toward +z, down): the left knee goes to -x
            turn = knees_in_deg if side == "left" else -knees_in_deg
            p[_lm(side, "KNEE")] = hip + _rotate(knee - hip, ankle - hip, turn)
        p[_lm(side, "HIP"), 1] -= hip_drop[i]
    if hips_shift:
        feet = [_lm(s, j) for s in SIDES for j in ("ANKLE", "HEEL", "FOOT_INDEX")]
        knees = [_lm(s, "KNEE") for s in SIDES]
        rest = [i for i in range(N_LANDMARKS) if i not in feet + knees]
        p[rest, 0] += hips_shift
        p[knees, 0] += hips_shift / 2
    p[:, 2] -= hip_z  # hips over the picture's centre (a hips_shift stays visible in x)
    return p


def bridge_knee_gap(ratio: float) -> FloatArray:
    """Bridge with both knees swung in (ratio < 1) or out until the front view's knee gap
    is ``ratio`` times the ankle gap (``knees_not_caving`` / ``knees_not_splaying``)."""

    def gap(deg: float) -> float:
        body = bridge(knees_in_deg=deg)
        # signed, so it keeps falling past zero if the knees were to cross
        knees = body[L.LEFT_KNEE, 0] - body[L.RIGHT_KNEE, 0]
        return float(knees / (body[L.LEFT_ANKLE, 0] - body[L.RIGHT_ANKLE, 0]))

    lo, hi = (0.0, 90.0) if ratio < 1 else (-90.0, 0.0)
    return bridge(knees_in_deg=_solve(lambda d: gap(d) - ratio, lo, hi))


def bridge_weight_left(share_pct: float) -> FloatArray:
    """Bridge with the hips slid sideways until the lever rule across the feet (a front
    view) puts ``share_pct`` % of the weight on the left foot (``weight_even``)."""
    return bridge(
        hips_shift=_solve(
            lambda s: _lever_share(bridge(hips_shift=s), "left", X) - share_pct, -0.3, 0.3
        )
    )
