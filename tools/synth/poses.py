"""Warrior 1, Tree, Half Moon and Bridge with parameterised faults, as anny bone rotations.

Each pose has a parameter dataclass (:class:`Warrior1`, :class:`Tree`, :class:`HalfMoon`,
:class:`Bridge`); :func:`solve` turns one into a :class:`Solution` (bone rotations and the
root position for :meth:`Body.pose <tools.synth.body.Body.pose>`), and :func:`animate`
into a clip's worth of posed bodies (an entry from standing, then a hold with sway).

Frames (see ``README.md``): world metres, +Z up, floor z = 0. Where each pose faces, and
so which camera azimuth shows what (:data:`VIEW_AZIMUTH_DEG`):

* Warrior 1, Tree: the body faces -Y (azimuth 0 = from the front). Warrior 1's front foot
  is forward (-Y), the back foot behind (+Y).
* Half Moon: the chest faces -Y (azimuth 0 = from the chest side); the head points along
  +X for a left standing leg, -X for a right one; the lifted leg the other way.
* Bridge: lying on the back, belly up, head toward +X, the body's left toward -Y
  (azimuth 0 = from the body's left side, -90... see :data:`VIEW_AZIMUTH_DEG`).

How contacts are kept: the poses are built from joint positions, not from joint angles.
Feet that stand are placed flat on the floor (sole at z = 0, ankle at the rest ankle
height) and each leg is solved by closed-form two-link IK from its hip to its ankle;
the pelvis height follows from the straight (or bent) standing leg. Tree's lifted foot
is placed with its sole on a skin vertex of the standing leg's inner thigh/calf/knee.
Half Moon's trunk pitch is solved (bisection) so the lower hand's fingertips reach the
floor; Bridge's trunk pitch so that the shins stand vertical with the shoulders on the
floor. Centre-of-mass targets (Tree, Warrior 1's weight shift) are met by a few fixed-
point steps on the pelvis position using the mesh COM.

Sides: every pose is built for the left working side (Warrior 1's front leg, Tree's and
Half Moon's standing leg) and mirrored (x -> -x, ``.L`` <-> ``.R``) for the right.

Knee toward the midline: the issue's recipe (thigh ``Ry(-N/2)`` + shin ``Ry(+N)`` on the
left) was checked on this body and bows the knee OUT (FPPA -9 deg for N = 10); this
module moves the knee toward the midline instead (FPPA +N), see ``knee_midline_deg``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tools.synth.body import Body, Posed, rot_x, rot_y, rot_z

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Side = Literal["left", "right"]

#: Camera azimuths (``camera.orbit_camera``) that show each pose from its usual views.
VIEW_AZIMUTH_DEG: dict[str, dict[str, float]] = {
    "warrior1": {"front": 0.0, "side_front_leg": 90.0, "side_back_leg": -90.0},
    "tree": {"front": 0.0, "side": 90.0},
    "half_moon": {"chest": 0.0, "feet": -90.0, "head": 90.0},  # left standing leg
    "bridge": {"left_side": 0.0, "right_side": 180.0, "feet": -90.0},
}

_SPINE = ("spine05", "spine04", "spine03", "spine02", "spine01")
_NECK = ("neck01", "neck02", "neck03")
_MIRROR = np.diag([-1.0, 1.0, 1.0])

# ============================================================================ parameters


@dataclass(frozen=True)
class Warrior1:
    """Warrior 1 (Virabhadrasana I). Body faces -Y; the front foot points -Y.

    Attributes:
        side: the front leg.
        front_knee_deg: front knee flexion in degrees (0 = straight; aligned 90, with the
            shin vertical and the knee over the ankle).
        back_foot_out_deg: back foot turned out from the front direction, degrees.
        stance_width_m: sideways distance between the ankles, metres (about hip width).
        arms: ``"overhead"`` (straight, palms facing) or ``"hips"`` (hands on the hips).
        knee_midline_deg: fault, degrees: the front leg's bend plane turns about the
            hip-ankle line so the knee moves toward the midline (foot and hip stay);
            negative turns it the other way (the knee splays out past the little toe).
        pelvis_tilt_deg: fault, degrees: pelvis roll, + = the person's LEFT hip higher.
        back_hip_flexed_deg: fault, degrees >= 0: the back hip is not extended: the trunk
            leans forward by this much (the shoulder-hip-back-knee angle closes by it).
        hips_open_deg: fault, degrees: the pelvis turns open (back hip swings back)
            away from square to the front; the chest follows by half. Negative turns it
            past square (the back hip forward).
        weight_front_shift: fault, fraction: the COM's horizontal position between the
            ankles (0 = over the back ankle, 1 = over the front one; aligned ~0.65) moves
            this much toward the front. The pelvis goes forward, the front knee bends past
            the ankle, and the straight back leg brings the back foot forward with it (a
            slightly shorter stance). 0 = aligned; useful up to ~0.25.
        back_knee_bend_deg: fault, degrees >= 0: the back knee is not straight; it bends
            by this much toward the back foot's toes (the back foot comes closer: a shorter
            stance, the pelvis and front leg as aligned).
    """

    side: Side = "left"
    front_knee_deg: float = 90.0
    back_foot_out_deg: float = 45.0
    stance_width_m: float = 0.2
    arms: Literal["overhead", "hips"] = "overhead"
    knee_midline_deg: float = 0.0
    pelvis_tilt_deg: float = 0.0
    back_hip_flexed_deg: float = 0.0
    hips_open_deg: float = 0.0
    weight_front_shift: float = 0.0
    back_knee_bend_deg: float = 0.0


@dataclass(frozen=True)
class Tree:
    """Tree (Vrksasana). Body faces -Y.

    Attributes:
        side: the standing leg.
        foot_on: where the lifted foot's sole rests on the standing leg: ``"thigh"``
            (inner thigh, aligned), ``"calf"`` (inner calf, aligned) or ``"knee"`` (on the
            inner knee: a fault).
        lifted_knee_open_deg: degrees: the lifted knee's direction from straight ahead
            toward its own side, seen from above (aligned ~70; 90 = fully to the side).
        arms: ``"chest"`` (palms together in front of the sternum) or ``"overhead"``.
        knee_midline_deg: fault, degrees: the standing knee caves toward the
            midline; the leg bends in the frontal plane so the hip-knee-ankle angle is
            180 - |N| (frontal FPPA ~ +N). Negative bows it outward (varus, FPPA ~ N).
        pelvis_tilt_deg: fault, degrees: pelvis roll, + = the person's LEFT hip higher.
        com_shift_foot_lengths: fault, in foot lengths (heel to toe tip): the body's COM
            moves sideways off the standing foot's centre by this much, + toward the
            lifted leg's side. 0 = COM over the middle of the standing foot.
        standing_knee_bend_deg: fault, degrees >= 0: the standing knee bends forward by
            this much (hip-knee-ankle angle 180 - N in the sagittal plane; the pelvis
            sinks). With ``knee_midline_deg`` too, the bend plane lies between the two
            and the knee flexes by the sum of their sizes.
    """

    side: Side = "left"
    foot_on: Literal["thigh", "calf", "knee"] = "thigh"
    lifted_knee_open_deg: float = 70.0
    arms: Literal["chest", "overhead"] = "chest"
    knee_midline_deg: float = 0.0
    pelvis_tilt_deg: float = 0.0
    com_shift_foot_lengths: float = 0.0
    standing_knee_bend_deg: float = 0.0


@dataclass(frozen=True)
class HalfMoon:
    """Half Moon (Ardha Chandrasana). Chest faces -Y; head along +X for a left standing
    leg (-X for right).

    Attributes:
        side: the standing leg (the lower hand is on the same side).
        hips_rolled_deg: fault, degrees >= 0: the pelvis rolls about the trunk axis so its
            front turns toward the floor (hips not stacked); the chest follows by 30 %.
        lifted_leg_drop_deg: fault, degrees >= 0: the lifted leg points this much below
            horizontal.
        hand_offset_m: fault, metres: the lower hand is placed this far toward the head
            from straight under its shoulder (+ forward of the shoulder).
        standing_knee_bend_deg: fault, degrees >= 0: standing knee flexion (knee over
            the toes, toward the head's direction).
        pelvis_tilt_deg: fault, degrees: the pelvis tilts in its own frontal plane
            against the trunk (obliquity): + = the standing leg's hip toward the head
            (the lifted leg's hip toward the feet), - the lifted hip hiked toward the head.
            The standing hip stays over the ankle.
        knee_midline_deg: fault, degrees: the standing knee drifts toward the midline (+,
            toward the chest side, over the big toe) or out (-, toward the back side); the
            hip-knee-ankle angle closes by |N| (plus ``standing_knee_bend_deg``).
        com_shift_m: fault, metres: the pelvis (and with it the COM) leans this far off
            the line from the standing foot to the lower hand, horizontally; + toward the
            chest side (-Y), - toward the back. The standing leg leans to follow.
    """

    side: Side = "left"
    hips_rolled_deg: float = 0.0
    lifted_leg_drop_deg: float = 0.0
    hand_offset_m: float = 0.0
    standing_knee_bend_deg: float = 0.0
    pelvis_tilt_deg: float = 0.0
    knee_midline_deg: float = 0.0
    com_shift_m: float = 0.0


@dataclass(frozen=True)
class Bridge:
    """Bridge (Setu Bandha Sarvangasana). On the back, head toward +X, left side -Y.

    Attributes:
        side: unused (Bridge has no working side); kept for a uniform interface.
        hip_lift_deg: the shoulder-hip-knee angle in degrees (aligned 170; a sagging
            bridge, hips not lifted, e.g. 130).
        knee_gap_ratio: knee gap / ankle gap (centres, sideways): 1 aligned, < 1 knees
            cave in, > 1 knees splay out. Feet stay hip-width apart.
        pelvis_tilt_deg: fault, degrees: pelvis roll, + = the person's LEFT hip higher.
        weight_shift: fault, fraction of half the ankle gap: the pelvis and trunk slide
            sideways over one foot, + toward the LEFT foot.
        knee_gap_skew: fault, fraction of half the ankle gap: both knees drift sideways
            toward the body's LEFT by this much (the left knee splays out, the right one
            caves in; with ``knee_gap_ratio`` each knee's place is set independently).
    """

    side: Side = "left"
    hip_lift_deg: float = 170.0
    knee_gap_ratio: float = 1.0
    pelvis_tilt_deg: float = 0.0
    weight_shift: float = 0.0
    knee_gap_skew: float = 0.0


PoseParams = Warrior1 | Tree | HalfMoon | Bridge

POSE_NAMES: dict[type, str] = {
    Warrior1: "warrior1",
    Tree: "tree",
    HalfMoon: "half_moon",
    Bridge: "bridge",
}


def pose_name(params: PoseParams) -> str:
    """``"warrior1" | "tree" | "half_moon" | "bridge"``."""
    return POSE_NAMES[type(params)]


def params_json(params: PoseParams) -> dict[str, Any]:
    """Parameters as a plain JSON dict (for the truth file)."""
    return {"pose": pose_name(params), **asdict(params)}


@dataclass(frozen=True)
class Sway:
    """Small perturbations for the hold (all zero = the exact pose).

    Attributes:
        pelvis_m: ``(3,)`` world shift of the pelvis, metres (feet stay planted).
        trunk_deg: ``(3,)`` rotation vector of the trunk in world axes, degrees.
    """

    pelvis_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    trunk_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Solution:
    """Arguments for :meth:`Body.pose`: bone rotations and the root position (world m)."""

    rotations: dict[str, FloatArray]
    root_offset_m: FloatArray
    info: dict[str, float] = field(default_factory=dict)

    def pose(self, body: Body) -> Posed:
        """Pose ``body`` with this solution."""
        return body.pose(self.rotations, self.root_offset_m)


# ============================================================================ geometry


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return np.asarray(v / n if n > 1e-12 else v, dtype=np.float64)


def _frame(axis: FloatArray, ref: FloatArray) -> FloatArray:
    """``(3, 3)`` orthonormal frame, columns ``[x, y, z]``: z along ``axis``, x along
    ``ref`` made perpendicular to it."""
    z = _unit(axis)
    x = _unit(ref - float(ref @ z) * z)
    return np.stack([x, np.cross(z, x), z], axis=1)


def _aim(
    rest_axis: FloatArray, rest_ref: FloatArray, axis: FloatArray, ref: FloatArray
) -> FloatArray:
    """World rotation taking a segment's rest (axis, ref) frame to the wanted one."""
    return _frame(axis, ref) @ _frame(rest_axis, rest_ref).T


def _rotvec(r: FloatArray) -> FloatArray:
    """Rotation vector (radians) of a ``(3, 3)`` rotation."""
    cos = max(-1.0, min(1.0, (float(np.trace(r)) - 1.0) / 2.0))
    ang = math.acos(cos)
    if ang < 1e-9:
        return np.zeros(3)
    if ang > math.pi - 1e-6:
        w, v = np.linalg.eigh((r + r.T) / 2.0)
        axis = v[:, int(np.argmax(w))]
        return np.asarray(axis * ang, dtype=np.float64)
    axis = np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]])
    return np.asarray(axis / (2.0 * math.sin(ang)) * ang, dtype=np.float64)


