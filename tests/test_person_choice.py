"""Choosing the person: ``PoseEstimator(person=N)`` numbers people left to right in the
first frame with people and then follows the one picked (synthetic landmarks)."""

from __future__ import annotations

import pytest

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.landmarks import Landmarks
from tests.factories import camera_view, standing_body


def _person_at(x_shift: float, scale: float = 1.0) -> Landmarks:
    """The standing test body moved ``x_shift`` of the picture's width to the right
    (``scale`` times as tall and wide, about its top)."""
    base = camera_view(standing_body(), yaw_deg=0.0)
    xy = base.xy.copy()
    xy[:, 0] = xy[:, 0] * 0.3 * scale + x_shift
    xy[:, 1] = xy[:, 1] * scale
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


def test_people_are_numbered_for_the_still() -> None:
    left, right = _person_at(0.05), _person_at(0.55, scale=1.2)
    # Without --person: nothing while one person is seen, then the first frame with two
    # is numbered, the largest (right, 1.2 times as big) followed: number 2.
    est = PoseEstimator(model_path="unused.task", mode="video")
    est._choose([left])
    assert est.people_first_seen is None and not est.numbered_this_frame
    assert est._choose([right, left]) == 0
    assert est.numbered_this_frame and est.followed_first_seen == 2
    seen = est.people_first_seen
    assert seen is not None and len(seen) == 2
    width, height = left.image_wh
    hip_x = (left.xy[23, 0] + left.xy[24, 0]) / 2 * width
    assert seen[0][0] == pytest.approx(hip_x)  # leftmost first, in pixels
    # Later frames keep that numbering.
    est.numbered_this_frame = False
    est._choose([left, right, _person_at(0.3)])
    assert est.people_first_seen == seen and not est.numbered_this_frame
    # With --person 1: the left one, though smaller, numbered in the frame it is picked in.
    asked = PoseEstimator(model_path="unused.task", mode="video", person=1)
    assert asked._choose([right, left]) == 1
    assert asked.followed_first_seen == 1 and asked.numbered_this_frame
    # --person 3 with two people: numbered, nobody followed (yet).
    late = PoseEstimator(model_path="unused.task", mode="video", person=3)
    assert late._choose([left, right]) is None
    assert late.numbered_this_frame and late.followed_first_seen is None
