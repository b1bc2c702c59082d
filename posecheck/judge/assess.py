"""One frame through the pipeline: landmarks -> metrics -> pose -> checks -> FrameResult.

:func:`assess` is pure (landmarks in, result out) so it can be tested on synthetic
landmarks; :func:`analyze_image` adds the estimator, including a second look at lying or
inverted bodies (see :func:`detect_candidates`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from posecheck.estimate.landmarker import PoseEstimator
from posecheck.judge.recognition import Recognition, recognise
from posecheck.landmarks import Landmarks, unrotate
from posecheck.measure import geometry
from posecheck.measure.correction import PoseCorrection
from posecheck.poses import evaluate_pose, get_pose
from posecheck.poses.features import features
from posecheck.poses.generic import GENERIC
from posecheck.result import Balance, CheckStatus, FrameResult, Metric
from posecheck.vocab import Side, View

#: A body whose trunk is tilted more than this from upright (lying in Bridge, horizontal
#: in Half Moon) gets a second and third look with the picture turned a quarter each way:
#: MediaPipe's landmarker misplaces hips and knees of some lying bodies that it reads
#: well once they stand upright in the frame (on the real photo set: 3 of 40 Bridges).
ROTATE_IF_TILT_DEG = 45.0

#: Metrics that assume the weight rests on the feet; a lying body (Recognition.lying)
#: gets them as not measured, with :data:`LYING_REASON`, and no centre-of-mass balance.
WEIGHT_ON_FEET_METRICS = (
    "weight_left_pct",
    "weight_right_pct",
    "com_offset_foot_lengths",
    "com_outside_support_pct",
)
LYING_REASON = "body lying on the floor: its weight is not on the feet"


def metrics_for(landmarks: Landmarks) -> tuple[View, dict[str, Metric]]:
    """The camera view and every metric of :data:`geometry.METRIC_UNITS` for one frame."""
    return metrics_batch([landmarks])[0]


def metrics_batch(frames: list[Landmarks]) -> list[tuple[View, dict[str, Metric]]]:
    """:func:`metrics_for` of many frames in one vectorised geometry call (~15x cheaper
    per frame than one by one for 16 frames). World landmarks are used only if every
    frame has them."""
    if not frames:
        return []
    xy = np.stack([f.xy_px for f in frames])
    vis = np.stack([f.visibility for f in frames])
    worlds = [f.world for f in frames]
    world = (
        np.stack([w for w in worlds if w is not None])
        if all(w is not None for w in worlds)
        else None
    )
    views, measures = geometry.measure_all(xy, vis, world)
    out: list[tuple[View, dict[str, Metric]]] = []
    for i in range(len(frames)):
        metrics = {}
        for name, m in measures.items():
            value = float(m.value[i])
            reason = str(m.reason[i])
            valid = reason == "" and math.isfinite(value)
            metrics[name] = Metric(
                value=value if valid else math.nan,
                unit=geometry.METRIC_UNITS[name],
                valid=valid,
                reason=None if valid else reason,
            )
        out.append((View(str(views[i])), metrics))
    return out


def balance_for(landmarks: Landmarks) -> Balance:
    """Centre of mass, floor line and base of support of one frame, in pixels."""
    xy = landmarks.xy_px
    com = geometry.center_of_mass(xy)
    floor, lo, hi = geometry.base_of_support_px(xy, landmarks.world)
    contacts = geometry.grounded_contacts(xy, landmarks.world)
    grounded = tuple(name for name, g in contacts.items() if bool(g))
    support = (float(lo), float(hi)) if math.isfinite(float(lo)) else None
    return Balance(
        com_px=(float(com[0]), float(com[1])),
        floor_y_px=float(floor),
        support_x_px=support,
        grounded=grounded,
    )


def side_for(pose: str, landmarks: Landmarks) -> Side | None:
    """The working side of ``landmarks`` if they were in ``pose`` (the pose's own side
    rule); None for a pose without one. An unknown pose is a KeyError."""
    return get_pose(pose).recognition_rule().working_side(features(landmarks))


def assess(
    landmarks: Landmarks | None,
    source: str,
    image_wh: tuple[int, int],
    pose: str | None = None,
    notes: tuple[str, ...] = (),
    recognition: Recognition | None = None,
    measured: tuple[View, dict[str, Metric]] | None = None,
    correction: PoseCorrection | None = None,
) -> FrameResult:
    """Everything posecheck says about one frame, given its landmarks (or None).

    Args:
        pose: None to recognise the pose, or a pose name to check that pose whatever
            recognition says (a note records any disagreement).
        recognition: a recognition already made for these landmarks (else computed).
        measured: the view and metrics already computed for these landmarks (see
            :func:`metrics_batch`), else computed here (and always here, once, for
            landmarks the correction moved).
        correction: per-pose landmark correction. The pose is recognised on MediaPipe's
            landmarks; when the chosen pose has a model, the frame is then measured,
            judged and drawn on the corrected landmarks (the result carries those).
    """
    if pose is not None:
        get_pose(pose)  # a helpful KeyError for a bad name
    if landmarks is None:
        return FrameResult(source=source, image_wh=image_wh, landmarks=None, pose=pose, notes=notes)
    rec = recognition or recognise(landmarks)
    if pose is None:
        chosen, side, confidence = rec.pose, rec.side, (rec.confidence if rec.pose else None)
    else:
        chosen, side, confidence = pose, side_for(pose, landmarks), rec.scores[pose]
        if rec.pose != pose:
            seen = f"recognised as {rec.pose}" if rec.pose else "no pose recognised"
            notes = (*notes, f"checked as {pose} as asked; {seen} ({rec.confidence:.2f})")
    was_corrected = False
    if correction is not None and chosen is not None:
        corrected = correction.apply(landmarks, chosen)
        if corrected is not landmarks:
            landmarks, measured = corrected, None  # measured on the moved joints instead
            was_corrected = True
    view, metrics = measured if measured is not None else metrics_for(landmarks)
    if rec.lying:
        metrics = _without_weight_on_feet(metrics)
    checks: tuple[CheckStatus, ...] = ()
    if chosen is None:
        cues, _ = evaluate_pose(GENERIC, metrics, view.value, None)
    else:
        cues, checks = evaluate_pose(
            get_pose(chosen), metrics, view.value, side, corrected=was_corrected
        )
    return FrameResult(
        source=source,
        image_wh=image_wh,
        landmarks=landmarks,
        view=view,
        metrics=metrics,
        pose=chosen,
        side=side,
        pose_confidence=confidence,
        cues=cues,
        checks=checks,
        balance=None if rec.lying else balance_for(landmarks),
        notes=notes,
    )


def _without_weight_on_feet(metrics: dict[str, Metric]) -> dict[str, Metric]:
    """``metrics`` with :data:`WEIGHT_ON_FEET_METRICS` marked not measured (lying body)."""
    out = dict(metrics)
    for name in WEIGHT_ON_FEET_METRICS:
        if name in out:
            out[name] = Metric(
                value=math.nan, unit=out[name].unit, valid=False, reason=LYING_REASON
            )
    return out


def detect_candidates(
    image_bgr: NDArray[np.uint8], estimator: PoseEstimator
) -> list[tuple[Landmarks, int]]:
    """Landmarks of the person as found upright and, for a lying or inverted body, also
    in the picture turned a quarter turn each way (mapped back to the original image).

    Returns:
        ``[(landmarks, people_found), ...]``, the upright reading first; empty when no
        reading finds anybody.
    """
    height, width = image_bgr.shape[:2]
    found: list[tuple[Landmarks, int]] = []
    first = estimator.detect(image_bgr)
    if first is not None:
        found.append((first, estimator.last_people))
        if features(first).trunk_tilt_deg <= ROTATE_IF_TILT_DEG:
            return found
    for turns in (1, 3):
        turned = np.ascontiguousarray(np.rot90(image_bgr, turns))
        lm = estimator.detect(turned)
        if lm is not None:
            found.append((unrotate(lm, turns, (width, height)), estimator.last_people))
    return found


def analyze_image(
    image_bgr: NDArray[np.uint8],
    estimator: PoseEstimator,
    source: str = "<image>",
    pose: str | None = None,
) -> FrameResult:
    """Find the person in one ``(H, W, 3)`` uint8 BGR photo and assess them.

    With ``pose=None`` the reading (upright or turned) whose pose is recognised most
    confidently wins; with a named pose, the reading that fits that pose best.
    """
    height, width = image_bgr.shape[:2]
    candidates = detect_candidates(image_bgr, estimator)
    if not candidates:
        return assess(None, source, (width, height), pose=pose)

    def score(rec: Recognition) -> float:
        if pose is not None:
            return rec.scores[pose]
        return rec.confidence if rec.pose is not None else -1.0 + rec.confidence

    readings = [(lm, people, recognise(lm)) for lm, people in candidates]
    landmarks, people, rec = max(readings, key=lambda r: score(r[2]))
    notes: tuple[str, ...] = ()
    if people > 1:
        notes = (f"{people} people found; measured the largest",)
    return assess(
        landmarks,
        source,
        (width, height),
        pose=pose,
        notes=notes,
        recognition=rec,
        correction=estimator.correction,
    )
