"""Choosing the person: ``PoseEstimator(person=N)`` numbers people left to right in the
first frame with people and then follows the one picked (synthetic landmarks)."""

from __future__ import annotations

import pytest

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.landmarks import Landmarks
from tests.factories import camera_view, standing_body


def _person_at(x_shift: float) -> Landmarks:
    """The standing test body moved ``x_shift`` of the picture's width to the right."""
    base = camera_view(standing_body(), yaw_deg=0.0)
    xy = base.xy.copy()
    xy[:, 0] = xy[:, 0] * 0.3 + x_shift
    return Landmarks(xy=xy, visibility=base.visibility, image_wh=base.image_wh)


def test_person_n_is_counted_left_to_right_then_followed() -> None:
    left, middle, right = _person_at(0.05), _person_at(0.35), _person_at(0.65)
    est = PoseEstimator(model_path="unused.task", mode="video", person=2)
    # First frame: numbered left to right whatever order MediaPipe lists them in.
    assert est._choose([right, left, middle]) == 2
    assert est.people_first_seen is not None and len(est.people_first_seen) == 3
    xs = [x for x, _ in est.people_first_seen]
    assert xs == sorted(xs)
    # Later frames: the one nearest to where the chosen person was, even if others
    # leave or come.
    moved = _person_at(0.40)
    assert est._choose([right, moved]) == 1
    assert est._choose([_person_at(0.0), moved, left]) == 1
    # A number beyond the people of the first frame gives nobody until there are enough.
    late = PoseEstimator(model_path="unused.task", mode="video", person=3)
    assert late._choose([left, right]) is None
    assert late._choose([left, middle, right]) == 2
    with pytest.raises(ValueError):
        PoseEstimator(model_path="unused.task", person=0)
