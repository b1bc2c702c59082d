"""Train the landmark correction (``posecheck.measure.correction``) on rendered clips and
judge it on bodies it never saw.

    python -m tools.correction.train ~/.cache/posecheck-synth/features/wide \
        --out models/landmark_correction.npz

Input: the npz files of ``tools.correction.extract``. Each clip's truth file names its
body and its split (``train`` or ``test``, drawn per body by ``tools/synth``); a body is
only ever on one side. From the train bodies, ``--val-bodies`` are held back to stop the
training; the test bodies are used once, for the figures in the model card.

Training: numpy only (no torch needed), one model per pose (MediaPipe errs differently in
each; one model for all poses measured worse on the test bodies), ridge regression by
default (the set has a few hundred clips: the network overfits it), or a small network
(Adam on the mean squared error of standardised offsets); mirrored copies of every train
frame (a mirrored body is another body); the penalty or the stopping epoch chosen on the
validation bodies. ``--joints`` names the joints a model may move: the others' outputs are
set to exactly zero (moving the knees and feet measured worse than leaving them). Writes
the model (npz) and its card (``.json`` beside it: data, splits, figures on the test
bodies).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from posecheck.estimate.landmarker import default_model_path
from posecheck.io.model_files import save_correction
from posecheck.io.paths import sha256_file
from posecheck.measure import geometry
from posecheck.measure.correction import (
    FEATURE_VERSION,
    JOINTS,
    MIRROR_ORDER,
    N_FEATURES,
    LandmarkCorrection,
    PoseCorrection,
    correction_features,
    mirror_inputs,
    to_trunk,
)

FloatArray = NDArray[np.float64]
HIPS = (23, 24)


@dataclass
class Clip:
    name: str
    body: str
    split: str
    pose: str
    azimuth_deg: float
    elevation_deg: float
    xy_px: FloatArray  # (F, 33, 2)
    visibility: FloatArray
    world: FloatArray
    silhouette: FloatArray
    true_px: FloatArray
    true_cam: FloatArray  # (F, 33, 3) true landmarks in camera axes, hip-centred
    image_w: float
    metrics: dict[str, FloatArray] = field(default_factory=dict)


def _body_key(meta: dict[str, Any]) -> str:
    if meta.get("body_id"):
        return str(meta["body_id"])
    body = meta.get("body") or {}
    return json.dumps(body, sort_keys=True)


def load_clips(dirs: Iterable[Path]) -> list[Clip]:
    """Every npz under ``dirs`` whose frames were found, as :class:`Clip` (valid rows only)."""
    clips = []
    for path in sorted(p for d in dirs for p in Path(d).expanduser().glob("*.npz")):
        data = np.load(path)
        meta = json.loads(str(data["meta"]))
        wh = data["image_wh"].astype(np.float64)
        ok = (
            data["found"]
            & np.isfinite(data["silhouette"]).all(axis=(1, 2))
            & np.isfinite(data["world"]).all(axis=(1, 2))
        )
        if ok.sum() == 0:
            continue
        r = data["r_world_to_cam"]
        cam = data["true_world"] @ r.T
        cam = cam - cam[:, HIPS].mean(axis=1, keepdims=True)
        camera = meta.get("camera") or {}
        clips.append(
            Clip(
                name=str(meta.get("clip")),
                body=_body_key(meta),
                split=str(meta.get("split") or ""),
                pose=str(meta.get("pose")),
                azimuth_deg=float(camera.get("azimuth_deg", math.nan)),
                elevation_deg=float(camera.get("elevation_deg", math.nan)),
                xy_px=data["xy"][ok] * wh,
                visibility=data["visibility"][ok],
                world=data["world"][ok],
                silhouette=data["silhouette"][ok],
                true_px=data["true_px"][ok],
                true_cam=cam[ok],
                image_w=float(wh[0]),
                metrics={
                    k.removeprefix("metric__"): data[k][ok]
                    for k in data.files
                    if k.startswith("metric__")
                },
            )
        )
    return clips


def targets(
    xy_px: FloatArray, world: FloatArray, true_px: FloatArray, true_cam: FloatArray
) -> FloatArray:
    """``(F, 5 * len(JOINTS))`` offsets from MediaPipe to the truth (see the module doc of
    :mod:`posecheck.measure.correction`)."""
    j = list(JOINTS)
    d2 = to_trunk(true_px[:, j], xy_px) - to_trunk(xy_px[:, j], xy_px)
    d3 = true_cam[:, j] - world[:, j]
    return np.concatenate([d2.reshape(len(xy_px), -1), d3.reshape(len(xy_px), -1)], axis=1)


def design(clips: Sequence[Clip], mirror: bool) -> tuple[FloatArray, FloatArray]:
    xs, ys = [], []
    for c in clips:
        variants = [(c.xy_px, c.visibility, c.world, c.silhouette, c.true_px, c.true_cam)]
        if mirror:
            m = mirror_inputs(c.xy_px, c.visibility, c.world, c.silhouette, c.image_w)
            order = list(MIRROR_ORDER)
            tpx = c.true_px[:, order].copy()
            tpx[..., 0] = c.image_w - tpx[..., 0]
            tcam = c.true_cam[:, order].copy()
            tcam[..., 0] = -tcam[..., 0]
            variants.append((*m, tpx, tcam))
        for xy, vis, w, sil, tpx, tcam in variants:
            xs.append(correction_features(xy, vis, w, sil))
            ys.append(targets(xy, w, tpx, tcam))
    return np.concatenate(xs), np.concatenate(ys)


def _init(rng: np.random.Generator, n_in: int, n_out: int) -> FloatArray:
    return rng.normal(0.0, math.sqrt(2.0 / n_in), (n_in, n_out))


def train_mlp(
    x: FloatArray,
    y: FloatArray,
    x_val: FloatArray,
    y_val: FloatArray,
    hidden: int = 256,
    epochs: int = 80,
    batch: int = 256,
    lr: float = 1e-3,
    weight_decay: float = 1e-4,
    seed: int = 0,
    log: bool = True,
) -> LandmarkCorrection:
    """Adam on standardised MSE, keeping the weights with the lowest validation loss."""
    rng = np.random.default_rng(seed)
    x_mean, x_std = x.mean(0), x.std(0) + 1e-6
    y_mean, y_std = y.mean(0), y.std(0) + 1e-6
    xs, ys = (x - x_mean) / x_std, (y - y_mean) / y_std
    xv, yv = (x_val - x_mean) / x_std, (y_val - y_mean) / y_std
    params = [
        _init(rng, x.shape[1], hidden),
        np.zeros(hidden),
        _init(rng, hidden, hidden),
        np.zeros(hidden),
        _init(rng, hidden, y.shape[1]) * 0.1,
        np.zeros(y.shape[1]),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = 0
    best = (math.inf, [p.copy() for p in params])

    def forward(p: list[FloatArray], a: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        h1 = np.maximum(a @ p[0] + p[1], 0.0)
        h2 = np.maximum(h1 @ p[2] + p[3], 0.0)
        return h1, h2, h2 @ p[4] + p[5]

    for epoch in range(epochs):
        order = rng.permutation(len(xs))
        rate = lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            a, t = xs[idx], ys[idx]
            h1, h2, out = forward(params, a)
            g = 2.0 * (out - t) / len(idx) / t.shape[1]
            grads = [None] * 6
            grads[4] = h2.T @ g
            grads[5] = g.sum(0)
            g2 = (g @ params[4].T) * (h2 > 0)
            grads[2] = h1.T @ g2
            grads[3] = g2.sum(0)
            g1 = (g2 @ params[2].T) * (h1 > 0)
            grads[0] = a.T @ g1
            grads[1] = g1.sum(0)
            step += 1
            for i, (p, gr) in enumerate(zip(params, grads, strict=True)):
                assert gr is not None
                if i % 2 == 0:
                    gr = gr + weight_decay * p
                m[i] = 0.9 * m[i] + 0.1 * gr
                v[i] = 0.999 * v[i] + 0.001 * gr * gr
                mh = m[i] / (1 - 0.9**step)
                vh = v[i] / (1 - 0.999**step)
                p -= rate * mh / (np.sqrt(vh) + 1e-8)
        val = float(np.mean((forward(params, xv)[2] - yv) ** 2)) if len(xv) else 0.0
        if val < best[0] or not len(xv):
            best = (val, [p.copy() for p in params])
        if log and (epoch % 10 == 0 or epoch == epochs - 1):
            trn = float(np.mean((forward(params, xs[:20000])[2] - ys[:20000]) ** 2))
            print(f"epoch {epoch:3d}  train {trn:.4f}  val {val:.4f}", flush=True)
    p = best[1]
    return LandmarkCorrection(
        w1=p[0], b1=p[1], w2=p[2], b2=p[3], w3=p[4], b3=p[5],
        x_mean=x_mean, x_std=x_std, y_mean=y_mean, y_std=y_std,
    )  # fmt: skip


def _ridge_fits(
    x: FloatArray,
    y: FloatArray,
    x_val: FloatArray,
    y_val: FloatArray,
    alphas: Sequence[float],
    log: bool,
) -> tuple[
    tuple[FloatArray, FloatArray, FloatArray, FloatArray], list[tuple[float, float, FloatArray]]
]:
    """Ridge on standardised features for each penalty of ``alphas``: the standardisation
    ``(x_mean, x_std, y_mean, y_std)`` and, per penalty, ``(validation MSE of standardised
    outputs, penalty, weights (D, O))`` (MSE 0 without validation frames)."""
    x_mean, x_std = x.mean(0), x.std(0) + 1e-6
    y_mean, y_std = y.mean(0), y.std(0) + 1e-6
    xs, ys = (x - x_mean) / x_std, (y - y_mean) / y_std
    xv, yv = (x_val - x_mean) / x_std, (y_val - y_mean) / y_std
    gram, cross = xs.T @ xs, xs.T @ ys
    fits = []
    for alpha in alphas:
        w = np.linalg.solve(gram + alpha * np.eye(len(gram)), cross)
        val = float(np.mean((xv @ w - yv) ** 2)) if len(xv) else 0.0
        if log:
            print(f"ridge alpha {alpha:g}: val {val:.4f}", flush=True)
        fits.append((val, float(alpha), w))
    return (x_mean, x_std, y_mean, y_std), fits


def train_ridge(
    x: FloatArray,
    y: FloatArray,
    x_val: FloatArray,
    y_val: FloatArray,
    alphas: Sequence[float] = (1.0, 10.0, 100.0, 1000.0, 10000.0),
    log: bool = True,
) -> LandmarkCorrection:
    """Ridge regression on standardised features, the penalty chosen on the validation
    bodies (the middle one without them), stored as the same two-layer ReLU network:
    ``relu(z) - relu(-z) = z``, so layer 1 holds ``[z, -z]``, layer 2 passes both halves
    through, and the output layer applies the linear map. The run-time code is unchanged."""
    tried = alphas if len(x_val) else (alphas[len(alphas) // 2],)
    (x_mean, x_std, y_mean, y_std), fits = _ridge_fits(x, y, x_val, y_val, tried, log)
    w = min(fits, key=lambda fit: fit[0])[2]  # the first of equal errors, as tried
    d = x.shape[1]
    eye = np.eye(d)
    return LandmarkCorrection(
        w1=np.hstack([eye, -eye]), b1=np.zeros(2 * d),
        w2=np.eye(2 * d), b2=np.zeros(2 * d),
        w3=np.vstack([w, -w]), b3=np.zeros(y.shape[1]),
        x_mean=x_mean, x_std=x_std, y_mean=y_mean, y_std=y_std,
    )  # fmt: skip


def pick_ridge_alpha(
    x: FloatArray, y: FloatArray, x_val: FloatArray, y_val: FloatArray, alphas: Sequence[float]
) -> float:
    """The penalty of ``alphas`` whose ridge fit on ``x, y`` best predicts the validation
    frames (mean squared error of standardised outputs)."""
    _, fits = _ridge_fits(x, y, x_val, y_val, alphas, log=False)
    return min(fits, key=lambda fit: fit[0])[1]


#: ``--joints`` names -> MediaPipe indices.
JOINT_GROUPS: dict[str, tuple[int, ...]] = {
    "shoulders": (11, 12),
    "hips": (23, 24),
    "knees": (25, 26),
    "ankles": (27, 28),
    "feet": (29, 30, 31, 32),
}


def keep_only(model: LandmarkCorrection, joints: Iterable[int]) -> LandmarkCorrection:
    """``model`` with every output of a joint not in ``joints`` set to exactly zero (its
    weights, bias and mean), so :meth:`LandmarkCorrection.apply` leaves that joint where
    MediaPipe put it."""
    keep = output_mask(joints)
    return LandmarkCorrection(
        w1=model.w1, b1=model.b1, w2=model.w2, b2=model.b2,
        w3=np.where(keep, model.w3, 0.0), b3=np.where(keep, model.b3, 0.0),
        x_mean=model.x_mean, x_std=model.x_std,
        y_mean=np.where(keep, model.y_mean, 0.0), y_std=model.y_std,
    )  # fmt: skip


# ------------------------------------------------------------------------- evaluation

#: Metrics judged, with the camera views (by true azimuth) they are meant for.
JUDGED = {
    "pelvic_obliquity_deg": "front",
    "knee_valgus_left_deg": "front",
    "knee_valgus_right_deg": "front",
    "pelvis_rotation_deg": "any",
    "hips_square_deg": "any",
    "weight_left_pct": "any",
    "com_offset_foot_lengths": "any",
}


def view_of(azimuth_deg: float) -> str:
    a = abs(((azimuth_deg + 180.0) % 360.0) - 180.0)
    if a <= 25.0 or a >= 155.0:
        return "front"
    if 65.0 <= a <= 115.0:
        return "side"
    return "oblique"


def _stats(read: FloatArray, true: FloatArray) -> dict[str, float]:
    ok = np.isfinite(read) & np.isfinite(true)
    if ok.sum() < 5:
        return {"n": int(ok.sum())}
    err = np.abs(read[ok] - true[ok])
    t = true[ok] - true[ok].mean()
    slope = float((t @ (read[ok] - read[ok].mean())) / max(float(t @ t), 1e-9))
    return {
        "n": int(ok.sum()),
        "median": round(float(np.median(err)), 2),
        "p90": round(float(np.percentile(err, 90)), 2),
        "slope": round(slope, 2),
    }


def evaluate(clips: Sequence[Clip], correction: PoseCorrection | None) -> dict[str, Any]:
    """Per metric and view (all poses, then each pose): the error of posecheck's geometry
    on the raw and on the corrected landmarks against the rendered truth."""
    rows: dict[tuple[str, str], tuple[list[FloatArray], list[FloatArray], list[FloatArray]]] = {}
    for c in clips:
        _, raw = geometry.measure_all(c.xy_px, c.visibility, c.world)
        model = correction.by_pose.get(c.pose) if correction is not None else None
        if model is not None:
            xy, w = model.apply_arrays(c.xy_px, c.visibility, c.world, c.silhouette)
            _, cor = geometry.measure_all(xy, c.visibility, w)
        view = view_of(c.azimuth_deg)
        for name, wanted in JUDGED.items():
            if name not in c.metrics or (wanted != "any" and wanted != view):
                continue
            for key in ((name, view), (name, f"{view}, {c.pose}")):
                bucket = rows.setdefault(key, ([], [], []))
                bucket[0].append(c.metrics[name])
                bucket[1].append(raw[name].value)
                bucket[2].append(cor[name].value if model is not None else raw[name].value)
    out: dict[str, Any] = {}
    for (name, view), (true, raw_v, cor_v) in sorted(rows.items()):
        t = np.concatenate(true)
        out[f"{name} [{view}]"] = {
            "raw": _stats(np.concatenate(raw_v), t),
            "corrected": _stats(np.concatenate(cor_v), t),
        }
    return out


def save(correction: PoseCorrection, path: Path, card: dict[str, Any], landmarker: Path) -> None:
    """Write the models (npz, with the feature version and the sha256 of the landmarker
    bundle whose errors they learned) and their card (``.json`` beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sha = sha256_file(landmarker)
    card["landmarker"] = {"file": landmarker.name, "sha256": sha}
    save_correction(path, correction, sha)
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")


def output_mask(joints: Iterable[int]) -> NDArray[np.bool_]:
    """``(5 * len(JOINTS),)``: which outputs of a model belong to ``joints``."""
    nj = len(JOINTS)
    keep = np.zeros(5 * nj, dtype=bool)
    for j in joints:
        i = JOINTS.index(j)
        keep[2 * i : 2 * i + 2] = True
        keep[2 * nj + 3 * i : 2 * nj + 3 * i + 3] = True
    return keep


def validation_error(
    model: LandmarkCorrection, x_val: FloatArray, y_val: FloatArray, joints: Iterable[int]
) -> float:
    """Mean squared error on the validation frames of the outputs of ``joints``, each
    output scaled by its spread over those frames (so models are compared alike)."""
    keep = output_mask(joints)
    scale = y_val[:, keep].std(0) + 1e-6
    return float(np.mean(((model.predict(x_val)[:, keep] - y_val[:, keep]) / scale) ** 2))


def fit_pose(
    train: Sequence[Clip],
    val: Sequence[Clip],
    kind: str,
    hidden: int,
    epochs: int,
    notes: dict[str, Any] | None = None,
    joints: Iterable[int] = (11, 12, 23, 24),
) -> LandmarkCorrection:
    """One pose's model from its train clips (and their mirror images), tuned on ``val``;
    ``notes`` (if given) receives the frame counts, the kind and the ridge penalty
    chosen. ``kind="auto"`` trains both a ridge and a network and keeps the one with the
    lower :func:`validation_error` on ``joints`` (the validation bodies decide, never
    the test bodies)."""
    notes = notes if notes is not None else {}
    x, y = design(train, mirror=True)
    xv, yv = (
        design(val, mirror=False) if val else (np.zeros((0, N_FEATURES)), np.zeros((0, y.shape[1])))
    )
    print(f"  {len(x)} train frames (with mirrored), {len(xv)} val frames", flush=True)
    notes.update(train_frames_with_mirrored=len(x), val_frames=len(xv))
    alpha: float | None = None
    net: LandmarkCorrection | None = None
    if kind == "auto" and val:
        joints = tuple(joints)
        alpha = pick_ridge_alpha(x, y, xv, yv, RIDGE_ALPHAS)
        ridge = train_ridge(x, y, xv[:0], yv[:0], alphas=(alpha,), log=False)
        net = train_mlp(x, y, xv, yv, hidden=hidden, epochs=epochs, log=False)
        errors = {
            "ridge": validation_error(ridge, xv, yv, joints),
            "mlp": validation_error(net, xv, yv, joints),
        }
        kind = min(errors, key=lambda k: errors[k])
        notes["validation_error"] = {k: round(v, 4) for k, v in errors.items()}
        print(f"  validation error {errors}: {kind}", flush=True)
    notes["kind"] = "mlp" if kind == "mlp" else "ridge"
    if kind == "mlp":
        return net if net is not None else train_mlp(x, y, xv, yv, hidden=hidden, epochs=epochs)
    if not val:
        return train_ridge(x, y, xv, yv, alphas=RIDGE_ALPHAS)
    # The validation bodies pick the penalty (once: "auto" already did); the model is then
    # refitted on the train and the validation bodies together (two more bodies), never on
    # the test bodies.
    if alpha is None:
        alpha = pick_ridge_alpha(x, y, xv, yv, RIDGE_ALPHAS)
    xa, ya = design([*train, *val], mirror=True)
    print(f"  penalty {alpha:g} (validation bodies), refitted on {len(xa)} frames", flush=True)
    notes.update(penalty=alpha, refitted_frames=len(xa))
    return train_ridge(xa, ya, xa[:0], ya[:0], alphas=(alpha,), log=False)


#: Ridge penalties tried (on standardised features; the validation bodies pick one).
RIDGE_ALPHAS = (100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0, 100000.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("feature_dirs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="model .npz to write")
    parser.add_argument("--val-bodies", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument(
        "--kind",
        choices=("ridge", "mlp", "auto"),
        default="ridge",
        help="ridge regression, the network, or per pose whichever predicts the validation "
        "bodies better",
    )
    parser.add_argument(
        "--joints",
        default="shoulders,hips",
        help=f"comma-separated joints the models may move, of {', '.join(JOINT_GROUPS)} "
        "(default: shoulders,hips)",
    )
    parser.add_argument(
        "--landmarker",
        type=Path,
        default=default_model_path(),
        help="the MediaPipe bundle the features were extracted with (its sha256 is kept)",
    )
    parser.add_argument(
        "--test-bodies",
        default=None,
        help="comma-separated body keys to test on when the clips carry no split",
    )
    args = parser.parse_args(argv)
    try:
        moved = tuple(j for name in args.joints.split(",") for j in JOINT_GROUPS[name.strip()])
    except KeyError as exc:
        parser.error(f"--joints: unknown joint group {exc}")
    clips = load_clips(args.feature_dirs)
    bodies = sorted({c.body for c in clips})
    test_set = {c.body for c in clips if c.split == "test"}
    if args.test_bodies:
        test_set = set(args.test_bodies.split(","))
    if not test_set:
        test_set = {bodies[-1]}
    train_bodies = [b for b in bodies if b not in test_set]
    val_set = set(train_bodies[-args.val_bodies :]) if len(train_bodies) > 2 else set()
    train = [c for c in clips if c.body not in test_set and c.body not in val_set]
    val = [c for c in clips if c.body in val_set]
    test = [c for c in clips if c.body in test_set]
    print(
        f"{len(clips)} clips, {len(bodies)} bodies: train {len(train)} clips, "
        f"val {len(val)}, test {len(test)} ({len(test_set)} bodies)"
    )
    start = time.perf_counter()
    models = {}
    per_pose: dict[str, dict[str, Any]] = {}
    for pose in sorted({c.pose for c in train}):
        print(f"{pose}:", flush=True)
        per_pose[pose] = {}
        model = fit_pose(
            [c for c in train if c.pose == pose],
            [c for c in val if c.pose == pose],
            args.kind,
            args.hidden,
            args.epochs,
            per_pose[pose],
            moved,
        )
        models[pose] = keep_only(model, moved)
    correction = PoseCorrection(models)
    seconds = time.perf_counter() - start
    figures = evaluate(test, correction)
    for name, row in figures.items():
        print(f"{name:40s} raw {row['raw']}  corrected {row['corrected']}")
    if args.out is not None:
        card = {
            "model": f"posecheck landmark correction ({args.kind} per pose, numpy)",
            "command": "python -m tools.correction.train " + " ".join(argv or sys.argv[1:]),
            "feature_version": FEATURE_VERSION,
            "kind": args.kind,
            "hidden": args.hidden if args.kind != "ridge" else None,
            "epochs": args.epochs if args.kind != "ridge" else None,
            "poses": per_pose,
            "moves": args.joints,
            "train_seconds": round(seconds, 1),
            "data": [str(d) for d in args.feature_dirs],
            "bodies": {"train": sorted({c.body for c in train}), "val": sorted(val_set),
                       "test": sorted(test_set)},
            "clips": {"train": len(train), "val": len(val), "test": len(test)},
            "test_figures": figures,
        }  # fmt: skip
        save(correction, args.out, card, args.landmarker)
        print(f"wrote {args.out} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
