"""Weight matrices as heat maps, one shading for the static charts (PNG images
inside the SVG) and the training scrubber (which draws the same codes with a
canvas, site_src/static/scrubber.js).

A weight ``w`` of a matrix whose largest magnitude is ``m`` becomes one of 15
codes, ``round(7 * w / m)``: blue below zero, orange above, the shade in
proportion to ``|w|``, so that the strongest connections stand out. Fifteen
shades are about what the eye tells apart in a heat map, so four bits per weight
(the format of the scrubber's data) lose nothing a reader could see.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from .style import BLUE, ORANGE

LEVELS = 7      # shades on each side of zero: the codes run from -7 to 7


def shade_codes(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """The matrix's codes (int8, -LEVELS..LEVELS) and its largest magnitude."""
    w = np.asarray(matrix, dtype=np.float64)
    largest = float(np.abs(w).max()) if w.size else 0.0
    if largest == 0.0 or not np.isfinite(largest):
        return np.zeros(w.shape, np.int8), 0.0
    codes = np.rint(LEVELS * w / largest)
    return codes.astype(np.int8), largest


def shade(code: int) -> tuple[int, int, int, int]:
    """The RGBA colour of one code: its hue by sign, its opacity by size."""
    hue = BLUE if code < 0 else ORANGE
    r, g, b = (int(hue[k:k + 2], 16) for k in (1, 3, 5))
    return r, g, b, round(255 * abs(code) / LEVELS)


def png_data_url(codes: np.ndarray) -> str:
    """The codes as a palette PNG, one pixel per weight, as a data: URL. The
    page scales it up without smoothing, so each weight stays a sharp cell."""
    rows, cols = codes.shape
    image = Image.frombytes("P", (cols, rows), (codes.astype(np.int16) + LEVELS)
                            .astype(np.uint8).tobytes())
    palette = [channel for code in range(-LEVELS, LEVELS + 1) for channel in shade(code)]
    image.putpalette(palette, rawmode="RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
