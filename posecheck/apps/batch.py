"""``run_batch``: many videos through :func:`posecheck.apps.analyze.analyze_video`, in parallel.

Data flow::

    inputs (files, folders, globs) -> collect_inputs -> make_clips (safe, unique ids)
      -> one job per clip on an engine (local process pool, or Dask distributed)
      -> process_clip: hash the input, skip if DIR/<id>/done.json matches, else clear the
         folder, analyze_video, write done.json last
      -> one row per clip (posecheck.outputs.batch_table) -> DIR/results.csv and
         DIR/index.html (posecheck.outputs.batch_html), rewritten atomically after every
         finished clip, so an interrupted batch still has its table

Resuming: ``done.json`` holds the input's sha256 and the settings that change the
outputs (pose, stride, max_width, video, model path and sha256). A clip is skipped only
when both match; anything else (no marker, a mismatch, a missing report) is redone from
an empty folder. A clip whose input cannot be read at all gets a marker too (the same
bytes fail the same way), unless the failure was unexpected (a bug, a dead worker): then
it is retried next time.

Statuses: ``ok``; ``partial`` (the report's ``partial_reason`` is set: decoding stopped
part-way, the report covers what decoded); ``error`` (not a readable video, or no person
in it; ``error`` says why in one line). Workers print nothing; progress comes back
through a queue (local engine) or per clip (Dask).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import importlib
import json
import logging
import math
import os
import re
import shutil
import signal
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypedDict, cast

from posecheck.errors import InputError, ModelError, OutputError, PosecheckError
from posecheck.io.atomic import remove_stale_temps, write_text
from posecheck.io.paths import make_output_dir, output_lock, printable, sha256_file
from posecheck.outputs import batch_html, batch_table
from posecheck.outputs.batch_html import write_index_html
from posecheck.outputs.batch_table import (
    Row,
    error_row,
    one_line,
    row_from_report,
    write_results_csv,
)
from posecheck.outputs.report_json import ANNOTATED_VIDEO, LANDMARK_FILES, OUTPUT_FILES
from posecheck.outputs.text import batch_count_line
from posecheck.poses import get_pose
from posecheck.report import VideoReportDict

if TYPE_CHECKING:
    import multiprocessing.queues

Engine = Literal["local", "dask"]

#: File name suffixes picked up when walking folders or expanding globs.
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"}
    | {".ts", ".mts", ".m2ts", ".ogv"}
)
MARKER = "done.json"
MARKER_VERSION = 1
RESULTS_CSV = batch_table.RESULTS_CSV
INDEX_HTML = batch_html.INDEX_HTML
#: Names a clip folder may not take (they are files of DIR itself).
RESERVED_IDS = frozenset({RESULTS_CSV, INDEX_HTML})
MAX_ID_LENGTH = 96
SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")

DASK_MISSING = "posecheck batch --engine dask needs the 'dask' extra: pip install 'posecheck[dask]'"


class BatchUsageError(PosecheckError):
    """The batch cannot start: no inputs, a missing path, a bad option, no Dask."""


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Clip:
    """One input video.

    Attributes:
        clip_id: the folder name under DIR: only ``[A-Za-z0-9._-]``, never ``..``.
        path: the absolute, normalised path (what workers open).
        source: the path as the user reached it (shown in the table).
    """

    clip_id: str
    path: str
    source: str


class SettingsDict(TypedDict, total=False):
    """``done.json``'s ``settings``: what :class:`Settings` holds, as JSON (``landmarks``
    ``correction`` and ``fast`` only when on, so clips done before the options existed
    still match)."""

    pose: str
    stride: int
    max_width: int | None
    video: bool
    model: str
    model_sha256: str
    landmarks: bool
    correction: bool
    fast: bool


@dataclass(frozen=True)
class Settings:
    """Everything that changes a clip's outputs (recorded in ``done.json``)."""

    pose: str | None
    stride: int
    max_width: int | None
    write_video: bool
    model: str
    model_sha256: str
    landmarks: bool = False
    correct: bool = False
    fast: bool = False

    def to_dict(self) -> SettingsDict:
        """The JSON form stored in ``done.json``."""
        out: SettingsDict = {
            "pose": self.pose or "auto",
            "stride": self.stride,
            "max_width": self.max_width,
            "video": self.write_video,
            "model": self.model,
            "model_sha256": self.model_sha256,
        }
        if self.landmarks:
            out["landmarks"] = True
        if self.correct:
            out["correction"] = True
        if self.fast:
            out["fast"] = True
        return out


