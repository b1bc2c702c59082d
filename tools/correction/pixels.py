"""The hip line read from the picture's pixels: crops, training, and the blend (issue 13).

MediaPipe's hip landmarks are dragged by the legs, and the landmark correction reads a
level Tree pelvis to about 3 deg / 7 deg on bodies it never saw. The picture carries more
than the landmarks and the mask's outline: the waistband, the hem of a top, the creases
at the hip joints. A small convolutional network reads the hip line's angle from a crop
across the pelvis (:mod:`posecheck.measure.pelvis_pixels`); the correction then turns its
hips part of the way toward that line, by a share chosen per pose on the validation bodies.

Three steps, each re-runnable (``docs/measurements.md``, "The picture across the pelvis"):

1. ``crops`` (posecheck's venv): decode the cached rendered clips and keep each frame's
   crop, placed by MediaPipe's landmarks (the extracted features), with the true hip line
   in the same frame. One npz per set in ``~/.cache/posecheck-synth/pixels``::

       .venv/bin/python -m tools.correction.pixels crops wide crowd cues pairs

2. ``train`` (the render venv, which has torch on the CPU; about 5 minutes a network on 2 cores):
   train bodies of the ``wide`` and ``crowd`` sets, early stopping on the ``wide`` set's
   validation bodies (``w18``, ``w19``); the test bodies are never read. Writes the
   weights as plain numpy arrays::

       /work/synthenv/bin/python -m tools.correction.pixels train --out /tmp/pelvis_pixels.npz

3. ``blend`` (posecheck's venv): per pose, the share of the turn toward the pixels' line
   (0, 0.25, 0.5, 0.75, 1) that reads the validation bodies' pelvic obliquity best (clip
   medians, frames from the front and 45 deg); prints the figures on the test bodies;
   with ``--write`` stores the network and the shares in the correction file (its
   ``pixels.*`` and ``pixel_weight.*`` arrays) and its model card::

       .venv/bin/python -m tools.correction.pixels blend /tmp/pelvis_pixels.npz --write
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

CACHE = Path("~/.cache/posecheck-synth").expanduser()
CROPS_DIR = CACHE / "pixels"
VALIDATION_BODIES = ("w18", "w19")
POSES = ("warrior1", "tree", "half_moon", "bridge")
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Degrees per unit of the network's output (it is trained on angles / SCALE_DEG).
SCALE_DEG = 20.0
#: Columns of a crops file's ``rows``.
ROW_COLUMNS = (
    "clip",
    "frame",
    "hold",
    "true_angle_deg",
    "true_span_trunk",
    "raw_angle_deg",
    "raw_span_trunk",
)


# --------------------------------------------------------------------------- crops


def crops_of_set(name: str, features: Path, videos: Path) -> dict[str, Any]:
    """Every found frame's pelvis crop of the set ``name`` and its true hip line."""
    import cv2

    from benchmarks.hip_action import clip_truth
    from posecheck.landmarks import Landmark as L
    from posecheck.measure.pelvis_pixels import hip_line, pelvis_crop

    images, rows, clips = [], [], []
    files = sorted(features.glob("*.npz"))
    for k, path in enumerate(files):
        z = np.load(path)
        meta = json.loads(str(z["meta"]))
        truth = clip_truth(path, z)
        clips.append(
            {
                "file": f"{features.name}/{path.name}",
                "pose": truth.pose,
                "side": truth.side,
                "split": str(meta.get("split")),
                "body": str(meta.get("body_id") or ""),
                "placement": truth.placement,
            }
        )
        video = videos / f"{path.name.split('.')[0]}.mp4"
        if not video.is_file():
            continue
        xy = np.asarray(z["xy"], dtype=np.float64) * np.asarray(z["image_wh"], dtype=np.float64)
        true_px = np.asarray(z["true_px"], dtype=np.float64)
        hold = np.zeros(len(xy), dtype=bool)
        hold[truth.hold] = True
        capture = cv2.VideoCapture(str(video))
        for i in range(len(xy)):
            ok, frame = capture.read()
            if not ok:
                break
            if not bool(z["found"][i]) or not np.isfinite(xy[i]).all():
                continue
            crop = pelvis_crop(frame, xy[i])
            if crop is None:
                continue
            t_angle, t_span = hip_line(xy[i], true_px[i, L.LEFT_HIP], true_px[i, L.RIGHT_HIP])
            r_angle, r_span = hip_line(xy[i], xy[i, L.LEFT_HIP], xy[i, L.RIGHT_HIP])
            images.append(crop)
            rows.append((k, i, hold[i], t_angle, t_span, r_angle, r_span))
        capture.release()
        if k % 200 == 0:
            print(f"{name}: {k} of {len(files)} clips, {len(images)} crops", flush=True)
    return {
        "images": np.asarray(images, dtype=np.uint8).reshape(-1, 48, 64, 3),
        "rows": np.asarray(rows, dtype=np.float64).reshape(-1, len(ROW_COLUMNS)),
        "clips": json.dumps(clips),
    }


