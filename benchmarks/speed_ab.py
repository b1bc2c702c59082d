"""Two revisions of posecheck side by side: ``posecheck analyze`` wall and CPU time of each,
alternating, on the same clips (how each step of issue 16 was measured).

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.speed_ab BEFORE AFTER [--clip PATH ...] [--runs 3]
        [--no-video]

``BEFORE`` and ``AFTER`` are git revisions (``HEAD~1``, ``HEAD``, a commit); each is
exported with ``git archive`` into a temporary folder and run from there as a child
process (``PYTHONPATH`` set to it), so the two differ only in posecheck's code. Runs
alternate (A, B, A, B, ...) so that a load change hits both alike; the medians are
compared. The clips default to the three of :mod:`benchmarks.speed` (the 720p one cut the
same way). Prints a table; writes no result file.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import ROOT, SHARED_DATA, print_table
from benchmarks.speed import CLIPS, prepare


def export(rev: str, folder: Path) -> Path:
    """The tree of ``rev`` in ``folder`` (``git archive``)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def run(tree: Path, clip: Path, out: Path, video: bool) -> tuple[float, float]:
    """(wall s, CPU s) of ``posecheck analyze`` from ``tree`` as a child process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = "from posecheck.apps.cli import main; main()"
    cmd = [sys.executable, "-c", code, "analyze", str(clip), "--out", str(out)]
    if not video:
        cmd.append("--no-video")
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0 = kids.ru_utime + kids.ru_stime
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{tree.name}: analyze failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, kids.ru_utime + kids.ru_stime - c0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--clip", type=Path, action="append", help="default: speed's clips")
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-video", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="posecheck-ab-") as tmp:
        work = Path(tmp)
        trees = {"A": export(args.before, work / "A"), "B": export(args.after, work / "B")}
        clips = (
            [(p.name, p) for p in args.clip]
            if args.clip
            else [(c.name, p) for c, p in prepare(list(CLIPS), args.data, work)]
        )
        for name, clip in clips:
            walls: dict[str, list[float]] = {"A": [], "B": []}
            cpus: dict[str, list[float]] = {"A": [], "B": []}
            for _ in range(args.runs):
                for key, tree in trees.items():
                    wall, cpu = run(tree, clip, work / f"out{key}", not args.no_video)
                    walls[key].append(wall)
                    cpus[key].append(cpu)
            wa, wb = (statistics.median(walls[k]) for k in "AB")
            ca, cb = (statistics.median(cpus[k]) for k in "AB")
            rows.append(
                [name, round(wa, 2), round(wb, 2), f"{wa / wb:.2f}"]
                + [round(ca, 2), round(cb, 2), f"{ca / cb:.2f}"]
            )
            print(f"  {name}: walls A {walls['A']} B {walls['B']}", file=sys.stderr)
    print_table(
        ["clip", "A wall s", "B wall s", "A/B wall", "A CPU s", "B CPU s", "A/B CPU"],
        rows,
        title=f"A = {args.before}, B = {args.after}, "
        f"{'--no-video' if args.no_video else 'with video'}, median of {args.runs} "
        f"(load {os.getloadavg()[0]:.1f})",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