def _expm(rv: FloatArray) -> FloatArray:
    """``(3, 3)`` rotation of a rotation vector (radians), Rodrigues."""
    ang = float(np.linalg.norm(rv))
    if ang < 1e-12:
        return np.eye(3)
    k = rv / ang
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.asarray(np.eye(3) + math.sin(ang) * kx + (1 - math.cos(ang)) * kx @ kx)


def _rpow(r: FloatArray, t: float) -> FloatArray:
    """``r`` to the power ``t`` (same axis, ``t`` times the angle)."""
    return _expm(_rotvec(r) * t)


def _rot_about(axis: FloatArray, deg: float) -> FloatArray:
    return _expm(_unit(axis) * math.radians(deg))


def _two_link(
    root: FloatArray, target: FloatArray, l1: float, l2: float, bend: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Closed-form two-link IK: the middle joint and the reached end.

    The middle joint lies in the plane of root->target and ``bend``, on ``bend``'s side.
    A target out of reach is clamped to full extension along root->target.
    """
    d_vec = target - root
    d = float(np.linalg.norm(d_vec))
    u = _unit(d_vec)
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-9)
    a = (l1 * l1 - l2 * l2 + d * d) / (2.0 * d)
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))
    perp = _unit(bend - float(bend @ u) * u)
    mid = root + a * u + h * perp
    return mid, root + d * u


def _leg_distance(l1: float, l2: float, knee_flex_deg: float) -> float:
    """Hip-ankle distance of a leg whose thigh and shin meet at ``180 - flex``."""
    c = math.cos(math.radians(knee_flex_deg))
    return math.sqrt(l1 * l1 + l2 * l2 + 2.0 * l1 * l2 * c)


# ============================================================================ rig


class _Rig:
    """Per-body constants for the solvers (unrotated body, root head at the origin)."""

    def __init__(self, body: Body) -> None:
        self.body = body
        sk = body.skeleton({}, np.zeros(3))
        self.heads = {b: sk.heads_m[i] for i, b in enumerate(body.bone_labels)}
        h = self.heads
        self.l_thigh = float(np.linalg.norm(h["lowerleg01.L"] - h["upperleg01.L"]))
        self.l_shin = float(np.linalg.norm(h["foot.L"] - h["lowerleg01.L"]))
        self.l_upperarm = float(np.linalg.norm(h["lowerarm01.L"] - h["upperarm01.L"]))
        self.l_forearm = float(np.linalg.norm(h["wrist.L"] - h["lowerarm01.L"]))
        rest_v = body.rest_vertices_m - np.array([0.0, 0.0, body.root_height_m])
        self.floor_z = float(rest_v[:, 2].min())  # floor height in this frame
        self.ankle_h = float(h["foot.L"][2] - self.floor_z)
        lm = body.landmark_vertex
        dom = body.dominant_bone
        labels = body.bone_labels

        def ids_of(pred: Any) -> IntArray:
            keep = np.array([pred(labels[b]) for b in dom])
            return np.flatnonzero(keep)

        self.foot_ids = {
            s: ids_of(
                lambda b, s=s: (b.startswith("foot.") or b.startswith("toe")) and b.endswith(s)
            )
            for s in "LR"
        }
        self.hand_ids = {
            s: ids_of(
                lambda b, s=s: b.startswith(("wrist.", "finger", "metacarpal")) and b.endswith(s)
            )
            for s in "LR"
        }
        self.back_ids = ids_of(
            lambda b: (
                b in ("spine01", "spine02", "head", "neck01", "neck02", "neck03")
                or b.startswith(("clavicle", "shoulder01"))
            )
        )
        # Feet: forward direction, the sole's middle point (on the floor).
        self.foot_fwd: dict[str, FloatArray] = {}
        self.sole_mid: dict[str, FloatArray] = {}
        for s, heel_i, toe_i in (("L", 29, 31), ("R", 30, 32)):
            heel, toe = rest_v[lm[heel_i]], rest_v[lm[toe_i]]
            fwd = toe - heel
            fwd[2] = 0.0
            self.foot_fwd[s] = _unit(fwd)
            mid = (heel + toe) / 2.0
            mid[2] = self.floor_z
            self.sole_mid[s] = mid
        self.foot_len = float(np.linalg.norm((rest_v[lm[31]] - rest_v[lm[29]])[:2]))
        # Hands: axis wrist -> middle finger base, thumb side index base - pinky base.
        self.hand_axis = {s: _unit(h[f"finger3-1.{s}"] - h[f"wrist.{s}"]) for s in "LR"}
        self.hand_thumb = {s: _unit(h[f"finger2-1.{s}"] - h[f"finger5-1.{s}"]) for s in "LR"}
        self.hand_reach = {
            s: float(np.max(np.linalg.norm(rest_v[self.hand_ids[s]] - h[f"wrist.{s}"], axis=1)))
            for s in "LR"
        }
        # Contact vertices on the left leg (Tree's standing leg; mirrored for right).
        self.tree_contact = {
            "thigh": self._inner_leg_vertex(rest_v, 0.55, "upperleg"),
            "calf": self._inner_leg_vertex(rest_v, -0.45, "lowerleg"),
            "knee": self._inner_leg_vertex(rest_v, 0.0, "lowerleg"),
        }

    def _inner_leg_vertex(self, rest_v: FloatArray, frac: float, bone: str) -> int:
        """Most medial skin vertex of the left leg at a height: ``frac`` of the way from
        the knee to the hip (negative: toward the ankle)."""
        h = self.heads
        knee, hip, ankle = h["lowerleg01.L"], h["upperleg01.L"], h["foot.L"]
        z = knee[2] + frac * ((hip - knee)[2] if frac >= 0 else (knee - ankle)[2])
        dom = self.body.dominant_bone
        labels = self.body.bone_labels
        leg = np.flatnonzero(
            np.array(
                [
                    labels[b].startswith(("upperleg", "lowerleg")) and labels[b].endswith("L")
                    for b in dom
                ]
            )
        )
        for tol in (0.012, 0.02, 0.035):  # a long, lean leg has sparser vertex rows
            band = leg[np.abs(rest_v[leg, 2] - z) < tol]
            if len(band):
                break
        return int(band[np.argmin(rest_v[band, 0])])


_RIGS: dict[int, _Rig] = {}


def _rig(body: Body) -> _Rig:
    r = _RIGS.get(id(body))
    if r is None or r.body is not body:
        r = _Rig(body)
        _RIGS[id(body)] = r
    return r


# ============================================================================ assembly


@dataclass
class _Build:
    """World-frame description of a pose, turned into local rotations by :func:`_assemble`.

    ``seg`` maps bone labels (thighs, shins, feet, upper arms, forearms, hands) to their
    world rotations relative to the unrotated body.
    """

    pelvis: FloatArray
    root_m: FloatArray
    trunk: FloatArray
    head: FloatArray
    seg: dict[str, FloatArray] = field(default_factory=dict)


def _axial_rotations(b: _Build) -> dict[str, FloatArray]:
    """Root, spine and neck rotations of a build (the trunk bends evenly over 5 spine
    bones, the head over 3 neck bones)."""
    rots: dict[str, FloatArray] = {"root": b.pelvis}
    d_spine = _rpow(b.pelvis.T @ b.trunk, 1.0 / len(_SPINE))
    for s in _SPINE:
        rots[s] = d_spine
    d_neck = _rpow(b.trunk.T @ b.head, 1.0 / len(_NECK))
    for s in _NECK:
        rots[s] = d_neck
    return rots


_PARENT_SEG = {
    "upperleg01": None,  # pelvis
    "lowerleg01": "upperleg01",
    "foot": "lowerleg01",
    "upperarm01": None,  # trunk
    "lowerarm01": "upperarm01",
    "wrist": "lowerarm01",
}


def _assemble(b: _Build) -> Solution:
    rots = _axial_rotations(b)
    for lab, g in b.seg.items():
        name, s = lab.split(".")
        parent = _PARENT_SEG[name]
        gp: FloatArray | None
        if parent is None:
            gp = b.pelvis if name == "upperleg01" else b.trunk
        else:
            gp = b.seg.get(f"{parent}.{s}")
        if gp is None:
            raise ValueError(f"{lab} set without its parent segment {parent}.{s}")
        rots[lab] = gp.T @ g
    return Solution(rotations=rots, root_offset_m=np.asarray(b.root_m, dtype=np.float64))


def _axial_skeleton(body: Body, b: _Build, ids: IntArray | None = None) -> dict[str, FloatArray]:
    sk = body.skeleton(_axial_rotations(b), b.root_m, ids)
    out = {lab: sk.heads_m[i] for i, lab in enumerate(body.bone_labels)}
    out["_points"] = sk.points_m
    return out


def _set_leg(
    rig: _Rig,
    b: _Build,
    s: str,
    hip: FloatArray,
    ankle: FloatArray,
    bend: FloatArray,
    *,
    hinge: FloatArray | None = None,
    foot: FloatArray | None = None,
) -> FloatArray:
    """Solve one leg (``s`` = "L"/"R") from ``hip`` to ``ankle`` (world), the knee toward
    ``bend``. ``hinge``: the knee's flexion axis (default from the bend, or the leg's
    lateral axis for a straight leg). ``foot``: the foot's world rotation (default: keeps
    the unrotated foot-shin angle). Returns the knee position."""
    h = rig.heads
    knee, end = _two_link(hip, ankle, rig.l_thigh, rig.l_shin, bend)
    thigh, shin = knee - hip, end - knee
    if hinge is None:
        c = np.cross(thigh, shin)
        hinge = (
            _unit(c)
            if np.linalg.norm(c) > 0.02 * rig.l_thigh * rig.l_shin
            else _unit(np.cross(bend, end - hip))
        )
    rest_thigh = h[f"lowerleg01.{s}"] - h[f"upperleg01.{s}"]
    rest_shin = h[f"foot.{s}"] - h[f"lowerleg01.{s}"]
    x = np.array([1.0, 0.0, 0.0])
    g_thigh = _aim(rest_thigh, x, thigh, hinge)
    g_shin = _aim(rest_shin, x, shin, hinge)
    b.seg[f"upperleg01.{s}"] = g_thigh
    b.seg[f"lowerleg01.{s}"] = g_shin
    b.seg[f"foot.{s}"] = g_shin if foot is None else foot
    return knee


def _flat_foot(rig: _Rig, s: str, fwd_xy: FloatArray) -> FloatArray:
    """World rotation of a foot flat on the floor, toes along horizontal ``fwd_xy``."""
    f = np.array([fwd_xy[0], fwd_xy[1], 0.0])
    z = np.array([0.0, 0.0, 1.0])
    return _aim(rig.foot_fwd[s], z, f, z)


def _set_arm(
    rig: _Rig,
    b: _Build,
    s: str,
    shoulder: FloatArray,
    wrist: FloatArray,
    bend: FloatArray,
    hand_axis: FloatArray,
    hand_thumb: FloatArray,
) -> None:
    """Solve one arm from ``shoulder`` to ``wrist`` (world) with the elbow toward
    ``bend``; the hand points along ``hand_axis`` with its thumb side toward
    ``hand_thumb``. A straight arm's elbow axis is taken opposite the thumb side."""
    h = rig.heads
    elbow, end = _two_link(shoulder, wrist, rig.l_upperarm, rig.l_forearm, bend)
    up, fo = elbow - shoulder, end - elbow
    c = np.cross(up, fo)
    hinge = _unit(c) if np.linalg.norm(c) > 0.05 * rig.l_upperarm * rig.l_forearm else -hand_thumb
    rest_up = h[f"lowerarm01.{s}"] - h[f"upperarm01.{s}"]
    rest_fo = h[f"wrist.{s}"] - h[f"lowerarm01.{s}"]
    rest_hinge = _unit(np.cross(rest_up, rest_fo))
    b.seg[f"upperarm01.{s}"] = _aim(rest_up, rest_hinge, up, hinge)
    b.seg[f"lowerarm01.{s}"] = _aim(rest_fo, rest_hinge, fo, hinge)
    b.seg[f"wrist.{s}"] = _aim(rig.hand_axis[s], rig.hand_thumb[s], hand_axis, hand_thumb)


