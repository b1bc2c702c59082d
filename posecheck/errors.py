"""posecheck's exceptions. Each carries a one-line message that names the file at fault,
so the CLI can print it as is (no traceback)."""

from __future__ import annotations


class PosecheckError(Exception):
    """Base class: a problem with the user's input, with a one-line message."""


class ModelError(PosecheckError):
    """The pose model file is missing, not a model, or cannot be loaded."""


class InputError(PosecheckError):
    """An input file is missing, empty, truncated or not an image/video we can read."""


class OutputError(PosecheckError, OSError):
    """An output cannot be written: the folder is a file or read-only, the disk is full,
    a name is too long. The message names the path and the problem."""


class BusyError(PosecheckError):
    """The output folder is in use by another posecheck run (the message names it)."""
