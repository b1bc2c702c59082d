"""Two people in a real clip: report.json's ``people`` block, the numbered still in
report.html, and ``--person 2`` following the one on the right (the real model on real
photos put side by side)."""

from __future__ import annotations

import base64
import csv
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from posecheck.apps.cli import app
from posecheck.estimate.landmarker import PEOPLE_LOOK_MS, PoseEstimator
from posecheck.landmarks import Landmark
from posecheck.outputs.report_html import PEOPLE_STILL_ID
from tests.conftest import SAMPLES

pytestmark = pytest.mark.model

runner = CliRunner()
HEIGHT_PX = 480
FPS = 10.0
FRAMES = 12
#: Left and right halves of the clip.
PHOTOS = ("squat_front_standing.jpg", "one_leg_balance_front.jpg")


def _scaled(name: str) -> np.ndarray:
    """A sample photo scaled to :data:`HEIGHT_PX` high (even width)."""
    image = cv2.imread(str(SAMPLES / name))
    assert image is not None, name
    width = round(image.shape[1] * HEIGHT_PX / image.shape[0]) // 2 * 2
    return np.asarray(cv2.resize(image, (width, HEIGHT_PX), interpolation=cv2.INTER_AREA))


@pytest.fixture(scope="module")
def halves() -> tuple[np.ndarray, np.ndarray]:
    left, right = (_scaled(name) for name in PHOTOS)
    return left, right


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, halves: tuple[np.ndarray, ...]) -> Path:
    """The two photos side by side, still, for 1.2 s."""
    frame = np.concatenate(halves, axis=1)
    path = tmp_path_factory.mktemp("people") / "two_people.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, frame.shape[1::-1])
    for _ in range(FRAMES):
        writer.write(frame)
    writer.release()
    return path


def _area_px2(image: np.ndarray) -> float:
    """The landmark bounding-box area (pixels²) of the one person in ``image``."""
    with PoseEstimator() as est:
        lm = est.detect(image)
    assert lm is not None
    w, h = lm.image_wh
    span = np.ptp(np.clip(lm.xy, 0.0, 1.0), axis=0) * (w, h)
    return float(span[0] * span[1])


def _analyze(clip: Path, out: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["analyze", str(clip), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads((out / "report.json").read_text())
    return data


def _still(out: Path) -> np.ndarray:
    """The numbered still embedded in report.html, decoded."""
    doc = (out / "report.html").read_text()
    match = re.search(rf'id="{PEOPLE_STILL_ID}" src="data:image/jpeg;base64,([^"]+)"', doc)
    assert match is not None
    data = np.frombuffer(base64.b64decode(match.group(1)), dtype=np.uint8)
    still = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert still is not None
    return np.asarray(still)


def test_largest_is_followed_and_numbered(
    clip: Path, halves: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    left, right = halves
    width = left.shape[1] + right.shape[1]
    larger = 1 if _area_px2(left) > _area_px2(right) else 2  # numbered left to right
    data = _analyze(clip, tmp_path / "out")
    people = data["people"]
    assert isinstance(people, dict)
    assert people["count"] == 2 and people["followed"] == larger
    assert people["first_seen_s"] == 0.0
    (x1, _), (x2, _) = people["hips_px"]
    assert 0 < x1 < left.shape[1] < x2 < width  # one on each photo, left first
    doc = (tmp_path / "out" / "report.html").read_text()
    assert f"2 people in this video; posecheck followed person {larger} (the largest)" in doc
    still = _still(tmp_path / "out")
    # the frame, shrunk to at most 640 px wide (here it already fits), aspect kept
    assert still.shape[1] == min(640, width) and abs(still.shape[0] - HEIGHT_PX) <= 1


def test_person_2_follows_the_right_one(
    clip: Path, halves: tuple[np.ndarray, ...], tmp_path: Path
) -> None:
    left = halves[0]
    out = tmp_path / "out"
    data = _analyze(clip, out, "--person", "2", "--landmarks")
    people = data["people"]
    assert isinstance(people, dict)
    assert people["count"] == 2 and people["followed"] == 2
    assert f'id="{PEOPLE_STILL_ID}"' in (out / "report.html").read_text()
    assert "followed person 2 (as asked with" in (out / "report.html").read_text()
    # every analysed frame's hips lie on the right photo
    names = [f"{p.name.lower()}_x_px" for p in (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)]
    with (out / "landmarks.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == FRAMES
    for row in rows:
        assert all(float(row[n]) > left.shape[1] for n in names), row["frame"]


def test_video_tracks_one_until_a_look_finds_two(halves: tuple[np.ndarray, np.ndarray]) -> None:
    """With track_one, video mode tracks one person (the cheap way) and looks for more every
    PEOPLE_LOOK_MS; a second person arriving between two looks is found at the next one,
    which switches to tracking several and numbers the people on that frame."""
    left, right = halves
    alone = np.concatenate([left, np.full_like(right, int(np.median(right)))], axis=1)
    together = np.concatenate(halves, axis=1)
    arrives_ms = PEOPLE_LOOK_MS // 2
    step_ms = PEOPLE_LOOK_MS // 10
    seen: list[tuple[int, int, int, bool]] = []  # (ms, tracking, people, numbered)
    with PoseEstimator(mode="video", max_people=4, track_one=True) as est:
        assert est.tracking == 1
        for ms in range(0, 2 * PEOPLE_LOOK_MS, step_ms):
            frame = together if ms >= arrives_ms else alone
            assert est.detect(frame, timestamp_ms=ms) is not None
            seen.append((ms, est.tracking, est.last_people, est.numbered_this_frame))
    switched = [ms for ms, tracking, _, _ in seen if tracking == 4]
    assert switched and switched[0] == PEOPLE_LOOK_MS  # the first look after the arrival
    assert all(people == 1 for ms, _, people, _ in seen if ms < PEOPLE_LOOK_MS)
    assert all(people == 2 for ms, _, people, _ in seen if ms >= PEOPLE_LOOK_MS)
    assert [ms for ms, _, _, numbered in seen if numbered] == [PEOPLE_LOOK_MS]
    assert est.people_first_seen is not None and len(est.people_first_seen) == 2


def test_video_with_one_person_keeps_tracking_one(halves: tuple[np.ndarray, np.ndarray]) -> None:
    with PoseEstimator(mode="video", max_people=4, track_one=True) as est:
        for ms in range(0, 2 * PEOPLE_LOOK_MS + 1, 500):
            assert est.detect(halves[1], timestamp_ms=ms) is not None
            assert est.tracking == 1 and est.last_people == 1
    assert est.people_first_seen is None
