"""The pose registry: one module per pose, one line here per pose.

A pose module holds everything about its pose in one :class:`PoseSpec`: its checks, how
it is recognised (conditions, score, side rule), its display name and side wording.
Recognition, ``--pose`` choices, the live keys, the overlay's header, the HTML report
and ``posecheck poses`` all read :data:`REGISTRY`, in its order.

A fifth pose is a new module with its :class:`PoseSpec`, its line in :data:`_POSES`, and
its entries in the tests' fault table (``tests/test_poses.py`` fails until they exist).
:func:`registered` adds a pose for the length of a ``with`` block (tests, experiments).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from posecheck.poses.base import MISSION_ROWS, MissionRow, PoseCheck, PoseSpec, evaluate_pose
from posecheck.poses.bridge import BRIDGE
from posecheck.poses.half_moon import HALF_MOON
from posecheck.poses.tree import TREE
from posecheck.poses.warrior1 import WARRIOR1
from posecheck.result import CheckStatus

#: The shipped poses, in registry order (live keys 1, 2, ...; listings).
_POSES: tuple[PoseSpec, ...] = (WARRIOR1, TREE, HALF_MOON, BRIDGE)

#: pose name -> its spec, in registry order. Change it through :func:`registered` only.
REGISTRY: dict[str, PoseSpec] = {}


def _add(spec: PoseSpec) -> None:
    if spec.recognition is None:
        raise ValueError(f"{spec.name}: a registered pose needs its recognition rule")
    if spec.name in REGISTRY:
        raise ValueError(f"pose {spec.name!r} is already registered")
    REGISTRY[spec.name] = spec


for _spec in _POSES:
    _add(_spec)


def mission_matrix() -> dict[MissionRow, dict[str, tuple[PoseCheck, ...]]]:
    """The mission matrix from the registry: for each row of :data:`MISSION_ROWS` and each
    registered pose, the checks that serve it (possibly none)."""
    return {
        row: {
            name: tuple(c for c in spec.checks if c.mission == row)
            for name, spec in REGISTRY.items()
        }
        for row in MISSION_ROWS
    }


def mission_cell(checks: tuple[PoseCheck, ...]) -> str:
    """One cell of the matrix in words: each check with its views and whether it is on
    (:attr:`PoseCheck.state`), e.g. ``front_knee_midline (front): on``; ``no check`` for
    an empty cell."""
    if not checks:
        return "no check"
    return "; ".join(f"{c.id} ({'/'.join(c.views)}): {c.state}" for c in checks)


def get_pose(name: str) -> PoseSpec:
    """The pose called ``name``; a miss names the choices."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown pose {name!r}, expecting one of {sorted(REGISTRY)}") from None


@contextmanager
def registered(spec: PoseSpec) -> Iterator[PoseSpec]:
    """Register ``spec`` (after the others) for the ``with`` block, then remove it.

    Everything that reads the registry at call time sees it inside the block:
    recognition, assessment, the overlay, the HTML report, ``posecheck poses``. The
    ``--pose`` choices and the live keys are read once, at import.

    Raises:
        ValueError: ``spec`` has no recognition rule, or its name is taken.
    """
    _add(spec)
    try:
        yield spec
    finally:
        del REGISTRY[spec.name]


def pose_keys() -> dict[str, str]:
    """Key ``"1"``, ``"2"``, ... -> pose name, in registry order (the live keys)."""
    return {str(i): name for i, name in enumerate(REGISTRY, start=1)}


__all__ = [
    "REGISTRY",
    "CheckStatus",
    "PoseCheck",
    "PoseSpec",
    "evaluate_pose",
    "get_pose",
    "mission_cell",
    "mission_matrix",
    "pose_keys",
    "registered",
]
