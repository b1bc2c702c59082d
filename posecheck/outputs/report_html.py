"""``report.html``: one self-contained page that explains a :class:`VideoReport`.

:func:`render_html` turns the report, the per-frame ``frames.csv`` and JPEG thumbnails of
the worst moments into a single HTML document: inline CSS, images as ``data:`` URIs and
timeline plots as inline SVG drawn by matplotlib. Nothing is fetched from the network and
there is no JavaScript. Every string that comes from data (file names, notes, reasons) is
escaped.

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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from posecheck.measure.geometry import METRIC_UNITS
from posecheck.poses import get_pose
from posecheck.poses.base import PoseCheck, PoseSpec
from posecheck.report import CheckScore, Hold, VideoReport
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
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #222; background: #fafafa; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; word-break: break-all; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; margin: .5rem 0; background: #fff; }
th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
.facts th { width: 13rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.score { font-weight: 700; text-align: right; font-variant-numeric: tabular-nums; }
.good { background: #d6f0d6; color: #145214; }
.fair { background: #fde8bf; color: #6b4500; }
.poor { background: #f8d0cd; color: #7a1511; }
.na { background: #eee; color: #666; }
.sev-warn { color: #8a5a00; font-weight: 600; }
.sev-fault { color: #a4221d; font-weight: 600; }
.muted { color: #666; }
.banner { background: #fff3cd; border: 2px solid #e0a800; padding: .8rem 1rem;
  border-radius: 6px; margin: 1rem 0; }
.banner strong { font-size: 1.1rem; color: #7a4f00; }
.empty { background: #eef4fb; border: 1px solid #b8d0ea; padding: .8rem 1rem;
  border-radius: 6px; }
.thumbs { display: flex; flex-wrap: wrap; gap: 1rem; }
.thumbs figure { margin: 0; background: #fff; border: 1px solid #ddd; padding: .4rem;
  width: min-content; min-width: 220px;
  max-width: 340px; }
.thumbs img { max-width: 100%; max-height: 300px; width: auto; height: auto; display: block; }
figcaption { font-size: .9rem; margin-top: .3rem; }
figure.plot { margin: 0 0 1rem; background: #fff; border: 1px solid #ddd; padding: .4rem; }
figure.plot svg { width: 100%; height: auto; display: block; }
.legend span { display: inline-block; margin-right: 1.2rem; }
.swatch { display: inline-block; width: 1.6rem; height: .7rem; vertical-align: middle;
  margin-right: .3rem; }
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


def _facts_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table; values must already be HTML."""
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="facts">{body}</table>'


def _outputs_html(outputs: Mapping[str, str]) -> str:
    """The other output files, linked when they are plain relative names."""
    items = []
    for key, name in outputs.items():
        local = "://" not in name and not name.startswith(("/", "\\")) and ":" not in name
        text = f'<a href="{_e(name)}">{_e(name)}</a>' if local else _e(name)
        items.append(f"{_e(key)}: {text}")
    return ", ".join(items) or "–"


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


def _header_html(report: VideoReport) -> str:
    """File name, video facts, settings, completeness, frame counts and notes."""
    v = report.video
    name = Path(report.source).name or report.source
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
    if report.complete and report.notes:
        rows.append(("Notes", "<br>".join(_e(n) for n in report.notes)))
    return (
        f"<header><h1>posecheck: {_e(name)}</h1>{_banner_html(report)}{_facts_table(rows)}</header>"
    )


def _summary_html(report: VideoReport) -> str:
    """The table of holds, or a friendly explanation when there are none."""
    if not report.holds:
        return (
            '<h2>Holds</h2><p class="empty">No pose was held steadily for 2 s or more; '
            "nothing was scored. A hold starts once one of the poses (Warrior 1, Tree, Half "
            "Moon, Bridge) is recognised with the body still. Try holding each pose longer, "
            "with the whole body in the picture.</p>"
        )
    head = (
        "<tr><th>#</th><th>Pose</th><th>Side</th><th>Time</th><th>Duration</th>"
        "<th>View</th><th>Score</th></tr>"
    )
    rows = "".join(_summary_row(h) for h in report.holds)
    return f"<h2>Holds</h2><table>{head}{rows}</table>"


def _summary_row(hold: Hold) -> str:
    """One hold's row of the summary table."""
    return (
        f'<tr><td class="num"><a href="#hold-{hold.index}">{hold.index}</a></td>'
        f"<td>{_e(_display_name(hold.pose))}</td><td>{_e(side_text(hold))}</td>"
        f'<td class="num">{hold.start_s:.1f}–{hold.end_s:.1f} s</td>'
        f'<td class="num">{_e(_fmt_s(hold.duration_s))}</td><td>{_e(hold.view)}</td>'
        f"{_score_cell(hold.score)}</tr>"
    )


def _not_measurable(reason: str | None) -> str:
    """``"not measurable: <reason>"`` without doubling an existing prefix."""
    text = reason or "never judged"
    return text if text.startswith("not measurable") else f"not measurable: {text}"


