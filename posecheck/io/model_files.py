"""Loading the small learned files posecheck ships beside the MediaPipe bundle.

``models/landmark_correction.npz`` (see :mod:`posecheck.measure.correction`) is a numpy
archive: the names of the poses it corrects (``poses``), each pose's network arrays
(``<pose>.w1`` ...), the feature version it was trained with, and the sha256 of the
MediaPipe bundle whose errors it learned. It may also hold the network that reads the hip
line from the picture (``pixels.*``, see :mod:`posecheck.measure.pelvis_pixels`) and, per
pose, the share of the turn toward that line (``pixel_weight.<pose>``). Its model card is
the ``.json`` beside it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
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
from posecheck.measure.pelvis_pixels import CROP_WH, F32, PelvisPixelModel, PixelNet

CORRECTION_FILENAME = "landmark_correction.npz"
_ARRAYS = ("w1", "b1", "w2", "b2", "w3", "b3", "x_mean", "x_std", "y_mean", "y_std")


def correction_arrays(correction: PoseCorrection) -> dict[str, np.ndarray]:
    """The arrays :func:`load_correction` reads back (without version and sha256)."""
    arrays: dict[str, np.ndarray] = {"poses": np.asarray(sorted(correction.by_pose))}
    for pose, model in correction.by_pose.items():
        arrays.update({f"{pose}.{name}": getattr(model, name) for name in _ARRAYS})
    if correction.pixels is not None:
        for name, values in pixel_model_arrays(correction.pixels).items():
            arrays[f"pixels.{name}"] = values
        for pose, share in correction.pixel_weight.items():
            arrays[f"pixel_weight.{pose}"] = np.asarray(share, dtype=np.float64)
    return arrays


def save_correction(path: Path, correction: PoseCorrection, landmarker_sha256: str) -> None:
    """Write ``correction`` to ``path`` as :func:`load_correction` reads it (compressed npz
    with the feature version and the sha256 of the landmarker whose errors it learned)."""
    arrays = {
        "feature_version": np.asarray(FEATURE_VERSION),
        "landmarker_sha256": np.asarray(landmarker_sha256),
        **correction_arrays(correction),
    }
    # numpy's stubs take a ** mapping for its allow_pickle keyword
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def pixel_model_arrays(model: PelvisPixelModel) -> dict[str, np.ndarray]:
    """``model`` as the flat arrays :func:`pixel_model_from_arrays` reads back."""
    arrays: dict[str, np.ndarray] = {}
    for k, net in enumerate(model.nets):
        for i, (w, b, stride) in enumerate(net.convs):
            arrays[f"net{k}.conv{i}.w"], arrays[f"net{k}.conv{i}.b"] = w, b
            arrays[f"net{k}.conv{i}.stride"] = np.asarray(stride, dtype=np.int64)
        for i, (w, b) in enumerate(net.dense):
            arrays[f"net{k}.dense{i}.w"], arrays[f"net{k}.dense{i}.b"] = w, b
    arrays["mean"], arrays["std"] = model.mean, model.std
    arrays["scale_deg"] = np.asarray(model.scale_deg, dtype=np.float32)
    return arrays


def pixel_model_from_arrays(arrays: Mapping[str, np.ndarray]) -> PelvisPixelModel:
    """The :class:`PelvisPixelModel` of the arrays ``net0.conv0.w``, ``net0.conv0.b``,
    ``net0.conv0.stride``, ..., ``net0.dense0.w``, ..., ``mean``, ``std``, ``scale_deg``
    (as ``tools/correction/pixels.py`` writes them). Raises ``ValueError`` when they do not
    make networks for :data:`~posecheck.measure.pelvis_pixels.CROP_WH` crops."""

    def net(k: int) -> PixelNet:
        convs: list[tuple[F32, F32, int]] = []
        width, height, channels = *CROP_WH, 3
        while f"net{k}.conv{len(convs)}.w" in arrays:
            key = f"net{k}.conv{len(convs)}"
            w = np.asarray(arrays[f"{key}.w"], dtype=np.float32)
            b = np.asarray(arrays[f"{key}.b"], dtype=np.float32)
            stride = int(arrays[f"{key}.stride"])
            if w.shape[:3] != (3, 3, channels) or b.shape != w.shape[3:] or stride not in (1, 2):
                raise ValueError(f"{key} of shape {w.shape} does not follow {channels} channels")
            convs.append((w, b, stride))
            channels, width, height = w.shape[3], width // 2, height // 2
        dense: list[tuple[F32, F32]] = []
        inputs = width * height * channels
        while f"net{k}.dense{len(dense)}.w" in arrays:
            key = f"net{k}.dense{len(dense)}"
            w = np.asarray(arrays[f"{key}.w"], dtype=np.float32)
            b = np.asarray(arrays[f"{key}.b"], dtype=np.float32)
            if w.shape[0] != inputs or b.shape != w.shape[1:]:
                raise ValueError(f"{key} of shape {w.shape} does not follow {inputs} inputs")
            dense.append((w, b))
            inputs = w.shape[1]
        if not convs or not dense or inputs != 1:
            raise ValueError(f"net{k} has no convolutions, no dense layers or not one output")
        return PixelNet(convs=tuple(convs), dense=tuple(dense))

    count = len({k.split(".")[0] for k in arrays if k.startswith("net")})
    if count == 0:
        raise ValueError("no networks")
    return PelvisPixelModel(
        nets=tuple(net(k) for k in range(count)),
        mean=np.asarray(arrays["mean"], dtype=np.float32).reshape(3),
        std=np.asarray(arrays["std"], dtype=np.float32).reshape(3),
        scale_deg=float(arrays["scale_deg"]),
    )


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
            pixel_arrays = {
                k.removeprefix("pixels."): np.asarray(data[k])
                for k in data.files
                if k.startswith("pixels.")
            }
            pixel_weight = {
                k.removeprefix("pixel_weight."): float(data[k])
                for k in data.files
                if k.startswith("pixel_weight.")
            }
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
    pixels = None
    if pixel_arrays:
        try:
            pixels = pixel_model_from_arrays(pixel_arrays)
        except (KeyError, ValueError) as exc:
            raise ModelError(f"{path}: its pixel network does not load ({exc})") from None
    return PoseCorrection(models, pixels=pixels, pixel_weight=pixel_weight), landmarker
