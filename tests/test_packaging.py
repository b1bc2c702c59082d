"""posecheck installs from its built wheel and runs outside the clone, model included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

from tests.conftest import BALANCE, ROOT, SAMPLES


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "posecheck").rglob("__init__.py")
    }
    assert on_disk <= listed, f"add {sorted(on_disk - listed)} to pyproject's packages"
    assert "posecheck.models" in listed


@pytest.mark.model
def test_wheel_installs_outside_the_clone_and_runs(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("posecheck-*.whl")

    # A fresh environment outside the clone. Its dependencies (mediapipe, numpy, ...) are
    # borrowed from the test environment's site-packages through a .pth file, so the test
    # needs no download; posecheck itself comes only from the wheel (the test
    # environment's editable install is not a site directory there, so it stays inactive).
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]

    work = tmp_path / "elsewhere"
    work.mkdir()
    photo = shutil.copy(SAMPLES / "squat_front_standing.jpg", work / "photo.jpg")
    clip = shutil.copy(BALANCE, work / "clip.mp4")
    env = {k: v for k, v in os.environ.items() if k not in ("POSECHECK_MODEL", "PYTHONPATH")}
    where = subprocess.run(
        [str(py), "-c", "import posecheck, posecheck.models as m; print(posecheck.__file__);"
         "print(m.__file__)"],
        cwd=work, capture_output=True, text=True, env=env, check=True,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(env_dir) for p in where), where

    cli = env_dir / "bin" / "posecheck"
    image = subprocess.run(
        [str(cli), "image", str(photo), "--out", "out_image"],
        cwd=work, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert image.returncode == 0, image.stderr
    assert list((work / "out_image").glob("*.jpg"))
    analyze = subprocess.run(
        [str(cli), "analyze", str(clip), "--out", "out_video"],
        cwd=work, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert analyze.returncode == 0, analyze.stderr
    for name in ("report.json", "frames.csv", "report.html", "annotated.mp4"):
        assert (work / "out_video" / name).is_file(), name
