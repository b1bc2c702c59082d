"""Smoothing, holds and scores on synthetic streams with known answers."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from posecheck.judge.assess import assess
from posecheck.judge.session import TRANSITION, Session, display_result, in_hold
from posecheck.judge.temporal import (
    HOLD_ENTER_S,
    HOLD_EXIT_S,
    HOLD_MIN_S,
    SEVERITY_WEIGHT,
    CenteredSmoother,
    HoldTracker,
    OneEuroFilter,
    check_score,
    smooth_stream,
)
from posecheck.landmarks import Landmarks
from posecheck.poses import get_pose
from posecheck.report import VideoInfo
from posecheck.vocab import Severity
from tests.factories import camera_view, displace_knee, lift_foot, standing_body


def test_one_euro_is_steady_at_rest_and_follows_a_step() -> None:
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    rng = np.random.default_rng(0)
    noisy = [f(np.array([1.0 + 0.01 * rng.standard_normal()]), t / 30) for t in range(90)]
    assert np.std(noisy[30:]) < 0.01 / 2  # at rest the jitter is at least halved
    # causal: a step is not seen before it happens, and is reached eventually
    g = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    out = [float(g(np.array([0.0 if t < 30 else 1.0]), t / 30)[0]) for t in range(200)]
    assert out[29] == 0.0 and 0.0 < out[30] < 1.0 and out[-1] == pytest.approx(1.0, abs=1e-3)


def _lm(offset: float) -> Landmarks:
    base = camera_view(standing_body())
    xy = base.xy.copy()
    xy[:, 0] += offset
    return Landmarks(xy=xy, visibility=base.visibility, image_wh=base.image_wh, world=base.world)


def test_centered_smoother_is_zero_phase_and_keeps_order() -> None:
    # A linear ramp is unchanged by a symmetric smoother (no time shift) away from the ends.
    n, half = 20, 2
    frames = [(i, i / 30, _lm(0.001 * i)) for i in range(n)]
    out = list(smooth_stream(iter(frames), half_window=half))
    assert [item for item, _, _ in out] == list(range(n))
    for i in range(half, n - half):
        smoothed = out[i][2]
        assert smoothed is not None
        np.testing.assert_allclose(smoothed.xy, frames[i][2].xy, atol=1e-12)


def test_centered_smoother_reduces_jitter_and_respects_gaps() -> None:
    rng = np.random.default_rng(1)
    frames = [(i, i / 30, _lm(0.01 * rng.standard_normal())) for i in range(60)]
    frames[30] = (30, 1.0, None)  # nobody in one frame
    out = list(smooth_stream(iter(frames), half_window=2))
    assert out[30][2] is None
    raw = np.array([f[2].xy[0, 0] for f in frames if f[2] is not None])
    smooth = np.array([o[2].xy[0, 0] for o in out if o[2] is not None])
    assert np.std(np.diff(smooth)) < np.std(np.diff(raw)) / 2


def test_centered_smoother_averages_the_pixels_hip_line_whatever_its_sign() -> None:
    """The hip line read from the picture jitters frame to frame; the smoother averages it
    with the landmarks' weights, each frame's direction turned to agree with the centre's
    (its sign means nothing): a line flipping sign and jittering +-3 deg about 10 deg
    comes out near 10 deg."""
    from dataclasses import replace

    angles = [10.0 + 3.0 * (-1) ** i for i in range(9)]
    frames = []
    for i, a in enumerate(angles):
        line = np.array([np.cos(np.radians(a)), np.sin(np.radians(a))]) * (-1) ** (i // 2)
        frames.append((i, i / 30, replace(_lm(0.0), hip_line_px=line)))
    out = list(smooth_stream(iter(frames), half_window=2))
    centre = out[4][2]
    assert centre is not None and centre.hip_line_px is not None
    line = centre.hip_line_px if centre.hip_line_px[0] > 0 else -centre.hip_line_px
    got = float(np.degrees(np.arctan2(line[1], line[0])))
    weights = np.exp(-0.5 * (np.arange(-2, 3) / 1.0) ** 2)
    per_frame = np.array(angles[2:7])
    # the weighted mean of unit vectors at those angles, as an angle
    expected = np.degrees(
        np.arctan2(
            np.sum(weights * np.sin(np.radians(per_frame))),
            np.sum(weights * np.cos(np.radians(per_frame))),
        )
    )
    assert got == pytest.approx(expected, abs=1e-9)
    assert abs(got - 10.0) < abs(angles[4] - 10.0)
    assert np.hypot(*centre.hip_line_px) == pytest.approx(1.0)


def test_smoother_memory_is_bounded() -> None:
    s: CenteredSmoother[int] = CenteredSmoother(half_window=3)
    for i in range(500):
        s.push(i, i / 30, None)
    assert len(s._buf) <= 2 * 3 + 1


def test_check_score_formula() -> None:
    w = SEVERITY_WEIGHT
    assert check_score([w[Severity.OK]] * 4) == 100.0
    assert check_score([w[Severity.OK], w[Severity.FAULT]]) == 50.0
    assert check_score([w[Severity.WARN]] * 3) == 50.0
    assert check_score([]) is None


FPS = 30.0


def _tree(fault_deg: float = 0.0):  # noqa: ANN202 - a FrameResult
    body = lift_foot(standing_body(), "right", 0.5)
    if fault_deg:
        body = displace_knee(body, "left", fault_deg)
    lm = camera_view(body)
    return assess(lm, "synthetic", lm.image_wh, pose="tree")


def _run(results: list, fps: float = FPS) -> tuple[list, HoldTracker]:  # noqa: ANN001
    tracker = HoldTracker()
    holds = []
    for i, r in enumerate(results):
        holds += tracker.push(i / fps, r, i)
    holds += tracker.finish()
    return holds, tracker


def test_a_held_pose_becomes_one_hold_with_retroactive_start() -> None:
    nobody = assess(None, "s", (640, 480))
    stream = [nobody] * 15 + [_tree()] * int(4 * FPS) + [nobody] * 15
    holds, _ = _run(stream)
    assert len(holds) == 1
    h = holds[0]
    assert h.pose == "tree" and h.side == "left"
    assert h.start_s == pytest.approx(15 / FPS)  # starts where the streak began
    assert h.end_s == pytest.approx((15 + 4 * FPS - 1) / FPS)
    assert h.frames == int(4 * FPS)


def test_short_streaks_and_short_holds_are_not_holds() -> None:
    nobody = assess(None, "s", (640, 480))
    too_short_to_enter = [_tree()] * int(HOLD_ENTER_S * FPS * 0.8) + [nobody] * 30
    assert _run(too_short_to_enter)[0] == []
    too_short_to_keep = [_tree()] * int(HOLD_MIN_S * FPS * 0.8) + [nobody] * 30
    assert _run(too_short_to_keep)[0] == []


def test_hysteresis_bridges_a_short_dropout() -> None:
    nobody = assess(None, "s", (640, 480))
    gap = int(HOLD_EXIT_S * FPS * 0.5)
    stream = [_tree()] * 90 + [nobody] * gap + [_tree()] * 90
    holds, _ = _run(stream)
    assert len(holds) == 1 and holds[0].frames == 180 + gap
    long_gap = int(HOLD_EXIT_S * FPS * 2)
    holds, _ = _run([_tree()] * 90 + [nobody] * long_gap + [_tree()] * 90)
    assert len(holds) == 2


def test_hold_scores_follow_the_checks() -> None:
    check = next(c for c in get_pose("tree").checks if c.id == "standing_knee_midline")
    faulty = _tree(check.fault + 3.0)
    n_ok, n_bad = 60, 60
    holds, tracker = _run([_tree()] * n_ok + [faulty] * n_bad)
    (hold,) = holds
    score = next(c for c in hold.checks if c.check == "standing_knee_midline")
    assert score.frames_judged == n_ok + n_bad
    assert score.aligned_pct == pytest.approx(100 * n_ok / (n_ok + n_bad))
    assert score.score == pytest.approx(100 * n_ok / (n_ok + n_bad))
    assert score.worst_severity == "fault"
    assert score.worst_value == pytest.approx(check.fault + 3.0, abs=1e-6)
    assert score.worst_time_s is not None and score.worst_time_s >= n_ok / FPS - 1e-9
    assert (hold.index, "standing_knee_midline") in tracker.worst_moments
    # a check the front camera cannot judge (knee bend) carries its reason and no score
    straight = next(c for c in hold.checks if c.check == "standing_leg_straight")
    assert straight.score is None and straight.reason and "not measurable" in straight.reason
    judged = [c.score for c in hold.checks if c.score is not None]
    assert hold.score == pytest.approx(sum(judged) / len(judged))
    assert not math.isnan(hold.score or math.nan)


# ----------------------------------------------------------------------------- session


def _tree_landmarks(fault_deg: float = 0.0) -> Landmarks:
    body = lift_foot(standing_body(), "right", 0.5)
    if fault_deg:
        body = displace_knee(body, "left", fault_deg)
    return camera_view(body)


def test_the_hold_rule_is_pose_and_side() -> None:
    tree = _tree(fault_deg=25.0)
    assert tree.pose == "tree" and tree.side == "left" and tree.cues
    hold = ("tree", "left", 1.0)
    other_side = replace(tree, side="right")
    assert in_hold(tree, hold) and not in_hold(other_side, hold)
    assert not in_hold(tree, None) and not in_hold(replace(tree, pose="bridge"), hold)
    # offline: each frame says what it was; a frame off the hold's side is a transition
    shown = display_result(tree, hold, 3.0, tree.cues, steady_header=False)
    assert shown.status == "hold 2.0 s" and shown.cues == tree.cues
    shown = display_result(other_side, hold, 3.0, (), steady_header=False)
    assert shown.status == "transition: not scored" and shown.cues == ()
    # live: the header stays with the hold (no flicker), the cues are the ones given
    shown = display_result(other_side, hold, 3.0, (), steady_header=True)
    assert (shown.pose, shown.side, shown.status, shown.cues) == ("tree", "left", "hold 2.0 s", ())


def test_offline_and_live_sessions_agree_on_holds() -> None:
    """The same stream through both sessions: the same frames, in order, the same hold;
    live returns each frame at once, offline after smoothing and batching."""
    stream = [_tree_landmarks(25.0)] * int(3 * FPS) + [None] * 30
    offline: Session[int] = Session.offline("synthetic", pose="tree")
    live: Session[int] = Session.live("synthetic", pose="tree")
    steps_off, steps_live = [], []
    for i, lm in enumerate(stream):
        steps_off += offline.push(i, i, i / FPS, lm, (640, 480))
        got = live.push(i, i, i / FPS, lm, (640, 480), people=2)
        assert [s.index for s in got] == [i]
        steps_live += got
    steps_off += offline.flush()
    for session in (offline, live):
        session.finish()
    assert [s.index for s in steps_off] == list(range(len(stream)))
    assert [s.item for s in steps_off] == [s.index for s in steps_off]
    assert len(offline.holds) == len(live.holds) == 1
    assert (offline.holds[0].pose, offline.holds[0].side) == ("tree", "left")
    assert offline.holds[0].start_s == pytest.approx(live.holds[0].start_s)
    # cues only in the hold, steadied alike (shown once the fault has lasted 0.5 s): the
    # first cue shows at the same moment in both, 0.5 s after the frames' own cues begin
    first_cue = [next(s.time_s for s in steps if s.shown.cues) for steps in (steps_off, steps_live)]
    assert first_cue[0] == pytest.approx(first_cue[1], abs=1.5 / FPS)
    first_raw = next(s.time_s for s in steps_off if s.result.cues and s.shown.status != TRANSITION)
    assert first_cue[0] - first_raw == pytest.approx(0.5, abs=1.5 / FPS)
    assert all(s.shown.status == "transition: not scored" for s in steps_off[: int(FPS) - 1])
    report = live.report(
        video=VideoInfo("x", 640, 480, FPS, None, 0, "synthetic"),
        settings={"pose": "tree"},
        frames_decoded=len(stream),
    )
    assert report.frames_analysed == len(stream) and report.complete
    assert report.frames_with_person == int(3 * FPS)
    assert any("more than one person" in n for n in report.notes)
    assert offline.worst_moments and set(offline.worst_moments) == set(live.worst_moments)


def test_thumbnails_stop_at_the_last_frame_needed() -> None:
    session: Session[None] = Session.offline("synthetic", pose="tree")
    for i in range(int(3 * FPS)):
        session.push(None, i, i / FPS, _tree_landmarks(25.0), (640, 480))
    session.flush()
    session.finish()
    wanted = {index for index, _ in session.worst_moments.values()}
    assert wanted
    read: list[int] = []

    def frames():  # noqa: ANN202 - the app's read-back of its video
        for i in range(10_000):
            read.append(i)
            yield i, np.zeros((480, 640, 3), np.uint8)

    thumbs = session.thumbnails(frames())
    assert set(thumbs) == set(session.worst_moments)
    assert all(jpeg[:2] == b"\xff\xd8" for jpeg in thumbs.values())
    assert read[-1] == max(wanted)


def test_kept_worst_frames_make_the_thumbnails_a_read_back_would() -> None:
    """``analyze``'s WorstFrameKeeper: two Tree holds (the fault worsening in the first,
    easing in the second), separated by frames with nobody; every worst moment is kept
    as the frames go by, its JPEG byte for byte the one a second decoding pass makes, so
    nothing needs reading back (the read-back with ``skip`` reads no frame)."""
    from posecheck.judge.session import WorstFrameKeeper
    from posecheck.outputs.overlay import annotate

    n = int(3 * FPS)
    faults = (
        [14.0 + 12.0 * i / n for i in range(n)]
        + [None] * 20
        + [26.0 - 10.0 * i / n for i in range(n)]
    )
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in faults]
    session: Session[np.ndarray] = Session.offline("synthetic", pose="tree")
    keeper = WorstFrameKeeper(draw=annotate)

    held: list[int] = []

    def record(steps: list) -> None:  # noqa: ANN001 - Step[np.ndarray]
        for step in steps:
            keeper.offer(step.index, step.item)
        keeper.update(session)
        held.append(len(keeper._frames))

    for i, fault in enumerate(faults):
        lm = None if fault is None else _tree_landmarks(fault)
        record(session.push(images[i], i, i / FPS, lm, (640, 480)))
    record(session.flush())
    session.finish()
    keeper.update(session)
    assert max(held) <= 6  # one image per firing check at most, never the whole video
    assert len(session.holds) == 2
    moments = session.worst_moments
    assert {hold for hold, _ in moments} == {1, 2}
    # worst where the fault is largest: the first hold's end, the second hold's start
    first = max(i for (h, _), (i, _) in moments.items() if h == 1)
    second = min(i for (h, _), (i, _) in moments.items() if h == 2)
    assert first >= n - 3 and n + 20 <= second <= n + 23
    read: list[int] = []

    def frames():  # noqa: ANN202 - the app's read-back of its video
        for i, image in enumerate(images):
            read.append(i)
            yield i, image

    assert set(keeper.kept) == set(moments)
    assert session.thumbnails(frames(), draw=annotate, skip=keeper.kept) == {}
    assert read == []
    assert keeper.kept == session.thumbnails(frames(), draw=annotate)
