"""TrueType text for the overlay, drawn with Pillow into OpenCV (BGR numpy) frames.

OpenCV's Hershey fonts have no glyphs outside ASCII ("°", "é") and odd spacing around
brackets; this build of OpenCV has no ``cv2.freetype``. Pillow (a dependency of
matplotlib, which mediapipe brings) rasterises TrueType text instead.

The font is **DejaVu Sans** (regular and bold) from matplotlib's own data directory,
``<matplotlib package>/mpl-data/fonts/ttf/`` (what ``matplotlib.get_data_path()`` returns),
found with :func:`importlib.util.find_spec` so that matplotlib itself (~0.7 s) is never
imported. DejaVu's licence is in the same directory (``LICENSE_DEJAVU``). Without
matplotlib, Pillow's built-in default font is used (it needs Pillow >= 10.1 with FreeType).

Rasterising text is slow (~1 ms a line), so each rendered string is cached, keyed by text,
size, weight and colours, as a ready-to-blend layer: drawing a cached string is one
``cv2.blendLinear`` over its bounding box (~20 µs, about as fast as ``cv2.putText``).
Widths are cached too. Coordinates are pixels, x right, y down; text is placed by the
left end of its **baseline**.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "FONT_FILES",
    "clear_cache",
    "draw_text",
    "font_path",
    "line_metrics",
    "stroke_px",
    "text_width",
]

Color = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

#: DejaVu Sans files in matplotlib's ``mpl-data/fonts/ttf``, by boldness.
FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}

#: Rendered strings kept, by total size of their arrays in bytes.
_CACHE_BYTES = 48 * 1024 * 1024


def font_path(bold: bool = False) -> Path | None:
    """The DejaVu Sans file shipped with matplotlib, or ``None`` when it is not there."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / FONT_FILES[bold]
    return path if path.is_file() else None


@lru_cache(maxsize=64)
def _font(px: int, bold: bool) -> Font:
    path = font_path(bold)
    if path is None:
        return ImageFont.load_default(px)
    # BASIC layout: no text shaping needed for Latin text, and 2x faster than Raqm.
    return ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.BASIC)


#: FreeType faces and the layer cache are shared: one thread at a time uses them.
_lock = threading.RLock()


@lru_cache(maxsize=8192)
def text_width(text: str, px: int, bold: bool = False) -> int:
    """Advance width of ``text`` in pixels at a font size of ``px`` pixels."""
    with _lock:
        return math.ceil(_font(px, bold).getlength(text))


@lru_cache(maxsize=64)
def line_metrics(px: int, bold: bool = False) -> tuple[int, int]:
    """``(height above the baseline, depth below it)`` in pixels of a line of text: the
    extent of "Hg" (a capital and a descender), to lay lines out by."""
    with _lock:
        _, top, _, bottom = _font(px, bold).getbbox("Hg", anchor="ls")
    return int(-top), int(bottom)


def stroke_px(px: int) -> int:
    """The width of the dark outline around text of size ``px``: 1 px up to ~24 px."""
    return max(1, round(px / 16))


@dataclass(frozen=True)
class _Layer:
    """A rendered string: ``frame = frame * keep + color * alpha`` over its box, whose
    top-left corner is ``offset`` pixels from the baseline origin."""

    offset: tuple[int, int]
    color: NDArray[np.uint8]  # (h, w, 3)
    alpha: NDArray[np.float32]  # (h, w)
    keep: NDArray[np.float32]  # (h, w), 1 - alpha

    @property
    def nbytes(self) -> int:
        return self.color.nbytes + self.alpha.nbytes + self.keep.nbytes


_layers: OrderedDict[tuple[str, int, bool, Color, Color | None, int], _Layer] = OrderedDict()
_layer_bytes = 0


