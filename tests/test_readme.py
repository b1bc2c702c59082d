"""The README is the contract: its commands are the ones CI and the tests rely on."""

from __future__ import annotations

import re
from pathlib import Path

from posecheck.measure.geometry import METRIC_UNITS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _commands(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    test_cmd = next(c for c in _commands(README) if c.endswith(".venv/bin/pytest"))
    assert test_cmd in ci.splitlines()


def test_quickstart_runs_on_the_shipped_samples_and_model() -> None:
    run_cmd = _commands(README)[0]
    pattern = re.search(r"posecheck batch (\S+) --out", run_cmd)
    assert pattern is not None, run_cmd
    clips = [p for p in (ROOT / pattern.group(1)).rglob("*") if p.suffix in (".mp4", ".webm")]
    assert clips
    assert (ROOT / "models" / "pose_landmarker_full.task").is_file()


def test_every_metric_is_documented() -> None:
    for name in METRIC_UNITS:
        assert f"`{name}`" in README, name


def test_flat_exports_match_the_lazy_table() -> None:
    import posecheck

    assert sorted(posecheck.__all__) == sorted(posecheck._EXPORTS)
    for name in posecheck.__all__:
        assert getattr(posecheck, name) is not None


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to
    hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_cited_measurement_note_exists() -> None:
    """The code cites docs/measurements.md#<anchor> (the notes that used to live outside
    the repository): each anchor is a heading there, and nothing cites the old file."""
    notes = (ROOT / "docs" / "measurements.md").read_text(encoding="utf-8")
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", notes, flags=re.M)}
    cited: set[str] = set()
    files = [ROOT / "README.md", *ROOT.glob("docs/*.md")]
    for folder in ("posecheck", "tools", "tests", "benchmarks"):
        files += (ROOT / folder).rglob("*.py")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "DESIGN" + ".md" not in text, path
        cited |= set(re.findall(r"measurements\.md#([\w-]+)", text))
    assert cited
    assert cited <= anchors, sorted(cited - anchors)
