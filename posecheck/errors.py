"""posecheck's exceptions. Each carries a one-line message that names the file at fault,
so the CLI can print it as is (no traceback)."""

from __future__ import annotations


class PosecheckError(Exception):
    """Base class: a problem with the user's input, with a one-line message."""


class ModelError(PosecheckError):
    """The pose model file is missing, not a model, or cannot be loaded."""


class InputError(PosecheckError):
    """An input file is missing, empty, truncated or not an image/video we can read."""
