"""Which of the four poses a frame shows, on which side, how confidently. Pure, no I/O.

Method: geometric rules written from each pose's definition, not fitted to photos. A
handful of view-robust features are read off one frame's landmarks (:func:`features`);
each pose is a list of soft conditions on them (:data:`RULES`); a condition scores
``sigmoid((value - threshold) / scale)`` so a value right at its threshold scores 0.5;
a pose scores the minimum of its conditions (all must hold), and the best pose wins if
it scores at least :data:`MIN_CONFIDENCE`. Features are measured in leg lengths and
degrees, so the person's size and distance do not matter; they use angles and heights,
not screen left/right, so mirrored pictures and both sides read alike; heights and foot
contacts come from MediaPipe's world landmarks where the image would mix height with
depth.

Where thresholds come from: the pose's anatomy (e.g. Half Moon's torso and lifted leg
are horizontal, so the torso tilt is about 90 deg and the lifted foot is about one leg
length up; Warrior 1's arms are overhead, Warrior 2's are horizontal). The margins were
then checked against the distributions on the real photos of ``../shared/data`` as a
whole, never adjusted for a single photo; ``benchmarks/recognition.py`` measures the
result. Known limits are listed in the README (crescent lunge with the back heel up
reads as Warrior 1; a Warrior 1 with the arms down needs its hips turned well toward
square; supported Bridge variations may be missed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from posecheck.landmarks import MAIN_JOINTS, Landmarks
from posecheck.landmarks import Landmark as L
from posecheck.measure import geometry as g

POSES = ("warrior1", "tree", "half_moon", "bridge")

#: A pose is named only when its score reaches this (a condition right at its threshold
#: scores 0.5, so this means every condition is at least at its threshold).
MIN_CONFIDENCE = 0.5

#: A pose is only named when shoulders, hips, knees and ankles lie in the picture, up to
#: this margin (normalised units) beyond its edges: MediaPipe guesses joints outside the
#: frame, and a close-up of the upper body must not be read as a pose. On the real photo
#: set the worst in-pose overshoot is 0.09 (a Warrior 1 whose back foot is cut off).
MAX_OUT_OF_FRAME = 0.15
_BODY = list(MAIN_JOINTS)


def body_in_frame(lm: Landmarks) -> bool:
    """Whether the main joints lie in the picture (see :data:`MAX_OUT_OF_FRAME`)."""
    xy = lm.xy[_BODY]
    overshoot = float(np.max(np.maximum(-xy, xy - 1.0)))
    return overshoot <= MAX_OUT_OF_FRAME


#: MediaPipe's world skeleton reads a straight knee as ~13 deg bent (see geometry).
_WORLD_KNEE_BIAS_DEG = g.WORLD_KNEE_FLEXION_BIAS_DEG


@dataclass(frozen=True)
class PoseFeatures:
    """View-robust numbers describing one frame's body shape.

    Lengths are in leg lengths, heights are above the floor (the lowest foot point),
    angles in degrees. ``*_l`` / ``*_r`` are the body's left and right.
    """

    trunk_tilt_deg: (
        float  # trunk (mid-hip -> mid-shoulder) from vertical-up: 0 upright, 90 horizontal
    )
    knee_flex_l_deg: float  # 0 = straight; the larger of the image and world readings
    knee_flex_r_deg: float
    knee_flex_min_l_deg: float  # the smaller of the two: evidence that a leg is straight
    knee_flex_min_r_deg: float
    foot_lift_l: float  # height of the foot's lowest point above the other foot's
    foot_lift_r: float
    foot_down_lift_l: float  # the smaller of the image and world lifts: evidence of a foot
    foot_down_lift_r: float  # on the floor (each reading alone lifts a far foot, see below)
    stance_width: float  # ankle to ankle, 3D where available
    arm_up_l: float  # wrist beyond the shoulder along the trunk's up direction
    arm_up_r: float
    wrist_height_l: float
    wrist_height_r: float
    shoulder_height: float  # mid-shoulder
    hip_height: float  # mid-hip
    hip_angle_deg: float  # mean shoulder-hip-knee angle (180 = hip straight)
    hips_to_feet_deg: float  # hip line vs the line between the feet, folded to 0..90
    knee_height_l: float
    knee_height_r: float
    # how far the trunk (hip -> shoulder, unit) leans toward the left foot, horizontally
    # along the line from the right ankle to the left (negative: toward the right foot);
    # world frame when available, else the picture's x
    trunk_toward_l: float = 0.0

    @property
    def trunk_toward_r(self) -> float:
        return -self.trunk_toward_l

    def side_values(self, name: str) -> tuple[float, float]:
        """``(left, right)`` of a per-side feature, e.g. ``side_values("knee_flex")``."""
        if name in ("knee_flex", "knee_flex_min"):
            return getattr(self, f"{name}_l_deg"), getattr(self, f"{name}_r_deg")
        return getattr(self, f"{name}_l"), getattr(self, f"{name}_r")


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    return float(g.joint_angle_deg(a, b, c))


#: A segment counts as pointing at the camera when its picture shows less than this share
#: of its true length (world length times the image scale); its direction is then read
#: from the world landmarks (Half Moon seen from the lifted foot's end, Bridge from the
#: feet).
END_ON = 0.5


def _trunk_tilt(trunk: np.ndarray, up: np.ndarray) -> tuple[float, np.ndarray]:
    """Angle of ``trunk`` (hip -> shoulder) from ``up`` in degrees, and its unit vector."""
    length = max(float(np.linalg.norm(trunk)), 1e-9)
    cos = max(-1.0, min(1.0, float(np.dot(trunk, up)) / length))
    return math.degrees(math.acos(cos)), trunk / length


def features(lm: Landmarks) -> PoseFeatures:
    """Compute :class:`PoseFeatures` from one frame's landmarks."""
    xy = lm.xy_px
    world = lm.world
    leg = max(float(g.leg_length_px(xy)), 1e-6)
    floor = float(np.max(xy[L.LEFT_ANKLE :, 1]))

    def height(idx: int) -> float:
        return (floor - float(xy[idx, 1])) / leg

    mid_sh = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    mid_hip = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    tilt, up_dir = _trunk_tilt(mid_sh - mid_hip, np.array([0.0, -1.0]))
    world_up: np.ndarray | None = None
    if world is not None:
        w_sh = (world[L.LEFT_SHOULDER] + world[L.RIGHT_SHOULDER]) / 2
        w_hip = (world[L.LEFT_HIP] + world[L.RIGHT_HIP]) / 2
        w_tilt, world_up = _trunk_tilt(w_sh - w_hip, np.array([0.0, -1.0, 0.0]))
        if float(g.trunk_shown_share(xy, world)) < END_ON:
            # The trunk points at the camera: its picture is a stub whose direction
            # means nothing, so the tilt is read from the world landmarks (y down).
            tilt = w_tilt

    flex = []
    flex_min = []
    for hip, knee, ankle in (
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
        (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
    ):
        # A leg drawn end-on has no image angle (NaN): the world reading stands alone.
        readings = [180.0 - _angle(xy[hip], xy[knee], xy[ankle])]
        if world is not None:
            bent = 180.0 - _angle(world[hip], world[knee], world[ankle]) - _WORLD_KNEE_BIAS_DEG
            readings.append(max(0.0, bent))
        finite = [r for r in readings if math.isfinite(r)]
        flex.append(max(finite) if finite else math.nan)
        flex_min.append(min(finite) if finite else math.nan)

    feet = (
        (L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
        (L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
    )
    low_px = [float(np.max(xy[list(f), 1])) for f in feet]
    image_lifts = [(max(low_px) - v) / leg for v in low_px]
    if world is not None:
        wleg = max(float(g.leg_length_px(world)), 1e-6)
        low = [float(np.max(world[list(f), 1])) for f in feet]
        lifts = [(max(low) - v) / wleg for v in low]
        stance = float(np.linalg.norm(world[L.LEFT_ANKLE] - world[L.RIGHT_ANKLE])) / wleg
        hips = world[L.LEFT_HIP] - world[L.RIGHT_HIP]
        between = world[L.LEFT_ANKLE] - world[L.RIGHT_ANKLE]
        hips_h = np.array([hips[0], hips[2]])
        feet_h = np.array([between[0], between[2]])
        a = float(g.angle_between_deg(hips_h, feet_h))
        hips_to_feet = min(a, 180.0 - a) if math.isfinite(a) else 0.0
        hip_angle = (
            _angle(world[L.LEFT_SHOULDER], world[L.LEFT_HIP], world[L.LEFT_KNEE])
            + _angle(world[L.RIGHT_SHOULDER], world[L.RIGHT_HIP], world[L.RIGHT_KNEE])
        ) / 2
    else:
        lifts = image_lifts
        stance = float(np.linalg.norm(xy[L.LEFT_ANKLE] - xy[L.RIGHT_ANKLE])) / leg
        hips_to_feet = 0.0
        hip_angle = (
            _angle(xy[L.LEFT_SHOULDER], xy[L.LEFT_HIP], xy[L.LEFT_KNEE])
            + _angle(xy[L.RIGHT_SHOULDER], xy[L.RIGHT_HIP], xy[L.RIGHT_KNEE])
        ) / 2

    if world is not None:
        trunk_h = (w_sh - w_hip)[[0, 2]]
        feet_line = (world[L.LEFT_ANKLE] - world[L.RIGHT_ANKLE])[[0, 2]]
        trunk_len = float(np.linalg.norm(w_sh - w_hip))
    else:
        trunk_h = (mid_sh - mid_hip)[:1]
        feet_line = (xy[L.LEFT_ANKLE] - xy[L.RIGHT_ANKLE])[:1]
        trunk_len = float(np.linalg.norm(mid_sh - mid_hip))
    feet_len = float(np.linalg.norm(feet_line))
    toward_l = (
        float(np.dot(trunk_h, feet_line)) / (feet_len * trunk_len)
        if feet_len > 1e-9 and trunk_len > 1e-9
        else 0.0
    )

    arm = []
    for s, w in ((L.LEFT_SHOULDER, L.LEFT_WRIST), (L.RIGHT_SHOULDER, L.RIGHT_WRIST)):
        reach = float(np.dot(xy[w] - xy[s], up_dir)) / leg
        if world is not None and world_up is not None:
            if float(g.foreshortening(xy, world, s, w)) < END_ON:
                # The arm points at the camera (Bridge seen from the feet: arms along the
                # mat): its reach along the trunk is read in the world frame.
                reach = float(np.dot(world[w] - world[s], world_up)) / max(
                    float(g.leg_length_px(world)), 1e-6
                )
        arm.append(reach)
    return PoseFeatures(
        trunk_tilt_deg=tilt,
        knee_flex_l_deg=flex[0],
        knee_flex_r_deg=flex[1],
        knee_flex_min_l_deg=flex_min[0],
        knee_flex_min_r_deg=flex_min[1],
        foot_lift_l=lifts[0],
        foot_lift_r=lifts[1],
        # A foot far behind the body (Warrior 1's back foot seen from the front) reads
        # lifted in MediaPipe's world frame, which is pitched with the camera and noisy in
        # depth (rendered Warrior 1, camera 5 deg down: 0.41 leg lengths, flickering the
        # pose off); in the picture it reads lifted only by perspective, and less. A foot
        # that either reading puts on the floor counts as down.
        foot_down_lift_l=min(lifts[0], image_lifts[0]),
        foot_down_lift_r=min(lifts[1], image_lifts[1]),
        stance_width=stance,
        arm_up_l=arm[0],
        arm_up_r=arm[1],
        wrist_height_l=height(L.LEFT_WRIST),
        wrist_height_r=height(L.RIGHT_WRIST),
        shoulder_height=(floor - float(mid_sh[1])) / leg,
        hip_height=(floor - float(mid_hip[1])) / leg,
        hip_angle_deg=hip_angle,
        hips_to_feet_deg=hips_to_feet,
        knee_height_l=height(L.LEFT_KNEE),
        knee_height_r=height(L.RIGHT_KNEE),
        trunk_toward_l=toward_l,
    )


# ----------------------------------------------------------------------------- rules


def _soft(value: float, threshold: float, scale: float, above: bool = True) -> float:
    """0.5 at the threshold, toward 1 on the wanted side; 0 when ``value`` is NaN (a
    condition that cannot be measured is not met)."""
    if math.isnan(value):
        return 0.0
    z = (value - threshold) / scale if above else (threshold - value) / scale
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Condition:
    """One soft requirement: ``feature`` above (or below) ``threshold``.

    ``why`` says where the number comes from; :func:`describe_rules` lists them.
    """

    name: str
    value: Callable[[PoseFeatures, int], float]  # (features, working side 0=L/1=R)
    threshold: float
    scale: float
    above: bool
    why: str

    def score(self, f: PoseFeatures, side: int) -> float:
        return _soft(self.value(f, side), self.threshold, self.scale, self.above)


def _pick(pair: tuple[float, float], side: int) -> float:
    return pair[side]


def _other(side: int) -> int:
    return 1 - side


def _lower_foot(f: PoseFeatures) -> int:
    """0 (left) or 1 (right): the foot nearer the floor."""
    return 0 if f.foot_lift_l <= f.foot_lift_r else 1


def _more_bent(f: PoseFeatures) -> int:
    return 0 if f.knee_flex_l_deg >= f.knee_flex_r_deg else 1


def _lift(f: PoseFeatures, side: int) -> float:
    return _pick(f.side_values("foot_lift"), side)


def _flex(f: PoseFeatures, side: int) -> float:
    """Knee bend, read generously (evidence that a knee IS bent)."""
    return _pick(f.side_values("knee_flex"), side)


def _flex_min(f: PoseFeatures, side: int) -> float:
    """Knee bend, read conservatively (evidence that a leg is straight): a front view
    hides a bend in the image and MediaPipe's world depth invents one, so a leg counts as
    straight when either reading says so."""
    return _pick(f.side_values("knee_flex_min"), side)


TREE = (
    Condition(
        "trunk upright",
        lambda f, s: f.trunk_tilt_deg,
        30.0,
        8.0,
        False,
        "Tree stands tall: trunk within ~30 deg of vertical",
    ),
    Condition(
        "other foot lifted",
        lambda f, s: _lift(f, _other(s)),
        0.18,
        0.04,
        True,
        "the lifted foot rests on the calf (~0.2 leg lengths up) or the inner thigh (~0.6-0.9)",
    ),
    Condition(
        "lifted knee bent",
        lambda f, s: _flex(f, _other(s)),
        55.0,
        10.0,
        True,
        "the lifted leg folds: knee bent well past a step (foot against the other leg)",
    ),
    Condition(
        "standing leg straight",
        lambda f, s: _flex_min(f, s),
        35.0,
        8.0,
        False,
        "the standing leg is straight (docs/measurements.md#tree: standing leg straight)",
    ),
)

HALF_MOON = (
    Condition(
        "trunk horizontal",
        lambda f, s: abs(f.trunk_tilt_deg - 90.0),
        40.0,
        8.0,
        False,
        "Half Moon's trunk is parallel to the floor: tilt 90 +- 40 deg",
    ),
    Condition(
        "other foot lifted high",
        lambda f, s: _lift(f, _other(s)),
        0.55,
        0.08,
        True,
        "the lifted leg is near hip height: about one leg length above the floor",
    ),
    Condition(
        "hips high",
        lambda f, s: f.hip_height,
        0.7,
        0.06,
        True,
        "standing on one straight leg puts the hips about a leg length up",
    ),
    Condition(
        "shoulders high",
        lambda f, s: f.shoulder_height,
        0.62,
        0.06,
        True,
        "the trunk is level with the hips, not dropped to the floor as in a wheel",
    ),
    Condition(
        "standing leg straight",
        lambda f, s: _flex_min(f, s),
        40.0,
        8.0,
        False,
        "the standing leg is straight",
    ),
    Condition(
        "lifted leg straight",
        lambda f, s: _flex_min(f, _other(s)),
        45.0,
        8.0,
        False,
        "the lifted leg is long, not folded",
    ),
    Condition(
        "arms not both forward",
        lambda f, s: min(f.arm_up_l, f.arm_up_r),
        0.4,
        0.06,
        False,
        "one arm reaches down and one up, not both forward as in Warrior 3",
    ),
)

BRIDGE = (
    Condition(
        "hips above shoulders",
        lambda f, s: f.trunk_tilt_deg,
        95.0,
        6.0,
        True,
        "lying on the back with the hips lifted: the trunk slopes down to the shoulders",
    ),
    Condition(
        "shoulders on the floor",
        lambda f, s: f.shoulder_height,
        0.5,
        0.06,
        False,
        "the shoulders stay on the mat (a wheel lifts them on straight arms)",
    ),
    Condition(
        "knees up",
        lambda f, s: (f.knee_height_l + f.knee_height_r) / 2 - f.hip_height,
        -0.15,
        0.05,
        True,
        "shins stand vertical, so the knees are a shin's length up, level with or above "
        "the lifted hips; folding poses (child's pose, down dog) have the knees below "
        "the hips. A sagging bridge is still a bridge: its hip height is checked by the "
        "pose rules, not here",
    ),
    Condition(
        "arms not overhead",
        lambda f, s: max(f.arm_up_l, f.arm_up_r),
        0.0,
        0.06,
        False,
        "arms lie alongside the body, hands nearer the hips than the shoulders are; "
        "hands by the head mean wheel or a forearm backbend",
    ),
    Condition(
        "feet on the floor",
        lambda f, s: max(f.foot_down_lift_l, f.foot_down_lift_r),
        0.45,
        0.08,
        False,
        "both feet stay down (one-legged variations are outside this check)",
    ),
)

#: Degrees of extra lean Warrior 1 may have toward the front foot: leaning over the front
#: thigh is the pose's commonest fault ("back hip not extended"), and should be cued, not
#: make the pose vanish (a rendered Warrior 1 leaning 45-52 deg forward read 41+ deg).
W1_FORWARD_LEAN_ALLOWANCE_DEG = 20.0


def _w1_trunk_lean(f: PoseFeatures, side: int) -> float:
    toward_front = _pick((f.trunk_toward_l, f.trunk_toward_r), side)
    return f.trunk_tilt_deg - (W1_FORWARD_LEAN_ALLOWANCE_DEG if toward_front > 0 else 0.0)


_W1_COMMON = (
    Condition(
        "trunk upright",
        _w1_trunk_lean,
        35.0,
        8.0,
        False,
        "Warrior 1's trunk rises over the hips: within 35 deg of vertical, 55 when leaning "
        "toward the front foot (a fault the checks cue); reverse warrior leans back further",
    ),
    Condition(
        "wide stance",
        lambda f, s: f.stance_width,
        0.7,
        0.08,
        True,
        "a long lunge stance: feet most of a leg length apart or more",
    ),
    Condition(
        "both feet down",
        lambda f, s: max(f.foot_down_lift_l, f.foot_down_lift_r),
        0.5,
        0.06,
        False,
        "front foot flat and back heel grounded; seen from the front, the back foot, a leg "
        "length behind, reads up to ~0.45 leg lengths up in both readings (rendered bodies, "
        "camera 5 deg down); a foot held up (Warrior 3, dancer) reads ~1",
    ),
    Condition(
        "front knee bent",
        lambda f, s: _flex(f, s),
        30.0,
        8.0,
        True,
        "front knee toward 90 deg (docs/measurements.md#warrior-1: ~90 +- 15)",
    ),
    Condition(
        "back knee off the floor",
        lambda f, s: _pick(f.side_values("knee_height"), _other(s)),
        0.15,
        0.04,
        True,
        "a low lunge rests the back knee on the mat",
    ),
)
_W1_ARMS_UP = Condition(
    "arms overhead",
    lambda f, s: min(f.arm_up_l, f.arm_up_r),
    0.3,
    0.06,
    True,
    "Warrior 1 reaches both arms up; Warrior 2's are horizontal, reverse warrior's split",
)
_W1_HIPS_TURNED = Condition(
    "hips turned toward the front",
    lambda f, s: f.hips_to_feet_deg,
    30.0,
    5.0,
    True,
    "in Warrior 1 the hips turn toward the front leg (squared = 90 deg to the feet line); in "
    "Warrior 2 they open along it (~0-25 deg)",
)
_W1_HIPS_SQUARE = Condition(
    "hips well squared",
    lambda f, s: f.hips_to_feet_deg,
    45.0,
    5.0,
    True,
    "without arms overhead, the hips alone must be at least half way to square",
)


def _warrior1_score(f: PoseFeatures, side: int) -> float:
    common = min(c.score(f, side) for c in _W1_COMMON)
    arms_and_hips = min(_W1_ARMS_UP.score(f, side), _W1_HIPS_TURNED.score(f, side))
    return min(common, max(arms_and_hips, _W1_HIPS_SQUARE.score(f, side)))


def _all(conditions: tuple[Condition, ...]) -> Callable[[PoseFeatures, int], float]:
    def score(f: PoseFeatures, side: int) -> float:
        return min(c.score(f, side) for c in conditions)

    return score


#: pose -> (score function of (features, side), how to choose the working side)
RULES: dict[
    str, tuple[Callable[[PoseFeatures, int], float], Callable[[PoseFeatures], int] | None]
] = {
    "warrior1": (_warrior1_score, _more_bent),
    "tree": (_all(TREE), _lower_foot),
    "half_moon": (_all(HALF_MOON), _lower_foot),
    "bridge": (_all(BRIDGE), None),
}

#: The conditions of each pose, for ``posecheck poses`` and the README.
CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "warrior1": (*_W1_COMMON, _W1_ARMS_UP, _W1_HIPS_TURNED, _W1_HIPS_SQUARE),
    "tree": TREE,
    "half_moon": HALF_MOON,
    "bridge": BRIDGE,
}


@dataclass(frozen=True)
class Recognition:
    """The verdict for one frame.

    Attributes:
        pose: one of :data:`POSES`, or None.
        side: ``"left"``/``"right"``: the front leg (Warrior 1) or the standing leg (Tree,
            Half Moon); None for Bridge or no pose.
        confidence: the winning pose's score in [0, 1] (the best score when none won).
        scores: every pose's score.
    """

    pose: str | None
    side: str | None
    confidence: float
    scores: dict[str, float]


def recognise(lm: Landmarks) -> Recognition:
    """Name the pose in one frame (or None) with its working side and a confidence."""
    f = features(lm)
    scores: dict[str, float] = {}
    sides: dict[str, int | None] = {}
    for pose, (score, choose_side) in RULES.items():
        side = choose_side(f) if choose_side is not None else 0
        scores[pose] = score(f, side)
        sides[pose] = side if choose_side is not None else None
    best = max(scores, key=lambda p: scores[p])
    if scores[best] < MIN_CONFIDENCE or not body_in_frame(lm):
        return Recognition(pose=None, side=None, confidence=scores[best], scores=scores)
    side_idx = sides[best]
    side_name = None if side_idx is None else ("left", "right")[side_idx]
    return Recognition(pose=best, side=side_name, confidence=scores[best], scores=scores)
