"""The article's hip action, one check per pose, against rendered truth on held-out bodies.

Issue 17: the fourth row of the mission matrix. Tree's lifted knee opened out
(``tree.lifted_knee_open``, ``thigh_opening_{lifted}_deg``), Half Moon's standing hip
abducted (``half_moon.standing_hip_abducted``, ``hip_abduction_{standing}_deg``), and the
two side-view checks of the row judged from every placement, 45 deg included: Warrior
1's back hip extended (``hip_extension_{back}_deg``) and Bridge's hips lifted
(``hip_angle_deg``).

No video is decoded and nothing is rendered: it reads the ``wide`` set's cached
MediaPipe outputs (``tools/correction/extract.py``: one npz per clip with MediaPipe's
image and world landmarks, in VIDEO mode, beside the true joints and the camera), and

* **reads** each metric with posecheck's own geometry
  (:func:`posecheck.measure.geometry.measure_all`) on MediaPipe's landmarks, frame by
  frame, unsmoothed and uncorrected, with the clip's true pose and working side (as
  ``analyze --pose`` with the side right);
* takes its **truth** from :func:`tools.synth.truth.true_metrics` on the true joints and
  the clip's camera (the 3D metrics' truth needs no camera; the image-plane ones, hip
  extension and hip angle, use the clip's camera for the errors and the pose's ideal
  side camera for the verdicts, as ``benchmarks/accuracy.py`` does).

Per cell and camera placement (``front``, ``45deg``, ``side`` relative to the pose's ideal
front camera, ``high`` for a camera 45 deg or more above: ``accuracy.Truth.placement``):

* **error** over the hold frames of the TEST bodies' clips where both are defined: median
  and 90th percentile of ``|read - true|``, and the gain (least-squares slope of read on
  true: 1 follows the truth, 0 does not see it);
* **cue**: a clip's reading is the median over its hold frames, counted when the metric
  was measurable on at least half of them. Its truth is the median true value: *clear*
  fault and *aligned* as ``benchmarks/accuracy.py`` defines them (1.5x / 0.5x the warn
  line's distance from the aligned reference, ``accuracy.REFERENCE``). The reading's line
  is FITTED on the TRAIN bodies' clips of that placement (the line between two train
  readings that best separates clear faults from aligned clips: recall minus false
  alarms, ties to the check's own warn line) and judged on the test clips: cued clear
  faults and cued aligned clips. The check's own line, as set, is judged too.

The bar (issue 4 and 17): cued on >= 90 % of clear faults and <= 5 % of aligned clips,
with at least 10 clear and 30 aligned held-out clips.

Usage::

    .venv/bin/python -m benchmarks.hip_action [--features DIR]

writes ``benchmarks/results/hip_action.json`` and prints the README rows.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.accuracy import Truth, is_aligned, is_clear_fault
from benchmarks.harness import markdown_table, print_readme_rows, write_results
from posecheck.landmarks import Landmark as L
from posecheck.measure.geometry import measure_all
from posecheck.poses import REGISTRY, PoseCheck
from posecheck.vocab import Severity

FloatArray = NDArray[np.float64]

DEFAULT_FEATURES = Path("~/.cache/posecheck-synth/features/wide")
PLACEMENTS = ("front", "45deg", "side", "high")
MIN_MEASURED_SHARE = 0.5
TARGET_RECALL = 0.90
TARGET_FALSE = 0.05
MIN_CLEAR = 10
MIN_ALIGNED = 30


@dataclass(frozen=True)
class Cell:
    """One cell of the hip-action row: a pose's check, and whether its verdict truth is
    seen by the pose's ideal side camera (image-plane sagittal metrics) or is 3D."""

    pose: str
    check_id: str
    ideal_side: bool

    @property
    def key(self) -> str:
        return f"{self.pose}.{self.check_id}"

    def check(self) -> PoseCheck:
        """The registry's check, judged as if on and without its info cap."""
        found = next(c for c in REGISTRY[self.pose].checks if c.id == self.check_id)
        return replace(found, max_severity=Severity.FAULT, unreliable=None)


CELLS = (
    Cell("warrior1", "back_hip_extended", ideal_side=True),
    Cell("tree", "lifted_knee_open", ideal_side=False),
    Cell("half_moon", "standing_hip_abducted", ideal_side=False),
    Cell("bridge", "hips_lifted", ideal_side=True),
)


# ------------------------------------------------------------------ other readings
#
# The reading posecheck uses was chosen among these by the TRAIN bodies' figures; the
# others are kept here so the choice can be re-made on more data.


def _unit(v: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True), dtype=np.float64)


def _legs(side: str) -> tuple[int, int, int, int]:
    """(hip, knee, other hip, other knee) landmark indices."""
    s, o = side.upper(), ("RIGHT" if side == "left" else "LEFT")
    return (L[f"{s}_HIP"], L[f"{s}_KNEE"], L[f"{o}_HIP"], L[f"{o}_KNEE"])


