"""Compare a person's two Trees instead of judging each: does MediaPipe's bias cancel?

MediaPipe drags the lifted leg's hip up (a level Tree pelvis reads 6-14 deg toward the
lifted side), and what the landmark correction leaves, about 3 deg / 7 deg, is as large
as the faults a pelvis cue is for (docs/measurements.md). Much of that error belongs to
the person and the camera, not to the side: a teacher films both sides of a Tree with
the same camera. This reads the ``pairs`` set (``python -m tools.synth.make pairs``: per
held-out body, Trees on the left and on the right leg with one camera, outfit and light,
each side's pelvis level or rolled 5-12 deg either way; extracted with
``tools.correction.extract``) and compares, over the hold (clip medians):

* **each side**: the pelvic obliquity toward the lifted leg's side (+ = the lifted leg's
  hip higher), read against true, as MediaPipe reads it and corrected;
* **sides compared**: left-leg Tree minus right-leg Tree of the same pair, read against
  true: the bias toward the lifted leg is the same on both legs and cancels.

and a cue "the hips sit differently on the two legs" at a few lines (clear: true
difference >= 1.5x the line, aligned <= 0.5x, as ``benchmarks.accuracy`` counts them).

    python -m tools.correction.sides ~/.cache/posecheck-synth/features/pairs

Result (2026-12-07, 72 pairs): the drag cancels (as read: 9.9 / 19.0 deg per side, 4.8 /
12.3 the difference) but what the correction leaves is not shared by the sides (3.1 / 6.6
per side, 4.5 / 9.6 the difference), so comparing sides does not beat judging each.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
READINGS = ("raw", "corrected")
LINES_DEG = (4.0, 5.0, 6.0)


def toward_lifted(obliquity_deg: float, side: str) -> float:
    """Pelvic obliquity (+ = LEFT hip higher) as + = the lifted leg's hip higher, for a
    Tree standing on ``side``."""
    return -obliquity_deg if side == "left" else obliquity_deg


def _figures(read: FloatArray, true: FloatArray) -> str:
    from benchmarks.hip_action import error_figures

    e = error_figures(read, true)
    if e["median"] is None:
        return "–"
    return f"{e['median']:.1f} / {e['p90']:.1f}, gain {e['gain']:.2f} (n {e['frames']})"


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.cells import DEFAULT_CORRECTION, load_clip, mission_checks
    from posecheck.io.model_files import load_correction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feature_dirs", nargs="+", type=Path)
    parser.add_argument("--correction", type=Path, default=DEFAULT_CORRECTION)
    args = parser.parse_args(argv)
    correction, _ = load_correction(args.correction)
    checks = [(p, c) for p, c in mission_checks() if f"{p}.{c.id}" == "tree.pelvis_level"]
    clips: dict[str, dict[str, float]] = {}
    for d in args.feature_dirs:
        for path in sorted(d.expanduser().glob("tree_*_p*.npz")):
            stem = path.name.split(".")[0]  # tree_<body>_p<k><l|r>
            reading = load_clip(path, checks, correction)["tree.pelvis_level"]
            side = "left" if stem.endswith("l") else "right"
            true = reading.true[np.isfinite(reading.true)]
            row = {"true": toward_lifted(float(np.median(true)), side) if true.size else math.nan}
            for kind in READINGS:
                value = reading.reading(kind) if reading.measured(kind) else math.nan
                row[kind] = toward_lifted(value, side)
            clips[stem] = row
    pairs = sorted(
        {stem[:-1] for stem in clips if stem[:-1] + "l" in clips and stem[:-1] + "r" in clips}
    )
    if not pairs:
        print("no pairs: render and extract the pairs set first", flush=True)
        return 2
    each = {k: np.array([r[k] for r in clips.values()]) for k in ("true", *READINGS)}
    diff = {
        k: np.array([clips[p + "l"][k] - clips[p + "r"][k] for p in pairs])
        for k in ("true", *READINGS)
    }
    print(f"{len(clips)} Trees in {len(pairs)} pairs; error median / p90 (deg), gain")
    for kind in READINGS:
        print(f"  each side, {kind:9s}: {_figures(each[kind], each['true'])}")
        print(f"  sides compared, {kind:9s}: {_figures(diff[kind], diff['true'])}")
    print("cue 'the hips differ between the legs' (|left - right| >= line):")
    for line in LINES_DEG:
        true = np.abs(diff["true"])
        clear, aligned = true >= 1.5 * line, true <= 0.5 * line
        for kind in READINGS:
            read = np.abs(diff[kind])
            ok = np.isfinite(read)
            print(
                f"  line {line:g} deg, {kind:9s}: clear {int((read[clear & ok] >= line).sum())}"
                f" of {int((clear & ok).sum())}, aligned {int((read[aligned & ok] >= line).sum())}"
                f" of {int((aligned & ok).sum())}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