def _hip(rig: _Rig, b: _Build, s: str) -> FloatArray:
    return np.asarray(b.root_m + b.pelvis @ rig.heads[f"upperleg01.{s}"], dtype=np.float64)


def _root_for_hip(rig: _Rig, pelvis: FloatArray, s: str, hip: FloatArray) -> FloatArray:
    return np.asarray(hip - pelvis @ rig.heads[f"upperleg01.{s}"], dtype=np.float64)


def _sway_rot(sway: Sway) -> FloatArray:
    return _expm(np.radians(np.asarray(sway.trunk_deg, dtype=np.float64)))


# ============================================================================ Warrior 1


def _warrior1_left(body: Body, p: Warrior1, sway: Sway, extra_fwd_m: float) -> Solution:
    """Warrior 1 with the LEFT leg in front (faults in the left-front frame)."""
    rig = _rig(body)
    tilt = p.pelvis_tilt_deg  # + = left (front) hip higher
    yaw = -p.hips_open_deg  # back (right) hip swings back (+Y)
    lean = p.back_hip_flexed_deg
    pelvis = rot_z(yaw) @ rot_x(10.0 + lean) @ rot_y(-tilt)
    trunk = _sway_rot(sway) @ rot_z(yaw * 0.5) @ rot_x(lean)
    head = trunk @ rot_x(-8.0)  # gaze slightly up
    # Front leg, aligned: shin vertical, knee over the ankle.
    th = math.radians(p.front_knee_deg)
    ankle_f = np.array(
        [rig.heads["foot.L"][0] * 0 + p.stance_width_m / 2, 0.0, rig.floor_z + rig.ankle_h]
    )
    knee_f = ankle_f + np.array([0.0, 0.0, rig.l_shin])
    hip_f = knee_f - rig.l_thigh * np.array([0.0, -math.sin(th), -math.cos(th)])
    root0 = _root_for_hip(rig, pelvis, "L", hip_f)
    # Back leg straight, foot flat at stance width, placed from the pelvis without sway
    # (the weight shift moves the pelvis, and with it the back foot, forward).
    leg = _leg_distance(rig.l_thigh, rig.l_shin, p.back_knee_bend_deg) - 1e-4
    aligned_pelvis = rot_z(yaw) @ rot_x(10.0) @ rot_y(-tilt)
    root_a = _root_for_hip(rig, aligned_pelvis, "L", hip_f) + np.array([0.0, -extra_fwd_m, 0.0])
    hip_b_a = root_a + aligned_pelvis @ rig.heads["upperleg01.R"]
    ankle_b = np.array([-p.stance_width_m / 2, 0.0, ankle_f[2]])
    dz = hip_b_a[2] - ankle_b[2]
    dx = hip_b_a[0] - ankle_b[0]
    ankle_b[1] = hip_b_a[1] + math.sqrt(max(leg * leg - dz * dz - dx * dx, 0.0))
    # Sway moves the pelvis; its height is re-solved so the back leg still reaches.
    shift = np.array([0.0, -extra_fwd_m, 0.0]) + np.asarray(sway.pelvis_m)
    root = root0 + shift
    hip_b = root + pelvis @ rig.heads["upperleg01.R"]
    dxy = float(np.linalg.norm((hip_b - ankle_b)[:2]))
    need_z = ankle_b[2] + math.sqrt(max(leg * leg - dxy * dxy, 0.0))
    root[2] += min(0.0, need_z - hip_b[2])  # only ever lower the pelvis to keep reach
    b = _Build(pelvis=pelvis, root_m=root, trunk=trunk, head=head)
    hip_f = _hip(rig, b, "L")
    hip_b = _hip(rig, b, "R")
    # Front knee: bend plane turned toward the midline by knee_midline_deg.
    axis = ankle_f - hip_f
    bend_f = _rot_about(axis, p.knee_midline_deg) @ np.array([0.0, -1.0, 0.0])
    _set_leg(rig, b, "L", hip_f, ankle_f, bend_f, foot=_flat_foot(rig, "L", np.array([0.0, -1.0])))
    out = math.radians(p.back_foot_out_deg)
    back_fwd = np.array([-math.sin(out), -math.cos(out)])
    knee_dir = np.array([back_fwd[0], back_fwd[1], 0.0])
    _set_leg(
        rig,
        b,
        "R",
        hip_b,
        ankle_b,
        knee_dir,
        hinge=_unit(np.cross(knee_dir, ankle_b - hip_b)),
        foot=_flat_foot(rig, "R", back_fwd),
    )
    _arms_w1(body, rig, b, p.arms)
    return _assemble(b)


