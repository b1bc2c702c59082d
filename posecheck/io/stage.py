"""Background threads, done one way: a bounded hand-over, a prompt stop, errors that
reach the caller, and no thread left behind.

Every thread posecheck starts is one of these:

* :class:`Worker` - the bare thread: runs ``target(stopping)`` once, keeps the exception
  it raised (if any) in ``error``; :meth:`Worker.stop` sets ``stopping`` and joins.
* :class:`Stage` - a *consumer*: ``work(item)`` for each item :meth:`Stage.put`, in order,
  in its own thread (analyze's post-processing, the video encoder, the speaker). The
  queue is bounded, so memory stays flat. An exception in ``work`` ends the thread and
  is raised again in the caller by the next :meth:`Stage.put` / :meth:`Stage.offer` or by
  :meth:`Stage.close`.
* :class:`Producer` - a *source*: iterates ``produce(stopping)`` in its own thread into a
  bounded queue that the caller iterates or polls with :meth:`Producer.get` (video
  prefetch, live inference). An exception in ``produce`` is raised in the caller after
  the items produced before it.
* :class:`Latest` - a one-item slot where the newest item wins (camera frames: an
  unseen frame overwritten is counted as dropped).

Stopping is prompt: every blocking wait polls ``stopping`` every :data:`POLL_S` seconds.
All threads are daemons, but none is left running: ``with`` blocks (or ``close``/``stop``)
join them, also when the caller leaves by an exception.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from posecheck.io.closing import ClosesOnExit, CommitsOnExit

T = TypeVar("T")

#: How often blocked hand-overs look at the stop flag (seconds).
POLL_S = 0.05


class Ended(Exception):
    """Raised by :meth:`Producer.get` once the producer has no more items."""


class Worker:
    """One background thread running ``target(stopping)`` once.

    ``stopping`` is a :class:`threading.Event` the target should watch (and pass to
    any wait) so that :meth:`stop` is prompt. An exception leaving ``target`` is kept in
    :attr:`error` (see :meth:`raise_error`).

    Args:
        target: the thread's body; gets the stop flag.
        name: the thread's name (shown in tracebacks and debuggers).
    """

    def __init__(self, target: Callable[[threading.Event], None], name: str) -> None:
        self._target = target
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    @property
    def name(self) -> str:
        return self._thread.name

    @property
    def started(self) -> bool:
        return self._started

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        if not self._started:
            self._started = True
            self._thread.start()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread to end (at most ``timeout_s``); True if it has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def stop(self, timeout_s: float | None = None) -> bool:
        """Set the stop flag and wait for the thread (at most ``timeout_s``); True if it
        has ended. Safe to call twice, or before :meth:`start`."""
        self.stopping.set()
        return self.join(timeout_s)

    def raise_error(self) -> None:
        """Raise the exception that ended the thread, if any."""
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            self._target(self.stopping)
        except BaseException as exc:  # handed to the caller by raise_error()
            self.error = exc


_END = object()


class Stage(CommitsOnExit, Generic[T]):
    """Runs ``work(item)`` for each item put, in order, in one background thread.

    Use as a context manager (or :meth:`start`, then :meth:`close` or :meth:`abort`):
    leaving the block normally waits until every queued item is done and raises the
    stage's error if ``work`` failed; leaving it by an exception drops what is queued and
    stops the thread after the current item.

    Args:
        work: called in the thread for each item.
        name: the thread's name.
        size: at most this many items wait; :meth:`put` blocks while the queue is full.
    """

    def __init__(self, work: Callable[[T], None], *, name: str, size: int = 8) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self._work = work
        self._queue: queue.Queue[object] = queue.Queue(maxsize=size)
        self._worker = Worker(self._run, name)
        self._closed = False

    def start(self) -> Self:
        self._worker.start()
        return self

    def __enter__(self) -> Self:
        return self.start()

    @property
    def error(self) -> BaseException | None:
        """The exception that ended the thread, if any."""
        return self._worker.error

    def raise_error(self) -> None:
        """Raise the exception ``work`` failed with, if it did."""
        self._worker.raise_error()

    def put(self, item: T) -> None:
        """Queue ``item``, waiting while the queue is full.

        Raises:
            the stage's error, if ``work`` failed on an earlier item.
            ValueError: the stage was closed.
        """
        self._worker.raise_error()
        if self._closed:
            raise ValueError(f"{self._worker.name}: stage is closed")
        while True:
            try:
                self._queue.put(item, timeout=POLL_S)
                return
            except queue.Full:
                self._worker.raise_error()
                if not self._worker.alive:
                    raise ValueError(f"{self._worker.name}: stage has stopped") from None

    def offer(self, item: T) -> bool:
        """Queue ``item`` if there is room now; False (dropped) if the queue is full or
        the stage is closed. Raises the stage's error like :meth:`put`."""
        self._worker.raise_error()
        if self._closed:
            return False
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            return False
        return True

    def close(self) -> None:
        """Finish every queued item, wait for the thread, and raise its error if
        ``work`` failed. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._hand_over_end()
        self._worker.join()
        self._worker.raise_error()

    def cancel(self) -> None:
        """Drop what is queued and tell the thread to stop after the current item,
        without waiting (see :meth:`join`)."""
        self._closed = True
        self._worker.stopping.set()
        self._drain()
        self._hand_over_end()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread (at most ``timeout_s``); True if it has ended."""
        return self._worker.join(timeout_s)

    def abort(self) -> None:
        """:meth:`cancel`, then wait for the thread. Does not raise the stage's error."""
        self.cancel()
        self._worker.join()

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _hand_over_end(self) -> None:
        while self._worker.alive:
            try:
                self._queue.put(_END, timeout=POLL_S)
                return
            except queue.Full:
                if self._worker.stopping.is_set():
                    self._drain()

    def _run(self, stopping: threading.Event) -> None:
        while True:
            item = self._queue.get()
            if item is _END or stopping.is_set():
                return
            self._work(item)  # type: ignore[arg-type]  # only T or _END is ever queued


