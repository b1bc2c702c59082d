"""Time ``Annotator.annotate`` per frame: this work tree's overlay against a baseline.

The baseline is ``posecheck/outputs/overlay.py`` as of a git revision (``--baseline``,
default ``main``), loaded from ``git show`` as a separate module, so both run in the
same process, on the same frames and the same :class:`FrameResult`, interleaved round by
round (the machine's load hits both alike). Frames: 640x480 (landscape) and 1080x1920
(portrait); the result is a Warrior 1 frame with a standing figure, knee angles, a
valid weight split, a balance line and five cues (two of them long enough to wrap); ten
variants of it, with other knee angles and weight splits, are cycled through.

Each size runs ``--rounds`` rounds; a round times ``--frames`` calls of each overlay back
to back (baseline first on even rounds, second on odd ones). The per-frame time of an
overlay is the median over rounds, in CPU time of this process; the ratio is current /
baseline. Text caches are warmed first: in a video the panel's strings repeat from frame
to frame. ``current_cold_ms`` is one frame of the current overlay with its text caches
emptied (every string rendered anew), the median of 7.

Usage::

    .venv/bin/python -m benchmarks.overlay_speed [--baseline main] [--rounds 30]

Prints a Markdown table and writes ``benchmarks/results/overlay.json`` (through
:mod:`benchmarks.harness`).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.harness import ROOT, print_table, write_results
from posecheck.landmarks import N_LANDMARKS, Landmark, Landmarks
from posecheck.result import Balance, Cue, FrameResult, Metric
from posecheck.vocab import Severity, View
from tests.factories import STANDING_FACING_XY

L = Landmark
SIZES = [(640, 480), (1080, 1920)]
VARIANTS = 10  # frames with different knee angles and weight splits, cycled through


def make_result(image_wh: tuple[int, int], k: int = 0) -> FrameResult:
    """A Warrior 1 frame with what a real one carries: metrics, balance, five cues. ``k``
    varies the knee angles and the weight split as from frame to frame of a video."""
    xy = np.array([STANDING_FACING_XY[Landmark(i)] for i in range(N_LANDMARKS)], dtype=np.float64)
    lm = Landmarks(xy=xy, visibility=np.full(N_LANDMARKS, 0.99), image_wh=image_wh)
    w, h = image_wh
    feet_x = lm.xy_px[[L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX], 0]
    nan = float("nan")
    metrics = {
        "knee_valgus_left_deg": Metric(11.4 + k, "deg", True),
        "knee_valgus_right_deg": Metric(1.6 + k % 3, "deg", True),
        "hip_extension_left_deg": Metric(nan, "deg", False, "needs a side view"),
        "hip_extension_right_deg": Metric(nan, "deg", False, "needs a side view"),
        "weight_left_pct": Metric(62.0 - k, "pct", True),
        "weight_right_pct": Metric(38.0 + k, "pct", True),
    }
    cues = (
        Cue(
            "knee_valgus_left",
            Severity.FAULT,
            "Left knee drifting toward the midline: press it out over the second toe",
            metric="knee_valgus_left_deg",
            joint=L.LEFT_KNEE,
        ),
        Cue("weight_even", Severity.WARN, "Weight is on the left leg: share it evenly"),
        Cue("front_knee", Severity.WARN, "Bend the front knee until it is over the ankle"),
        Cue("hip_extension", Severity.INFO, "Turn sideways to the camera to check the back hip"),
        Cue("arms", Severity.INFO, "Reach the arms up, shoulders away from the ears"),
    )
    balance = Balance(
        com_px=(0.505 * w, 0.56 * h),
        floor_y_px=0.93 * h,
        support_x_px=(float(feet_x.min()), float(feet_x.max())),
        grounded=("left_foot", "right_foot"),
    )
    return FrameResult(
        source="benchmark",
        image_wh=image_wh,
        landmarks=lm,
        view=View.FRONT,
        metrics=metrics,
        pose="warrior1",
        side="left",
        pose_confidence=0.9,
        cues=cues,
        balance=balance,
    )


def frame(image_wh: tuple[int, int]) -> np.ndarray:
    """A BGR picture with some texture (gradient, floor, noise)."""
    w, h = image_wh
    rng = np.random.default_rng(0)
    ys = np.linspace(0.0, 1.0, h)[:, None]
    xs = np.linspace(0.0, 1.0, w)[None, :]
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[..., 0] = (150 + 60 * ys + 20 * xs).astype(np.uint8)
    img[..., 1] = (150 + 50 * ys - 30 * xs).astype(np.uint8)
    img[..., 2] = (120 + 40 * xs + 0 * ys).astype(np.uint8)
    img[int(0.8 * h) :] = (60, 90, 120)
    noise = rng.integers(0, 12, size=img.shape, dtype=np.uint8)
    return np.asarray(img + noise, dtype=np.uint8)


def load_baseline(ref: str) -> ModuleType:
    """``posecheck/outputs/overlay.py`` at git revision ``ref``, as its own module."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:posecheck/outputs/overlay.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "overlay_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("overlay_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["overlay_baseline"] = module
    spec.loader.exec_module(module)
    return module


def time_frames(annotator: Any, image: np.ndarray, results: list[FrameResult], n: int) -> float:
    """CPU seconds of this process per ``annotate`` call over ``n`` calls, cycling through
    ``results`` (CPU time, not wall time: on a loaded machine the wall clock also counts
    the time other processes hold the cores)."""
    t0 = time.process_time()
    for i in range(n):
        annotator.annotate(image, results[i % len(results)])
    return (time.process_time() - t0) / n


def cold_frame(module: ModuleType, annotator: Any, image: np.ndarray, result: FrameResult) -> float:
    """CPU seconds of one ``annotate`` call with the text caches emptied first: the cost of
    a frame whose every string is new (the first one, or a new set of cues)."""
    fonts = getattr(module, "fonts", None)
    if fonts is not None:
        fonts.clear_cache()
    wrap = getattr(module, "_wrap", None)
    if hasattr(wrap, "cache_clear"):
        wrap.cache_clear()
    return time_frames(annotator, image, [result], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git revision of the baseline")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--frames", type=int, default=10, help="calls per round")
    args = parser.parse_args(argv)

    from posecheck.outputs import overlay as current

    baseline = load_baseline(args.baseline)
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    overlays = {"baseline": baseline.Annotator(), "current": current.Annotator()}
    sizes: dict[str, Any] = {}
    for image_wh in SIZES:
        image = frame(image_wh)
        results = [make_result(image_wh, k) for k in range(VARIANTS)]
        for annotator in overlays.values():  # warm up: imports, fonts, text caches
            time_frames(annotator, image, results, VARIANTS)
        times: dict[str, list[float]] = {name: [] for name in overlays}
        for r in range(args.rounds):
            order = list(overlays) if r % 2 == 0 else list(overlays)[::-1]
            for name in order:
                times[name].append(time_frames(overlays[name], image, results, args.frames))
        cold = statistics.median(
            cold_frame(current, overlays["current"], image, results[0]) for _ in range(7)
        )
        med = {name: statistics.median(t) for name, t in times.items()}
        best = {name: min(t) for name, t in times.items()}
        sizes[f"{image_wh[0]}x{image_wh[1]}"] = {
            "baseline_ms": round(1000 * med["baseline"], 3),
            "current_ms": round(1000 * med["current"], 3),
            "ratio": round(med["current"] / med["baseline"], 3),
            "baseline_best_ms": round(1000 * best["baseline"], 3),
            "current_best_ms": round(1000 * best["current"], 3),
            "ratio_best": round(best["current"] / best["baseline"], 3),
            "current_cold_ms": round(1000 * cold, 3),
        }
    print_table(
        ["frame", "baseline ms", "current ms", "ratio", "current, cold caches ms"],
        [
            [k, v["baseline_ms"], v["current_ms"], v["ratio"], v["current_cold_ms"]]
            for k, v in sizes.items()
        ],
        title=f"annotate() per frame, CPU time: {args.baseline} vs {head} (+ work tree)",
    )
    figures = {
        "baseline": args.baseline,
        "current": f"{head} + work tree",
        "timer": "CPU time of this process (time.process_time), median over rounds",
        "rounds": args.rounds,
        "frames_per_round": args.frames,
        "cues": 5,
        "sizes": sizes,
        "max_ratio": max(v["ratio"] for v in sizes.values()),
    }
    write_results("overlay", figures, module="benchmarks.overlay_speed", argv=argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
