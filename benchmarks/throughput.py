"""Throughput of ``posecheck analyze``, side by side in one run, on a 1080p clip.

Measures, on the same frames and the same model:

(a) model inference alone on frames decoded beforehand (the ceiling),
(b) ``analyze_video`` end to end, without and with the annotated video,
(c) a naive sequential loop: read (OpenCV), convert, detect, draw, write (PyAV, no
    threads), with the same model,

then peak memory of ``analyze`` on a 10 s and a 60 s input (each in its own process),
and what ``--stride`` and ``--max-width`` buy in speed and cost in accuracy against a
full-rate run (median absolute difference of each metric at the same frames, and the
hold scores).

Usage::

    .venv/bin/python -m benchmarks.throughput [--clip PATH] [--frames N] [--quick]

The clip defaults to ``../shared/data/clips/plank_cobra_dog.mp4`` (1920x1080, 30 fps);
the stride/width part uses the Tree holds of ``../shared/data/clips/tree_tutorial.mp4``.
Timings on a shared machine are noisy: read the ratios, which are measured side by
side. Writes ``benchmarks/results/throughput.json`` (``throughput_quick.json`` with
``--quick``).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import (
    ROOT,
    SHARED_CLIPS,
    Stopwatch,
    print_readme_rows,
    print_table,
    rate,
    timed,
    write_results,
)
from posecheck.apps.analyze import analyze_video
from posecheck.estimate.landmarker import PoseEstimator
from posecheck.judge.assess import assess
from posecheck.measure import geometry

SHARED = SHARED_CLIPS


def _decode(path: Path, limit: int) -> tuple[list[np.ndarray], float]:
    import av

    frames: list[np.ndarray] = []
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate or 30)
        for frame in c.decode(stream):
            frames.append(frame.to_ndarray(format="bgr24"))
            if len(frames) >= limit:
                break
    return frames, fps


def _cut(src: Path, dst: Path, frames: int) -> None:
    """The first ``frames`` frames of ``src``, re-encoded (so every run sees equal input)."""
    from posecheck.io.video import VideoReader, VideoWriter

    with VideoReader(src) as reader:
        info = reader.info
        writer = None
        for i, frame in enumerate(reader):
            if i >= frames:
                break
            if writer is None:
                h, w = frame.image_bgr.shape[:2]
                writer = VideoWriter(dst, fps=info.fps, size_wh=(w, h), crf=18)
                writer.__enter__()
            writer.write(frame.image_bgr, frame.time_s)
        if writer is not None:
            writer.close()


def _loop(src: Path, dst: Path, seconds: float) -> None:
    """``src`` repeated until ``seconds`` long (for the memory test)."""
    from posecheck.io.video import VideoReader, VideoWriter

    t0 = 0.0
    writer = None
    while t0 < seconds:
        with VideoReader(src) as reader:
            for frame in reader:
                t = t0 + frame.time_s
                if t >= seconds:
                    break
                if writer is None:
                    h, w = frame.image_bgr.shape[:2]
                    writer = VideoWriter(
                        dst, fps=reader.info.fps, size_wh=(w, h), crf=28, preset="ultrafast"
                    )
                    writer.__enter__()
                writer.write(frame.image_bgr, t)
            t0 = t0 + (reader.info.duration_s or 1.0)
    if writer is not None:
        writer.close()


def model_only(frames: list[np.ndarray], fps: float) -> float:
    """(a) frames per second of the model alone: ``PoseEstimator.detect_rgb`` on frames
    decoded and converted to RGB beforehand (nothing else in the loop)."""
    rgb = [np.ascontiguousarray(f[:, :, ::-1]) for f in frames]
    with PoseEstimator(mode="video") as est:
        est.detect_rgb(rgb[0], 0)  # warm-up outside the timing
        with Stopwatch() as clock:
            for i, f in enumerate(rgb):
                est.detect_rgb(f, int(1000 * (i + 1) / fps))
        return rate(len(rgb), clock.seconds)


def analyze_fps(clip: Path, out: Path, write_video: bool, n: int) -> float:
    _, seconds = timed(analyze_video, clip, out, write_video=write_video)
    return rate(n, seconds)


def naive_loop(clip: Path, out: Path) -> float:
    """(c) read, convert, detect, draw, write: one frame after the other."""
    import cv2

    from posecheck.io.video import VideoWriter
    from posecheck.outputs.overlay import annotate

    start = time.perf_counter()
    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    n = 0
    with PoseEstimator(mode="video") as est:
        writer = None
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            lm = est.detect(frame, int(1000 * n / fps))
            h, w = frame.shape[:2]
            result = assess(lm, str(clip), (w, h))
            drawn = annotate(frame, result)
            if writer is None:
                writer = VideoWriter(out / "naive.mp4", fps=fps, size_wh=(w, h))
                writer.__enter__()
            writer.write(drawn, n / fps)
            n += 1
        if writer is not None:
            writer.close()
    cap.release()
    return n / (time.perf_counter() - start)


# The child reports VmHWM (its own peak resident memory) from /proc: unlike ru_maxrss,
# which Linux carries over exec from the parent (this script holds hundreds of decoded
# frames: ru_maxrss read 4.4 GB here for a child whose VmHWM was ~0.8 GB), it starts
# afresh in the new process.
_PEAK = """
from posecheck.apps.analyze import analyze_video
analyze_video({clip!r}, {out!r}, write_video=True)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]))
"""


def peak_rss_mb(clip: Path, out: Path) -> float:
    """Peak resident memory (MB) of ``analyze_video`` with video, in a fresh process."""
    code = _PEAK.format(clip=str(clip), out=str(out))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(proc.stdout.strip().splitlines()[-1]) / 1024.0


def _per_frame(csv_path: Path) -> dict[float, dict[str, float]]:
    import csv

    out: dict[float, dict[str, float]] = {}
    with csv_path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            vals = {
                name: float(row[name])
                for name in geometry.METRIC_UNITS
                if row[f"{name}_valid"] == "1"
            }
            out[round(float(row["time_s"]), 2)] = vals
    return out


def stride_width_table(clip: Path, work: Path) -> list[dict[str, Any]]:
    """Speed and metric difference of strides and widths against a full-rate run."""
    settings = [
        ("full rate", 1, None),
        ("--stride 2", 2, None),
        ("--stride 3", 3, None),
        ("--max-width 640", 1, 640),
        ("--stride 2 --max-width 640", 2, 640),
    ]
    rows: list[dict[str, Any]] = []
    base: dict[float, dict[str, float]] = {}
    base_time = math.nan
    base_scores: list[float] = []
    for label, stride, width in settings:
        out = work / label.replace(" ", "_").replace("-", "")
        report, elapsed = timed(
            analyze_video, clip, out, stride=stride, max_width=width, write_video=False
        )
        frames = _per_frame(out / "frames.csv")
        scores = [h.score for h in report.holds if h.score is not None]
        if stride == 1 and width is None:
            base, base_time, base_scores = frames, elapsed, scores
        diffs: dict[str, float | None] = {}
        for name in (
            "knee_valgus_right_deg",
            "pelvic_obliquity_deg",
            "thigh_abduction_left_deg",
            "foot_knee_gap_right_pct",
            "com_offset_foot_lengths",
        ):
            d = [
                abs(v[name] - base[t][name])
                for t, v in frames.items()
                if name in v and t in base and name in base[t]
            ]
            diffs[name] = round(float(np.median(d)), 3) if d else None
        rows.append(
            {
                "setting": label,
                "speedup": round(base_time / elapsed, 2),
                "holds": len(report.holds),
                "hold_scores": [round(s, 1) for s in scores],
                "median_abs_diff": diffs,
            }
        )
    _ = base_scores
    return rows


#: The metrics of the README's stride / max-width table, in its column order.
STRIDE_COLUMNS = ("knee_valgus_right_deg", "pelvic_obliquity_deg", "thigh_abduction_left_deg")


def _score(s: float) -> str:
    return f"{s:.1f}".removesuffix(".0")


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README lines these figures back: the speed table, the memory sentence and
    the stride / max-width table."""
    a, b0, b1, c = (
        figures[k]
        for k in ("model_only_fps", "analyze_no_video_fps", "analyze_video_fps", "naive_loop_fps")
    )
    lines = [
        "| (a) model alone (`detect_rgb` on frames decoded and converted beforehand) | "
        f"{a:.1f} | – | – |",
        f"| (b) `analyze --no-video`, end to end | {b0:.1f} | "
        f"**{figures['no_video_vs_model']:.2f} × (a)** | ≥ 0.9 |",
        f"| (b) `analyze` with `annotated.mp4` | {b1:.1f} | "
        f"**{figures['video_vs_naive']:.2f} × (c)** | ≥ 1.3 |",
        "| (c) naive loop: read, convert, detect, draw, write, one after the other | "
        f"{c:.1f} | – | – |",
    ]
    if "peak_mb_10s" in figures:
        lines.append(
            f"is {figures['peak_mb_10s']:.0f} MB on a 10 s input and "
            f"{figures['peak_mb_60s']:.0f} MB on a 60 s one: "
            f"**{figures['peak_mb_growth']:+.0f} MB**"
        )
    table = figures.get("stride_width") or []
    for row in table:
        label = row["setting"] if row["setting"] == "full rate" else f"`{row['setting']}`"
        scores = " / ".join(_score(s) for s in row["hold_scores"])
        if row["holds"] != table[0]["holds"]:
            scores += f" ({row['holds']} holds)"
        diffs = row["median_abs_diff"]
        cells = [
            "–" if row is table[0] or diffs[m] is None else f"{diffs[m]:.2f}°"
            for m in STRIDE_COLUMNS
        ]
        lines.append(f"| {label} | {row['speedup']:.2f}× | {scores} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=SHARED / "plank_cobra_dog.mp4")
    parser.add_argument("--frames", type=int, default=300, help="frames for (a)-(c)")
    parser.add_argument("--quick", action="store_true", help="skip the memory and stride parts")
    args = parser.parse_args(argv)
    if not args.clip.is_file():
        print(f"{args.clip}: not found (the clips live in ../shared/data)", file=sys.stderr)
        return 2
    figures: dict[str, Any] = {"clip": os.path.relpath(args.clip, ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = work / "input.mp4"
        _cut(args.clip, clip, args.frames)
        frames, fps = _decode(clip, args.frames)
        n = len(frames)
        h, w = frames[0].shape[:2]
        print(f"input: {n} frames of {w}x{h} at {fps:.1f} fps", file=sys.stderr)
        a = model_only(frames, fps)
        del frames
        b0 = analyze_fps(clip, work / "b0", False, n)
        b1 = analyze_fps(clip, work / "b1", True, n)
        c = naive_loop(clip, work)
        print_table(
            ["run", "frames per second", "ratio", "target"],
            [
                ["(a) model only on decoded frames", round(a, 1), None, None],
                ["(b) analyze, no video", round(b0, 1), f"{b0 / a:.2f} x (a)", ">= 0.9"],
                [
                    "(b) analyze, with annotated video",
                    round(b1, 1),
                    f"{b1 / c:.2f} x (c)",
                    ">= 1.3",
                ],
                ["(c) naive sequential loop", round(c, 1), None, None],
            ],
        )
        figures.update(
            {
                "frames": n,
                "size": [w, h],
                "model_only_fps": round(a, 2),
                "analyze_no_video_fps": round(b0, 2),
                "analyze_video_fps": round(b1, 2),
                "naive_loop_fps": round(c, 2),
                "no_video_vs_model": round(b0 / a, 3),
                "video_vs_naive": round(b1 / c, 3),
            }
        )
        if not args.quick:
            short, long_ = work / "10s.mp4", work / "60s.mp4"
            _loop(clip, short, 10.0)
            _loop(clip, long_, 60.0)
            m10 = peak_rss_mb(short, work / "m10")
            m60 = peak_rss_mb(long_, work / "m60")
            print(
                f"peak memory: 10 s input {m10:.0f} MB, 60 s input {m60:.0f} MB, "
                f"difference {m60 - m10:+.0f} MB (target <= 50)"
            )
            figures.update(
                {
                    "peak_mb_10s": round(m10, 1),
                    "peak_mb_60s": round(m60, 1),
                    "peak_mb_growth": round(m60 - m10, 1),
                }
            )
            tree = SHARED / "tree_tutorial.mp4"
            if tree.is_file():
                segment = work / "tree_segment.mp4"
                _cut_span(tree, segment, 42.0, 66.0)
                table = stride_width_table(segment, work)
                names = list(table[0]["median_abs_diff"])
                print_table(
                    ["setting", "speed-up", "holds", "hold scores", *names],
                    [
                        [
                            r["setting"],
                            r["speedup"],
                            r["holds"],
                            r["hold_scores"],
                            *r["median_abs_diff"].values(),
                        ]
                        for r in table
                    ],
                    title="stride / max-width on a Tree segment (42-66 s of tree_tutorial.mp4), "
                    "median |difference| to full rate",
                )
                figures["stride_width"] = table
    print_readme_rows(readme_rows(figures))
    write_results(
        "throughput_quick" if args.quick else "throughput",
        figures,
        module="benchmarks.throughput",
        argv=argv,
    )
    return 0


def _cut_span(src: Path, dst: Path, start_s: float, end_s: float) -> None:
    from posecheck.io.video import VideoReader, VideoWriter

    with VideoReader(src) as reader:
        writer = None
        for frame in reader:
            if frame.time_s < start_s:
                continue
            if frame.time_s > end_s:
                break
            if writer is None:
                h, w = frame.image_bgr.shape[:2]
                writer = VideoWriter(dst, fps=reader.info.fps, size_wh=(w, h), crf=18)
                writer.__enter__()
            writer.write(frame.image_bgr, frame.time_s - start_s)
        if writer is not None:
            writer.close()


if __name__ == "__main__":
    raise SystemExit(main())