@dataclass(frozen=True)
class Job:
    """One clip to process into ``out_dir/<clip_id>/`` (picklable, sent to workers)."""

    clip: Clip
    out_dir: str
    settings: Settings


@dataclass(frozen=True)
class ClipResult:
    """What became of one clip.

    Attributes:
        row: its ``results.csv`` row (every field of :data:`RESULT_FIELDS`, as text).
        skipped: True when a matching ``done.json`` was found and nothing was redone.
        model_error: set when the model could not be loaded (the batch stops).
    """

    clip_id: str
    row: Row
    skipped: bool = False
    model_error: str | None = None

    @property
    def status(self) -> str:
        """``ok``, ``partial`` or ``error`` -> str."""
        return self.row["status"]


@dataclass(frozen=True)
class BatchProgress:
    """Passed to the ``progress`` callback of :func:`run_batch`.

    Attributes:
        done: clips finished plus the finished share of the running ones (float).
        total: number of clips.
        finished: the clip that just finished, or None for a frame-level update.
    """

    done: float
    total: int
    finished: ClipResult | None = None


ProgressFn = Callable[[BatchProgress], None]


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of :func:`run_batch`.

    Attributes:
        out_dir: DIR.
        rows: one ``results.csv`` row per clip, in clip order.
        skipped: how many clips were already done (matching ``done.json``).
        elapsed_s: wall time of the run.
    """

    out_dir: Path
    rows: tuple[Row, ...]
    skipped: int
    elapsed_s: float

    @property
    def total(self) -> int:
        """Number of clips -> int."""
        return len(self.rows)

    @property
    def errors(self) -> int:
        """Clips with status ``error`` -> int."""
        return sum(r["status"] == "error" for r in self.rows)

    @property
    def exit_code(self) -> int:
        """0 when every clip is ok or partial, 1 when any errored -> int."""
        return 1 if self.errors else 0

    def line(self) -> str:
        """One line for the terminal, e.g. ``3 clips: 2 ok, 0 partial, 1 error; 1 skipped``
        (:func:`posecheck.outputs.text.batch_count_line`)."""
        return batch_count_line(self.rows, self.skipped, self.elapsed_s)


# --------------------------------------------------------------------------- inputs


def _is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES and not path.name.startswith(".")


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and (path == folder or folder in path.parents)


def _walk(folder: Path, exclude: Path | None) -> Iterator[Path]:
    """Video files under ``folder`` (recursive, hidden entries and ``exclude`` left out)."""
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not _inside(_real(here / d), exclude)
        )
        yield from (here / f for f in sorted(files) if _is_video_name(here / f))


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _expand(arg: str, exclude: Path | None) -> list[Path]:
    """The files one INPUT stands for: a file as is, a folder walked, a glob expanded.

    Raises:
        BatchUsageError: nothing exists by that name and no file matches it.
    """
    path = Path(arg)
    if path.is_file():
        return [path]
    if path.is_dir():
        if _inside(_real(path), exclude):
            raise BatchUsageError(
                f"{printable(arg)}: is inside the output folder; choose another --out"
            )
        return list(_walk(path, exclude))
    if os.path.lexists(path):  # a FIFO, a device, a socket, a dangling or looping link
        return [path]
    if glob.has_magic(arg):
        found: list[Path] = []
        for match in sorted(glob.glob(arg, recursive=True)):
            m = Path(match)
            if m.is_dir():
                found.extend(_walk(m, exclude))
            elif m.is_file() and _is_video_name(m) and not _inside(_real(m), exclude):
                found.append(m)
        if not found:
            raise BatchUsageError(f"{printable(arg)}: no video file matches")
        return found
    raise BatchUsageError(f"{arg}: no such file or folder")


def collect_inputs(inputs: Sequence[str | Path], exclude: Path | None = None) -> list[Path]:
    """Every input file, each once (by real path), sorted by absolute path.

    Args:
        inputs: files (always tried, whatever their suffix), folders (walked
            recursively for video suffixes) or glob patterns (``**`` allowed).
        exclude: a folder never looked into (the output folder).

    Raises:
        BatchUsageError: an input names nothing, or no video is found at all.
    """
    excluded = _real(exclude) if exclude is not None else None
    seen: dict[Path, Path] = {}
    for arg in inputs:
        for path in _expand(str(arg), excluded):
            seen.setdefault(_real(path), path)
    if not seen:
        raise BatchUsageError("no video files found in the inputs")
    return sorted(seen.values(), key=lambda p: _absolute(p).as_posix())


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


# --------------------------------------------------------------------------- clip ids


def _safe_part(part: str) -> str:
    """One path component as ``[A-Za-z0-9._-]`` (accents dropped, no ``..``, no leading
    dot or dash)."""
    ascii_only = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_only)
    safe = re.sub(r"\.{2,}", ".", safe)
    return safe.lstrip("._-").rstrip("._")


def _base_id(rel: PurePosixPath) -> str:
    parts = [*rel.parts[:-1], PurePosixPath(rel.name).stem or rel.name]
    joined = "__".join(p for p in (_safe_part(x) for x in parts) if p)
    joined = joined[:MAX_ID_LENGTH].rstrip(".")
    return joined or "clip"


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def make_clips(paths: Sequence[Path]) -> list[Clip]:
    """Deterministic, unique, safe clip ids for ``paths`` (as :func:`collect_inputs` gives).

    An id is the path relative to the inputs' common folder, without its suffix, folders
    joined by ``__``, made safe by :func:`_safe_part`. Ids that would collide (ignoring
    case, for case-insensitive file systems) or take a reserved name all get a short hash
    of their relative path appended.
    """
    absolute = [_absolute(p) for p in paths]
    root = Path(os.path.commonpath([p.parent for p in absolute]))
    rels = [PurePosixPath(p.relative_to(root).as_posix()) for p in absolute]
    bases = [_base_id(r) for r in rels]
    taken: dict[str, int] = {}
    for b in bases:
        taken[b.lower()] = taken.get(b.lower(), 0) + 1
    ids: list[str] = []
    used: set[str] = set()
    for rel, base in zip(rels, bases, strict=True):
        clip_id, length = base, 8
        if taken[base.lower()] > 1 or base.lower() in RESERVED_IDS:
            clip_id = f"{base}-{_digest(rel.as_posix(), length)}"
        while clip_id.lower() in used:
            length += 4
            clip_id = f"{base}-{_digest(rel.as_posix(), length)}"
        used.add(clip_id.lower())
        ids.append(clip_id)
    return [
        Clip(clip_id=i, path=str(a), source=printable(p))
        for i, a, p in zip(ids, absolute, paths, strict=True)
    ]


def clip_dir(out_dir: Path | str, clip_id: str) -> Path:
    """``out_dir/clip_id``, refusing any id that could leave ``out_dir`` -> Path."""
    if not SAFE_ID.fullmatch(clip_id) or ".." in clip_id or clip_id.startswith("."):
        raise ValueError(f"unsafe clip id {clip_id!r}")
    return Path(out_dir) / clip_id


# --------------------------------------------------------------------------- one clip


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _reuse(job: Job, folder: Path, digest: str) -> Row | None:
    """The clip's row if ``done.json`` matches the input and settings, else None."""
    marker = _read_json(folder / MARKER)
    if marker is None or marker.get("marker_version") != MARKER_VERSION:
        return None
    if marker.get("input_sha256") != digest:
        return None
    if marker.get("settings") != job.settings.to_dict():
        return None
    if marker.get("status") == "error" and not (folder / "report.json").exists():
        return error_row(job.clip, str(marker.get("error", "")))
    report = _read_json(folder / "report.json")
    if report is None:
        return None
    return row_from_report(job.clip, cast(VideoReportDict, report))


