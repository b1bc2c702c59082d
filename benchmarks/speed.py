"""Issue 16's benchmark: posecheck against the model alone and against the loop people copy,
on three clip sizes, with the CPU each stage costs, and batch against the same loop.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.speed [--data ../shared/data]
        [--peer-python /work/peerenv/bin/python] [--repeat 2] [--no-batch] [--clips NAME ...]

The clips are read from ``--data`` (default ``../shared/data``; they may not be copied into
the repository): ``clips/low_lunge.mp4`` (1080x1920 portrait phone clip, 50 fps, 5.6 s),
``clips/plank_cobra_dog.mp4`` (1920x1080, 30 fps, 12.8 s) and 24 s of
``clips/tree_tutorial.mp4`` (1280x720, 23.976 fps): its packets from the key frame at or
before 42 s to 66 s, copied without re-encoding into a temporary file, so the frames are
the original ones (the stretch with three Tree holds that ``benchmarks.throughput`` uses).
A clip that is absent is skipped with a note.

Per clip, in one run, each repetition running the configurations one after the other
(interleaved, so that a load change hits all of them alike), best of ``--repeat``:

* **model** - ``PoseEstimator.detect_rgb`` (Tasks API, VIDEO mode) on frames decoded and
  converted to RGB beforehand (in chunks of 64 frames; decoding not timed), loading the
  model included, since ``analyze`` pays it too (``inference_fps`` leaves it out).
* **no-video** - ``analyze_video(clip, out, write_video=False)`` in this process: what
  ``posecheck analyze --no-video`` runs (frames.csv, report.json, report.html), loading
  the model included.
* **full** - ``posecheck analyze CLIP --out DIR`` as a child process (annotated H.264
  video and reports), wall time from start to exit.
* **model tracking one** and **fast** - the model with room for one person (MediaPipe
  then tracks it and runs its person detector only when the track is lost; with room
  for several, as ``analyze`` sets it up to count people, it detects in every frame),
  and ``posecheck analyze --fast`` (which runs it that way) as a child process.
* **peer** - ``benchmarks/peer_loop.py`` under ``--peer-python`` (a venv with the legacy
  ``mediapipe==0.10.21``, see the README), as a child process, wall time from start to
  exit. Skipped with a note when that interpreter is absent.
* **stages** - one more ``analyze_video`` with video, instrumented: each stage's CPU time
  in the thread that runs it (``time.thread_time`` around decode, convert, infer,
  measure+judge, draw (with the shrink to the video's size) and encode), plus the worker
  threads that FFmpeg, x264 and MediaPipe start, attributed to the stage whose thread
  started them (each posecheck thread gets a Linux thread name, which threads started
  from it inherit; their CPU is read from ``/proc/self/task``), and the reports
  (thumbnails, report.html/json) as the process's CPU once the frames are done. Shown as
  CPU-ms per analysed frame.

Then **batch**: ``run_batch`` with 2 workers over the three clips (and again with
``fast``), as clip-seconds analysed per wall-second, next to the peer loop run over
the same clips one after another.

Targets (issue 16): no-video >= 0.9 x model (frames per second); full analyze >= 1.5 x
faster than the peer (wall); batch >= 1.8 x faster than the peer over the same clips.
Timings on a shared machine are noisy: read the ratios, which are measured side by side.
Writes ``benchmarks/results/speed.json``.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.harness import (
    ROOT,
    SHARED_DATA,
    print_readme_rows,
    print_table,
    write_results,
)

DEFAULT_PEER_PYTHON = Path("/work/peerenv/bin/python")
PEER_SCRIPT = ROOT / "benchmarks" / "peer_loop.py"
TARGETS = {"no_video_vs_model": 0.9, "full_vs_peer": 1.5, "batch_vs_peer": 1.8}
STAGES = ("decode", "convert", "infer", "measure+judge", "draw", "encode", "reports")


@dataclass(frozen=True)
class Clip:
    name: str
    file: str  # under <data>/clips
    span_s: tuple[float, float] | None = None  # cut to this stretch (packets copied)


CLIPS = (
    Clip("portrait 1080x1920", "low_lunge.mp4"),
    Clip("landscape 1920x1080", "plank_cobra_dog.mp4"),
    Clip("720p", "tree_tutorial.mp4", (42.0, 66.0)),
)


# ----------------------------------------------------------------------------- inputs


def copy_span(src: Path, dst: Path, start_s: float, end_s: float) -> None:
    """Packets of ``src``'s video stream from the key frame at or before ``start_s`` to
    ``end_s``, copied into ``dst`` without re-encoding (the original frames)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        tb = float(stream.time_base or 0)
        target = out.add_stream_from_template(stream)
        inp.seek(int(start_s / tb), stream=stream, backward=True, any_frame=False)
        first: int | None = None
        for packet in inp.demux(stream):
            if packet.dts is None or packet.pts is None:
                continue
            if first is None:
                if not packet.is_keyframe:
                    continue
                first = packet.dts
            if packet.pts * tb > end_s:
                break
            packet.dts -= first
            packet.pts -= first
            packet.stream = target
            out.mux(packet)


