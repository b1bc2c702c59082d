"""``frames.csv``: one row per analysed frame (the same file from ``analyze`` and ``live``).

Columns (:data:`FRAMES_CSV_FIELDS`, a contract other tools read): ``time_s, frame,
person, pose, side, confidence, view, hold, status``, then every metric ``M`` of
:data:`posecheck.measure.geometry.METRIC_UNITS` with ``M_valid`` (0/1), then ``cues``
(check ids joined by ``;``). Times are seconds from the start of the video (or of the
live session), with 4 decimals; metric values have 4 decimals and are empty when not
valid.

:class:`FramesCsvWriter` streams the rows as frames go by, to a hidden temporary file
beside the target. Which hold a frame belongs to is known only once the hold has ended,
so :meth:`FramesCsvWriter.finish` copies the rows, row by row, into ``frames.csv`` with
the ``hold`` column filled from the holds' time spans, written through
:func:`posecheck.io.atomic.atomic_text`. Memory stays flat for any length.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Self

from posecheck.io.atomic import atomic_text, temp_path
from posecheck.io.closing import CommitsOnExit
from posecheck.io.paths import output_error
from posecheck.measure import geometry
from posecheck.outputs.batch_table import spreadsheet_safe
from posecheck.report import Hold
from posecheck.result import FrameResult

FRAMES_CSV_FIELDS = (
    ["time_s", "frame", "person", "pose", "side", "confidence", "view", "hold", "status"]
    + [col for name in geometry.METRIC_UNITS for col in (name, f"{name}_valid")]
    + ["cues"]
)
_HOLD_COLUMN = FRAMES_CSV_FIELDS.index("hold")
#: A frame belongs to a hold whose span it lies in, to within this many seconds.
_SPAN_SLACK_S = 1e-6


def csv_row(index: int, time_s: float, r: FrameResult, hold: int | None) -> list[str]:
    """One ``frames.csv`` row (columns :data:`FRAMES_CSV_FIELDS`) for frame ``index``
    shown at ``time_s`` seconds; ``hold`` is the hold's index or None."""
    row = [
        f"{time_s:.4f}",
        str(index),
        "1" if r.person else "0",
        r.pose or "",
        r.side or "",
        "" if r.pose_confidence is None else f"{r.pose_confidence:.3f}",
        r.view.value,
        "" if hold is None else str(hold),
        r.status or "",
    ]
    for name in geometry.METRIC_UNITS:
        m = r.metrics.get(name)
        ok = m is not None and m.valid
        row += [f"{m.value:.4f}" if ok and m is not None else "", "1" if ok else "0"]
    row.append(";".join(c.check for c in r.cues))
    return [spreadsheet_safe(cell) for cell in row]


def hold_at(time_s: float, holds: Sequence[Hold]) -> int | None:
    """The index of the hold whose span holds ``time_s``, or None."""
    for h in holds:
        if h.start_s - _SPAN_SLACK_S <= time_s <= h.end_s + _SPAN_SLACK_S:
            return h.index
    return None


class FramesCsvWriter(CommitsOnExit):
    """Writes ``frames.csv`` at ``path``, a row per frame, as a context manager::

        with FramesCsvWriter(out / "frames.csv") as rows:
            for ...:
                rows.write(index, time_s, result)
        rows.finish(holds)  # frames.csv appears, hold column filled

    Rows stream to a hidden temporary file beside ``path`` (``.frames.csv.*.partial``);
    leaving the ``with`` block closes it, and :meth:`finish` turns it into ``path``.
    Leaving the block by an exception, or :meth:`discard`, deletes it; ``path`` never
    holds a half-written table.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = temp_path(path)
        self._file: IO[str] | None = None
        self._writerow: Callable[[Iterable[str]], object] | None = None
        self.rows_written = 0

    def open(self) -> Self:
        """Start the temporary file with the header row."""
        self._file = open(self.partial, "w", newline="", encoding="utf-8")
        writer = csv.writer(self._file)
        writer.writerow(FRAMES_CSV_FIELDS)
        self._writerow = writer.writerow
        return self

    def __enter__(self) -> Self:
        return self.open()

    def abort(self) -> None:
        """Close and delete the streamed rows (an exception left the ``with`` block)."""
        with contextlib.suppress(OSError):
            if self._file is not None:
                self._file.close()
        self._file = None
        self.discard()

    def write(self, index: int, time_s: float, result: FrameResult) -> None:
        """Add the row of frame ``index`` at ``time_s`` seconds (hold column left empty
        until :meth:`finish`)."""
        if self._file is None or self._writerow is None:
            raise ValueError(f"{self.path}: not open")
        try:
            self._writerow(csv_row(index, time_s, result, None))
        except OSError as err:  # disk full, file size limit
            raise output_error(err, self.path) from None
        self.rows_written += 1

    def close(self) -> None:
        """Close the temporary file (kept for :meth:`finish`). Safe to call twice.

        Raises:
            OutputError: the last rows could not be flushed (disk full); the temporary
                file is deleted.
        """
        if self._file is not None:
            file, self._file = self._file, None
            try:
                file.close()
            except OSError as err:
                self.discard()
                raise output_error(err, self.path) from None

    def finish(self, holds: Sequence[Hold]) -> None:
        """Write ``path`` from the streamed rows with the ``hold`` column filled from
        ``holds``' time spans (atomically), then delete the temporary file."""
        self.close()
        try:
            with (
                self.partial.open(newline="", encoding="utf-8") as src,
                atomic_text(self.path) as dst,
            ):
                rows = csv.reader(src)
                out = csv.writer(dst)
                out.writerow(next(rows))
                for row in rows:
                    hold = hold_at(float(row[0]), holds)
                    row[_HOLD_COLUMN] = "" if hold is None else str(hold)
                    out.writerow(row)
        finally:  # made into path, or failed (disk full): the rows go either way
            self.partial.unlink(missing_ok=True)

    def discard(self) -> None:
        """Close and delete the temporary file; ``path`` is left as it was."""
        self.close()
        self.partial.unlink(missing_ok=True)
