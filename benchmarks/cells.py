"""Every cell of the mission matrix on held-out bodies, as MediaPipe reads it and corrected.

Issue 13: a switched-off check comes back on only with figures measured on bodies that
neither the correction nor the thresholds were fitted on. This benchmark reads the cached
MediaPipe outputs of rendered clips (``tools/correction/extract.py``: one npz per clip,
from the ``wide``, ``crowd`` and ``cues`` sets; no video decoded, nothing rendered) and,
for every check of the mission matrix (:data:`posecheck.poses.MISSION_ROWS`, on or off), per camera
placement (``front``, ``45deg``, ``side``, ``high``: ``accuracy.Truth.placement``):

* **reads** the check's metric with posecheck's geometry
  (:func:`posecheck.measure.geometry.measure_all`), frame by frame, unsmoothed, with the
  clip's true pose and working side, on MediaPipe's landmarks as they are (``raw``) and
  as the landmark correction moves them (``corrected``; frames it would leave alone at
  run time, without a finite silhouette or with a trunk under ``MIN_TRUNK_PX``, keep
  MediaPipe's);
* **truth** as ``benchmarks/accuracy.py`` judges cues: the metric seen by the pose's
  ideal camera (the side camera for sagittal metrics, else the front), median over the
  hold; *clear* faults and *aligned* clips as defined there;
* **cue**: a clip's reading is its median over the hold frames (measured on at least half
  of them). On the TEST bodies only (bodies no correction was trained on): cued clear
  faults and cued aligned clips at the check's own warn line, and at a line fitted on
  the TRAIN bodies' readings of that placement (``hip_action.fit_line``). A corrected
  reading's line fitted on the bodies the correction was trained on is optimistic there;
  ``--fit-on crowd`` fits the lines on the ``crowd`` set's train bodies only, which the
  shipped correction (trained on the ``wide`` set) never saw.

The bar (issues 4, 13, 17): cued on >= 90 % of >= 10 clear faults and <= 5 % of >= 30
aligned held-out clips.

This is a screen, not the verdict: ``analyze`` smooths, recognises the view and holds
before it judges, so a cell that passes here is confirmed end to end with
``benchmarks/accuracy.py`` before it is switched on.

Usage::

    .venv/bin/python -m benchmarks.cells [--features DIR ...] [--correction NPZ]

writes ``benchmarks/results/cells.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.accuracy import SAGITTAL_METRICS, is_aligned, is_clear_fault
from benchmarks.harness import markdown_table, print_readme_rows, write_results
from benchmarks.hip_action import (
    PLACEMENTS,
    clip_truth,
    cue_figures,
    error_figures,
    fit_line,
    meets_bar,
)
from posecheck.io.model_files import load_correction
from posecheck.measure.correction import PoseCorrection
from posecheck.measure.geometry import measure_all
from posecheck.measure.pelvis_pixels import blend_hip_line
from posecheck.measure.silhouette import MIN_TRUNK_PX, trunk_frame
from posecheck.poses import REGISTRY, PoseCheck
from posecheck.vocab import Severity

FloatArray = NDArray[np.float64]

DEFAULT_FEATURES = (
    Path("~/.cache/posecheck-synth/features/wide"),
    Path("~/.cache/posecheck-synth/features/crowd"),
    Path("~/.cache/posecheck-synth/features/cues"),
)
DEFAULT_CORRECTION = Path(__file__).resolve().parents[1] / "models" / "landmark_correction.npz"
READINGS = ("raw", "corrected")


def mission_checks() -> list[tuple[str, PoseCheck]]:
    """``(pose, check)`` for every check with a mission row, judged as if on and without
    its info cap (whether it may come on is what these figures decide)."""
    return [
        (pose, replace(c, max_severity=Severity.FAULT, unreliable=None))
        for pose, spec in REGISTRY.items()
        for c in spec.checks
        if c.mission is not None
    ]


def with_warn(check: PoseCheck, warn: float) -> PoseCheck:
    """``check`` warning at ``warn`` instead, its fault line as far beyond it as before."""
    return replace(check, warn=warn, fault=warn + (check.fault - check.warn))


@dataclass
class ClipReading:
    """One clip's figures for one check: hold frames' readings, raw and corrected."""

    body: str
    split: str
    source: str  # the feature folder's name (``wide``, ``crowd``, ``cues``)
    placement: str
    read: dict[str, FloatArray]  # reading -> (H,)
    true: FloatArray  # (H,) the clip camera's truth (3D metrics: the truth)
    verdict_true: float

    def reading(self, kind: str) -> float:
        r = self.read[kind]
        ok = r[np.isfinite(r)]
        return float(np.median(ok)) if ok.size else math.nan

    def measured(self, kind: str) -> bool:
        return bool(np.mean(np.isfinite(self.read[kind])) >= 0.5)


def _corrected(
    correction: PoseCorrection | None,
    pose: str,
    xy: FloatArray,
    vis: FloatArray,
    world: FloatArray,
    silhouette: FloatArray,
    hip_lines: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """``(xy, world)`` as the correction moves them, frame by frame as at run time;
    ``hip_lines`` ``(F, 2)`` are the pixels' hip line directions (NaN: none), toward which
    the hips then turn by the pose's share (:attr:`PoseCorrection.pixel_weight`)."""
    model = correction.by_pose.get(pose) if correction is not None else None
    if model is not None:
        _, length, _, _ = trunk_frame(xy)
        ok = np.isfinite(silhouette).all(axis=(1, 2)) & np.isfinite(world).all(axis=(1, 2))
        ok &= np.isfinite(length) & (length >= MIN_TRUNK_PX)
        if ok.any():
            cxy, cw = model.apply_arrays(xy[ok], vis[ok], world[ok], silhouette[ok])
            xy, world = xy.copy(), world.copy()
            xy[ok], world[ok] = cxy, cw
    share = correction.pixel_weight.get(pose, 0.0) if correction is not None else 0.0
    if share > 0 and hip_lines is not None:
        xy = xy.copy()
        for i in np.flatnonzero(np.isfinite(hip_lines).all(axis=1)):
            xy[i] = blend_hip_line(xy[i], hip_lines[i], share)
    return xy, world