def _clear(folder: Path) -> None:
    """Remove a clip folder's stale outputs, the marker first."""
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        (folder / MARKER).unlink(missing_ok=True)
        shutil.rmtree(folder)


def _write_marker(job: Job, folder: Path, digest: str, row: Row) -> None:
    """Write ``folder/done.json`` atomically: the input's sha256, the settings and the
    row's status and error (the clip is then done)."""
    marker = {
        "marker_version": MARKER_VERSION,
        "clip_id": job.clip.clip_id,
        "source": job.clip.source,
        "input_sha256": digest,
        "settings": job.settings.to_dict(),
        "status": row["status"],
        "error": row["error"],
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / MARKER, json.dumps(marker, indent=2) + "\n")


def process_clip(job: Job, progress: Callable[[float], None] | None = None) -> ClipResult:
    """Analyse one clip into ``out_dir/<clip_id>/``, or reuse it when already done.

    Prints nothing and never raises for a bad input: the result's row says what went
    wrong. ``progress`` gets the finished share of the clip (0 to 1).

    Returns:
        ClipResult: the row; ``skipped`` when a matching ``done.json`` was reused;
        ``model_error`` when the model could not be loaded (nothing is marked done).
    """
    from posecheck.apps.analyze import analyze_video

    clip = job.clip
    folder = clip_dir(job.out_dir, clip.clip_id)
    try:
        digest = sha256_file(clip.path)
    except InputError as exc:
        return ClipResult(clip.clip_id, error_row(clip, str(exc)))
    except OSError as exc:
        return ClipResult(clip.clip_id, error_row(clip, f"cannot read ({exc.strerror})"))
    reused = _reuse(job, folder, digest)
    if reused is not None:
        return ClipResult(clip.clip_id, reused, skipped=True)
    _clear(folder)

    def report_progress(done_s: float, total_s: float | None) -> None:
        if progress is not None and total_s:
            progress(min(1.0, max(0.0, done_s / total_s)))

    s = job.settings
    try:
        report = analyze_video(
            clip.path,
            folder,
            pose=s.pose,
            stride=s.stride,
            max_width=s.max_width,
            write_video=s.write_video,
            model=s.model,
            progress=report_progress,
            landmarks=s.landmarks,
            correction="auto" if s.correct else None,
            fast=s.fast,
        )
    except ModelError as exc:
        return ClipResult(clip.clip_id, error_row(clip, str(exc)), model_error=str(exc))
    except InputError as exc:
        row = error_row(clip, str(exc))
    except Exception as exc:  # a bug or a resource problem: reported, retried next time
        message = f"{type(exc).__name__}: {exc}"
        return ClipResult(clip.clip_id, error_row(clip, message))
    else:
        row = row_from_report(clip, report.to_dict())
    _write_marker(job, folder, digest, row)
    return ClipResult(clip.clip_id, row)


