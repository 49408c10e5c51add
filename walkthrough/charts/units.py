"""Charts of what single hidden units do (analysis.json["units"], written by
charrnn/units.py): text coloured by a unit's activation, and how strongly the
best unit follows each fact, trained against untrained.

Both are drawn narrow in every frame (at most PHONE_WIDTH wide, margins
included), so that a phone shows them at their natural size: their text stays
11-12 px on every screen instead of shrinking with the page.
"""
from __future__ import annotations

from ..run import Run
from .chart import Frame, chart

PHONE_WIDTH = 335            # the content width of a 375 px screen
COLUMNS, CELL, LINE = 32, 10, 18   # the coloured text: characters per line, px per cell and line
LINES = 2                    # lines of the excerpt shown per unit
# Fills behind the letters, at most MAX_OPACITY strong: with them, text in the page's
# colour keeps a contrast of at least 4.5 : 1 on the light and the dark background.
POSITIVE, NEGATIVE, MAX_OPACITY = "#b85c1e", "#2f62b8", 0.75
SYMBOL = {"binary": "r", "ordinal": "ρ", "categorical": "η"}
VERDICT = {"learned": "learned", "untrained-too": "untrained too", "none": "no unit"}


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken after a space; every
    character kept (a line ends with the space that follows its last word)."""
    lines, line = [], ""
    for word in text.split(" "):
        piece = word + " "
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
    lines.append(line[:-1])          # the text's last word has no space after it
    return lines


def coloured_text(lines: list[str], activations: list[float]) -> list[dict]:
    """One row per character: where it sits and the activation after reading it."""
    cells, t = [], 0
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            h = float(activations[t])
            cells.append({"row": row, "col": col, "char": char, "h": h,
                          "sign": "positive" if h >= 0 else "negative"})
            t += 1
    return cells


def _header(feature: dict) -> str:
    value = feature["best_signed"]
    shown = f"{value:+.2f}" if feature["kind"] != "categorical" else f"{value:.2f}"
    return (f"{feature['label']}: unit {feature['best_unit']}, "
            f"{SYMBOL[feature['kind']]} = {shown} ({VERDICT[feature['verdict']]})")


@chart("unit-text", "The start of the validation excerpt, coloured by the activation of "
                    "the trained network's best unit for each fact: orange where the unit is "
                    "positive, blue where it is negative, stronger the further from zero. "
                    "After each fact: the unit's statistic and the verdict against the "
                    "untrained network.")
def unit_text(run: Run, frame: Frame) -> dict:
    units = run.analysis["units"]
    lines = wrap(units["excerpt"]["text"], COLUMNS)[:LINES]
    panels = []
    for name in units["feature_order"]:
        feature = units["features"][name]
        activations = units["excerpt"]["trained"][feature["best_unit"] - 1]
        cells = coloured_text(lines, activations)
        x = {"field": "col", "type": "quantitative", "axis": None,
             "scale": {"domain": [0, COLUMNS], "nice": False}}
        y = {"field": "row", "type": "quantitative", "axis": None,
             "scale": {"domain": [0, len(lines)], "nice": False, "reverse": True}}
        panels.append({
            "title": {"text": _header(feature), "anchor": "start", "fontSize": 11.5,
                      "fontWeight": "normal", "color": "currentColor", "offset": 4},
            "width": COLUMNS * CELL, "height": LINE * len(lines),
            "data": {"values": cells},
            "transform": [{"calculate": "datum.col + 1", "as": "col_end"},
                          {"calculate": "datum.row + 1", "as": "row_end"},
                          {"calculate": "abs(datum.h)", "as": "strength"}],
            "layer": [
                {"mark": {"type": "rect"},
                 "encoding": {"x": x, "x2": {"field": "col_end"},
                              "y": y, "y2": {"field": "row_end"},
                              "color": {"field": "sign", "type": "nominal", "title": None,
                                        "scale": {"domain": ["negative", "positive"],
                                                  "range": [NEGATIVE, POSITIVE]},
                                        "legend": {"symbolType": "square",
                                                   "labelExpr": "'activation ' + datum.label"}},
                              "opacity": {"field": "strength", "type": "quantitative",
                                          "scale": {"domain": [0, 1],
                                                    "range": [0, MAX_OPACITY]},
                                          "legend": None}}},
                {"transform": [{"filter": "datum.char !== ' '"},
                               {"calculate": "datum.col + 0.5", "as": "middle"},
                               {"calculate": "datum.row + 0.5", "as": "centre"}],
                 "mark": {"type": "text", "fontSize": 12, "color": "currentColor",
                          "baseline": "middle"},
                 "encoding": {"x": {**x, "field": "middle"}, "y": {**y, "field": "centre"},
                              "text": {"field": "char"}}},
            ],
        })
    return {"vconcat": panels, "spacing": 10,
            "resolve": {"scale": {"color": "shared", "opacity": "shared"}}}


@chart("unit-strength", "For each fact, how closely the best unit follows it (|r|, |ρ| "
                        "or η, from 0 to 1): the trained network's best unit against the "
                        "bar set by untrained networks of the same shape (the 95th "
                        "percentile of their best units). A fact counts as learned when "
                        "the trained unit passes its bar.")
def unit_strength(run: Run, frame: Frame) -> dict:
    units = run.analysis["units"]
    order = [units["features"][name]["label"] for name in units["feature_order"]]
    series = ["trained", "untrained networks (bar)"]
    rows, gaps = [], []
    for name in units["feature_order"]:
        f = units["features"][name]
        rows += [{"fact": f["label"], "value": f["best"], "series": series[0],
                  "unit": f["best_unit"]},
                 {"fact": f["label"], "value": f["null_bar"], "series": series[1]}]
        gaps.append({"fact": f["label"], "low": min(f["best"], f["null_bar"]),
                     "high": max(f["best"], f["null_bar"]),
                     "verdict": VERDICT[f["verdict"]]})
    y = {"field": "fact", "type": "nominal", "title": None, "sort": order,
         "axis": {"labelFontSize": 11, "ticks": False, "domain": False}}
    x = {"type": "quantitative", "scale": {"domain": [0, 1]}}
    return {
        "width": 140, "height": {"step": 24},
        "layer": [
            {"data": {"values": gaps}, "mark": {"type": "rule", "color": "currentColor",
                                                "opacity": 0.35, "strokeWidth": 2},
             "encoding": {"y": y, "x": {**x, "field": "low", "title": "best |statistic|",
                                        "axis": {"tickCount": 3, "titleFontSize": 11}},
                          "x2": {"field": "high"}}},
            {"data": {"values": rows},
             "mark": {"type": "point", "size": 60, "strokeWidth": 1.8},
             "encoding": {"y": y, "x": {**x, "field": "value"},
                          "shape": {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": series, "range": ["circle", "circle"]}},
                          "fill": {"field": "series", "type": "nominal", "title": None,
                                   "scale": {"domain": series,
                                             "range": [POSITIVE, "transparent"]}},
                          "color": {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": series,
                                              "range": [POSITIVE, "currentColor"]}}}},
            {"data": {"values": gaps},
             "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11,
                      "color": "currentColor", "baseline": "middle"},
             "encoding": {"y": y, "x": {"datum": 1, "type": "quantitative"},
                          "text": {"field": "verdict"}}},
        ],
    }