def _arms_w1(body: Body, rig: _Rig, b: _Build, arms: str) -> None:
    sk = _axial_skeleton(body, b)
    up = b.trunk @ np.array([0.0, 0.0, 1.0])
    for s, sgn in (("L", 1.0), ("R", -1.0)):
        sh = sk[f"upperarm01.{s}"]
        if arms == "overhead":
            d = _unit(b.trunk @ np.array([sgn * 0.12, 0.03, 1.0]))
            reach = rig.l_upperarm + rig.l_forearm
            thumb = b.trunk @ np.array([0.0, 1.0, 0.0])  # palms face each other
            _set_arm(rig, b, s, sh, sh + reach * d, thumb * -1.0, d, thumb)
        else:  # hands on the hips
            hip = sk[f"upperleg01.{s}"] + b.trunk @ np.array([sgn * 0.07, -0.02, 0.08])
            bend = b.trunk @ np.array([sgn * 1.0, 0.6, 0.0])
            _set_arm(rig, b, s, sh, hip, bend, -up, b.trunk @ np.array([0.0, -1.0, 0.0]))


# ============================================================================ Tree


def _tree_left(body: Body, p: Tree, sway: Sway, pelvis_xy: FloatArray) -> Solution:
    """Tree standing on the LEFT leg; ``pelvis_xy`` the root's horizontal position."""
    rig = _rig(body)
    pelvis = rot_y(-p.pelvis_tilt_deg)
    trunk = _sway_rot(sway)
    head = trunk
    ankle = np.array([0.09, 0.0, rig.floor_z + rig.ankle_h])
    flex_deg = abs(p.knee_midline_deg) + p.standing_knee_bend_deg
    leg = _leg_distance(rig.l_thigh, rig.l_shin, flex_deg) - 1e-4
    root = np.array([pelvis_xy[0], pelvis_xy[1], 0.0]) + np.asarray(sway.pelvis_m)
    hip0 = root + pelvis @ rig.heads["upperleg01.L"]
    dxy = float(np.linalg.norm((hip0 - ankle)[:2]))
    root[2] = ankle[2] + math.sqrt(max(leg * leg - dxy * dxy, 0.0)) - hip0[2]
    b = _Build(pelvis=pelvis, root_m=root, trunk=trunk, head=head)
    hip = _hip(rig, b, "L")
    stand_foot = _flat_foot(rig, "L", np.array([0.0, -1.0]))
    # The knee moves toward the midline (-X) for a cave, forward (-Y) for a bend.
    bend = (
        _unit(np.array([-p.knee_midline_deg, -p.standing_knee_bend_deg, 0.0]))
        if flex_deg > 0
        else np.array([0.0, -1.0, 0.0])
    )
    _set_leg(
        rig,
        b,
        "L",
        hip,
        ankle,
        bend,
        hinge=_unit(np.cross(np.array([0.0, -1.0, 0.0]), ankle - hip)),
        foot=stand_foot,
    )
    # The contact point on the standing leg's inner surface, posed.
    vid = rig.tree_contact[p.foot_on]
    partial = _assemble(b)
    contact = body.skeleton(partial.rotations, partial.root_offset_m, np.array([vid])).points_m[0]
    # Lifted foot: sole facing +X (toward the standing leg), toes down and a bit forward.
    foot_g = _aim(
        rig.foot_fwd["R"],
        np.array([0.0, 0.0, 1.0]),
        np.array([0.15, -0.25, -1.0]),
        np.array([-1.0, 0.0, 0.0]),
    )
    rest_ankle = rig.heads["foot.R"]
    sole = rig.sole_mid["R"]
    ankle_lift = contact + foot_g @ (rest_ankle - sole) + np.array([-0.012, 0.0, 0.0])
    hip_r = _hip(rig, b, "R")
    op = math.radians(p.lifted_knee_open_deg)
    bend_r = np.array([-math.sin(op), -math.cos(op), 0.0])
    _set_leg(rig, b, "R", hip_r, ankle_lift, bend_r, foot=foot_g)
    _arms_tree(body, rig, b, p.arms)
    return _assemble(b)


