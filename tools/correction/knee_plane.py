"""Does MediaPipe see Warrior 1's front knee leave its leg plane? (issue 13, a 3D reading)

Warrior 1's ``front_knee_midline`` reads the knee's sideways offset from the hip-ankle
line in the picture, which a bent knee fakes whenever the camera is a few degrees off the
leg's front, so it is gated there and rarely judges. A reading that takes the camera out
would measure the knee against the leg's own plane in 3D: the plane through the hip and
the ankle that holds the foot's direction (heel -> toes). Its offset, toward the other
hip, over the leg's length is the fault itself, wherever the camera stands.

This script measures whether MediaPipe's world landmarks carry that reading. Per cached
Warrior 1 clip (``tools.correction.extract`` npz files), over the hold frames (medians):

* **ideal**: the check's truth as ``benchmarks`` judges it, the knee's medial
  displacement seen by the pose's ideal front camera (% of leg length);
* **plane, true**: the leg-plane offset on the true 3D joints (% of leg length);
* **plane, MediaPipe** and **plane, corrected**: the same on MediaPipe's world landmarks,
  as they are and as the shipped correction moves them;
* **knee over ankle, image**: the knee's horizontal offset from the ankle in the picture
  (% of the image leg), the 2D stand-in, on the true projected joints and on MediaPipe's.

and prints, per camera placement, the correlation of each reading with the ideal truth
and its error against its own truth. Usage::

    python -m tools.correction.knee_plane ~/.cache/posecheck-synth/features/cues \\
        ~/.cache/posecheck-synth/features/wide ~/.cache/posecheck-synth/features/crowd

Result (2026-12-07, 640 clips, docs/measurements.md "Knee valgus"): the true plane offset
is the ideal truth up to a scale (r 1.00), but MediaPipe's world landmarks do not carry
it (r 0.05 from the front, error 5.0 / 15.2 points of leg length, as large as the faults).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from posecheck.landmarks import Landmark as L

FloatArray = NDArray[np.float64]

#: Per front-leg side: hip, knee, ankle, heel, toes, the other hip (MediaPipe indices).
_LEG = {
    "left": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_HIP),
    "right": (
        L.RIGHT_HIP,
        L.RIGHT_KNEE,
        L.RIGHT_ANKLE,
        L.RIGHT_HEEL,
        L.RIGHT_FOOT_INDEX,
        L.LEFT_HIP,
    ),
}
PLACEMENTS = ("front", "45deg", "side")


def leg_plane_offset_pct(points: FloatArray, side: str) -> FloatArray:
    """``(F,)`` the knee's distance from the plane through hip and ankle that holds the
    heel -> toes direction, + toward the other hip, % of hip-knee-ankle length.
    ``points``: ``(F, 33, 3)`` in any right-handed metric frame."""
    hip, knee, ankle, heel, toes, other = (points[:, i, :] for i in _LEG[side])
    normal = np.cross(ankle - hip, toes - heel)
    normal /= np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-9)
    normal *= np.sign(np.sum(normal * (other - hip), axis=-1, keepdims=True))
    leg = np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)
    return np.asarray(100.0 * np.sum(normal * (knee - hip), axis=-1) / leg, dtype=np.float64)


def knee_over_ankle_pct(points_px: FloatArray, side: str) -> FloatArray:
    """``(F,)`` the knee's horizontal offset from the ankle in the picture, + toward the
    other hip's side, % of the image hip-knee-ankle length. ``points_px``: ``(F, 33, 2)``."""
    hip, knee, ankle, _, _, other = (points_px[:, i, :] for i in _LEG[side])
    toward = np.sign(other[:, 0] - hip[:, 0])
    leg = np.linalg.norm(knee - hip, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)
    return np.asarray(100.0 * toward * (knee[:, 0] - ankle[:, 0]) / leg, dtype=np.float64)


def _median(values: FloatArray) -> float:
    ok = values[np.isfinite(values)]
    return float(np.median(ok)) if ok.size else math.nan


def clip_row(path: Path, correction: Any) -> dict[str, Any] | None:
    """One clip's hold medians, or None without an ideal truth."""
    from benchmarks.cells import corrected_npz
    from benchmarks.hip_action import clip_truth

    z = np.load(path)
    truth = clip_truth(path, z)
    side = str(truth.side)
    hold = truth.hold
    ideal = truth.ideal_metrics("front")[f"knee_medial_disp_{side}_pct"][hold]
    if not np.isfinite(ideal).any():
        return None
    world = np.asarray(z["world"], dtype=np.float64)
    xy, _, corrected = corrected_npz(correction, "warrior1", z)
    return {
        "placement": truth.placement,
        "ideal": _median(ideal),
        "plane_true": _median(leg_plane_offset_pct(np.asarray(z["true_world"])[hold], side)),
        "plane_mediapipe": _median(leg_plane_offset_pct(world[hold], side)),
        "plane_corrected": _median(leg_plane_offset_pct(corrected[hold], side)),
        "image_true": _median(knee_over_ankle_pct(np.asarray(z["true_px"])[hold], side)),
        "image_mediapipe": _median(knee_over_ankle_pct(xy[hold], side)),
    }


def _figures(read: FloatArray, truth: FloatArray) -> str:
    ok = np.isfinite(read) & np.isfinite(truth)
    if ok.sum() < 3:
        return "–"
    err = np.abs(read[ok] - truth[ok])
    r = float(np.corrcoef(read[ok], truth[ok])[0, 1])
    return f"{np.median(err):.1f} / {np.percentile(err, 90):.1f} (r {r:.2f})"


def main(argv: Sequence[str] | None = None) -> int:
    from posecheck.io.model_files import load_correction

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feature_dirs", nargs="+", type=Path)
    parser.add_argument(
        "--correction",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "models" / "landmark_correction.npz",
    )
    args = parser.parse_args(argv)
    correction, _ = load_correction(args.correction)
    rows = [
        row
        for d in args.feature_dirs
        for p in sorted(d.expanduser().glob("warrior1_*.npz"))
        if (row := clip_row(p, correction)) is not None
    ]
    col = {k: np.array([r[k] for r in rows], dtype=np.float64) for k in rows[0] if k != "placement"}
    print(f"{len(rows)} Warrior 1 clips; error median / p90 in points of leg length (r: Pearson)")
    print(f"plane, true, against the ideal truth: {_figures(col['plane_true'], col['ideal'])}")
    for placement in PLACEMENTS:
        sel = np.array([r["placement"] == placement for r in rows])
        if not sel.any():
            continue
        print(f"\n{placement} ({int(sel.sum())} clips)")
        for read, own in (
            ("plane_mediapipe", "plane_true"),
            ("plane_corrected", "plane_true"),
            ("image_mediapipe", "image_true"),
        ):
            print(
                f"  {read:16s} vs its own truth {_figures(col[read][sel], col[own][sel]):26s}"
                f" vs the ideal truth: r {_r(col[read][sel], col['ideal'][sel])}"
            )
        print(
            f"  image_true       vs the ideal truth: "
            f"r {_r(col['image_true'][sel], col['ideal'][sel])}"
        )
    return 0


def _r(a: FloatArray, b: FloatArray) -> str:
    ok = np.isfinite(a) & np.isfinite(b)
    return f"{np.corrcoef(a[ok], b[ok])[0, 1]:.2f}" if ok.sum() >= 3 else "–"


if __name__ == "__main__":
    raise SystemExit(main())
