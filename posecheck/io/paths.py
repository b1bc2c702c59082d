"""Paths as users give them, made safe to show and to write into text files, and the
lock that keeps two runs out of one output folder.

File names on Linux are bytes: one that is not UTF-8 reaches Python with surrogate
escapes (``bad\\udcff.mp4``), which no UTF-8 text file or terminal can take.
:func:`printable` turns it into ``bad\\xff.mp4``: readable, one line, always encodable.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from posecheck.errors import BusyError, InputError, OutputError

#: The lock file a run keeps in its output folder while it runs.
LOCK_NAME = ".posecheck.lock"


def printable(path: Path | str) -> str:
    """``path`` as one line of valid text: undecodable bytes as ``\\xff``, control
    characters (a newline in a name) as escapes -> str."""
    text = os.fsencode(str(path)).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def describe_os_error(exc: OSError, fallback: Path | str | None = None) -> str:
    """One line for an :class:`OSError`: ``PATH: what went wrong``."""
    if isinstance(exc, OutputError):
        return str(exc)
    name = exc.filename if exc.filename is not None else fallback
    what = exc.strerror or str(exc) or type(exc).__name__
    if name is None:
        return " ".join(what.split())
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    return f"{printable(name)}: {' '.join(what.split())}"


def output_error(exc: OSError, path: Path | str, doing: str = "cannot write") -> OutputError:
    """An :class:`OutputError` naming ``path`` for ``exc`` (e.g. ``cannot write (No space
    left on device)``)."""
    what = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.EFBIG:
        what = "file too large for this file system or ulimit"
    return OutputError(f"{printable(path)}: {doing} ({' '.join(what.split())})")


def make_output_dir(folder: Path) -> None:
    """Create ``folder`` (and its parents), or :class:`OutputError` saying why not: it
    or a parent is a file, it is read-only, the name is too long."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{printable(folder)}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            raise OutputError(
                f"{printable(folder)}: cannot create the output folder (a parent is a file)"
            ) from None
        raise output_error(exc, folder, "cannot create the output folder") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{printable(folder)}: output folder is not writable")


@contextlib.contextmanager
def output_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold ``folder/.posecheck.lock`` while the block runs, so a second run on the same
    output folder refuses at once (:class:`BusyError`, naming the first run's pid, host
    and start time) instead of mixing its files with the first's.

    The lock is an ``flock`` on the file: the kernel drops it when the process dies, so a
    killed run never leaves the folder locked. The file is removed when the block ends.
    """
    path = folder / LOCK_NAME
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise output_error(exc, path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            with contextlib.suppress(OSError):
                holder = os.pread(fd, 400, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            holder = " ".join(holder.split()) or "another process"
            raise BusyError(
                f"{printable(folder)}: output folder in use by another posecheck run "
                f"({holder}); wait for it or choose another --out"
            ) from None
        try:  # the file may have been removed by its last holder between open and flock
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        info = f"{what}, pid {os.getpid()} on {socket.gethostname()}, started {started}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode() + b"\n", 0)
    except OSError as exc:
        os.close(fd)
        raise output_error(exc, path) from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def file_kind(mode: int) -> str:
    """What a path that is not a regular file is, from its ``st_mode``, in words: ``a
    folder``, ``a named pipe (FIFO)``, ``a socket``, ``a device``."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def sha256_file(path: Path | str, chunk: int = 1 << 20) -> str:
    """The sha256 of a file, read in chunks (memory stays flat) -> str (hex)."""
    digest = hashlib.sha256()
    # O_NONBLOCK: opening a FIFO must not wait for a writer; then only regular files
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{printable(path)}: {file_kind(mode)}, not a regular file; skipped")
        os.set_blocking(fd, True)
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
