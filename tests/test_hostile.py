"""Hostile input and faults (issue 14): one row per kind of bad input or fault.

Every row runs the real ``posecheck`` entry point of this venv as a process (signals,
killed workers and concurrent runs included) and asserts the exit code, exactly one
``posecheck: ...`` line on stderr per bad item and never a traceback, which files exist
afterwards, and that no temporary file (``*.partial``, the output lock) is left. A row
that hangs fails on its timeout. The README states how many kinds this table tries
(:func:`test_readme_states_the_figure`).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.model

POSECHECK = str(Path(sys.executable).with_name("posecheck"))
SYNTH = ROOT / "samples" / "synth" / "tree_aligned_front.mp4"
PHOTO = SAMPLES / "squat_front_standing.jpg"
PHOTO2 = SAMPLES / "squat_front_deep.jpg"
TIMEOUT_S = 150
#: Run as root without the power to ignore file permissions, as any other user runs.
NO_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


# --------------------------------------------------------------------------- clips


def _cut(src: Path, dst: Path, frames: int) -> Path:
    """The first ``frames`` frames of ``src`` as an H.264 mp4 (short rows stay fast)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        enc = out.add_stream("libx264", rate=30)
        enc.width, enc.height, enc.pix_fmt = stream.width, stream.height, "yuv420p"
        for k, frame in enumerate(inp.decode(stream)):
            if k >= frames:
                break
            out.mux(enc.encode(frame.reformat(format="yuv420p")))
        out.mux(enc.encode(None))
    return dst


def _tiny(dst: Path, side: int = 16, frames: int = 10) -> Path:
    with av.open(str(dst), "w") as out:
        enc = out.add_stream("libx264", rate=30)
        enc.width, enc.height, enc.pix_fmt = side, side, "yuv420p"
        for i in range(frames):
            image = np.full((side, side, 3), i * 20, np.uint8)
            out.mux(enc.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(enc.encode(None))
    return dst


def _audio_only(dst: Path) -> Path:
    with av.open(str(dst), "w", format="mp4") as out:
        enc = out.add_stream("aac", rate=44100)
        for i in range(10):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 44100, i * 1024
            out.mux(enc.encode(frame))
        out.mux(enc.encode(None))
    return dst


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _huge_png(dst: Path, side: int = 40_000) -> Path:
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    dst.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b""))
    return dst


@dataclass(frozen=True)
class Clips:
    short: Path  # 15 frames (0.5 s)
    mid: Path  # 45 frames
    long: Path  # 120 frames (all the sample has): long enough to be interrupted
    tiny: Path  # 16x16
    audio: Path  # an mp4 with only an audio stream


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    d = tmp_path_factory.mktemp("clips")
    return Clips(
        short=_cut(SYNTH, d / "short.mp4", 15),
        mid=_cut(SYNTH, d / "mid.mp4", 45),
        long=_cut(SYNTH, d / "long.mp4", 150),
        tiny=_tiny(d / "tiny16.mp4"),
        audio=_audio_only(d / "audio.mp4"),
    )


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    first: Run | None = None  # a concurrent run's own outcome


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["COLUMNS"] = "200"
    return env


def _cmd(args: Sequence[str | Path], wrap: Sequence[str] = ()) -> list[str | bytes]:
    return [*wrap, POSECHECK, *(os.fsencode(a) if isinstance(a, Path) else a for a in args)]


def pc(
    d: Path,
    *args: str | Path,
    wrap: Sequence[str] = (),
    preexec: Callable[[], None] | None = None,
    stdout: int | None = subprocess.PIPE,
) -> Run:
    """Run ``posecheck ARGS`` in ``d`` to its end (a hang fails on the timeout)."""
    proc = subprocess.run(
        _cmd(args, wrap),
        cwd=d,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT_S,
        preexec_fn=preexec,
    )
    return Run(proc.returncode, _decode(proc.stdout or b""), _decode(proc.stderr))


def start(d: Path, *args: str | Path, session: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _cmd(args),
        cwd=d,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=session,
    )


def finish(proc: subprocess.Popen[bytes]) -> Run:
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return Run(proc.returncode, _decode(out), _decode(err))


