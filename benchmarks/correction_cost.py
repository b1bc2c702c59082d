"""What ``--correct`` costs a frame, beside MediaPipe's own inference on the same frames.

Issue 13 asks the correction's inference to be numpy only and under 2 ms a frame. This
measures, on the frames of one committed sample clip, one after the other in one run:

* MediaPipe's inference as ``--correct`` runs it (VIDEO mode, segmentation mask on; the
  outline features and the pixels' hip line included, since the estimator computes them);
* the landmark correction (:meth:`LandmarkCorrection.apply` of the clip's pose);
* the hip line from the picture (:func:`posecheck.measure.pelvis_pixels.read_hip_line`:
  the crop and the networks);

as CPU milliseconds a frame of this thread (``time.thread_time``; the networks are
single-threaded numpy), each repeated and the median kept, and the share of the frame's
inference each adds. Usage::

    .venv/bin/python -m benchmarks.correction_cost [--clip samples/synth/tree_aligned_front.mp4]

Writes ``benchmarks/results/correction_cost.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import ROOT, cpu_seconds, print_readme_rows, print_table, write_results
from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.model_files import CORRECTION_FILENAME, load_correction
from posecheck.io.video import VideoReader
from posecheck.measure.pelvis_pixels import read_hip_line

DEFAULT_CLIP = ROOT / "samples" / "synth" / "tree_aligned_front.mp4"
TARGET_MS = 2.0


def _cpu_ms_per_call(fn: Any, items: list[Any], repeats: int) -> float:
    """Median over ``repeats`` of the CPU ms a call of ``fn`` on each of ``items`` costs."""
    runs = []
    for _ in range(repeats):
        t0 = time.thread_time()
        for item in items:
            fn(item)
        runs.append((time.thread_time() - t0) / len(items) * 1000.0)
    return float(np.median(runs))


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README's table rows."""
    infer = figures["inference_ms"]
    rows = [f"| MediaPipe's inference, mask on (all its threads) | {infer:.1f} ms | – |"]
    for key, label in (
        ("landmark_model_ms", "the landmark correction"),
        ("pixel_hip_line_ms", "the picture's hip line (crop and networks)"),
    ):
        ms = figures[key]
        rows.append(f"| {label} | {ms:.2f} ms | {ms / infer:.0%} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--pose", default="tree")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with VideoReader(args.clip, with_rgb=True) as reader:
        frames = [(f.image_rgb, f.time_s) for f in reader if f.image_rgb is not None]
    # MediaPipe infers in threads of its own: its cost is the whole process's CPU over the
    # loop (the estimator's outline features included, as --correct computes them).
    with PoseEstimator(mode="video", segmentation=True) as est:
        est.detect_rgb(frames[0][0], 0)  # the first inference sets things up
        t0 = cpu_seconds()
        found = [est.detect_rgb(rgb, 1 + int(t * 1000)) for rgb, t in frames[1:]]
        infer_ms = (cpu_seconds() - t0) / len(found) * 1000.0
    correction, _ = load_correction(ROOT / "models" / CORRECTION_FILENAME)
    if correction.pixels is None or args.pose not in correction.by_pose:
        print(f"the shipped correction has no pixel network or no {args.pose} model")
        return 2
    pixels = correction.pixels
    pairs = [(rgb, lm) for (rgb, _), lm in zip(frames[1:], found, strict=True) if lm is not None]
    landmark_ms = _cpu_ms_per_call(
        correction.by_pose[args.pose].apply, [lm for _, lm in pairs], args.repeats
    )
    pixel_ms = _cpu_ms_per_call(
        lambda p: read_hip_line(pixels, p[0], p[1].xy_px, rgb=True), pairs, args.repeats
    )
    figures = {
        "clip": args.clip.name,
        "frames": len(found),
        "frames_with_person": len(pairs),
        "inference_ms": round(infer_ms, 2),
        "landmark_model_ms": round(landmark_ms, 3),
        "pixel_hip_line_ms": round(pixel_ms, 3),
        "correction_ms": round(landmark_ms + pixel_ms, 3),
        "target_ms": TARGET_MS,
    }
    print_table(["figure", "value"], [[k, v] for k, v in figures.items()], title="--correct")
    print_readme_rows(readme_rows(figures))
    write_results("correction_cost", figures, argv=argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
