"""posecheck against the truth of rendered clips: metric errors, cue precision and recall.

Runs the real pipeline (``posecheck.analyze_video``: MediaPipe in VIDEO mode, smoothing,
pose recognition, checks, holds) on synthetic clips, each an ``<stem>.mp4`` beside its
``<stem>.truth.json`` (format: ``tools/synth/README.md``), and compares with the truth
computed from the true joints (``tools/synth/truth.py``, run afresh on the truth file's
landmarks, camera and COM). By default the clips are ``samples/synth/*.mp4``;
``--bench-dir DIR`` adds every clip under DIR (the larger generated set).

What it measures
----------------
**Per metric and view**: over all frames of all clips, frames where the truth is defined
(``defined``) and of those, frames posecheck measured (``measured``, its coverage), and
the median and 90th percentile of ``|posecheck - truth|`` over the measured ones. The view
is the TRUE one, per frame: the true torso yaw (mean angle of the true shoulder and hip
lines out of the image plane, i.e. the camera's azimuth relative to the body's frontal
plane) classed as posecheck classes its own estimate: ``front`` below 30 deg (a view from
behind counts as front), ``side`` from 60 deg, ``oblique`` between.

**Per cue** (a pose's check, named ``pose.check``): one verdict per clip of that pose
whose true view (the median true yaw over the hold, classed as above) is one the check is
judged from, and whose true metric is defined during the hold.

* truth: the fault is present when the median TRUE value over the hold frames (from the
  truth file's ``hold_from_s`` to the end), as the check's IDEAL camera would see it,
  crosses the check's warn threshold (its
  ``severity`` with the info cap lifted). It is *clear* when the true value lies at least
  1.5x the warn threshold's distance from the metric's aligned reference value, on the
  faulty side: the check's ``target`` (FPPA >= 9 deg for a 6 deg warning; Warrior 1's
  front knee 90 +- 22.5 deg), or the value in :data:`REFERENCE` where the aligned value
  is another (a knee angle <= 157.5 deg for a 165 deg warning, reference 180; weight on
  the front leg >= 80 % for a 70 % warning, reference 50). A clip is *aligned* for a
  check when its true value lies at most half way from the reference to the warn
  threshold (:data:`ALIGNED_FACTOR`); a clip in between (just under the warning, or
  between the warning and a clear fault) counts in precision and recall only. The ideal camera
  (:data:`IDEAL_AZIMUTH_DEG`) is level and far, in front of the body, or at the working
  leg's side for the sagittal metrics (:data:`SAGITTAL_METRICS`): a Warrior 1 front knee at
  a true 90 deg, filmed from a high oblique camera, draws a 119 deg angle in that picture,
  and is still aligned. The per-metric errors above use the clip's own camera.
* posecheck: the check *fires* when, over the truth's hold frames that posecheck read as
  the truth's pose, the check came out ``warn`` or ``fault`` (info cap lifted, so the
  info-only checks are judged on their thresholds too) in more than half of the frames
  where it was judged: the cue a user sees for most of the hold (with ``--require-hold``
  only frames inside one of posecheck's own holds of that pose, read with the hold's
  side, count, as its hold scores do; then firing is ``aligned_pct < 50`` in
  report.json). Per-frame statuses are the real ``posecheck.poses.evaluate_pose`` run on
  each ``frames.csv`` row (4-decimal values, the view, side and feet posecheck had). The
  default does not need posecheck's hold because the bench clips hold for only 2 s, which
  posecheck's hold rules (1 s to enter, 2 s minimum) barely or never accept.
* two kinds of silence: *pose unrecognised* (no hold frame read as the truth's pose)
  counts as not firing in precision and recall (end to end: the user gets no cue);
  *not measurable* (the pose read, but the check judged on fewer than half of those
  frames, :data:`MIN_JUDGED_SHARE`: posecheck gated the metric off for this view, e.g. a
  knee angle seen from the front, for most of the hold) is left out of
  precision, recall and both targets and counted apart, since declining is what
  posecheck should do there.
* precision = TP / (TP + FP), recall = TP / (TP + FN) over those clips.

**Targets** (issue 4): each cue fires on >= 90 % of its clear-fault clips and on <= 5 %
of its aligned clips; knee valgus (FPPA, both knees) median absolute error <= 3 deg and
90th percentile <= 6 deg in true front views. Each prints PASS, MISS, or n/a (no clip).
The two cue targets judge the check, so they count the clips where posecheck read the
pose (recognised, or told with ``--given-pose``); clips whose pose went unrecognised
are counted beside them (``+N unrecognised``) and in the per-camera table, since
recognition has its own benchmark (``benchmarks/recognition.py``). Run both ways: a cue
must meet its targets as recognised AND as told, where a wrong view can no longer hide
behind a failed recognition.

Usage::

    .venv/bin/python -m benchmarks.accuracy [--bench-dir DIR] [--work-dir DIR --reuse]

Progress per clip goes to stderr, the tables to stdout, and all the figures to
``benchmarks/results/<name>.json`` through the harness: ``accuracy`` with ``--bench-dir``
(``accuracy_given_pose`` with ``--given-pose``), ``accuracy_samples`` (and
``accuracy_samples_given_pose``) on the committed samples alone; ``--results NAME``
chooses another name, and ``--limit`` (a partial run) writes none.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.harness import ROOT, Stopwatch, print_readme_rows, write_results
from posecheck.measure.geometry import FRONT_MAX_YAW_DEG, METRIC_UNITS, SIDE_MIN_YAW_DEG
from posecheck.poses import REGISTRY, PoseCheck, PoseSpec, evaluate_pose
from posecheck.result import Metric
from posecheck.vocab import Severity

FloatArray = NDArray[np.float64]

VIEWS = ("front", "oblique", "side")
#: The aligned value of a check's metric, where it is not the check's ``target`` or 0 (see
#: the module docstring): straight knees and hip lines, knees over the ankles, even weight,
#: hips squared to the front leg, the Tree thigh fully out to the side (in the picture;
#: out of the pelvis's sagittal plane, the rendered aligned Tree), Half Moon's standing hip
#: as rendered aligned, Warrior 1's back
#: hip at the 39 deg of extension of the rendered body in
#: docs/measurements.md#hip-extension, Tree's heel a fifth of a leg above or below the knee
#: (a foot on the thigh or the calf). ``abs_above`` checks always use their ``target``.
REFERENCE: dict[str, float] = {
    "knee_angle": 180.0,
    "hip_angle": 180.0,
    "knee_ankle_gap_ratio": 1.0,
    "weight": 50.0,
    "hips_square": 90.0,
    "thigh_abduction": 90.0,
    # docs/measurements.md#hip-action: the rendered bench bodies' aligned Tree (lifted thigh
    # 56-58 deg out of the pelvis's sagittal plane) and Half Moon (standing hip 109-110).
    "thigh_opening": 57.0,
    "hip_abduction": 110.0,
    "hip_extension": 39.0,
    "foot_knee_gap": 20.0,
}
CLEAR_FACTOR = 1.5
#: An *aligned* clip (for the "quiet on aligned clips" target) lies at most this far
#: toward the warning: a clip just under the warning is neither clear nor aligned.
ALIGNED_FACTOR = 0.5
#: A clip counts as measured for a check when posecheck judged it on at least this share
#: of the hold frames it read as the pose (see :attr:`CueVerdict.measured`).
MIN_JUDGED_SHARE = 0.5
TARGET_CLEAR_RECALL = 0.90
TARGET_ALIGNED_FIRE = 0.05
TARGET_FPPA_MEDIAN_DEG = 3.0
TARGET_FPPA_P90_DEG = 6.0
FPPA_METRICS = ("knee_valgus_left_deg", "knee_valgus_right_deg")
#: Metrics whose ideal view is the leg's side (its bend plane in the picture); the others
#: are judged from the front (or are 3D, where the view does not matter).
SAGITTAL_METRICS = ("knee_angle", "shin_angle", "heel_lift", "hip_extension", "hip_angle")
#: Azimuth (deg, tools/synth/camera.orbit_camera) of the ideal front and side camera per
#: pose, for a LEFT working side (mirrored for the right; Bridge has no side). Mirrors
#: tools/synth/poses.VIEW_AZIMUTH_DEG: Warrior 1 and Tree face -Y; Half Moon's chest
#: faces -Y and its standing knee bends in that picture; Bridge lies with its left side
#: toward -Y and its feet toward -X.
IDEAL_AZIMUTH_DEG: dict[str, dict[str, float]] = {
    "warrior1": {"front": 0.0, "side": 90.0},
    "tree": {"front": 0.0, "side": 90.0},
    "half_moon": {"front": 0.0, "side": 0.0},
    "bridge": {"front": -90.0, "side": 0.0},
}
IDEAL_DISTANCE_M = 40.0  # far enough that perspective does not bend any angle
_FIRING = (Severity.WARN, Severity.FAULT)


def view_of(yaw_deg: float) -> str:
    """``front``/``oblique``/``side`` of a true torso yaw (degrees), posecheck's bounds."""
    if not math.isfinite(yaw_deg):
        return "unknown"
    if yaw_deg < FRONT_MAX_YAW_DEG:
        return "front"
    return "side" if yaw_deg >= SIDE_MIN_YAW_DEG else "oblique"


