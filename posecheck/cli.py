"""The ``posecheck`` command line: parse, call the library, print. Thin by design.

Heavy imports (OpenCV, MediaPipe) happen inside the commands so that ``posecheck --help``
stays fast and never loads MediaPipe.

Exit codes: 0 all inputs processed (a photo without a person is not an error: it is
reported with ``person: false``); 1 at least one input could not be read; 2 usage or
model error.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from posecheck.errors import ModelError, PosecheckError

if TYPE_CHECKING:
    from posecheck.result import FrameResult

app = typer.Typer(
    name="posecheck",
    help="Knee, hip and weight alignment feedback for yoga poses "
    "(Warrior 1, Tree, Half Moon, Bridge) from photos and video.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Knee, hip and weight alignment feedback for yoga poses."""


class PoseChoice(StrEnum):
    auto = "auto"
    warrior1 = "warrior1"
    tree = "tree"
    half_moon = "half_moon"
    bridge = "bridge"


ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Pose landmarker .task file (default: models/pose_landmarker_full.task; "
        "official pose_landmarker_{lite,full,heavy}.task files work too).",
        show_default=False,
    ),
]


def _error(message: str) -> None:
    """One line on stderr, never wrapped."""
    typer.echo(f"posecheck: {message}", err=True)


def _output_path(out: Path, source: Path, several: bool) -> Path:
    """Where the annotated copy of ``source`` goes: ``out`` itself when it names an image
    file (single input), else ``out/<stem>.posecheck.jpg``."""
    from posecheck.sources import IMAGE_SUFFIXES

    if out.suffix.lower() in IMAGE_SUFFIXES and not several:
        return out
    return out / f"{source.stem}.posecheck.jpg"


def _summary_lines(result: FrameResult) -> list[str]:
    """The human-readable report of one photo."""
    from posecheck.poses import get_pose

    if not result.person:
        return [f"{result.source}: no person found"]
    if result.pose is None:
        lines = [f"{result.source}: no pose recognised, view {result.view.value}"]
        shown = (
            "knee_valgus_left_deg",
            "knee_valgus_right_deg",
            "pelvic_obliquity_deg",
            "weight_left_pct",
            "weight_right_pct",
        )
        for name in shown:
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


@app.command()
def image(
    paths: Annotated[
        list[Path], typer.Argument(help="Photo files (JPEG, PNG, ...).", show_default=False)
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
) -> None:
    """Check alignment in photos and write annotated copies."""
    from posecheck.estimator import PoseEstimator
    from posecheck.pipeline import analyze_image
    from posecheck.render import annotate
    from posecheck.sources import load_image, save_image

    forced = None if pose is PoseChoice.auto else pose.value
    failures = 0
    several = len(paths) > 1
    try:
        with PoseEstimator(model_path=model) as estimator:
            for path in paths:
                try:
                    frame = load_image(path)
                    result = analyze_image(frame, estimator, source=str(path), pose=forced)
                    target = _output_path(out, path, several)
                    save_image(target, annotate(frame, result))
                except PosecheckError as exc:
                    failures += 1
                    _error(str(exc))
                    continue
                if as_json:
                    typer.echo(json.dumps(result.to_dict(), allow_nan=False))
                else:
                    typer.echo("\n".join(_summary_lines(result)))
                    typer.echo(f"  annotated: {target}")
                if not result.person:
                    _error(f"{path}: no person found")
    except ModelError as exc:
        _error(str(exc))
        raise typer.Exit(2) from None
    if failures:
        raise typer.Exit(1)


@app.command()
def poses(
    as_json: Annotated[bool, typer.Option("--json", help="Print the registry as JSON.")] = False,
) -> None:
    """List every pose and its checks: metric, threshold, camera view and source."""
    from posecheck.poses import REGISTRY

    if as_json:
        out = {
            name: {
                "display_name": spec.display_name,
                "side": spec.side_meaning,
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
        for c in spec.checks:
            typer.echo(f"  {c.id}: {c.title}")
            typer.echo(f"      metric {c.metric}: {c.describe_threshold()}")
            typer.echo(f"      view {'/'.join(c.views)}; cue: {c.message}")
            typer.echo(f"      source: {c.source}")
        typer.echo("")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
