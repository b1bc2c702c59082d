"""Throughput of ``posecheck batch``: 1 worker against N workers, side by side in one run.

Cuts ``--clips`` pieces of ``--seconds`` each out of a real clip (the Tree holds of
``../shared/data/clips/tree_tutorial.mp4``; ``samples/clips`` when ``../shared/data`` is
absent), re-encoded so every run sees the same input, then runs :func:`run_batch` on
them with 1 worker and with N workers (N = the cores available), each into a fresh
output folder, and prints clips per second for each, the speed-up and the target
(speed-up >= 0.8 x N). Both runs pay the same start-up (spawning the pool, loading the
model per clip). It also prints the CPU seconds of each run (this process and its
workers) as "cores busy" = CPU s / wall s. Writes ``benchmarks/results/batch.json``
(``batch_no_video.json`` with ``--no-video``).

Usage::

    .venv/bin/python -m benchmarks.batch [--clips 4] [--seconds 8] [--workers N]
        [--no-video] [--repeat 1]

Timings on a shared machine are noisy; with ``--repeat`` each configuration is run that
many times, alternating, and the best time is kept.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    ROOT,
    SHARED_CLIPS,
    cpu_and_wall,
    print_readme_rows,
    print_table,
    write_results,
)
from posecheck.apps.batch import default_workers, run_batch

SHARED = SHARED_CLIPS
#: Starts (s) of pieces inside the Tree holds of tree_tutorial.mp4 (see the README).
TREE_STARTS = (27.0, 43.0, 62.0, 72.5, 82.0, 55.8)


def _cut(src: Path, pieces: list[tuple[float, Path]], seconds: float) -> None:
    """Write ``seconds`` of ``src`` from each start to its path, in one decoding pass."""
    from posecheck.io.video import VideoReader, VideoWriter

    open_writers: dict[Path, VideoWriter] = {}
    last_end = max(start for start, _ in pieces) + seconds
    with VideoReader(src) as reader:
        fps = reader.info.fps
        for frame in reader:
            if frame.time_s > last_end:
                break
            for start, dst in pieces:
                if not start <= frame.time_s < start + seconds:
                    continue
                if dst not in open_writers:
                    h, w = frame.image_bgr.shape[:2]
                    open_writers[dst] = VideoWriter(dst, fps=fps, size_wh=(w, h), crf=18)
                open_writers[dst].write(frame.image_bgr, frame.time_s - start)
    for writer in open_writers.values():
        writer.close()


def make_clips(folder: Path, n: int, seconds: float) -> tuple[list[Path], str]:
    """``n`` short clips in ``folder`` -> (paths, what they were cut from)."""
    tree = SHARED / "tree_tutorial.mp4"
    if tree.is_file():
        pieces = [
            (
                TREE_STARTS[i % len(TREE_STARTS)] + (i // len(TREE_STARTS)) * 0.5,
                folder / f"c{i}.mp4",
            )
            for i in range(n)
        ]
        _cut(tree, pieces, seconds)
        return [p for _, p in pieces], f"{tree.name}, {seconds:g} s pieces of its Tree holds"
    samples = sorted((ROOT / "samples" / "clips").glob("*.mp4"))
    paths = []
    for i in range(n):
        dst = folder / f"c{i}{samples[i % len(samples)].suffix}"
        shutil.copyfile(samples[i % len(samples)], dst)
        paths.append(dst)
    return paths, "samples/clips (../shared/data absent)"


def timed_run(clips: list[Path], out: Path, workers: int, write_video: bool) -> tuple[float, float]:
    """(wall s, CPU s) of one fresh batch over ``clips`` with ``workers``."""
    shutil.rmtree(out, ignore_errors=True)
    with cpu_and_wall() as clock:
        summary = run_batch(clips, out, workers=workers, write_video=write_video)
    elapsed, cpu = clock["wall_s"], clock["cpu_s"]
    bad = [r for r in summary.rows if r["status"] != "ok"]
    if bad or summary.skipped:
        raise SystemExit(f"unexpected batch result: {bad} skipped={summary.skipped}")
    return elapsed, cpu


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README line these figures back: one row of the batch speed table."""
    n = figures["workers"]
    label = "with annotated video (default)" if figures["video"] else "`--no-video`"
    verdict = "met" if figures["target_met"] else "not met"
    return [
        f"| {label} | {figures['clips_per_s_1']:.3f} clips/s | "
        f"{figures[f'clips_per_s_{n}']:.3f} clips/s | **{figures['speedup']:.2f}×** | {verdict} |"
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--no-video", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    n = args.workers
    with tempfile.TemporaryDirectory(prefix="posecheck-batch-bench-") as tmp:
        folder = Path(tmp)
        (folder / "clips").mkdir()
        clips, origin = make_clips(folder / "clips", args.clips, args.seconds)
        print(f"clips: {len(clips)} ({origin}); cores available: {default_workers()}")
        best: dict[int, float] = {}
        busy: dict[int, float] = {}
        for _ in range(args.repeat):
            for workers in (1, n):
                t, cpu = timed_run(clips, folder / f"out{workers}", workers, not args.no_video)
                if t < best.get(workers, math.inf):
                    best[workers], busy[workers] = t, cpu / t
                print(
                    f"  {workers} worker(s): {t:.2f} s, {len(clips) / t:.3f} clips/s, "
                    f"CPU {cpu:.1f} s ({cpu / t:.2f} cores busy)"
                )
        rates = {w: len(clips) / t for w, t in best.items()}
        speedup = best[1] / best[n]
        target = 0.8 * n
        verdict = "met" if speedup >= target else "NOT met"
        print_table(
            ["workers", "clips/s", "seconds (best)", "cores busy"],
            [[w, round(rates[w], 3), round(best[w], 2), round(busy[w], 2)] for w in sorted(best)],
        )
        print(f"speed-up {speedup:.2f}x; target >= {target:.2f}x (0.8 x {n}): {verdict}")
        print(
            f"cores busy: {busy[1]:.2f} with 1 worker (analyze overlaps decoding, inference, "
            f"overlay and encoding in threads), {busy[n]:.2f} with {n}; "
            f"{default_workers()} available"
        )
        result = {
            "clips": len(clips),
            "clip_seconds": args.seconds,
            "source": origin,
            "video": not args.no_video,
            "cores": default_workers(),
            "workers": n,
            "seconds_1": round(best[1], 3),
            f"seconds_{n}": round(best[n], 3),
            "clips_per_s_1": round(rates[1], 4),
            f"clips_per_s_{n}": round(rates[n], 4),
            "cores_busy_1": round(busy[1], 2),
            f"cores_busy_{n}": round(busy[n], 2),
            "speedup": round(speedup, 3),
            "target": target,
            "target_met": speedup >= target,
            "repeat": args.repeat,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    print_readme_rows(readme_rows(result))
    write_results(
        "batch" if result["video"] else "batch_no_video",
        result,
        module="benchmarks.batch",
        argv=argv,
    )


if __name__ == "__main__":
    main()
