"""Loading the small learned files posecheck ships beside the MediaPipe bundle.

``models/landmark_correction.npz`` (see :mod:`posecheck.measure.correction`) is a numpy
archive: the names of the poses it corrects (``poses``), each pose's network arrays
(``<pose>.w1`` ...), the feature version it was trained with, and the sha256 of the
MediaPipe bundle whose errors it learned. Its model card is the ``.json`` beside it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from posecheck.errors import ModelError
from posecheck.measure.correction import (
    FEATURE_VERSION,
    N_FEATURES,
    N_OUTPUTS,
    LandmarkCorrection,
    PoseCorrection,
)

CORRECTION_FILENAME = "landmark_correction.npz"
_ARRAYS = ("w1", "b1", "w2", "b2", "w3", "b3", "x_mean", "x_std", "y_mean", "y_std")


def correction_arrays(correction: PoseCorrection) -> dict[str, np.ndarray]:
    """The arrays :func:`load_correction` reads back (without version and sha256)."""
    arrays: dict[str, np.ndarray] = {"poses": np.asarray(sorted(correction.by_pose))}
    for pose, model in correction.by_pose.items():
        arrays.update({f"{pose}.{name}": getattr(model, name) for name in _ARRAYS})
    return arrays


def load_correction(path: Path) -> tuple[PoseCorrection, str]:
    """The correction in ``path`` and the sha256 of the landmarker it was trained for.

    Raises:
        ModelError: one line naming ``path`` when the file is missing, not such an
            archive, or made for other features.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            version = int(data["feature_version"])
            poses = [str(p) for p in data["poses"]]
            by_pose = {
                pose: {
                    name: np.asarray(data[f"{pose}.{name}"], dtype=np.float64) for name in _ARRAYS
                }
                for pose in poses
            }
            landmarker = str(data["landmarker_sha256"]) if "landmarker_sha256" in data else ""
    except FileNotFoundError:
        raise ModelError(f"{path}: correction file not found") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{path}: not a landmark correction file ({exc})") from None
    if version != FEATURE_VERSION:
        raise ModelError(
            f"{path}: made for correction features v{version}, this posecheck uses "
            f"v{FEATURE_VERSION}; retrain it with tools/correction/train.py"
        )
    models = {}
    for pose, arrays in by_pose.items():
        model = LandmarkCorrection(**arrays)
        if model.w1.shape[0] != N_FEATURES or model.w3.shape[1] != N_OUTPUTS:
            raise ModelError(
                f"{path}: {pose} network shape {model.w1.shape} does not fit the features"
            )
        models[pose] = model
    return PoseCorrection(models), landmarker
