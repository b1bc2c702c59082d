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
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Self

from posecheck.io.atomic import atomic_text
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


class LandmarksCsvSink:
    """Write ``landmarks.csv`` frame by frame; the file appears (atomically) on a clean
    exit and not at all after an exception::

        with LandmarksCsvSink(out_dir / FILENAME) as sink:
            for index, time_s, landmarks in frames:
                sink.append(index, time_s, landmarks)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stack = ExitStack()
        self._writer: _CsvWriter | None = None
        self.rows = 0

    def __enter__(self) -> Self:
        fh: IO[str] = self._stack.enter_context(atomic_text(self.path))
        self._writer = csv.writer(fh)
        self._writer.writerow(fields())
        return self

    def append(self, index: int, time_s: float, landmarks: Landmarks | None) -> None:
        """Add one frame."""
        if self._writer is None:
            raise RuntimeError("LandmarksCsvSink.append outside its with block")
        self._writer.writerow(row(index, time_s, landmarks))
        self.rows += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._writer = None
        self._stack.__exit__(exc_type, exc, tb)
