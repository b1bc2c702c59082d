"""Pose recognition on real photos: confusion matrix, precision/recall, detection, side.

Runs the real pipeline (``posecheck.judge.assess.analyze_image`` with the shipped model) on
every photo of ``../shared/data/poses.csv`` and compares with the labels there. The true
working side (front leg in Warrior 1, standing leg in Tree and Half Moon) comes from
``benchmarks/data/side_labels.csv``, judged by eye from each photo independently of
MediaPipe (see ``benchmarks/data/README.md``); photos labelled ``unsure`` are left out of
the side figure and counted.

Usage::

    .venv/bin/python -m benchmarks.recognition [--data ../shared/data] [--limit N]

Writes ``benchmarks/results/recognition.json`` (not with ``--limit``: a partial run).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    ROOT,
    SHARED_DATA,
    Stopwatch,
    print_readme_rows,
    print_table,
    write_results,
)
from posecheck.errors import PosecheckError
from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.images import load_image
from posecheck.judge.assess import analyze_image

LABELS = ("warrior1", "tree", "half_moon", "bridge", "other")
SIDED = ("warrior1", "tree", "half_moon")


def read_side_labels(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open(newline="") as fh:
        return {row["file"]: row["side"] for row in csv.DictReader(fh)}


def _pct(share: float) -> str:
    """0.976 -> ``97.6 %``; 1.0 -> ``100 %``."""
    return f"{100 * share:.1f}".removesuffix(".0") + " %"


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README lines these figures back: the confusion matrix, the headline figures
    and precision/recall per class."""
    confusion = figures["confusion"]
    lines = []
    for t in LABELS:
        n = sum(confusion[t].values())
        cells = [f"**{confusion[t][p]}**" if p == t else str(confusion[t][p]) for p in LABELS]
        lines.append(f"| {t} ({n}) | " + " | ".join(cells) + " |")
    total, detected = figures["photos"], figures["detected"]
    others, called = figures["other_photos"], figures["other_called_pose"]
    right, judged = figures["side_right"], figures["side_judged"]
    lines += [
        f"| person found | {detected}/{total} ({_pct(detected / total)}) | ≥ 98 % |",
        f"| accuracy over the five labels | {_pct(figures['accuracy'])} | ≥ 95 % |",
        f"| 'other' photos called one of the four | {called}/{others} "
        f"({_pct(called / others)}) | ≤ 5 % |",
        "| side right, on correctly recognised Warrior 1 / Tree / Half Moon | "
        f"{right}/{judged} ({_pct(right / judged)}) | ≥ 95 % |",
    ]
    for c in LABELS:
        pc = figures["per_class"][c]
        lines.append(f"| {c} | {pc['precision']:.3f} | {pc['recall']:.3f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--limit", type=int, default=None, help="only the first N photos")
    args = parser.parse_args(argv)
    table = args.data / "poses.csv"
    if not table.is_file():
        print(f"{table}: not found (the real photo set lives in ../shared/data)", file=sys.stderr)
        return 2
    with table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))[: args.limit]
    true_sides = read_side_labels(ROOT / "benchmarks" / "data" / "side_labels.csv")

    confusion: Counter[tuple[str, str]] = Counter()
    detected = 0
    wrong: list[str] = []
    side_right = side_wrong = side_unsure = 0
    side_misses: list[str] = []
    with Stopwatch() as clock, PoseEstimator() as estimator:
        for i, row in enumerate(rows, 1):
            truth = row["pose"]
            try:
                result = analyze_image(load_image(args.data / row["file"]), estimator, row["file"])
            except PosecheckError as exc:
                print(f"skipped: {exc}", file=sys.stderr)
                continue
            detected += result.person
            predicted = result.pose or "other"
            confusion[(truth, predicted)] += 1
            if predicted != truth:
                conf = f"{result.pose_confidence:.2f}" if result.pose_confidence else "-"
                person = "" if result.person else " (no person found)"
                wrong.append(f"{row['file']}: {truth} -> {predicted} [{conf}]{person}")
            elif truth in SIDED:
                label = true_sides.get(row["file"], "unsure")
                if label not in ("left", "right"):
                    side_unsure += 1
                elif label == result.side:
                    side_right += 1
                else:
                    side_wrong += 1
                    side_misses.append(f"{row['file']}: true {label}, said {result.side}")
            if i % 20 == 0:
                print(f"  {i}/{len(rows)} photos", file=sys.stderr)
    elapsed = clock.seconds
    total = sum(confusion.values())

    print_table(
        ["true \\ posecheck", *LABELS],
        [[t, *(confusion[(t, p)] for p in LABELS)] for t in LABELS],
        title="confusion matrix (rows: true label, columns: posecheck)",
    )
    per_class = {}
    print("\nclass       precision  recall   n")
    for c in LABELS:
        tp = confusion[(c, c)]
        said = sum(confusion[(t, c)] for t in LABELS)
        n = sum(confusion[(c, p)] for p in LABELS)
        precision = tp / said if said else float("nan")
        recall = tp / n if n else float("nan")
        per_class[c] = {"precision": round(precision, 4), "recall": round(recall, 4), "n": n}
        print(f"{c:<11} {precision:9.3f} {recall:7.3f} {n:4d}")
    accuracy = sum(confusion[(c, c)] for c in LABELS) / total if total else float("nan")
    others = sum(confusion[("other", p)] for p in LABELS)
    other_as_pose = sum(confusion[("other", p)] for p in LABELS if p != "other")
    false_pose_rate = other_as_pose / others if others else float("nan")
    judged = side_right + side_wrong
    side_accuracy = side_right / judged if judged else float("nan")
    print(f"\nphotos {total}, person found on {detected} ({detected / total:.1%})")
    print(f"accuracy over the five labels: {accuracy:.1%}")
    print(
        f"'other' photos called one of the four: {other_as_pose}/{others} ({false_pose_rate:.1%})"
    )
    print(
        f"side right on {side_right}/{judged} correctly recognised sided photos "
        f"({side_accuracy:.1%}); {side_unsure} without a sure true side"
    )
    print(f"time: {elapsed:.1f} s ({1000 * elapsed / max(total, 1):.0f} ms/photo)")
    print("\nwrong pose:")
    for line in wrong:
        print(f"  {line}")
    print("wrong side:")
    for line in side_misses:
        print(f"  {line}")
    figures = {
        "data": os.path.relpath(args.data, ROOT),
        "photos": total,
        "detected": detected,
        "seconds": round(elapsed, 1),
        "detection_rate": round(detected / total, 4) if total else None,
        "accuracy": round(accuracy, 4),
        "other_photos": others,
        "other_called_pose": other_as_pose,
        "other_called_pose_rate": round(false_pose_rate, 4),
        "side_right": side_right,
        "side_accuracy": round(side_accuracy, 4) if judged else None,
        "side_judged": judged,
        "side_unsure": side_unsure,
        "per_class": per_class,
        "confusion": {t: {p: confusion[(t, p)] for p in LABELS} for t in LABELS},
        "wrong": wrong,
        "wrong_side": side_misses,
    }
    if args.limit is None:
        print_readme_rows(readme_rows(figures))
        write_results("recognition", figures, module="benchmarks.recognition", argv=argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
