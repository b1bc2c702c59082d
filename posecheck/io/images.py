"""Reading images from disk (OpenCV), with one-line errors that name the file.

Frame sources are one of the few places allowed to touch OpenCV (with the renderer and
the sinks).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.errors import InputError
from posecheck.io.atomic import write_bytes
from posecheck.io.paths import file_kind, make_output_dir

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = b"\xff\xd9"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = b"IEND\xaeB`\x82"


#: Images with more pixels than this are refused before decoding: decoding takes ~16 bytes
#: a pixel at peak (a 96-megapixel photo used 1.6 GB), and MediaPipe sees every picture at
#: 256 px anyway. 100 megapixels admits every phone camera of today.
MAX_IMAGE_PIXELS = 100_000_000
#: Files larger than this are refused before reading (a 100-megapixel PNG is ~60-300 MB).
MAX_IMAGE_BYTES = 512 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or :class:`InputError` for a missing path, folder, FIFO, device,
    unreadable, oversized or empty file. Never blocks on a FIFO: its type is checked
    before it is opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, expected an image file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: is {file_kind(info.st_mode)}, expected an image file")
    if info.st_size > MAX_IMAGE_BYTES:
        raise InputError(
            f"{path}: {info.st_size / 2**20:.0f} MB is too large for an image "
            f"(limit {MAX_IMAGE_BYTES // 2**20} MB)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not data:
        raise InputError(f"{path}: empty file (0 bytes)")
    return data


def _jpeg_scan_start(data: bytes) -> int | None:
    """Offset of the first start-of-scan segment of a JPEG, walking the marker segments
    (so an EXIF thumbnail inside APP1 is skipped); None when the header is cut short."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan
            return pos
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a JPEG's start-of-frame segment, or None."""
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        if marker == 0xDA:
            return None
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` read from a JPEG or PNG header without decoding; None for
    other formats or a header that cannot be read."""
    if data.startswith(_PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(_JPEG_SOI):
        return jpeg_size(data)
    return None


def check_complete(path: Path, data: bytes) -> None:
    """Raise :class:`InputError` for a JPEG or PNG whose end is missing.

    OpenCV decodes a truncated JPEG without error (libjpeg fills the rest with grey and
    warns on stderr), so truncation is detected from the end-of-image marker instead: it
    must follow the first scan (an EXIF thumbnail's own marker, before the scan, does not
    count). Bytes after it are allowed: phone "motion photos" append a video there.
    """
    if data.startswith(_JPEG_SOI):
        scan = _jpeg_scan_start(data)
        if scan is None or data.find(_JPEG_EOI, scan) < 0:
            raise InputError(f"{path}: truncated JPEG (no end-of-image marker)")
    if data.startswith(_PNG_SIGNATURE) and _PNG_IEND not in data[-(1 << 16) :]:
        raise InputError(f"{path}: truncated PNG (no IEND chunk)")


def load_image(path: Path | str) -> NDArray[np.uint8]:
    """Decode an image file to ``(H, W, 3)`` uint8 BGR, upright per its EXIF orientation.

    Raises:
        InputError: with a one-line message naming ``path``.
    """
    path = Path(path)
    data = read_bytes(path)
    check_complete(path, data)
    size = image_size(data)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise InputError(
            f"{path}: {size[0]}x{size[1]} is too large "
            f"(limit {MAX_IMAGE_PIXELS // 1_000_000} megapixels); shrink it first"
        )
    buf = np.frombuffer(data, dtype=np.uint8)
    try:
        image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    except cv2.error as exc:  # e.g. OpenCV's own pixel limit for formats read above
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "decoder error"
        raise InputError(f"{path}: cannot decode ({first[:120]})") from None
    if image is None:
        raise InputError(f"{path}: not an image OpenCV can decode")
    if image.shape[0] * image.shape[1] > MAX_IMAGE_PIXELS:
        raise InputError(
            f"{path}: {image.shape[1]}x{image.shape[0]} is too large "
            f"(limit {MAX_IMAGE_PIXELS // 1_000_000} megapixels); shrink it first"
        )
    return np.asarray(image, dtype=np.uint8)


def save_image(path: Path, image_bgr: NDArray[np.uint8]) -> None:
    """Write ``image_bgr`` to ``path``, encoded by its suffix (JPEG when it has none),
    atomically through :func:`posecheck.io.atomic.write_bytes`; creates the folder."""
    make_output_dir(path.parent)
    suffix = path.suffix.lower() or ".jpg"
    ok, encoded = cv2.imencode(suffix, image_bgr)
    if not ok:
        raise InputError(f"{path}: cannot encode an image with suffix {suffix!r}")
    write_bytes(path, encoded.tobytes())
