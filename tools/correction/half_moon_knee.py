"""Where can a Half Moon's caving standing knee be seen? (issue 13: the matrix's empty cell)

The synthetic Half Moon's ``knee_midline_deg`` turns the standing knee toward the chest
side, over the big toe (``tools/synth/poses.py``): from the chest side, the view Half
Moon is judged and recognised from, that is toward the camera. This script reads, per
cached clip (``tools.correction.extract`` npz files) and camera placement, the standing
knee's distance from its hip-ankle line in the picture (% of the image leg, median over
the hold), on the true projected joints and on MediaPipe's, for aligned clips, clips with
the knee turned in by 8 deg or more, and clips with the knee only bent (toward the head)
by 8 deg or more::

    python -m tools.correction.half_moon_knee ~/.cache/posecheck-synth/features/wide \\
        ~/.cache/posecheck-synth/features/crowd

Result (2026-12-07): from the front a turned-in knee sits 1.0 % off (aligned 0.7 %): not
in the picture; from 45 deg 3.0 %, less than a plain bend (4.5 %); only end-on 5.0 %.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import Landmark as L

FloatArray = NDArray[np.float64]

_LEG = {
    "left": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
    "right": (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
}
#: A clear fault for this screen, degrees.
CLEAR_DEG = 8.0


def knee_off_line_pct(points_px: FloatArray, side: str) -> float:
    """Median over frames of the knee's distance from the hip-ankle line, % of the
    hip-knee-ankle path. ``points_px``: ``(F, 33, 2)`` pixels."""
    hip, knee, ankle = (points_px[:, i, :] for i in _LEG[side])
    axis, rel = ankle - hip, knee - hip
    dist = np.abs(axis[:, 0] * rel[:, 1] - axis[:, 1] * rel[:, 0]) / np.maximum(
        np.linalg.norm(axis, axis=1), 1e-9
    )
    leg = np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1)
    share = 100.0 * dist / np.maximum(leg, 1e-9)
    share = share[np.isfinite(share)]
    return float(np.median(share)) if share.size else float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.hip_action import clip_truth

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feature_dirs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    rows: dict[str, list[tuple[str, float, float]]] = {}
    for d in args.feature_dirs:
        for path in sorted(d.expanduser().glob("half_moon_*.npz")):
            z = np.load(path)
            truth = clip_truth(path, z)
            params = json.loads(str(z["meta"])).get("params") or {}
            turned = float(params.get("knee_midline_deg", 0.0))
            bent = float(params.get("standing_knee_bend_deg", 0.0))
            kind = (
                "aligned"
                if turned == 0.0 and bent == 0.0
                else "turned in"
                if turned >= CLEAR_DEG
                else "bent only"
                if bent >= CLEAR_DEG and turned == 0.0
                else ""
            )
            if not kind:
                continue
            side = str(truth.side)
            true_px = np.asarray(z["true_px"], dtype=np.float64)[truth.hold]
            read_px = (np.asarray(z["xy"], dtype=np.float64) * z["image_wh"])[truth.hold]
            rows.setdefault(truth.placement, []).append(
                (kind, knee_off_line_pct(true_px, side), knee_off_line_pct(read_px, side))
            )
    print("placement  clips           knee off its hip-ankle line, % of leg: true / MediaPipe")
    for placement, clips in rows.items():
        for kind in ("aligned", "turned in", "bent only"):
            here = [(t, r) for k, t, r in clips if k == kind]
            if here:
                true, read = np.array(here).T
                print(
                    f"{placement:9s}  {kind:10s} {len(here):4d}  "
                    f"{np.median(true):.1f} / {np.nanmedian(read):.1f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
