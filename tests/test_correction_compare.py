"""``tools.correction.compare``: corrections judged side by side on the same held-out
clips, read from feature files written the way ``tools.correction.extract`` writes them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from posecheck.landmarks import Landmark as L
from posecheck.measure import geometry
from tests.factories import camera_view, standing_body
from tools.correction.compare import compare, main
from tools.correction.train import (
    PoseCorrection,
    design,
    load_clips,
    save,
    train_ridge,
)

OFFSET_PX = 14.0


def _write_clip(folder: Path, name: str, split: str, body: str, seed: int) -> None:
    """One clip's npz: MediaPipe reads the truth except the left hip, OFFSET_PX too high;
    the truth's pelvic obliquity is posecheck's own reading of the true landmarks."""
    rng = np.random.default_rng(seed)
    frames = 40
    true_px = np.array(
        [
            camera_view(standing_body(), yaw_deg=float(rng.uniform(-15, 15))).xy_px
            + rng.normal(0, 1.5, (33, 2))
            for _ in range(frames)
        ]
    )
    read = true_px.copy()
    read[:, L.LEFT_HIP, 1] -= OFFSET_PX
    wh = np.array([640.0, 480.0])
    world = rng.normal(0, 0.3, (frames, 33, 3))
    _, truth = geometry.measure_all(true_px, np.ones((frames, 33)), world)
    meta = {
        "clip": name, "pose": "tree", "body_id": body, "split": split,
        "camera": {"azimuth_deg": 0.0, "elevation_deg": 0.0},
    }  # fmt: skip
    np.savez(
        folder / f"{name}.h.npz",
        found=np.ones(frames, dtype=bool),
        xy=read / wh,
        visibility=np.ones((frames, 33)),
        world=world,
        silhouette=rng.uniform(0, 0.5, (frames, 13, 4)),
        true_px=true_px,
        true_world=world,
        true_com=np.zeros((frames, 3)),
        r_world_to_cam=np.eye(3),
        image_wh=wh,
        meta=np.asarray(json.dumps(meta)),
        metric__pelvic_obliquity_deg=truth["pelvic_obliquity_deg"].value,
    )


@pytest.fixture
def features(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    folder.mkdir()
    for i in range(3):
        _write_clip(folder, f"train{i}", "train", f"a{i}", seed=i)
    for i in range(2):
        _write_clip(folder, f"test{i}", "test", f"t{i}", seed=10 + i)
    return folder


def _model(features: Path, out: Path) -> Path:
    """A ridge correction fitted on the train clips (which all carry the offset)."""
    train = [c for c in load_clips([features]) if c.split == "train"]
    x, y = design(train, mirror=False)
    model = train_ridge(x, y, x[:0], y[:0], alphas=(1e-3,), log=False)
    landmarker = out.with_suffix(".task")
    landmarker.write_bytes(b"stand-in landmarker")
    save(PoseCorrection({"tree": model}), out, {"model": "test"}, landmarker)
    return out


def test_a_correction_that_learned_the_offset_reads_the_test_bodies_closer(
    features: Path, tmp_path: Path
) -> None:
    model = _model(features, tmp_path / "m.npz")
    figures = compare([features], [model], "test", None)
    assert figures["bodies"] == ["t0", "t1"] and figures["clips"] == 2
    row = figures["metrics"]["pelvic_obliquity_deg [front, tree]"]
    # The raw reading is off by the hip offset's angle over the hip width.
    hips = [c for c in load_clips([features]) if c.split == "test"][0].true_px[:, [23, 24]]
    width = float(np.median(np.linalg.norm(hips[:, 0] - hips[:, 1], axis=-1)))
    expected = float(np.degrees(np.arctan(OFFSET_PX / width)))
    assert row["raw"]["median"] == pytest.approx(expected, abs=1.0)
    assert row[str(model)]["median"] < 0.25 * row["raw"]["median"]


def test_cli_prints_one_column_per_model_and_writes_json(
    features: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _model(features, tmp_path / "m.npz")
    out = tmp_path / "fig.json"
    assert main([str(features), "--model", str(model), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 clips of 2 bodies (test)" in text and "| m.npz" in text.splitlines()[1]
    assert json.loads(out.read_text())["clips"] == 2


def test_no_clips_of_the_split_is_a_one_line_error(
    features: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _model(features, tmp_path / "m.npz")
    assert main([str(features), "--model", str(model), "--bodies", "zz"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no clips of test in") and err.count("\n") == 1


def test_named_bodies_are_taken_whatever_their_split(features: Path, tmp_path: Path) -> None:
    model = _model(features, tmp_path / "m.npz")
    figures = compare([features], [model], "test", None, ["a1", "t0"])
    assert figures["bodies"] == ["a1", "t0"] and figures["clips"] == 2