def uncapped(spec: PoseSpec) -> PoseSpec:
    """``spec`` with every check's info cap lifted (so it reports warn/fault) and every
    switched-off check judged as if it were on: whether a check may come back on (with a
    correction, from another view) is decided by these very figures."""
    return replace(
        spec,
        checks=tuple(replace(c, max_severity=Severity.FAULT, unreliable=None) for c in spec.checks),
    )


def reference(check: PoseCheck) -> float:
    """The aligned value of ``check``'s metric (:data:`REFERENCE`, else its target)."""
    if check.direction != "abs_above":
        for prefix, ref in REFERENCE.items():
            if check.metric.startswith(prefix):
                return ref
    return check.target


def fault_ratio(check: PoseCheck, value: float) -> float:
    """How far the true ``value`` lies from the metric's aligned reference, toward the
    fault, as a multiple of the warn threshold's distance (1 = at the warning, 0 = at
    the reference, negative = the other way; ``abs_above``: either side of the target)."""
    ref = reference(check)
    if check.direction == "abs_above":
        return abs(value - ref) / check.warn
    threshold = check.target + check.warn if check.direction == "above" else check.warn
    if check.direction == "above":
        return (value - ref) / (threshold - ref)
    return (ref - value) / (ref - threshold)


def is_clear_fault(check: PoseCheck, value: float) -> bool:
    """Whether the true ``value`` is at least :data:`CLEAR_FACTOR` times as far from the
    reference as the warn threshold, on the faulty side."""
    return fault_ratio(check, value) >= CLEAR_FACTOR


def is_aligned(check: PoseCheck, value: float) -> bool:
    """Whether the true ``value`` is at most :data:`ALIGNED_FACTOR` of the way from the
    reference to the warn threshold: aligned, not merely just under the warning."""
    return fault_ratio(check, value) <= ALIGNED_FACTOR


# ----------------------------------------------------------------------------- truth