# --------------------------------------------------------------------------- tables


def write_tables(out_dir: Path, rows: Sequence[Row]) -> None:
    """Rewrite ``out_dir/results.csv`` and ``out_dir/index.html`` from ``rows``, each
    atomically; a clip links to its report in the page when ``report.html`` exists."""
    linked = {
        r["clip_id"] for r in rows if (clip_dir(out_dir, r["clip_id"]) / "report.html").is_file()
    }
    write_results_csv(out_dir / RESULTS_CSV, rows)
    write_index_html(out_dir / INDEX_HTML, rows, linked)


# --------------------------------------------------------------------------- engines

#: Called with each finished clip's result, in completion order.
OnResult = Callable[[ClipResult], None]
#: Called with (clip id, finished share 0-1) while a clip runs.
OnFraction = Callable[[str, float], None]

#: (clip id, finished share) from the local workers to the parent.
ProgressQueue: TypeAlias = "multiprocessing.queues.Queue[tuple[str, float]]"

_worker_queue: ProgressQueue | None = None


def _init_worker(progress_queue: ProgressQueue) -> None:
    """Local worker start-up: ignore Ctrl-C (the parent handles it), keep the queue, and
    exit as soon as the parent dies (a killed batch leaves no orphan workers)."""
    import multiprocessing
    import threading
    from multiprocessing.connection import wait as wait_for

    global _worker_queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_queue = progress_queue
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel

        def watch() -> None:
            wait_for([sentinel])
            os._exit(1)

        threading.Thread(target=watch, name="posecheck-parent-watch", daemon=True).start()


#: The share sent when a worker starts a clip (so the parent knows it started).
STARTED = -1.0
#: How many times a clip may be running in a worker that dies before it is an error.
MAX_WORKER_DEATHS = 2


def _local_task(job: Job) -> ClipResult:
    """A local worker's job: :func:`process_clip`, its start and then its progress sent
    to the parent's queue (progress at most every 0.2 s)."""
    last = [0.0]
    if _worker_queue is not None:
        with contextlib.suppress(Exception):
            _worker_queue.put_nowait((job.clip.clip_id, STARTED))

    def send(fraction: float) -> None:
        now = time.monotonic()
        if _worker_queue is not None and now - last[0] >= 0.2:
            last[0] = now
            with contextlib.suppress(Exception):
                _worker_queue.put_nowait((job.clip.clip_id, fraction))

    return process_clip(job, send)


