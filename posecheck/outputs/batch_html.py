"""``index.html`` of a batch: one self-contained page (inline CSS and JS, no external
links) with a table of every clip, sortable by clicking a column header.

Pure text building plus one atomic write; the rows are :mod:`posecheck.outputs.batch_table`
rows. Every name and message is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Container, Sequence
from pathlib import Path
from urllib.parse import quote

from posecheck.io.atomic import write_text
from posecheck.outputs.batch_table import BASE_FIELDS, CHECK_FIELDS, Row

INDEX_HTML = "index.html"

_INDEX_CSS = """
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{padding:.3em .6em;border-bottom:1px solid #ddd;
text-align:left;white-space:nowrap}th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}
th[data-dir=asc]::after{content:" \\25B2"}th[data-dir=desc]::after{content:" \\25BC"}
td.num{text-align:right}.error{color:#b00020}.partial{color:#a15c00}.ok{color:#1b5e20}
td.msg{white-space:normal;max-width:40em}
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
"""

_NUMERIC = {"duration_s", "frames_analysed", "holds", "hold_seconds", "score"}


def _index_columns(rows: Sequence[Row]) -> list[str]:
    """The table's columns: every base field, and the check scores some clip has."""
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


def _index_row(row: Row, columns: Sequence[str], linked: bool) -> str:
    name = html.escape(row["clip_id"])
    href = html.escape(quote(row["clip_id"]) + "/report.html", quote=True)
    first = f'<td><a href="{href}">{name}</a></td>' if linked else f"<td>{name}</td>"
    return "<tr>" + first + "".join(_index_cell(row, c) for c in columns) + "</tr>"


def index_html_text(rows: Sequence[Row], linked: Container[str] = frozenset()) -> str:
    """``index.html`` as text: one self-contained page, a table sortable by clicking a
    header, with a line counting the clips per status.

    Every name is HTML-escaped; a clip whose id is in ``linked`` (it has a
    ``<clip-id>/report.html``) links to that report.
    """
    columns = _index_columns(rows)
    head = "<th>clip</th>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "\n".join(_index_row(r, columns, r["clip_id"] in linked) for r in rows)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "partial", "error")}
    summary = f"{len(rows)} clips: " + ", ".join(f"{n} {s}" for s, n in counts.items())
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>posecheck batch</title>"
        f"<style>{_INDEX_CSS}</style></head><body>\n<h1>posecheck batch</h1>\n"
        f"<p>{html.escape(summary)}. Click a column header to sort.</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>\n"
        f"<script>{_INDEX_JS}</script>\n</body></html>\n"
    )


def write_index_html(path: Path, rows: Sequence[Row], linked: Container[str] = frozenset()) -> None:
    """Write :func:`index_html_text` of ``rows`` to ``path`` (UTF-8), atomically."""
    write_text(path, index_html_text(rows, linked))
