"""A fifth pose is one module's worth of data: a :class:`PoseSpec` registered in the pose
registry is recognised, checked, drawn and listed with no other edit.

The pose is defined here, in the test (Mountain: standing tall on both feet, the weight
leg being the lower foot), and registered only inside ``poses.registered``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from posecheck.apps.cli import app
from posecheck.judge.assess import assess
from posecheck.judge.recognition import MIN_CONFIDENCE, recognise
from posecheck.landmarks import Landmarks
from posecheck.outputs.overlay import annotate, header_text
from posecheck.poses import REGISTRY, PoseCheck, PoseSpec, get_pose, pose_keys, registered
from posecheck.poses.features import Condition, RecognitionRule, features, lower_foot
from posecheck.result import FrameResult
from posecheck.vocab import Severity, other_side
from tests.factories import camera_view, displace_knee, lift_foot, standing_body

KNEE_IN = PoseCheck(
    id="weight_knee_midline",
    title="weight-leg knee not toward the midline",
    metric="knee_valgus_{side}_deg",
    direction="above",
    warn=5.0,
    fault=10.0,
    views=("front",),
    joint="{SIDE}_KNEE",
    message="Weight-leg knee drifting in: lift the arch and press the knee out",
    source="test pose",
)

MOUNTAIN = PoseSpec(
    name="mountain",
    display_name="Mountain",
    side_meaning="weight leg",
    side_label="weight on",
    summary="standing tall, feet together and down, legs straight",
    checks=(KNEE_IN,),
    recognition=RecognitionRule(
        conditions=(
            Condition("trunk upright", lambda f, s: f.trunk_tilt_deg, 15.0, 3.0, False, "tall"),
            Condition(
                "feet down",
                lambda f, s: max(f.foot_down_lift_l, f.foot_down_lift_r),
                0.1,
                0.02,
                False,
                "both feet on the floor",
            ),
            Condition("feet together", lambda f, s: f.stance_width, 0.4, 0.05, False, "narrow"),
            Condition(
                "legs straight",
                lambda f, s: max(f.knee_flex_min_l_deg, f.knee_flex_min_r_deg),
                30.0,
                5.0,
                False,
                "no knee bent",
            ),
        ),
        side_rule=lower_foot,
    ),
)

#: The weight leg, and a small lift of the other foot that makes it the lower one while
#: both feet still count as down (2 cm on a 0.82 m leg).
WEIGHT_LEG = "left"
LIFT_M = 0.02


@pytest.fixture
def mountain() -> Iterator[PoseSpec]:
    before = dict(REGISTRY)
    with registered(MOUNTAIN) as spec:
        yield spec
    assert REGISTRY == before  # removed again, the others untouched


def _body(knee_fppa_deg: float) -> Landmarks:
    """Mountain seen from the front, the weight leg's knee caved by ``knee_fppa_deg``."""
    body = lift_foot(standing_body(), other_side(WEIGHT_LEG), LIFT_M)
    return camera_view(displace_knee(body, WEIGHT_LEG, knee_fppa_deg))


def _past_fault(check: PoseCheck) -> float:
    return check.fault + 2.0


def test_registered_pose_is_recognised_with_its_side(mountain: PoseSpec) -> None:
    lm = _body(_past_fault(KNEE_IN))
    rec = recognise(lm)
    assert (rec.pose, rec.side) == (mountain.name, WEIGHT_LEG), rec.scores
    assert list(rec.scores) == list(REGISTRY)  # every pose scored, registry order
    assert rec.confidence == max(rec.scores.values()) >= MIN_CONFIDENCE
    rule = mountain.recognition_rule()
    assert rule.match(features(lm)) == (rec.scores[mountain.name], WEIGHT_LEG)


def test_without_registration_the_same_body_is_no_pose() -> None:
    rec = recognise(_body(_past_fault(KNEE_IN)))
    assert rec.pose is None and MOUNTAIN.name not in rec.scores