def until(test: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not test():
        if proc.poll() is not None:
            raise AssertionError(f"ended before {what}: {_decode(proc.stderr.read())}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def streaming(folder: Path) -> Callable[[], bool]:
    """True once an analysis streams its rows into ``folder`` (anywhere below it)."""
    return lambda: any(folder.rglob(".frames.csv.*.partial"))


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(x) for x in text]
    return found


def rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def limit_file_size(size: int) -> Callable[[], None]:
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return set_limit


def copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def nonutf8(name: bytes) -> Path:
    return Path(os.fsdecode(name))


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    id: str
    run: Callable[[Path, Clips], Run]
    rc: int | tuple[int, ...]
    lines: int  # stderr lines: one per bad item
    exist: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    says: str = ""  # a piece of the stderr line(s)
    check: Callable[[Path, Run], None] | None = None
    needs: str = ""  # a program the row needs (skipped without it)


CASES: list[Case] = []


def case(
    id: str,
    rc: int | tuple[int, ...],
    lines: int,
    exist: tuple[str, ...] = (),
    absent: tuple[str, ...] = (),
    says: str = "",
    check: Callable[[Path, Run], None] | None = None,
    needs: str = "",
) -> Callable[[Callable[[Path, Clips], Run]], Callable[[Path, Clips], Run]]:
    def add(fn: Callable[[Path, Clips], Run]) -> Callable[[Path, Clips], Run]:
        CASES.append(Case(id, fn, rc, lines, exist, absent, says, check, needs))
        return fn

    return add


# ---- issue 14, defects 1-15


def _source_escaped(d: Path, r: Run) -> None:
    found = rows(d / "o" / "results.csv")
    assert [row["status"] for row in found] == ["ok", "ok"]
    assert any(row["source"].endswith("bad\\xff.mp4") for row in found)


@case("01-non-utf8-name-batch", 0, 0, ("o/results.csv", "o/index.html"), check=_source_escaped)
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "nu" / nonutf8(b"bad\xff.mp4"))
    copy(c.short, d / "nu" / "good.mp4")
    return pc(d, "batch", "nu", "--out", "o", "--no-video")


@case("01-non-utf8-name-analyze", 0, 0, ("o/report.json", "o/frames.csv", "o/report.html"))
def _(d: Path, c: Clips) -> Run:
    bad = copy(c.short, d / nonutf8(b"bad\xff.mp4"))
    return pc(d, "analyze", bad, "--out", "o", "--no-video")


def _all_ok(n: int) -> Callable[[Path, Run], None]:
    def check(d: Path, r: Run) -> None:
        assert [row["status"] for row in rows(d / "o" / "results.csv")] == ["ok"] * n, r.stdout

    return check