def _render(
    text: str, px: int, bold: bool, color: Color, outline: Color | None, stroke: int
) -> _Layer:
    """Rasterise ``text``: fill in ``color`` over an ``outline`` of ``stroke`` px. The
    outline is the glyphs' mask dilated by a disc (FreeType's own stroker is 3x slower)."""
    font = _font(px, bold)
    stroke = stroke if outline is not None else 0
    left, top, right, bottom = (int(v) for v in font.getbbox(text, anchor="ls"))
    left, top = left - stroke, top - stroke
    size = (max(1, right + stroke - left), max(1, bottom + stroke - top))
    canvas = Image.new("L", size, 0)
    ImageDraw.Draw(canvas).text((-left, -top), text, fill=255, font=font, anchor="ls")
    fill = np.asarray(canvas, dtype=np.float32) / np.float32(255.0)
    fill_c = np.asarray(color, dtype=np.float32)
    alpha: NDArray[np.float32]
    rgb: NDArray[np.float32]
    if stroke > 0 and outline is not None:
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * stroke + 1, 2 * stroke + 1))
        edge = np.asarray(cv2.dilate(fill, disc), dtype=np.float32)
        alpha = (1.0 - (1.0 - edge) * (1.0 - fill)).astype(np.float32)
        edge_only = (edge * (1.0 - fill))[..., None]
        premul = edge_only * np.asarray(outline, dtype=np.float32) + fill[..., None] * fill_c
        rgb = (premul / np.maximum(alpha, 1e-6)[..., None]).astype(np.float32)
    else:
        alpha = fill
        rgb = np.broadcast_to(fill_c, (*fill.shape, 3))
    alpha32 = np.ascontiguousarray(alpha, dtype=np.float32)
    return _Layer(
        offset=(left, top),
        color=np.ascontiguousarray(np.clip(np.round(rgb), 0, 255), dtype=np.uint8),
        alpha=alpha32,
        keep=np.ascontiguousarray(1.0 - alpha32, dtype=np.float32),
    )


def clear_cache() -> None:
    """Forget every rendered string and measured width (for tests and benchmarks)."""
    global _layer_bytes
    with _lock:
        _layers.clear()
        _layer_bytes = 0
        text_width.cache_clear()


def _layer(
    text: str, px: int, bold: bool, color: Color, outline: Color | None, stroke: int
) -> _Layer:
    global _layer_bytes
    key = (text, px, bold, color, outline, stroke)
    with _lock:
        layer = _layers.get(key)
        if layer is not None:
            _layers.move_to_end(key)
            return layer
        layer = _render(text, px, bold, color, outline, stroke)
        _layers[key] = layer
        _layer_bytes += layer.nbytes
        while _layer_bytes > _CACHE_BYTES and len(_layers) > 1:
            _, old = _layers.popitem(last=False)
            _layer_bytes -= old.nbytes
        return layer


def draw_text(
    img: NDArray[np.uint8],
    text: str,
    org: tuple[int, int],
    px: int,
    color: Color,
    outline: Color | None = None,
    bold: bool = False,
    stroke: int | None = None,
) -> None:
    """Draw ``text`` into the BGR ``img`` in place, its baseline starting at ``org``
    (pixels), ``px`` pixels high (font size), in ``color`` with an ``outline`` of
    ``stroke`` px (default :func:`stroke_px`) when ``outline`` is given. Clipped to the
    image."""
    if not text or px < 1:
        return
    layer = _layer(text, px, bold, color, outline, stroke_px(px) if stroke is None else stroke)
    h, w = img.shape[:2]
    lh, lw = layer.alpha.shape
    x0, y0 = org[0] + layer.offset[0], org[1] + layer.offset[1]
    cx0, cy0 = max(0, -x0), max(0, -y0)
    cx1, cy1 = min(lw, w - x0), min(lh, h - y0)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    roi = img[y0 + cy0 : y0 + cy1, x0 + cx0 : x0 + cx1]
    img[y0 + cy0 : y0 + cy1, x0 + cx0 : x0 + cx1] = cv2.blendLinear(
        roi,
        layer.color[cy0:cy1, cx0:cx1],
        layer.keep[cy0:cy1, cx0:cx1],
        layer.alpha[cy0:cy1, cx0:cx1],
    )
