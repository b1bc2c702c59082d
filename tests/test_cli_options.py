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
    assert "--landmarks" in help_text and "--person" in help_text
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
