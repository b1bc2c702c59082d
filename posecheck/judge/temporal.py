"""Time: landmark smoothing, holds with hysteresis, and per-hold scores. Pure, no I/O.

* :class:`OneEuroFilter` - causal smoothing for live use (Casiez, Roussel & Vogel 2012):
  a low-pass filter whose cut-off rises with speed, so a still body is steady and a
  moving one does not lag.
* :class:`CenteredSmoother` - zero-phase smoothing for recorded video: each frame's
  landmarks become a Gaussian-weighted mean of its neighbours *on both sides*, so
  nothing is shifted in time. It streams: a frame leaves ``half_window`` frames after it
  came in, so memory stays flat for any length.
* :class:`CueDebouncer` - steadies the cue list over time for live use: a cue appears
  once its fault has lasted :data:`CUE_ON_S` and leaves once it has been gone
  :data:`CUE_OFF_S`, so nothing flickers.
* :class:`HoldTracker` - finds holds: the same pose (and side) recognised, with the body
  steady, for at least :data:`HOLD_ENTER_S`; a hold ends when that stops for
  :data:`HOLD_EXIT_S`. Frames in between (transitions) are not scored.
* Scores: per hold and check, the share of judged time in alignment, the worst value
  and a 0-100 score (:func:`check_score`).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from posecheck.landmarks import MAIN_JOINTS, Landmarks
from posecheck.measure import geometry
from posecheck.poses import get_pose
from posecheck.poses.base import CheckStatus, PoseCheck
from posecheck.report import CheckScore, Hold
from posecheck.result import Cue, FrameResult
from posecheck.vocab import Severity, Side

T = TypeVar("T")

#: A pose must be recognised, steadily, this long before a hold starts (the hold then
#: starts when the streak began).
HOLD_ENTER_S = 1.0
#: A hold ends once its pose has been lost (other pose, none, or moving) this long; it
#: ends at the last frame that still belonged to it.
HOLD_EXIT_S = 0.5
#: Holds shorter than this are dropped (a pose passed through, not held).
HOLD_MIN_S = 2.0
#: The body counts as steady below this speed of its main joints, in leg lengths per
#: second (a slow sway in Tree moves ~0.05; stepping into a pose 0.5-2).
STEADY_MAX_SPEED = 0.25

#: A cue (live) appears once its fault has lasted this long (seconds) ...
CUE_ON_S = 0.5
#: ... and leaves once the fault has been gone this long.
CUE_OFF_S = 0.5
#: While a cue is building up, gaps up to this long (a frame or two where the fault
#: dips under its threshold) do not restart the count.
CUE_GAP_S = 0.2

#: Score weights: a frame in alignment counts fully, a warning half, a fault not at all.
SEVERITY_WEIGHT = {Severity.OK: 1.0, Severity.INFO: 1.0, Severity.WARN: 0.5, Severity.FAULT: 0.0}

_STEADY_JOINTS = list(MAIN_JOINTS)


# ----------------------------------------------------------------------------- smoothing


class OneEuroFilter:
    """Causal One Euro filter over arrays of any fixed shape (e.g. ``(33, 2)``).

    Args:
        min_cutoff_hz: cut-off at rest; lower = steadier, more lag.
        beta: how fast the cut-off rises with speed (per unit of the signal per second).
        d_cutoff_hz: cut-off for the speed estimate.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.5, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
        tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
        return 1.0 / (1.0 + tau / dt)

    def reset(self) -> None:
        self._x = self._dx = None
        self._t = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """Filter the sample ``x`` taken at time ``t`` (seconds, increasing)."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or self._dx is None or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        dx = (x - self._x) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        self._dx = self._dx + a_d * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = self._x + a * (x - self._x)
        self._t = t
        return self._x.copy()


class LandmarkFilter:
    """One Euro filtering of a stream of :class:`Landmarks` (causal, for live use).

    Positions are filtered in normalised image units per second; a frame without a
    person resets the filter so a re-entering person does not glide in.
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 8.0) -> None:
        self._xy = OneEuroFilter(min_cutoff_hz, beta)
        self._world = OneEuroFilter(min_cutoff_hz, beta)

    def __call__(self, lm: Landmarks | None, t: float) -> Landmarks | None:
        if lm is None:
            self._xy.reset()
            self._world.reset()
            return None
        xy = self._xy(lm.xy, t)
        world = None if lm.world is None else self._world(lm.world, t)
        return Landmarks(
            xy=xy,
            visibility=lm.visibility,
            image_wh=lm.image_wh,
            world=world,
            silhouette=lm.silhouette,
            hip_line_px=lm.hip_line_px,
        )