def prepare(clips: list[Clip], data: Path, work: Path) -> list[tuple[Clip, Path]]:
    """The clips present under ``data``, cut where asked; the absent ones are reported."""
    ready = []
    for clip in clips:
        src = data / "clips" / clip.file
        if not src.is_file():
            print(f"note: {src} is absent: clip '{clip.name}' skipped", file=sys.stderr)
            continue
        if clip.span_s is None:
            ready.append((clip, src))
            continue
        dst = work / f"{src.stem}_{clip.span_s[0]:g}-{clip.span_s[1]:g}s{src.suffix}"
        copy_span(src, dst, *clip.span_s)
        ready.append((clip, dst))
    return ready


def video_facts(path: Path) -> dict[str, Any]:
    from posecheck.io.video import VideoReader

    with VideoReader(path) as reader:
        frames = sum(1 for _ in reader._frames) + 1  # the pending first frame
        info = reader.info
    return {
        "size": [info.width, info.height],
        "fps": round(info.fps, 3),
        "frames": frames,
        "seconds": round(frames / info.fps, 3),
    }


# ----------------------------------------------------------------------------- runs


def cpu_s(who: int = resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def model_only(path: Path, chunk: int = 64, track_one: bool = False) -> tuple[float, float, int]:
    """(seconds loading the model, seconds of inference, frames): frames decoded and
    converted to RGB beforehand, a chunk at a time; only loading the model and
    ``detect_rgb`` are timed (the first inference, which builds the graph, counts as
    inference, as it does in ``analyze``)."""
    import av
    import cv2

    from posecheck.estimate.landmarker import PoseEstimator

    seconds, n = 0.0, 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = container.decode(stream)
        fps = float(stream.average_rate or 30)
        start = time.perf_counter()
        # As analyze sets it up (room for several people, so MediaPipe detects in every
        # frame); track_one: MediaPipe tracking one person, as ``analyze --fast``.
        from posecheck.apps.analyze import MAX_PEOPLE

        people = 1 if track_one else MAX_PEOPLE
        with PoseEstimator(mode="video", max_people=people) as est:
            est.open()
            load = time.perf_counter() - start
            while True:
                batch: list[NDArray[np.uint8]] = []
                for frame in frames:
                    bgr = frame.to_ndarray(format="bgr24")
                    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                    batch.append(np.asarray(rgb, dtype=np.uint8))
                    if len(batch) >= chunk:
                        break
                if not batch:
                    break
                start = time.perf_counter()
                for image in batch:
                    est.detect_rgb(image, int(1000 * n / fps))
                    n += 1
                seconds += time.perf_counter() - start
    return load, seconds, n


def no_video(path: Path, out: Path) -> float:
    """Wall seconds of ``analyze_video(path, out, write_video=False)`` in this process."""
    from posecheck.apps.analyze import analyze_video

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    analyze_video(path, out, write_video=False)
    return time.perf_counter() - start


def child(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of a child process run to its end."""
    c0 = cpu_s(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, cpu_s(resource.RUSAGE_CHILDREN) - c0, proc.stdout


def full_analyze(path: Path, out: Path, *options: str) -> tuple[float, float]:
    """(wall s, CPU s) of ``posecheck analyze PATH --out OUT [OPTIONS]`` as a child process."""
    shutil.rmtree(out, ignore_errors=True)
    code = "from posecheck.apps.cli import main; main()"
    cmd = [sys.executable, "-c", code, "analyze", str(path), "--out", str(out), *options]
    wall, cpu, _ = child(cmd)
    return wall, cpu


def peer(python: Path, path: Path, out: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, frames) of ``benchmarks/peer_loop.py`` as a child process."""
    wall, cpu, stdout = child([str(python), str(PEER_SCRIPT), str(path), "--out", str(out)])
    return wall, cpu, int(json.loads(stdout.strip().splitlines()[-1])["frames"])


# ----------------------------------------------------------------------------- stages

_PR_SET_NAME = 15
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def _set_thread_name(name: str) -> None:
    """Name the calling OS thread (Linux; threads it starts from now on inherit it)."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _thread_cpu() -> dict[int, tuple[str, float]]:
    """tid -> (thread name, CPU s) of this process's live threads (``/proc/self/task``)."""
    out: dict[int, tuple[str, float]] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        out[int(task.name)] = (name, (int(fields[11]) + int(fields[12])) * _TICK_S)
    return out


class StageClock:
    """CPU seconds by stage during one instrumented ``analyze_video``."""

    #: Thread names (prefixes) -> the stage whose CPU they are: posecheck's threads (and
    #: the threads started from them, which inherit the name), FFmpeg's decoding threads
    #: ("av:h264:df0") and MediaPipe's graph threads ("drishti").
    HELPER_STAGE = (
        ("pc-decode", "decode"),
        ("av:", "decode"),
        ("pc-infer", "infer"),
        ("drishti", "infer"),
        ("pc-encode", "encode"),
    )

    @classmethod
    def stage_of(cls, thread_name: str) -> str:
        for prefix, stage in cls.HELPER_STAGE:
            if thread_name.startswith(prefix):
                return stage
        return "other threads"

    def __init__(self) -> None:
        self.cpu: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.own_tids: set[int] = set()
        self.named: set[int] = set()
        self.snapshot: dict[int, tuple[str, float]] = {}
        self.baseline: dict[int, tuple[str, float]] = {}
        self.lock = threading.Lock()

    def name_thread(self, name: str) -> None:
        tid = threading.get_native_id()
        if tid not in self.named:
            self.named.add(tid)
            self.own_tids.add(tid)
            _set_thread_name(name)

    def wrap(self, stage: str, fn: Callable[..., Any], thread: str | None = None) -> Any:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if thread is not None:
                self.name_thread(thread)
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.thread_time() - start
                with self.lock:
                    self.cpu[stage] += spent

        return timed

    def take_snapshot(self) -> None:
        """Remember every live thread's CPU (helpers die with their codec: call this
        before the reader and the writer close)."""
        for tid, (name, spent) in _thread_cpu().items():
            if spent >= self.snapshot.get(tid, ("", -1.0))[1]:
                self.snapshot[tid] = (name, spent)

    def helper_cpu(self) -> dict[str, float]:
        """CPU s of threads posecheck did not start itself, by the stage they count under
        (``other threads`` when their name says nothing)."""
        out: dict[str, float] = {}
        for tid, (name, spent) in self.snapshot.items():
            if tid in self.own_tids or tid == threading.main_thread().native_id:
                continue
            spent -= self.baseline.get(tid, ("", 0.0))[1]
            stage = self.stage_of(name)
            out[stage] = out.get(stage, 0.0) + max(0.0, spent)
        return out


@contextmanager
def _patched(obj: Any, attr: str, value: Any) -> Iterator[None]:
    old = getattr(obj, attr)
    setattr(obj, attr, value)
    try:
        yield
    finally:
        setattr(obj, attr, old)


def stage_costs(path: Path, out: Path) -> dict[str, Any]:
    """CPU-ms per analysed frame by stage, from one instrumented ``analyze_video`` with
    video (see the module docstring)."""
    from posecheck.apps import analyze
    from posecheck.estimate.landmarker import PoseEstimator
    from posecheck.io import video
    from posecheck.judge.session import Session
    from posecheck.outputs import frames_csv, overlay
    from posecheck.outputs.report_json import write_report_files

    clock = StageClock()
    shutil.rmtree(out, ignore_errors=True)
    main_tid = threading.get_native_id()
    old_name = Path(f"/proc/self/task/{main_tid}/comm").read_text().strip()
    frames = 0
    loop_cpu = 0.0
    loop_start = [0.0]

    reader_init = video.VideoReader.__init__

    def init_reader(self: Any, *args: Any, **kwargs: Any) -> None:
        _set_thread_name("pc-decode")  # FFmpeg's decoding threads start here
        try:
            reader_init(self, *args, **kwargs)
        finally:
            _set_thread_name("pc-infer")

    def snapshot_then(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(self: Any) -> Any:
            clock.take_snapshot()
            return fn(self)

        return call

    def count_frames(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal frames
            frames += 1
            return fn(*args, **kwargs)

        return call

    reports_cpu: dict[str, float] = {}

    def process_cpu(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal loop_cpu
            if not loop_cpu:
                loop_cpu = cpu_s() - loop_start[0]
            c0 = cpu_s()
            try:
                return fn(*args, **kwargs)
            finally:
                reports_cpu[label] = reports_cpu.get(label, 0.0) + cpu_s() - c0

        return call

    patches: list[tuple[Any, str, Any]] = [
        (video.VideoReader, "__init__", init_reader),
        (
            video.VideoReader,
            "_next_decoded",
            clock.wrap("decode", video.VideoReader._next_decoded, "pc-decode"),
        ),
        (
            video.VideoReader,
            "_convert",
            clock.wrap("convert", video.VideoReader._convert, "pc-decode"),
        ),
        (PoseEstimator, "detect_rgb", count_frames(clock.wrap("infer", PoseEstimator.detect_rgb))),
        (Session, "push", clock.wrap("measure+judge", Session.push, "pc-post")),
        (Session, "flush", clock.wrap("measure+judge", Session.flush, "pc-post")),
        (
            frames_csv.FramesCsvWriter,
            "write",
            clock.wrap("measure+judge", frames_csv.FramesCsvWriter.write),
        ),
        (overlay, "annotate", clock.wrap("draw", overlay.annotate)),
        (video, "resize_bgr", clock.wrap("draw", video.resize_bgr)),
        (video.ThreadedWriter, "write", clock.wrap("encode", video.ThreadedWriter.write)),
        (video.VideoWriter, "write", clock.wrap("encode", video.VideoWriter.write, "pc-encode")),
        (video.ThreadedWriter, "close", snapshot_then(video.ThreadedWriter.close)),
        (video.PrefetchReader, "close", snapshot_then(video.PrefetchReader.close)),
        (Session, "thumbnails", process_cpu("thumbnails", Session.thumbnails)),
        (
            analyze,
            "write_report_files",
            process_cpu("report files", write_report_files),
        ),
    ]
    with ExitStack() as stack:
        for target, attr, value in patches:
            stack.enter_context(_patched(target, attr, value))
        _set_thread_name("pc-infer")  # MediaPipe's threads start in the main thread
        clock.baseline = _thread_cpu()
        try:
            loop_start[0] = cpu_s()
            start = time.perf_counter()
            analyze.analyze_video(path, out, write_video=True)
            wall = time.perf_counter() - start
            total = cpu_s() - loop_start[0]
        finally:
            _set_thread_name(old_name)
    cpu = dict(clock.cpu)
    cpu["reports"] = sum(reports_cpu.values())
    for stage, spent in clock.helper_cpu().items():
        cpu[stage] = cpu.get(stage, 0.0) + spent
    cpu["rest (threads' glue, model load, set-up)"] = total - sum(cpu.values())
    n = max(frames, 1)
    return {
        "frames": frames,
        "wall_s": round(wall, 3),
        "cpu_s": round(total, 3),
        "loop_cpu_s": round(loop_cpu, 3),
        "cpu_ms_per_frame": {k: round(1000 * v / n, 2) for k, v in cpu.items()},
        "reports_cpu_s": {k: round(v, 3) for k, v in reports_cpu.items()},
    }


# ----------------------------------------------------------------------------- batch


def batch_vs_peer(
    clips: list[Path], seconds: float, work: Path, peer_python: Path | None
) -> dict[str, Any]:
    """``run_batch`` with 2 workers over ``clips`` against the peer loop over the same
    clips one after another: clip-seconds per wall-second of each."""
    from posecheck.apps.batch import run_batch

    out = work / "batch"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    summary = run_batch(clips, out, workers=2, write_video=True)
    batch_wall = time.perf_counter() - start
    bad = [r for r in summary.rows if r["status"] not in ("ok", "error")]
    if bad:
        raise SystemExit(f"unexpected batch result: {bad}")
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    run_batch(clips, out, workers=2, write_video=True, fast=True)
    fast_wall = time.perf_counter() - start
    result: dict[str, Any] = {
        "clip_seconds": round(seconds, 3),
        "batch_wall_s": round(batch_wall, 3),
        "batch_clip_s_per_s": round(seconds / batch_wall, 3),
        "fast_batch_wall_s": round(fast_wall, 3),
        "fast_batch_clip_s_per_s": round(seconds / fast_wall, 3),
    }
    if peer_python is not None:
        start = time.perf_counter()
        for i, clip in enumerate(clips):
            peer(peer_python, clip, work / f"peer_batch{i}.mp4")
        peer_wall = time.perf_counter() - start
        result.update(
            peer_wall_s=round(peer_wall, 3),
            peer_clip_s_per_s=round(seconds / peer_wall, 3),
            batch_vs_peer=round(peer_wall / batch_wall, 3),
            fast_batch_vs_peer=round(peer_wall / fast_wall, 3),
        )
    return result


# ----------------------------------------------------------------------------- report


def readme_rows(figures: dict[str, Any]) -> list[str]:
    """The README lines these figures back: one row per clip of the speed table, the
    stage table, and the batch row."""
    lines = []
    for c in figures["clips"]:
        peer_cell = "–" if c.get("peer_wall_s") is None else f"{c['peer_wall_s']:.1f} s"
        vs_peer = "–" if c.get("full_vs_peer") is None else f"**{c['full_vs_peer']:.2f}×**"
        fast_vs = "–" if c.get("fast_vs_peer") is None else f"**{c['fast_vs_peer']:.2f}×**"
        lines.append(
            f"| {c['name']} ({c['frames']} frames) | {c['model_fps']:.1f} fps | "
            f"{c['no_video_fps']:.1f} fps | **{c['no_video_vs_model']:.2f}×** | "
            f"{c['full_wall_s']:.1f} s | {peer_cell} | {vs_peer} |"
        )
        lines.append(
            f"| {c['name']}, `--fast` | {c['model_track_one_fps']:.1f} fps | – | – | "
            f"{c['fast_wall_s']:.1f} s | {peer_cell} | {fast_vs} |"
        )
    for stage in (*STAGES, "other threads", "rest (threads' glue, model load, set-up)"):
        cells = [f"{c['stages']['cpu_ms_per_frame'].get(stage, 0.0):.1f}" for c in figures["clips"]]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    totals = [
        f"**{1000 * c['stages']['cpu_s'] / max(c['stages']['frames'], 1):.1f}**"
        for c in figures["clips"]
    ]
    lines.append("| total | " + " | ".join(totals) + " |")
    b = figures.get("batch")
    if b:
        peer_cell = "–" if b.get("peer_clip_s_per_s") is None else f"{b['peer_clip_s_per_s']:.2f}"
        ratio = "–" if b.get("batch_vs_peer") is None else f"**{b['batch_vs_peer']:.2f}×**"
        lines.append(
            f"| {b['clip_seconds']:.1f} s of video | {b['batch_clip_s_per_s']:.2f} | "
            f"{peer_cell} | {ratio} |"
        )
        if "fast_batch_clip_s_per_s" in b:
            fast = b.get("fast_batch_vs_peer")
            lines.append(
                f"| the same, `batch --fast` | {b['fast_batch_clip_s_per_s']:.2f} | {peer_cell} "
                f"| {'–' if fast is None else f'**{fast:.2f}×**'} |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="default ../shared/data")
    parser.add_argument("--peer-python", type=Path, default=DEFAULT_PEER_PYTHON)
    parser.add_argument("--repeat", type=int, default=2, help="best of N, interleaved")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--no-stages", action="store_true")
    parser.add_argument("--clips", nargs="*", help="clip files to run (default: all three)")
    parser.add_argument("--results", default="speed", help="result file name")
    args = parser.parse_args(argv)

    chosen = [c for c in CLIPS if not args.clips or c.file in args.clips]
    peer_python: Path | None = args.peer_python
    if peer_python is not None and not peer_python.is_file():
        print(
            f"note: {peer_python} is absent: the peer loop is skipped (see the README for "
            "how to make that venv)",
            file=sys.stderr,
        )
        peer_python = None
    figures: dict[str, Any] = {
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "repeat": args.repeat,
        "peer": None if peer_python is None else str(peer_python),
        "clips": [],
    }
    with tempfile.TemporaryDirectory(prefix="posecheck-speed-") as tmp:
        work = Path(tmp)
        ready = prepare(chosen, args.data, work)
        if not ready:
            print(f"no clips under {args.data / 'clips'}: nothing measured", file=sys.stderr)
            return 2
        for clip, path in ready:
            facts = video_facts(path)
            print(f"\n{clip.name}: {path.name}, {facts}", file=sys.stderr)
            best: dict[str, float] = {}
            cpu: dict[str, float] = {}
            frames = 0
            for _ in range(args.repeat):
                runs: dict[str, tuple[float, float]] = {}
                load, seconds, frames = model_only(path)
                runs["model"] = (load + seconds, float("nan"))
                runs["model_load"] = (load, float("nan"))
                runs["inference"] = (seconds, float("nan"))
                runs["no_video"] = (no_video(path, work / "nv"), float("nan"))
                runs["full"] = full_analyze(path, work / "full")
                load, seconds, _ = model_only(path, track_one=True)
                runs["model_one"] = (load + seconds, float("nan"))
                runs["fast"] = full_analyze(path, work / "fast", "--fast")
                if peer_python is not None:
                    w, c, _ = peer(peer_python, path, work / "peer.mp4")
                    runs["peer"] = (w, c)
                for key, (w, c) in runs.items():
                    if w < best.get(key, float("inf")):
                        best[key], cpu[key] = w, c
                print("  " + ", ".join(f"{k} {w:.2f} s" for k, (w, _) in runs.items()))
            row: dict[str, Any] = {
                "name": clip.name,
                "file": clip.file,
                "span_s": list(clip.span_s) if clip.span_s else None,
                **facts,
                "model_fps": round(frames / best["model"], 2),
                "model_load_s": round(best["model_load"], 3),
                "inference_fps": round(frames / best["inference"], 2),
                "no_video_fps": round(facts["frames"] / best["no_video"], 2),
                "full_wall_s": round(best["full"], 3),
                "full_cpu_s": round(cpu["full"], 3),
                "model_track_one_fps": round(frames / best["model_one"], 2),
                "fast_wall_s": round(best["fast"], 3),
                "fast_cpu_s": round(cpu["fast"], 3),
            }
            row["no_video_vs_model"] = round(row["no_video_fps"] / row["model_fps"], 3)
            if "peer" in best:
                row["peer_wall_s"] = round(best["peer"], 3)
                row["peer_cpu_s"] = round(cpu["peer"], 3)
                row["full_vs_peer"] = round(best["peer"] / best["full"], 3)
                row["fast_vs_peer"] = round(best["peer"] / best["fast"], 3)
            if not args.no_stages:
                row["stages"] = stage_costs(path, work / "stages")
            figures["clips"].append(row)
        if not args.no_batch and len(ready) > 1:
            seconds = sum(r["seconds"] for r in figures["clips"])
            figures["batch"] = batch_vs_peer([p for _, p in ready], seconds, work, peer_python)
    figures["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    _print(figures)
    if not args.no_stages:
        print_readme_rows(readme_rows(figures))
    write_results(args.results, figures, module="benchmarks.speed", argv=argv)
    return 0


def _print(figures: dict[str, Any]) -> None:
    rows = []
    for c in figures["clips"]:
        rows.append(
            [
                f"{c['name']} ({c['frames']} frames)",
                c["model_fps"],
                c["no_video_fps"],
                f"{c['no_video_vs_model']:.2f}",
                c["full_wall_s"],
                c.get("peer_wall_s"),
                None if c.get("full_vs_peer") is None else f"{c['full_vs_peer']:.2f}",
                c.get("model_track_one_fps"),
                c.get("fast_wall_s"),
                None if c.get("fast_vs_peer") is None else f"{c['fast_vs_peer']:.2f}",
            ]
        )
    print_table(
        [
            "clip",
            "model fps",
            "no-video fps",
            "no-video/model (>=0.9)",
            "full analyze s",
            "peer s",
            "peer/full (>=1.5)",
            "model tracking one fps",
            "--fast s",
            "peer/--fast",
        ],
        rows,
        title=f"per clip, best of {figures['repeat']} (load {figures['load_average_start']})",
    )
    staged = [c for c in figures["clips"] if "stages" in c]
    if staged:
        names = list(staged[0]["stages"]["cpu_ms_per_frame"])
        print_table(
            ["CPU-ms per frame", *(c["name"] for c in staged)],
            [[k, *(c["stages"]["cpu_ms_per_frame"].get(k) for c in staged)] for k in names]
            + [
                [
                    "total",
                    *(
                        round(1000 * c["stages"]["cpu_s"] / c["stages"]["frames"], 1)
                        for c in staged
                    ),
                ]
            ],
            title="stages (one instrumented analyze with video)",
        )
    b = figures.get("batch")
    if b:
        print_table(
            ["batch", "clip-s per wall-s", "peer clip-s per wall-s", "batch/peer (>=1.8)"],
            [
                [
                    f"{b['clip_seconds']} s",
                    b["batch_clip_s_per_s"],
                    b.get("peer_clip_s_per_s"),
                    b.get("batch_vs_peer"),
                ]
            ],
        )


if __name__ == "__main__":
    raise SystemExit(main())
