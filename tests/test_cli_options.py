"""CLI options for teachers and tool users: --version, help text, landmark export, person."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import posecheck
from posecheck.apps.cli import app
from tests.conftest import ROOT

CLIP = ROOT / "samples" / "synth" / "tree_aligned_front.mp4"


def test_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"posecheck {posecheck.__version__}"
    help_text = runner.invoke(app, ["analyze", "--help"], env={"COLUMNS": "120"}).stdout
    assert "POSECHECK_MODEL" in help_text
    assert "<bool>" not in help_text
    assert "--landmarks" in help_text and "--person" in help_text and "--fast" in help_text
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout


@pytest.mark.model
def test_analyze_exports_the_smoothed_landmarks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["analyze", str(CLIP), "--out", str(out), "--no-video", "--landmarks", "--person", "1"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["outputs"]["landmarks_csv"] == "landmarks.csv"
    assert report["outputs"]["landmarks_trc"] == "landmarks.trc"
    assert report["settings"]["person"] == 1
    with (out / "landmarks.csv").open(newline="", encoding="utf-8") as fh:
        marks = list(csv.DictReader(fh))
    with (out / "frames.csv").open(newline="", encoding="utf-8") as fh:
        frames = list(csv.DictReader(fh))
    # One row per analysed frame, the same frames as frames.csv.
    assert [r["frame"] for r in marks] == [r["frame"] for r in frames]
    knee_y = np.array([float(r["left_knee_y_px"]) for r in marks if r["left_knee_y_px"]])
    hip_y = np.array([float(r["left_hip_y_px"]) for r in marks if r["left_hip_y_px"]])
    assert len(knee_y) >= 0.9 * len(marks) and np.all(knee_y > hip_y)  # standing: knee below
    trc = (out / "landmarks.trc").read_text(encoding="utf-8").splitlines()
    assert trc[2].split("\t")[2] == str(len(marks))  # NumFrames
    first = trc[6].split("\t")
    # OpenSim's Y is up: the nose is above the left ankle (marker 28, columns from 2).
    nose_y, ankle_y = float(first[3]), float(first[2 + 3 * 27 + 1])
    assert nose_y > ankle_y


def _median_obliquity(out: Path) -> float:
    with (out / "frames.csv").open(newline="", encoding="utf-8") as fh:
        values = [float(r["pelvic_obliquity_deg"]) for r in csv.DictReader(fh)
                  if r.get("pelvic_obliquity_deg") not in (None, "")]  # fmt: skip
    assert len(values) > 10
    return float(np.median(values))


@pytest.mark.model
def test_correct_moves_a_level_tree_pelvis_toward_level(tmp_path: Path) -> None:
    """A rendered Tree with a level pelvis (a bench body, not one the correction was
    trained on): MediaPipe reads the lifted side's hip high; the shipped correction
    brings the reading nearer level, and the report says it was on."""
    raw, fixed = tmp_path / "raw", tmp_path / "fixed"
    runner = CliRunner()
    for out, extra in ((raw, []), (fixed, ["--correct"])):
        args = ["analyze", str(CLIP), "--out", str(out), "--no-video", "--pose", "tree", *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    settings = [
        json.loads((o / "report.json").read_text(encoding="utf-8"))["settings"]
        for o in (raw, fixed)
    ]
    assert [s["correction"] for s in settings] == ["off", "on"]
    assert abs(_median_obliquity(fixed)) < abs(_median_obliquity(raw))


def test_correct_with_another_landmarker_says_it_is_not_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from posecheck.apps.cli import _note_correction

    _note_correction(asked=True, applied=False)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("posecheck: --correct:")
    _note_correction(asked=True, applied=True)
    _note_correction(asked=False, applied=False)
    assert capsys.readouterr().err == ""


@pytest.mark.model
def test_fast_tracks_one_person_and_measures_the_same_hold(tmp_path: Path) -> None:
    """--fast (MediaPipe tracking the person instead of finding them in every frame)
    analyses the same frames, finds the same hold, and reads the knees within a few
    degrees of the default; report.json says which way it ran."""
    reports, valgus = [], []
    for name, extra in (("default", []), ("fast", ["--fast"])):
        out = tmp_path / name
        result = CliRunner().invoke(
            app, ["analyze", str(CLIP), "--out", str(out), "--no-video", *extra]
        )
        assert result.exit_code == 0, result.output
        reports.append(json.loads((out / "report.json").read_text(encoding="utf-8")))
        with (out / "frames.csv").open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        valgus.append(np.array([float(r["knee_valgus_left_deg"] or "nan") for r in rows]))
    default, fast = reports
    assert (default["settings"]["fast"], fast["settings"]["fast"]) == (False, True)
    assert default["frames_analysed"] == fast["frames_analysed"]
    assert [h["pose"] for h in default["holds"]] == [h["pose"] for h in fast["holds"]] == ["tree"]
    both = np.isfinite(valgus[0]) & np.isfinite(valgus[1])
    assert both.mean() > 0.8
    # Not the same numbers (another region for the joints), but the same knee.
    assert 0.0 < float(np.median(np.abs(valgus[0][both] - valgus[1][both]))) < 3.0
