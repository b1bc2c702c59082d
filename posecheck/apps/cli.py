"""The ``posecheck`` command line: parse, call the library, print. Thin by design.

Heavy imports (OpenCV, MediaPipe) happen inside the commands so that ``posecheck --help``
stays fast and never loads MediaPipe.

Exit codes: 0 all inputs processed (a photo without a person is not an error: it is
reported with ``person: false``); 1 at least one input could not be read; 2 usage or
model error.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from posecheck.errors import BusyError, ModelError, OutputError, PosecheckError

if TYPE_CHECKING:
    from posecheck.report import VideoReport


def _flags_without_type() -> None:
    """typer 0.29 prints ``<bool>`` after every on/off flag (``--no-video <bool>``), which
    reads as if the flag took a value: show flags bare, as click does."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag and not self.count else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_without_type()

app = typer.Typer(
    name="posecheck",
    help="Knee, hip and weight alignment feedback for yoga poses "
    "(Warrior 1, Tree, Half Moon, Bridge) from photos and video.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from posecheck import __version__

        typer.echo(f"posecheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Knee, hip and weight alignment feedback for yoga poses."""


def _pose_choices() -> list[tuple[str, str]]:
    """``auto`` and every registered pose's name, in registry order."""
    from posecheck.poses import REGISTRY

    return [("auto", "auto"), *((name, name) for name in REGISTRY)]


if TYPE_CHECKING:

    class PoseChoice(StrEnum):
        """What mypy is told: the code names only ``auto``; the poses are data."""

        auto = "auto"

else:
    #: ``--pose`` choices: ``auto`` and the registered poses (read once, at import).
    PoseChoice = StrEnum("PoseChoice", _pose_choices())


ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Pose landmarker .task file (default: the shipped pose_landmarker_full.task; "
        "official pose_landmarker_{lite,full,heavy}.task files work too).",
        envvar="POSECHECK_MODEL",
        show_envvar=True,
        show_default=False,
    ),
]


def _error(message: str) -> None:
    """One line on stderr, never wrapped."""
    typer.echo(f"posecheck: {message}", err=True)


#: Longest file name (bytes) posecheck writes: most file systems take 255, and the
#: temporary name beside it (``.NAME.<pid>-<hex>.partial``) needs some 30 more.
MAX_NAME_BYTES = 200


def _fit_name(stem: str, suffix: str) -> str:
    """``stem + suffix``, the stem cut (plus a short hash) so the name fits
    :data:`MAX_NAME_BYTES` -> str."""
    import hashlib

    name = stem + suffix
    if len(os.fsencode(name)) <= MAX_NAME_BYTES:
        return name
    tag = "-" + hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
    keep = stem
    while keep and len(os.fsencode(keep + tag + suffix)) > MAX_NAME_BYTES:
        keep = keep[:-1]
    return keep + tag + suffix


def output_paths(out: Path, sources: list[Path]) -> list[Path]:
    """Where the annotated copy of each source goes, never twice the same place in one
    run: ``out`` itself when it names an image file (single input), else
    ``out/<stem>.posecheck.jpg``, with ``-2``, ``-3``... added to a stem already taken
    (``a/p.jpg b/p.jpg`` -> ``p.posecheck.jpg``, ``p-2.posecheck.jpg``)."""
    from posecheck.io.images import IMAGE_SUFFIXES

    if out.suffix.lower() in IMAGE_SUFFIXES and len(sources) == 1:
        return [out]
    taken: set[str] = set()
    targets = []
    for source in sources:
        stem, n = source.stem or "image", 1
        name = _fit_name(stem, ".posecheck.jpg")
        while name.lower() in taken:
            n += 1
            name = _fit_name(stem, f"-{n}.posecheck.jpg")
        taken.add(name.lower())
        targets.append(out / name)
    return targets


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


CorrectOption = Annotated[
    bool,
    typer.Option(
        "--correct",
        help="Measure on landmarks corrected by the shipped per-pose model, which learned "
        "MediaPipe's systematic hip and shoulder errors from rendered bodies (pelvis "
        "obliquity error about halved; docs/measurements.md). Adds the segmentation "
        "mask: about 6 ms a frame. Only with the shipped landmarker.",
    ),
]


FastOption = Annotated[
    bool,
    typer.Option(
        "--fast",
        help="Let the model follow the person from frame to frame instead of finding them "
        "afresh in every frame: about 1.4x faster, knee angles slightly less accurate "
        "(docs/measurements.md).",
    ),
]


def _correction(correct: bool) -> Literal["auto"] | None:
    return "auto" if correct else None


def _note_correction(asked: bool, applied: bool) -> None:
    if asked and not applied:
        _error(
            "--correct: no landmark correction for this landmarker (the shipped one is "
            "trained for the shipped pose_landmarker_full.task); measured without it"
        )


@app.command()
def image(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Photo files (JPEG, PNG, ...).",
            show_default=False,
            readable=False,  # an unreadable photo is that photo's error, not a usage error
        ),
    ],
    pose: Annotated[
        PoseChoice, typer.Option(help="Pose to check; auto recognises it.")
    ] = PoseChoice.auto,
    out: Annotated[
        Path,
        typer.Option(
            help="Output folder for annotated copies, or an image file name when "
            "there is one input."
        ),
    ] = Path("posecheck-out"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per image on stdout.")
    ] = False,
    model: ModelOption = None,
    correct: CorrectOption = False,
) -> None:
    """Check alignment in photos and write annotated copies."""
    from posecheck.estimate.landmarker import PoseEstimator
    from posecheck.io.images import load_image, save_image
    from posecheck.io.paths import printable
    from posecheck.judge.assess import analyze_image
    from posecheck.outputs.overlay import annotate
    from posecheck.outputs.text import annotated_line, photo_lines

    forced = None if pose is PoseChoice.auto else pose.value
    failures = 0
    targets = output_paths(out, paths)
    for path, target in zip(paths, targets, strict=True):
        if _same_file(path, target):
            _error(f"{printable(target)}: is the input itself; choose another --out")
            raise typer.Exit(2)
    try:
        with PoseEstimator(model_path=model, correction=_correction(correct)) as estimator:
            _note_correction(correct, estimator.correction is not None)
            for path, target in zip(paths, targets, strict=True):
                try:
                    frame = load_image(path)
                    result = analyze_image(frame, estimator, source=printable(path), pose=forced)
                    save_image(target, annotate(frame, result))
                except OutputError as exc:  # the next photo would fail the same way
                    _error(str(exc))
                    raise typer.Exit(1) from None
                except PosecheckError as exc:
                    failures += 1
                    _error(str(exc))
                    continue
                if as_json:
                    typer.echo(json.dumps(result.to_dict(), allow_nan=False))
                else:
                    typer.echo("\n".join(photo_lines(result)))
                    typer.echo(annotated_line(target))
                if not result.person:
                    _error(f"{printable(path)}: no person found")
    except ModelError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    if failures:
        raise typer.Exit(1)