def _check_row(cs: CheckScore) -> str:
    """One check's row of a hold's table."""
    title = f"<td>{_e(cs.title)}<br><span class='muted'>{_e(cs.metric)}</span></td>"
    if cs.score is None:
        reason = _e(_not_measurable(cs.reason))
        return f'<tr>{title}{_score_cell(None)}<td colspan="4">{reason}</td></tr>'
    aligned = _pct_text(cs.aligned_pct)
    sev = cs.worst_severity or ""
    sev_html = (
        f' <span class="sev-{_e(sev)}">({_e(sev)})</span>' if sev in ("warn", "fault") else ""
    )
    return (
        f"<tr>{title}{_score_cell(cs.score)}<td class='num'>{aligned}</td>"
        f"<td class='num'>{_e(format_value(cs.worst_value, cs.metric))}{sev_html}</td>"
        f"<td class='num'>{_e(_fmt_s(cs.worst_time_s))}</td>"
        f"<td class='num'>{cs.frames_judged}/{cs.frames_total}</td></tr>"
    )


def _image_uri(data: bytes) -> str:
    """A ``data:`` URI for JPEG (or PNG) bytes."""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _thumbs_html(hold: Hold, thumbnails: Mapping[tuple[int, str], bytes]) -> str:
    """Thumbnails of the worst moments of the checks that reached warn or fault."""
    figures = []
    for cs in hold.checks:
        data = thumbnails.get((hold.index, cs.check))
        if cs.worst_severity not in ("warn", "fault") or not data:
            continue
        caption = (
            f"{_e(cs.title)}: {_e(format_value(cs.worst_value, cs.metric))} "
            f'<span class="sev-{_e(cs.worst_severity)}">({_e(cs.worst_severity)})</span> '
            f"at {_e(_fmt_s(cs.worst_time_s))}"
        )
        figures.append(
            f'<figure><img src="{_image_uri(data)}" alt="{_e(cs.title)}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    return f'<div class="thumbs">{"".join(figures)}</div>' if figures else ""


def _hold_html(hold: Hold, thumbnails: Mapping[tuple[int, str], bytes]) -> str:
    """One hold: heading, its checks' table and the worst-moment thumbnails."""
    sway = f", sway {hold.sway_pct:.1f} % of leg length" if hold.sway_pct is not None else ""
    score = "n/a" if hold.score is None else f"{hold.score:.0f}"
    head = (
        f'<h3 id="hold-{hold.index}">Hold {hold.index}: {_e(_display_name(hold.pose))} '
        f"({_e(side_text(hold))}), {hold.start_s:.1f}–{hold.end_s:.1f} s, "
        f"score {score}</h3><p class='muted'>{hold.frames} frames, view {_e(hold.view)}, "
        f"recognition confidence {hold.confidence:.2f}{sway}</p>"
    )
    cols = (
        "<tr><th>Check</th><th>Score</th><th>Aligned</th><th>Worst value</th>"
        "<th>Worst at</th><th>Judged frames</th></tr>"
    )
    rows = "".join(_check_row(cs) for cs in hold.checks)
    thumbs = _thumbs_html(hold, thumbnails)
    return f"<section class='hold'>{head}<table>{cols}{rows}</table>{thumbs}</section>"


def _plots_html(report: VideoReport, frames_csv: Path) -> str:
    """One timeline plot per metric used by any hold's checks."""
    used = metrics_used(report.holds)
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
    return f"<h2>Timelines</h2>{legend}{''.join(figures)}"


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
        f'<figure class="plot"><figcaption><strong>{_e(metric)}</strong>'
        f"{' (' + _e(unit) + ')' if unit else ''}: {_e('; '.join(checks))}</figcaption>"
        f"{plot_metric_svg(metric, t, y, report, users)}</figure>"
    )


_METHOD = (
    "<h2>How scores are computed</h2><p>Each check is judged on every frame of a hold "
    "where it can be measured from the camera's view. A frame counts 1 when aligned (or "
    "when the finding is informational only), 0.5 at a warning and 0 at a fault; a "
    "check's score is the mean over its judged frames, times 100. A hold's score is the "
    "mean of its checks' scores (checks never judged are left out). Transitions between "
    "holds are not scored. Colours: 80 or more green, 50 or more amber, below 50 red.</p>"
)


def render_html(
    report: VideoReport,
    frames_csv: Path,
    thumbnails: Mapping[tuple[int, str], bytes],
) -> str:
    """The whole ``report.html`` as one self-contained HTML document.

    Args:
        report: what ``posecheck analyze`` found.
        frames_csv: the per-frame table (read for the timeline plots; a missing or empty
            file gives empty plots).
        thumbnails: JPEG bytes of the annotated frame at each check's worst moment, keyed
            by ``(hold index, check id)``; missing keys are skipped.
    """
    title = f"posecheck: {_e(Path(report.source).name or report.source)}"
    holds = "".join(_hold_html(h, thumbnails) for h in report.holds)
    body = (
        f"{_header_html(report)}{_summary_html(report)}{holds}"
        f"{_plots_html(report, frames_csv)}{_METHOD}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _pct_text(pct: float | None) -> str:
    """A share in %, never rounded up to a misleading "100 %" or down to "0 %"."""
    if pct is None:
        return "–"
    if 99.5 <= pct < 100.0 or 0.0 < pct < 0.5:
        return f"{pct:.1f} %"
    return f"{pct:.0f} %"