def _arms_tree(body: Body, rig: _Rig, b: _Build, arms: str) -> None:
    sk = _axial_skeleton(body, b)
    fwd = b.trunk @ np.array([0.0, -1.0, 0.0])
    up = b.trunk @ np.array([0.0, 0.0, 1.0])
    mid = (sk["upperarm01.L"] + sk["upperarm01.R"]) / 2.0
    for s, sgn in (("L", 1.0), ("R", -1.0)):
        sh = sk[f"upperarm01.{s}"]
        lat = b.trunk @ np.array([sgn, 0.0, 0.0])
        if arms == "overhead":
            d = _unit(b.trunk @ np.array([sgn * 0.1, 0.03, 1.0]))
            reach = rig.l_upperarm + rig.l_forearm
            thumb = b.trunk @ np.array([0.0, 1.0, 0.0])
            _set_arm(rig, b, s, sh, sh + reach * d, -thumb, d, thumb)
        else:  # palms together in front of the sternum, fingers up
            wrist = mid - 0.17 * up + 0.2 * fwd + 0.035 * lat
            bend = _unit(lat * 1.0 - up * 0.6 - fwd * 0.2)
            _set_arm(rig, b, s, sh, wrist, bend, _unit(up + 0.25 * fwd), -fwd)


# ============================================================================ Half Moon

