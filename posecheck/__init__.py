"""posecheck: knee, hip and weight alignment in yoga poses, from camera or video frames.

A recorded video, in one call (writes annotated.mp4, report.json, frames.csv and
report.html, returns the same report as typed objects, prints nothing)::

    from posecheck import analyze_video
    report = analyze_video("practice.mp4", "out/")
    for hold in report.holds:
        print(hold.pose, hold.side, hold.start_s, hold.end_s, hold.score)

The whole loop for one photo::

    from posecheck import PoseEstimator, analyze_image, load_image, annotate
    with PoseEstimator() as estimator:                 # loads models/pose_landmarker_full.task
        image = load_image("photo.jpg")                # (H, W, 3) uint8 BGR
        result = analyze_image(image, estimator, source="photo.jpg")
        print(result.metrics["knee_valgus_left_deg"])  # Metric(value, unit, valid, reason)
        overlay = annotate(image, result)              # cues drawn on a copy

Stages: estimator (MediaPipe, the only module importing it) -> geometry (pure numpy) ->
rules (checks -> cues) -> render (OpenCV overlay). Each is a plain function over the plain
types in :mod:`posecheck.landmarks` and :mod:`posecheck.result`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from posecheck.apps.analyze import analyze_video
    from posecheck.errors import InputError, ModelError, PosecheckError
    from posecheck.estimate.landmarker import PoseEstimator
    from posecheck.io.images import load_image
    from posecheck.judge.assess import analyze_image, assess
    from posecheck.landmarks import Landmark, Landmarks
    from posecheck.outputs.overlay import annotate
    from posecheck.report import CheckScore, Hold, VideoReport
    from posecheck.result import Cue, FrameResult, Metric
    from posecheck.vocab import Severity, View

__version__ = "0.1.0"

# Flat names, imported on first use so that ``import posecheck`` loads neither OpenCV
# nor MediaPipe.
_EXPORTS = {
    "PoseEstimator": "posecheck.estimate.landmarker",
    "analyze_video": "posecheck.apps.analyze",
    "VideoReport": "posecheck.report",
    "Hold": "posecheck.report",
    "CheckScore": "posecheck.report",
    "Landmark": "posecheck.landmarks",
    "Landmarks": "posecheck.landmarks",
    "analyze_image": "posecheck.judge.assess",
    "assess": "posecheck.judge.assess",
    "annotate": "posecheck.outputs.overlay",
    "Cue": "posecheck.result",
    "FrameResult": "posecheck.result",
    "Metric": "posecheck.result",
    "Severity": "posecheck.vocab",
    "View": "posecheck.vocab",
    "load_image": "posecheck.io.images",
    "InputError": "posecheck.errors",
    "ModelError": "posecheck.errors",
    "PosecheckError": "posecheck.errors",
}
__all__ = [
    "CheckScore",
    "Cue",
    "FrameResult",
    "Hold",
    "InputError",
    "Landmark",
    "Landmarks",
    "Metric",
    "ModelError",
    "PoseEstimator",
    "PosecheckError",
    "Severity",
    "VideoReport",
    "View",
    "analyze_image",
    "analyze_video",
    "annotate",
    "assess",
    "load_image",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'posecheck' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