class CenteredSmoother(Generic[T]):
    """Zero-phase smoothing of a landmark stream, with a fixed delay.

    :meth:`push` takes ``(item, time_s, landmarks)`` and returns the frames whose
    ``half_window`` right-hand neighbours have arrived, each as ``(item, time_s,
    smoothed landmarks)``; :meth:`flush` returns the rest at the end. A frame's smoothed
    landmarks are the Gaussian-weighted (sigma = ``half_window / 2`` frames) mean of the
    frames around it that have a person and lie within ``max_gap_s`` of it; a frame
    without a person stays without one. Memory: ``2 * half_window + 1`` frames.

    ``item`` is anything the caller needs back with the frame (e.g. the image).
    """

    def __init__(self, half_window: int = 2, max_gap_s: float = 0.25) -> None:
        self.half_window = half_window
        self.max_gap_s = max_gap_s
        self._buf: deque[tuple[T, float, Landmarks | None]] = deque()
        self._next = 0  # index in _buf of the first frame not yet emitted
        sigma = max(half_window / 2.0, 1e-6)
        offsets = np.arange(-half_window, half_window + 1)
        self._weights = np.exp(-0.5 * (offsets / sigma) ** 2)

    def push(
        self, item: T, time_s: float, lm: Landmarks | None
    ) -> list[tuple[T, float, Landmarks | None]]:
        self._buf.append((item, time_s, lm))
        out = []
        while len(self._buf) - 1 - self._next >= self.half_window:
            out.append(self._at(self._next))
            self._next += 1
        while self._next > self.half_window:  # keep only the left context still needed
            self._buf.popleft()
            self._next -= 1
        return out

    def flush(self) -> list[tuple[T, float, Landmarks | None]]:
        out = [self._at(i) for i in range(self._next, len(self._buf))]
        self._buf.clear()
        self._next = 0
        return out

    def _at(self, centre: int) -> tuple[T, float, Landmarks | None]:
        item, t0, lm0 = self._buf[centre]
        if lm0 is None:
            return item, t0, None
        xy = np.zeros_like(lm0.xy)
        world = None if lm0.world is None else np.zeros_like(lm0.world)
        # The pixels' hip line (a direction whose sign means nothing): each frame's turned
        # to agree with the centre frame's, then weighted like the landmarks.
        line = None if lm0.hip_line_px is None else np.zeros(2)
        total = 0.0
        for k in range(-self.half_window, self.half_window + 1):
            i = centre + k
            if i < 0 or i >= len(self._buf):
                continue
            _, t, lm = self._buf[i]
            if lm is None or abs(t - t0) > self.max_gap_s:
                continue
            if world is not None and lm.world is None:
                continue
            w = float(self._weights[k + self.half_window])
            xy += w * lm.xy
            if world is not None and lm.world is not None:
                world += w * lm.world
            if line is not None and lm0.hip_line_px is not None and lm.hip_line_px is not None:
                sign = 1.0 if float(lm.hip_line_px @ lm0.hip_line_px) >= 0 else -1.0
                line += w * sign * lm.hip_line_px
            total += w
        if line is not None:
            norm = float(np.hypot(*line))
            line = line / norm if norm > 0 else lm0.hip_line_px
        smoothed = Landmarks(
            xy=xy / total,
            visibility=lm0.visibility,
            image_wh=lm0.image_wh,
            world=None if world is None else world / total,
            silhouette=lm0.silhouette,
            hip_line_px=line,
        )
        return item, t0, smoothed


def smooth_stream(
    frames: Iterable[tuple[T, float, Landmarks | None]],
    half_window: int = 2,
    max_gap_s: float = 0.25,
) -> Iterator[tuple[T, float, Landmarks | None]]:
    """Zero-phase smoothing of a whole stream, lazily (see :class:`CenteredSmoother`)."""
    smoother = CenteredSmoother[T](half_window, max_gap_s)
    for item, t, lm in frames:
        yield from smoother.push(item, t, lm)
    yield from smoother.flush()


# ----------------------------------------------------------------------------- cues


@dataclass
class _CueState:
    first_seen: float
    last_seen: float
    cue: Cue
    shown: Cue | None = None
    order: int = 0
    lower_since: float | None = None