@dataclass(frozen=True)
class Truth:
    """One clip's truth.

    Attributes:
        video: the mp4.
        pose, side: the generator's pose and posecheck's side (None for Bridge).
        t_s: ``(T,)`` frame times, seconds.
        fps: frames per second of the clip.
        hold_from_s: the hold starts here.
        metrics: name -> ``(T,)`` true values, NaN where undefined.
        params: the generator's parameters (shown, not interpreted).
        landmarks_world_m: ``(T, 33, 3)`` true landmarks, world metres (z up).
        com_world_m: ``(T, 3)`` the mesh's centre of mass, or None.
    """

    video: Path
    pose: str
    side: str | None
    t_s: FloatArray
    fps: float
    hold_from_s: float
    metrics: dict[str, FloatArray]
    params: dict[str, Any]
    landmarks_world_m: FloatArray
    com_world_m: FloatArray | None
    camera_azimuth_deg: float = math.nan
    camera_elevation_deg: float = math.nan

    @property
    def placement(self) -> str:
        """Where the clip's camera stands relative to the pose's ideal front camera
        (:data:`IDEAL_AZIMUTH_DEG`): ``front`` within 20 deg, ``45deg`` to 70, ``side``
        to 110 (for Half Moon: end-on, from its head or feet; for Bridge: its side),
        ``behind`` beyond; ``high`` for a camera looking down 45 deg or more (Bridge from
        above its feet)."""
        if self.camera_elevation_deg >= 45.0:
            return "high"
        off = abs(
            (self.camera_azimuth_deg - self.ideal_azimuth_deg("front") + 180.0) % 360.0 - 180.0
        )
        if not math.isfinite(off):
            return "unknown"
        return "front" if off < 20 else "45deg" if off < 70 else "side" if off <= 110 else "behind"

    def ideal_azimuth_deg(self, view: str) -> float:
        """World azimuth of this pose's ideal ``front``/``side`` camera, mirrored for a
        right working side (:data:`IDEAL_AZIMUTH_DEG`; Bridge has no side)."""
        az = IDEAL_AZIMUTH_DEG[self.pose][view]
        return -az if self.side == "right" and self.pose != "bridge" else az

    def ideal_metrics(self, view: str) -> dict[str, FloatArray]:
        """True metrics seen by the ideal ``front`` or ``side`` camera of this pose
        (:data:`IDEAL_AZIMUTH_DEG`: level, far away, aimed at the body): what a teacher
        standing there would judge. Cue verdicts use these, so that a physically aligned
        pose filmed from a high or turned camera does not count as a fault because its
        picture bends the angles."""
        from tools.synth.camera import orbit_camera
        from tools.synth.truth import true_metrics

        az = self.ideal_azimuth_deg(view)
        target = np.mean(self.landmarks_world_m[self.hold], axis=(0, 1))
        camera = orbit_camera(
            target, azimuth_deg=az, elevation_deg=0.0, distance_m=IDEAL_DISTANCE_M, vfov_deg=5.0
        )
        computed = true_metrics(self.landmarks_world_m, camera, self.com_world_m)
        return {name: _floats(v) for name, v in computed.items()}

    @property
    def hold(self) -> NDArray[np.bool_]:
        return np.asarray(self.t_s >= self.hold_from_s - 1e-9)

    @property
    def views(self) -> list[str]:
        """Per frame true view."""
        return [view_of(float(y)) for y in self.metrics["torso_yaw_deg"]]

    @property
    def hold_view(self) -> str:
        yaw = self.metrics["torso_yaw_deg"][self.hold]
        yaw = yaw[np.isfinite(yaw)]
        return view_of(float(np.median(yaw))) if yaw.size else "unknown"


def _floats(values: list[float | None]) -> FloatArray:
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def load_truth(path: Path) -> Truth:
    """Read ``<stem>.truth.json`` (schema 1); its true metrics are computed afresh with
    ``tools.synth.truth.true_metrics`` from its landmarks, camera and COM."""
    d = json.loads(path.read_text(encoding="utf-8"))
    if d.get("schema") != 1:
        raise ValueError(f"{path}: unknown truth schema {d.get('schema')!r}")
    frames = d["frames"]
    # Always from the landmarks with the current truth.py: the file's stored "metrics"
    # may predate a change of definition (``python -m tools.synth.make SET --retruth``).
    from tools.synth.truth import stored_inputs, true_metrics

    world, camera, com = stored_inputs(d)
    computed = true_metrics(world, camera, com)
    metrics = {name: _floats(values) for name, values in computed.items()}
    video = path.with_name(d.get("clip") or path.name.replace(".truth.json", ".mp4"))
    return Truth(
        video=video,
        pose=str(d["pose"]),
        side=d.get("side"),
        t_s=np.array([float(f["t_s"]) for f in frames], dtype=np.float64),
        fps=float(d.get("fps", 30.0)),
        hold_from_s=float(d.get("hold_from_s", 0.0)),
        metrics=metrics,
        params=dict(d.get("params") or {}),
        landmarks_world_m=world,
        com_world_m=com,
        camera_azimuth_deg=float(d.get("camera", {}).get("azimuth_deg", math.nan)),
        camera_elevation_deg=float(d.get("camera", {}).get("elevation_deg", math.nan)),
    )


def truth_split(path: Path) -> str | None:
    """The body split (``train`` / ``test``) a truth file names, or None (sets without)."""
    d = json.loads(path.read_text(encoding="utf-8"))
    split = d.get("split") or (d.get("spec") or {}).get("split")
    return str(split) if split else None


def find_truths(samples: Path | None, bench: list[Path]) -> list[Path]:
    """Every ``*.truth.json`` directly in ``samples`` and anywhere under each of ``bench``."""
    found = sorted(samples.glob("*.truth.json")) if samples and samples.is_dir() else []
    for folder in bench:
        found += sorted(folder.glob("**/*.truth.json")) if folder.is_dir() else []
    return found


# ----------------------------------------------------------------------------- posecheck


