"""posecheck on the rendered sample clips says what ``samples/README.md`` promises.

The README's synthetic-clip table is the contract: its last column reads, for example,
``**tree**, left leg; cues: `standing_knee_midline` `` or ``**bridge**; no cue`` or
``not recognised; with `--pose bridge`: cues: `knees_not_caving` ``. This test parses that
column and runs the real pipeline (MediaPipe on the rendered pixels) on every clip:

* a named pose must be held: report.json has a hold of that pose (and side);
* in that pose's longest hold, every listed cue fires: the check is out of alignment
  for most of the hold (``aligned_pct < 50``, the cue a user sees); every other check
  stays quiet (``aligned_pct >= 50`` or not judged). So a false alarm fails too;
* "not recognised" means no hold of any pose; with ``--pose NAME`` the clip is then
  analysed as that pose and its cues checked as above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.model

README = ROOT / "samples" / "README.md"
SYNTH = ROOT / "samples" / "synth"

_ROW = re.compile(r"^\|\s*`(synth/[\w.-]+\.mp4)`\s*\|.*\|\s*(?P<says>[^|]+?)\s*\|\s*$")
_POSE = re.compile(r"^\*\*(?P<pose>\w+)\*\*(?:,\s*(?P<side>left|right) leg)?")
_CUES = re.compile(r"cues?:\s*((?:`\w+`[\s,]*)+)")
_GIVEN = re.compile(r"with `--pose (\w+)`")


@dataclass(frozen=True)
class Expectation:
    """What the README says posecheck reports on one clip."""

    clip: str
    pose: str | None  # the pose recognised and held, or None: not recognised
    side: str | None
    given_pose: str | None  # with --pose NAME (only when not recognised)
    cues: frozenset[str]


def parse(says: str, clip: str) -> Expectation:
    """One README cell -> :class:`Expectation` (raises on a cell it cannot read)."""
    cues_m = _CUES.search(says)
    cues = frozenset(re.findall(r"`(\w+)`", cues_m.group(1))) if cues_m else frozenset()
    if not cues_m and "no cue" not in says:
        raise ValueError(f"{clip}: say 'no cue' or 'cues: `check`' in {says!r}")
    if says.startswith("not recognised"):
        given = _GIVEN.search(says)
        return Expectation(clip, None, None, given.group(1) if given else None, cues)
    m = _POSE.match(says)
    if not m:
        raise ValueError(f"{clip}: cannot read the pose in {says!r}")
    return Expectation(clip, m.group("pose"), m.group("side"), None, cues)


def expectations() -> list[Expectation]:
    out = []
    for line in README.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            out.append(parse(m.group("says"), m.group(1)))
    return out


EXPECTED = expectations()


def test_every_rendered_clip_has_a_row() -> None:
    listed = {e.clip for e in EXPECTED}
    on_disk = {f"synth/{p.name}" for p in SYNTH.glob("*.mp4")}
    assert on_disk and listed == on_disk


@pytest.mark.parametrize(
    ("says", "expected"),
    [
        ("**tree**, left leg; no cue", ("tree", "left", None, set())),
        ("**bridge**; cues: `hips_lifted`", ("bridge", None, None, {"hips_lifted"})),
        (
            "not recognised (the knees hide the trunk); with `--pose bridge`: cues: "
            "`knees_not_caving`, `hips_level`",
            (None, None, "bridge", {"knees_not_caving", "hips_level"}),
        ),
    ],
)
def test_parse(says: str, expected: tuple[Any, ...]) -> None:
    e = parse(says, "x")
    assert (e.pose, e.side, e.given_pose, set(e.cues)) == expected


def _longest_hold(report: Any, pose: str) -> Any:
    holds = [h for h in report.holds if h.pose == pose]
    assert holds, f"no {pose} hold; holds: {[(h.pose, h.duration_s) for h in report.holds]}"
    return max(holds, key=lambda h: h.duration_s)


@pytest.mark.parametrize("exp", EXPECTED, ids=lambda e: e.clip)
def test_clip_says_what_the_readme_says(exp: Expectation, tmp_path: Path) -> None:
    from posecheck.apps.analyze import analyze_video

    clip = ROOT / "samples" / exp.clip
    report = analyze_video(clip, tmp_path / "auto", write_video=False)
    assert report.frames_with_person > 0.9 * report.frames_analysed
    pose = exp.pose
    if pose is None:
        assert report.holds == (), [(h.pose, h.duration_s) for h in report.holds]
        if exp.given_pose is None:
            return
        pose = exp.given_pose
        report = analyze_video(clip, tmp_path / "given", pose=pose, write_video=False)
    hold = _longest_hold(report, pose)
    if exp.side is not None:
        assert hold.side == exp.side
    fired = {c.check for c in hold.checks if c.aligned_pct is not None and c.aligned_pct < 50}
    detail = {c.check: (c.aligned_pct, c.worst_value) for c in hold.checks}
    assert fired == set(exp.cues), detail
