"""What posecheck says on the terminal, as text: pure functions that return lines.

The command line (:mod:`posecheck.apps.cli`) only prints them: plain lines with
``typer.echo``, the video summary's lines and hold table with rich (its heading carries
rich markup). Nothing here prints, reads files or imports a terminal library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from posecheck.poses import get_pose

if TYPE_CHECKING:
    from posecheck.report import VideoReport
    from posecheck.result import FrameResult

#: Metrics listed for a photo whose pose was not recognised.
UNRECOGNISED_METRICS = (
    "knee_valgus_left_deg",
    "knee_valgus_right_deg",
    "pelvic_obliquity_deg",
    "weight_left_pct",
    "weight_right_pct",
)

#: The columns of the video summary's hold table.
HOLD_COLUMNS = ("#", "pose", "side", "time", "view", "score", "weakest check")


# --------------------------------------------------------------------------- photos


def photo_lines(result: FrameResult) -> list[str]:
    """The human-readable report of one photo: a heading line (pose, side, confidence,
    view), one line per check or metric, the cues, the notes."""
    if not result.person:
        return [f"{result.source}: no person found"]
    if result.pose is None:
        lines = [f"{result.source}: no pose recognised, view {result.view.value}"]
        for name in UNRECOGNISED_METRICS:
            m = result.metrics[name]
            value = f"{m.value:6.1f} {m.unit}" if m.valid else f"n/a ({m.reason})"
            lines.append(f"  {name:<24} {value}")
    else:
        spec = get_pose(result.pose)
        side = f" ({spec.side_meaning}: {result.side})" if spec.side_meaning else ""
        conf = f", confidence {result.pose_confidence:.2f}" if result.pose_confidence else ""
        lines = [f"{result.source}: {spec.display_name}{side}{conf}, view {result.view.value}"]
        for status in result.checks:
            if status.severity is None:
                lines.append(f"  {'n/a':<6} {status.check:<24} {status.reason}")
            else:
                unit = result.metrics[status.metric].unit
                lines.append(
                    f"  {status.severity.value:<6} {status.check:<24} {status.value:.1f} {unit}"
                )
    for cue in result.cues:
        lines.append(f"  -> [{cue.severity.value}] {cue.message}")
    if not result.cues:
        lines.append("  no alignment cues")
    lines.extend(f"  note: {n}" for n in result.notes)
    return lines


def annotated_line(target: Path) -> str:
    """Where a photo's annotated copy went."""
    from posecheck.io.paths import printable

    return f"  annotated: {printable(target)}"


# --------------------------------------------------------------------------- videos


@dataclass(frozen=True)
class VideoSummary:
    """The terminal summary of a video report (``analyze``, and ``live`` at its end).

    Attributes:
        heading: one line in rich markup (the source in bold): size, fps, frame counts.
        hold_rows: one row per hold, in :data:`HOLD_COLUMNS` order; empty without holds
            (then no table is shown).
        tail: the report's notes, then where the outputs are (when written).
    """

    heading: str
    hold_rows: tuple[tuple[str, ...], ...]
    tail: tuple[str, ...]


def video_summary(report: VideoReport, out: Path | None) -> VideoSummary:
    """The summary of ``report``; ``out`` is the output folder (None: nothing written)."""
    from rich.markup import escape  # a file named "[red]x.mp4" is not markup

    from posecheck.io.paths import printable

    v = report.video
    heading = (
        f"[bold]{escape(report.source)}[/]: {v.width}x{v.height}, {v.fps:.1f} fps, "
        f"{report.frames_analysed} frames analysed, person in {report.frames_with_person}"
    )
    rows = []
    for h in report.holds:
        spec = get_pose(h.pose)
        side = f"{spec.side_meaning}: {h.side}" if spec.side_meaning and h.side else ""
        judged = [c for c in h.checks if c.score is not None]
        weakest = min(judged, key=lambda c: c.score or 0.0) if judged else None
        weak = (
            f"{weakest.title} ({weakest.score:.0f})"
            if weakest and weakest.score is not None
            else ""
        )
        score = "" if h.score is None else f"{h.score:.0f}"
        rows.append(
            (
                str(h.index),
                spec.display_name,
                side,
                f"{h.start_s:.1f}-{h.end_s:.1f} s",
                h.view,
                score,
                weak,
            )
        )
    tail = [escape(f"note: {note}") for note in report.notes]
    tail += [escape(f"next: {line}") for line in camera_lines(report)]
    if out is not None:
        tail.append(escape(f"outputs in {printable(out)}/: " + ", ".join(report.outputs.values())))
    return VideoSummary(heading, tuple(rows), tuple(tail))