class CueDebouncer:
    """Steadies the cue list over time (pure; feed every frame, times increasing).

    A cue (keyed by its check id) is shown once it has been present for ``on_s``
    (gaps up to ``gap_s`` while it builds up do not restart the count), and hidden once
    it has been absent for ``off_s``. So a shown cue stays at least ``off_s``, a hidden
    one stays hidden at least ``on_s``, and nothing flickers. While shown, a cue's
    severity may rise at once but falls only after the lower one has lasted ``off_s``.
    Shown cues keep the order in which they appeared.

    Args:
        on_s: presence needed before a cue is shown (seconds).
        off_s: absence needed before a shown cue is hidden (seconds).
        gap_s: tolerated gap while a cue builds up (seconds).
    """

    def __init__(self, on_s: float = CUE_ON_S, off_s: float = CUE_OFF_S, gap_s: float = CUE_GAP_S):
        self.on_s = on_s
        self.off_s = off_s
        self.gap_s = gap_s
        self._states: dict[str, _CueState] = {}
        self._counter = 0

    def reset(self) -> None:
        """Forget every cue (shown or building up)."""
        self._states.clear()

    @property
    def shown(self) -> tuple[Cue, ...]:
        """The cues shown now, in the order they appeared."""
        states = sorted(
            (s for s in self._states.values() if s.shown is not None), key=lambda s: s.order
        )
        return tuple(s.shown for s in states if s.shown is not None)

    def update(self, time_s: float, cues: Sequence[Cue]) -> tuple[Cue, ...]:
        """Take the raw cues of the frame at ``time_s``; return the cues to show."""
        present = {c.check: c for c in cues}
        for key, cue in present.items():
            state = self._states.get(key)
            if state is None or (state.shown is None and time_s - state.last_seen > self.gap_s):
                state = _CueState(first_seen=time_s, last_seen=time_s, cue=cue)
                self._states[key] = state
            state.last_seen, state.cue = time_s, cue
            if state.shown is None:
                if time_s - state.first_seen >= self.on_s - 1e-9:
                    self._counter += 1
                    state.shown, state.order = cue, self._counter
            else:
                self._update_severity(state, cue, time_s)
        for key in [k for k in self._states if k not in present]:
            state = self._states[key]
            absent = time_s - state.last_seen
            if absent > self.gap_s if state.shown is None else absent >= self.off_s - 1e-9:
                del self._states[key]
        return self.shown

    def _update_severity(self, state: _CueState, cue: Cue, time_s: float) -> None:
        shown = state.shown
        assert shown is not None
        if cue.severity.rank >= shown.severity.rank:
            state.shown, state.lower_since = cue, None
            return
        if state.lower_since is None:
            state.lower_since = time_s
        elif time_s - state.lower_since >= self.off_s - 1e-9:
            state.shown, state.lower_since = cue, None


# ----------------------------------------------------------------------------- steadiness


def joint_speed(prev: Landmarks | None, prev_t: float, cur: Landmarks | None, t: float) -> float:
    """Mean speed of the main joints between two frames, in leg lengths per second
    (NaN when either frame has no person or the times do not increase)."""
    if prev is None or cur is None or t <= prev_t:
        return math.nan
    a = prev.xy_px[_STEADY_JOINTS]
    b = cur.xy_px[_STEADY_JOINTS]
    leg = float(geometry.leg_length_px(cur.xy_px))
    if leg <= 0:
        return math.nan
    return float(np.mean(np.linalg.norm(b - a, axis=-1))) / leg / (t - prev_t)


# ----------------------------------------------------------------------------- scoring


def badness(check: PoseCheck, value: float) -> float:
    """How far ``value`` lies on the wrong side of ``check`` (larger = worse)."""
    x = value - check.target
    if check.direction == "below":
        return -x
    if check.direction == "abs_above":
        return abs(x)
    return x


def check_score(weights: list[float]) -> float | None:
    """0-100: the mean over the judged frames of 1 (aligned or info), 0.5 (warning) or 0
    (fault), times 100. None when no frame was judged.

    So a hold entirely in alignment scores 100, one spent half aligned and half at
    fault 50, one entirely at a warning 50, one entirely at fault 0.
    """
    if not weights:
        return None
    return 100.0 * sum(weights) / len(weights)


