"""Atomic output files: every file posecheck writes appears whole or not at all.

The one recipe (used by every output): write to a hidden temporary file beside the
target (same folder, so the rename stays on one file system), flush, ``fsync``, then
``os.replace`` it onto the target. The temporary name carries the process id and a random
part, so two runs writing the same target never share a temporary file. On any error the
temporary file is removed and the target is left as it was; an :class:`OSError` (disk
full, read-only folder, name too long) becomes an :class:`~posecheck.errors.OutputError`
naming the target. Only a process killed
mid-write leaves its temporary file behind; :func:`remove_stale_temps` clears those.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from posecheck.errors import OutputError
from posecheck.io.paths import output_error

#: Every temporary output file ends with this suffix (and starts with a dot).
TEMP_SUFFIX = ".partial"


def temp_path(path: Path) -> Path:
    """A hidden, unique temporary name beside ``path``: ``.<name>.<pid>-<hex>.partial``."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(3)}{TEMP_SUFFIX}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def stale_temp_paths(path: Path) -> list[Path]:
    """The temporary files of ``path`` (named by :func:`temp_path`) whose process no longer
    runs on this machine: left by a writer killed mid-write. Sorted by name."""
    pattern = re.compile(
        rf"\.{re.escape(path.name)}\.(\d+)-[0-9a-f]+{re.escape(TEMP_SUFFIX)}", re.ASCII
    )
    stale = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
        match = pattern.fullmatch(tmp.name)
        if match is not None and not _pid_alive(int(match.group(1))):
            stale.append(tmp)
    return sorted(stale)


def remove_stale_temps(path: Path) -> int:
    """Delete :func:`stale_temp_paths` of ``path``; returns how many were deleted."""
    removed = 0
    for tmp in stale_temp_paths(path):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed += 1
    return removed


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(tmp: Path, path: Path) -> None:
    """Finish a file written under ``tmp`` (a :func:`temp_path`): fsync it, then rename it
    onto ``path``. For writers that cannot live inside one ``with`` block (a video
    encoder opened in one method and closed in another); they delete ``tmp`` on failure.
    """
    _fsync_path(tmp)
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path`` through (for writers that take a path,
    such as a video encoder); on success it is fsynced and renamed onto ``path``, on an
    exception removed."""
    tmp = temp_path(path)
    try:
        yield tmp
        commit(tmp, path)
    except OSError as exc:  # disk full, read-only, name too long: one line naming path
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OutputError):
            raise
        raise output_error(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_text(path: Path) -> Iterator[IO[str]]:
    """Open ``path`` for writing text (UTF-8, ``newline=""``) through a temporary file.

    The target appears, complete and fsynced, only when the ``with`` block ends without
    an exception. Text that UTF-8 cannot hold (a surrogate-escaped, non-UTF-8 file name)
    is written as a backslash escape instead of failing.
    """
    with (
        atomic_path(path) as tmp,
        open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh,
    ):
        yield fh


@contextlib.contextmanager
def atomic_binary(path: Path) -> Iterator[IO[bytes]]:
    """:func:`atomic_text` for bytes."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        yield fh


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_text(path) as fh:
        fh.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_binary(path) as fh:
        fh.write(data)
