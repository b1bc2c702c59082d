"""landmarks.csv and landmarks.trc: what is written can be read back to the same numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from posecheck.landmarks import Landmark as L
from posecheck.landmarks import Landmarks
from posecheck.outputs.landmarks_csv import LandmarksCsvSink, fields
from posecheck.outputs.trc import MARKERS, trc_text, write_trc
from tests.factories import camera_view, standing_body


def _with_world(lm: Landmarks) -> Landmarks:
    world = np.arange(33 * 3, dtype=np.float64).reshape(33, 3) / 100.0
    return Landmarks(xy=lm.xy, visibility=lm.visibility, image_wh=lm.image_wh, world=world)


def test_landmarks_csv_round_trip(tmp_path: Path) -> None:
    lm = _with_world(camera_view(standing_body(), yaw_deg=10.0))
    path = tmp_path / "landmarks.csv"
    with LandmarksCsvSink(path) as sink:
        sink.append(0, 0.0, lm)
        sink.append(1, 1 / 30, None)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == fields() and len(fields()) == 2 + 33 * 6
    assert float(rows[0]["left_knee_x_px"]) == pytest.approx(lm.xy_px[L.LEFT_KNEE, 0], abs=0.01)
    assert float(rows[0]["right_ankle_y_px"]) == pytest.approx(lm.xy_px[L.RIGHT_ANKLE, 1], abs=0.01)
    assert lm.world is not None
    assert float(rows[0]["nose_wz_m"]) == pytest.approx(lm.world[L.NOSE, 2])
    assert rows[1]["frame"] == "1" and rows[1]["left_knee_x_px"] == ""


def test_landmarks_csv_is_not_left_half_written(tmp_path: Path) -> None:
    path = tmp_path / "landmarks.csv"
    with pytest.raises(RuntimeError), LandmarksCsvSink(path) as sink:
        sink.append(0, 0.0, None)
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_trc_header_and_axes(tmp_path: Path) -> None:
    world = np.random.default_rng(0).normal(size=(3, 33, 3))
    world[1] = np.nan  # nobody in the second frame
    times = [0.0, 0.04, 0.08]
    path = tmp_path / "landmarks.trc"
    write_trc(path, times, world, rate_hz=25.0)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:2] == ["PathFileType", "4"]
    assert lines[2].split("\t")[:5] == ["25.00", "25.00", "3", "33", "m"]
    names = [n for n in lines[3].split("\t")[2:] if n]
    assert names == list(MARKERS) and len(set(names)) == 33
    first = lines[6].split("\t")
    assert first[:2] == ["1", "0.0000"]
    knee = 2 + 3 * int(L.LEFT_KNEE)
    x, y, z = (float(v) for v in first[knee : knee + 3])
    # OpenSim's Y is up and Z toward the camera: MediaPipe's y and z change sign.
    assert (x, y, z) == pytest.approx(tuple(world[0, L.LEFT_KNEE] * (1, -1, -1)), abs=1e-5)
    assert set(lines[7].split("\t")[2:]) == {""}
    with pytest.raises(ValueError):
        trc_text(times, world[:2], 25.0)