@dataclass
class _CheckTally:
    check: PoseCheck
    metric: str = ""
    judged: int = 0
    aligned: int = 0
    weights: list[float] = field(default_factory=list)
    worst_badness: float = -math.inf
    worst_value: float | None = None
    worst_time_s: float | None = None
    worst_severity: Severity | None = None
    worst_frame: tuple[int, FrameResult] | None = None
    reason: str | None = None

    def add(self, status: CheckStatus, time_s: float, frame: tuple[int, FrameResult]) -> None:
        self.metric = status.metric
        if status.severity is None:
            self.reason = self.reason or status.reason
            return
        self.judged += 1
        self.aligned += status.severity in (Severity.OK, Severity.INFO)
        self.weights.append(SEVERITY_WEIGHT[status.severity])
        b = badness(self.check, status.value)
        if b > self.worst_badness:
            self.worst_badness = b
            self.worst_value, self.worst_time_s = status.value, time_s
            self.worst_severity = status.severity
            self.worst_frame = frame

    def result(self, frames_total: int) -> CheckScore:
        return CheckScore(
            check=self.check.id,
            title=self.check.title,
            metric=self.metric,
            frames_judged=self.judged,
            frames_total=frames_total,
            aligned_pct=100.0 * self.aligned / self.judged if self.judged else None,
            worst_value=self.worst_value,
            worst_time_s=self.worst_time_s,
            worst_severity=None if self.worst_severity is None else self.worst_severity.value,
            score=check_score(self.weights),
            reason=None if self.judged else self.reason,
        )


@dataclass
class _OpenHold:
    pose: str
    side: Side | None
    start_s: float
    end_s: float
    frames: list[tuple[float, FrameResult]] = field(default_factory=list)


class HoldTracker:
    """Turns per-frame results into holds (streaming; memory grows only with the number
    of frames inside the current hold's pending edges, not with the video's length).

    Feed every analysed frame with :meth:`push`; completed holds come out of
    :meth:`push` and :meth:`finish`. ``current`` is the hold in progress (for overlays).
    """

    def __init__(
        self,
        enter_s: float = HOLD_ENTER_S,
        exit_s: float = HOLD_EXIT_S,
        min_s: float = HOLD_MIN_S,
        steady_max_speed: float = STEADY_MAX_SPEED,
    ) -> None:
        self.enter_s = enter_s
        self.exit_s = exit_s
        self.min_s = min_s
        self.steady_max_speed = steady_max_speed
        self._count = 0
        self._streak: list[tuple[float, FrameResult, int]] = []
        self._streak_key: tuple[str, Side | None] | None = None
        self._hold: _HoldState | None = None
        self._prev: tuple[Landmarks | None, float] = (None, -math.inf)
        self._lost: list[tuple[float, FrameResult, tuple[str, Side | None] | None, int]] = []
        #: (hold index, check id) -> (frame index, result) at that check's worst moment.
        self.worst_moments: dict[tuple[int, str], tuple[int, FrameResult]] = {}

    @property
    def current(self) -> tuple[str, Side | None, float] | None:
        """``(pose, side, start_s)`` of the hold in progress, or None."""
        if self._hold is None:
            return None
        return self._hold.pose, self._hold.side, self._hold.start_s

    def _key(self, result: FrameResult, speed: float) -> tuple[str, Side | None] | None:
        if result.pose is None or not result.person:
            return None
        if math.isfinite(speed) and speed > self.steady_max_speed:
            return None
        return result.pose, result.side

    def push(self, time_s: float, result: FrameResult, index: int = -1) -> list[Hold]:
        """Add one analysed frame (``index``: the caller's frame number, kept for the
        worst moments); returns holds that just ended."""
        prev_lm, prev_t = self._prev
        speed = joint_speed(prev_lm, prev_t, result.landmarks, time_s)
        self._prev = (result.landmarks, time_s)
        key = self._key(result, speed)
        done: list[Hold] = []
        if self._hold is not None:
            if key == (self._hold.pose, self._hold.side):
                for t, r, _, i in self._lost:
                    self._hold.add(t, r, i)
                self._lost = []
                self._hold.add(time_s, result, index)
                return done
            self._lost.append((time_s, result, key, index))
            if time_s - self._lost[0][0] < self.exit_s:
                return done
            finished = self._close()
            if finished is not None:
                done.append(finished)
            # the lost frames may begin a new streak
            lost, self._lost = self._lost, []
            for t, r, k, i in lost:
                done.extend(self._streak_push(t, r, k, i))
            return done
        done.extend(self._streak_push(time_s, result, key, index))
        return done

    def _streak_push(
        self,
        time_s: float,
        result: FrameResult,
        key: tuple[str, Side | None] | None,
        index: int,
    ) -> list[Hold]:
        if key is None:
            self._streak, self._streak_key = [], None
            return []
        if key != self._streak_key:
            self._streak, self._streak_key = [], key
        self._streak.append((time_s, result, index))
        if time_s - self._streak[0][0] >= self.enter_s:
            self._hold = _HoldState(key[0], key[1], self._streak[0][0])
            for t, r, i in self._streak:
                self._hold.add(t, r, i)
            self._streak, self._streak_key = [], None
        return []

    def _close(self) -> Hold | None:
        hold, self._hold = self._hold, None
        if hold is None or hold.end_s - hold.start_s < self.min_s:
            return None
        self._count += 1
        for check_id, moment in hold.worst_frames().items():
            self.worst_moments[(self._count, check_id)] = moment
        return hold.result(self._count)

    def candidate_frames(self) -> set[int]:
        """Frame indices that may yet be a worst moment (:attr:`worst_moments`): each
        check's worst frame in the hold in progress, and among the frames not yet placed
        in a hold or out of one (the streak that may start a hold, the frames lost from
        the hold that may return to it), each (pose, side, check)'s worst firing frame.
        A frame outside this set can no longer be one, unless the streak it was in breaks
        off and a later streak of its pose and side becomes a hold worse at first."""
        out: set[int] = set()
        if self._hold is not None:
            for tally in self._hold.tallies.values():
                if tally.worst_frame is not None:
                    out.add(tally.worst_frame[0])
        best: dict[tuple[str, Side | None, str], tuple[float, int]] = {}
        undecided = [(r, i) for _, r, i in self._streak] + [(r, i) for _, r, _, i in self._lost]
        for result, index in undecided:
            if result.pose is None:
                continue
            checks = {c.id: c for c in get_pose(result.pose).checks}
            for status in result.checks:
                if status.severity not in (Severity.WARN, Severity.FAULT):
                    continue
                key = (result.pose, result.side, status.check)
                b = badness(checks[status.check], status.value)
                if key not in best or b > best[key][0]:
                    best[key] = (b, index)
        out.update(i for _, i in best.values())
        return out

    def finish(self) -> list[Hold]:
        """End of the video: close the hold in progress."""
        finished = self._close()
        self._lost = []
        self._streak, self._streak_key = [], None
        return [] if finished is None else [finished]


