"""posecheck.io.atomic: a target appears whole or not at all, and no temporary file is
ever left behind, whether the writer fails inside the block or at the rename."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from posecheck.io import atomic
from posecheck.io.atomic import (
    TEMP_SUFFIX,
    atomic_binary,
    atomic_path,
    atomic_text,
    commit,
    remove_stale_temps,
    stale_temp_paths,
    temp_path,
    write_bytes,
    write_text,
)
from posecheck.io.images import save_image


class Boom(Exception):
    """Raised on purpose inside a write."""


def names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_temp_path_is_hidden_beside_the_target_and_unique(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    temps = {temp_path(target) for _ in range(50)}
    assert len(temps) == 50
    for tmp in temps:
        assert tmp.parent == target.parent  # same folder: the rename stays on one device
        assert tmp.name.startswith(f".{target.name}.") and tmp.name.endswith(TEMP_SUFFIX)
        assert str(os.getpid()) in tmp.name


@pytest.mark.parametrize(
    ("write", "read", "payload"),
    [
        (write_text, Path.read_text, "héllo\nwörld\r\n"),
        (write_bytes, Path.read_bytes, bytes(range(256))),
    ],
)
def test_write_functions_give_the_whole_file_and_nothing_else(
    tmp_path: Path,
    write: Callable[[Path, object], None],
    read: Callable[[Path], object],
    payload: object,
) -> None:
    target = tmp_path / "out.dat"
    target.write_bytes(b"old")
    write(target, payload)
    if isinstance(payload, str):
        assert target.read_bytes() == payload.encode("utf-8")  # no newline translation
    else:
        assert read(target) == payload
    assert names(tmp_path) == {target.name}


@pytest.mark.parametrize("existing", [None, b"previous contents\n"])
@pytest.mark.parametrize("opener", [atomic_text, atomic_binary])
def test_an_exception_in_the_block_leaves_the_target_as_it_was_and_no_temp_file(
    tmp_path: Path, existing: bytes | None, opener: Callable[[Path], object]
) -> None:
    target = tmp_path / "results.csv"
    if existing is not None:
        target.write_bytes(existing)
    before = names(tmp_path)
    chunk = "half a row" if opener is atomic_text else b"half a row"
    with pytest.raises(Boom), opener(target) as fh:  # type: ignore[attr-defined]
        fh.write(chunk)
        fh.flush()
        assert len(names(tmp_path)) == len(before) + 1  # the temporary file exists meanwhile
        raise Boom
    assert names(tmp_path) == before
    if existing is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == existing


def test_atomic_path_renames_on_success_and_removes_on_error(tmp_path: Path) -> None:
    target = tmp_path / "annotated.mp4"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"video")
        assert not target.exists()  # nothing appears before the block ends
    assert target.read_bytes() == b"video" and names(tmp_path) == {target.name}

    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a video")
        raise Boom
    assert target.read_bytes() == b"video" and names(tmp_path) == {target.name}

    with pytest.raises(Boom), atomic_path(tmp_path / "never.mp4"):
        raise Boom  # the writer failed before creating anything: still nothing left
    assert names(tmp_path) == {target.name}


def test_a_failing_rename_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "index.html"
    target.write_text("old page")

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        write_text(target, "new page")
    assert names(tmp_path) == {target.name} and target.read_text() == "old page"


def test_commit_moves_a_finished_temp_file_onto_the_target(tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    tmp = temp_path(target)
    tmp.write_bytes(b"done")
    commit(tmp, target)
    assert names(tmp_path) == {target.name} and target.read_bytes() == b"done"


def test_save_image_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = np.zeros((8, 12, 3), np.uint8)
    image[:, :6] = 255
    target = tmp_path / "sub" / "photo.posecheck.png"
    save_image(target, image)
    assert names(target.parent) == {target.name}
    import cv2

    assert np.array_equal(cv2.imread(str(target)), image)  # PNG: lossless round trip

    def refuse(src: object, dst: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    before = target.read_bytes()
    with pytest.raises(OSError):
        save_image(target, 255 - image)
    assert names(target.parent) == {target.name} and target.read_bytes() == before


def test_only_temp_files_of_dead_writers_are_stale(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    code = "import os; print(os.getpid())"
    gone = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited (and was reaped)
    killed = tmp_path / f".{target.name}.{dead_pid}-00aa11{TEMP_SUFFIX}"
    running = temp_path(target)  # this process: alive, its write may be under way
    other_target = tmp_path / f".index.html.{dead_pid}-00aa11{TEMP_SUFFIX}"
    not_ours = tmp_path / f".{target.name}.notes{TEMP_SUFFIX}"
    for path in (killed, running, other_target, not_ours, target):
        path.write_text("x")
    assert stale_temp_paths(target) == [killed]
    assert remove_stale_temps(target) == 1
    assert names(tmp_path) == {p.name for p in (running, other_target, not_ours, target)}
    assert remove_stale_temps(target) == 0