def _drain(progress_queue: ProgressQueue, on_fraction: OnFraction, started: set[str]) -> None:
    while True:
        try:
            clip_id, fraction = progress_queue.get_nowait()
        except Exception:  # queue.Empty, or a queue broken by a dead worker
            return
        if fraction == STARTED:
            started.add(clip_id)
        else:
            on_fraction(clip_id, fraction)


def _future_result(future: Future[ClipResult], job: Job) -> ClipResult:
    try:
        return future.result()
    except Exception as exc:  # a worker died (killed, out of memory) or the task failed
        message = f"worker failed ({type(exc).__name__}: {one_line(str(exc))})"
        return ClipResult(job.clip.clip_id, error_row(job.clip, message))


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the running workers at once (a clip cut off
    has no ``done.json`` and is redone next time)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_pool(
    ctx: Any,
    jobs: Sequence[Job],
    workers: int,
    on_result: OnResult,
    on_fraction: OnFraction,
    started: set[str],
) -> list[Job]:
    """Run ``jobs`` on one pool; returns the jobs left unfinished because a worker died
    (BrokenProcessPool: every running and queued job of the pool is lost with it)."""
    from concurrent.futures.process import BrokenProcessPool

    progress_queue: ProgressQueue = ctx.Queue()
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(progress_queue,)
    )
    finished: set[str] = set()
    broken = False
    try:
        futures = {pool.submit(_local_task, job): job for job in jobs}
        pending: set[Future[ClipResult]] = set(futures)
        while pending and not broken:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(progress_queue, on_fraction, started)
            for future in sorted(done, key=lambda f: futures[f].clip.clip_id):
                job = futures[future]
                if isinstance(future.exception(), BrokenProcessPool):
                    broken = True
                    continue
                finished.add(job.clip.clip_id)
                on_result(_future_result(future, job))
    except BaseException:
        _stop_pool(pool)
        raise
    finally:
        if broken:
            _stop_pool(pool)
            _drain(progress_queue, on_fraction, started)
        progress_queue.cancel_join_thread()
        progress_queue.close()
    if not broken:
        pool.shutdown(wait=True)
    return [job for job in jobs if job.clip.clip_id not in finished]


