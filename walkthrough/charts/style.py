"""The helpers every chart shares: small data, axes, series styles, the space
glyph, the eigenvalue test and the colours that a spec has to name itself.

Everything else about how a chart looks (fonts, axis colours, the series
palette) comes from site_src/chart-theme.json, applied when the spec is drawn.
"""
from __future__ import annotations

import json
import math

import numpy as np

# The first two colours of the theme's category range (site_src/chart-theme.json)
# and of charts.css's --chart-blue / --chart-orange, for the marks that must name a
# colour: the two sides of a diverging heat map, eigenvalues inside and outside
# the unit circle. tests/test_engine_charts.py checks that the three agree.
BLUE = "#4a7fd4"
ORANGE = "#e0803a"

SPACE = "\u2423"      # ␣: how every chart and panel shows the space character
NBSP = "\u00a0"       # a space that SVG text does not collapse, for text shown verbatim

# An eigenvalue counts as outside the unit circle only when its modulus exceeds
# 1 by more than this. The orthogonal W_hh of step 1 has every modulus equal to 1
# up to float32 rounding (about 1e-6, 5e-5 once rounded for the page); without a
# margin half of them would be called "outside". Shown to 3 decimals, a modulus
# beyond the margin never reads as 1.000.
UNIT_MARGIN = 1e-3


# ---------------------------------------------------------------------------
# Numbers and rows

def significant(value, digits: int = 4) -> float | None:
    """A float to ``digits`` significant digits; NaN and infinity as None."""
    value = float(value)
    return float(f"{value:.{digits}g}") if math.isfinite(value) else None


def rows(**columns) -> list[dict]:
    """Columns of equal length as a list of records, floats to 4 significant digits."""
    names = list(columns)
    arrays = [np.asarray(columns[n]).tolist() for n in names]
    return [{n: significant(v) if isinstance(v, float) else v
             for n, v in zip(names, values, strict=True)}
            for values in zip(*arrays, strict=True)]


