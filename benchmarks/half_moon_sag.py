"""Half Moon's standing hip under a sagging pelvis: which reading follows the truth?

Issue 17: ``half_moon.standing_hip_abducted`` cues when the pelvis sags over the standing
leg. This reads the cached MediaPipe outputs (``tools/correction/extract.py``) of the
held-out Half Moons filmed from the chest side (the ``cues`` set's aligned and sagging
ones and the ``wide`` set's test bodies), and per clip compares, over the hold, the
median of each reading with the true abduction (``tools/synth/truth.py``, as the pose's
ideal front camera sees it):

* posecheck's reading (``hip_abduction_{side}_deg``: the picture's trunk line for the
  pelvis's long axis), as MediaPipe reads it and with the shipped correction;
* the picture's hip line instead (``benchmarks.hip_action``'s alternative), both ways.

Printed: error median / p90, gain (read on true), and the median reading of the clear
faults (true <= 95) and of the aligned clips (true >= 105). No result file: the figures
are in docs/measurements.md (hip action).

Usage::

    .venv/bin/python -m benchmarks.half_moon_sag [--correction NPZ] [--features DIR ...]

``--features`` reads other cached outputs (e.g. extracted with another landmarker:
``tools.correction.extract --model ...``); ``--correction none`` reads them as they are
(a correction applies only to the landmarker it was trained on).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from benchmarks.cells import DEFAULT_CORRECTION, corrected_npz, load_clip, mission_checks
from benchmarks.hip_action import _abduction_by_hip_line, clip_truth
from posecheck.io.model_files import load_correction

FEATURES = (
    Path("~/.cache/posecheck-synth/features/cues"),
    Path("~/.cache/posecheck-synth/features/wide"),
)
CLEAR_MAX_DEG = 95.0
ALIGNED_MIN_DEG = 105.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--correction", default=str(DEFAULT_CORRECTION), help="NPZ or none")
    parser.add_argument("--features", type=Path, nargs="+", default=list(FEATURES))
    args = parser.parse_args(argv)
    correction = None
    if args.correction != "none":
        correction, _ = load_correction(Path(args.correction))
    checks = [(p, c) for p, c in mission_checks() if c.id == "standing_hip_abducted"]
    rows = []
    for folder in args.features:
        for path in sorted(folder.expanduser().glob("half_moon_*.npz")):
            clip = load_clip(path, checks, correction)["half_moon.standing_hip_abducted"]
            if clip.placement != "front" or clip.split != "test":
                continue
            z = np.load(path)
            side = str(json.loads(str(z["meta"]))["side"])
            hold = clip_truth(path, z).hold
            xy, cxy, _ = corrected_npz(correction, "half_moon", z)
            with np.errstate(all="ignore"):
                hip_raw = float(np.nanmedian(_abduction_by_hip_line(xy, side)[hold]))
                hip_cor = float(np.nanmedian(_abduction_by_hip_line(cxy, side)[hold]))
            rows.append(
                [
                    clip.verdict_true,
                    clip.reading("raw"),
                    clip.reading("corrected"),
                    hip_raw,
                    hip_cor,
                ]
            )
    if not rows:
        print("no held-out Half Moon features: run tools.correction.extract", file=sys.stderr)
        return 2
    table = np.asarray(rows, dtype=np.float64)
    table = table[np.isfinite(table).all(axis=1)]
    true = table[:, 0]
    clear, aligned = true <= CLEAR_MAX_DEG, true >= ALIGNED_MIN_DEG
    print(f"{len(table)} held-out front clips: {clear.sum()} clear faults, {aligned.sum()} aligned")
    print("| reading | error median / p90 | gain | clear faults (median) | aligned (median) |")
    print("|---|---|---|---|---|")
    names = ("trunk line, as read", "trunk line, corrected", "hip line, as read",
             "hip line, corrected")  # fmt: skip
    for j, name in enumerate(names, start=1):
        err = np.abs(table[:, j] - true)
        gain = float(np.polyfit(true, table[:, j], 1)[0])
        print(
            f"| {name} | {np.median(err):.1f}° / {np.percentile(err, 90):.1f}° | {gain:.2f} "
            f"| {np.median(table[clear, j]):.1f}° | {np.median(table[aligned, j]):.1f}° |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