@case("02-worker-killed-local-engine", 0, 0, ("o/results.csv",), check=_all_ok(4))
def _(d: Path, c: Clips) -> Run:
    for i in range(4):
        copy(c.mid, d / "in" / f"c{i}.mp4")
    proc = start(d, "batch", "in", "--out", "o", "--no-video", "--workers", "2")
    until(streaming(d / "o"), proc, "a clip to start")
    workers = [
        p for p in children(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()
    ]
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    return finish(proc)


def _first_run_complete_analyze(d: Path, r: Run) -> None:
    assert r.first is not None and r.first.rc == 0 and r.first.stderr == "", r.first
    report = json.loads((d / "o" / "report.json").read_text())
    assert report["complete"] is True and report["frames_analysed"] == 120  # all of long


def _first_run_complete(d: Path, r: Run) -> None:
    assert r.first is not None and r.first.rc == 0 and r.first.stderr == "", r.first
    _all_ok(3)(d, r)


@case(
    "03-two-runs-one-out",
    2,
    1,
    ("o/results.csv",),
    says="in use by another posecheck run (posecheck batch, pid",
    check=_first_run_complete,
)
def _(d: Path, c: Clips) -> Run:
    for i in range(3):
        copy(c.mid, d / "in" / f"c{i}.mp4")
    first = start(d, "batch", "in", "--out", "o", "--no-video", "--workers", "1")
    until(lambda: (d / "o" / ".posecheck.lock").exists(), first, "the lock")
    second = pc(d, "batch", "in", "--out", "o", "--no-video")
    second.first = finish(first)
    return second


@case(
    "03-two-analyze-one-out",
    2,
    1,
    ("o/report.json",),
    says="in use by another posecheck run (posecheck analyze, pid",
    check=_first_run_complete_analyze,
)
def _(d: Path, c: Clips) -> Run:
    first = start(d, "analyze", c.long, "--out", "o", "--no-video")
    until(lambda: (d / "o" / ".posecheck.lock").exists(), first, "the lock")
    second = pc(d, "analyze", c.short, "--out", "o", "--no-video")
    second.first = finish(first)
    return second


def _interrupted_batch(d: Path, r: Run) -> None:
    found = rows(d / "o" / "results.csv")
    assert all(row["status"] == "ok" for row in found) and len(found) < 4


@case(
    "sigterm-local-batch", 143, 1, ("o/results.csv",), says="interrupted", check=_interrupted_batch
)
def _(d: Path, c: Clips) -> Run:
    for i in range(4):
        copy(c.mid, d / "in" / f"c{i}.mp4")
    proc = start(d, "batch", "in", "--out", "o", "--no-video", "--workers", "1")
    until(lambda: (d / "o" / "c0" / "done.json").exists(), proc, "the first clip")
    proc.send_signal(signal.SIGTERM)
    return finish(proc)


def _fifo_row(d: Path, r: Run) -> None:
    found = {row["clip_id"]: row for row in rows(d / "o" / "results.csv")}
    assert found["good"]["status"] == "ok"
    assert found["pipe"]["status"] == "error" and "FIFO" in found["pipe"]["error"]


@case(
    "04-fifo-in-batch-folder",
    1,
    1,
    ("o/results.csv",),
    says="pipe.mp4: a named pipe (FIFO)",
    check=_fifo_row,
)
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "in" / "good.mp4")
    os.mkfifo(d / "in" / "pipe.mp4")
    return pc(d, "batch", "in", "--out", "o", "--no-video")


@case("04-fifo-to-image", 1, 1, ("o/good.posecheck.jpg",), says="named pipe")
def _(d: Path, c: Clips) -> Run:
    os.mkfifo(d / "pipe.jpg")
    copy(PHOTO, d / "good.jpg")
    return pc(d, "image", "pipe.jpg", "good.jpg", "--out", "o")


@case("05-image-same-name-twice", 0, 0, ("o/p.posecheck.jpg", "o/p-2.posecheck.jpg"))
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "a" / "p.jpg")
    copy(PHOTO2, d / "b" / "p.jpg")
    return pc(d, "image", "a/p.jpg", "b/p.jpg", "--out", "o")


@case("06-out-is-a-file-analyze", 1, 1, says="exists and is not a folder")
def _(d: Path, c: Clips) -> Run:
    (d / "o").write_text("x")
    return pc(d, "analyze", c.short, "--out", "o", "--no-video")


@case("06-out-is-a-file-batch", 1, 1, says="exists and is not a folder")
def _(d: Path, c: Clips) -> Run:
    (d / "o").write_text("x")
    return pc(d, "batch", c.short, "--out", "o", "--no-video")


@case("06-out-under-a-file-analyze", 1, 1, says="a parent is a file")
def _(d: Path, c: Clips) -> Run:
    (d / "f").write_text("x")
    return pc(d, "analyze", c.short, "--out", "f/o", "--no-video")


@case("06-out-under-a-file-image", 1, 1, says="a parent is a file")
def _(d: Path, c: Clips) -> Run:
    (d / "f").write_text("x")
    return pc(d, "image", PHOTO, "--out", "f/o")


@case("06-record-is-a-file-live", 1, 1, says="exists and is not a folder")
def _(d: Path, c: Clips) -> Run:
    (d / "rec").write_text("x")
    return pc(d, "live", "--no-window", "--source", c.tiny, "--record", "rec")


@case("06-read-only-out-analyze", 1, 1, says="not writable", needs="setpriv")
def _(d: Path, c: Clips) -> Run:
    (d / "ro").mkdir(mode=0o555)
    return pc(d, "analyze", c.short, "--out", "ro", "--no-video", wrap=NO_DAC)


