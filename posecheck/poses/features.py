"""What pose recognition reads off one frame, and the pieces a pose's rule is made of.

Each pose module (``warrior1.py``, ``tree.py``, ...) states how its pose is recognised as
a :class:`RecognitionRule`: soft :class:`Condition` s on the view-robust
:class:`PoseFeatures` of one frame, and a side rule naming its working side;
:func:`posecheck.judge.recognition.recognise` scores every registered pose with them.
Pure, no I/O.

Method: geometric rules written from each pose's definition, not fitted to photos. A
handful of view-robust features are read off one frame's landmarks (:func:`features`); a
condition scores ``sigmoid((value - threshold) / scale)`` so a value right at its
threshold scores 0.5; a pose scores the minimum of its conditions (all must hold) unless
its rule combines them otherwise (Warrior 1). Features are measured in leg lengths and
degrees, so the person's size and distance do not matter; they use angles and heights,
not screen left/right, so mirrored pictures and both sides read alike; heights and foot
contacts come from MediaPipe's world landmarks where the image would mix height with
depth.

Where thresholds come from: the pose's anatomy (e.g. Half Moon's torso and lifted leg
are horizontal, so the torso tilt is about 90 deg and the lifted foot is about one leg
length up; Warrior 1's arms are overhead, Warrior 2's are horizontal). The margins were
then checked against the distributions on the real photos of ``../shared/data`` as a
whole, never adjusted for a single photo; ``benchmarks/recognition.py`` measures the
result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.measure import geometry as g
from posecheck.vocab import Side

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
    # how far the trunk (mid-hip -> mid-shoulder, unit) points away from the camera: the
    # depth share of its world direction, +1 shoulders straight behind the hips, -1
    # straight in front, ~0 in the picture's plane (0 without world landmarks). Bridge
    # filmed from above its feet: ~0.6-0.95; upright poses from a level camera: < 0.55
    trunk_away: float = 0.0
    # the same for the thighs (knee -> hip, unit), the mean of both: Bridge from above
    # its feet ~0.6-0.9 (the hips lie beyond the raised knees); standing ~0
    thighs_away: float = 0.0

    @property
    def trunk_toward_r(self) -> float:
        return -self.trunk_toward_l

    def side_values(self, name: str) -> tuple[float, float]:
        """``(left, right)`` of a per-side feature, e.g. ``side_values("knee_flex")``."""
        if name in ("knee_flex", "knee_flex_min"):
            return getattr(self, f"{name}_l_deg"), getattr(self, f"{name}_r_deg")
        return getattr(self, f"{name}_l"), getattr(self, f"{name}_r")

    def side_value(self, name: str, side: Side) -> float:
        """A per-side feature for the body's ``side``, e.g. ``side_value("foot_lift",
        "left")``."""
        left, right = self.side_values(name)
        return left if side == "left" else right


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

    trunk_away = thighs_away = 0.0
    if world is not None:
        # MediaPipe's world z grows away from the camera.
        trunk_w = w_sh - w_hip
        trunk_away = float(trunk_w[2]) / max(float(np.linalg.norm(trunk_w)), 1e-9)
        shares = []
        for hip_i, knee_i in ((L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE)):
            thigh = world[hip_i] - world[knee_i]
            shares.append(float(thigh[2]) / max(float(np.linalg.norm(thigh)), 1e-9))
        thighs_away = (shares[0] + shares[1]) / 2

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
        trunk_away=trunk_away,
        thighs_away=thighs_away,
    )


# ----------------------------------------------------------------------------- rules


def _soft(value: float, threshold: float, scale: float, above: bool = True) -> float:
    """0.5 at the threshold, toward 1 on the wanted side; 0 when ``value`` is NaN (a
    condition that cannot be measured is not met)."""
    if math.isnan(value):
        return 0.0
    z = (value - threshold) / scale if above else (threshold - value) / scale
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


#: A feature read for a working side: ``(features, side) -> value``.
SidedValue = Callable[[PoseFeatures, Side], float]
#: A pose's score for a working side, in [0, 1].
Score = Callable[[PoseFeatures, Side], float]
#: How a pose names its working side from the features.
SideRule = Callable[[PoseFeatures], Side]


@dataclass(frozen=True)
class Condition:
    """One soft requirement: ``feature`` above (or below) ``threshold``.

    ``value`` reads the feature for the pose's working side (a pose without one gets
    ``"left"``, which its conditions ignore); ``why`` says where the number comes from.
    """

    name: str
    value: SidedValue
    threshold: float
    scale: float
    above: bool
    why: str

    def score(self, f: PoseFeatures, side: Side) -> float:
        return _soft(self.value(f, side), self.threshold, self.scale, self.above)


def all_of(conditions: tuple[Condition, ...]) -> Score:
    """The score of ``conditions`` that must all hold: the lowest of theirs."""

    def score(f: PoseFeatures, side: Side) -> float:
        return min(c.score(f, side) for c in conditions)

    return score


@dataclass(frozen=True)
class RecognitionRule:
    """How one pose is recognised.

    Attributes:
        conditions: every condition the rule reads, for listings (``posecheck poses``).
        side_rule: names the working side (front leg, standing leg, ...); None for a pose
            without one (Bridge).
        combine: the pose's score from its conditions; None when all of them must hold
            (:func:`all_of`).
    """

    conditions: tuple[Condition, ...]
    side_rule: SideRule | None
    combine: Score | None = None

    def working_side(self, f: PoseFeatures) -> Side | None:
        """The working side these features would have in this pose (None: no side)."""
        return None if self.side_rule is None else self.side_rule(f)

    def match(self, f: PoseFeatures) -> tuple[float, Side | None]:
        """``(score, working side)`` of these features as this pose."""
        side = self.working_side(f)
        score = self.combine or all_of(self.conditions)
        return score(f, "left" if side is None else side), side


# ------------------------------------------------------------------ sided feature readers


def lower_foot(f: PoseFeatures) -> Side:
    """The foot nearer the floor (the standing leg of a one-legged pose)."""
    return "left" if f.foot_lift_l <= f.foot_lift_r else "right"


def more_bent_knee(f: PoseFeatures) -> Side:
    """The leg whose knee bends more (Warrior 1's front leg)."""
    return "left" if f.knee_flex_l_deg >= f.knee_flex_r_deg else "right"


def foot_lift(f: PoseFeatures, side: Side) -> float:
    """Height of ``side``'s foot above the other foot, in leg lengths."""
    return f.side_value("foot_lift", side)


def knee_flex(f: PoseFeatures, side: Side) -> float:
    """Knee bend, read generously (evidence that a knee IS bent)."""
    return f.side_value("knee_flex", side)


def knee_flex_min(f: PoseFeatures, side: Side) -> float:
    """Knee bend, read conservatively (evidence that a leg is straight): a front view
    hides a bend in the image and MediaPipe's world depth invents one, so a leg counts as
    straight when either reading says so."""
    return f.side_value("knee_flex_min", side)


__all__ = [
    "END_ON",
    "Condition",
    "PoseFeatures",
    "RecognitionRule",
    "Score",
    "SideRule",
    "SidedValue",
    "all_of",
    "features",
    "foot_lift",
    "knee_flex",
    "knee_flex_min",
    "lower_foot",
    "more_bent_knee",
]