@dataclass(frozen=True)
class _Failure:
    exc: BaseException


class Producer(ClosesOnExit, Generic[T]):
    """Iterates ``produce(stopping)`` in one background thread; the items wait in a
    bounded queue for the caller, who iterates the producer or polls :meth:`get`.

    The thread starts at :meth:`start` or at the first item asked for. ``produce``
    should watch ``stopping`` wherever it waits, so that :meth:`close` is prompt. An
    exception in ``produce`` is raised in the caller once the items before it were taken.

    Use as a context manager, or :meth:`close` it: that stops and joins the thread, also
    when the caller stops early.

    Args:
        produce: returns the items (typically a generator); gets the stop flag.
        name: the thread's name.
        size: at most this many items wait; the thread blocks while the queue is full.
    """

    def __init__(
        self,
        produce: Callable[[threading.Event], Iterable[T]],
        *,
        name: str,
        size: int = 6,
    ) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self._produce = produce
        self._queue: queue.Queue[object] = queue.Queue(maxsize=size)
        self._worker = Worker(self._run, name)
        self._ended = False

    def start(self) -> Self:
        self._worker.start()
        return self

    @property
    def ended(self) -> bool:
        """True once the caller has seen the end (or an error), or after :meth:`close`."""
        return self._ended

    def close(self) -> None:
        """Stop the thread and wait for it. Later calls to :meth:`get` raise
        :class:`Ended`. Safe to call twice."""
        self._ended = True
        self._worker.stop()

    def get(self, timeout_s: float | None = None) -> T:
        """The next item, waiting at most ``timeout_s`` (None: as long as it takes).

        Raises:
            queue.Empty: nothing came within ``timeout_s``.
            Ended: there are no more items.
            the exception raised by ``produce``, once.
        """
        if self._ended:
            raise Ended
        self._worker.start()
        item = self._queue.get(timeout=timeout_s)
        if item is _END or isinstance(item, _Failure):
            self._ended = True
            self._worker.join()
            if isinstance(item, _Failure):
                raise item.exc
            raise Ended
        return item  # type: ignore[return-value]  # only T, _END or _Failure is queued

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        try:
            return self.get()
        except Ended:
            raise StopIteration from None

    def _put(self, item: object, stopping: threading.Event) -> bool:
        while not stopping.is_set():
            try:
                self._queue.put(item, timeout=POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, stopping: threading.Event) -> None:
        try:
            for item in self._produce(stopping):
                if not self._put(item, stopping):
                    return
        except BaseException as exc:  # handed to the caller by get()
            self._put(_Failure(exc), stopping)
            return
        self._put(_END, stopping)


class Latest(Generic[T]):
    """A one-item slot between two threads where the newest item wins.

    :meth:`put` over an item nobody took replaces it and counts it in ``dropped``.
    :meth:`take` waits for an item; after :meth:`close` it returns the last one, then
    None.

    Attributes:
        published: items put so far.
        dropped: items replaced before anyone took them.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._closed = False
        self.dropped = 0
        self.published = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, item: T) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.published += 1
            self._cond.notify()

    def take(self, timeout_s: float) -> T | None:
        """The newest unseen item, waiting up to ``timeout_s``; None if none came."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None or self._closed, timeout_s)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
