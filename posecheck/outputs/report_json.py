"""``report.json``: the report of a video or a live session, and the finishing of an
output folder (``frames.csv``, ``report.html``, then ``report.json`` last).

The JSON is ``VideoReport.to_dict()`` (schema :data:`posecheck.report.SCHEMA_VERSION`,
documented in the README), indented by 2, with no NaN (a non-finite number is already
``null`` there). Every file is written through :mod:`posecheck.io.atomic`, and
``report.json`` comes last, so a folder with a ``report.json`` is complete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from posecheck.io.atomic import write_text
from posecheck.outputs.frames_csv import FramesCsvWriter
from posecheck.report import VideoReport

#: The files of an output folder, by their ``outputs`` key in ``report.json``.
OUTPUT_FILES = {
    "frames_csv": "frames.csv",
    "report_json": "report.json",
    "report_html": "report.html",
}
ANNOTATED_VIDEO = "annotated.mp4"
#: Written only with ``analyze --landmarks`` (report.json ``outputs`` key -> file name).
LANDMARK_FILES = {"landmarks_csv": "landmarks.csv", "landmarks_trc": "landmarks.trc"}

#: (hold index, check id) -> JPEG bytes of that check's worst moment.
Thumbnails = Mapping[tuple[int, str], bytes]


def report_json_text(report: VideoReport) -> str:
    """``report.json``'s text for ``report``."""
    return json.dumps(report.to_dict(), indent=2, allow_nan=False)


def write_report_json(path: Path, report: VideoReport) -> None:
    """Write ``report`` as JSON to ``path`` (atomically)."""
    write_text(path, report_json_text(report))


def write_report_files(
    out: Path,
    report: VideoReport,
    frames: FramesCsvWriter,
    thumbnails: Thumbnails,
    video: bool,
) -> VideoReport:
    """Finish the output folder ``out`` and return ``report`` with its ``outputs``.

    ``frames.csv`` is made from ``frames``' streamed rows with the hold column filled,
    then ``report.html`` and, last, ``report.json``. ``annotated.mp4`` is listed when
    ``video`` and the file exists. ``thumbnails`` go into the HTML report.
    """
    from posecheck.outputs.report_html import render_html

    outputs = dict(OUTPUT_FILES)
    frames.finish(report.holds)
    if video and (out / ANNOTATED_VIDEO).exists():
        outputs["annotated_video"] = ANNOTATED_VIDEO
    for key, name in LANDMARK_FILES.items():
        if (out / name).exists():
            outputs[key] = name
    report = replace(report, outputs=outputs)
    csv_path = out / OUTPUT_FILES["frames_csv"]
    write_text(out / OUTPUT_FILES["report_html"], render_html(report, csv_path, thumbnails))
    write_report_json(out / OUTPUT_FILES["report_json"], report)
    return report
