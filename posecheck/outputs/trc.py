"""``landmarks.trc``: the smoothed world landmarks as an OpenSim marker file.

The TRC format (tab-separated, five header lines) is what OpenSim, Sports2D and Pose2Sim
load. Marker names follow Pose2Sim's BLAZEPOSE skeleton (``LHip``, ``RKnee``,
``LBigToe``...), so its tools recognise them.

Coordinates: MediaPipe's world landmarks, metres, hip-centred in every frame (MediaPipe
gives no path through the room), turned to OpenSim's axes with Y up: ``X = x`` (to the
camera's right), ``Y = -y`` (up), ``Z = -z`` (toward the camera). Frames without a person
are written with empty cells, which OpenSim reads as missing markers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from posecheck.io.atomic import write_text
from posecheck.landmarks import N_LANDMARKS

FILENAME = "landmarks.trc"

#: Pose2Sim's BLAZEPOSE marker names, in MediaPipe's landmark order.
MARKERS: tuple[str, ...] = (
    "Nose", "LEyeInner", "LEye", "LEyeOuter", "REyeInner", "REye", "REyeOuter", "LEar",
    "REar", "LMouth", "RMouth", "LShoulder", "RShoulder", "LElbow", "RElbow", "LWrist",
    "RWrist", "LPinky", "RPinky", "LIndex", "RIndex", "LThumb", "RThumb", "LHip", "RHip",
    "LKnee", "RKnee", "LAnkle", "RAnkle", "LHeel", "RHeel", "LBigToe", "RBigToe",
)  # fmt: skip

#: MediaPipe world axes (x right, y down, z away) -> OpenSim's (Y up, Z toward the camera).
TO_OPENSIM: NDArray[np.float64] = np.diag([1.0, -1.0, -1.0])


def trc_text(
    times_s: Sequence[float], world_m: NDArray[np.float64], rate_hz: float, name: str = FILENAME
) -> str:
    """The whole file.

    Args:
        times_s: ``(F,)`` time of each frame.
        world_m: ``(F, 33, 3)`` MediaPipe world landmarks, NaN where nobody was found.
        rate_hz: the video's frame rate.
    """
    frames = len(times_s)
    if world_m.shape != (frames, N_LANDMARKS, 3):
        raise ValueError(f"world_m must be ({frames}, {N_LANDMARKS}, 3), got {world_m.shape}")
    points = world_m @ TO_OPENSIM
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate"
        "\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate_hz:.2f}\t{rate_hz:.2f}\t{frames}\t{N_LANDMARKS}\tm\t{rate_hz:.2f}\t1\t{frames}",
        "Frame#\tTime\t" + "\t\t\t".join(MARKERS) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, N_LANDMARKS + 1)),
        "",
    ]
    for f in range(frames):
        cells = [str(f + 1), f"{times_s[f]:.4f}"]
        cells += ["" if not np.isfinite(v) else f"{v:.5f}" for v in points[f].reshape(-1)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def write_trc(
    path: Path, times_s: Sequence[float], world_m: NDArray[np.float64], rate_hz: float
) -> None:
    """Write :func:`trc_text` to ``path`` atomically."""
    write_text(path, trc_text(times_s, world_m, rate_hz, name=path.name))