def load_crops(names: Sequence[str], crops_dir: Path = CROPS_DIR) -> dict[str, Any]:
    """The crops files of the sets ``names`` joined: images, rows, and per row its clip."""
    images, rows, clips = [], [], []
    for name in names:
        with np.load(crops_dir / f"{name}.npz") as z:
            these = json.loads(str(z["clips"]))
            r = np.asarray(z["rows"], dtype=np.float64)
            images.append(np.asarray(z["images"]))
            rows.append(r)
            clips.extend(these[int(k)] for k in r[:, 0])
    return {"images": np.concatenate(images), "rows": np.concatenate(rows), "clips": clips}


# --------------------------------------------------------------------------- training


def train(
    out: Path, epochs: int, seeds: Sequence[int], crops_dir: Path, turn_deg: float
) -> None:  # pragma: no cover - needs torch (the render venv); run by hand
    """Train one network per seed with torch (the render venv); write them as numpy."""
    import torch  # type: ignore[import-not-found, unused-ignore]
    from torch import nn  # type: ignore[import-not-found, unused-ignore]

    data = load_crops(["wide", "crowd"], crops_dir)
    rows = data["rows"]
    body = np.array([c["body"] for c in data["clips"]])
    split = np.array([c["split"] for c in data["clips"]])
    seen = rows[:, 4] >= 0.25  # the true hip line not seen end-on
    is_val = np.isin(body, VALIDATION_BODIES)
    tr = np.where((split == "train") & ~is_val & seen)[0]
    va = np.where(is_val & seen)[0]
    print(f"train {len(tr)} crops, validation {len(va)} (test bodies not read)", flush=True)
    x = torch.tensor(data["images"]).permute(0, 3, 1, 2).float() / 255.0
    mean = x[tr].mean(dim=(0, 2, 3), keepdim=True)
    std = x[tr].std(dim=(0, 2, 3), keepdim=True)
    x = (x - mean) / std
    y = torch.tensor(rows[:, 3] / SCALE_DEG, dtype=torch.float32)
    batch = 128
    max_turn = math.radians(turn_deg)
    arrays: dict[str, Any] = {}
    cards = []
    for k, seed in enumerate(seeds):
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        net = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 6 * 8, 64), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(64, 1),
        )  # fmt: skip
        opt = torch.optim.AdamW(net.parameters(), 1e-3, weight_decay=1e-3)
        steps = epochs * math.ceil(len(tr) / batch)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=steps)

        def predict(ix: NDArray[np.int64], net: Any = net) -> FloatArray:
            net.eval()
            parts = []
            with torch.no_grad():
                for j in range(0, len(ix), 1024):
                    b = x[ix[j : j + 1024]]
                    parts.append((net(b)[:, 0] - net(b.flip(3))[:, 0]) / 2)
            net.train()
            return np.asarray(torch.cat(parts).numpy(), dtype=np.float64) * SCALE_DEG

        best: tuple[float, dict[str, Any] | None, int] = (math.inf, None, -1)
        for epoch in range(epochs):
            t0 = time.time()
            order = rng.permutation(tr)
            for j in range(0, len(order), batch):
                b = order[j : j + batch]
                im, target = x[b].clone(), y[b].clone()
                flip = torch.rand(len(b)) < 0.5  # a mirrored crop's line: the negative angle
                im[flip] = im[flip].flip(3)
                target[flip] = -target[flip]
                if max_turn > 0:
                    # Turn the crop by up to turn_deg: its line turns with it (a rotation in
                    # pixels, written in affine_grid's [-1, 1] coordinates).
                    phi = (torch.rand(len(b)) * 2 - 1) * max_turn
                    c, s = torch.cos(-phi), torch.sin(-phi)
                    half_w, half_h = im.shape[3] / 2, im.shape[2] / 2
                    theta = torch.zeros(len(b), 2, 3)
                    theta[:, 0, 0], theta[:, 0, 1] = c, -s * half_h / half_w
                    theta[:, 1, 0], theta[:, 1, 1] = s * half_w / half_h, c
                    grid = nn.functional.affine_grid(theta, list(im.shape), align_corners=False)
                    im = nn.functional.grid_sample(
                        im, grid, padding_mode="border", align_corners=False
                    )
                    target = target + torch.rad2deg(phi) / SCALE_DEG
                # Light and colour: each channel scaled by up to +-10 % and shifted.
                im = im * (1 + 0.2 * (torch.rand(len(b), 3, 1, 1) - 0.5))
                im = im + 0.3 * (torch.rand(len(b), 3, 1, 1) - 0.5)
                loss = nn.functional.smooth_l1_loss(net(im)[:, 0], target, beta=0.1)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            err = np.abs(predict(va) - rows[va, 3])
            score = float(np.median(err) + 0.3 * np.percentile(err, 90))
            print(
                f"seed {seed} epoch {epoch}: validation {np.median(err):.2f} / "
                f"{np.percentile(err, 90):.2f} deg ({time.time() - t0:.0f} s)",
                flush=True,
            )
            if score < best[0]:
                best = (score, {n: v.clone() for n, v in net.state_dict().items()}, epoch)
        assert best[1] is not None
        state = {n: v.numpy() for n, v in best[1].items()}
        for i, (layer, stride) in enumerate(((0, 2), (2, 1), (5, 1))):
            # torch (K, C, 3, 3) -> (3, 3, C, K)
            arrays[f"net{k}.conv{i}.w"] = state[f"{layer}.weight"].transpose(2, 3, 1, 0)
            arrays[f"net{k}.conv{i}.b"] = state[f"{layer}.bias"]
            arrays[f"net{k}.conv{i}.stride"] = np.int64(stride)
        # torch flattens (C, H, W); the numpy network flattens (H, W, C).
        w0 = state["9.weight"].reshape(64, 32, 6, 8).transpose(0, 2, 3, 1).reshape(64, -1)
        arrays[f"net{k}.dense0.w"], arrays[f"net{k}.dense0.b"] = w0.T, state["9.bias"]
        arrays[f"net{k}.dense1.w"] = state["12.weight"].T
        arrays[f"net{k}.dense1.b"] = state["12.bias"]
        cards.append({"seed": seed, "best_epoch": best[2], "validation_score": best[0]})
    arrays["mean"] = mean.reshape(3).numpy()
    arrays["std"] = std.reshape(3).numpy()
    arrays["scale_deg"] = np.float32(SCALE_DEG)
    card = {
        "trained": time.strftime("%Y-%m-%d"),
        "train_crops": len(tr),
        "validation_crops": len(va),
        "validation_bodies": list(VALIDATION_BODIES),
        "sets": ["wide (train bodies)", "crowd (train bodies)"],
        "epochs": epochs,
        "turn_deg": turn_deg,
        "nets": cards,
    }
    weights = {
        n: np.asarray(v, dtype=np.int64 if n.endswith("stride") else np.float32)
        for n, v in arrays.items()
    }
    np.savez(out, card=json.dumps(card), **weights)
    print(f"wrote {out}")


