"""Tree (Vrksasana): ``side`` is the STANDING leg, ``{other}`` the lifted leg.

The seed article: the lifted (top) leg is abducted; on the standing leg engage the outer
hip (gluteus medius) so the knee does not collapse toward the midline. Recognised
(:data:`RECOGNITION`) by an upright trunk over one straight leg, the other foot lifted
with its knee folded; the foot nearer the floor is the standing leg.
"""

from __future__ import annotations

from posecheck.poses.base import CameraPlacement, PoseCheck, PoseSpec
from posecheck.poses.features import (
    Condition,
    RecognitionRule,
    foot_lift,
    knee_flex,
    knee_flex_min,
    lower_foot,
)
from posecheck.vocab import Severity, other_side

RECOGNITION = RecognitionRule(
    conditions=(
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
            lambda f, s: foot_lift(f, other_side(s)),
            0.18,
            0.04,
            True,
            "the lifted foot rests on the calf (~0.2 leg lengths up) or the inner thigh (~0.6-0.9)",
        ),
        Condition(
            "lifted knee bent",
            lambda f, s: knee_flex(f, other_side(s)),
            55.0,
            10.0,
            True,
            "the lifted leg folds: knee bent well past a step (foot against the other leg)",
        ),
        Condition(
            "standing leg straight",
            knee_flex_min,
            35.0,
            8.0,
            False,
            "the standing leg is straight (docs/measurements.md#tree: standing leg straight)",
        ),
    ),
    side_rule=lower_foot,  # the foot nearer the floor is the standing leg
)

TREE = PoseSpec(
    name="tree",
    display_name="Tree",
    side_meaning="standing leg",
    side_label="standing",
    recognition=RECOGNITION,
    summary="standing on one straight leg, the other foot on the calf or inner thigh",
    cameras=(
        CameraPlacement("front", "the front, facing the person", (0.8, 1.0), (2.5, 3.5)),
        CameraPlacement("side", "the standing leg's side", (0.8, 1.0), (2.5, 3.5)),
    ),
    checks=(
        PoseCheck(
            id="standing_knee_midline",
            mission="knee",
            title="standing knee not toward the midline",
            metric="knee_valgus_{side}_deg",
            direction="above",
            warn=3.0,
            fault=8.0,
            views=("front",),
            joint="{SIDE}_KNEE",
            message="Standing knee drifting toward the midline: wake up the outer hip",
            source="FPPA (Munro 2012); a straight standing leg should read near 0, so the "
            "thresholds sit below the single-leg landing norms; 2D error 2-4 deg. On "
            "rendered Trees MediaPipe read a heavier, muscular leg about 4 deg toward varus, "
            "on either leg (a true 9.9 deg cave read 5.4-5.9, a 6.9 deg one 3.2), while 44 "
            "aligned standing legs seen from the front read -5.3 to +0.8: a 3 deg warning "
            "catches the heavier leg's 7 deg cave with a 2 deg margin over aligned legs "
            "(benchmarks/accuracy.py)",
        ),
        PoseCheck(
            id="standing_leg_straight",
            title="standing leg straight",
            metric="knee_angle_{side}_deg",
            direction="below",
            warn=170.0,
            fault=160.0,
            joint="{SIDE}_KNEE",
            message="Standing leg: lengthen it, lift the kneecap without locking",
            source="docs/measurements.md#tree: standing leg straight; starting values 170/160 deg",
        ),
        PoseCheck(
            id="foot_off_knee",
            title="lifted foot above or below the knee joint",
            metric="foot_knee_gap_{side}_pct",
            direction="below",
            warn=10.0,
            fault=5.0,
            joint="{OTHER}_HEEL",
            message="Foot pressing on the knee joint: move it above or below the knee",
            source="docs/measurements.md#tree: lifted foot not on the knee joint; heel within 10/5 "
            "% of leg "
            "length of the knee's height",
        ),
        PoseCheck(
            id="lifted_knee_open",
            mission="hip_action",
            title="lifted knee opened out",
            metric="thigh_opening_{other}_deg",
            direction="below",
            warn=40.0,
            fault=25.0,
            views=("front",),
            joint="{OTHER}_KNEE",
            message="Open the lifted knee out to the side: squeeze the outer upper hip",
            source="Seed article: the top leg is abducted (gluteus medius). "
            "docs/measurements.md#hip-action: the lifted thigh's angle out of the pelvis's "
            "sagittal plane; rendered aligned Trees 56-58 deg, a knee closed to 40 deg from "
            "straight ahead 35-37, to 15 deg 12-16; warn at 40, fault at 25. Judged from the "
            "front only. On bodies it was not set on (the wide set's test bodies and the "
            "cues set; benchmarks/results/accuracy_wide_test.json, accuracy_cues.json) it "
            "cued 30 of 32 clear faults and 1 of 45 aligned clips (28 of 29 and 1 of 46 "
            "with --correct); from 45 deg it read 13-42 deg off and cued 5 of 18 "
            "(benchmarks/hip_action.py)",
        ),
        PoseCheck(
            id="pelvis_level",
            mission="hips",
            title="pelvis level",
            metric="pelvic_obliquity_deg",
            direction="abs_above",
            warn=15.0,
            fault=20.0,
            views=("front",),
            max_severity=Severity.INFO,
            message="Pelvis tilting: level the hips, lengthen both sides of the waist",
            source="docs/measurements.md#tree: pelvis level",
            unreliable="the lifted leg drags MediaPipe's hip landmark up: a level pelvis read "
            "10-18 deg toward the lifted side on 12 rendered clips, and a 16 deg tilt read 1 or "
            "18 depending on the body (benchmarks/accuracy.py); with --correct (the landmark "
            "correction and the hip line read from the picture) the bias mostly goes (real "
            "Tree photos: +8.4 deg toward the lifted side becomes +0.4, "
            "benchmarks/pelvis_photos.py) but on held-out rendered bodies a true tilt reads at "
            "0.6 of its size, 2.3 deg (median) and 6.6 deg (90th percentile) off from the "
            "front and 45 deg (models/landmark_correction.json)",
        ),
        PoseCheck(
            id="com_over_foot",
            mission="weight",
            title="centre of mass over the standing foot",
            metric="com_offset_foot_lengths",
            direction="above",
            warn=0.35,
            fault=0.5,
            views=("front", "oblique"),
            needs_feet_grounded=1,
            joint="{SIDE}_ANKLE",
            message="Weight drifting off the standing foot: root down through its centre",
            source="docs/measurements.md#tree: COM over the standing foot; the foot's centre "
            "+-0.35/0.5 foot "
            "lengths (an image-only estimate). Tree's COM drifts sideways, along the "
            "picture's depth from the side: a 0.6 foot-length drift never cued from the side "
            "on rendered clips, 4 of 4 from the front or 45 deg (benchmarks/accuracy.py)",
        ),
    ),
)