class _HoldState:
    """Running totals of one hold: per-check tallies, confidence, views, COM sway."""

    def __init__(self, pose: str, side: Side | None, start_s: float) -> None:
        self.pose = pose
        self.side = side
        self.start_s = start_s
        self.end_s = start_s
        self.frames = 0
        self.confidence_sum = 0.0
        self.views: dict[str, int] = {}
        self.tallies = {c.id: _CheckTally(c) for c in get_pose(pose).checks}
        self.com_x: list[float] = []

    def add(self, time_s: float, result: FrameResult, index: int = -1) -> None:
        """Count a frame of the hold; only frames read as the hold's pose are judged (a
        frame lost for a moment inside the hold counts toward its length only)."""
        self.end_s = time_s
        self.frames += 1
        if result.pose != self.pose or result.side != self.side:
            return
        self.confidence_sum += result.pose_confidence or 0.0
        self.views[result.view.value] = self.views.get(result.view.value, 0) + 1
        for status in result.checks:
            tally = self.tallies.get(status.check)
            if tally is not None:
                tally.add(status, time_s, (index, result))
        if result.landmarks is not None and result.balance is not None:
            leg = float(geometry.leg_length_px(result.landmarks.xy_px))
            if leg > 0:
                self.com_x.append(result.balance.com_px[0] / leg)

    def worst_frames(self) -> dict[str, tuple[int, FrameResult]]:
        """check id -> (frame index, result) of its worst moment, for checks that warned
        or faulted."""
        return {
            cid: t.worst_frame
            for cid, t in self.tallies.items()
            if t.worst_frame is not None and t.worst_severity in (Severity.WARN, Severity.FAULT)
        }

    def result(self, index: int) -> Hold:
        checks = tuple(t.result(self.frames) for t in self.tallies.values())
        scores = [c.score for c in checks if c.score is not None]
        sway = 100.0 * float(np.std(self.com_x)) if len(self.com_x) > 1 else None
        return Hold(
            index=index,
            pose=self.pose,
            side=self.side,
            start_s=self.start_s,
            end_s=self.end_s,
            frames=self.frames,
            confidence=self.confidence_sum / max(self.frames, 1),
            view=max(self.views, key=lambda v: self.views[v]) if self.views else "unknown",
            checks=checks,
            score=sum(scores) / len(scores) if scores else None,
            sway_pct=sway,
        )