#: How to film when no pose is read (the terminal summary, and ``live`` on screen).
FILM_WHOLE_BODY = "film the whole body, 2.5-4 m away with the lens at hip height"


def camera_lines(report: VideoReport) -> list[str]:
    """Where to film next: per pose held, the camera placement that would judge the
    checks this video's view could not (:func:`~posecheck.poses.base.camera_advice`);
    with a person but no hold, how to film so that a pose is read."""
    from posecheck.poses.base import camera_advice

    lines: list[str] = []
    corrected = report.settings.get("correction") == "on"
    for h in report.holds:
        spec = get_pose(h.pose)
        switched_off = {c.id for c in spec.checks if not c.is_on(corrected)}
        unjudged = [c.check for c in h.checks if c.score is None and c.check not in switched_off]
        advice = camera_advice(spec, unjudged, corrected)
        if advice is not None and advice not in lines:
            lines.append(advice)
    if not report.holds and report.frames_with_person:
        lines.append(
            f"no pose was held and read: {FILM_WHOLE_BODY}, and hold the pose still for 2 s "
            "or more (`posecheck poses` lists each pose's camera placements)"
        )
    return lines


def partial_video_line(video: Path, report: VideoReport) -> str:
    """The stderr line (without ``posecheck: ``) for an ``analyze`` report that covers
    only part of the video."""
    from posecheck.io.paths import printable
    from posecheck.vocab import PartialReason

    interrupted = report.partial_reason is PartialReason.INTERRUPTED
    what = "interrupted" if interrupted else "decoding stopped"
    return f"{printable(video)}: partial report: {what} at {report.stopped_at_s or 0.0:.1f} s"


# --------------------------------------------------------------------------- live


class LiveSession(Protocol):
    """What the end-of-session lines need (:class:`posecheck.apps.live.LiveSummary`)."""

    @property
    def duration_s(self) -> float:
        """Wall-clock length of the session."""
        ...

    @property
    def frames_processed(self) -> int:
        """Frames analysed and shown."""
        ...

    @property
    def frames_dropped(self) -> int:
        """Frames replaced by a newer one before they were processed."""
        ...

    @property
    def fps(self) -> float:
        """Frames processed per second."""
        ...

    @property
    def latency_ms(self) -> tuple[float, float] | None:
        """(median, 90th percentile) from capture to overlay, or None."""
        ...

    @property
    def stop_reason(self) -> str:
        """Why the session ended."""
        ...

    @property
    def snapshots(self) -> Sequence[Path]:
        """Snapshot files saved."""
        ...


def live_session_lines(session: LiveSession) -> list[str]:
    """How a live session went (length, frames, fps, latency, why it ended), then one
    line per snapshot saved."""
    latency = (
        f"; latency {session.latency_ms[0]:.0f} ms median, {session.latency_ms[1]:.0f} ms p90"
        if session.latency_ms is not None
        else ""
    )
    lines = [
        f"live session: {session.duration_s:.1f} s, {session.frames_processed} frames "
        f"processed ({session.fps:.1f} fps), {session.frames_dropped} dropped{latency}; "
        f"ended by: {session.stop_reason}"
    ]
    lines.extend(f"snapshot: {path}" for path in session.snapshots)
    return lines


def live_partial_line(error: str | None, out_dir: Path | None) -> str:
    """The stderr line (without ``posecheck: ``) for a session whose source failed
    part-way: the failure, and where the partial report is (when recorded)."""
    kept = f"; partial report in {out_dir}" if out_dir is not None else ""
    return f"{error}{kept}"


# --------------------------------------------------------------------------- batch


def batch_count_line(rows: Sequence[Mapping[str, str]], skipped: int, elapsed_s: float) -> str:
    """One line counting a batch's clips per status, e.g.
    ``3 clips: 2 ok, 0 partial, 1 error; 1 skipped (already done); 4.2 s``."""
    ok = sum(r["status"] == "ok" for r in rows)
    partial = sum(r["status"] == "partial" for r in rows)
    errors = sum(r["status"] == "error" for r in rows)
    return (
        f"{len(rows)} clips: {ok} ok, {partial} partial, {errors} error; "
        f"{skipped} skipped (already done); {elapsed_s:.1f} s"
    )


def batch_error_lines(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """One stderr line (without ``posecheck: ``) per clip that errored: its source and
    why."""
    return [f"{r['source']}: {r['error']}" for r in rows if r["status"] == "error"]


def batch_tables_line(out: Path) -> str:
    """Where a batch's tables are."""
    return f"results: {out / 'results.csv'} and {out / 'index.html'}"
