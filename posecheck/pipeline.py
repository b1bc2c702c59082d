"""One frame through the pipeline: landmarks -> metrics -> checks -> :class:`FrameResult`.

:func:`assess` is pure (landmarks in, result out) so it can be tested on synthetic
landmarks; :func:`analyze_image` adds the estimator call.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from posecheck import geometry
from posecheck.estimator import PoseEstimator
from posecheck.landmarks import Landmarks
from posecheck.result import Balance, FrameResult, Metric, View
from posecheck.rules import GENERIC_CHECKS, evaluate

POSE_NAMES = ("warrior1", "tree", "half_moon", "bridge")


def metrics_for(landmarks: Landmarks) -> tuple[View, dict[str, Metric]]:
    """The camera view and every metric of :data:`geometry.METRIC_UNITS` for one frame."""
    view, measures = geometry.measure_all(landmarks.xy_px, landmarks.visibility, landmarks.world)
    metrics = {}
    for name, m in measures.items():
        value = float(m.value)
        reason = str(m.reason)
        valid = reason == "" and math.isfinite(value)
        metrics[name] = Metric(
            value=value if valid else math.nan,
            unit=geometry.METRIC_UNITS[name],
            valid=valid,
            reason=None if valid else reason,
        )
    return View(str(view)), metrics


def balance_for(landmarks: Landmarks) -> Balance:
    """Centre of mass, floor line and base of support of one frame, in pixels."""
    xy = landmarks.xy_px
    com = geometry.center_of_mass(xy)
    floor, lo, hi = geometry.base_of_support_px(xy, landmarks.world)
    grounded = tuple(
        name for name, g in geometry.grounded_contacts(xy, landmarks.world).items() if bool(g)
    )
    support = (float(lo), float(hi)) if math.isfinite(float(lo)) else None
    return Balance(
        com_px=(float(com[0]), float(com[1])),
        floor_y_px=float(floor),
        support_x_px=support,
        grounded=grounded,
    )


def assess(
    landmarks: Landmarks | None,
    source: str,
    image_wh: tuple[int, int],
    pose: str | None = None,
    notes: tuple[str, ...] = (),
) -> FrameResult:
    """Everything posecheck says about one frame, given its landmarks (or None)."""
    if landmarks is None:
        return FrameResult(source=source, image_wh=image_wh, landmarks=None, pose=pose, notes=notes)
    view, metrics = metrics_for(landmarks)
    cues, _ = evaluate(GENERIC_CHECKS, metrics)
    return FrameResult(
        source=source,
        image_wh=image_wh,
        landmarks=landmarks,
        view=view,
        metrics=metrics,
        pose=pose,
        cues=cues,
        balance=balance_for(landmarks),
        notes=notes,
    )


def analyze_image(
    image_bgr: NDArray[np.uint8],
    estimator: PoseEstimator,
    source: str = "<image>",
    pose: str | None = None,
) -> FrameResult:
    """Run the estimator on one ``(H, W, 3)`` uint8 BGR image and assess the result."""
    landmarks = estimator.detect(image_bgr)
    notes: tuple[str, ...] = ()
    if estimator.last_people > 1:
        notes = (f"{estimator.last_people} people found; measured the largest",)
    height, width = image_bgr.shape[:2]
    return assess(landmarks, source, (width, height), pose=pose, notes=notes)
