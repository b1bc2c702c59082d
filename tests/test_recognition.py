"""Pose recognition on real photos from ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import csv

import pytest

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.images import load_image
from posecheck.judge.assess import analyze_image
from tests.conftest import ROOT, shared_data

pytestmark = [pytest.mark.model, pytest.mark.shared_data]

# One clear photo per pose, plus hard look-alikes labelled "other" in poses.csv.
CASES = [
    "poses/warrior1/181db6d697.jpg",
    "poses/tree/e4c9e78856.jpg",
    "poses/half_moon/06105f0ca3.jpg",
    "poses/bridge/72193c5ec2.jpg",
    "poses/bridge/6859c69216.jpg",  # a lying body MediaPipe reads only once turned upright
    "poses/other/0b9bd0e661.jpg",  # Warrior 2
    "poses/other/c8eb75ca61.jpg",  # reverse warrior
    "poses/other/087a725027.jpg",  # wheel
    "poses/other/ea5aa76cc4.jpg",  # mountain
    "poses/other/238544fe1c.jpg",  # triangle
]


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    data = shared_data()
    with (data / "poses.csv").open(newline="") as fh:
        poses = {row["file"]: row["pose"] for row in csv.DictReader(fh)}
    with (ROOT / "benchmarks" / "data" / "side_labels.csv").open(newline="") as fh:
        sides = {row["file"]: row["side"] for row in csv.DictReader(fh)}
    return poses, sides


@pytest.mark.parametrize("file", CASES)
def test_recognises_real_photos(estimator: PoseEstimator, file: str) -> None:
    poses, sides = _labels()
    result = analyze_image(load_image(shared_data() / file), estimator, source=file)
    expected = poses[file]
    assert (result.pose or "other") == expected
    if expected in ("warrior1", "tree", "half_moon"):
        assert result.side == sides[file]
        assert result.pose_confidence is not None and result.pose_confidence >= 0.5
    if expected == "other":
        assert result.pose is None and result.side is None


def test_forced_pose_is_checked_and_disagreement_noted(estimator: PoseEstimator) -> None:
    file = "poses/other/0b9bd0e661.jpg"  # Warrior 2 checked as Warrior 1
    result = analyze_image(load_image(shared_data() / file), estimator, pose="warrior1")
    assert result.pose == "warrior1"
    assert result.side in ("left", "right")
    assert any("checked as warrior1 as asked" in n for n in result.notes)
    assert {s.check for s in result.checks} == {
        "front_knee_90",
        "front_knee_over_ankle",
        "front_knee_midline",
        "back_knee_straight",
        "back_hip_extended",
        "back_heel_down",
        "hips_square",
        "hips_level",
        "weight_not_on_front",
    }