def binned(x: np.ndarray, y: np.ndarray, bins: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """At most ``bins`` points: the mean of ``y`` over consecutive runs of ``x``,
    placed at the last ``x`` of each run."""
    if len(x) <= bins:
        return x, y
    edges = np.linspace(0, len(x), bins + 1).astype(int)
    return (x[edges[1:] - 1],
            np.add.reduceat(y.astype(np.float64), edges[:-1]) / np.diff(edges))


def changes(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points where a step function ``y`` changes, plus the last one."""
    keep = np.concatenate([[True], y[1:] != y[:-1]])
    keep[-1] = True
    return x[keep], y[keep]


def char_label(c: str) -> str:
    """A character as a label: the space has to be drawn to be seen."""
    return SPACE if c == " " else c


def verbatim(text: str) -> str:
    """Text as SVG should show it: every space kept, however many there are."""
    return text.replace(" ", NBSP)


# ---------------------------------------------------------------------------
# Recorded steps

def nearest_steps(steps: np.ndarray, targets) -> list[int]:
    """Indices of the recorded steps closest (on a log scale) to each target,
    without repeats, in step order. The last recorded step is always included."""
    log = np.log(steps.astype(np.float64))
    chosen = {int(np.abs(log - np.log(t)).argmin()) for t in targets if t <= steps[-1]}
    chosen.add(len(steps) - 1)
    return sorted(chosen)


def first_middle_last(steps: np.ndarray) -> list[int]:
    """Indices of the first recorded step, the one nearest the middle of training,
    and the last (fewer if the run recorded fewer)."""
    middle = int(np.argmin(np.abs(steps - (steps[0] + steps[-1]) / 2)))
    return sorted({0, middle, len(steps) - 1})


# ---------------------------------------------------------------------------
# Axes

def step_axis() -> dict:
    return {"field": "step", "type": "quantitative", "title": "training step"}


def decades(low: float, high: float) -> list[int]:
    """The powers of ten from low to high: ticks (and grid lines) for a log axis."""
    return [10 ** e for e in range(int(np.floor(np.log10(low))), int(np.log10(high)) + 1)
            if low <= 10 ** e <= high]


def log_step_axis(steps: np.ndarray, title: str = "training step (log scale)") -> dict:
    """A log-scale step axis that ends at the first and the last recorded step."""
    return {"field": "step", "type": "quantitative", "title": title,
            "scale": {"type": "log", "domain": [int(steps[0]), int(steps[-1])], "nice": False},
            "axis": {"format": "~s", "values": decades(steps[0], steps[-1])}}


def log_ticks(values) -> list[float]:
    """1, 2 and 5 times the powers of ten that span ``values``: readable log ticks."""
    low, high = min(values), max(values)
    ticks = [m * 10.0 ** e for e in range(int(np.floor(np.log10(low))) - 1,
                                          int(np.ceil(np.log10(high))) + 1)
             for m in (1, 2, 5)]
    return [significant(v, 3) for v in ticks if low / 1.5 <= v <= high * 1.5]


def reference_rule(value: float, field: str = "ref") -> dict:
    """A dashed horizontal rule at ``value`` (1 for a radius or a norm ratio)."""
    return {"data": {"values": [{field: value}]},
            "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor",
                     "opacity": 0.6},
            "encoding": {"y": {"field": field, "type": "quantitative"}}}


# ---------------------------------------------------------------------------
# Series, legends, heat maps

def series(domain: list[str], dashes: list[list[int]] | None = None) -> dict:
    """Colour (and optionally dash) by a ``series`` field, in the given order,
    with one legend above the plot and no legend title."""
    style = {"color": {"field": "series", "type": "nominal", "title": None,
                       "scale": {"domain": domain}}}
    if dashes is not None:
        style["strokeDash"] = {"field": "series", "type": "nominal", "title": None,
                               "scale": {"domain": domain, "range": dashes}}
    return style


def legend_columns(frame, wide: int) -> dict:
    """A top legend with ``wide`` entries per row, two on a phone."""
    return {"columns": 2 if frame.narrow else wide}


def diverging(field: str, title: str, limit: float = 1.0, legend: dict | None = None) -> dict:
    """Colour for a signed quantity: blue below zero, orange above, fading to
    transparent at zero so that the page's own background shows through, in the
    light theme and the dark one alike."""
    return {"field": field, "type": "quantitative", "title": title,
            "scale": {"domain": [-limit, 0, limit],
                      "range": [BLUE, "rgba(128, 128, 128, 0)", ORANGE]},
            "legend": {"gradientLength": 120, **(legend or {})}}


def panel_title(text: str, subtitle: str | None = None) -> dict:
    """The title of one panel of small multiples: left-aligned, theme-coloured."""
    title = {"text": text, "anchor": "start", "fontSize": 12, "fontWeight": "bold",
             "color": "currentColor"}
    if subtitle:
        title |= {"subtitle": subtitle, "subtitleFontSize": 11,
                  "subtitleColor": "currentColor"}
    return title


def state_map(hidden: np.ndarray, chars: list[str], units: list[str] | None,
              frame) -> dict:
    """A heat map of hidden states over a chunk: one column per character read
    (labelled with it), one row per unit (labelled with ``units``, or not at all).
    Sections 07 and 13 both draw the chunk this way."""
    T, K = hidden.shape
    data = [{"t": t, "row": k, "h": significant(hidden[t, k], 2)}
            for k in range(K) for t in range(T)]
    letters = "[" + ",".join(json_string(c) for c in chars) + "][datum.value]"
    names = "[" + ",".join(json_string(u) for u in units) + "][datum.value]" if units else None
    return {
        "width": min(frame.width, 20 * T), "height": {"step": 12},
        "data": {"values": data},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "t", "type": "ordinal", "title": "character read",
                  "axis": {"labelExpr": letters, "labelAngle": 0, "ticks": False,
                           "domain": False}},
            "y": {"field": "row", "type": "ordinal", "title": "hidden unit",
                  "axis": {"labelExpr": names, "ticks": False, "domain": False}
                  if names else {"labels": False, "ticks": False, "domain": False}},
            "color": diverging("h", "h", legend={"orient": "top", "direction": "horizontal"}),
        },
    }


def json_string(text: str) -> str:
    """A string as a Vega expression literal."""
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------------------
# Eigenvalues

def outside_unit_circle(eigenvalues: np.ndarray) -> np.ndarray:
    """True for each eigenvalue whose modulus is beyond 1 + UNIT_MARGIN."""
    return np.abs(eigenvalues) > 1.0 + UNIT_MARGIN


def circle(radius: float = 1.0, points: int = 128) -> list[dict]:
    """A circle as rows (re, im, order): draw it as a line with ``order`` as the
    order channel so that the points join in sequence."""
    angle = np.linspace(0.0, 2.0 * np.pi, points + 1)
    return rows(re=radius * np.cos(angle), im=radius * np.sin(angle),
                order=np.arange(points + 1))

