"""Judge landmark corrections side by side on the same held-out clips (cached frames).

    python -m tools.correction.compare ~/.cache/posecheck-synth/features/wide \
        --model models/landmark_correction.npz --model /tmp/crowd.npz

Reads the npz files of ``tools.correction.extract`` (one per clip), keeps the clips of
``--split`` (default ``test``: bodies no model was trained on; ``--bodies`` narrows them
to body names starting with a prefix; ``--body NAME``, repeatable, takes those bodies
whatever their split: the validation bodies, to choose between models without looking at
the test bodies), and prints, per metric and true view (all poses,
then pose by pose), the error of posecheck's geometry on MediaPipe's landmarks as they
are and as each model corrects them (:func:`tools.correction.train.evaluate`: median and
90th percentile of ``|read - true|`` over the frames, and the gain, the slope of read
on true). Every model sees the same frames, so the columns compare directly. ``--json``
writes the figures too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from posecheck.errors import ModelError
from posecheck.io.model_files import load_correction
from tools.correction.train import evaluate, load_clips


def _cell(stats: dict[str, Any]) -> str:
    if "median" not in stats:
        return f"– (n {stats.get('n', 0)})"
    return f"{stats['median']:.2f} / {stats['p90']:.2f}, gain {stats['slope']:.2f}"


def compare(
    feature_dirs: Sequence[Path],
    models: Sequence[Path],
    split: str,
    bodies: str | None,
    names: Sequence[str] = (),
) -> dict[str, Any]:
    """Figures per metric: ``{"raw": stats, "<model path>": stats, ...}`` on the clips
    of ``split`` (and bodies starting with ``bodies``, if given), or of the bodies
    ``names`` whatever their split."""
    clips = [
        c
        for c in load_clips(feature_dirs)
        if (
            c.body in names
            if names
            else c.split == split and (bodies is None or c.body.startswith(bodies))
        )
    ]
    if not clips:
        which = f"bodies {', '.join(names)}" if names else split
        raise ValueError(f"no clips of {which} in {', '.join(map(str, feature_dirs))}")
    out: dict[str, Any] = {
        "clips": len(clips),
        "bodies": sorted({c.body for c in clips}),
        "metrics": {},
    }
    for path in models:
        correction, _ = load_correction(path)
        for name, row in evaluate(clips, correction).items():
            entry = out["metrics"].setdefault(name, {"raw": row["raw"]})
            entry[str(path)] = row["corrected"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("feature_dirs", nargs="+", type=Path)
    parser.add_argument("--model", action="append", type=Path, required=True, dest="models")
    parser.add_argument("--split", default="test")
    parser.add_argument("--bodies", default=None, help="only bodies whose name starts so")
    parser.add_argument(
        "--body", action="append", default=[], help="these bodies, whatever their split"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures")
    args = parser.parse_args(argv)
    try:
        figures = compare(args.feature_dirs, args.models, args.split, args.bodies, args.body)
    except (ValueError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    which = "named" if args.body else args.split
    print(f"{figures['clips']} clips of {len(figures['bodies'])} bodies ({which})")
    unique = len({m.name for m in args.models}) == len(args.models)
    head = ["metric [view]", "raw", *(p.name if unique else str(p) for p in args.models)]
    print(" | ".join(head))
    for name, row in figures["metrics"].items():
        cells = [_cell(row["raw"]), *(_cell(row[str(p)]) for p in args.models)]
        print(" | ".join([name, *cells]))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