# Pelvis of a left-standing Half Moon: body +X -> world -Z (left hip down), body -Y -> -Y
# (chest toward -Y), body +Z -> +X (head toward +X).
_HM_BASE = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])


def _half_moon_left(body: Body, p: HalfMoon, sway: Sway, pitch_deg: float) -> Solution:
    """Half Moon standing on the LEFT leg, trunk pitched ``pitch_deg`` head-down."""
    rig = _rig(body)
    roll = p.hips_rolled_deg
    pelvis = rot_y(pitch_deg) @ rot_x(roll) @ _HM_BASE
    if p.pelvis_tilt_deg != 0.0:
        pelvis = pelvis @ rot_y(-p.pelvis_tilt_deg)  # in the pelvis's own frontal plane
    trunk = _sway_rot(sway) @ rot_y(pitch_deg) @ rot_x(roll * 0.3) @ _HM_BASE
    head = trunk
    ankle = np.array([0.0, 0.0, rig.floor_z + rig.ankle_h])
    flex_deg = abs(p.knee_midline_deg) + p.standing_knee_bend_deg
    leg = _leg_distance(rig.l_thigh, rig.l_shin, flex_deg) - 1e-4
    hip = ankle + np.array([0.0, 0.0, leg]) + np.asarray(sway.pelvis_m)
    if p.com_shift_m != 0.0:  # the standing leg leans sideways (toward -Y for +)
        s = min(abs(p.com_shift_m), 0.8 * leg) * math.copysign(1.0, p.com_shift_m)
        hip = hip + np.array([0.0, -s, math.sqrt(leg * leg - s * s) - leg])
    b = _Build(pelvis=pelvis, root_m=_root_for_hip(rig, pelvis, "L", hip), trunk=trunk, head=head)
    hip = _hip(rig, b, "L")
    fwd = np.array([1.0, 0.0])
    # The knee moves toward the head (a bend) and toward -Y (toward the midline, +N).
    bend = (
        _unit(np.array([p.standing_knee_bend_deg, -p.knee_midline_deg, 0.0]))
        if flex_deg > 0
        else np.array([1.0, 0.0, 0.0])
    )
    _set_leg(
        rig,
        b,
        "L",
        hip,
        ankle,
        bend,
        hinge=_unit(np.cross(np.array([1.0, 0.0, 0.0]), ankle - hip)),
        foot=_flat_foot(rig, "L", fwd),
    )
    # Lifted leg: straight, horizontal backward (-X) minus the drop; kneecap = pelvis front.
    drop = math.radians(p.lifted_leg_drop_deg)
    hip_r = _hip(rig, b, "R")
    d = np.array([-math.cos(drop), 0.0, -math.sin(drop)])
    front = pelvis @ np.array([0.0, -1.0, 0.0])
    end = hip_r + (rig.l_thigh + rig.l_shin) * d
    _set_leg(rig, b, "R", hip_r, end, front, hinge=_unit(np.cross(front, d)))
    # Arms: lower (left) to the floor, upper (right) straight up.
    sk = _axial_skeleton(body, b)
    sh_l, sh_r = sk["upperarm01.L"], sk["upperarm01.R"]
    target = np.array([sh_l[0] + p.hand_offset_m, sh_l[1], rig.floor_z])
    d_l = _unit(target - sh_l)
    reach = rig.l_upperarm + rig.l_forearm
    thumb_l = np.array([0.0, 1.0, 0.0])
    _set_arm(rig, b, "L", sh_l, sh_l + reach * d_l, -thumb_l, d_l, thumb_l)
    d_r = np.array([0.0, 0.0, 1.0])
    thumb_r = np.array([1.0, 0.0, 0.0])
    _set_arm(rig, b, "R", sh_r, sh_r + reach * d_r, -thumb_r, d_r, thumb_r)
    return _assemble(b)


def _hand_floor_gap(body: Body, sol: Solution) -> float:
    rig = _rig(body)
    pts = body.skeleton(sol.rotations, sol.root_offset_m, rig.hand_ids["L"]).points_m
    return float(pts[:, 2].min() - rig.floor_z)


def _solve_half_moon(body: Body, p: HalfMoon, sway: Sway) -> Solution:
    lo, hi = -20.0, 60.0  # trunk pitch, degrees head-down
    for _ in range(30):
        mid = (lo + hi) / 2.0
        if _hand_floor_gap(body, _half_moon_left(body, p, sway, mid)) > 0.0:
            lo = mid
        else:
            hi = mid
    sol = _half_moon_left(body, p, sway, (lo + hi) / 2.0)
    sol.info["trunk_pitch_deg"] = (lo + hi) / 2.0
    return sol


# ============================================================================ Bridge

# Lying on the back: body +Z -> +X (head), body -Y -> +Z (belly up), body +X -> -Y.
_BRIDGE_BASE = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


