"""``index.html`` of a batch: one self-contained page (inline CSS and JS, no external
links) that answers first: one card per clip with a still of its worst moment, the pose
and side, the score in colour with how many checks it covers, the top cue in words (or
why nothing was scored) and a link to the clip's report. The per-check score columns
fold away below, in a table sortable by clicking a column header.

The rows are :mod:`posecheck.outputs.batch_table` rows. What a row does not hold (the
still, the cue, the side, the coverage) is read from the clip's folder next to the page:
its ``report.json``, ``frames.csv`` and the still that ``report.html`` embeds
(:data:`posecheck.outputs.report_html.WORST_STILL_ID`); see :func:`clip_view`. Every name
and message is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from posecheck.io.atomic import write_text
from posecheck.outputs.batch_table import BASE_FIELDS, CHECK_FIELDS, NO_PERSON, Row
from posecheck.report import CheckScore, Hold

INDEX_HTML = "index.html"

_STILL = re.compile(r'<img id="worst-still" src="(data:image/(?:jpeg|png);base64,[A-Za-z0-9+/=]+)"')


@dataclass(frozen=True)
class ClipView:
    """What a clip's card shows beyond its ``results.csv`` row.

    Attributes:
        poses: the poses held, as people read them (``"Warrior 1"``), in order.
        sides: the working sides with their meaning (``"front leg: left"``).
        judged, total: the score covers ``judged`` of the ``total`` distinct checks.
        cue: the top cue in words (the worst judged check that warned or faulted).
        cue_time_s: when that cue's worst moment was.
        why: why nothing was scored (no hold), in words.
        still: a ``data:`` URI of the worst moment's annotated frame.
    """

    poses: tuple[str, ...] = ()
    sides: tuple[str, ...] = ()
    judged: int = 0
    total: int = 0
    cue: str | None = None
    cue_time_s: float | None = None
    why: str | None = None
    still: str | None = None


def _hold(d: Mapping[str, Any]) -> Hold:
    """A :class:`Hold` from its JSON form (``report.json``'s ``holds[]``)."""
    fields = CheckScore.__dataclass_fields__
    checks = d.get("checks")
    score = d.get("score")
    return Hold(
        index=int(d["index"]),
        pose=str(d["pose"]),
        side=d.get("side"),
        start_s=float(d.get("start_s") or 0.0),
        end_s=float(d.get("end_s") or 0.0),
        frames=int(d.get("frames") or 0),
        confidence=float(d.get("confidence") or 0.0),
        view=str(d.get("view", "")),
        checks=tuple(
            CheckScore(**{k: v for k, v in c.items() if k in fields})
            for c in (checks if isinstance(checks, list) else [])
            if isinstance(c, dict)
        ),
        score=None if score is None else float(score),
    )


def view_from_report(
    report: Mapping[str, object], frames_csv: Path | None = None, still: str | None = None
) -> ClipView:
    """A :class:`ClipView` from a clip's ``report.json`` (as a dict), its ``frames.csv``
    (to say why nothing was held) and the still's ``data:`` URI."""
    from posecheck.outputs import report_html as rh

    raw = report.get("holds")
    holds = [_hold(h) for h in raw if isinstance(h, dict)] if isinstance(raw, list) else []
    if not holds:
        people = report.get("frames_with_person")
        why = rh.why_no_hold(people if isinstance(people, int) else 0, frames_csv)
        return ClipView(why=why)
    poses: list[str] = []
    sides: list[str] = []
    for hold in holds:
        name = rh.pose_display_name(hold.pose)
        side = rh.side_text(hold)
        if name not in poses:
            poses.append(name)
        if side not in ("–", "no working side") and side not in sides:
            sides.append(side)
    judged, total = rh.checks_judged(holds)
    cues = rh.top_cues(holds)
    cue = rh.cue_text(*cues[0]) if cues else None
    cue_time = cues[0][1].worst_time_s if cues else None
    return ClipView(tuple(poses), tuple(sides), judged, total, cue, cue_time, None, still)


_CACHE: dict[tuple[str, int, int], ClipView] = {}


def clip_view(folder: Path) -> ClipView | None:
    """The :class:`ClipView` of the clip whose outputs are in ``folder``, or None when it
    has no readable ``report.json``. Cached by ``report.json``'s time and size (the page
    is rewritten after every clip)."""
    path = folder / "report.json"
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key in _CACHE:
            return _CACHE[key]
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(report, dict):
        return None
    try:
        view = view_from_report(report, folder / "frames.csv", worst_still(folder))
    except (KeyError, TypeError, ValueError):
        return None
    _CACHE[key] = view
    return view


def worst_still(folder: Path) -> str | None:
    """The ``data:`` URI of the worst moment's still that ``folder/report.html`` embeds
    (its first top cue's picture), or None."""
    try:
        text = (folder / "report.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _STILL.search(text)
    return match.group(1) if match else None


_INDEX_CSS = """
*{box-sizing:border-box}
body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem 2rem}
h1{font-size:1.5rem;margin:.2rem 0}
.sort button{font:inherit;margin:0 .3rem .3rem 0;padding:.15rem .6rem;border:1px solid #bbb;
border-radius:4px;background:#fff;cursor:pointer}
.sort button[aria-pressed=true]{background:#222;color:#fff;border-color:#222}
.clips{list-style:none;padding:0;margin:.6rem 0}
.clip{display:grid;grid-template-columns:144px 15rem 9.5rem 1fr 5.5rem;gap:.4rem 1rem;
align-items:center;background:#fff;border:1px solid #ddd;border-radius:8px;padding:.5rem;
margin:.5rem 0}
.thumb{width:144px;height:108px;display:flex;align-items:center;justify-content:center;
background:#eef0f2;border-radius:4px;overflow:hidden;color:#777;font-size:.8rem;
text-align:center}
.thumb img{width:100%;height:100%;object-fit:contain;display:block}
.name{font-weight:600;overflow-wrap:anywhere}
.pose{font-size:1.05rem}.side,.muted{color:#666}
.score{display:inline-block;font-size:1.6rem;font-weight:700;border-radius:8px;
padding:0 .5rem;font-variant-numeric:tabular-nums}
.judged{font-size:.85rem;color:#444}.judged.few{color:#8a5a00;font-weight:600}
.good{background:#d6f0d6;color:#145214}.fair{background:#fde8bf;color:#6b4500}
.poor{background:#f8d0cd;color:#7a1511}.na{background:#eee;color:#555}
.cue{font-weight:600}.cue.fault{color:#a4221d}.why{color:#444}
.status-error{color:#b00020}.status-partial{color:#a15c00}
.go a{display:inline-block;padding:.3rem .6rem;border:1px solid #3b5b8d;border-radius:5px;
text-decoration:none;color:#234}
details{margin-top:1.4rem}summary{font-weight:600;cursor:pointer}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;background:#fff;font-size:.9rem}
th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}
th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}
th[data-dir=asc]::after{content:" \\25B2"}th[data-dir=desc]::after{content:" \\25BC"}
td.num{text-align:right}.error{color:#b00020}.partial{color:#a15c00}.ok{color:#1b5e20}
td.msg{white-space:normal;max-width:40em}
@media (max-width:760px){
main{padding:.6rem .7rem 1.5rem}
.clip{grid-template-columns:112px 1fr;gap:.3rem .7rem;align-items:start}
.thumb{width:112px;height:84px;grid-row:span 3}
.clip .verdict,.clip .answer,.clip .go{grid-column:2}
.clip .answer{grid-column:1 / -1}
.clip .go{grid-column:1 / -1}
.go a{display:block;text-align:center}
}
"""

_INDEX_JS = """
document.querySelectorAll('th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var asc = th.dataset.dir !== 'asc';
    th.parentNode.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = asc ? 'asc' : 'desc';
    var key = function (r) {
      var t = r.cells[col].textContent.trim();
      var n = Number(t);
      return t === '' ? null : (isNaN(n) ? t.toLowerCase() : n);
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null || y === null) { return x === y ? 0 : (x === null ? 1 : -1); }
      if (typeof x !== typeof y) { return typeof x === 'number' ? -1 : 1; }
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.querySelectorAll('.sort button').forEach(function (button) {
  button.addEventListener('click', function () {
    var list = document.querySelector('.clips');
    var by = button.dataset.by;
    var items = Array.prototype.slice.call(list.children);
    items.sort(function (a, b) {
      if (by === 'name') { return a.dataset.name < b.dataset.name ? -1 : 1; }
      var x = a.dataset.score === '' ? 1e9 : Number(a.dataset.score);
      var y = b.dataset.score === '' ? 1e9 : Number(b.dataset.score);
      return by === 'worst' ? x - y : (y === 1e9 ? -1 : x === 1e9 ? 1 : y - x);
    });
    items.forEach(function (li) { list.appendChild(li); });
    document.querySelectorAll('.sort button').forEach(function (b) {
      b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
    });
  });
});
"""

_NUMERIC = {"duration_s", "frames_analysed", "holds", "hold_seconds", "score"}


def _index_columns(rows: Sequence[Row]) -> list[str]:
    """The folded table's columns: every base field, and the check scores some clip
    has."""
    checks = [c for c in CHECK_FIELDS if any(r.get(c) for r in rows)]
    return [c for c in BASE_FIELDS if c != "clip_id"] + checks


def _index_cell(row: Row, column: str) -> str:
    value = html.escape(row.get(column, ""))
    if column == "status":
        return f'<td class="{value}">{value}</td>'
    if column == "error":
        return f'<td class="msg">{value}</td>'
    numeric = column in _NUMERIC or column.startswith("score_")
    return f'<td class="num">{value}</td>' if numeric else f"<td>{value}</td>"


def _href(row: Row) -> str:
    return html.escape(quote(row["clip_id"]) + "/report.html", quote=True)


def _index_row(row: Row, columns: Sequence[str], linked: bool) -> str:
    name = html.escape(row["clip_id"])
    first = f'<td><a href="{_href(row)}">{name}</a></td>' if linked else f"<td>{name}</td>"
    return "<tr>" + first + "".join(_index_cell(row, c) for c in columns) + "</tr>"


def _score(row: Row) -> float | None:
    try:
        value = float(row.get("score", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _score_class(score: float | None) -> str:
    if score is None:
        return "na"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def _breakable(name: str) -> str:
    """``name`` escaped, with line-break chances after each ``_`` (long clip ids)."""
    return html.escape(name).replace("_", "_<wbr>")


def _first_sentence(text: str) -> str:
    """The first sentence of ``text`` (the card is short; the report says the rest)."""
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def _why(row: Row, view: ClipView | None) -> str:
    """Why a clip without a score has none, in words."""
    if row.get("status") == "error":
        error = row.get("error", "")
        if error == NO_PERSON:
            return "No person found in the video."
        return f"Could not be analysed: {error}" if error else "Could not be analysed."
    if view is not None and view.why:
        return _first_sentence(view.why)
    if row.get("holds") == "0":
        return "No pose was held still for 2 s or more."
    return "Not scored."


def _card(row: Row, view: ClipView | None, linked: bool) -> str:
    """One clip's card: still, name with pose and side, score, top cue or why, link."""
    e = html.escape
    score = _score(row)
    still = view.still if view is not None else None
    thumb = (
        f'<img src="{e(still, quote=True)}" alt="worst moment of {e(row["clip_id"])}">'
        if still
        else "<span>no fault to show</span>"
        if score is not None
        else "<span>not scored</span>"
    )
    poses = ", ".join(view.poses) if view is not None and view.poses else ""
    sides = "; ".join(view.sides) if view is not None else ""
    who = (
        f'<div class="pose">{e(poses)}</div>'
        + (f'<div class="side">{e(sides)}</div>' if sides else "")
        if poses
        else ""
    )
    status = row.get("status", "")
    flag = (
        f' <span class="status-{e(status)}">({e(status)}: {e(row.get("error", ""))})</span>'
        if status == "partial"
        else ""
    )
    if score is not None:
        judged = (
            f"{view.judged} of {view.total} checks judged"
            if view is not None and view.total
            else ""
        )
        few = " few" if view is not None and 2 * view.judged < view.total else ""
        verdict = (
            f'<span class="score {_score_class(score)}">{score:.0f}</span>'
            f'<div class="judged{few}">{e(judged)}</div>'
        )
        if view is not None and view.cue:
            when = "" if view.cue_time_s is None else f" (at {view.cue_time_s:.1f} s)"
            answer = f'<div class="cue">{e(view.cue)}</div><div class="muted">{e(when)}</div>'
        else:
            answer = '<div class="muted">No cue: every judged check stayed aligned.</div>'
    else:
        verdict = '<span class="score na">–</span><div class="judged">not scored</div>'
        answer = f'<div class="why">{e(_why(row, view))}</div>'
    link = (
        f'<a href="{_href(row)}">Report</a>' if linked else '<span class="muted">no report</span>'
    )
    data_score = "" if score is None else f"{score:.1f}"
    return (
        f'<li class="clip" data-name="{e(row["clip_id"], quote=True)}" data-score="{data_score}">'
        f'<div class="thumb">{thumb}</div>'
        f'<div class="who"><div class="name">{_breakable(row["clip_id"])}</div>{who}{flag}</div>'
        f'<div class="verdict">{verdict}</div><div class="answer">{answer}</div>'
        f'<div class="go">{link}</div></li>'
    )


def index_html_text(
    rows: Sequence[Row],
    linked: Container[str] = frozenset(),
    views: Mapping[str, ClipView] | None = None,
) -> str:
    """``index.html`` as text: one card per clip, then the per-check scores folded away in
    a table sortable by clicking a header, with a line counting the clips per status.

    Every name is HTML-escaped; a clip whose id is in ``linked`` (it has a
    ``<clip-id>/report.html``) links to that report. ``views`` gives, by clip id, what a
    card shows beyond the row (:func:`clip_view`); a clip without one shows its row only.
    """
    views = views or {}
    columns = _index_columns(rows)
    head = "<th>clip</th>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "\n".join(_index_row(r, columns, r["clip_id"] in linked) for r in rows)
    cards = "\n".join(_card(r, views.get(r["clip_id"]), r["clip_id"] in linked) for r in rows)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "partial", "error")}
    summary = f"{len(rows)} clips: " + ", ".join(f"{n} {s}" for s, n in counts.items())
    sort = (
        '<p class="sort">Sort: <button type="button" data-by="name" aria-pressed="true">'
        'name</button><button type="button" data-by="worst" aria-pressed="false">'
        'lowest score</button><button type="button" data-by="best" aria-pressed="false">'
        "highest score</button></p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>posecheck batch</title>"
        f"<style>{_INDEX_CSS}</style></head><body><main>\n<h1>posecheck batch</h1>\n"
        f"<p>{html.escape(summary)}. Scores are out of 100 and cover only the checks "
        "judged.</p>\n"
        f'{sort}<ul class="clips">\n{cards}\n</ul>\n'
        "<details><summary>Scores per check (click a column header to sort)</summary>"
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n{body}\n'
        "</tbody></table></div></details>\n"
        f"</main><script>{_INDEX_JS}</script>\n</body></html>\n"
    )


def write_index_html(
    path: Path,
    rows: Sequence[Row],
    linked: Container[str] = frozenset(),
    views: Mapping[str, ClipView] | None = None,
) -> None:
    """Write :func:`index_html_text` of ``rows`` to ``path`` (UTF-8), atomically.

    Without ``views``, each clip's :func:`clip_view` is read from ``path.parent /
    clip_id`` (the batch's layout), for the clips in ``linked``.
    """
    if views is None:
        views = {}
        for row in rows:
            cid = row["clip_id"]
            if cid in linked and _safe_id(cid):
                view = clip_view(path.parent / cid)
                if view is not None:
                    views[cid] = view
    write_text(path, index_html_text(rows, linked, views))


def _safe_id(clip_id: str) -> bool:
    """True for a clip id that names a folder inside the output folder."""
    return bool(clip_id) and "/" not in clip_id and "\\" not in clip_id and ".." not in clip_id
