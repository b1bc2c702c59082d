"""The words every stage shares, defined once: severity and its order, body side, camera
view, why a video's report may be partial, and the shape of a JSON value.

Nothing here imports another posecheck module, so any module may import this one without
a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Literal, TypeAlias

#: A side of the body, named by the person (their left), never by the screen: a mirrored
#: picture does not swap it.
Side: TypeAlias = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


def other_side(side: Side) -> Side:
    """``left`` -> ``right`` and back."""
    return "right" if side == "left" else "left"


class View(StrEnum):
    """Where the camera sees the body from, estimated from the landmarks.

    ``front`` includes a view of the back (the frontal plane faces the camera either
    way); ``oblique`` is between front and side; ``unknown`` when it cannot be told.
    """

    FRONT = "front"
    OBLIQUE = "oblique"
    SIDE = "side"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """How much a cue matters, in increasing order. ``ok`` marks a check that passed.

    Compare severities by :attr:`rank` (``Severity.WARN.rank < Severity.FAULT.rank``),
    never by their string values.
    """

    OK = "ok"
    INFO = "info"
    WARN = "warn"
    FAULT = "fault"

    @property
    def rank(self) -> int:
        """0 for ``ok`` up to 3 for ``fault``."""
        return SEVERITY_ORDER.index(self)

    @staticmethod
    def worst(severities: Iterable[Severity]) -> Severity | None:
        """The highest-ranked of ``severities``; None when there are none."""
        return max(severities, key=lambda s: s.rank, default=None)

    def capped(self, cap: Severity) -> Severity:
        """This severity, or ``cap`` if this one ranks above it."""
        return self if self.rank <= cap.rank else cap


#: Severities from least to most serious: the one declaration of their order.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.OK, Severity.INFO, Severity.WARN, Severity.FAULT)


class PartialReason(StrEnum):
    """Why a video's report covers only part of it (``report.json``'s ``partial_reason``)."""

    DECODE_STOPPED = "decode_stopped"  # the file is truncated or corrupt part-way
    INTERRUPTED = "interrupted"  # the user or a signal stopped the run


#: A value ``json.dumps`` writes, as the ``to_dict`` methods return it. The containers are
#: the read-only kinds so that e.g. a ``list[float]`` is one.
JSONValue: TypeAlias = (
    Mapping[str, "JSONValue"] | Sequence["JSONValue"] | str | int | float | bool | None
)
#: A JSON object: what a ``to_dict`` method returns.
JSONObject: TypeAlias = dict[str, JSONValue]