def _hip_line_axes(p: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
    """``(out, caudal)`` ``(T, d)`` from the HIP line (``out`` along it), ``caudal``
    perpendicular to it in the plane of the trunk line."""
    hip, _, other_hip, _ = _legs(side)
    out = _unit(p[:, hip] - p[:, other_hip])
    down = (
        p[:, L.LEFT_HIP] + p[:, L.RIGHT_HIP] - p[:, L.LEFT_SHOULDER] - p[:, L.RIGHT_SHOULDER]
    ) / 2
    down = down - np.sum(down * out, axis=-1, keepdims=True) * out
    return out, _unit(down)


def _abduction_by_hip_line(p: FloatArray, side: str) -> FloatArray:
    hip, knee, _, _ = _legs(side)
    out, caudal = _hip_line_axes(p, side)
    thigh = p[:, knee] - p[:, hip]
    return np.asarray(
        np.degrees(np.arctan2(np.sum(thigh * out, -1), np.sum(thigh * caudal, -1))),
        dtype=np.float64,
    )


def _opening_by_hip_line(p: FloatArray, side: str) -> FloatArray:
    hip, knee, other_hip, other_knee = _legs(side)
    out, _ = _hip_line_axes(p, side)
    thigh = p[:, knee] - p[:, hip]
    if p.shape[-1] == 3:  # world: the thigh's own length
        scale = np.linalg.norm(thigh, axis=-1)
    else:  # picture: the other thigh's length
        scale = np.linalg.norm(p[:, other_knee] - p[:, other_hip], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.sum(thigh * out, -1) / scale
    return np.asarray(np.degrees(np.arcsin(np.clip(share, -1, 1))), dtype=np.float64)


#: metric prefix -> alternative reading name -> f(xy_px, world, side) -> (T,)
ALTERNATIVES: dict[str, dict[str, Callable[[FloatArray, FloatArray, str], FloatArray]]] = {
    "thigh_opening": {
        "picture, hip line": lambda xy, w, s: _opening_by_hip_line(xy, s),
        "world, hip line": lambda xy, w, s: _opening_by_hip_line(w, s),
    },
    "hip_abduction": {
        "picture, hip line": lambda xy, w, s: _abduction_by_hip_line(xy, s),
        "world, hip line": lambda xy, w, s: _abduction_by_hip_line(w, s),
    },
}


# ------------------------------------------------------------------ per clip


@dataclass
class ClipCell:
    """One clip's figures for one cell."""

    split: str
    placement: str
    read: FloatArray  # (H,) hold frames, NaN where not measurable
    true: FloatArray  # (H,) the clip camera's truth (3D metrics: the truth)
    verdict_true: float  # median over the hold, as the ideal camera sees it
    alternatives: dict[str, FloatArray]

    @property
    def measured(self) -> bool:
        return bool(np.mean(np.isfinite(self.read)) >= MIN_MEASURED_SHARE)

    @property
    def reading(self) -> float:
        ok = self.read[np.isfinite(self.read)]
        return float(np.median(ok)) if ok.size else math.nan


def clip_truth(path: Path, z: Any) -> Truth:
    """The :class:`~benchmarks.accuracy.Truth` of one cached clip (``z``: its loaded npz):
    its true metrics recomputed from the true joints and the clip's camera."""
    from tools.synth.camera import Camera
    from tools.synth.truth import true_metrics

    meta = json.loads(str(z["meta"]))
    spec = meta.get("spec") or {}
    fps = float(spec.get("fps") or meta.get("fps") or 15.0)
    camera = Camera.from_json(meta["camera"])
    truth_m = {
        k: np.array([math.nan if v is None else v for v in vals], dtype=np.float64)
        for k, vals in true_metrics(z["true_world"], camera, z["true_com"]).items()
    }
    return Truth(
        video=path,
        pose=str(meta["pose"]),
        side=meta.get("side"),
        t_s=np.arange(len(z["xy"])) / fps,
        fps=fps,
        hold_from_s=float(spec.get("entry_s", 0.0)),
        metrics=truth_m,
        params=dict(meta.get("params") or {}),
        landmarks_world_m=np.asarray(z["true_world"], dtype=np.float64),
        com_world_m=np.asarray(z["true_com"], dtype=np.float64),
        camera_azimuth_deg=float(meta["camera"].get("azimuth_deg", math.nan)),
        camera_elevation_deg=float(meta["camera"].get("elevation_deg", math.nan)),
    )


def load_clip(path: Path) -> tuple[str, dict[str, ClipCell]]:
    """The pose and, per cell of that pose, one clip's :class:`ClipCell`."""
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    truth = clip_truth(path, z)
    pose, side, truth_m = truth.pose, truth.side, truth.metrics
    hold = truth.hold
    xy = np.asarray(z["xy"], dtype=np.float64) * np.asarray(z["image_wh"], dtype=np.float64)
    world = np.asarray(z["world"], dtype=np.float64)
    _, read = measure_all(xy, np.asarray(z["visibility"], dtype=np.float64), world)
    out: dict[str, ClipCell] = {}
    for cell in CELLS:
        if cell.pose != pose:
            continue
        check = cell.check()
        name = check.metric_name(side)
        ideal = truth.ideal_metrics("side")[name] if cell.ideal_side else truth_m[name]
        verdict = ideal[hold]
        verdict = verdict[np.isfinite(verdict)]
        working = name.split("_")[-2] if name.endswith(("left_deg", "right_deg")) else "left"
        prefix = name.rsplit("_", 2)[0]
        alternatives = {
            label: fn(xy, world, working)[hold]
            for label, fn in ALTERNATIVES.get(prefix, {}).items()
        }
        out[cell.key] = ClipCell(
            split=str(meta.get("split")),
            placement=truth.placement,
            read=read[name].value[hold],
            true=truth_m[name][hold],
            verdict_true=float(np.median(verdict)) if verdict.size else math.nan,
            alternatives=alternatives,
        )
    return pose, out


# ------------------------------------------------------------------ figures


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def error_figures(read: FloatArray, true: FloatArray) -> dict[str, Any]:
    """Median and p90 of ``|read - true|`` and the gain, over the pairs both define."""
    ok = np.isfinite(read) & np.isfinite(true)
    if ok.sum() < 3:
        return {"frames": int(ok.sum()), "median": None, "p90": None, "gain": None}
    err = np.abs(read[ok] - true[ok])
    spread = np.ptp(true[ok])
    gain = float(np.polyfit(true[ok], read[ok], 1)[0]) if spread > 1e-9 else math.nan
    return {
        "frames": int(ok.sum()),
        "median": _r(float(np.median(err))),
        "p90": _r(float(np.percentile(err, 90))),
        "gain": _r(gain, 2),
    }


def fires(check: PoseCheck, reading: float, line: float) -> bool:
    """Whether a clip reading crosses ``line`` in the check's direction (its target
    taken off first, as :meth:`PoseCheck.severity` does)."""
    x = reading - check.target
    if check.direction == "below":
        return x <= line
    if check.direction == "abs_above":
        return abs(x) >= line
    return x >= line


def fit_line(
    check: PoseCheck, readings: list[float], clear: list[bool], aligned: list[bool]
) -> float | None:
    """The reading line that best separates the clear faults from the aligned clips
    (recall minus false alarms; ties: nearest the check's own warn line), between two
    of the given readings; None without both kinds."""
    faults = [r for r, c in zip(readings, clear, strict=True) if c]
    oks = [r for r, a in zip(readings, aligned, strict=True) if a]
    if not faults or not oks:
        return None
    values = sorted(
        {
            r - check.target if check.direction != "abs_above" else abs(r - check.target)
            for r in faults + oks
        }
    )
    candidates = (
        [values[0] - 1.0]
        + [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
        + [values[-1] + 1.0]
    )
    best: tuple[float, float, float] | None = None
    for line in candidates:
        rec = np.mean([fires(check, r, line) for r in faults])
        fa = np.mean([fires(check, r, line) for r in oks])
        key = (float(rec - fa), -abs(line - check.warn), line)
        if best is None or key[:2] > best[:2]:
            best = key
    assert best is not None
    return round(best[2], 1)


def cue_figures(check: PoseCheck, clips: list[ClipCell], line: float | None) -> dict[str, Any]:
    """Clear faults and aligned clips among ``clips`` (measured ones), and how many of
    each the reading line ``line`` cues."""
    measured = [c for c in clips if c.measured and math.isfinite(c.verdict_true)]
    clear = [c for c in measured if is_clear_fault(check, c.verdict_true)]
    aligned = [c for c in measured if is_aligned(check, c.verdict_true)]
    out: dict[str, Any] = {
        "clips": len(clips),
        "measured": len(measured),
        "clear": len(clear),
        "aligned": len(aligned),
        "clear_cued": None,
        "aligned_cued": None,
    }
    if line is not None:
        out["clear_cued"] = sum(fires(check, c.reading, line) for c in clear)
        out["aligned_cued"] = sum(fires(check, c.reading, line) for c in aligned)
    return out


def meets_bar(cue: dict[str, Any]) -> tuple[bool, str]:
    """Whether the held-out cue figures meet the bar, and why not."""
    why = []
    if cue["clear"] < MIN_CLEAR:
        why.append(f"{cue['clear']} clear faults (needs {MIN_CLEAR})")
    if cue["aligned"] < MIN_ALIGNED:
        why.append(f"{cue['aligned']} aligned clips (needs {MIN_ALIGNED})")
    if cue["clear_cued"] is None:
        why.append("no line fitted")
    else:
        if cue["clear"] and cue["clear_cued"] / cue["clear"] < TARGET_RECALL:
            why.append(f"{cue['clear_cued']}/{cue['clear']} clear faults cued")
        if cue["aligned"] and cue["aligned_cued"] / cue["aligned"] > TARGET_FALSE:
            why.append(f"{cue['aligned_cued']}/{cue['aligned']} aligned clips cued")
    return not why, "; ".join(why)


def summarise(per_cell: dict[str, list[ClipCell]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for cell in CELLS:
        check = cell.check()
        clips = per_cell.get(cell.key, [])
        views: dict[str, Any] = {}
        for placement in PLACEMENTS:
            here = [c for c in clips if c.placement == placement]
            if not here:
                continue
            train = [c for c in here if c.split == "train"]
            test = [c for c in here if c.split == "test"]
            train_m = [c for c in train if c.measured and math.isfinite(c.verdict_true)]
            line = fit_line(
                check,
                [c.reading for c in train_m],
                [is_clear_fault(check, c.verdict_true) for c in train_m],
                [is_aligned(check, c.verdict_true) for c in train_m],
            )
            fitted = cue_figures(check, test, line)
            ok, why = meets_bar(fitted)
            alt_names = sorted({k for c in here for k in c.alternatives})
            views[placement] = {
                "error_test": error_figures(
                    np.concatenate([c.read for c in test]) if test else np.zeros(0),
                    np.concatenate([c.true for c in test]) if test else np.zeros(0),
                ),
                "error_train": error_figures(
                    np.concatenate([c.read for c in train]) if train else np.zeros(0),
                    np.concatenate([c.true for c in train]) if train else np.zeros(0),
                ),
                "alternatives_train": {
                    name: error_figures(
                        np.concatenate([c.alternatives[name] for c in train])
                        if train
                        else np.zeros(0),
                        np.concatenate([c.true for c in train]) if train else np.zeros(0),
                    )
                    for name in alt_names
                },
                "line_fitted_on_train": line,
                "train_cue": cue_figures(check, train, line),
                "test_cue": fitted,
                "test_cue_as_set": cue_figures(check, test, check.warn),
                "meets_bar": ok,
                "why_not": why,
            }
        figures[cell.key] = {
            "metric": check.metric,
            "warn": check.warn,
            "views": views,
        }
    return figures


# ------------------------------------------------------------------ output


def _cue(c: dict[str, Any]) -> str:
    if c["clear_cued"] is None:
        return f"– of {c['clear']} / – of {c['aligned']}"
    return f"{c['clear_cued']} of {c['clear']} / {c['aligned_cued']} of {c['aligned']}"


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README's table of the hip-action row: per cell and placement, on the test
    bodies, the error and the cue with the line fitted on the train bodies."""
    rows = []
    for key, cell in figures["cells"].items():
        for placement, v in cell["views"].items():
            e = v["error_test"]
            err = "–" if e["median"] is None else f"{e['median']:g}° / {e['p90']:g}°"
            gain = "–" if e["gain"] is None else f"{e['gain']:g}"
            line = "–" if v["line_fitted_on_train"] is None else f"{v['line_fitted_on_train']:g}"
            t = v["test_cue"]
            bar = "met" if v["meets_bar"] else f"not met: {v['why_not']}"
            rows.append(
                [key, placement, f"{t['measured']} of {t['clips']}", err, gain, line, _cue(t), bar]
            )
    return markdown_table(
        [
            "check",
            "camera",
            "test clips measured",
            "error median / p90",
            "gain",
            "line (train)",
            "clear cued / aligned cued (test)",
            "bar",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=Path, default=DEFAULT_FEATURES)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    folder = args.features.expanduser()
    paths = sorted(folder.glob("*.npz"))
    if not paths:
        print(f"no npz files in {folder}: run tools.correction.extract first", file=sys.stderr)
        return 2
    per_cell: dict[str, list[ClipCell]] = {}
    splits: dict[str, int] = {}
    for path in paths:
        _, cells = load_clip(path)
        for key, clip in cells.items():
            per_cell.setdefault(key, []).append(clip)
            splits[clip.split] = splits.get(clip.split, 0) + 1
    figures = {
        "features_dir": str(args.features),
        "clips": len(paths),
        "cell_clips_by_split": splits,
        "cells": summarise(per_cell),
    }
    print(json.dumps(figures["cells"], indent=1))
    lines = readme_rows(figures)
    print("\n".join(lines))
    if not args.no_write:
        write_results("hip_action", figures, argv=argv)
        print_readme_rows(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
