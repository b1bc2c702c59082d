"""The quickstart's table: ``posecheck batch samples/`` and the score of each shipped clip.

Runs :func:`posecheck.apps.batch.run_batch` on ``samples/`` exactly as the README's first
command does (annotated video included, the cores available as workers) into a
temporary folder, and keeps from ``results.csv`` the columns the README shows, the
summary line the CLI prints, and the wall time.

Usage::

    .venv/bin/python -m benchmarks.samples [--workers N] [--no-video]

Writes ``benchmarks/results/samples.json``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, print_readme_rows, print_table, timed, write_results
from posecheck.apps.batch import default_workers, run_batch

#: The ``results.csv`` columns the README's quickstart table shows.
COLUMNS = ("clip_id", "status", "duration_s", "frames_analysed", "holds", "poses", "score")


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README lines these figures back: the summary line and the table rows."""
    lines = [f"`{figures['summary']}`"]
    lines += ["| " + " | ".join(row[c] for c in COLUMNS) + " |" for row in figures["rows"]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--no-video", action="store_true", help="skip annotated.mp4")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="posecheck-samples-") as tmp:
        summary, seconds = timed(
            run_batch,
            [ROOT / "samples"],
            Path(tmp) / "out",
            workers=args.workers,
            write_video=not args.no_video,
        )
    rows = [{c: r[c] for c in COLUMNS} for r in summary.rows]
    line = summary.line().rsplit("; ", 1)[0]  # without the time, which varies
    print(line)
    print_table(COLUMNS, [[r[c] for c in COLUMNS] for r in rows])
    print(f"\n{seconds:.1f} s with {args.workers} workers")
    figures = {
        "summary": line,
        "workers": args.workers,
        "video": not args.no_video,
        "seconds": round(seconds, 1),
        "rows": rows,
    }
    print_readme_rows(readme_rows(figures))
    write_results("samples", figures, module="benchmarks.samples", argv=argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
