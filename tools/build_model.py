"""Build ``models/pose_landmarker_full.task`` from the PyPI wheel ``mediapipe==0.10.21``
(and, on request, the lite and heavy bundles with landmark models from npm).

Why: MediaPipe >= 0.10.30 has no ``mp.solutions`` and its Tasks API needs a ``.task``
bundle that is normally downloaded from Google's model storage, which the machines this
project runs on cannot reach. The last wheels with the legacy solutions API ship the
BlazePose GHUM "full" models as bare ``.tflite`` files. The Tasks API refuses those as they
are ("requires specifying NormalizationOptions metadata"), so this script adds the input
normalisation metadata and bundles the two models under the names the Tasks
``PoseLandmarker`` looks for:

* ``pose_detector.tflite``            input range [-1, 1]: mean 127.5, std 127.5, 2 outputs
* ``pose_landmarks_detector.tflite``  input range [0, 1]:  mean 0,     std 255,   5 outputs

Usage::

    python tools/build_model.py                 # downloads the wheel with pip
    python tools/build_model.py --wheel PATH    # uses a wheel you already have
    python tools/build_model.py --variant heavy # -> models/pose_landmarker_heavy.task

The wheel holds only the "full" landmark model. The "lite" and "heavy" ones are in the npm
package ``@mediapipe/pose@0.5.1675469404`` (the legacy JavaScript solution; its
``pose_landmark_full.tflite`` is byte for byte the wheel's, so these are the same family).
``--variant lite|heavy`` fetches that package with ``npm pack`` (or takes ``--npm-tarball
PATH``), checks its pinned sha256 and bundles its landmark model with the wheel's person
detector. They are not shipped (heavy is 30 MB); pass the result as ``--model``: posecheck
then applies no landmark correction (it was trained on the full model's errors).

The metadata writer of mediapipe 1.2.3 cannot be used (it imports a compiled
``mediapipe.tasks.cc`` module that 1.x no longer ships), so the writer comes from the
0.10.21 wheel itself: the wheel is unpacked into a temporary folder, the two package
``__init__`` files that would load its (numpy-1-only) framework bindings are emptied, and
that folder goes first on ``sys.path``. Only ``numpy`` and ``flatbuffers`` are needed
besides (both come with mediapipe). It prints the sha256 of the source wheel and of the
result, which ``models/README.md`` records; the output is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL_SPEC = "mediapipe==0.10.21"
WHEEL_NAME = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKER_MEMBER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
DEFAULT_OUT = MODELS_DIR / "pose_landmarker_full.task"
NPM_SPEC = "@mediapipe/pose@0.5.1675469404"
NPM_TARBALL = "mediapipe-pose-0.5.1675469404.tgz"
NPM_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
#: Landmark model per variant in the npm tarball (``full`` comes from the wheel).
NPM_MEMBERS = {
    "lite": "package/pose_landmark_lite.tflite",
    "heavy": "package/pose_landmark_heavy.tflite",
}
VARIANTS = ("full", "lite", "heavy")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_wheel(dest: Path) -> Path:
    """Fetch the pinned wheel (no dependencies) with pip into ``dest``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--platform",
            "manylinux_2_28_x86_64",
            WHEEL_SPEC,
            "-d",
            str(dest),
        ],
        check=True,
    )
    return dest / WHEEL_NAME


def download_npm_tarball(dest: Path) -> Path:
    """Fetch the pinned npm package tarball with ``npm pack`` into ``dest``."""
    subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(dest), NPM_SPEC],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dest / NPM_TARBALL


def npm_landmarker(tarball: Path, variant: str) -> bytes:
    """The ``variant`` landmark model's bytes from the npm tarball."""
    import tarfile

    with tarfile.open(tarball, "r:gz") as tf:
        member = tf.extractfile(NPM_MEMBERS[variant])
        if member is None:
            raise FileNotFoundError(f"{tarball}: no {NPM_MEMBERS[variant]}")
        return member.read()


def unpack_metadata_writer(wheel: Path, dest: Path) -> None:
    """Unpack ``wheel`` into ``dest`` so its metadata writer imports without its bindings."""
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)
    for init in ("mediapipe/__init__.py", "mediapipe/tasks/python/__init__.py"):
        (dest / init).write_text("")
    sys.path.insert(0, str(dest))


def with_metadata(model: bytes, mean: float, std: float, n_outputs: int) -> bytes:
    """Return ``model`` with image-input normalisation metadata and ``n_outputs`` outputs."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in range(n_outputs):
        writer.add_feature_output()
    buf, _ = writer.populate()
    return bytes(buf)


def build(wheel: Path, out: Path, landmarker_model: bytes | None = None) -> str:
    """Write the bundle to ``out`` and return its sha256 (the wheel's landmark model, or
    ``landmarker_model``)."""
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

    with zipfile.ZipFile(wheel) as zf:
        detector = zf.read(DETECTOR_MEMBER)
        landmarker = landmarker_model or zf.read(LANDMARKER_MEMBER)
    models = {
        "pose_detector.tflite": with_metadata(detector, 127.5, 127.5, 2),
        "pose_landmarks_detector.tflite": with_metadata(landmarker, 0.0, 255.0, 5),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".task.tmp")
    # As model_asset_bundle_utils.create_model_asset_bundle, but with a fixed timestamp
    # per member so that the same wheel always gives the same bytes.
    with model_asset_bundle_utils.AlignZipFile(tmp, mode="w", alignment=4) as bundle:
        for name, data in models.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            bundle.writestr(info, data)
    tmp.replace(out)
    return sha256_of(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a local copy of {WHEEL_NAME}")
    parser.add_argument(
        "--variant", choices=VARIANTS, default="full", help="landmark model (default full)"
    )
    parser.add_argument(
        "--npm-tarball", type=Path, help=f"a local copy of {NPM_TARBALL} (lite, heavy)"
    )
    parser.add_argument("--out", type=Path, help="default models/pose_landmarker_VARIANT.task")
    args = parser.parse_args()
    out = args.out or MODELS_DIR / f"pose_landmarker_{args.variant}.task"
    with tempfile.TemporaryDirectory() as tmpdir:
        wheel = args.wheel or download_wheel(Path(tmpdir))
        wheel_sha = sha256_of(wheel)
        if wheel_sha != WHEEL_SHA256:
            print(f"{wheel}: sha256 {wheel_sha} is not the pinned {WHEEL_SHA256}", file=sys.stderr)
            return 1
        landmarker = None
        if args.variant != "full":
            tarball = args.npm_tarball or download_npm_tarball(Path(tmpdir))
            npm_sha = sha256_of(tarball)
            if npm_sha != NPM_SHA256:
                print(
                    f"{tarball}: sha256 {npm_sha} is not the pinned {NPM_SHA256}", file=sys.stderr
                )
                return 1
            landmarker = npm_landmarker(tarball, args.variant)
            print(f"landmark model from {NPM_TARBALL} sha256 {npm_sha}")
        unpack_metadata_writer(wheel, Path(tmpdir) / "unpacked")
        task_sha = build(wheel, out, landmarker)
    print(f"source wheel {WHEEL_NAME} sha256 {wheel_sha}")
    print(f"wrote {out} sha256 {task_sha}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
