"""Run posecheck's estimator (with segmentation masks) over rendered clips and cache, per
clip, what MediaPipe saw beside what was true: the training and test data of the landmark
correction.

    python -m tools.correction.extract ~/.cache/posecheck-synth/wide \
        --out ~/.cache/posecheck-synth/features/wide
    python -m tools.correction.extract samples/synth --out /tmp/features-samples

Each ``<clip>.truth.json`` (schema in ``tools/synth/README.md``) with its mp4 gives one
``<clip stem>.<spec_hash>.npz`` holding, for the F frames of the clip:

=============== ============== =============================================================
key             shape          meaning
=============== ============== =============================================================
``found``       (F,) bool      MediaPipe found a person
``xy``          (F, 33, 2)     MediaPipe's landmarks, normalised image coordinates
``visibility``  (F, 33)        MediaPipe's visibility
``world``       (F, 33, 3)     MediaPipe's world landmarks (metres, hip-centred)
``silhouette``  (F, 13, 4)     :func:`posecheck.measure.silhouette.silhouette_edges`
``true_px``     (F, 33, 2)     the true landmarks projected into the picture (pixels)
``true_world``  (F, 33, 3)     the true landmarks, world metres (+Z up)
``true_com``    (F, 3)         the true centre of mass, world metres
``r_world_to_cam`` (3, 3)      the camera's rotation (world -> OpenCV camera axes)
``image_wh``    (2,)           frame size in pixels
``meta``        ()             JSON: pose, side, params, body, camera, split, clip name
=============== ============== =============================================================

Rows where nobody was found hold NaN. A clip whose npz exists with the same spec hash is
skipped, so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.video import VideoReader

N = 33
K = 13


def _features_path(out_dir: Path, truth_path: Path, truth: dict[str, Any]) -> Path:
    stem = truth_path.name.removesuffix(".truth.json")
    return out_dir / f"{stem}.{truth.get('spec_hash', 'nohash')}.npz"


def extract_clip(truth_path: Path, out_dir: Path, model: Path | None = None) -> Path | None:
    """Write the npz of one clip; None when it was already there."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    out = _features_path(out_dir, truth_path, truth)
    if out.exists():
        return None
    video = truth_path.with_name(truth["clip"])
    frames = truth["frames"]
    n_frames = len(frames)
    xy = np.full((n_frames, N, 2), np.nan)
    vis = np.full((n_frames, N), np.nan)
    world = np.full((n_frames, N, 3), np.nan)
    sil = np.full((n_frames, K, 4), np.nan)
    found = np.zeros(n_frames, dtype=bool)
    with (
        PoseEstimator(model, mode="video", segmentation=True) as estimator,
        VideoReader(video, with_rgb=True) as reader,
    ):
        for frame in reader:
            if frame.index >= n_frames:
                break
            rgb = frame.image_rgb if frame.image_rgb is not None else frame.image_bgr[:, :, ::-1]
            lm = estimator.detect_rgb(np.ascontiguousarray(rgb), int(round(frame.time_s * 1000)))
            if lm is None:
                continue
            found[frame.index] = True
            xy[frame.index] = lm.xy
            vis[frame.index] = lm.visibility
            if lm.world is not None:
                world[frame.index] = lm.world
            if lm.silhouette is not None:
                sil[frame.index] = lm.silhouette
    meta = {
        key: truth.get(key)
        for key in ("clip", "pose", "side", "params", "body", "camera", "spec", "fps")
    }
    meta["split"] = truth.get("split") or (truth.get("spec") or {}).get("split")
    meta["body_id"] = truth.get("body_id") or (truth.get("spec") or {}).get("body")
    metrics = truth.get("metrics", {})
    arrays: dict[str, Any] = {
        "found": found,
        "xy": xy,
        "visibility": vis,
        "world": world,
        "silhouette": sil,
        "true_px": np.asarray([f["landmarks_px"] for f in frames], dtype=np.float64),
        "true_world": np.asarray([f["landmarks_world_m"] for f in frames], dtype=np.float64),
        "true_com": np.asarray([f["com_world_m"] for f in frames], dtype=np.float64),
        "r_world_to_cam": np.asarray(truth["camera"]["r_world_to_cam"], dtype=np.float64),
        "image_wh": np.asarray(truth["camera"]["image_wh"], dtype=np.int64),
        "meta": np.asarray(json.dumps(meta)),
    }
    for name, values in metrics.items():
        arrays[f"metric__{name}"] = np.asarray(
            [np.nan if v is None else v for v in values], dtype=np.float64
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clip_dirs", nargs="+", type=Path, help="folders of rendered clips")
    parser.add_argument("--out", type=Path, required=True, help="folder for the npz files")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--only", default="*", help="glob over clip stems")
    args = parser.parse_args(argv)
    truths = sorted(
        p for d in args.clip_dirs for p in Path(d).expanduser().glob(f"{args.only}.truth.json")
    )
    start = time.perf_counter()
    done = 0
    for i, truth_path in enumerate(truths, 1):
        try:
            written = extract_clip(truth_path, args.out.expanduser(), args.model)
        except Exception as exc:  # one bad clip must not stop the run
            print(f"{truth_path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        done += written is not None
        if written is not None and (done % 10 == 0 or i == len(truths)):
            rate = (time.perf_counter() - start) / max(done, 1)
            print(f"{i}/{len(truths)} clips ({rate:.1f} s a clip)", file=sys.stderr)
    print(f"{done} clips extracted, {len(truths) - done} already there or failed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
