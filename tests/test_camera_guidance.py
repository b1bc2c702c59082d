"""Camera guidance: every check that is on can be judged from a placement the pose
names, and the advice picks the placement that judges what the current view misses."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from posecheck.apps.cli import app
from posecheck.poses import REGISTRY
from posecheck.poses.base import camera_advice, judged_from
from tests.test_readme import ROOT


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_check_that_is_on_has_a_placement(name: str) -> None:
    spec = REGISTRY[name]
    assert spec.cameras, f"{name}: no camera placement"
    covered = {c.id for cam in spec.cameras for c in judged_from(spec, cam, corrected=True)}
    on = {c.id for c in spec.checks if c.is_on(corrected=True)}
    assert on <= covered, f"{name}: no placement judges {sorted(on - covered)}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_advice_names_the_placement_that_judges_the_missing_checks(name: str) -> None:
    spec = REGISTRY[name]
    for cam in spec.cameras:
        # What a camera at this placement cannot judge, and which placement judges most.
        missing = [c.id for c in spec.checks if c.unreliable is None and cam.view not in c.views]
        counts = [sum(c.id in missing for c in judged_from(spec, other)) for other in spec.cameras]
        advice = camera_advice(spec, missing)
        if max(counts, default=0) == 0:
            assert advice is None
            continue
        best = spec.cameras[counts.index(max(counts))]
        assert advice is not None and best.describe() in advice
        assert advice.startswith(f"film {spec.display_name} from ")
        for check in judged_from(spec, best):
            assert (check.title in advice) == (check.id in missing)


def test_switched_off_checks_get_no_advice() -> None:
    spec = REGISTRY["warrior1"]
    off = [c.id for c in spec.checks if c.unreliable is not None]
    assert off and camera_advice(spec, off) is None


def test_a_check_on_with_the_correction_gets_advice_only_with_it() -> None:
    from dataclasses import replace

    spec = REGISTRY["tree"]
    pelvis = next(c for c in spec.checks if c.id == "pelvis_level")
    gated = replace(spec, checks=(replace(pelvis, on_with_correction=True),))
    assert camera_advice(gated, [pelvis.id]) is None
    advice = camera_advice(gated, [pelvis.id], corrected=True)
    front = next(cam for cam in gated.cameras if cam.view in pelvis.views)
    assert advice is not None and front.describe() in advice and pelvis.title in advice


def test_poses_lists_the_placements() -> None:
    result = CliRunner().invoke(app, ["poses", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    for name, spec in REGISTRY.items():
        cams = listed[name]["cameras"]
        assert [c["where"] for c in cams] == [c.where for c in spec.cameras]
        for entry, cam in zip(cams, spec.cameras, strict=True):
            assert entry["checks"] == [c.id for c in judged_from(spec, cam)]


def test_readme_table_is_the_registry() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for spec in REGISTRY.values():
        for cam in spec.cameras:
            titles = ", ".join(c.title for c in judged_from(spec, cam)) or "–"
            row = f"| {spec.display_name} | {cam.view} | {cam.describe()} | {titles} |"
            assert row in text, f"README lacks: {row}"


def test_readme_mission_matrix_is_the_registry() -> None:
    from posecheck.poses import mission_cell, mission_matrix
    from posecheck.poses.base import MISSION_ROWS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    matrix = mission_matrix()
    header = "| | " + " | ".join(s.display_name for s in REGISTRY.values()) + " |"
    assert header in text
    for row, name in MISSION_ROWS.items():
        cells = " | ".join(mission_cell(matrix[row][pose]) for pose in REGISTRY)
        assert f"| {name} | {cells} |" in text, f"README's mission matrix row {name!r} is stale"
    # Every check that names a row is in the matrix exactly once.
    tagged = [(p, c.id) for p, s in REGISTRY.items() for c in s.checks if c.mission]
    listed = [(p, c.id) for r in matrix.values() for p, cs in r.items() for c in cs]
    assert sorted(tagged) == sorted(listed)


@pytest.mark.model
def test_terminal_says_where_to_film_next() -> None:
    from posecheck.apps.analyze import analyze_video
    from posecheck.outputs.text import camera_lines

    clip = ROOT / "samples" / "synth" / "warrior1_knee_in_front.mp4"  # filmed from the front
    report = analyze_video(clip, None, write_video=False)
    (hold,) = report.holds
    spec = REGISTRY[hold.pose]
    unjudged = [
        c.check
        for c in hold.checks
        if c.score is None and all(k.unreliable is None for k in spec.checks if k.id == c.check)
    ]
    assert unjudged, "a front view leaves the side checks unjudged"
    (line,) = camera_lines(report)
    assert line == camera_advice(spec, unjudged)
    side = next(c for c in spec.cameras if c.view == "side")
    assert side.describe() in line
