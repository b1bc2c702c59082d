"""``report.html``: one self-contained page that explains a :class:`VideoReport`.

:func:`render_html` turns the report, the per-frame ``frames.csv`` and JPEG thumbnails of
the worst moments into a single HTML document: inline CSS, images as ``data:`` URIs and
timeline plots as inline SVG drawn by matplotlib. It reads teacher-first (see
:func:`render_html`). Nothing is fetched from the network; the only file it refers to is
the annotated video next to it, which it embeds, and its only JavaScript (inline, a few
lines) seeks that video when a cue is clicked. Every string that comes from data (file
names, notes, reasons) is escaped.

matplotlib is imported lazily inside the plotting function (``posecheck --help`` must
stay fast); mediapipe and cv2 are never imported here.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from posecheck.measure.geometry import METRIC_UNITS
from posecheck.poses import get_pose
from posecheck.poses.base import PoseCheck, PoseSpec, switched_off
from posecheck.report import CheckScore, Hold, PeopleSeen, VideoReport
from posecheck.vocab import Severity

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = NDArray[np.float64]

#: At most this many points are drawn per timeline plot (min/max per time bucket).
MAX_PLOT_POINTS = 2000

_LEVEL_COLOURS = {"info": "#3b7dd8", "warn": "#e69f00", "fault": "#d1342f", "ok": "#888888"}
_UNIT_SUFFIX = {"deg": "°", "pct": " %", "foot_lengths": " foot lengths"}
_UNIT_AXIS = {"deg": "degrees", "pct": "%", "foot_lengths": "foot lengths", "count": "count"}
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')

_CSS = """
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #222; background: #fafafa; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 2rem; }
h1 { font-size: 1.9rem; margin: 0 0 .4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.kicker { margin: 0 0 .2rem; color: #666; font-size: .9rem; overflow-wrap: anywhere; }
.side { font-size: 1.1rem; font-weight: 400; color: #555; white-space: nowrap; }
.verdict { display: flex; align-items: center; gap: .8rem; margin: .3rem 0; }
.verdict.na { display: block; background: #eef4fb; border: 1px solid #b8d0ea;
  padding: .8rem 1rem; border-radius: 6px; font-size: 1.1rem; }
.big { font-size: 2.6rem; font-weight: 700; border-radius: 10px; padding: .1rem .9rem;
  font-variant-numeric: tabular-nums; }
.of { line-height: 1.3; }
.caveat { background: #fff8e1; border-left: 4px solid #e0a800; padding: .4rem .7rem;
  margin: .5rem 0; }
.notes { margin: .3rem 0; padding-left: 1.2rem; font-size: .9rem; }
.cue { display: flex; gap: 1rem; align-items: flex-start; background: #fff;
  border: 1px solid #ddd; border-radius: 8px; padding: .6rem; margin: .7rem 0; }
.cue .still { flex: 0 1 480px; border: 0; padding: 0; background: none; cursor: pointer;
  min-width: 0; }
.cue .still img { width: 100%; height: auto; display: block; border-radius: 4px; }
.cue-body { flex: 1 1 16rem; min-width: 0; }
.cue-text { font-size: 1.25rem; font-weight: 600; margin: 0 0 .4rem; }
.good-news { background: #e3f4e3; padding: .6rem .9rem; border-radius: 6px; }
.people { display: flex; gap: 1rem; align-items: flex-start; background: #fff;
  border: 1px solid #ddd; border-radius: 8px; padding: .6rem; margin: .8rem 0; }
.people .still { flex: 0 1 480px; border: 0; padding: 0; background: none; min-width: 0; }
.people button.still { cursor: pointer; }
.people .still img { width: 100%; height: auto; display: block; border-radius: 4px; }
.people-body { flex: 1 1 16rem; min-width: 0; }
.people-text { font-size: 1.1rem; font-weight: 600; margin: 0 0 .3rem; }
code.cmd { background: #f0f0f0; padding: 0 .25rem; border-radius: 3px; white-space: nowrap; }
video { width: 100%; max-height: 70vh; background: #000; display: block; border-radius: 6px; }
a.seek { font-weight: 600; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: .5rem 0; background: #fff; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
.facts th { width: 9rem; }
.facts td { overflow-wrap: anywhere; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.score { font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; }
.good { background: #d6f0d6; color: #145214; }
.fair { background: #fde8bf; color: #6b4500; }
.poor { background: #f8d0cd; color: #7a1511; }
.na { background: #eee; color: #555; }
.sev-warn { color: #8a5a00; }
.sev-fault { color: #a4221d; }
span.sev-warn, span.sev-fault { font-weight: 600; }
.muted { color: #666; }
.banner { background: #fff3cd; border: 2px solid #e0a800; padding: .8rem 1rem;
  border-radius: 6px; margin: 1rem 0; }
.banner strong { font-size: 1.1rem; color: #7a4f00; }
.empty { background: #eef4fb; border: 1px solid #b8d0ea; padding: .8rem 1rem;
  border-radius: 6px; }
.unjudged { margin: .2rem 0 .8rem; padding-left: 1.2rem; }
.unjudged li { margin: .15rem 0; }
details.why { display: inline; }
details.why summary { display: inline; cursor: pointer; color: #3b5b8d; }
details.why[open] { display: block; font-size: .9rem; color: #555; }
details.fold { margin-top: 1.6rem; border-top: 1px solid #ddd; padding-top: .5rem; }
details.fold > summary { font-size: 1.15rem; font-weight: 600; cursor: pointer; }
.thumbs { display: flex; flex-wrap: wrap; gap: 1rem; }
.thumbs figure { margin: 0; background: #fff; border: 1px solid #ddd; padding: .4rem;
  width: 340px; max-width: 100%; }
.thumbs img { width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; margin-top: .3rem; }
figure.plot { margin: 0 0 1rem; background: #fff; border: 1px solid #ddd; padding: .4rem; }
figure.plot svg { width: 100%; height: auto; display: block; }
.legend span { display: inline-block; margin-right: 1.2rem; }
.swatch { display: inline-block; width: 1.6rem; height: .7rem; vertical-align: middle;
  margin-right: .3rem; }
@media (max-width: 600px) {
  main { padding: .7rem .8rem 1.5rem; }
  h1 { font-size: 1.5rem; }
  .cue, .people { flex-direction: column; }
  .people .still, .people-body { flex: none; width: 100%; }
  .cue .still { flex: none; width: 100%; }
  .cue-body { flex: none; width: 100%; }
  .cue-text { font-size: 1.1rem; }
  th, td { padding: .25rem .4rem; }
}
"""


def _e(value: object) -> str:
    """``value`` as text, HTML-escaped (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


# ---------------------------------------------------------------- thresholds and values


def _capped(level: str, check: PoseCheck) -> str:
    """``level`` lowered to the check's ``max_severity`` (e.g. info-only checks)."""
    return Severity(level).capped(check.max_severity).value


def threshold_lines(check: PoseCheck) -> list[tuple[float, str]]:
    """Where ``check`` changes severity, as ``(metric value, level)`` sorted by value.

    ``level`` is ``warn`` or ``fault`` (lowered to ``info`` for checks capped at info).
    ``above``/``below`` give ``target + warn`` and ``target + fault``; ``abs_above`` gives
    both sides, e.g. target 90, warn 15, fault 25 -> 65/115 fault and 75/105 warn.
    """
    levels = (("warn", check.warn), ("fault", check.fault))
    lines: list[tuple[float, str]] = []
    for level, threshold in levels:
        offsets = (-threshold, threshold) if check.direction == "abs_above" else (threshold,)
        lines.extend((check.target + off, _capped(level, check)) for off in offsets)
    return sorted(lines)


def threshold_bands(check: PoseCheck) -> list[tuple[float, float, str]]:
    """The metric ranges where ``check`` fires, as ``(low, high, level)``; open ends are
    ``±inf``."""
    t, warn, fault = check.target, check.warn, check.fault
    warn_l, fault_l = _capped("warn", check), _capped("fault", check)
    if check.direction == "above":
        return [(t + warn, t + fault, warn_l), (t + fault, math.inf, fault_l)]
    if check.direction == "below":
        return [(t + fault, t + warn, warn_l), (-math.inf, t + fault, fault_l)]
    return [
        (-math.inf, t - fault, fault_l),
        (t - fault, t - warn, warn_l),
        (t + warn, t + fault, warn_l),
        (t + fault, math.inf, fault_l),
    ]


def format_value(value: float | None, metric: str) -> str:
    """A metric value with its unit from :data:`METRIC_UNITS` (e.g. ``"12.3°"``)."""
    if value is None or not math.isfinite(value):
        return "–"
    unit = METRIC_UNITS.get(metric, "")
    if unit in ("deg", "pct"):
        return f"{value:.1f}{_UNIT_SUFFIX[unit]}"
    if unit == "count":
        return f"{value:.0f}"
    if unit in ("ratio", "foot_lengths"):
        return f"{value:.2f}{_UNIT_SUFFIX.get(unit, '')}"
    return f"{value:.3g}"


def _fmt_s(seconds: float | None) -> str:
    """Seconds as ``"12.3 s"`` (``"–"`` when unknown)."""
    if seconds is None or not math.isfinite(seconds):
        return "–"
    return f"{seconds:.1f} s"


def score_class(score: float | None) -> str:
    """CSS class for a 0-100 score: ``good`` (>= 80), ``fair`` (>= 50), ``poor``, ``na``."""
    if score is None or not math.isfinite(score):
        return "na"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def _score_cell(score: float | None) -> str:
    """A coloured table cell with the score."""
    text = "n/a" if score is None or not math.isfinite(score) else f"{score:.0f}"
    return f'<td class="score {score_class(score)}">{text}</td>'


def _spec(pose: str) -> PoseSpec | None:
    """The registered pose called ``pose``, or None for an unknown name."""
    try:
        return get_pose(pose)
    except KeyError:
        return None


def _pose_check(hold: Hold, check_id: str) -> PoseCheck | None:
    """The :class:`PoseCheck` behind one of ``hold``'s check scores."""
    spec = _spec(hold.pose)
    if spec is None:
        return None
    return next((c for c in spec.checks if c.id == check_id), None)


def _display_name(pose: str) -> str:
    return get_pose(pose).display_name


def pose_display_name(pose: str) -> str:
    """How people read the pose called ``pose`` (``Warrior 1``); an unknown name as is."""
    spec = _spec(pose)
    return pose if spec is None else spec.display_name


def side_text(hold: Hold) -> str:
    """The hold's side with its meaning, e.g. ``"standing leg: left"``."""
    spec = _spec(hold.pose)
    if hold.side is None:
        return "no working side" if spec is not None and spec.side_meaning is None else "–"
    if spec is not None and spec.side_meaning:
        return f"{spec.side_meaning}: {hold.side}"
    return hold.side


# ---------------------------------------------------------------- frames.csv


def read_series(
    frames_csv: Path, metrics: Sequence[str]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Time and the values of ``metrics`` from ``frames.csv``, sorted by time.

    A value that is empty, unparsable or flagged invalid (``M_valid`` != 1) is NaN, as
    is every value of a metric without a column. A missing or empty file gives empty
    arrays.
    """
    times: list[float] = []
    values: dict[str, list[float]] = {m: [] for m in metrics}
    try:
        with open(frames_csv, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None) or []
            _read_rows(reader, header, times, values)
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    t = np.asarray(times, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    out = {
        m: np.asarray(v, dtype=np.float64)[order] if v else np.full(t.size, np.nan)
        for m, v in values.items()
    }
    return t[order], out


def _read_rows(
    reader: Iterable[list[str]],
    header: list[str],
    times: list[float],
    values: dict[str, list[float]],
) -> None:
    """Append each row's time and metric values (see :func:`read_series`)."""
    col = {name: i for i, name in enumerate(header)}
    if "time_s" not in col:
        return
    ti = col["time_s"]
    wanted = [(values[m], col[m], col.get(f"{m}_valid")) for m in values if m in col]
    nan = math.nan
    for row in reader:
        try:
            times.append(float(row[ti]))
        except (ValueError, IndexError):
            continue
        for store, vi, ok in wanted:
            try:
                valid = ok is None or row[ok] == "1"
                store.append(float(row[vi]) if valid and row[vi] else nan)
            except (ValueError, IndexError):
                store.append(nan)


def downsample(
    t: FloatArray, y: FloatArray, max_points: int = MAX_PLOT_POINTS
) -> tuple[FloatArray, FloatArray]:
    """At most ``max_points`` points of ``(t, y)``, keeping each time bucket's min and max.

    Extremes (the worst moments) survive, and a bucket without any finite value stays
    NaN, so gaps still show. Short series are returned as they are.
    """
    n = int(t.size)
    if n <= max_points:
        return t, y
    buckets = max(1, max_points // 2)
    size = -(-n // buckets)
    padded = np.concatenate([y, np.full(buckets * size - n, np.nan)]).reshape(buckets, size)
    finite = np.isfinite(padded)
    lo = np.where(finite, padded, np.inf).argmin(axis=1)
    hi = np.where(finite, padded, -np.inf).argmax(axis=1)
    base = np.arange(buckets) * size
    idx = np.stack([base + np.minimum(lo, hi), base + np.maximum(lo, hi)], axis=1).ravel()
    idx = np.minimum(idx, n - 1)
    keep = np.repeat(finite.any(axis=1), 2)
    return t[idx], np.where(keep, y[idx], np.nan)


# ---------------------------------------------------------------- plots


def metrics_used(holds: Iterable[Hold]) -> dict[str, list[tuple[Hold, CheckScore]]]:
    """Each concrete metric used by a hold's checks (first use first), with its users."""
    used: dict[str, list[tuple[Hold, CheckScore]]] = {}
    for hold in holds:
        for cs in hold.checks:
            used.setdefault(cs.metric, []).append((hold, cs))
    return used


def _y_limits(y: FloatArray, users: Sequence[tuple[Hold, CheckScore]]) -> tuple[float, float]:
    """y range covering the finite data and every threshold line, with a margin."""
    points = [float(v) for v in (np.nanmin(y), np.nanmax(y))] if np.isfinite(y).any() else []
    for hold, cs in users:
        check = _pose_check(hold, cs.check)
        if check is not None:
            points.extend(v for v, _ in threshold_lines(check))
    if not points:
        return 0.0, 1.0
    lo, hi = min(points), max(points)
    pad = 0.08 * (hi - lo) if hi > lo else max(1.0, abs(lo) * 0.1)
    return lo - pad, hi + pad


def _draw_thresholds(ax: Axes, users: Sequence[tuple[Hold, CheckScore]]) -> None:
    """Each check's bands (shaded) and lines (dashed), over its hold's time span."""
    y0, y1 = ax.get_ylim()
    for hold, cs in users:
        check = _pose_check(hold, cs.check)
        if check is None:
            continue
        span = [hold.start_s, hold.end_s]
        for low, high, level in threshold_bands(check):
            low, high = max(low, y0), min(high, y1)
            if high > low:
                ax.fill_between(span, low, high, color=_LEVEL_COLOURS[level], alpha=0.13, lw=0)
        for value, level in threshold_lines(check):
            ax.hlines(
                value, span[0], span[1], colors=_LEVEL_COLOURS[level], linestyles="dashed", lw=1
            )


def _draw_holds(ax: Axes, holds: Iterable[Hold]) -> None:
    """Every hold as a grey vertical span labelled with its index."""
    for hold in holds:
        ax.axvspan(hold.start_s, hold.end_s, color="#777777", alpha=0.10, lw=0)
        mid = 0.5 * (hold.start_s + hold.end_s)
        ax.text(
            mid,
            0.97,
            f"#{hold.index}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=8,
            color="#444444",
        )


def _x_limits(t: FloatArray, report: VideoReport) -> tuple[float, float]:
    """0 to the end of the video, the data or the last hold, whichever is latest."""
    ends = [report.video.duration_s or 0.0, *(h.end_s for h in report.holds)]
    if t.size:
        ends.append(float(np.nanmax(t)))
    end = max(e for e in ends if math.isfinite(e))
    return 0.0, end if end > 0 else 1.0


def _figure_svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (no prolog, metadata or namespaces)."""
    import matplotlib

    buf = io.StringIO()
    metadata = {"Creator": None, "Date": None, "Format": None, "Type": None}
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata=metadata)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return _XMLNS.sub("", text, count=3)


def plot_metric_svg(
    metric: str,
    t: FloatArray,
    y: FloatArray,
    report: VideoReport,
    users: Sequence[tuple[Hold, CheckScore]],
) -> str:
    """One timeline plot of ``metric`` as inline SVG: the (downsampled) values, gaps where
    not valid, every hold as a span and the thresholds of the checks that use it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 2.3), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ts, ys = downsample(t, y)
    ax.set_xlim(*_x_limits(t, report))
    ax.set_ylim(*_y_limits(ys, users))
    _draw_holds(ax, report.holds)
    _draw_thresholds(ax, users)
    n_finite = int(np.isfinite(ys).sum())
    if n_finite:
        marker = "." if n_finite <= 300 else None
        ax.plot(ts, ys, color="#222222", lw=1.0, marker=marker, markersize=3)
    else:
        ax.text(
            0.5,
            0.5,
            "no measurable values",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#666666",
        )
    ax.set_xlabel("time (s)", fontsize=8)
    ax.set_ylabel(_UNIT_AXIS.get(METRIC_UNITS.get(metric, ""), ""), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(True, axis="y", color="#e4e4e4", lw=0.6)
    return _figure_svg(fig)


# ---------------------------------------------------------------- HTML sections

#: The ``id`` of the first top cue's still: the clip's worst moment. ``index.html`` of a
#: batch reads it back from here (:func:`posecheck.outputs.batch_html.worst_still`).
WORST_STILL_ID = "worst-still"
#: At most this many cues lead the page; the other stills stay with their holds.
TOP_CUES = 3

_VIEW_WORDS = {"front": "the front", "side": "the side", "oblique": "45° (oblique)"}
_NEEDS_VIEW = re.compile(r"^not measurable from this view \(([^)]*)\); needs (.*)$")

# Clicking an element with data-t seeks the player there and plays; nothing else runs.
_JS = """
document.addEventListener('click', function (ev) {
  var el = ev.target.closest ? ev.target.closest('[data-t]') : null;
  var video = document.getElementById('player');
  if (!el || !video) { return; }
  ev.preventDefault();
  video.currentTime = Number(el.getAttribute('data-t'));
  video.scrollIntoView({behavior: 'smooth', block: 'center'});
  var playing = video.play();
  if (playing && playing.catch) { playing.catch(function () {}); }
});
"""


def _facts_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table; values must already be HTML."""
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<div class="scroll"><table class="facts">{body}</table></div>'


def _outputs_html(outputs: Mapping[str, str]) -> str:
    """The other output files, linked when they are plain relative names."""
    items = []
    for key, name in outputs.items():
        local = _is_local(name)
        text = f'<a href="{_e(name)}">{_e(name)}</a>' if local else _e(name)
        items.append(f"{_e(key)}: {text}")
    return ", ".join(items) or "–"


def _is_local(name: str) -> bool:
    """True for a plain relative file name (no scheme, no absolute path)."""
    return "://" not in name and not name.startswith(("/", "\\")) and ":" not in name


def _banner_html(report: VideoReport) -> str:
    """The partial-report banner, or nothing when the report is complete."""
    if report.complete:
        return ""
    where = f"at {report.stopped_at_s:.1f} s" if report.stopped_at_s is not None else "early"
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    return (
        f'<div class="banner" role="alert"><strong>Partial report: decoding stopped {where}'
        f"</strong><p>The report covers what decoded before that.</p><ul>{notes}</ul></div>"
    )


def judged_text(judged: int, total: int) -> str:
    """``"2 of 5 checks judged"``: how much of the pose a score covers."""
    return f"{judged} of {total} check{'' if total == 1 else 's'} judged"


def report_score(report: VideoReport) -> float | None:
    """The clip's score: the mean of its holds' scores (``results.csv``'s ``score``)."""
    scores = [h.score for h in report.holds if h.score is not None]
    return sum(scores) / len(scores) if scores else None


def report_checks_judged(report: VideoReport) -> tuple[int, int]:
    """``(judged, total)`` over the distinct checks of the report's poses: a check counts
    as judged when any hold judged it."""
    return checks_judged(report.holds)


def checks_judged(holds: Iterable[Hold]) -> tuple[int, int]:
    """``(judged, total)`` over the distinct ``(pose, check)`` pairs of ``holds``."""
    holds = list(holds)
    total = {(h.pose, cs.check) for h in holds for cs in h.checks}
    judged = {(h.pose, cs.check) for h in holds for cs in h.checks if cs.score is not None}
    return len(judged), len(total)


def _score_text(score: float | None) -> str:
    return "n/a" if score is None or not math.isfinite(score) else f"{score:.0f}"


def _pose_title(report: VideoReport) -> str:
    """The poses held, in order of first appearance."""
    names: list[str] = []
    for hold in report.holds:
        if _display_name(hold.pose) not in names:
            names.append(_display_name(hold.pose))
    return ", ".join(names)


def _sides(report: VideoReport) -> str:
    sides: list[str] = []
    for hold in report.holds:
        side = side_text(hold)
        if side not in ("–", "no working side") and side not in sides:
            sides.append(side)
    return "; ".join(sides)


def no_hold_reason(report: VideoReport, frames_csv: Path | None = None) -> str:
    """Why a report has no hold, in a teacher's words: no person, no pose recognised, or
    a pose recognised but not held still for 2 s (``frames.csv``'s ``pose`` column)."""
    return why_no_hold(report.frames_with_person, frames_csv)


def why_no_hold(frames_with_person: int, frames_csv: Path | None = None) -> str:
    """:func:`no_hold_reason` from the count of frames with a person and ``frames.csv``."""
    if frames_with_person == 0:
        return "No person found in the video."
    poses = _recognised_poses(frames_csv) if frames_csv is not None else set()
    if not poses:
        return (
            "A person was found, but none of the four poses (Warrior 1, Tree, Half Moon, "
            "Bridge) was recognised in any frame. Film the whole body, from a view that "
            "shows the pose's shape."
        )
    names = ", ".join(sorted(_display_name(p) for p in poses if _spec(p) is not None))
    return (
        f"{names or 'A pose'} was recognised, but never held still for 2 s or more, so "
        "nothing was scored. Hold the pose steadily, with the whole body in the picture."
    )


def _recognised_poses(frames_csv: Path) -> set[str]:
    """The poses named in ``frames.csv``'s ``pose`` column (empty on any problem)."""
    found: set[str] = set()
    try:
        with open(frames_csv, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None) or []
            if "pose" not in header:
                return found
            col = header.index("pose")
            for row in reader:
                if col < len(row) and row[col]:
                    found.add(row[col])
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    return found


def _top_html(report: VideoReport, frames_csv: Path) -> str:
    """The answer first: pose, side, the score and how many checks it covers."""
    name = Path(report.source).name or report.source
    kicker = f'<p class="kicker">posecheck report · {_e(name)}</p>'
    if not report.holds:
        return (
            f'<header class="top">{kicker}<h1>No pose scored</h1>'
            f'<p class="verdict na" id="score" data-score="">'
            f"{_e(no_hold_reason(report, frames_csv))}</p>{_banner_html(report)}</header>"
        )
    score = report_score(report)
    judged, total = report_checks_judged(report)
    sides = _sides(report)
    side = f'<span class="side">{_e(sides)}</span>' if sides else ""
    held = sum(h.duration_s for h in report.holds)
    holds = f"{len(report.holds)} hold{'s' if len(report.holds) != 1 else ''}, {held:.1f} s"
    data = "" if score is None else f"{score:.1f}"
    caveat = (
        f'<p class="caveat">The score covers {judged} of the {total} checks: the others '
        'could not be judged from this video (see "Not judged" below).</p>'
        if judged < total
        else ""
    )
    return (
        f'<header class="top">{kicker}<h1>{_e(_pose_title(report))} {side}</h1>'
        f'<div class="verdict"><span class="big {score_class(score)}" id="score" '
        f'data-score="{data}">{_score_text(score)}</span><span class="of">/ 100<br>'
        f'<strong class="judged">{judged_text(judged, total)}</strong><br>'
        f'<span class="muted">{holds}</span></span></div>{caveat}'
        f"{_banner_html(report)}{_notes_html(report)}</header>"
    )


def _notes_html(report: VideoReport) -> str:
    """The report's notes under the score (a partial report's are in its banner; a
    report without holds keeps them in the folded details, under its own reason)."""
    if not report.complete or not report.notes:
        return ""
    return '<ul class="notes muted">' + "".join(f"<li>{_e(n)}</li>" for n in report.notes) + "</ul>"


def cue_text(hold: Hold, cs: CheckScore) -> str:
    """The cue in words (the check's ``message``), or its title for an unknown check."""
    check = _pose_check(hold, cs.check)
    return check.message if check is not None else cs.title


def top_cues(holds: Iterable[Hold]) -> list[tuple[Hold, CheckScore]]:
    """Every judged check of ``holds`` that reached warn or fault, worst first (lowest
    score, then fault before warn, then earliest)."""
    found = [
        (h, cs)
        for h in holds
        for cs in h.checks
        if cs.score is not None and cs.worst_severity in ("warn", "fault")
    ]
    return sorted(
        found,
        key=lambda hc: (
            hc[1].score if hc[1].score is not None else 100.0,
            hc[1].worst_severity != "fault",
            hc[1].worst_time_s if hc[1].worst_time_s is not None else math.inf,
        ),
    )


def _time_html(seconds: float | None, video: str | None) -> str:
    """A time that seeks the player when clicked (plain text without a video)."""
    text = _e(_fmt_s(seconds))
    if video is None or seconds is None or not math.isfinite(seconds):
        return text
    return f'<a class="seek" href="{_e(video)}#t={seconds:.2f}" data-t="{seconds:.2f}">{text}</a>'


def _cue_html(
    hold: Hold,
    cs: CheckScore,
    thumbnails: Mapping[tuple[int, str], bytes],
    video: str | None,
    first: bool,
) -> str:
    """One top cue: its large still, the cue in words, the value and the time."""
    sev = cs.worst_severity or ""
    data = thumbnails.get((hold.index, cs.check))
    t = cs.worst_time_s
    still = ""
    if data:
        ident = f' id="{WORST_STILL_ID}"' if first else ""
        img = f'<img{ident} src="{_image_uri(data)}" alt="{_e(cs.title)} at {_e(_fmt_s(t))}">'
        seekable = video is not None and t is not None and math.isfinite(t)
        still = (
            f'<button class="still" type="button" data-t="{t:.2f}" '
            f'title="play from {_e(_fmt_s(t))}">{img}</button>'
            if seekable and t is not None
            else f'<div class="still">{img}</div>'
        )
    value = format_value(cs.worst_value, cs.metric)
    return (
        f'<article class="cue">{still}<div class="cue-body">'
        f'<p class="cue-text sev-{_e(sev)}">{_e(cue_text(hold, cs))}</p>'
        f'<p class="muted">{_e(cs.title)}: {_e(value)} <span class="sev-{_e(sev)}">'
        f"({_e(sev)})</span> at {_time_html(t, video)}, hold {hold.index} "
        f"({_e(_display_name(hold.pose))}); check score {_score_text(cs.score)}</p>"
        "</div></article>"
    )


def _cues_html(
    report: VideoReport, thumbnails: Mapping[tuple[int, str], bytes], video: str | None
) -> str:
    """The top cues, each with its still and time, or a line saying there is none."""
    if not report.holds:
        return ""
    cues = top_cues(report.holds)[:TOP_CUES]
    if not cues:
        body = '<p class="good-news">No cue: every judged check stayed aligned.</p>'
    else:
        body = "".join(
            _cue_html(h, cs, thumbnails, video, i == 0) for i, (h, cs) in enumerate(cues)
        )
    return f'<section class="cues" id="cues"><h2>What to work on</h2>{body}</section>'


#: The ``id`` of the still that shows the people's numbers (``analyze --person N``).
PEOPLE_STILL_ID = "people-still"


def people_text(people: PeopleSeen, asked: int | None) -> str:
    """Who was followed, in words: ``"2 people in this video; posecheck followed person 1
    (the largest)."``; ``asked`` is ``--person``'s value (None when not given)."""
    count = f"{people.count} {'person' if people.count == 1 else 'people'}"
    if people.followed is None:
        return (
            f"{count} seen at once at most; --person {asked} asked for a person who was "
            "never there, so nobody was followed."
        )
    why = f"as asked with --person {asked}" if asked is not None else "the largest"
    return f"{count} in this video; posecheck followed person {people.followed} ({why})."


def _option_code(text_html: str) -> str:
    """``text_html`` with each ``--person N`` set as code that does not wrap."""
    return re.sub(r"--person \d+", lambda m: f'<code class="cmd">{m.group(0)}</code>', text_html)


def _people_html(report: VideoReport, video: str | None) -> str:
    """Who is who: the numbered still and how to follow another person; nothing when
    only one person was seen and ``--person`` was not given."""
    people = report.people
    asked_setting = report.settings.get("person")
    asked = asked_setting if isinstance(asked_setting, int) else None
    if people is None or (people.count < 2 and asked is None):
        return ""
    t = people.first_seen_s
    still = ""
    if people.still_jpeg:
        alt = f"The people numbered left to right at {_fmt_s(t)}"
        img = f'<img id="{PEOPLE_STILL_ID}" src="{_image_uri(people.still_jpeg)}" alt="{_e(alt)}">'
        still = (
            f'<button class="still" type="button" data-t="{t:.2f}" '
            f'title="play from {_e(_fmt_s(t))}">{img}</button>'
            if video is not None and math.isfinite(t)
            else f'<div class="still">{img}</div>'
        )
    tail = "; the green disc is the person followed." if people.followed else "."
    numbered = f"Numbered left to right at {_time_html(t, video)}{tail}"
    return (
        f'<section class="people" id="people">{still}<div class="people-body">'
        f'<p class="people-text">{_option_code(_e(people_text(people, asked)))}</p>'
        f'<p class="muted">{numbered} Use <code class="cmd">--person N</code> to follow '
        "another.</p></div></section>"
    )


def _video_html(video: str | None) -> str:
    """The annotated video, embedded (clicking a cue's still or time seeks it)."""
    if video is None:
        return ""
    return (
        '<section id="video"><h2>Video</h2><video id="player" controls playsinline muted '
        f'preload="metadata" src="{_e(video)}"></video><p class="muted">Click a cue\'s '
        "picture or time to jump there.</p></section>"
    )


def _summary_html(report: VideoReport) -> str:
    """The table of holds (nothing without holds: the top of the page says why)."""
    if not report.holds:
        return ""  # the top of the page says why
    head = "<tr><th>#</th><th>Pose</th><th>Time</th><th>Score</th><th>Checks judged</th></tr>"
    rows = "".join(_summary_row(h) for h in report.holds)
    return f'<h2>Holds</h2><div class="scroll"><table>{head}{rows}</table></div>'


def _summary_row(hold: Hold) -> str:
    """One hold's row of the summary table (the view is in the hold's own heading)."""
    return (
        f'<tr><td class="num"><a href="#hold-{hold.index}">{hold.index}</a></td>'
        f"<td>{_e(_display_name(hold.pose))}<br><span class='muted'>{_e(side_text(hold))}"
        f'</span></td><td class="num">{hold.start_s:.1f}–{hold.end_s:.1f} s</td>'
        f"{_score_cell(hold.score)}<td>{hold.checks_judged} of {hold.checks_total}</td></tr>"
    )


def _not_measurable(reason: str | None) -> str:
    """``"not measurable: <reason>"`` without doubling an existing prefix."""
    text = reason or "never judged"
    return text if text.startswith("not measurable") else f"not measurable: {text}"


def _views_text(views: Iterable[str]) -> str:
    words = [_VIEW_WORDS.get(v, v) for v in views]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def unjudged_text(hold: Hold, cs: CheckScore) -> str:
    """Why a check was not judged, and the view that would judge it, in one line."""
    check = _pose_check(hold, cs.check)
    reason = cs.reason or ""
    if check is not None and check.on_with_correction and switched_off(reason):
        return "switched off without the landmark correction: analyse with --correct to judge it"
    if switched_off(reason) or (check is not None and not check.is_on(corrected=True)):
        return "switched off: not yet reliable from any camera view"
    match = _NEEDS_VIEW.match(reason)
    views = _views_text(check.views) if check is not None else ""
    if match:
        seen, needs = match.groups()
        film = views or needs
        return f"not seen from this camera ({seen} view): film from {film} to judge it"
    tail = f"; judged from {views}" if views else ""
    return _not_measurable(reason) + tail


def _unjudged_html(hold: Hold) -> str:
    """One line per check the hold did not judge, with the reason; the long why of a
    switched-off check folds away."""
    items = []
    for cs in hold.checks:
        if cs.score is not None:
            continue
        why = ""
        if switched_off(cs.reason):
            why = f' <details class="why"><summary>why</summary>{_e(cs.reason)}</details>'
        items.append(
            f"<li><strong>{_e(cs.title)}</strong>: {_e(unjudged_text(hold, cs))}{why}</li>"
        )
    if not items:
        return ""
    return (
        '<p class="muted">Not judged (left out of the score):</p>'
        f'<ul class="unjudged">{"".join(items)}</ul>'
    )


def _check_row(cs: CheckScore) -> str:
    """One judged check's row of a hold's table."""
    aligned = _pct_text(cs.aligned_pct)
    sev = cs.worst_severity or ""
    sev_html = (
        f' <span class="sev-{_e(sev)}">({_e(sev)})</span>' if sev in ("warn", "fault") else ""
    )
    return (
        f"<tr><td>{_e(cs.title)}</td>{_score_cell(cs.score)}<td class='num'>{aligned}</td>"
        f"<td class='num'>{_e(format_value(cs.worst_value, cs.metric))}{sev_html}</td>"
        f"<td class='num'>{_e(_fmt_s(cs.worst_time_s))}</td></tr>"
    )


def _image_uri(data: bytes) -> str:
    """A ``data:`` URI for JPEG (or PNG) bytes."""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _thumbs_html(
    hold: Hold,
    thumbnails: Mapping[tuple[int, str], bytes],
    shown: Container[tuple[int, str]],
    video: str | None,
) -> str:
    """Stills of the worst moments of the checks that reached warn or fault and are not
    among the top cues already."""
    figures = []
    for cs in hold.checks:
        data = thumbnails.get((hold.index, cs.check))
        if cs.worst_severity not in ("warn", "fault") or not data:
            continue
        if (hold.index, cs.check) in shown:
            continue
        caption = (
            f"{_e(cs.title)}: {_e(format_value(cs.worst_value, cs.metric))} "
            f'<span class="sev-{_e(cs.worst_severity)}">({_e(cs.worst_severity)})</span> '
            f"at {_time_html(cs.worst_time_s, video)}"
        )
        figures.append(
            f'<figure><img src="{_image_uri(data)}" alt="{_e(cs.title)}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    return f'<div class="thumbs">{"".join(figures)}</div>' if figures else ""


def _hold_html(
    hold: Hold,
    thumbnails: Mapping[tuple[int, str], bytes],
    shown: Container[tuple[int, str]],
    video: str | None,
) -> str:
    """One hold: heading, its judged checks' table, the not-judged lines, other stills."""
    sway = f", sway {hold.sway_pct:.1f} % of leg length" if hold.sway_pct is not None else ""
    head = (
        f'<h3 id="hold-{hold.index}">Hold {hold.index}: {_e(_display_name(hold.pose))} '
        f"({_e(side_text(hold))}), {hold.start_s:.1f}–{hold.end_s:.1f} s: "
        f"score {_score_text(hold.score)}, {judged_text(hold.checks_judged, hold.checks_total)}"
        f"</h3><p class='muted'>{hold.frames} frames, {_e(hold.view)} view, "
        f"recognition confidence {hold.confidence:.2f}{sway}</p>"
    )
    judged = [cs for cs in hold.checks if cs.score is not None]
    table = ""
    if judged:
        cols = "<tr><th>Check</th><th>Score</th><th>Aligned</th><th>Worst</th><th>at</th></tr>"
        rows = "".join(_check_row(cs) for cs in judged)
        table = f'<div class="scroll"><table class="checks">{cols}{rows}</table></div>'
    thumbs = _thumbs_html(hold, thumbnails, shown, video)
    return f"<section class='hold'>{head}{table}{_unjudged_html(hold)}{thumbs}</section>"


def _judged_users(report: VideoReport) -> dict[str, list[tuple[Hold, CheckScore]]]:
    """:func:`metrics_used` restricted to judged checks: nothing is plotted for a check
    that was switched off or not measurable from the view."""
    used = metrics_used(report.holds)
    judged = {m: [(h, cs) for h, cs in users if cs.score is not None] for m, users in used.items()}
    return {m: users for m, users in judged.items() if users}


def _plots_html(report: VideoReport, frames_csv: Path) -> str:
    """One timeline plot per metric of a judged check, folded away."""
    used = _judged_users(report)
    if not used:
        return ""
    t, series = read_series(frames_csv, list(used))
    legend = (
        '<p class="legend muted"><span><span class="swatch" style="background:#ddd"></span>'
        "hold (#index)</span><span><span class='swatch' style='background:#f6dca0'></span>"
        "warning range</span><span><span class='swatch' style='background:#f3bdbb'></span>"
        "fault range</span><span><span class='swatch' style='background:#c4d8f3'></span>"
        "shown as info only</span> Thresholds apply during the holds that check them; "
        "gaps are frames where the value could not be measured.</p>"
    )
    figures = [_plot_figure(m, t, series[m], report, users) for m, users in used.items()]
    return (
        '<details class="fold" id="timelines"><summary>Timelines of the judged measures'
        f"</summary>{legend}{''.join(figures)}</details>"
    )


def _plot_figure(
    metric: str,
    t: FloatArray,
    y: FloatArray,
    report: VideoReport,
    users: Sequence[tuple[Hold, CheckScore]],
) -> str:
    """A captioned plot figure for one metric."""
    checks = sorted({f"{cs.title} (hold {h.index})" for h, cs in users})
    unit = METRIC_UNITS.get(metric, "")
    return (
        f'<figure class="plot"><figcaption><strong>{_e("; ".join(checks))}</strong>'
        f" <span class='muted'>{_e(metric)}{' (' + _e(unit) + ')' if unit else ''}</span>"
        f"</figcaption>{plot_metric_svg(metric, t, y, report, users)}</figure>"
    )


_METHOD = (
    "<h3>How scores are computed</h3><p>Each check is judged on every frame of a hold "
    "where it can be measured from the camera's view. A frame counts 1 when aligned (or "
    "when the finding is informational only), 0.5 at a warning and 0 at a fault; a "
    "check's score is the mean over its judged frames, times 100. A hold's score is the "
    "mean of its checks' scores (checks never judged are left out, which is why every "
    "score says how many checks it covers). Transitions between holds are not scored. "
    "Colours: 80 or more green, 50 or more amber, below 50 red.</p>"
)


def _ids_html(report: VideoReport) -> str:
    """Every check of the holds with its id, metric and thresholds."""
    rows = []
    seen: set[tuple[str, str]] = set()
    for hold in report.holds:
        for cs in hold.checks:
            if (hold.pose, cs.check) in seen:
                continue
            seen.add((hold.pose, cs.check))
            check = _pose_check(hold, cs.check)
            rule = check.describe_threshold() if check is not None else "–"
            rows.append(
                f"<tr><td>{_e(cs.title)}</td><td><code>{_e(hold.pose)}.{_e(cs.check)}</code>"
                f"</td><td><code>{_e(cs.metric)}</code></td><td>{_e(rule)}</td></tr>"
            )
    if not rows:
        return ""
    head = "<tr><th>Check</th><th>Id</th><th>Metric</th><th>Thresholds</th></tr>"
    table = f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'
    return f"<h3>Checks and metric ids</h3>{table}"


def _details_html(report: VideoReport) -> str:
    """Source, video facts, settings, frame counts and outputs, folded at the bottom."""
    v = report.video
    fps = f"{v.fps:.2f}" if math.isfinite(v.fps) else "–"
    settings = "<br>".join(f"{_e(k)} = {_e(val)}" for k, val in report.settings.items())
    rows = [
        ("Source", _e(report.source)),
        (
            "Video",
            f"{v.width}×{v.height} px, {fps} fps, {_e(_fmt_s(v.duration_s))}, "
            f"rotation {v.rotation_deg}°, codec {_e(v.codec)}",
        ),
        ("Settings", settings or "–"),
        ("Complete", "yes" if report.complete else "<strong>no (partial)</strong>"),
        (
            "Frames",
            f"{report.frames_decoded} decoded, {report.frames_analysed} analysed, "
            f"{report.frames_with_person} with a person",
        ),
        ("Outputs", _outputs_html(report.outputs)),
    ]
    if report.notes:
        rows.append(("Notes", "<br>".join(_e(n) for n in report.notes)))
    return (
        '<details class="fold" id="details"><summary>Settings, files and metric ids</summary>'
        f"{_facts_table(rows)}{_ids_html(report)}{_METHOD}</details>"
    )


def _video_name(report: VideoReport) -> str | None:
    """The annotated video's relative file name, when the report lists one."""
    name = report.outputs.get("annotated_video")
    return name if name and _is_local(name) else None


def render_html(
    report: VideoReport,
    frames_csv: Path,
    thumbnails: Mapping[tuple[int, str], bytes],
) -> str:
    """The whole ``report.html`` as one self-contained HTML document.

    The answer comes first (pose, side, score and how many checks it covers), then who
    was followed when there were several people (a still with their numbers), the
    top cues with their stills and times, the annotated video (embedded when
    ``report.outputs`` lists ``annotated_video``; a cue's still or time seeks it), the
    holds with their checks (one line each for those not judged, with the reason and
    the view that would judge them), the timelines of the judged measures, and at the
    bottom, folded, the settings, files and metric ids.

    Args:
        report: what ``posecheck analyze`` found.
        frames_csv: the per-frame table (read for the timeline plots and for why no
            pose was held; a missing or empty file gives empty plots).
        thumbnails: JPEG bytes of the annotated frame at each check's worst moment, keyed
            by ``(hold index, check id)``; missing keys are skipped.
    """
    title = f"posecheck: {_e(Path(report.source).name or report.source)}"
    video = _video_name(report)
    shown = {(h.index, cs.check) for h, cs in top_cues(report.holds)[:TOP_CUES]}
    holds = "".join(_hold_html(h, thumbnails, shown, video) for h in report.holds)
    body = (
        f"{_top_html(report, frames_csv)}{_people_html(report, video)}"
        f"{_cues_html(report, thumbnails, video)}"
        f"{_video_html(video)}{_summary_html(report)}{holds}"
        f"{_plots_html(report, frames_csv)}{_details_html(report)}"
    )
    script = f"<script>{_JS}</script>" if video is not None else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main>{script}</body></html>\n"
    )


def _pct_text(pct: float | None) -> str:
    """A share in %, never rounded up to a misleading "100 %" or down to "0 %"."""
    if pct is None:
        return "–"
    if 99.5 <= pct < 100.0 or 0.0 < pct < 0.5:
        return f"{pct:.1f} %"
    return f"{pct:.0f} %"
