"""Reading images from disk (OpenCV), with one-line errors that name the file.

Frame sources are one of the few places allowed to touch OpenCV (with the renderer and
the sinks).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.errors import InputError
from posecheck.io.atomic import write_bytes

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = b"\xff\xd9"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = b"IEND\xaeB`\x82"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or :class:`InputError` for a missing path, folder or empty file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected an image file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    if not data:
        raise InputError(f"{path}: empty file (0 bytes)")
    return data


def check_complete(path: Path, data: bytes) -> None:
    """Raise :class:`InputError` for a JPEG or PNG whose end is missing.

    OpenCV decodes a truncated JPEG without error (libjpeg fills the rest with grey and
    warns on stderr), so truncation is detected from the end-of-image markers instead.
    """
    if data.startswith(_JPEG_SOI) and _JPEG_EOI not in data[-1024:]:
        raise InputError(f"{path}: truncated JPEG (no end-of-image marker)")
    if data.startswith(_PNG_SIGNATURE) and not data.rstrip(b"\0").endswith(_PNG_IEND):
        raise InputError(f"{path}: truncated PNG (no IEND chunk)")


def load_image(path: Path | str) -> NDArray[np.uint8]:
    """Decode an image file to ``(H, W, 3)`` uint8 BGR, upright per its EXIF orientation.

    Raises:
        InputError: with a one-line message naming ``path``.
    """
    path = Path(path)
    data = read_bytes(path)
    check_complete(path, data)
    buf = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"{path}: not an image OpenCV can decode")
    return np.asarray(image, dtype=np.uint8)


def save_image(path: Path, image_bgr: NDArray[np.uint8]) -> None:
    """Write ``image_bgr`` to ``path``, encoded by its suffix (JPEG when it has none),
    atomically through :func:`posecheck.io.atomic.write_bytes`; creates the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower() or ".jpg"
    ok, encoded = cv2.imencode(suffix, image_bgr)
    if not ok:
        raise InputError(f"{path}: cannot encode an image with suffix {suffix!r}")
    write_bytes(path, encoded.tobytes())
