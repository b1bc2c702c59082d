"""Shared fixtures: the real model and real sample photos (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from posecheck.estimator import PoseEstimator

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "photos"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def estimator() -> Iterator[PoseEstimator]:
    """One real MediaPipe landmarker (IMAGE mode) for the whole run."""
    with PoseEstimator() as est:
        yield est


@pytest.fixture
def standing_photo() -> Path:
    """A real front-view photo of a person standing (Pexels video 4838220, frame 0)."""
    return SAMPLES / "squat_front_standing.jpg"


def shared_data() -> Path:
    """``../shared/data``, or skip the test when this checkout has none beside it."""
    if not (SHARED_DATA / "poses.csv").is_file():
        pytest.skip(f"needs ../shared/data (not found at {SHARED_DATA})")
    return SHARED_DATA