@dataclass
class Reading:
    """posecheck's output for one clip: frames.csv rows and report.json's holds."""

    rows: list[dict[str, str]]
    holds: dict[int, dict[str, Any]]
    seconds: float


def run_posecheck(
    video: Path,
    out: Path,
    pose: str | None,
    reuse: bool,
    correction: Any = None,
    fast: bool = False,
) -> Reading:
    """``analyze_video`` with no annotated video (frames.csv + report.json), or the
    outputs already in ``out`` when ``reuse``; ``correction``: a ``LandmarkCorrection``
    or None; ``fast``: as ``analyze --fast``."""
    with Stopwatch() as clock:
        if not (reuse and (out / "report.json").is_file()):
            from posecheck import analyze_video

            analyze_video(
                video, out, pose=pose, write_video=False, correction=correction, fast=fast
            )
    seconds = clock.seconds
    with (out / "frames.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    holds = {int(h["index"]): h for h in report["holds"]}
    return Reading(rows=rows, holds=holds, seconds=seconds)


def match_rows(t_s: FloatArray, rows: list[dict[str, str]], fps: float) -> list[int | None]:
    """For each truth frame, the frames.csv row at the same time (within half a frame)."""
    if not rows:
        return [None] * len(t_s)
    times = np.array([float(r["time_s"]) for r in rows])
    out: list[int | None] = []
    for t in t_s:
        i = int(np.argmin(np.abs(times - t)))
        out.append(i if abs(times[i] - t) <= 0.5 / fps + 1e-6 else None)
    return out


def row_metrics(row: dict[str, str]) -> dict[str, Metric]:
    """The frame's metrics as posecheck had them (4 decimals, from frames.csv)."""
    out = {}
    for name, unit in METRIC_UNITS.items():
        valid = row.get(f"{name}_valid") == "1" and row.get(name, "") != ""
        out[name] = Metric(
            value=float(row[name]) if valid else math.nan,
            unit=unit,
            valid=valid,
            reason=None if valid else "not measured",
        )
    return out


def row_value(row: dict[str, str], name: str) -> float:
    if row.get(f"{name}_valid") == "1" and row.get(name, "") != "":
        return float(row[name])
    return math.nan


# ----------------------------------------------------------------------------- one clip


@dataclass
class CueVerdict:
    """One check on one clip."""

    check: str
    metric: str
    true_value: float
    truth_fault: bool
    clear: bool
    aligned: bool
    judged: int
    firing: int
    fired: bool
    capped: bool
    recognised: bool
    #: hold frames read as the pose (those the check could have been judged on)
    considered: int = 0

    @property
    def measured(self) -> bool:
        """Judged on at least :data:`MIN_JUDGED_SHARE` of the frames it could have been:
        below that, posecheck mostly declined the check and the clip counts as not
        measurable (a cue on 2 of 30 frames is not what the user saw for the hold)."""
        return self.judged > 0 and self.judged >= MIN_JUDGED_SHARE * self.considered


@dataclass
class ClipResult:
    name: str
    pose: str
    view: str
    placement: str
    frames: int
    with_person: int
    in_pose: int
    in_pose_hold: int
    hold_frames: int
    seconds: float
    errors: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    defined: dict[tuple[str, str], int] = field(default_factory=dict)
    cues: list[CueVerdict] = field(default_factory=list)
    #: (metric, view) -> [(read, true)] of the frames measured (for the gain)
    pairs: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)


def evaluate_clip(truth: Truth, reading: Reading, require_hold: bool = False) -> ClipResult:
    """Metric errors and cue verdicts of one clip."""
    rows = reading.rows
    matched = match_rows(truth.t_s, rows, truth.fps)
    views = truth.views
    result = ClipResult(
        name=truth.video.name,
        pose=truth.pose,
        view=truth.hold_view,
        placement=truth.placement,
        frames=len(truth.t_s),
        with_person=sum(1 for i in matched if i is not None and rows[i]["person"] == "1"),
        in_pose=0,
        in_pose_hold=0,
        hold_frames=int(np.sum(truth.hold)),
        seconds=reading.seconds,
    )
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    defined: dict[tuple[str, str], int] = defaultdict(int)
    pairs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for name in METRIC_UNITS:
        true = truth.metrics[name]
        for k, i in enumerate(matched):
            if not math.isfinite(true[k]):
                continue
            key = (name, views[k])
            defined[key] += 1
            measured = row_value(rows[i], name) if i is not None else math.nan
            if math.isfinite(measured):
                errors[key].append(abs(measured - float(true[k])))
                pairs[key].append((measured, float(true[k])))
    result.errors, result.defined, result.pairs = dict(errors), dict(defined), dict(pairs)

    # the truth's hold frames that posecheck read as the truth's pose (and, with
    # require_hold, placed in one of its holds of that pose, read with the hold's side)
    spec = uncapped(REGISTRY[truth.pose])
    capped = {c.id for c in REGISTRY[truth.pose].checks if c.max_severity != Severity.FAULT}
    statuses: dict[str, list[Severity]] = defaultdict(list)
    considered = 0
    for k, i in enumerate(matched):
        if not truth.hold[k] or i is None:
            continue
        row = rows[i]
        hold = reading.holds.get(int(row["hold"])) if row.get("hold") else None
        in_hold = hold is not None and hold["pose"] == truth.pose
        result.in_pose_hold += in_hold
        if row["person"] != "1" or row["pose"] != truth.pose:
            continue
        result.in_pose += 1
        if require_hold and not (
            in_hold and hold is not None and (row["side"] or None) == hold["side"]
        ):
            continue
        considered += 1
        _, checked = evaluate_pose(spec, row_metrics(row), row["view"], row["side"] or None)
        for status in checked:
            if status.severity is not None:
                statuses[status.check].append(status.severity)

    side = truth.side
    ideal = {view: truth.ideal_metrics(view) for view in ("front", "side")}
    for check in spec.checks:
        if result.view not in check.views:
            continue
        name = check.metric_name(side)
        ideal_view = "side" if name.startswith(SAGITTAL_METRICS) else "front"
        true = ideal[ideal_view][name][truth.hold]
        true = true[np.isfinite(true)]
        if true.size == 0:
            continue
        value = float(np.median(true))
        sev = statuses.get(check.id, [])
        firing = sum(1 for s in sev if s in _FIRING)
        result.cues.append(
            CueVerdict(
                check=f"{truth.pose}.{check.id}",
                metric=name,
                true_value=value,
                truth_fault=check.severity(value) in _FIRING,
                clear=is_clear_fault(check, value),
                aligned=is_aligned(check, value),
                judged=len(sev),
                firing=firing,
                fired=bool(sev) and firing > len(sev) / 2,
                capped=check.id in capped,
                recognised=result.in_pose > 0,
                considered=considered,
            )
        )
    return result