@case("06-read-only-out-batch", 1, 1, says="not writable", needs="setpriv")
def _(d: Path, c: Clips) -> Run:
    (d / "ro").mkdir(mode=0o555)
    return pc(d, "batch", c.short, "--out", "ro", "--no-video", wrap=NO_DAC)


@case("06-read-only-out-image", 1, 1, says="Permission denied", needs="setpriv")
def _(d: Path, c: Clips) -> Run:
    (d / "ro").mkdir(mode=0o555)
    return pc(d, "image", PHOTO, "--out", "ro/x", wrap=NO_DAC)


@case("06-disk-full-analyze", 1, 1, absent=("o/report.json",), says="o/frames.csv: cannot write")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.short, "--out", "o", "--no-video", preexec=limit_file_size(1024))


@case(
    "06-disk-full-analyze-video",
    1,
    1,
    absent=("o/report.json", "o/annotated.mp4"),
    says="o/annotated.mp4: cannot write",
)
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.short, "--out", "o", preexec=limit_file_size(20_000))


@case("06-disk-full-batch", 1, 1, says="cannot write")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "batch", c.short, "--out", "o", "--no-video", preexec=limit_file_size(2048))


@case(
    "06-disk-full-image",
    1,
    1,
    absent=("o/p.posecheck.jpg",),
    says="o/p.posecheck.jpg: cannot write",
)
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "p.jpg")
    return pc(d, "image", "p.jpg", "--out", "o", preexec=limit_file_size(4096))


def _one_output(d: Path, r: Run) -> None:
    (written,) = list((d / "o").iterdir())
    assert len(os.fsencode(written.name)) <= 200 and written.name.endswith(".posecheck.jpg")


@case("06-name-too-long-image", 0, 0, check=_one_output)
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / ("p" * 240 + ".jpg"))
    return pc(d, "image", "p" * 240 + ".jpg", "--out", "o")


@case("06-name-too-long-analyze-default-out", 0, 0)
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / ("v" * 240 + ".mp4"))
    run = pc(d, "analyze", "v" * 240 + ".mp4", "--no-video")
    assert len(list((d / "posecheck-out").glob("*/report.json"))) == 1
    return run


@case("07-huge-png", 1, 1, says="is too large")
def _(d: Path, c: Clips) -> Run:
    _huge_png(d / "huge.png")
    return pc(d, "image", "huge.png", "--out", "o")


@case("08-jpeg-with-trailing-bytes", 0, 0, ("o/motion.posecheck.jpg",))
def _(d: Path, c: Clips) -> Run:
    (d / "motion.jpg").write_bytes(PHOTO.read_bytes() + b"\0\0\0\x18ftypmp42" + b"\x07" * 5000)
    return pc(d, "image", "motion.jpg", "--out", "o")


def _recorded(d: Path, r: Run) -> None:
    report = json.loads((d / "rec" / "report.json").read_text())
    assert report["frames_analysed"] > 0 and "ended by: interrupted" in r.stdout


@case(
    "09-sigterm-live-record",
    0,
    0,
    ("rec/annotated.mp4", "rec/report.json", "rec/frames.csv"),
    check=_recorded,
)
def _(d: Path, c: Clips) -> Run:
    proc = start(d, "live", "--no-window", "--source", c.long, "--record", "rec")
    until(streaming(d / "rec"), proc, "recording")
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    return finish(proc)


def _partial_report(d: Path, r: Run) -> None:
    report = json.loads((d / "o" / "report.json").read_text())
    assert report["complete"] is False and report["partial_reason"] == "interrupted"


def _interrupt_analyze(sig: int) -> Callable[[Path, Clips], Run]:
    def run(d: Path, c: Clips) -> Run:
        proc = start(d, "analyze", c.long, "--out", "o", "--no-video")
        until(streaming(d / "o"), proc, "analysis")
        time.sleep(0.5)
        proc.send_signal(sig)
        return finish(proc)

    return run


case(
    "10-sigint-analyze",
    130,
    1,
    ("o/report.json", "o/frames.csv"),
    says="interrupted at",
    check=_partial_report,
)(_interrupt_analyze(signal.SIGINT))
case(
    "10-sigterm-analyze",
    143,
    1,
    ("o/report.json", "o/frames.csv"),
    says="interrupted at",
    check=_partial_report,
)(_interrupt_analyze(signal.SIGTERM))


