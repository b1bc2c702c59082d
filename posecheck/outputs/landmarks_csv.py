"""``landmarks.csv``: the (smoothed) landmarks of every analysed frame, one row a frame.

MediaPipe's Tasks API dropped the landmark smoothing that ``mp.solutions`` had (mediapipe
issues #4507 and #5520); posecheck's landmarks are smoothed (zero-phase offline, One Euro
live), and this file hands them on.

Columns: ``frame``, ``time_s``, then for each of the 33 landmarks (lower-case MediaPipe
names, e.g. ``left_knee``): ``<name>_x_px``, ``<name>_y_px`` (image pixels, x right, y
down), ``<name>_visibility`` (0-1), ``<name>_wx_m``, ``<name>_wy_m``, ``<name>_wz_m``
(MediaPipe world metres: hip-centred, x right, y down, z away from the camera). A frame
without a person has its frame and time and empty cells.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

from posecheck.io.atomic import commit, temp_path
from posecheck.io.closing import CommitsOnExit
from posecheck.landmarks import Landmark, Landmarks

if TYPE_CHECKING:
    from _csv import Writer as _CsvWriter

FILENAME = "landmarks.csv"
_PER_POINT = ("x_px", "y_px", "visibility", "wx_m", "wy_m", "wz_m")


def fields() -> list[str]:
    """The header row."""
    return ["frame", "time_s"] + [f"{p.name.lower()}_{c}" for p in Landmark for c in _PER_POINT]


def row(index: int, time_s: float, landmarks: Landmarks | None) -> list[str]:
    """One frame's cells (strings), in the order of :func:`fields`."""
    cells = [str(index), f"{time_s:.4f}"]
    if landmarks is None:
        return cells + [""] * (len(Landmark) * len(_PER_POINT))
    xy = landmarks.xy_px
    for i in range(len(Landmark)):
        cells += [f"{xy[i, 0]:.2f}", f"{xy[i, 1]:.2f}", f"{landmarks.visibility[i]:.4f}"]
        if landmarks.world is None:
            cells += ["", "", ""]
        else:
            cells += [f"{v:.5f}" for v in landmarks.world[i]]
    return cells


class LandmarksCsvSink(CommitsOnExit):
    """Write ``landmarks.csv`` frame by frame; the file appears (atomically) on a clean
    exit and not at all after an exception::

        with LandmarksCsvSink(out_dir / FILENAME) as sink:
            for index, time_s, landmarks in frames:
                sink.append(index, time_s, landmarks)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = temp_path(path)
        self._file: IO[str] | None = None
        self._writer: _CsvWriter | None = None
        self.rows = 0

    def __enter__(self) -> Self:
        self._file = open(self._tmp, "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(fields())
        return self

    def append(self, index: int, time_s: float, landmarks: Landmarks | None) -> None:
        """Add one frame."""
        if self._writer is None:
            raise RuntimeError("LandmarksCsvSink.append outside its with block")
        self._writer.writerow(row(index, time_s, landmarks))
        self.rows += 1

    def close(self) -> None:
        """Finish the file: fsync it and rename it into place."""
        if self._file is not None:
            self._file.close()
            self._file, self._writer = None, None
            commit(self._tmp, self.path)

    def abort(self) -> None:
        """Delete what was written (an exception left the ``with`` block)."""
        if self._file is not None:
            self._file.close()
            self._file, self._writer = None, None
        self._tmp.unlink(missing_ok=True)