def _bridge_left(
    body: Body, p: Bridge, sway: Sway, pitch_deg: float, ankles: dict[str, FloatArray] | None
) -> tuple[Solution, dict[str, FloatArray], float]:
    """Bridge with the trunk pitched ``pitch_deg`` (hips up). Returns the solution, the
    ankle positions used, and the residual (knee height minus shin length above the
    ankle: 0 when the shins are vertical)."""
    rig = _rig(body)
    base = rot_y(pitch_deg) @ _BRIDGE_BASE
    pelvis = base @ rot_z(0.0)
    # Pelvis roll about the trunk axis (world-ish X): + = left hip (at -Y) higher.
    pelvis = _rot_about(base @ np.array([0.0, 0.0, 1.0]), -p.pelvis_tilt_deg) @ base
    trunk = _sway_rot(sway) @ base
    head = _BRIDGE_BASE  # head lies flat
    b = _Build(pelvis=pelvis, root_m=np.zeros(3), trunk=trunk, head=head)
    sk = _axial_skeleton(body, b, rig.back_ids)
    lift = rig.floor_z - float(sk["_points"][:, 2].min())
    shift = np.array([0.0, -p.weight_shift, 0.0])  # scaled below
    b.root_m = np.array([0.0, 0.0, lift]) + np.asarray(sway.pelvis_m)
    hips = {s: _hip(rig, b, s) for s in "LR"}
    if ankles is None:
        # Aligned geometry: thigh rises (180 - hip_lift) above the trunk line; shin down.
        u = _unit(b.trunk @ np.array([0.0, 0.0, -1.0]))  # shoulders -> hips direction
        lat = np.array([0.0, 1.0, 0.0])
        thigh = _rot_about(lat, -(180.0 - p.hip_lift_deg)) @ u
        ankles = {}
        resid = 0.0
        for s in "LR":
            knee = hips[s] + rig.l_thigh * _unit(thigh)
            ankles[s] = np.array([knee[0], hips[s][1], rig.floor_z + rig.ankle_h])
            resid = float(knee[2] - rig.l_shin - ankles[s][2])
    else:
        resid = 0.0
    half_gap = abs(float(ankles["L"][1] - ankles["R"][1])) / 2.0
    b.root_m = b.root_m + shift * half_gap
    hips = {s: _hip(rig, b, s) for s in "LR"}
    toes = np.array([-1.0, 0.0])
    for s in "LR":
        hip, ankle = hips[s], ankles[s]
        mid_y = (ankles["L"][1] + ankles["R"][1]) / 2.0
        skew = p.knee_gap_skew if s == "L" else -p.knee_gap_skew
        want_y = mid_y + (ankle[1] - mid_y) * (p.knee_gap_ratio + skew)
        bend = _knee_bend_for_y(rig, hip, ankle, want_y)
        _set_leg(rig, b, s, hip, ankle, bend, foot=_flat_foot(rig, s, toes))
    # Arms along the floor toward the feet, palms down.
    sk = _axial_skeleton(body, b)
    reach = rig.l_upperarm + rig.l_forearm
    for s, lat_sgn in (("L", -1.0), ("R", 1.0)):
        sh = sk[f"upperarm01.{s}"]
        d = _unit(np.array([-1.0, 0.12 * lat_sgn, 0.0]))
        wrist = sh + reach * d
        wrist[2] = max(rig.floor_z + 0.035, min(wrist[2], sh[2]))
        d = _unit(wrist - sh)
        thumb = np.array([0.0, -lat_sgn, 0.0])
        _set_arm(rig, b, s, sh, sh + reach * d, -thumb, d, thumb)
    return _assemble(b), ankles, resid


def _knee_bend_for_y(rig: _Rig, hip: FloatArray, ankle: FloatArray, want_y: float) -> FloatArray:
    """Knee bend direction (swivelled about hip->ankle from straight up) that puts the
    knee at sideways position ``want_y`` (bisection on the swivel)."""
    axis = ankle - hip
    up = np.array([0.0, 0.0, 1.0])

    def knee_y(psi: float) -> float:
        bend = _rot_about(axis, psi) @ up
        return float(_two_link(hip, ankle, rig.l_thigh, rig.l_shin, bend)[0][1])

    lo, hi = -80.0, 80.0
    f_lo, f_hi = knee_y(lo) - want_y, knee_y(hi) - want_y
    if f_lo * f_hi > 0:
        psi = lo if abs(f_lo) < abs(f_hi) else hi
    else:
        for _ in range(40):
            mid = (lo + hi) / 2.0
            f_mid = knee_y(mid) - want_y
            if f_mid * f_lo > 0:
                lo, f_lo = mid, f_mid
            else:
                hi = mid
        psi = (lo + hi) / 2.0
    return np.asarray(_rot_about(axis, psi) @ up, dtype=np.float64)


def _solve_bridge(body: Body, p: Bridge, sway: Sway) -> Solution:
    aligned = replace(
        p, knee_gap_ratio=1.0, pelvis_tilt_deg=0.0, weight_shift=0.0, knee_gap_skew=0.0
    )
    lo, hi = 0.0, 60.0
    for _ in range(30):
        mid = (lo + hi) / 2.0
        _, _, r = _bridge_left(body, aligned, Sway(), mid, None)
        if r < 0.0:
            lo = mid
        else:
            hi = mid
    pitch = (lo + hi) / 2.0
    _, ankles, _ = _bridge_left(body, aligned, Sway(), pitch, None)
    sol, _, _ = _bridge_left(body, p, sway, pitch, ankles)
    sol.info["trunk_pitch_deg"] = pitch
    return sol


# ============================================================================ solve


def _mirror(sol: Solution) -> Solution:
    """The mirror image (x -> -x) of a solution: ``.L`` <-> ``.R``, R -> M R M."""
    rots: dict[str, FloatArray] = {}
    for lab, r in sol.rotations.items():
        if lab.endswith(".L"):
            lab = lab[:-2] + ".R"
        elif lab.endswith(".R"):
            lab = lab[:-2] + ".L"
        rots[lab] = _MIRROR @ r @ _MIRROR
    return Solution(rotations=rots, root_offset_m=_MIRROR @ sol.root_offset_m, info=dict(sol.info))


def _left_frame(p: PoseParams) -> PoseParams:
    """The same pose built on the left side: absolute-left signed faults flip."""
    if p.side == "left":
        return p
    if isinstance(p, (Warrior1, Tree)):
        return replace(p, side="left", pelvis_tilt_deg=-p.pelvis_tilt_deg)
    return replace(p, side="left")


def _triple(v: FloatArray) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def _com_xy(body: Body, sol: Solution) -> FloatArray:
    return np.asarray(sol.pose(body).com_m[:2], dtype=np.float64)


class _Solver:
    """Solves one parameter set once (COM targets), then re-solves contacts per frame."""

    def __init__(self, body: Body, params: PoseParams) -> None:
        self.body = body
        self.params = params
        self.left = _left_frame(params)
        self.mirror = params.side == "right" and not isinstance(params, Bridge)
        self._state: float | FloatArray = 0.0
        self._prepare()

    def _prepare(self) -> None:
        body, p = self.body, self.left
        rig = _rig(body)
        if isinstance(p, Tree):
            # COM over the standing foot's middle (+ the fault's sideways shift).
            foot = _flat_foot(rig, "L", np.array([0.0, -1.0]))
            ankle = np.array([0.09, 0.0, rig.floor_z + rig.ankle_h])
            mid = ankle + foot @ (rig.sole_mid["L"] - rig.heads["foot.L"])
            target = mid[:2] + np.array([-p.com_shift_foot_lengths * rig.foot_len, 0.0])
            xy = np.array([0.09, 0.0])
            for _ in range(6):
                com = _com_xy(body, _tree_left(body, p, Sway(), xy))
                err = target - com
                xy = xy + err / 0.85
                if float(np.linalg.norm(err)) < 5e-4:
                    break
            self._state = xy
        elif isinstance(p, Warrior1):
            shift = 0.0
            if p.weight_front_shift != 0.0:
                aligned = replace(p, weight_front_shift=0.0)
                frac0 = self._w1_front_fraction(aligned, 0.0)
                want = frac0 + p.weight_front_shift
                x0, f0 = 0.0, frac0 - want
                x1 = 0.5 * p.weight_front_shift
                f1 = self._w1_front_fraction(p, x1) - want
                for _ in range(8):  # secant on the pelvis's forward shift (m)
                    if abs(f1) < 2e-3 or f1 == f0:
                        break
                    x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
                    f1 = self._w1_front_fraction(p, x1) - want
                shift = x1
            self._state = shift

    def _w1_front_fraction(self, p: Warrior1, shift_m: float) -> float:
        """Where the COM lies between the ankles, horizontally: 0 back, 1 front."""
        body = self.body
        sol = _warrior1_left(body, p, Sway(), shift_m)
        posed = sol.pose(body)
        fa = posed.bone_heads_m["foot.L"][:2]
        ba = posed.bone_heads_m["foot.R"][:2]
        d = fa - ba
        return float((posed.com_m[:2] - ba) @ d / (d @ d))

    def solve(self, sway: Sway | None = None) -> Solution:
        """The pose with contacts re-solved under ``sway`` (mirrored for the right)."""
        sw = sway or Sway()
        if self.mirror:
            sw = Sway(
                pelvis_m=_triple(_MIRROR @ np.asarray(sw.pelvis_m)),
                trunk_deg=_triple(-_MIRROR @ np.asarray(sw.trunk_deg)),
            )
        body, p = self.body, self.left
        if isinstance(p, Tree):
            sol = _tree_left(body, p, sw, np.asarray(self._state))
        elif isinstance(p, Warrior1):
            sol = _warrior1_left(body, p, sw, float(np.asarray(self._state)))
        elif isinstance(p, HalfMoon):
            sol = _solve_half_moon(body, p, sw)
        else:
            sol = _solve_bridge(body, p, sw)
        sol = _floor(body, sol, p)
        return _mirror(sol) if self.mirror else sol