def corrected_npz(
    correction: PoseCorrection | None, pose: str, z: Any, hip_lines: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(xy, corrected xy, corrected world)`` of one clip's loaded features npz ``z``
    (``tools/correction/extract.py``): pixels ``(F, 33, 2)`` and metres ``(F, 33, 3)``."""
    xy = np.asarray(z["xy"], dtype=np.float64) * np.asarray(z["image_wh"], dtype=np.float64)
    cxy, cworld = _corrected(
        correction,
        pose,
        xy,
        np.asarray(z["visibility"], dtype=np.float64),
        np.asarray(z["world"], dtype=np.float64),
        np.asarray(z["silhouette"], dtype=np.float64),
        hip_lines,
    )
    return xy, cxy, cworld


def load_clip(
    path: Path,
    checks: list[tuple[str, PoseCheck]],
    correction: PoseCorrection | None,
    angles: Mapping[tuple[str, int], Any] | None = None,
) -> dict[str, ClipReading]:
    """Per ``pose.check`` key of the clip's pose, its :class:`ClipReading`; ``angles``: the
    pixels' hip line angle per ``(folder/file, frame)``
    (``tools.correction.pixels.predict_sets``), for a correction that reads it."""
    z = np.load(path)
    lines = None
    if angles:
        from tools.correction.pixels import hip_lines

        xy_px = np.asarray(z["xy"], dtype=np.float64) * np.asarray(z["image_wh"])
        lines = hip_lines(f"{path.parent.name}/{path.name}", xy_px, angles)
    meta = json.loads(str(z["meta"]))
    truth = clip_truth(path, z)
    hold = truth.hold
    world = np.asarray(z["world"], dtype=np.float64)
    vis = np.asarray(z["visibility"], dtype=np.float64)
    xy, cxy, cworld = corrected_npz(correction, truth.pose, z, lines)
    _, raw = measure_all(xy, vis, world)
    _, cor = measure_all(cxy, vis, cworld)
    ideal = {view: truth.ideal_metrics(view) for view in ("front", "side")}
    out: dict[str, ClipReading] = {}
    for pose, check in checks:
        if pose != truth.pose:
            continue
        name = check.metric_name(truth.side)
        view = "side" if name.startswith(SAGITTAL_METRICS) else "front"
        verdict = ideal[view][name][hold]
        verdict = verdict[np.isfinite(verdict)]
        out[f"{pose}.{check.id}"] = ClipReading(
            body=str(meta.get("body_id") or ""),
            split=str(meta.get("split")),
            source=path.parent.name,
            placement=truth.placement,
            read={"raw": raw[name].value[hold], "corrected": cor[name].value[hold]},
            true=truth.metrics[name][hold],
            verdict_true=float(np.median(verdict)) if verdict.size else math.nan,
        )
    return out


def _as_cells(clips: list[ClipReading], kind: str, fit_on: set[str] | None) -> list[Any]:
    """``hip_action.ClipCell`` views of the clips for one reading kind; a train clip not
    from a folder in ``fit_on`` (None: any) gets the split ``unused``."""
    from benchmarks.hip_action import ClipCell

    def split(c: ClipReading) -> str:
        fits = c.split != "train" or fit_on is None or c.source in fit_on
        return c.split if fits else "unused"

    return [
        ClipCell(
            split=split(c),
            placement=c.placement,
            read=c.read[kind],
            true=c.true,
            verdict_true=c.verdict_true,
            alternatives={},
        )
        for c in clips
    ]


def summarise(
    checks: list[tuple[str, PoseCheck]],
    per_check: dict[str, list[ClipReading]],
    fit_on: set[str] | None = None,
) -> dict[str, Any]:
    """Per check and placement, per reading: test error, cue at the check's line and at
    the line fitted on the train bodies (of the folders ``fit_on``; None: all)."""
    figures: dict[str, Any] = {}
    for pose, check in checks:
        key = f"{pose}.{check.id}"
        clips = per_check.get(key, [])
        views: dict[str, Any] = {}
        for placement in PLACEMENTS:
            here = [c for c in clips if c.placement == placement]
            if not here:
                continue
            test_bodies = sorted({c.body for c in here if c.split == "test"})
            row: dict[str, Any] = {"test_bodies": len(test_bodies)}
            for kind in READINGS:
                cells = _as_cells(here, kind, fit_on)
                train = [c for c in cells if c.split == "train"]
                test = [c for c in cells if c.split == "test"]
                train_m = [c for c in train if c.measured and math.isfinite(c.verdict_true)]
                line = fit_line(
                    check,
                    [c.reading for c in train_m],
                    [is_clear_fault(check, c.verdict_true) for c in train_m],
                    [is_aligned(check, c.verdict_true) for c in train_m],
                )
                own = cue_figures(check, test, check.warn)
                fitted = cue_figures(check, test, line)
                row[kind] = {
                    "error_test": error_figures(
                        np.concatenate([c.read for c in test]) if test else np.zeros(0),
                        np.concatenate([c.true for c in test]) if test else np.zeros(0),
                    ),
                    "cue_own_line": own,
                    "own_line_meets_bar": meets_bar(own)[0],
                    "line_fitted_on_train": line,
                    "cue_fitted_line": fitted,
                    "fitted_line_meets_bar": meets_bar(fitted)[0],
                }
            views[placement] = row
        figures[key] = {
            "mission": check.mission,
            "metric": check.metric,
            "warn": check.warn,
            "views_judged": list(check.views),
            "placements": views,
        }
    return figures


def _cue(c: dict[str, Any]) -> str:
    if c["clear_cued"] is None:
        return f"–/{c['clear']}, –/{c['aligned']}"
    return f"{c['clear_cued']}/{c['clear']}, {c['aligned_cued']}/{c['aligned']}"


def _err(e: dict[str, Any]) -> str:
    return "–" if e["median"] is None else f"{e['median']:g}/{e['p90']:g}"


def table(figures: dict[str, Any]) -> list[str]:
    """Markdown rows: per check and placement, raw and corrected."""
    rows = []
    for key, cell in figures.items():
        for placement, v in cell["placements"].items():
            r, c = v["raw"], v["corrected"]
            rows.append(
                [
                    cell["mission"],
                    key,
                    placement,
                    _err(r["error_test"]),
                    _err(c["error_test"]),
                    _cue(r["cue_own_line"]),
                    _cue(c["cue_own_line"]),
                    f"{c['line_fitted_on_train']}: {_cue(c['cue_fitted_line'])}",
                ]
            )
    return markdown_table(
        [
            "row",
            "check",
            "camera",
            "error raw",
            "error corrected",
            "cue raw (own line)",
            "cue corrected (own line)",
            "corrected, line fitted on train",
        ],
        rows,
    )


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README's table: every check that is off (or on only with the correction), from
    the front and from 45 deg, on the test bodies: error and cue as MediaPipe reads it and
    corrected, and corrected with the line fitted on the bodies ``lines_fitted_on``."""
    from posecheck.poses import REGISTRY

    state = {f"{p}.{c.id}": c.state for p, spec in REGISTRY.items() for c in spec.checks}
    rows = []
    for key, cell in figures["checks"].items():
        if state.get(key) == "on":
            continue
        for placement in ("front", "45deg"):
            v = cell["placements"].get(placement)
            if v is None:
                continue
            r, c = v["raw"], v["corrected"]
            line = c["line_fitted_on_train"]
            rows.append(
                [
                    f"{key} ({state.get(key)})",
                    placement,
                    _err(r["error_test"]),
                    _err(c["error_test"]),
                    _cue(r["cue_own_line"]),
                    _cue(c["cue_own_line"]),
                    "–" if line is None else f"{line:g}: {_cue(c['cue_fitted_line'])}",
                ]
            )
    return markdown_table(
        [
            "check",
            "camera",
            "error median/p90, as read",
            "corrected",
            "cued clear, aligned: as read",
            "corrected",
            "corrected, line fitted on the crowd train bodies",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=Path, action="append", default=None)
    parser.add_argument("--correction", type=Path, default=DEFAULT_CORRECTION)
    parser.add_argument(
        "--fit-on",
        action="append",
        default=None,
        metavar="FOLDER",
        help="fit the cue lines on the train clips of these feature folders only (by name, "
        "e.g. crowd: bodies the shipped correction never saw); default: every train clip",
    )
    parser.add_argument(
        "--line",
        action="append",
        default=[],
        metavar="POSE.CHECK=WARN",
        help="judge a check at another warning line (its fault line moves as far beyond): "
        "e.g. tree.pelvis_level=5; a run with --line writes no results unless --results",
    )
    parser.add_argument(
        "--crops",
        type=Path,
        default=Path("~/.cache/posecheck-synth/pixels").expanduser(),
        help="the clips' pelvis crops (tools.correction.pixels crops), for a correction "
        "that reads the hip line from the pixels",
    )
    parser.add_argument("--results", default=None, help="result file name (no .json)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    folders = [f.expanduser() for f in (args.features or DEFAULT_FEATURES)]
    paths = sorted(p for f in folders for p in f.glob("*.npz"))
    if not paths:
        print(
            f"no npz files in {', '.join(map(str, folders))}: run tools.correction.extract",
            file=sys.stderr,
        )
        return 2
    correction, _ = load_correction(args.correction)
    try:
        warn_lines = {k: float(v) for k, v in (item.split("=", 1) for item in args.line)}
    except ValueError:
        parser.error("--line takes POSE.CHECK=WARN, e.g. tree.pelvis_level=5")
    checks = [
        (pose, with_warn(c, warn_lines[f"{pose}.{c.id}"]) if f"{pose}.{c.id}" in warn_lines else c)
        for pose, c in mission_checks()
    ]
    unknown = set(warn_lines) - {f"{pose}.{c.id}" for pose, c in checks}
    if unknown:
        parser.error(f"--line: no mission check {', '.join(sorted(unknown))}")
    angles: dict[tuple[str, int], Any] = {}
    if correction.pixels is not None:
        from tools.correction.pixels import predict_sets

        print("reading the hip line from the crops' pixels ...", file=sys.stderr, flush=True)
        angles = predict_sets(correction.pixels, sorted({f.name for f in folders}), args.crops)
    per_check: dict[str, list[ClipReading]] = {}
    for i, path in enumerate(paths):
        for key, clip in load_clip(path, checks, correction, angles).items():
            per_check.setdefault(key, []).append(clip)
        if (i + 1) % 200 == 0:
            print(f"{i + 1}/{len(paths)} clips read", file=sys.stderr, flush=True)
    bodies = {c.body: c.split for clips in per_check.values() for c in clips}
    figures = {
        "features_dirs": [str(f) for f in folders],
        "correction": str(args.correction),
        "pixel_hip_line": correction.pixels is not None and bool(angles),
        "clips": len(paths),
        "bodies": {s: sum(v == s for v in bodies.values()) for s in ("train", "test")},
        "lines_fitted_on": args.fit_on or "every train clip",
        "checks": summarise(checks, per_check, set(args.fit_on) if args.fit_on else None),
    }
    lines = table(figures["checks"])
    print("\n".join(lines))
    name = args.results or (None if warn_lines else "cells")
    if warn_lines:
        figures["warn_lines"] = warn_lines
    if not args.no_write and name is not None:
        write_results(name, figures, argv=argv)
        print_readme_rows(readme_rows(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