def run_local(
    jobs: Sequence[Job], workers: int, on_result: OnResult, on_fraction: OnFraction
) -> None:
    """Run ``jobs`` on a pool of ``workers`` spawned processes (each analyze_video call
    loads its own model). On any exception (Ctrl-C), the workers are ended at once;
    finished clips are already marked done.

    A worker that dies (killed, out of memory) breaks the pool: a new pool is started
    for the clips left. The clips that never started simply run there; a clip that was
    running when a worker died is run again, and becomes an error row once it has been
    in :data:`MAX_WORKER_DEATHS` dead pools (it is then most likely what kills them).
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    deaths: dict[str, int] = {}
    left = list(jobs)
    while left:
        started: set[str] = set()
        left = _run_pool(ctx, left, workers, on_result, on_fraction, started)
        retry = []
        for job in left:
            clip_id = job.clip.clip_id
            if clip_id in started:
                deaths[clip_id] = deaths.get(clip_id, 0) + 1
                if deaths[clip_id] >= MAX_WORKER_DEATHS:
                    message = (
                        f"worker died {deaths[clip_id]} times while analysing it "
                        "(killed, or out of memory)"
                    )
                    on_result(ClipResult(clip_id, error_row(job.clip, message)))
                    continue
            retry.append(job)
        left = retry


def _import_distributed() -> Any:
    """``distributed`` (Dask's cluster scheduler), or :class:`BatchUsageError`."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise BatchUsageError(DASK_MISSING) from None


@contextlib.contextmanager
def _dask_client(distributed: Any, workers: int, scheduler: str | None) -> Iterator[Any]:
    """A client of ``scheduler``, or of a LocalCluster (processes, 1 thread each)."""
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise BatchUsageError(
                    f"cannot reach the Dask scheduler {scheduler} ({one_line(str(exc))})"
                ) from None
            stack.enter_context(client)
        else:
            with _workers_ignore_ctrl_c():
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            stack.enter_context(cluster)
            client = stack.enter_context(distributed.Client(cluster))
        yield client


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Ignore SIGINT while the local cluster starts its worker processes, so they
    inherit it ignored: Ctrl-C in a terminal reaches the whole process group, and a Dask
    worker hit by it prints a traceback. This process stops them itself when it gets
    Ctrl-C (cancel, close the cluster). A Ctrl-C during the cluster's start is lost."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_dask(jobs: Sequence[Job], workers: int, scheduler: str | None, on_result: OnResult) -> None:
    """Run ``jobs`` on a Dask distributed cluster (progress per finished clip).

    With ``scheduler`` (``tcp://host:8786``) the cluster's workers must have posecheck
    installed and see the same paths (a shared file system) as this machine.

    Raises:
        BatchUsageError: Dask is not installed, or the scheduler cannot be reached.
    """
    distributed = _import_distributed()
    with _dask_client(distributed, workers, scheduler) as client:
        token = _digest(f"{time.time_ns()}-{os.getpid()}", 8)
        keys = [f"posecheck-{job.clip.clip_id}-{token}" for job in jobs]
        futures = client.map(process_clip, list(jobs), key=keys, pure=False)
        by_key = dict(zip(keys, jobs, strict=True))
        try:
            for future in distributed.as_completed(futures):
                on_result(_future_result(future, by_key[future.key]))
        except BaseException:
            client.cancel(futures)
            raise


# --------------------------------------------------------------------------- batch


def default_workers() -> int:
    """The cores this process may run on -> int."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def batch_settings(
    pose: str | None,
    stride: int,
    max_width: int | None,
    write_video: bool,
    model: Path | None,
    landmarks: bool = False,
    correct: bool = False,
    fast: bool = False,
) -> Settings:
    """Check the options and the model file; hash the model.

    Raises:
        BatchUsageError: a bad pose, stride or width.
        ModelError: the model file is missing or not a model bundle.
    """
    from posecheck.estimate.landmarker import check_model_file, default_model_path

    if pose is not None:
        try:
            get_pose(pose)
        except KeyError as exc:
            raise BatchUsageError(str(exc.args[0])) from None
    if stride < 1:
        raise BatchUsageError(f"stride must be >= 1, got {stride}")
    if max_width is not None and max_width < 2:
        raise BatchUsageError(f"max_width must be >= 2, got {max_width}")
    model_path = _absolute(Path(model) if model is not None else default_model_path())
    check_model_file(model_path)
    return Settings(
        pose,
        stride,
        max_width,
        write_video,
        str(model_path),
        sha256_file(model_path),
        landmarks,
        correct,
        fast,
    )


#: What a clip folder holds, whose temporary files a killed worker may leave.
CLIP_OUTPUTS = (*OUTPUT_FILES.values(), ANNOTATED_VIDEO, *LANDMARK_FILES.values(), MARKER)


def _remove_worker_temps(out: Path, clips: Sequence[Clip]) -> None:
    """Delete the temporary files of workers that were ended mid-clip (Ctrl-C, a dead
    worker): their clips have no ``done.json`` and are redone next time."""
    for clip in clips:
        folder = clip_dir(out, clip.clip_id)
        if folder.is_dir():
            for name in CLIP_OUTPUTS:
                with contextlib.suppress(OSError):
                    remove_stale_temps(folder / name)


class _Tracker:
    """Collects results, rewrites the tables after each clip, reports progress.

    The tables are rewritten after every clip that was analysed; after a skipped one at
    most once a second (a resumed batch of thousands skips fast), and always at the end.
    """

    #: Seconds between table rewrites caused by skipped clips.
    SKIPPED_WRITE_INTERVAL_S = 1.0

    def __init__(self, clips: Sequence[Clip], out_dir: Path, progress: ProgressFn | None):
        self.clips = clips
        self.out_dir = out_dir
        self.progress = progress
        self.results: dict[str, ClipResult] = {}
        self.running: dict[str, float] = {}
        self._written_at = -math.inf

    def rows(self) -> list[Row]:
        """The rows of the clips finished so far, in clip order -> list[Row]."""
        return [self.results[c.clip_id].row for c in self.clips if c.clip_id in self.results]

    def write(self) -> None:
        """Rewrite results.csv and index.html now."""
        write_tables(self.out_dir, self.rows())
        self._written_at = time.monotonic()

    def on_result(self, result: ClipResult) -> None:
        """Record a finished clip.

        Raises:
            ModelError: the clip could not load the model (the engine then stops).
        """
        if result.model_error is not None:
            raise ModelError(result.model_error)
        self.results[result.clip_id] = result
        self.running.pop(result.clip_id, None)
        since = time.monotonic() - self._written_at
        if not result.skipped or since >= self.SKIPPED_WRITE_INTERVAL_S:
            self.write()
        self._report(result)

    def on_fraction(self, clip_id: str, fraction: float) -> None:
        if clip_id not in self.results:
            self.running[clip_id] = fraction
            self._report(None)

    def _report(self, finished: ClipResult | None) -> None:
        if self.progress is not None:
            done = len(self.results) + sum(self.running.values())
            self.progress(BatchProgress(done, len(self.clips), finished))


def _check_options(engine: str, scheduler: str | None, workers: int | None, out: Path) -> None:
    """Raise :class:`BatchUsageError` for options that cannot work, before any work."""
    if engine not in ("local", "dask"):
        raise BatchUsageError(f"unknown engine {engine!r}, expecting 'local' or 'dask'")
    if scheduler and engine != "dask":
        raise BatchUsageError("--scheduler needs --engine dask")
    if workers is not None and workers < 1:
        raise BatchUsageError(f"workers must be >= 1, got {workers}")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{printable(out)}: exists and is not a folder")
    if engine == "dask":
        _import_distributed()  # the extra is missing: say so now


def run_batch(
    inputs: Sequence[str | Path],
    out_dir: Path | str,
    *,
    workers: int | None = None,
    pose: str | None = None,
    write_video: bool = True,
    engine: Engine = "local",
    scheduler: str | None = None,
    progress: ProgressFn | None = None,
    stride: int = 1,
    max_width: int | None = None,
    model: Path | str | None = None,
    landmarks: bool = False,
    correct: bool = False,
    fast: bool = False,
) -> BatchSummary:
    """Analyse every input video into ``out_dir/<clip-id>/``; resumable; prints nothing.

    Args:
        inputs: files, folders (recursive) or glob patterns.
        out_dir: DIR; gets one folder per clip, ``results.csv`` and ``index.html``.
        workers: parallel workers (default: the cores available), at most one per clip.
        pose: None recognises the pose; a name checks that pose.
        write_video: write each clip's ``annotated.mp4``.
        engine: ``local`` (process pool) or ``dask`` (distributed).
        scheduler: a Dask scheduler address; None starts a LocalCluster (dask only).
        progress: called with a :class:`BatchProgress` as clips and frames go by.
        stride, max_width, model, landmarks: as for
            :func:`posecheck.apps.analyze.analyze_video`.
        correct: analyse with the shipped landmark correction (``analyze --correct``).
        fast: track one person frame to frame (``analyze --fast``).

    Returns:
        BatchSummary: the rows (also in ``results.csv``) and how many were skipped.

    Raises:
        BatchUsageError: bad options, missing inputs, Dask missing or unreachable.
        ModelError: the model cannot be loaded (no clip is marked done by it).

    The local engine starts its workers with ``spawn``: a script calling this must guard
    its top level with ``if __name__ == "__main__":``.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    _check_options(engine, scheduler, workers, out)
    settings = batch_settings(
        pose,
        stride,
        max_width,
        write_video,
        Path(model) if model is not None else None,
        landmarks,
        correct,
        fast,
    )
    clips = make_clips(collect_inputs(inputs, exclude=out))
    make_output_dir(out)
    with output_lock(out, "posecheck batch"):
        for table in (RESULTS_CSV, INDEX_HTML):  # left by a batch killed while writing it
            remove_stale_temps(out / table)
        jobs = [Job(clip, str(_absolute(out)), settings) for clip in clips]
        n_workers = max(1, min(workers or default_workers(), len(jobs)))
        tracker = _Tracker(clips, out, progress)
        try:
            if engine == "dask":
                run_dask(jobs, n_workers, scheduler, tracker.on_result)
            else:
                run_local(jobs, n_workers, tracker.on_result, tracker.on_fraction)
        finally:  # also on Ctrl-C: the table lists every clip finished
            _remove_worker_temps(out, clips)
            tracker.write()
    skipped = sum(r.skipped for r in tracker.results.values())
    return BatchSummary(out, tuple(tracker.rows()), skipped, time.perf_counter() - started)
