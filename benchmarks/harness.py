"""The one harness every benchmark uses: timing, result files, and the comparison table.

Run a benchmark from the repository root as a module, with posecheck installed
(``pip install -e .``), e.g. ``.venv/bin/python -m benchmarks.throughput``. Each one

* times its runs with :class:`Stopwatch` / :func:`timed` (wall seconds, ``perf_counter``)
  and :func:`cpu_seconds` (this process and its finished children);
* prints what it measured side by side with :func:`print_table`: a Markdown table, the
  same rows the README quotes (each benchmark's ``readme_rows(figures)``);
* saves its figures with :func:`write_results` to ``benchmarks/results/<name>.json``,
  together with the command line, the date and a summary of the machine; when that file
  already exists, :func:`print_comparison` first shows each figure that changed, the
  previous value beside this run's.

``tests/test_benchmark_results.py`` rebuilds the README rows from those files and fails
when the README says something else. ``python -m benchmarks.harness`` lists the result
files with their dates and commands.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import shlex
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

#: The repository root (benchmarks/ sits in it; it is run from there, not installed).
ROOT = Path(__file__).resolve().parents[1]
#: Where result files go: ``<name>.json``, one per benchmark (or per variant of one).
RESULTS_DIR = ROOT / "benchmarks" / "results"
#: The real clips and photos (not in the repository): ``../shared/data``.
SHARED_DATA = ROOT.parent / "shared" / "data"
SHARED_CLIPS = SHARED_DATA / "clips"
#: Bumped on an incompatible change of the result file's layout.
RESULTS_SCHEMA = 1

T = TypeVar("T")


# ----------------------------------------------------------------------------- timing


class Stopwatch:
    """Wall time of a ``with`` block: ``with Stopwatch() as sw: ...; sw.seconds``."""

    def __init__(self) -> None:
        self.start = 0.0
        self.seconds = float("nan")

    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    """``fn(*args, **kwargs)`` -> (its result, wall seconds)."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished children (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@contextmanager
def cpu_and_wall() -> Iterator[dict[str, float]]:
    """``with cpu_and_wall() as t: ...`` -> ``t["wall_s"]``, ``t["cpu_s"]`` and
    ``t["cores_busy"]`` (CPU s / wall s) once the block ends."""
    out: dict[str, float] = {}
    c0, t0 = cpu_seconds(), time.perf_counter()
    try:
        yield out
    finally:
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        out.update(wall_s=wall, cpu_s=cpu, cores_busy=cpu / wall if wall > 0 else float("nan"))


def rate(count: float, seconds: float) -> float:
    """``count`` per second (NaN for no time)."""
    return count / seconds if seconds > 0 else float("nan")


