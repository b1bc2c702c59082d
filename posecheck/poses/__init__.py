"""The pose registry: one module per pose, one line here per pose.

A fifth pose is a new module with a :class:`PoseSpec`, one line in :data:`REGISTRY`, and
its entries in the tests' fault table (``tests/test_poses.py`` fails until they exist).
"""

from __future__ import annotations

from posecheck.poses.base import CheckStatus, PoseCheck, PoseSpec, evaluate_pose
from posecheck.poses.bridge import BRIDGE
from posecheck.poses.half_moon import HALF_MOON
from posecheck.poses.tree import TREE
from posecheck.poses.warrior1 import WARRIOR1

REGISTRY: dict[str, PoseSpec] = {spec.name: spec for spec in (WARRIOR1, TREE, HALF_MOON, BRIDGE)}


def get_pose(name: str) -> PoseSpec:
    """The pose called ``name``; a miss names the choices."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown pose {name!r}, expecting one of {sorted(REGISTRY)}") from None


__all__ = ["REGISTRY", "CheckStatus", "PoseCheck", "PoseSpec", "evaluate_pose", "get_pose"]
