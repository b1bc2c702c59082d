"""The pose-independent checks used when no pose is recognised. Pure, no I/O.

They are ordinary :class:`~posecheck.poses.base.PoseCheck` entries of a spec that is not
in the pose registry (it is no pose), run by the same
:func:`~posecheck.poses.base.evaluate_pose` as the four poses; their metrics name both
legs explicitly, so no working side is needed.
"""

from __future__ import annotations

from posecheck.poses.base import PoseCheck, PoseSpec
from posecheck.vocab import Side

KNEE_VALGUS_SOURCE = (
    "FPPA norms in single-leg landing 1-9 deg (men), 5-12 deg (women), Munro 2012; "
    "2D error 2-4 deg, Gwynne & Curran 2014. Starting values, to be tuned per pose."
)


def _knee_check(side: Side) -> PoseCheck:
    return PoseCheck(
        id=f"knee_valgus_{side}",
        title=f"{side} knee not toward the midline",
        metric=f"knee_valgus_{side}_deg",
        direction="above",
        warn=10.0,
        fault=15.0,
        views=("front",),
        joint=f"{side.upper()}_KNEE",
        message=f"{side.title()} knee drifting toward the midline: "
        "press it out over the second toe",
        source=KNEE_VALGUS_SOURCE,
    )


GENERIC = PoseSpec(
    name="generic",
    display_name="Any pose",
    side_meaning=None,
    summary="knees, pelvis and weight when none of the four poses is recognised",
    checks=(
        _knee_check("left"),
        _knee_check("right"),
        PoseCheck(
            id="pelvis_level",
            title="pelvis level",
            metric="pelvic_obliquity_deg",
            direction="abs_above",
            warn=5.0,
            fault=10.0,
            views=("front",),
            message="Hips uneven: level the pelvis, lengthen the low side's waist",
            source="Starting value (docs/measurements.md#hip-symmetry); validate per pose: in Tree "
            "the lifted leg "
            "drags MediaPipe's hip landmark by ~13 deg.",
        ),
        PoseCheck(
            id="weight_even",
            title="weight even on both feet",
            metric="weight_left_pct",
            direction="abs_above",
            target=50.0,
            warn=20.0,
            fault=30.0,
            needs_feet_grounded=2,
            message="Weight landing unevenly: share it between both feet",
            source="Two-foot stance: beyond 70/30 warns, 80/20 faults (starting values, wide "
            "because the estimate's error is ~+-20 % at hip-width stances). "
            "Image-only estimate, r 0.2-0.3 with force plates (Scott 2022).",
        ),
    ),
)