# ----------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_summary() -> dict[str, Any]:
    """What the figures depend on: CPU, cores this process may use, memory, load, OS,
    Python and the versions of posecheck, mediapipe, PyAV and numpy."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return {
        "cpu": _cpu_model(),
        "cores_available": cores,
        "cpu_count": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in ("posecheck", "mediapipe", "av", "numpy")},
    }


# ----------------------------------------------------------------------------- results


def command_line(module: str, argv: Sequence[str] | None = None) -> str:
    """How the benchmark was run: ``python -m benchmarks.<name> ARGS``."""
    args = sys.argv[1:] if argv is None else list(argv)
    return shlex.join(["python", "-m", module, *args])


def results_path(name: str) -> Path:
    """``benchmarks/results/<name>.json``."""
    return RESULTS_DIR / f"{name}.json"


def write_results(
    name: str,
    payload: dict[str, Any],
    *,
    module: str | None = None,
    argv: Sequence[str] | None = None,
    results_dir: Path | None = None,
) -> Path:
    """Write ``payload`` (the figures, JSON-able, no NaN) to ``<results_dir>/<name>.json``
    with the command line, the UTC date and :func:`machine_summary`; atomically (a
    temporary file renamed), so a killed run never leaves half a file -> the path.

    ``module`` is the benchmark's module (default ``benchmarks.<name>``); ``argv`` its
    arguments (default ``sys.argv[1:]``).
    """
    from posecheck.io.atomic import atomic_text

    folder = RESULTS_DIR if results_dir is None else results_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    document = {
        "schema": RESULTS_SCHEMA,
        "benchmark": name,
        "command": command_line(module or f"benchmarks.{name}", argv),
        "date": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "machine": machine_summary(),
        "figures": payload,
    }
    text = json.dumps(document, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    if path.is_file():
        try:
            previous = json.loads(path.read_text("utf-8"))
        except ValueError:
            previous = None
        if isinstance(previous, dict) and isinstance(previous.get("figures"), dict):
            print_comparison(previous, document)
    with atomic_text(path) as fh:
        fh.write(text)
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def read_results(name: str, results_dir: Path | None = None) -> dict[str, Any]:
    """The whole result document of ``<name>.json`` (``figures`` holds the payload)."""
    folder = RESULTS_DIR if results_dir is None else results_dir
    document: dict[str, Any] = json.loads((folder / f"{name}.json").read_text("utf-8"))
    return document


# ----------------------------------------------------------------------------- tables


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def markdown_rows(rows: Sequence[Sequence[object]]) -> list[str]:
    """Each row as a Markdown table line ``| a | b |`` (None shows as an en dash)."""
    return ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table: header, rule, rows (the form the README quotes)."""
    return [
        *markdown_rows([headers]),
        "|" + "|".join("---" for _ in headers) + "|",
        *markdown_rows(rows),
    ]


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], title: str | None = None
) -> None:
    """Print runs side by side as a Markdown table (pasteable into the README)."""
    if title:
        print(f"\n{title}")
    for line in markdown_table(headers, rows):
        print(line)


def _numbers(value: object, prefix: str = "") -> dict[str, float]:
    """The numeric leaves of a JSON value by dotted path (lists by index)."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int | float):
        return {prefix: float(value)}
    items: list[tuple[str, object]] = []
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    out: dict[str, float] = {}
    for key, item in items:
        out.update(_numbers(item, f"{prefix}.{key}" if prefix else key))
    return out


def print_comparison(previous: dict[str, Any], current: dict[str, Any], limit: int = 40) -> None:
    """Print the figures that changed against the previous result document, side by
    side: figure, previous, this run, ratio (the first ``limit`` of them)."""
    old, new = _numbers(previous["figures"]), _numbers(current["figures"])
    changed = [k for k in new if k in old and old[k] != new[k]]
    if not changed:
        return
    rows = [
        [k, f"{old[k]:g}", f"{new[k]:g}", f"{new[k] / old[k]:.2f}" if old[k] else None]
        for k in changed[:limit]
    ]
    print_table(
        ["figure", f"previous ({previous.get('date', '?')})", "this run", "ratio"],
        rows,
        title=f"against the previous {current['benchmark']}.json"
        + (f" ({len(changed) - limit} more changed)" if len(changed) > limit else ""),
    )


def print_readme_rows(lines: Sequence[str]) -> None:
    """Print the README lines a benchmark's figures back (``readme_rows``)."""
    print("\nREADME rows (tests/test_benchmark_results.py checks the README has them):")
    for line in lines:
        print(line)


def main() -> int:
    """List the result files: name, date, command, machine load."""
    files = sorted(RESULTS_DIR.glob("*.json"))
    rows = []
    for path in files:
        doc = json.loads(path.read_text("utf-8"))
        rows.append(
            [
                path.stem,
                doc.get("date"),
                doc.get("machine", {}).get("cores_available"),
                ", ".join(str(x) for x in doc.get("machine", {}).get("load_average", [])),
                f"`{doc.get('command')}`",
            ]
        )
    print_table(["result", "date (UTC)", "cores", "load average", "command"], rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
