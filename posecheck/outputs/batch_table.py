"""``results.csv`` of a batch: its columns, one row per clip, reading and writing it.

The columns are a contract (tests and users read them): :data:`BASE_FIELDS`, then one
``score_<pose>_<check>`` per check of every pose in the registry (a stable set). Every
value is text; an empty string means "none" (no score, no error).

A row is made from a clip's ``report.json`` (:func:`row_from_report`) or, for a clip that
could not be analysed, from a one-line message (:func:`error_row`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol

from posecheck.io.atomic import write_text
from posecheck.poses import REGISTRY
from posecheck.report import VideoReportDict
from posecheck.vocab import PartialReason

RESULTS_CSV = "results.csv"
Status = Literal["ok", "partial", "error"]
#: One ``results.csv`` row: every field of :data:`RESULT_FIELDS`, as text.
Row = dict[str, str]

BASE_FIELDS = (
    "clip_id",
    "source",
    "status",
    "error",
    "duration_s",
    "frames_analysed",
    "holds",
    "poses",
    "hold_seconds",
    "score",
)
#: One column per check of every pose in the registry (a stable set).
CHECK_FIELDS = tuple(
    f"score_{name}_{check.id}" for name, spec in REGISTRY.items() for check in spec.checks
)
RESULT_FIELDS = BASE_FIELDS + CHECK_FIELDS

NO_PERSON = "no person found in the video"
#: The ``error`` text of a partial clip when no note of the report explains it.
PARTIAL_TEXT = {
    PartialReason.DECODE_STOPPED: "decoding stopped early",
    PartialReason.INTERRUPTED: "interrupted",
}


class ClipName(Protocol):
    """What a row needs to know of a clip (:class:`posecheck.apps.batch.Clip` is one)."""

    @property
    def clip_id(self) -> str:
        """The clip's folder name under the output folder."""
        ...

    @property
    def source(self) -> str:
        """The path as the user gave it (shown in the table)."""
        ...

    @property
    def path(self) -> str:
        """The absolute path the clip was read from (messages naming it are shortened)."""
        ...


def one_line(message: str, path: str | None = None) -> str:
    """``message`` on one line, without a leading ``PATH: `` (the row names the file)."""
    from posecheck.io.paths import printable

    text = printable(" ".join(str(message).split()))
    if path:
        text = text.removeprefix(f"{path}: ").removeprefix(f"{printable(path)}: ")
    return text


def _fmt(x: float | None, digits: int) -> str:
    if x is None or not math.isfinite(x):
        return ""
    return f"{x:.{digits}f}"


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def empty_row(clip: ClipName) -> Row:
    """A row with every field empty but the clip's id and source."""
    row = dict.fromkeys(RESULT_FIELDS, "")
    row["clip_id"], row["source"] = clip.clip_id, clip.source
    return row


def error_row(clip: ClipName, message: str) -> Row:
    """The row of a clip that failed: status ``error`` and ``message`` on one line."""
    row = empty_row(clip)
    row["status"], row["error"] = "error", one_line(message, clip.path)
    return row


def _partial_text(report: VideoReportDict, reason: PartialReason, path: str) -> str:
    """Why the clip is partial, in words: the note naming the input file (the reader's
    own message, e.g. ``decoding stopped at 4.0 s (...)``), else :data:`PARTIAL_TEXT`."""
    named = next((n for n in report.get("notes", []) if n.startswith(f"{path}: ")), None)
    return one_line(named if named is not None else PARTIAL_TEXT[reason], path)


def _status(report: VideoReportDict, path: str) -> tuple[Status, str]:
    if not report.get("frames_with_person"):
        return "error", NO_PERSON
    if "partial_reason" not in report:  # a report.json from before partial_reason (resume)
        if report.get("complete", True):
            return "ok", ""
        stopped = next((n for n in report.get("notes", []) if "decoding stopped" in n), "")
        return "partial", one_line(stopped or PARTIAL_TEXT[PartialReason.DECODE_STOPPED], path)
    reason = report["partial_reason"]
    if reason is None:
        return "ok", ""
    return "partial", _partial_text(report, PartialReason(reason), path)


def row_from_report(clip: ClipName, report: VideoReportDict) -> Row:
    """The ``results.csv`` row of a clip from its ``report.json`` (as a dict).

    ``status`` is ``error`` without a person, ``partial`` when ``partial_reason`` is set
    (``error`` then says why), else ``ok``. ``score`` is the mean of the holds' scores;
    ``score_<pose>_<check>`` the mean, over the clip's holds of that pose, of that check's
    score (empty when none was judged).
    """
    row = empty_row(clip)
    row["status"], row["error"] = _status(report, clip.path)
    holds = list(report.get("holds", []))
    row["duration_s"] = _fmt((report.get("video") or {}).get("duration_s"), 3)
    row["frames_analysed"] = str(report.get("frames_analysed", ""))
    row["holds"] = str(len(holds))
    counts = {name: sum(h["pose"] == name for h in holds) for name in REGISTRY}
    row["poses"] = ";".join(f"{name}:{n}" for name, n in counts.items() if n)
    row["hold_seconds"] = _fmt(sum(h.get("duration_s") or 0.0 for h in holds), 3)
    row["score"] = _fmt(_mean(h.get("score") for h in holds), 1)
    for name, spec in REGISTRY.items():
        for check in spec.checks:
            scores = (
                c.get("score")
                for h in holds
                if h["pose"] == name
                for c in h.get("checks", [])
                if c["check"] == check.id
            )
            row[f"score_{name}_{check.id}"] = _fmt(_mean(scores), 1)
    return row


#: A cell starting with one of these is a formula to a spreadsheet (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spreadsheet_safe(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula: text starting with
    ``= + - @``, a tab or a carriage return gets a leading ``'`` (what spreadsheet tools
    expect, and hide); numbers such as ``-3.5`` stay numbers -> str."""
    if value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def spreadsheet_unsafe(value: str) -> str:
    """The inverse of :func:`spreadsheet_safe` (for reading a table back) -> str."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def results_csv_text(rows: Iterable[Row]) -> str:
    """``results.csv`` as text: the header :data:`RESULT_FIELDS`, then ``rows`` (``\\n``
    line ends), every cell made :func:`spreadsheet_safe` (a clip named ``=HYPERLINK(..)``
    is text, not a formula)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=RESULT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def write_results_csv(path: Path, rows: Iterable[Row]) -> None:
    """Write :func:`results_csv_text` of ``rows`` to ``path`` (UTF-8), atomically."""
    write_text(path, results_csv_text(rows))


def read_results_csv(path: Path) -> list[Row]:
    """The rows of a ``results.csv`` written by :func:`write_results_csv`.

    Raises:
        ValueError: its header is not :data:`RESULT_FIELDS` (another version's table).
        OSError: it cannot be read.
    """
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != RESULT_FIELDS:
            raise ValueError(f"{path}: not a results.csv with the columns {RESULT_FIELDS}")
        return [{k: spreadsheet_unsafe(v) for k, v in row.items()} for row in reader]