def test_registered_pose_is_checked(mountain: PoseSpec) -> None:
    lm = _body(_past_fault(KNEE_IN))
    result = assess(lm, "synthetic", lm.image_wh)
    assert (result.pose, result.side) == (mountain.name, WEIGHT_LEG)
    assert [s.check for s in result.checks] == [c.id for c in mountain.checks]
    assert [(c.check, c.severity, c.message) for c in result.cues] == [
        (KNEE_IN.id, Severity.FAULT, KNEE_IN.message)
    ]
    assert result.cues[0].joint == KNEE_IN.joint_for(WEIGHT_LEG)
    aligned = _body(0.0)
    assert assess(aligned, "synthetic", aligned.image_wh).cues == ()
    forced = assess(lm, "synthetic", lm.image_wh, pose=mountain.name)
    assert forced.side == WEIGHT_LEG and forced.cues == result.cues


def _frame(result: FrameResult) -> np.ndarray:
    w, h = result.image_wh
    return annotate(np.full((h, w, 3), 40, np.uint8), result)


def test_registered_pose_is_drawn_by_its_display_name(mountain: PoseSpec) -> None:
    lm = _body(_past_fault(KNEE_IN))
    result = assess(lm, "synthetic", lm.image_wh)
    assert header_text(result) == (
        f"{mountain.display_name} ({mountain.side_label}: {WEIGHT_LEG}) | view: {result.view.value}"
    )
    drawn = _frame(result)
    renamed = replace(mountain, name="mountain_renamed", display_name="Tadasana")
    with registered(renamed):
        drawn_renamed = _frame(replace(result, pose=renamed.name))
    # Same landmarks, cues and side: only the display name differs, and so does the picture.
    assert np.any(drawn != drawn_renamed)
    assert np.array_equal(drawn, _frame(result))


def test_an_unregistered_pose_is_a_key_error_not_a_guessed_label() -> None:
    lm = _body(0.0)
    result = FrameResult(source="x", image_wh=lm.image_wh, landmarks=lm, pose=MOUNTAIN.name)
    with pytest.raises(KeyError, match=MOUNTAIN.name):
        header_text(result)
    with pytest.raises(KeyError, match=MOUNTAIN.name):
        get_pose(MOUNTAIN.name)


def test_registered_pose_is_listed_by_posecheck_poses(mountain: PoseSpec) -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["poses"])
    assert text.exit_code == 0
    assert (
        f"{mountain.display_name} ({mountain.name}): {mountain.summary}; "
        f"side = {mountain.side_meaning}"
    ) in text.stdout
    assert f"  {KNEE_IN.id}: {KNEE_IN.title}" in text.stdout
    listed = json.loads(runner.invoke(app, ["poses", "--json"]).stdout)
    assert list(listed) == list(REGISTRY) and list(listed)[-1] == mountain.name
    assert [c["check"] for c in listed[mountain.name]["checks"]] == [KNEE_IN.id]


def test_registered_pose_gets_the_next_live_key(mountain: PoseSpec) -> None:
    keys = pose_keys()
    assert list(keys) == [str(i) for i in range(1, len(REGISTRY) + 1)]
    assert keys[str(len(REGISTRY))] == mountain.name


def test_registry_refuses_a_spec_without_recognition_or_a_taken_name() -> None:
    before = dict(REGISTRY)
    with pytest.raises(ValueError, match="recognition rule"):
        with registered(replace(MOUNTAIN, recognition=None)):
            pass
    taken = next(iter(REGISTRY.values()))
    with pytest.raises(ValueError, match="already registered"):
        with registered(replace(MOUNTAIN, name=taken.name)):
            pass
    assert REGISTRY == before


def test_a_pose_spec_keeps_its_side_words_and_side_rule_together() -> None:
    with pytest.raises(ValueError, match="side_label"):
        replace(MOUNTAIN, side_label=None)
    with pytest.raises(ValueError, match="side rule"):
        replace(MOUNTAIN, recognition=replace(MOUNTAIN.recognition_rule(), side_rule=None))