# ----------------------------------------------------------------------------- summary


def _stat(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def gain(pairs: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of read on true (1 = the reading follows the truth one to one;
    0.6 = a true 10-degree change reads as 6), or None with too few or constant truths."""
    if len(pairs) < 5:
        return None
    read, true = np.asarray(pairs, dtype=np.float64).T
    t = true - true.mean()
    var = float(t @ t)
    return None if var < 1e-9 else float(t @ (read - read.mean()) / var)


def _error_stats(
    errs: list[float], defined: int, pairs: list[tuple[float, float]] | None = None
) -> dict[str, Any]:
    return {
        "defined": defined,
        "measured": len(errs),
        "coverage": _ratio(len(errs), defined),
        "median_abs_err": _stat(errs, 50),
        "p90_abs_err": _stat(errs, 90),
        "gain": gain(pairs or []),
    }


def summarise(results: list[ClipResult]) -> dict[str, Any]:
    """All figures as one JSON-able dict."""
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    defined: dict[tuple[str, str], int] = defaultdict(int)
    pose_errors: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    pose_defined: dict[tuple[str, str, str], int] = defaultdict(int)
    pairs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    pose_pairs: dict[tuple[str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in results:
        for (name, view), p in r.pairs.items():
            pairs[(name, view)] += p
            pose_pairs[(name, r.pose, view)] += p
        for (name, view), errs in r.errors.items():
            errors[(name, view)] += errs
            pose_errors[(name, r.pose, view)] += errs
        for (name, view), n in r.defined.items():
            defined[(name, view)] += n
            pose_defined[(name, r.pose, view)] += n
    metrics: dict[str, dict[str, Any]] = {}
    for name in METRIC_UNITS:
        for view in (*VIEWS, "unknown"):
            if defined.get((name, view)):
                metrics.setdefault(name, {})[view] = _error_stats(
                    errors.get((name, view), []), defined[(name, view)], pairs.get((name, view))
                )
    # the metrics each pose's checks read, per pose and true view
    by_pose: dict[str, dict[str, dict[str, Any]]] = {}
    for pose, spec in REGISTRY.items():
        names = sorted({c.metric_name(side) for c in spec.checks for side in ("left", "right")})
        for name in names:
            for view in (*VIEWS, "unknown"):
                key = (name, pose, view)
                if pose_defined.get(key):
                    by_pose.setdefault(pose, {}).setdefault(name, {})[view] = _error_stats(
                        pose_errors.get(key, []), pose_defined[key], pose_pairs.get(key)
                    )

    checks: dict[str, dict[str, Any]] = {}
    for r in results:
        for v in r.cues:
            c = checks.setdefault(
                v.check,
                {"metric": v.metric, "capped_info": v.capped, "clips": 0, "tp": 0, "fp": 0,
                 "fn": 0, "tn": 0, "unrecognised": 0, "not_measurable": 0, "clear": 0,
                 "fired_clear": 0, "clear_unrecognised": 0, "aligned": 0, "fired_aligned": 0,
                 "per_clip": []},
            )  # fmt: skip
            c["clips"] += 1
            c["per_clip"].append(
                {"clip": r.name, "camera": r.placement, "true": round(v.true_value, 3),
                 "fault": v.truth_fault, "clear": v.clear, "aligned": v.aligned,
                 "recognised": v.recognised, "judged": v.judged, "firing": v.firing,
                 "considered": v.considered, "measured": v.measured,
                 "fired": v.fired}
            )  # fmt: skip
            if v.recognised and not v.measured:
                c["not_measurable"] += 1  # posecheck (mostly) declined this view: left out
                continue
            outcome = ("tp" if v.fired else "fn") if v.truth_fault else ("fp" if v.fired else "tn")
            c[outcome] += 1  # end to end: an unrecognised pose is a silent cue
            if not v.recognised:
                c["unrecognised"] += 1  # the targets judge the cue where the pose was read
                c["clear_unrecognised"] += v.clear
                continue
            if v.clear:
                c["clear"] += 1
                c["fired_clear"] += v.fired
            if v.aligned:
                c["aligned"] += 1
                c["fired_aligned"] += v.fired
    for cid, c in checks.items():
        pose, check_id = cid.split(".", 1)
        c["switched_off"] = any(
            k.id == check_id and k.unreliable is not None for k in REGISTRY[pose].checks
        )
        c["precision"] = _ratio(c["tp"], c["tp"] + c["fp"])
        c["recall"] = _ratio(c["tp"], c["tp"] + c["fn"])
        c["fire_rate_clear"] = _ratio(c["fired_clear"], c["clear"])
        c["fire_rate_aligned"] = _ratio(c["fired_aligned"], c["aligned"])

    fppa = [e for name in FPPA_METRICS for e in errors.get((name, "front"), [])]
    fppa_defined = sum(defined.get((name, "front"), 0) for name in FPPA_METRICS)
    targets: dict[str, str] = {}
    med, p90 = _stat(fppa, 50), _stat(fppa, 90)
    targets["fppa_front_median"] = _verdict(med, TARGET_FPPA_MEDIAN_DEG, upper=True)
    targets["fppa_front_p90"] = _verdict(p90, TARGET_FPPA_P90_DEG, upper=True)
    for cid, c in sorted(checks.items()):
        # A switched-off check (PoseCheck.unreliable) never cues; it is judged as if on,
        # and its verdicts say "OFF, would ...".
        off = "OFF, would " if c["switched_off"] else ""
        targets[f"{cid}:fires_on_clear"] = off + _verdict(
            c["fire_rate_clear"], TARGET_CLEAR_RECALL, False
        )
        targets[f"{cid}:quiet_on_aligned"] = off + _verdict(
            c["fire_rate_aligned"], TARGET_ALIGNED_FIRE, upper=True
        )
    return {
        "clips": len(results),
        "frames": sum(r.frames for r in results),
        "frames_with_person": sum(r.with_person for r in results),
        "hold_frames": sum(r.hold_frames for r in results),
        "hold_frames_read_as_pose": sum(r.in_pose for r in results),
        "hold_frames_in_pose_hold": sum(r.in_pose_hold for r in results),
        "analysis_s": round(sum(r.seconds for r in results), 1),
        "metrics": metrics,
        "check_metrics_by_pose": by_pose,
        "checks": checks,
        "fppa_front": {
            "defined": fppa_defined,
            "measured": len(fppa),
            "median_abs_err": med,
            "p90_abs_err": p90,
        },
        "targets": targets,
        "per_clip": [
            {
                "clip": r.name,
                "pose": r.pose,
                "view": r.view,
                "frames": r.frames,
                "with_person": r.with_person,
                "hold_frames": r.hold_frames,
                "in_pose": r.in_pose,
                "in_pose_hold": r.in_pose_hold,
            }
            for r in results
        ],
    }


def _verdict(value: float | None, limit: float, upper: bool) -> str:
    if value is None:
        return "n/a"
    ok = value <= limit if upper else value >= limit
    return "PASS" if ok else "MISS"


def mission_figures(s: dict[str, Any]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The mission matrix with this run's cue figures: row -> pose -> per check its state
    (on/off), views, clear faults fired on, aligned clips fired on, not measurable."""
    from posecheck.poses import mission_matrix

    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row, by_pose in mission_matrix().items():
        for pose, checks in by_pose.items():
            cell = out.setdefault(row, {}).setdefault(pose, [])
            for check in checks:
                c = s["checks"].get(f"{pose}.{check.id}", {})
                cell.append(
                    {"check": check.id, "on": check.unreliable is None,
                     "views": list(check.views),
                     "clear": c.get("clear", 0), "fired_clear": c.get("fired_clear", 0),
                     "aligned": c.get("aligned", 0), "fired_aligned": c.get("fired_aligned", 0),
                     "not_measurable": c.get("not_measurable", 0)}
                )  # fmt: skip
    return out


def mission_cell_figures(cell: list[dict[str, Any]]) -> str:
    """``front_knee_midline on: 11/12 clear, 1/31 aligned`` per check of a cell."""
    if not cell:
        return "no check"
    return "; ".join(
        f"{c['check']} {'on' if c['on'] else 'off'}: {c['fired_clear']}/{c['clear']} clear, "
        f"{c['fired_aligned']}/{c['aligned']} aligned"
        for c in cell
    )


def print_tables(s: dict[str, Any]) -> None:
    print("\nthe mission matrix: cues fired on clear faults / on aligned clips (pose read)")
    for row, by_pose in s.get("mission", {}).items():
        for pose, cell in by_pose.items():
            print(f"  {row:<10} {pose:<10} {mission_cell_figures(cell)}")
    print(
        f"clips {s['clips']}, frames {s['frames']} (a person in {s['frames_with_person']}); "
        f"hold frames {s['hold_frames']}: read as the true pose {s['hold_frames_read_as_pose']}, "
        f"in a posecheck hold of it {s['hold_frames_in_pose_hold']}"
    )
    print("\nper clip (true view over the hold)")
    for c in s["per_clip"]:
        print(
            f"  {c['clip']:<44} {c['pose']:<10} {c['view']:<8} person {c['with_person']}/"
            f"{c['frames']}  hold frames read as the pose {c['in_pose']}/{c['hold_frames']}, "
            f"in its hold {c['in_pose_hold']}"
        )
    print("\nper metric and TRUE view: frames measured/defined, |posecheck - truth|")
    print(f"  {'metric':<30} {'view':<8} {'measured':>15} {'cover':>6} {'median':>8} {'p90':>8}")
    for name, by_view in s["metrics"].items():
        for view, m in by_view.items():
            print(
                f"  {name:<30} {view:<8} {m['measured']:>7}/{m['defined']:<7} "
                f"{_pct(m['coverage']):>6} {_fmt(m['median_abs_err']):>8} "
                f"{_fmt(m['p90_abs_err']):>8}"
            )
    print("\nthe metrics of each pose's checks, per pose and TRUE view")
    for pose, by_name in s["check_metrics_by_pose"].items():
        for name, by_view in by_name.items():
            for view, m in by_view.items():
                print(
                    f"  {pose:<10} {name:<30} {view:<8} {m['measured']:>6}/{m['defined']:<6} "
                    f"{_pct(m['coverage']):>6} {_fmt(m['median_abs_err']):>8} "
                    f"{_fmt(m['p90_abs_err']):>8}"
                )
    print(
        "\nper cue over clips (truth: median true hold value crosses warn; posecheck: fires "
        "in most judged hold frames; * = info-capped, judged uncapped)"
    )
    print(
        f"  {'check':<36} {'clips':>5} {'unrec':>5} {'n/m':>4} {'TP':>3} {'FP':>3} {'FN':>3} "
        f"{'TN':>3} {'prec':>5} {'rec':>5} {'clear fired':>12} {'aligned fired':>14}"
    )
    for cid, c in sorted(s["checks"].items()):
        star = "*" if c["capped_info"] else ""
        print(
            f"  {cid + star:<36} {c['clips']:>5} {c['unrecognised']:>5} {c['not_measurable']:>4} "
            f"{c['tp']:>3} {c['fp']:>3} {c['fn']:>3} {c['tn']:>3} "
            f"{_pct(c['precision']):>5} {_pct(c['recall']):>5} "
            f"{c['fired_clear']:>5}/{c['clear']:<6} {c['fired_aligned']:>6}/{c['aligned']:<7}"
        )
    print(
        "\nper cue and camera (placement from the pose's front: front, 45deg, side = for Half "
        "Moon end-on, for Bridge its side; high = 45 deg or more above): clear fired/clear, "
        "aligned fired/aligned, "
        "pose unrecognised, not measurable"
    )
    for cid, c in sorted(s["checks"].items()):
        if c["switched_off"]:
            continue
        cells = []
        for cam in ("front", "45deg", "side", "behind", "high"):
            rows = [pc for pc in c["per_clip"] if pc["camera"] == cam]
            if not rows:
                continue
            seen = [pc for pc in rows if pc["recognised"] and pc["measured"]]
            clear = [pc for pc in seen if pc["clear"]]
            aligned = [pc for pc in seen if pc["aligned"]]
            cells.append(
                f"{cam}: {sum(pc['fired'] for pc in clear)}/{len(clear)} "
                f"{sum(pc['fired'] for pc in aligned)}/{len(aligned)} "
                f"u{sum(not pc['recognised'] for pc in rows)} "
                f"n{sum(pc['recognised'] and not pc['measured'] for pc in rows)}"
            )
        print(f"  {cid:<36} " + " | ".join(cells))
    f = s["fppa_front"]
    print("\ntargets")
    print(
        f"  knee valgus (FPPA) front views: median {_fmt(f['median_abs_err'])} deg (<= "
        f"{TARGET_FPPA_MEDIAN_DEG:g}) {s['targets']['fppa_front_median']}, p90 "
        f"{_fmt(f['p90_abs_err'])} deg (<= {TARGET_FPPA_P90_DEG:g}) "
        f"{s['targets']['fppa_front_p90']}  [{f['measured']}/{f['defined']} frames measured]"
    )
    for cid, c in sorted(s["checks"].items()):
        print(
            f"  {cid:<36} fires on clear faults {_pct(c['fire_rate_clear'])} (>= 90%) "
            f"{s['targets'][cid + ':fires_on_clear']:<5} on aligned "
            f"{_pct(c['fire_rate_aligned'])} (<= 5%) {s['targets'][cid + ':quiet_on_aligned']}"
            f"  [clear {c['clear']} (+{c['clear_unrecognised']} unrecognised), aligned "
            f"{c['aligned']}; pose unrecognised "
            f"{c['unrecognised']}, not measurable {c['not_measurable']}]"
        )


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="posecheck's accuracy on rendered clips with known truth "
        "(see the module docstring for every definition).",
    )
    parser.add_argument(
        "--samples-dir",
        type=Path,
        default=ROOT / "samples" / "synth",
        help="curated clips: <stem>.mp4 + <stem>.truth.json (default: samples/synth)",
    )
    parser.add_argument(
        "--bench-dir", type=Path, action="append", default=[], help="more clips, recursively"
    )
    parser.add_argument(
        "--no-samples", action="store_true", help="skip --samples-dir (bench set only)"
    )
    parser.add_argument(
        "--given-pose",
        action="store_true",
        help="tell posecheck the true pose (analyze --pose) instead of recognising it",
    )
    parser.add_argument(
        "--work-dir", type=Path, help="keep posecheck's outputs here (default: a temp dir)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse outputs already in --work-dir")
    parser.add_argument(
        "--require-hold",
        action="store_true",
        help="judge cues only inside posecheck's own holds (as its hold scores do)",
    )
    parser.add_argument(
        "--split",
        choices=("train", "test"),
        help="only clips of bodies in this split (the wide set's truth files name it): judge "
        "a correction or a threshold on the test bodies it was not fitted on",
    )
    parser.add_argument(
        "--correction",
        type=Path,
        help="run posecheck with this landmark correction (.npz; see tools/correction); "
        "default: MediaPipe's landmarks as they are",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="run posecheck as `analyze --fast` (MediaPipe tracking one person)",
    )
    parser.add_argument("--limit", type=int, help="only the first N clips (writes no results)")
    parser.add_argument(
        "--results", help="name of the results file (default: see the module docstring)"
    )
    args = parser.parse_args(argv)

    correction = None
    if args.correction is not None:
        from posecheck.io.model_files import load_correction

        correction = load_correction(args.correction)[0]
    samples = None if args.no_samples else args.samples_dir
    truths = find_truths(samples, list(args.bench_dir))
    if args.split:
        truths = [p for p in truths if truth_split(p) == args.split]
    truths = truths[: args.limit]
    if not truths:
        where = [str(d) for d in ([samples] if samples else []) + list(args.bench_dir)]
        print(f"no <stem>.truth.json clips found in {where}", file=sys.stderr)
        print(json.dumps({"clips": 0, "error": "no clips"}))
        return 1

    results: list[ClipResult] = []
    uncorrected: list[ClipResult] = []
    with tempfile.TemporaryDirectory(prefix="posecheck-accuracy-") as tmp:
        work = args.work_dir or Path(tmp)
        for n, path in enumerate(truths, 1):
            truth = load_truth(path)
            if not truth.video.is_file():
                print(f"[{n}/{len(truths)}] {path.name}: no video, skipped", file=sys.stderr)
                continue
            out = work / f"{truth.video.parent.name}__{truth.video.stem}"
            given = truth.pose if args.given_pose else None
            if correction is not None:  # the same clip as MediaPipe reads it, side by side
                reading = run_posecheck(truth.video, out / "raw", given, args.reuse, fast=args.fast)
                uncorrected.append(evaluate_clip(truth, reading, args.require_hold))
                out = out / "corrected"
            reading = run_posecheck(truth.video, out, given, args.reuse, correction, args.fast)
            r = evaluate_clip(truth, reading, require_hold=args.require_hold)
            results.append(r)
            fired = ", ".join(v.check.split(".")[1] for v in r.cues if v.fired) or "none"
            print(
                f"[{n}/{len(truths)}] {r.name}: {r.pose} {r.view}, person {r.with_person}/"
                f"{r.frames}, hold read as pose {r.in_pose}/{r.hold_frames} (in a posecheck "
                f"hold {r.in_pose_hold}), fired: {fired} "
                f"({r.seconds:.1f} s)",
                file=sys.stderr,
            )
    summary = summarise(results)
    summary["mission"] = mission_figures(summary)
    summary["split"] = args.split
    summary["correction"] = args.correction.name if args.correction else None
    summary["fast"] = args.fast
    if uncorrected:
        raw = summarise(uncorrected)
        summary["uncorrected"] = {
            "metrics": raw["metrics"],
            "fppa_front": raw["fppa_front"],
            "mission": mission_figures(raw),
        }
    print_tables(summary)
    if args.limit is None:
        name = args.results or (
            ("accuracy" if args.bench_dir else "accuracy_samples")
            + ("_given_pose" if args.given_pose else "")
        )
        summary["given_pose"] = args.given_pose
        summary["require_hold"] = args.require_hold
        print_readme_rows(readme_rows(summary))
        write_results(name, summary, module="benchmarks.accuracy", argv=argv)
    return 0


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README fragments these figures back: the size of the run and the knee valgus
    (FPPA) error in true front views."""
    f = figures["fppa_front"]
    person = 100 * figures["frames_with_person"] / figures["frames"] if figures["frames"] else 0
    lines = [
        f"{figures['clips']} clips",
        f"{figures['frames']:,} frames, a person found in {person:.1f} %",
    ]
    if f["median_abs_err"] is not None and f["p90_abs_err"] is not None:
        lines.append(f"median **{f['median_abs_err']:.2f}°**, p90 **{f['p90_abs_err']:.2f}°**")
    if "uncorrected" in figures:
        lines += correction_rows(figures["uncorrected"]["metrics"], figures["metrics"])
        lines += mission_cue_rows(figures["uncorrected"]["mission"], figures["mission"])
    return lines


def mission_cue_rows(raw: dict[str, Any], corrected: dict[str, Any]) -> list[str]:
    """README table rows: each mission check's cue on the clear faults and the aligned
    clips (pose read), as MediaPipe reads it and corrected, from the same run."""

    def cell(c: dict[str, Any]) -> str:
        clear = f"{c['fired_clear']} of {c['clear']} clear"
        return f"{clear}, {c['fired_aligned']} of {c['aligned']} aligned"

    rows = []
    for row, cells in corrected.items():
        for pose, checks in cells.items():
            before = {c["check"]: c for c in raw.get(row, {}).get(pose, [])}
            for c in checks:
                if c["check"] not in before:
                    continue
                state = "on" if c["on"] else "off"
                rows.append(
                    f"| {row} | {pose}.{c['check']} ({state}) | {cell(before[c['check']])} | "
                    f"{cell(c)} |"
                )
    return rows


#: The mission metrics compared with and without a correction: label, metric, true view.
CORRECTION_ROWS = (
    ("knee FPPA, left knee", "knee_valgus_left_deg", "front"),
    ("knee FPPA, right knee", "knee_valgus_right_deg", "front"),
    ("pelvic obliquity", "pelvic_obliquity_deg", "front"),
    ("pelvis rotation (hips square / stacked)", "pelvis_rotation_deg", "front"),
    ("pelvis rotation (hips square / stacked)", "pelvis_rotation_deg", "oblique"),
    ("hips square", "hips_square_deg", "front"),
    ("weight on the left foot", "weight_left_pct", "front"),
)


def _cell(stats: dict[str, Any] | None, unit: str) -> str:
    if not stats or stats.get("median_abs_err") is None:
        return "not measured"
    g = stats.get("gain")
    tail = f", gain {g:.2f}" if g is not None else ""
    return (
        f"{stats['median_abs_err']:.1f}{unit} / {stats['p90_abs_err']:.1f}{unit}{tail} "
        f"({100 * (stats['coverage'] or 0):.0f} % of frames)"
    )


def correction_rows(raw: dict[str, Any], corrected: dict[str, Any]) -> list[str]:
    """README table rows: each mission metric's error (median / p90, gain, coverage) on
    MediaPipe's landmarks and on the corrected ones, from the same run."""
    rows = []
    for label, name, view in CORRECTION_ROWS:
        unit = "°" if name.endswith("_deg") else " pts"
        a, b = raw.get(name, {}).get(view), corrected.get(name, {}).get(view)
        rows.append(f"| {label} | {view} | {_cell(a, unit)} | {_cell(b, unit)} |")
    return rows


if __name__ == "__main__":
    sys.exit(main())