@case(
    "11-unreadable-photo",
    1,
    1,
    ("o/good.posecheck.jpg",),
    says="bad.jpg: cannot read (Permission denied)",
    needs="setpriv",
)
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "good.jpg")
    copy(PHOTO, d / "bad.jpg").chmod(0)
    return pc(d, "image", "bad.jpg", "good.jpg", "--out", "o", wrap=NO_DAC)


@case("11-unreadable-video", 1, 1, says="Permission denied", needs="setpriv")
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "bad.mp4").chmod(0)
    return pc(d, "analyze", "bad.mp4", "--out", "o", "--no-video", wrap=NO_DAC)


@case("12-ctrl-c-dask-engine", 130, 1, ("o/results.csv",), says="interrupted")
def _(d: Path, c: Clips) -> Run:
    for i in range(3):
        copy(c.mid, d / "in" / f"c{i}.mp4")
    proc = start(
        d,
        "batch",
        "in",
        "--out",
        "o",
        "--no-video",
        "--engine",
        "dask",
        "--workers",
        "2",
        session=True,
    )
    until(streaming(d / "o"), proc, "a clip to start")
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole group
    return finish(proc)


def _no_formula(d: Path, r: Run) -> None:
    text = (d / "o" / "results.csv").read_text(encoding="utf-8")
    cells = [cell for row in rows(d / "o" / "results.csv") for cell in row.values()]
    assert not [x for x in cells if x[:1] in ("=", "+", "-", "@")], text
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'+1.mp4" in text and "'-cmd" in text


@case("13-csv-formula-injection", 0, 0, ("o/results.csv",), check=_no_formula)
def _(d: Path, c: Clips) -> Run:
    names = ['=HYPERLINK("http://x","y").mp4', "@SUM(A1).mp4", "-cmd.mp4", "+1.mp4"]
    for name in names:
        copy(c.short, d / name)
    return pc(d, "batch", "--out", "o", "--no-video", "--workers", "2", "--", *names)


@case(
    "14-failed-rerun-into-old-out",
    1,
    1,
    absent=("o/report.json", "o/frames.csv"),
    says="empty file",
)
def _(d: Path, c: Clips) -> Run:
    first = pc(d, "analyze", c.short, "--out", "o", "--no-video")
    assert first.rc == 0 and (d / "o" / "report.json").exists()
    (d / "empty.mp4").write_bytes(b"")
    return pc(d, "analyze", "empty.mp4", "--out", "o", "--no-video")


@case("15-16x16-video-analyze", 0, 0, ("o/report.json",))
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.tiny, "--out", "o", "--no-video")


@case("15-16x16-video-batch", 1, 1, ("o/results.csv",), says="no person found")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "batch", c.tiny, "--out", "o", "--no-video")


@case("15-16x16-video-live", 0, 0, ("rec/report.json",))
def _(d: Path, c: Clips) -> Run:
    return pc(d, "live", "--no-window", "--source", c.tiny, "--record", "rec")


@case("15-16x16-image", 0, 1, ("o/tiny.posecheck.jpg",), says="no person found")
def _(d: Path, c: Clips) -> Run:
    import cv2

    cv2.imwrite(str(d / "tiny.png"), np.zeros((16, 16, 3), np.uint8))
    return pc(d, "image", "tiny.png", "--out", "o")


# ---- beyond the list


@case("folder-named-x.mp4-analyze", 1, 1, says="is a directory")
def _(d: Path, c: Clips) -> Run:
    (d / "x.mp4").mkdir()
    return pc(d, "analyze", "x.mp4", "--out", "o", "--no-video")


@case("folder-named-x.mp4-in-batch", 0, 0, ("o/good/report.json",))
def _(d: Path, c: Clips) -> Run:
    (d / "in" / "x.mp4").mkdir(parents=True)
    copy(c.short, d / "in" / "good.mp4")
    return pc(d, "batch", "in", "--out", "o", "--no-video")