def _floor(body: Body, sol: Solution, p: PoseParams) -> Solution:
    """Shift the root from the solver's frame (floor at ``rig.floor_z``) to the world's
    (floor at 0)."""
    rig = _rig(body)
    off = sol.root_offset_m + np.array([0.0, 0.0, -rig.floor_z])
    return Solution(rotations=sol.rotations, root_offset_m=off, info=sol.info)


def solve(params: PoseParams, body: Body, sway: Sway | None = None) -> Solution:
    """Bone rotations and root position of ``params`` on ``body``, contacts solved.

    Args:
        params: one of :class:`Warrior1`, :class:`Tree`, :class:`HalfMoon`,
            :class:`Bridge`.
        body: the body (its proportions decide lengths and contact points).
        sway: optional small perturbation (see :class:`Sway`); contacts are re-solved.
    """
    return _Solver(body, params).solve(sway)


# ============================================================================ animation


def _start(body: Body, params: PoseParams) -> Solution:
    """Where the entry starts: standing, or for Bridge lying flat on the back."""
    rig = _rig(body)
    if isinstance(params, Bridge):
        b = _Build(pelvis=_BRIDGE_BASE, root_m=np.zeros(3), trunk=_BRIDGE_BASE, head=_BRIDGE_BASE)
        sk = _axial_skeleton(body, b, np.arange(len(body.rest_vertices_m)))
        root = np.array([0.0, 0.0, -float(sk["_points"][:, 2].min())])
        return Solution(rotations={"root": _BRIDGE_BASE}, root_offset_m=root)
    return Solution(rotations={}, root_offset_m=np.array([0.0, 0.0, -rig.floor_z]))


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(t, 0.0), 1.0))


def _blend(a: Solution, b: Solution, t: float) -> Solution:
    """Per-bone slerp of local rotations from ``a`` to ``b``; root position linear."""
    rots: dict[str, FloatArray] = {}
    for lab in set(a.rotations) | set(b.rotations):
        ra = a.rotations.get(lab, np.eye(3))
        rb = b.rotations.get(lab, np.eye(3))
        rots[lab] = ra @ _rpow(ra.T @ rb, t)
    off = (1.0 - t) * a.root_offset_m + t * b.root_offset_m
    return Solution(rotations=rots, root_offset_m=off)


def _ground(body: Body, posed: Posed) -> Posed:
    """Translate a posed body vertically so its lowest vertex touches z = 0."""
    dz = -float(posed.vertices_m[:, 2].min())
    shift = np.array([0.0, 0.0, dz])
    return Posed(
        vertices_m=posed.vertices_m + shift,
        landmarks_m=posed.landmarks_m + shift,
        com_m=posed.com_m + shift,
        bone_heads_m={k: v + shift for k, v in posed.bone_heads_m.items()},
    )


def animate(
    params: PoseParams,
    body: Body,
    *,
    fps: float,
    entry_s: float = 1.0,
    hold_s: float = 3.0,
    sway_deg: float = 1.0,
    seed: int = 0,
) -> list[Posed]:
    """A clip: ``entry_s`` seconds from standing (Bridge: lying flat) into the pose,
    then ``hold_s`` seconds held with slight natural sway.

    Entry frames interpolate every bone's local rotation (slerp) and the root position,
    eased, with the body lowered/raised so its lowest point touches the floor (feet may
    slide during the entry). Hold frames add slow seeded sinusoids (periods 2.5-6 s): the
    trunk rotates by up to ``sway_deg`` degrees and the pelvis drifts by up to
    ``sway_deg`` cm, with every contact re-solved each frame (feet flat, Tree's foot on
    the leg, Half Moon's hand on the floor). The first hold frame is the exact pose.

    Returns ``round((entry_s + hold_s) * fps)`` posed bodies; frame ``i`` is at
    ``i / fps`` seconds and the hold starts at frame ``round(entry_s * fps)``.
    """
    solver = _Solver(body, params)
    final = solver.solve()
    start = _start(body, params)
    n_entry = int(round(entry_s * fps))
    n_hold = int(round(hold_s * fps))
    rng = np.random.default_rng(seed)
    periods = rng.uniform(2.5, 6.0, size=6)
    phases = rng.uniform(0.0, 2.0 * math.pi, size=6)
    amps = rng.uniform(0.5, 1.0, size=6)
    frames: list[Posed] = []
    for i in range(n_entry):
        t = _ease(i / max(n_entry, 1))
        frames.append(_ground(body, _blend(start, final, t).pose(body)))
    for j in range(n_hold):
        t_s = j / fps
        w = [
            amps[k] * (math.sin(2 * math.pi * t_s / periods[k] + phases[k]) - math.sin(phases[k]))
            for k in range(6)
        ]
        sway = Sway(
            pelvis_m=(0.01 * sway_deg * w[0], 0.01 * sway_deg * w[1], 0.0),
            trunk_deg=(sway_deg * w[2], sway_deg * w[3], 0.5 * sway_deg * w[4]),
        )
        frames.append(solver.solve(sway).pose(body))
    return frames


def standing(body: Body) -> Solution:
    """The unrotated body standing on the floor (world frame)."""
    return _start(body, Tree())


__all__ = [
    "VIEW_AZIMUTH_DEG",
    "Bridge",
    "HalfMoon",
    "PoseParams",
    "Solution",
    "Sway",
    "Tree",
    "Warrior1",
    "animate",
    "params_json",
    "pose_name",
    "solve",
    "standing",
]
