"""Context-manager plumbing shared by the objects that hold a file, a thread or a model.

``with X(...) as x:`` returns ``x`` and closes it on the way out; objects that write a
file either commit it (no exception) or abort it (an exception left the block).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class ClosesOnExit:
    """``__enter__`` returns the object, ``__exit__`` calls :meth:`close`."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CommitsOnExit(ClosesOnExit):
    """As :class:`ClosesOnExit`, but an exception leaving the block calls :meth:`abort`
    instead (nothing half-written is kept)."""

    def abort(self) -> None:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
