"""Phases 0 and 1: what the corpus holds (sections 00 and 02)."""
from __future__ import annotations

from ..run import Run
from .chart import Frame, chart
from .style import char_label


@chart("corpus-templates", "How many sentences of the corpus each of the templates produced.")
def templates(run: Run, frame: Frame) -> dict:
    counts = run.corpus["template_counts"]
    data = [{"template": t, "count": n} for t, n in sorted(counts.items())]
    y = {"field": "template", "type": "nominal", "title": None,
         "sort": {"field": "count", "order": "descending"}}
    x = {"field": "count", "type": "quantitative", "title": "sentences"}
    if not frame.narrow:
        return {"width": frame.width - 260, "height": {"step": 16},
                "data": {"values": data}, "mark": {"type": "bar"},
                "encoding": {"y": y, "x": x}}
    # A phone has no room for the names beside the bars: each name goes above its bar.
    y["axis"] = None
    return {
        "width": frame.width + 50, "height": {"step": 30},
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "bar", "size": 9, "yOffset": 7},
             "encoding": {"y": y, "x": x}},
            {"mark": {"type": "text", "align": "left", "baseline": "middle", "x": 0,
                      "yOffset": -6, "color": "currentColor"},
             "encoding": {"y": y, "text": {"field": "template"}}},
        ],
    }


@chart("corpus-characters", "How often each character of the vocabulary occurs in the "
                            "corpus, listed in vocabulary order (\u2423 is the space): the "
                            "number before each character is the index the network sees "
                            "in its place.")
def characters(run: Run, frame: Frame) -> dict:
    counts = run.corpus["char_counts"]
    data = [{"label": f"{i}  {char_label(c)}", "index": i, "count": counts.get(c, 0)}
            for i, c in enumerate(run.vocab)]
    return {
        "width": frame.width - (200 if not frame.narrow else 40), "height": {"step": 14},
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None,
                  "sort": {"field": "index", "order": "ascending"}},
            "x": {"field": "count", "type": "quantitative", "title": "occurrences in the corpus"},
        },
    }
