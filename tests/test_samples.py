"""What samples/README.md says posecheck reports on each sample photo."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.images import load_image
from posecheck.judge.assess import analyze_image
from posecheck.result import FrameResult
from tests.conftest import BALANCE, SAMPLES, SQUATS

pytestmark = pytest.mark.model


def result_for(estimator: PoseEstimator, name: str) -> FrameResult:
    path: Path = SAMPLES / name
    result = analyze_image(load_image(path), estimator, source=str(path))
    assert result.person
    return result


def test_deep_squat_off_front_reports_valgus_not_measurable(estimator: PoseEstimator) -> None:
    result = result_for(estimator, "squat_front_deep.jpg")
    for side in ("left", "right"):
        metric = result.metrics[f"knee_valgus_{side}_deg"]
        assert not metric.valid and metric.reason
    assert not any(c.check.startswith("knee_valgus") for c in result.cues)


@pytest.mark.parametrize("name", ["one_leg_balance_front.jpg", "one_leg_balance_oblique.jpg"])
def test_one_leg_balance_all_weight_on_the_standing_foot(
    estimator: PoseEstimator, name: str
) -> None:
    result = result_for(estimator, name)
    assert result.metrics["feet_grounded"].value == 1
    shares = sorted(result.metrics[f"weight_{s}_pct"].value for s in ("left", "right"))
    assert shares == [0.0, 100.0]
    assert all(c.check != "weight_even" for c in result.cues)


def test_sample_clips_as_the_readme_says(tmp_path: Path) -> None:
    from posecheck.apps.analyze import analyze_video

    squats = analyze_video(SQUATS, tmp_path / "s", write_video=False)
    assert squats.frames_with_person == squats.frames_analysed > 0 and squats.holds == ()
    balance = analyze_video(BALANCE, write_video=False)
    assert balance.frames_with_person > 0 and balance.holds == ()
