"""The README's benchmark figures are the ones in ``benchmarks/results/*.json``.

Each benchmark module rebuilds, with its ``readme_rows(figures)``, the README lines its
result file backs (table rows, or a sentence's figures); the README must contain every
one of them. Re-running a benchmark rewrites its file and prints those lines: paste them
into the README, or this test fails.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: result file -> the benchmark module whose ``readme_rows`` the README quotes. A result
#: file missing here (e.g. the accuracy run on a bench set not rendered yet) is not tied.
TIED = {
    "samples": "benchmarks.samples",
    "throughput": "benchmarks.throughput",
    "speed": "benchmarks.speed",
    "recognition": "benchmarks.recognition",
    "batch": "benchmarks.batch",
    "batch_no_video": "benchmarks.batch",
    "live": "benchmarks.live",
    "accuracy": "benchmarks.accuracy",
    "accuracy_samples": "benchmarks.accuracy",
    "hip_action": "benchmarks.hip_action",
    "pelvis_photos": "benchmarks.pelvis_photos",
    "accuracy_wide_test": "benchmarks.accuracy",
    "cells": "benchmarks.cells",
    "correction_cost": "benchmarks.correction_cost",
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _document(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
    return doc


def _present() -> list[str]:
    return [name for name in TIED if (RESULTS / f"{name}.json").is_file()]


@pytest.mark.parametrize("name", _present())
def test_readme_quotes_the_result_file(name: str) -> None:
    module = importlib.import_module(TIED[name])
    lines = module.readme_rows(_document(name)["figures"])
    assert lines
    readme = _flat(README)
    missing = [line for line in lines if _flat(line) not in readme]
    assert not missing, f"README disagrees with benchmarks/results/{name}.json:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("name", _present())
def test_result_file_says_how_and_where_it_was_made(name: str) -> None:
    doc = _document(name)
    assert doc["benchmark"] == name
    assert doc["command"].startswith("python -m benchmarks.")
    module = doc["command"].split()[2]  # the script that made it
    assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), doc["command"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", doc["date"])
    assert doc["machine"]["cores_available"] >= 1
    assert doc["figures"]
    # the README names the file it quotes
    assert f"benchmarks/results/{name}.json" in README


#: Result files the README does not quote figure by figure (partial or variant runs).
UNTIED = {
    "throughput_quick",
    "accuracy_given_pose",
    "accuracy_samples_given_pose",
    "overlay",  # benchmarks/overlay_speed.py: annotate() against main (issue 15, item 6)
    "accuracy_cues",  # quoted row by row in test_a_check_switched_on_is_backed_by_held_out_clips
    "accuracy_wide_test_fast",  # docs/measurements.md: what --fast costs (issue 16)
}


def test_the_committed_results_are_tied() -> None:
    """The cheap benchmarks' files are committed, and every file is either tied to the
    README or a known variant."""
    assert {"samples", "throughput", "recognition", "batch"} <= set(_present())
    stray = {p.stem for p in RESULTS.glob("*.json")} - set(TIED) - UNTIED
    assert not stray, stray


def test_benchmarks_need_no_path_hacks() -> None:
    for path in (ROOT / "benchmarks").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sys.path" not in text, path
        assert "noqa: E402" not in text, path


def test_harness_compares_a_rerun_with_the_previous_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import harness

    harness.write_results("demo", {"fps": 10.0, "n": 3}, argv=[], results_dir=tmp_path)
    capsys.readouterr()
    harness.write_results("demo", {"fps": 12.5, "n": 3}, argv=[], results_dir=tmp_path)
    out = capsys.readouterr().out
    assert "| fps | 10 | 12.5 | 1.25 |" in out
    assert "| n |" not in out


def test_harness_writes_a_complete_result_file(tmp_path: Path) -> None:
    from benchmarks import harness

    path = harness.write_results("demo", {"fps": 12.5}, argv=["--quick"], results_dir=tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert path == tmp_path / "demo.json"
    assert doc["command"] == "python -m benchmarks.demo --quick"
    assert doc["figures"] == {"fps": 12.5}
    assert set(doc["machine"]) >= {"cpu", "cores_available", "load_average", "python"}
    assert harness.markdown_table(["run", "fps"], [["a", 1.5], ["b", None]]) == [
        "| run | fps |",
        "|---|---|",
        "| a | 1.5 |",
        "| b | – |",
    ]


def _cue(mission: dict[str, Any], row: str, pose: str, check: str) -> tuple[int, int, int, int]:
    (c,) = [c for c in mission[row][pose] if c["check"] == check]
    return c["fired_clear"], c["clear"], c["fired_aligned"], c["aligned"]


def test_a_check_switched_on_is_backed_by_held_out_clips() -> None:
    """tree.lifted_knee_open is on because, over the two held-out sets, it meets the bar
    (>= 90 % of >= 10 clear faults, <= 5 % of >= 30 aligned clips) with and without the
    correction; the README's table quotes those very counts."""
    from posecheck.poses import REGISTRY

    assert next(c for c in REGISTRY["tree"].checks if c.id == "lifted_knee_open").unreliable is None
    readme = _flat(README)
    files = {"wide set, test bodies": "accuracy_wide_test", "cues set": "accuracy_cues"}
    totals = {"raw": [0, 0, 0, 0], "corrected": [0, 0, 0, 0]}
    for label, name in files.items():
        figures = _document(name)["figures"]
        cells = []
        for kind, mission in (
            ("raw", figures["uncorrected"]["mission"]),
            ("corrected", figures["mission"]),
        ):
            counts = _cue(mission, "hip_action", "tree", "lifted_knee_open")
            totals[kind] = [t + n for t, n in zip(totals[kind], counts, strict=True)]
            cells.append(f"{counts[0]} of {counts[1]} clear, {counts[2]} of {counts[3]} aligned")
        row = f"| {label} (`{name}.json`) | {cells[0]} | {cells[1]} |"
        assert _flat(row) in readme, row
    both = []
    for fired_clear, clear, fired_aligned, aligned in totals.values():
        assert clear >= 10 and aligned >= 30
        assert fired_clear >= 0.9 * clear and fired_aligned <= 0.05 * aligned
        both.append(
            f"**{fired_clear} of {clear} clear ({100 * fired_clear / clear:.0f} %), "
            f"{fired_aligned} of {aligned} aligned ({100 * fired_aligned / aligned:.0f} %)**"
        )
    assert _flat(f"| both | {both[0]} | {both[1]} |") in readme
