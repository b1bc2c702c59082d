"""Reading photos: hostile files get one-line errors before any decoding or blocking."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.errors import InputError
from posecheck.io.images import MAX_IMAGE_PIXELS, image_size, load_image
from tests.conftest import SAMPLES

PHOTO = SAMPLES / "squat_front_standing.jpg"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"photo\.jpg: is a named pipe \(FIFO\)"):
        load_image(fifo)


def test_a_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    side = 40_000
    assert side * side > MAX_IMAGE_PIXELS
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")
    path = tmp_path / "huge.png"
    path.write_bytes(data)
    assert image_size(data) == (side, side)
    with pytest.raises(InputError, match="40000x40000 is too large"):
        load_image(path)


def test_jpeg_size_is_read_from_the_header() -> None:
    data = PHOTO.read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image_size(data) == (image.shape[1], image.shape[0])


def test_a_motion_photo_with_trailing_bytes_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "motion.jpg"
    path.write_bytes(PHOTO.read_bytes() + b"\x00\x00\x00\x18ftypmp42" + os.urandom(200_000))
    assert np.array_equal(load_image(path), load_image(PHOTO))


def test_a_cut_jpeg_is_refused_even_with_a_thumbnail_before_its_scan(tmp_path: Path) -> None:
    # An EXIF thumbnail is a whole small JPEG (with its own end marker) inside APP1, before
    # the main picture's scan: cutting the main picture must still be noticed.
    thumb = cv2.imencode(".jpg", np.full((8, 8, 3), 128, np.uint8))[1].tobytes()
    app1 = b"\xff\xe1" + struct.pack(">H", len(thumb) + 8) + b"Exif\x00\x00" + thumb
    data = PHOTO.read_bytes()
    whole = data[:2] + app1 + data[2:]
    (tmp_path / "whole.jpg").write_bytes(whole)
    assert load_image(tmp_path / "whole.jpg").shape == load_image(PHOTO).shape
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="truncated JPEG"):
        load_image(cut)
