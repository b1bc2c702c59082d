"""Half Moon's standing hip abduction against the pixels' hip line (issue 17, a screen).

``half_moon.standing_hip_abducted`` reads the standing thigh against the trunk line as the
pelvis's long axis (:func:`posecheck.measure.geometry.pelvis_axes_px`), and that line
turns with the trunk as the pelvis sags, so the reading rises where the truth falls
(README, "The article's hip action"). The picture's hip line
(:mod:`posecheck.measure.pelvis_pixels`) is a reading of the pelvis that does not come
from the trunk. This script reads the standing hip's abduction, per test clip filmed from
the front (the chest side) of the ``wide`` and ``cues`` sets, three ways, hold medians
against the truth (``tools/synth/truth.py``):

* the trunk line as the long axis, on the corrected landmarks (what posecheck reads);
* the corrected landmarks' own hip line as the lateral axis (the long axis across it);
* the pixels' hip line as the lateral axis (the corrected hips turned fully onto it).

::

    python -m tools.correction.half_moon_abduction

Needs the crops (``python -m tools.correction.pixels crops wide cues``). Result
(2026-12-08, 98 clips, true 82-124 deg): trunk line 4.4 / 36.7 deg off (median / p90),
gain -0.32, r -0.18; corrected hip line 6.4 / 22.6, gain 0.39, r 0.21; pixels' hip line
4.8 / 21.0, gain 0.51, r 0.15. The pixels' line turns the right way, but it follows the
sag too weakly for a cue: the check stays off.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.cells import corrected_npz, load_clip, mission_checks
from benchmarks.hip_action import _abduction_by_hip_line, clip_truth
from posecheck.io.model_files import load_correction
from posecheck.measure.pelvis_pixels import blend_hip_line
from tools.correction.pixels import CACHE, hip_lines, predict_sets

FloatArray = NDArray[np.float64]
ROOT = Path(__file__).resolve().parents[2]
SIDES = ("left", "right")


def main() -> int:
    correction, _ = load_correction(ROOT / "models" / "landmark_correction.npz")
    if correction.pixels is None:
        print("the shipped correction has no pixel network")
        return 2
    plain = replace(correction, pixels=None, pixel_weight={})
    checks = [
        (p, c) for p, c in mission_checks() if p == "half_moon" and c.id == "standing_hip_abducted"
    ]
    sets = ["wide", "cues"]
    angles = predict_sets(correction.pixels, sets)
    kinds = ("trunk line (posecheck)", "corrected hip line", "pixels' hip line")
    read: dict[str, list[float]] = {k: [] for k in kinds}
    true: list[float] = []
    for name in sets:
        for path in sorted((CACHE / "features" / name).glob("half_moon_*.npz")):
            z = np.load(path)
            if str(json.loads(str(z["meta"])).get("split")) != "test":
                continue
            truth = clip_truth(path, z)
            if truth.placement != "front" or truth.side not in SIDES:
                continue
            xy, cxy, _ = corrected_npz(plain, "half_moon", z)
            lines = hip_lines(f"{name}/{path.name}", xy, angles)
            turned = np.full_like(cxy, np.nan)
            for i in np.flatnonzero(np.isfinite(lines).all(axis=1)):
                turned[i] = blend_hip_line(cxy[i], lines[i], 1.0)
            clip = load_clip(path, checks, plain)["half_moon.standing_hip_abducted"]
            hold = truth.hold
            values = {
                kinds[0]: clip.read["corrected"],
                kinds[1]: _abduction_by_hip_line(cxy, truth.side)[hold],
                kinds[2]: _abduction_by_hip_line(turned, truth.side)[hold],
            }
            for kind, v in values.items():
                v = v[np.isfinite(v)]
                read[kind].append(float(np.median(v)) if v.size else math.nan)
            true.append(float(np.nanmedian(clip.true)))
    t = np.asarray(true)
    print(f"{len(t)} Half Moon test clips from the chest side, true {np.nanmin(t):.0f}-"
          f"{np.nanmax(t):.0f} deg (hold medians)")  # fmt: skip
    for kind, values in read.items():
        v = np.asarray(values)
        ok = np.isfinite(v) & np.isfinite(t)
        err = np.abs(v[ok] - t[ok])
        gain = np.polyfit(t[ok], v[ok], 1)[0]
        r = np.corrcoef(t[ok], v[ok])[0, 1]
        print(
            f"{kind:24s} {ok.sum():3d} clips: {np.median(err):.1f} / {np.percentile(err, 90):.1f} "
            f"deg off, gain {gain:.2f}, r {r:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
