"""The still that shows who is who for ``analyze --person N``: a small copy of the frame
where the people were numbered, with each number drawn at the person's mid-hip.

Pure functions over images and plain numbers; no I/O, no MediaPipe. Coordinates are
pixels, x to the right, y downwards, origin at the top-left corner of the image named.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from posecheck.outputs import fonts
from posecheck.report import PeopleSeen

Image = NDArray[np.uint8]
Point = tuple[float, float]

#: The still is at most this wide (pixels); narrower frames keep their size.
STILL_WIDTH_PX = 640
_FOLLOWED_BGR = (40, 150, 40)  # green disc: the person followed
_OTHER_BGR = (70, 70, 70)  # dark grey disc: everybody else
_WHITE = (255, 255, 255)
_BLACK = (0, 0, 0)


def shrink_for_still(image_bgr: Image, max_width_px: int = STILL_WIDTH_PX) -> Image:
    """A copy of ``image_bgr`` (``(H, W, 3)`` uint8 BGR) at most ``max_width_px`` wide,
    aspect kept (never the same array: the caller's frame may be drawn on later)."""
    height, width = image_bgr.shape[:2]
    if width <= max_width_px:
        return np.array(image_bgr, dtype=np.uint8, copy=True)
    size = (max_width_px, max(1, round(height * max_width_px / width)))
    return np.asarray(cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def draw_numbers(still_bgr: Image, hips_px: Sequence[Point], followed: int | None) -> Image:
    """A copy of ``still_bgr`` with a numbered disc (1, 2, ... in the order given, i.e.
    left to right) at each mid-hip of ``hips_px`` (pixels of ``still_bgr``); the disc of
    number ``followed`` is green, ringed and labelled "followed", the others grey.

    Discs are kept inside the picture, so a hip just out of frame still gets its number.
    """
    out = np.array(still_bgr, dtype=np.uint8, copy=True)
    height, width = out.shape[:2]
    radius = max(11, round(0.05 * min(height, width)))
    digit_px = round(1.15 * radius)
    label_px = max(12, round(0.75 * radius))
    for number, (x, y) in enumerate(hips_px, start=1):
        cx = int(np.clip(round(x), radius + 2, max(radius + 2, width - radius - 3)))
        cy = int(np.clip(round(y), radius + 2, max(radius + 2, height - radius - 3)))
        is_followed = number == followed
        fill = _FOLLOWED_BGR if is_followed else _OTHER_BGR
        if is_followed:
            cv2.circle(out, (cx, cy), radius + 4, _WHITE, -1, cv2.LINE_AA)
            cv2.circle(out, (cx, cy), radius + 4, fill, 2, cv2.LINE_AA)
        cv2.circle(out, (cx, cy), radius, fill, -1, cv2.LINE_AA)
        cv2.circle(out, (cx, cy), radius, _WHITE, 2, cv2.LINE_AA)
        _centred_text(out, str(number), (cx, cy), digit_px)
        if is_followed:
            label_y = cy + radius + 6 + fonts.line_metrics(label_px, True)[0]
            if label_y > height - 2:  # no room below: above the disc
                label_y = cy - radius - 8
            _centred_text(out, "followed", (cx, label_y), label_px, baseline=True)
    return out


def _centred_text(
    image: Image, text: str, at: tuple[int, int], px: int, baseline: bool = False
) -> None:
    """White bold ``text`` with a dark outline, centred on ``at`` horizontally and, unless
    ``baseline`` (then ``at`` is on the baseline), vertically by its capital height."""
    text_w = fonts.text_width(text, px, True)
    above, _ = fonts.line_metrics(px, True)
    # Digits are about as tall as capitals: ~0.73 of the "Hg" ascent in DejaVu Sans Bold.
    y = at[1] if baseline else at[1] + round(0.36 * above)
    x = min(max(0, at[0] - text_w // 2), max(0, image.shape[1] - text_w))
    fonts.draw_text(image, text, (x, y), px, _WHITE, outline=_BLACK, bold=True)


def people_seen(
    hips_frame_px: Sequence[Point],
    followed: int | None,
    time_s: float,
    still_bgr: Image,
    frame_wh: tuple[int, int],
    video_wh: tuple[int, int],
) -> PeopleSeen:
    """The report's :class:`PeopleSeen` for the people numbered in one frame.

    Args:
        hips_frame_px: mid-hips ``(x, y)`` left to right, in pixels of the analysed
            frame (``frame_wh``, which ``--max-width`` may have shrunk).
        followed: the number (1 = leftmost) of the person followed, or None.
        time_s: the frame's time in seconds.
        still_bgr: the frame at most :data:`STILL_WIDTH_PX` wide (:func:`shrink_for_still`).
        frame_wh: ``(width, height)`` of the analysed frame, pixels.
        video_wh: ``(width, height)`` of the upright video, pixels (the report's
            ``hips_px`` are in these).
    """
    hips = np.asarray(hips_frame_px, dtype=np.float64).reshape(-1, 2)
    frame = np.asarray(frame_wh, dtype=np.float64)
    to_video = np.asarray(video_wh, dtype=np.float64) / frame
    to_still = np.asarray(still_bgr.shape[1::-1], dtype=np.float64) / frame
    drawn = draw_numbers(still_bgr, [(float(x), float(y)) for x, y in hips * to_still], followed)
    ok, jpeg = cv2.imencode(".jpg", drawn, [cv2.IMWRITE_JPEG_QUALITY, 82])
    return PeopleSeen(
        count=len(hips),
        followed=followed,
        first_seen_s=float(time_s),
        hips_px=tuple((float(x), float(y)) for x, y in hips * to_video),
        still_jpeg=jpeg.tobytes() if ok else None,
    )