@case("symlink-loop-analyze", 1, 1, says="loop.mp4")
def _(d: Path, c: Clips) -> Run:
    (d / "loop.mp4").symlink_to("loop.mp4")
    return pc(d, "analyze", "loop.mp4", "--out", "o", "--no-video")


@case("symlink-loop-in-batch", 1, 1, ("o/good/report.json",), says="loop.mp4")
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "in" / "good.mp4")
    (d / "in" / "loop.mp4").symlink_to("loop.mp4")
    return pc(d, "batch", "in", "--out", "o", "--no-video")


@case("zero-length-mp4", 1, 1, says="empty file (0 bytes)")
def _(d: Path, c: Clips) -> Run:
    (d / "zero.mp4").write_bytes(b"")
    return pc(d, "analyze", "zero.mp4", "--out", "o", "--no-video")


@case("audio-only-mp4", 1, 1, says="no video stream")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.audio, "--out", "o", "--no-video")


@case("text-file-named-mp4-in-batch", 1, 1, ("o/good/report.json",), says="notes.mp4")
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "in" / "good.mp4")
    (d / "in" / "notes.mp4").write_text("not a video\n" * 100)
    return pc(d, "batch", "in", "--out", "o", "--no-video")


@case("huge-frame-count-claim", 1, 1, says="not a video")
def _(d: Path, c: Clips) -> Run:
    # an MP4 header whose sample table claims 2**31 frames, and no media behind it
    data = bytearray(c.short.read_bytes()[:4096])
    data += struct.pack(">I", 0x7FFFFFFF) * 64
    (d / "claim.mp4").write_bytes(bytes(data))
    return pc(d, "analyze", "claim.mp4", "--out", "o", "--no-video")


@case("batch-out-is-the-input-folder", 2, 1, says="inside the output folder")
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "in" / "good.mp4")
    return pc(d, "batch", "in", "--out", "in", "--no-video")


@case("image-out-is-the-input", 2, 1, says="is the input itself")
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "p.jpg")
    before = (d / "p.jpg").read_bytes()
    run = pc(d, "image", "p.jpg", "--out", "p.jpg")
    assert (d / "p.jpg").read_bytes() == before
    return run


@case("unknown-pose", 2, 1, says="'nope' is not one of")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.short, "--pose", "nope")


@case("stride-0", 2, 1, says="--stride")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.short, "--stride", "0")


@case("workers-0", 2, 1, says="--workers")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "batch", c.short, "--out", "o", "--workers", "0")


@case("unknown-command", 2, 1, says="No such command")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "frobnicate")


@case("missing-model", 2, 1, says="nope.task")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", c.short, "--model", "nope.task", "--out", "o")


@case("corrupt-model", 2, 1, says="bad.task")
def _(d: Path, c: Clips) -> Run:
    (d / "bad.task").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    return pc(d, "image", PHOTO, "--model", "bad.task", "--out", "o")


@case("missing-video", 1, 1, says="no such file")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "analyze", "nothere.mp4", "--out", "o", "--no-video")


@case("batch-missing-input", 2, 1, says="no such file or folder")
def _(d: Path, c: Clips) -> Run:
    return pc(d, "batch", "nothere", "--out", "o")


@case("batch-empty-folder", 2, 1, says="no video files found")
def _(d: Path, c: Clips) -> Run:
    (d / "empty").mkdir()
    return pc(d, "batch", "empty", "--out", "o")


@case("1x1-image", 0, 1, ("o/dot.posecheck.jpg",), says="no person found")
def _(d: Path, c: Clips) -> Run:
    import cv2

    cv2.imwrite(str(d / "dot.png"), np.zeros((1, 1, 3), np.uint8))
    return pc(d, "image", "dot.png", "--out", "o")


@case("emoji-and-unicode-names", 0, 0, ("o/🧘‍♀️ postura niña.posecheck.jpg", "v/report.json"))
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "🧘‍♀️ postura niña.jpg")
    copy(c.short, d / "ヨガ 🧘.mp4")
    first = pc(d, "image", "🧘‍♀️ postura niña.jpg", "--out", "o")
    assert first.rc == 0 and first.stderr == "", first.stderr
    return pc(d, "analyze", "ヨガ 🧘.mp4", "--out", "v", "--no-video")