# --------------------------------------------------------------------------- blend


def predict_sets(
    model: Any, names: Sequence[str], crops_dir: Path = CROPS_DIR
) -> dict[tuple[str, int], FloatArray]:
    """Per ``(clip file as in the crops, frame)``, the network's hip line angle (degrees,
    crop frame), for every crop of the sets ``names``."""
    out: dict[tuple[str, int], FloatArray] = {}
    for name in names:
        path = crops_dir / f"{name}.npz"
        if not path.is_file():
            print(f"{path}: no crops (run the crops step); its clips get no pixel reading")
            continue
        data = load_crops([name], crops_dir)
        images, rows = data["images"], data["rows"]
        angles = (
            np.concatenate([model.predict(images[j : j + 512]) for j in range(0, len(images), 512)])
            if len(images)
            else np.zeros(0)
        )
        for clip, frame, angle in zip(data["clips"], rows[:, 1], angles, strict=True):
            out[(clip["file"], int(frame))] = np.float64(angle)
    return out


def hip_lines(
    file_key: str, xy_px: FloatArray, angles: dict[tuple[str, int], FloatArray]
) -> FloatArray:
    """``(F, 2)`` picture directions of the pixels' hip line for one clip's frames (NaN
    where none: no crop, or the landmarks' hip line seen end-on)."""
    from posecheck.measure.pelvis_pixels import hip_line_seen, picture_direction

    out = np.full((len(xy_px), 2), np.nan)
    for i in range(len(xy_px)):
        angle = angles.get((file_key, i))
        if angle is None or not np.isfinite(xy_px[i]).all() or not hip_line_seen(xy_px[i]):
            continue
        out[i] = picture_direction(xy_px[i], float(angle))
    return out