def _print_video_summary(report: VideoReport, out: Path | None) -> None:
    """Print :func:`posecheck.outputs.text.video_summary`: heading, hold table, notes."""
    from rich.console import Console
    from rich.table import Table

    from posecheck.outputs.text import HOLD_COLUMNS, video_summary

    summary = video_summary(report, out)
    console = Console(highlight=False)  # no colour for numbers such as 640x480's 0x480
    console.print(summary.heading)
    if summary.hold_rows:
        table = Table(title="Holds")
        for col in HOLD_COLUMNS:
            table.add_column(col)
        for row in summary.hold_rows:
            table.add_row(*row)
        console.print(table)
    for line in summary.tail:
        console.print(line)


@app.command()
def analyze(
    video: Annotated[
        Path,
        typer.Argument(
            help="A recorded video (mp4, mov, webm, ...).", show_default=False, readable=False
        ),
    ],
    pose: Annotated[
        PoseChoice, typer.Option(help="Pose to check; auto recognises it in every frame.")
    ] = PoseChoice.auto,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default: posecheck-out/<video name>)."),
    ] = None,
    stride: Annotated[int, typer.Option(min=1, help="Analyse every N-th frame.")] = 1,
    max_width: Annotated[
        int | None, typer.Option(min=64, help="Downscale wider frames to this width (px).")
    ] = None,
    no_video: Annotated[
        bool, typer.Option("--no-video", help="Skip annotated.mp4 (faster).")
    ] = False,
    person: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Follow the N-th person from the left (numbered in the first frame with at "
            "least N people) instead of the largest.",
            show_default=False,
        ),
    ] = None,
    landmarks: Annotated[
        bool,
        typer.Option(
            "--landmarks",
            help="Also write the smoothed landmarks: landmarks.csv and landmarks.trc (OpenSim).",
        ),
    ] = False,
    model: ModelOption = None,
    correct: CorrectOption = False,
    fast: FastOption = False,
) -> None:
    """Analyse a recorded video: annotated.mp4, report.json, frames.csv, report.html.

    Exit codes: 0 done; 1 the video cannot be read, or an output cannot be written; 2
    usage or model error, or the output folder is in use; 3 decoding stopped early (a
    partial report covering what decoded was written); 130/143 Ctrl-C/SIGTERM (the
    partial report of what was analysed is written).
    """
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from posecheck.apps.analyze import AnalysisInterrupted, analyze_video
    from posecheck.io.paths import printable
    from posecheck.outputs.text import partial_video_line

    target = out if out is not None else Path("posecheck-out") / _fit_name(video.stem, "")
    forced = None if pose is PoseChoice.auto else pose.value
    columns = (
        TextColumn("analysing"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    try:
        with _analyze_lock(target), Progress(*columns, transient=True) as bar:
            task = bar.add_task("video", total=None)

            def progress(done_s: float, total_s: float | None) -> None:
                bar.update(task, completed=done_s, total=total_s)

            report = analyze_video(
                video,
                target,
                pose=forced,
                stride=stride,
                max_width=max_width,
                write_video=not no_video,
                model=model,
                progress=progress,
                person=person,
                landmarks=landmarks,
                correction=_correction(correct),
                fast=fast,
            )
        _note_correction(correct, report.settings.get("correction") == "on")
    except AnalysisInterrupted as stop:
        _print_video_summary(stop.report, target)
        _error(partial_video_line(video, stop.report) + f", written to {printable(target)}")
        raise typer.Exit(signal_exit_code()) from None
    except KeyboardInterrupt:  # before the first frame: nothing to report
        _error(f"{printable(video)}: interrupted before any frame was analysed")
        raise typer.Exit(signal_exit_code()) from None
    except (ModelError, BusyError) as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    except PosecheckError as exc:
        _error(str(exc))
        raise typer.Exit(1) from None
    except OSError as exc:
        from posecheck.io.paths import describe_os_error

        _error(describe_os_error(exc, target))
        raise typer.Exit(1) from None
    _print_video_summary(report, target)
    if not report.complete:
        _error(partial_video_line(video, report))
        raise typer.Exit(3)


@contextlib.contextmanager
def _analyze_lock(target: Path) -> Iterator[None]:
    """Create the output folder ``target`` and hold its lock (a second run on it refuses
    with :class:`BusyError`); :class:`OutputError` when it cannot be a folder."""
    from posecheck.io.paths import make_output_dir, output_lock

    make_output_dir(target)
    with output_lock(target, "posecheck analyze"):
        yield


@app.command()
def live(
    camera: Annotated[
        int | None, typer.Option(min=0, help="Camera index for OpenCV (default 0).")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            help="Instead of a camera: a video file (played in real time) or a stream URL.",
            show_default=False,
        ),
    ] = None,
    pose: Annotated[
        PoseChoice, typer.Option(help="Pose to check; auto recognises it (keys a, 1-4).")
    ] = PoseChoice.auto,
    record: Annotated[
        Path | None,
        typer.Option(
            help="Folder for annotated.mp4, frames.csv, report.html and report.json, "
            "written on any exit (snapshots go here too).",
            show_default=False,
        ),
    ] = None,
    voice: Annotated[bool, typer.Option("--voice", help="Speak the cues (espeak-ng).")] = False,
    no_window: Annotated[
        bool, typer.Option("--no-window", help="No window and no keys (e.g. with --record).")
    ] = False,
    seconds: Annotated[
        float | None, typer.Option(min=0.1, help="Stop after N seconds.", show_default=False)
    ] = None,
    model: ModelOption = None,
    correct: CorrectOption = False,
    fast: FastOption = False,
) -> None:
    """Live feedback from a camera: a mirrored window with the overlay, holds and cues.

    Keys: q or Esc quit, space pause, m mirror on/off, a auto pose, 1-4 warrior1 / tree /
    half_moon / bridge, s snapshot (into --record DIR, else ./posecheck-snapshots/).
    Ctrl-C ends the session like q.

    Exit codes: 0 done; 1 the camera or file cannot be opened; 2 usage or model error, or
    no display for the window; 3 the camera or stream failed part-way (what was
    recorded is kept, with a partial report).
    """
    from posecheck.apps.live import LiveDisplayError, run_live
    from posecheck.outputs.speech import find_speech_engine
    from posecheck.outputs.text import live_partial_line, live_session_lines

    if camera is not None and source is not None:
        _error("live: give --camera or --source, not both")
        raise typer.Exit(2)
    if voice and find_speech_engine() is None:
        _error("--voice: espeak-ng not found; continuing without speech")
        voice = False
    try:
        summary = run_live(
            camera,
            source,
            pose=None if pose is PoseChoice.auto else pose.value,
            record=record,
            voice=voice,
            window=not no_window,
            seconds=seconds,
            model=model,
            correct=correct,
            fast=fast,
        )
    except (ModelError, LiveDisplayError) as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    except PosecheckError as exc:
        _error(str(exc))
        raise typer.Exit(1) from None
    for line in live_session_lines(summary):
        typer.echo(line)
    _print_video_summary(summary.report, summary.out_dir)
    if not summary.complete:
        _error(live_partial_line(summary.error, summary.out_dir))
        raise typer.Exit(3)


class EngineChoice(StrEnum):
    local = "local"
    dask = "dask"


@app.command()
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Video files, folders (searched recursively for videos) or glob patterns "
            "(quote them to let posecheck expand them, ** included).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output folder: DIR/<clip>/, results.csv, index.html.", show_default=False
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Parallel workers (default: the cores available).", show_default=False
        ),
    ] = None,
    pose: Annotated[
        PoseChoice, typer.Option(help="Pose to check; auto recognises it in every frame.")
    ] = PoseChoice.auto,
    no_video: Annotated[
        bool, typer.Option("--no-video", help="Skip each clip's annotated.mp4 (faster).")
    ] = False,
    landmarks: Annotated[
        bool,
        typer.Option(
            "--landmarks",
            help="Also write each clip's landmarks.csv and landmarks.trc (OpenSim).",
        ),
    ] = False,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="local: a process pool here; dask: a Dask cluster ('dask' extra)."),
    ] = EngineChoice.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster).",
            show_default=False,
        ),
    ] = None,
    stride: Annotated[int, typer.Option(min=1, help="Analyse every N-th frame.")] = 1,
    max_width: Annotated[
        int | None, typer.Option(min=64, help="Downscale wider frames to this width (px).")
    ] = None,
    model: ModelOption = None,
    correct: CorrectOption = False,
    fast: FastOption = False,
) -> None:
    """Analyse many videos in parallel into DIR: a folder per clip (what analyze writes),
    results.csv (one row per clip) and index.html (a sortable table).

    Resumable: a rerun skips the clips done with the same input bytes and settings.

    Exit codes: 0 all ok or partial; 1 a clip failed (see its row) or an output cannot be
    written; 2 usage, model or Dask error, or DIR in use by another run; 130/143
    Ctrl-C/SIGTERM.
    """
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from posecheck.apps.batch import BatchProgress, BatchUsageError, run_batch
    from posecheck.io.paths import printable
    from posecheck.outputs.text import batch_error_lines, batch_tables_line

    columns = (
        TextColumn("clips {task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("", total=None)

            def progress(p: BatchProgress) -> None:
                finished = f"{int(p.done + 1e-9)}/{p.total}"
                bar.update(task, completed=p.done, total=p.total, description=finished)

            summary = run_batch(
                inputs,
                out,
                workers=workers,
                pose=None if pose is PoseChoice.auto else pose.value,
                write_video=not no_video,
                engine="dask" if engine is EngineChoice.dask else "local",
                scheduler=scheduler,
                progress=progress,
                stride=stride,
                max_width=max_width,
                model=model,
                landmarks=landmarks,
                correct=correct,
                fast=fast,
            )
    except (BatchUsageError, ModelError, BusyError) as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    except OutputError as exc:
        _error(str(exc))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _error(f"interrupted; {printable(out / 'results.csv')} lists every clip finished")
        raise typer.Exit(signal_exit_code()) from None
    for line in batch_error_lines(summary.rows):
        _error(line)
    typer.echo(summary.line())
    typer.echo(batch_tables_line(out))
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)


@app.command()
def poses(
    as_json: Annotated[bool, typer.Option("--json", help="Print the registry as JSON.")] = False,
) -> None:
    """List every pose and its checks: metric, threshold, camera view and source."""
    from posecheck.poses import REGISTRY
    from posecheck.poses.base import judged_from

    if as_json:
        out = {
            name: {
                "display_name": spec.display_name,
                "side": spec.side_meaning,
                "min_trunk_tilt_deg": spec.min_trunk_tilt_deg,
                "cameras": [
                    {
                        "view": cam.view,
                        "where": cam.where,
                        "height_m": list(cam.height_m),
                        "distance_m": list(cam.distance_m),
                        "checks": [c.id for c in judged_from(spec, cam)],
                        "checks_with_correction": [
                            c.id for c in judged_from(spec, cam, corrected=True)
                        ],
                    }
                    for cam in spec.cameras
                ],
                "checks": [
                    {
                        "check": c.id,
                        "title": c.title,
                        "metric": c.metric,
                        "direction": c.direction,
                        "target": c.target,
                        "warn": c.warn,
                        "fault": c.fault,
                        "views": list(c.views),
                        "max_severity": c.max_severity.value,
                        "message": c.message,
                        "source": c.source,
                        "unreliable": c.unreliable,
                        "on_with_correction": c.on_with_correction,
                        "state": c.state,
                    }
                    for c in spec.checks
                ],
            }
            for name, spec in REGISTRY.items()
        }
        typer.echo(json.dumps(out, indent=2))
        return
    for name, spec in REGISTRY.items():
        side = f"side = {spec.side_meaning}" if spec.side_meaning else "no side"
        typer.echo(f"{spec.display_name} ({name}): {spec.summary}; {side}")
        if spec.min_trunk_tilt_deg is not None:
            typer.echo(
                f"  (checks judged only with the trunk at least {spec.min_trunk_tilt_deg:g} deg "
                "from vertical: see trunk_tilt_deg)"
            )
        for cam in spec.cameras:
            judged = ", ".join(c.id for c in judged_from(spec, cam)) or "none"
            extra = [c.id for c in judged_from(spec, cam, corrected=True) if c.unreliable]
            more = f" (with --correct also {', '.join(extra)})" if extra else ""
            typer.echo(f"  camera ({cam.view} view): {cam.describe()}; judges {judged}{more}")
        for c in spec.checks:
            typer.echo(f"  {c.id}: {c.title}")
            typer.echo(f"      metric {c.metric}: {c.describe_threshold()}")
            typer.echo(f"      view {'/'.join(c.views)}; cue: {c.message}")
            typer.echo(f"      source: {c.source}")
            if c.on_with_correction:
                typer.echo(f"      ON WITH --correct ONLY; without it: {c.unreliable}")
            elif c.unreliable is not None:
                typer.echo(f"      SWITCHED OFF: {c.unreliable}")
        typer.echo("")


#: The last SIGINT or SIGTERM received (set by :func:`_on_signal`).
_received: list[int] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt, so every
    command stops the same clean way (partial report, recording saved, workers ended)."""

    signum = signal.SIGTERM


def _on_signal(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if signum == signal.SIGTERM:
        raise Terminated
    raise KeyboardInterrupt


def signal_exit_code(default: int = 130) -> int:
    """128 + the signal that stopped the run (130 for SIGINT, 143 for SIGTERM) -> int."""
    return 128 + _received[-1] if _received else default


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    """Console-script entry point.

    Every way out is one line at most on stderr: usage errors (click's own box or
    usage text becomes ``posecheck: COMMAND: problem``), an output error, Ctrl-C or
    SIGTERM (exit 130 or 143), and a closed stdout (``posecheck poses | head -1``).
    """
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    click = _click_exceptions()
    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        exc.show()
        code = 2
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "posecheck"
        sub = where.partition(" ")[2]
        prefix = f"{sub}: " if sub else ""
        _error(f"{prefix}{_one_line(exc.format_message())} (see {where} --help)")
        code = 2
    except typer.Abort:
        code = signal_exit_code()
    except click.ClickException as exc:
        _error(_one_line(exc.format_message()))
        code = exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        code = signal_exit_code()
    except BrokenPipeError:
        code = _stdout_closed()
    except OSError as exc:
        from posecheck.io.paths import describe_os_error

        _error(describe_os_error(exc))
        code = 1
    if code == 130:  # typer turns KeyboardInterrupt into exit 130, SIGTERM's included
        code = signal_exit_code()
    _flush_stdout()
    sys.exit(code if isinstance(code, int) else 0)


def _click_exceptions() -> Any:
    """The click exceptions typer raises (typer 0.2x ships its own copy of click)."""
    import importlib

    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:
        return importlib.import_module("click.exceptions")


def _stdout_closed() -> int:
    """Stdout's reader went away: say nothing more there (no 'Exception ignored' at
    exit), exit 141 as a shell reports a SIGPIPE death."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_closed()
        sys.exit(141)