@case("newline-in-name", 0, 0, ("o/a\nb.posecheck.jpg", "v/report.json"))
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "a\nb.jpg")
    copy(c.short, d / "c\nd.mp4")
    first = pc(d, "image", "a\nb.jpg", "--out", "o")
    assert first.rc == 0 and first.stderr == "" and "a\\nb.jpg" in first.stdout
    return pc(d, "analyze", "c\nd.mp4", "--out", "v", "--no-video")


@case("rich-markup-in-name", 0, 0, ("o/report.json",))
def _(d: Path, c: Clips) -> Run:
    copy(c.short, d / "[red]x[/].mp4")
    run = pc(d, "analyze", "[red]x[/].mp4", "--out", "o", "--no-video")
    assert "[red]x[/].mp4" in run.stdout
    return run


@case("sigpipe-poses-stdout-closed", 1, 0)
def _(d: Path, c: Clips) -> Run:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `posecheck poses | head -0`: nobody reads stdout
    try:
        return pc(d, "poses", stdout=write_end)
    finally:
        os.close(write_end)


@case(
    "one-bad-among-good-photos",
    1,
    1,
    ("o/good.posecheck.jpg", "o/good2.posecheck.jpg"),
    says="text.jpg",
)
def _(d: Path, c: Clips) -> Run:
    copy(PHOTO, d / "good.jpg")
    copy(PHOTO2, d / "good2.jpg")
    (d / "text.jpg").write_text("hello\n")
    return pc(d, "image", "good.jpg", "text.jpg", "good2.jpg", "--out", "o")


@case("truncated-video", 1, 1, says="cut.mp4")
def _(d: Path, c: Clips) -> Run:
    data = c.mid.read_bytes()
    (d / "cut.mp4").write_bytes(data[: len(data) // 2])
    return pc(d, "analyze", "cut.mp4", "--out", "o", "--no-video")


# --------------------------------------------------------------------------- the test

LEFTOVERS = re.compile(r"(\.partial|\.tmp|\.posecheck\.lock)$")


@pytest.mark.parametrize("row", CASES, ids=[c.id for c in CASES])
def test_hostile(row: Case, clips: Clips, tmp_path: Path) -> None:
    if row.needs and shutil.which(row.needs) is None:
        pytest.skip(f"needs {row.needs}")
    d = tmp_path / "w"
    d.mkdir()
    try:
        run = row.run(d, clips)
        assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.stderr
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert len(lines) == row.lines, run.stderr
        assert all(line.startswith("posecheck: ") for line in lines), run.stderr
        expected = row.rc if isinstance(row.rc, tuple) else (row.rc,)
        assert run.rc in expected, (run.rc, run.stderr)
        assert row.says in run.stderr, run.stderr
        for name in row.exist:
            assert (d / name).exists(), (name, sorted(p.name for p in d.rglob("*")))
        for name in row.absent:
            assert not (d / name).exists(), name
        left = [p for p in d.rglob("*") if LEFTOVERS.search(p.name)]
        assert not left, left
        if row.check is not None:
            row.check(d, run)
    finally:
        for p in [d, *d.rglob("*")]:  # let pytest clean up what a row made read-only
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)


def test_spreadsheet_cells_keep_numbers_and_read_back() -> None:
    from posecheck.outputs.batch_table import spreadsheet_safe, spreadsheet_unsafe

    for number in ("-3.5", "+1", "-0.000", "12"):
        assert spreadsheet_safe(number) == number
    for text in ("=1+1", "@SUM(A1)", "-cmd", "+x", "\tx", "\rx"):
        assert spreadsheet_safe(text) == "'" + text
        assert spreadsheet_unsafe(spreadsheet_safe(text)) == text
    assert spreadsheet_safe("'quoted") == "'quoted"


def test_readme_states_the_figure() -> None:
    """The README's figure is this table's size: kinds tried N, and zeros."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    figure = re.search(
        r"Kinds tried \*\*(\d+)\*\*, tracebacks \*\*0\*\*, hangs \*\*0\*\*, "
        r"results lost \*\*0\*\*",
        readme,
    )
    assert figure is not None
    assert int(figure.group(1)) == len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)