def blend(weights: Path, correction_path: Path, write: bool, crops_dir: Path) -> int:
    """Choose each pose's share on the validation bodies; print the test bodies' figures."""
    from dataclasses import replace

    from benchmarks.cells import load_clip, mission_checks
    from benchmarks.hip_action import error_figures
    from posecheck.io.model_files import (
        load_correction,
        pixel_model_from_arrays,
        save_correction,
    )

    with np.load(weights) as z:
        card = json.loads(str(z["card"]))
        model = pixel_model_from_arrays({k: np.asarray(z[k]) for k in z.files if k != "card"})
    correction, landmarker = load_correction(correction_path)
    sets = ("wide", "crowd", "cues", "pairs")
    print("reading the crops' hip lines ...", flush=True)
    angles = predict_sets(model, sets, crops_dir)
    checks = [
        (p, c)
        for p, c in mission_checks()
        if c.metric == "pelvic_obliquity_deg" or c.id in ("pelvis_level", "hips_level")
    ]
    placements = ("front", "45deg")

    def readings(share: float, pose: str, bodies: str) -> tuple[FloatArray, FloatArray]:
        corr = replace(correction, pixels=model, pixel_weight={pose: share})
        read, true = [], []
        for name in sets:
            for path in sorted((CACHE / "features" / name).glob(f"{pose}_*.npz")):
                with np.load(path) as z:
                    meta = json.loads(str(z["meta"]))
                    body = str(meta.get("body_id") or "")
                    split = str(meta.get("split"))
                    if (bodies == "validation") != (body in VALIDATION_BODIES):
                        continue
                    if bodies == "test" and split != "test":
                        continue
                for key, clip in load_clip(path, checks, corr, angles).items():
                    if clip.placement in placements and key.startswith(pose):
                        read.append(clip.read["corrected"])
                        true.append(clip.true)
        if not read:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(read), np.concatenate(true)

    chosen: dict[str, float] = {}
    figures: dict[str, Any] = {}
    for pose in POSES:
        scores = {}
        for share in SHARES:
            read, true = readings(share, pose, "validation")
            fig = error_figures(read, true)
            if fig["median"] is None:
                continue
            scores[share] = fig["median"] + 0.5 * fig["p90"]
            print(f"{pose} share {share:.2f}: validation bodies {fig['median']} / {fig['p90']}")
        best = min(scores, key=lambda s: scores[s]) if scores else 0.0
        chosen[pose] = best
        test_none = error_figures(*readings(0.0, pose, "test"))
        test_best = error_figures(*readings(best, pose, "test"))
        figures[pose] = {"share": best, "test_without": test_none, "test_with": test_best}
        print(
            f"{pose}: share {best:.2f}; test bodies, pelvic obliquity from the front and 45 deg: "
            f"{test_none['median']} / {test_none['p90']} -> {test_best['median']} / "
            f"{test_best['p90']}",
            flush=True,
        )
    if write:
        shipped = replace(correction, pixels=model, pixel_weight=chosen)
        save_correction(correction_path, shipped, landmarker)
        card_path = correction_path.with_suffix(".json")
        model_card = json.loads(card_path.read_text()) if card_path.is_file() else {}
        model_card["pixels"] = {"network": card, "share_by_pose": chosen, "figures": figures}
        card_path.write_text(json.dumps(model_card, indent=2) + "\n")
        print(f"wrote {correction_path} and {card_path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("crops", help="crop the cached rendered clips")
    p.add_argument("sets", nargs="+")
    p.add_argument("--out", type=Path, default=CROPS_DIR)
    p = sub.add_parser("train", help="train the network (needs torch: the render venv)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--turn-deg", type=float, default=12.0, help="crop turns in training")
    p.add_argument("--crops", type=Path, default=CROPS_DIR)
    p = sub.add_parser("blend", help="choose the shares per pose; --write stores them")
    p.add_argument("weights", type=Path)
    p.add_argument("--correction", type=Path, default=Path("models/landmark_correction.npz"))
    p.add_argument("--crops", type=Path, default=CROPS_DIR)
    p.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if args.step == "crops":
        args.out.mkdir(parents=True, exist_ok=True)
        for name in args.sets:
            data = crops_of_set(name, CACHE / "features" / name, CACHE / name)
            np.savez_compressed(args.out / f"{name}.npz", **data)
            print(f"{name}: {len(data['images'])} crops -> {args.out / (name + '.npz')}")
        return 0
    if args.step == "train":
        train(args.out, args.epochs, args.seeds, args.crops, args.turn_deg)
        return 0
    return blend(args.weights, args.correction, args.write, args.crops)


if __name__ == "__main__":
    sys.exit(main())
