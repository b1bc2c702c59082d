"""Which registered pose a frame shows, on which side, how confidently. Pure, no I/O.

Every pose in :data:`posecheck.poses.REGISTRY` carries its own recognition rule (its
module's :class:`~posecheck.poses.features.RecognitionRule`: soft conditions on the
frame's :func:`~posecheck.poses.features.features`, and a side rule). :func:`recognise`
scores them all; the best pose wins if it scores at least :data:`MIN_CONFIDENCE` and the
body lies in the picture. The method and where the thresholds come from are described in
:mod:`posecheck.poses.features`. Known limits are listed in the README (crescent lunge
with the back heel up reads as Warrior 1; a Warrior 1 with the arms down needs its hips
turned well toward square; supported Bridge variations may be missed; Bridge is read from
its side or from above its feet, not from a low camera at its feet).

:func:`lying_body` tells a body lying on the floor, whose weight is not on its feet: no
centre of mass over the feet is drawn or weight split reported for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.landmarks import MAIN_JOINTS, Landmarks
from posecheck.poses import REGISTRY
from posecheck.poses.features import PoseFeatures, features
from posecheck.vocab import Side

#: A pose is named only when its score reaches this (a condition right at its threshold
#: scores 0.5, so this means every condition is at least at its threshold).
MIN_CONFIDENCE = 0.5

#: A pose is only named when shoulders, hips, knees and ankles lie in the picture, up to
#: this margin (normalised units) beyond its edges: MediaPipe guesses joints outside the
#: frame, and a close-up of the upper body must not be read as a pose. On the real photo
#: set the worst in-pose overshoot is 0.09 (a Warrior 1 whose back foot is cut off).
MAX_OUT_OF_FRAME = 0.15
_BODY = list(MAIN_JOINTS)

#: Seen from the side, a body lies when its trunk is at least this far from upright
#: (degrees) ...
LYING_TILT_DEG = 60.0
#: ... with the shoulders at most this high above the floor (leg lengths; Bridge's own
#: "shoulders on the floor" threshold). Half Moon's horizontal trunk is held about one leg
#: length up, a plank's shoulders about 0.7: not lying.
LYING_SHOULDER_HEIGHT = 0.5
#: Seen from above its feet (the picture's heights then mean nothing), a body lies when
#: its trunk runs away from the camera at least this much (PoseFeatures.trunk_away, the
#: threshold of Bridge's from-the-feet rule) with both feet down (Half Moon seen from
#: behind its lifted foot points the trunk away too, on one foot).
LYING_TRUNK_AWAY = 0.6
#: Feet count as down up to this lift (leg lengths; Bridge's "feet on the floor").
LYING_FOOT_LIFT = 0.45


def body_in_frame(lm: Landmarks) -> bool:
    """Whether the main joints lie in the picture (see :data:`MAX_OUT_OF_FRAME`)."""
    xy = lm.xy[_BODY]
    overshoot = float(np.max(np.maximum(-xy, xy - 1.0)))
    return overshoot <= MAX_OUT_OF_FRAME


@dataclass(frozen=True)
class Recognition:
    """The verdict for one frame.

    Attributes:
        pose: a name in the pose registry, or None.
        side: the working side by the pose's own rule: the front leg (Warrior 1) or the
            standing leg (Tree, Half Moon); None for a pose without one (Bridge) or no pose.
        confidence: the winning pose's score in [0, 1] (the best score when none won).
        scores: every registered pose's score, in registry order.
        lying: the body lies on the floor (:func:`lying_body`), whatever the pose; every
            recognised Bridge does.
    """

    pose: str | None
    side: Side | None
    confidence: float
    scores: dict[str, float]
    lying: bool = False


def lying_body(f: PoseFeatures) -> bool:
    """Whether the body lies on the floor, so its weight is not carried by the feet
    alone: trunk far from upright with the shoulders down (side view), or trunk running
    into the picture with both feet down (seen from the feet). See the ``LYING_*``
    thresholds."""
    from_side = f.trunk_tilt_deg >= LYING_TILT_DEG and f.shoulder_height <= LYING_SHOULDER_HEIGHT
    feet_down = max(f.foot_down_lift_l, f.foot_down_lift_r) <= LYING_FOOT_LIFT
    from_feet = f.trunk_away >= LYING_TRUNK_AWAY and feet_down
    return bool(from_side or from_feet)


def is_lying(lm: Landmarks) -> bool:
    """:func:`lying_body` of one frame's landmarks (what ``--fast`` stops tracking on)."""
    return lying_body(features(lm))


def recognise(lm: Landmarks) -> Recognition:
    """Name the pose in one frame (or None) with its working side and a confidence."""
    f = features(lm)
    scores: dict[str, float] = {}
    sides: dict[str, Side | None] = {}
    for name, spec in REGISTRY.items():
        scores[name], sides[name] = spec.recognition_rule().match(f)
    best = max(scores, key=lambda p: scores[p])
    lying = lying_body(f)
    if scores[best] < MIN_CONFIDENCE or not body_in_frame(lm):
        return Recognition(None, None, scores[best], scores, lying)
    return Recognition(best, sides[best], scores[best], scores, lying)
