"""Phase 2: the model at work on one chunk (sections 07 to 11).

Every chart here reads the chunk recorded at the last snapshot, or the gradient
norms of the whole run; nothing is recomputed.
"""
from __future__ import annotations

import numpy as np

from ..run import Run
from .chart import Frame, chart
from .style import (
    BLUE,
    ORANGE,
    char_label,
    first_middle_last,
    json_string,
    legend_columns,
    rows,
    series,
    significant,
    state_map,
    step_axis,
)

UNITS_SHOWN = 16      # rows of the forward pass's heat map: all of them would make a heavy SVG


@chart("chunk-hidden-states", "The hidden state h_t over the chunk recorded at the last "
                              "step: one column per character read (\u2423 is the space), "
                              f"one row per hidden unit, for the first {UNITS_SHOWN} units. "
                              "Each column is computed from the one before it and the "
                              "character below it.")
def chunk_hidden_states(run: Run, frame: Frame) -> dict:
    s = run.snapshots
    hidden = s["hidden"][-1][:, :UNITS_SHOWN].astype(np.float64)   # the first units: no picking
    chars = [char_label(run.vocab[c]) for c in s["inputs"][-1]]
    return state_map(hidden, chars, [str(k + 1) for k in range(hidden.shape[1])], frame)


@chart("next-char-distribution", "The softmax output at three positions of the chunk "
                                 "recorded at the last step: the probability the network "
                                 "gives each character of coming next, after the text above "
                                 "each panel (\u2423 is the space). The outlined bar is the "
                                 "character that did come next.")
def next_char_distribution(run: Run, frame: Frame) -> dict:
    s = run.snapshots
    probs, inputs, targets = s["probs"][-1], s["inputs"][-1], s["targets"][-1]
    entropy = -(probs * np.log(np.clip(probs, 1e-12, None))).sum(axis=1)
    # The most certain position and the two least certain ones, leaving out the
    # first few, whose context lies mostly before the chunk and cannot be shown.
    skip = len(entropy) // 4
    order = skip + np.argsort(entropy[skip:], kind="stable")
    picks = sorted({int(order[0]), int(order[-2]), int(order[-1])})
    context = "".join(run.vocab[i] for i in inputs)
    data = []
    for t in picks:
        seen = "".join(map(char_label, context[max(0, t - 11): t + 1]))
        panel = f"after \u2026{seen}"
        for v, c in enumerate(run.vocab):
            data.append({"panel": panel, "char": char_label(c), "index": v,
                         "p": significant(probs[t, v]), "actual": bool(v == targets[t])})
    return {
        "data": {"values": data},
        "facet": {"row": {"field": "panel", "type": "nominal", "title": None,
                          "sort": [d["panel"] for d in data[:: len(run.vocab)]],
                          "header": {"labelAngle": 0, "labelAlign": "left",
                                     "labelAnchor": "start", "labelOrient": "top",
                                     "labelColor": "currentColor", "labelFontSize": 11}}},
        "spacing": 14,
        "spec": {
            "width": frame.width, "height": 70,
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "char", "type": "nominal", "title": None,
                      "sort": {"field": "index", "order": "ascending"},
                      "axis": {"labelAngle": 0}},
                "y": {"field": "p", "type": "quantitative", "title": "p",
                      "scale": {"domain": [0, 1]}, "axis": {"tickCount": 2}},
                "stroke": {"condition": {"test": "datum.actual", "value": "currentColor"},
                           "value": None},
                "strokeWidth": {"value": 1.5},
            },
        },
    }


@chart("chunk-surprise", "The loss term of each position of the chunk recorded at the last "
                         "step: -log p of the character that actually came next, written "
                         "under its bar (\u2423 is the space). The chunk's loss is the sum "
                         "of these bars.")
def chunk_surprise(run: Run, frame: Frame) -> dict:
    s = run.snapshots
    probs, targets = s["probs"][-1], s["targets"][-1]
    T = len(targets)
    p_target = probs[np.arange(T), targets].astype(np.float64)
    surprise = -np.log(np.clip(p_target, 1e-12, None))
    letters = "[" + ",".join(json_string(char_label(run.vocab[c])) for c in targets) + \
        "][datum.value - 1]"
    return {
        "width": min(frame.width, 20 * T), "height": 180,
        "data": {"values": rows(t=np.arange(1, T + 1), nats=surprise, p=p_target)},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "t", "type": "ordinal", "title": "the character that came next",
                  "axis": {"labelExpr": letters, "labelAngle": 0, "ticks": False}},
            "y": {"field": "nats", "type": "quantitative", "title": "-log p(target)  (nats)"},
        },
    }


@chart("gradient-through-time", "The norm of dL/dh_t, the gradient reaching the hidden "
                                "state at each position of the chunk, at three recorded "
                                "steps. Backpropagation runs from the last position to the "
                                "first, so read each line from right to left.")
def gradient_through_time(run: Run, frame: Frame) -> dict:
    s = run.snapshots
    norms = s["step_grad_norms"]
    T = norms.shape[1]
    data, names = [], []
    for i in first_middle_last(s["step"]):
        name = f"step {int(s['step'][i]):,}"
        names.append(name)
        data += rows(t=np.arange(1, T + 1), norm=norms[i].astype(np.float64),
                     series=[name] * T)
    style = series(names)
    style["color"]["legend"] = legend_columns(frame, 3)
    return {
        "width": frame.width, "height": 220,
        "data": {"values": data},
        "mark": {"type": "line", "point": {"filled": True, "size": 18}},
        "encoding": {
            "x": {"field": "t", "type": "quantitative", "title": "position t in the chunk",
                  "scale": {"domain": [1, T], "nice": False},
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "y": {"field": "norm", "type": "quantitative", "title": "\u2016dL/dh_t\u2016",
                  "scale": {"zero": True}},
            **style,
        },
    }


@chart("gradient-clipping", "Top: the global gradient norm before clipping (mean over each "
                            "stretch of steps, with the band from its smallest to its largest "
                            "value) on a log scale, against the clipping threshold. Bottom: "
                            "the share of steps in each stretch whose gradient was clipped.")
def gradient_clipping(run: Run, frame: Frame) -> dict:
    c = run.curves
    step, norm, clipped = c["step"], c["grad_norm"].astype(np.float64), c["clipped"]
    bins = min(200 if not frame.narrow else 120, len(step))
    edges = np.linspace(0, len(step), bins + 1).astype(int)
    starts, sizes = edges[:-1], np.diff(edges)
    x = step[edges[1:] - 1]
    mean = np.add.reduceat(norm, starts) / sizes
    low = np.maximum(np.minimum.reduceat(norm, starts), 1e-6)   # a log scale needs > 0
    high = np.maximum.reduceat(norm, starts)
    share = np.add.reduceat(clipped.astype(np.float64), starts) / sizes
    threshold = float(run.config["clip"])
    names = ["gradient norm", "clip threshold"]
    style = series(names, [[1, 0], [5, 4]])
    # Whole powers of ten around the data and the threshold: a clean log axis.
    floor = min(low.min(), threshold) if threshold > 0 else low.min()
    decades = 10.0 ** np.arange(np.floor(np.log10(floor)), np.ceil(np.log10(high.max())) + 1)
    log = {"type": "log", "domain": [float(decades[0]), float(decades[-1])], "nice": False}
    axis = {"values": decades.tolist(), "format": "~s", "grid": True}
    y = {"field": "norm", "type": "quantitative", "title": "global gradient norm",
         "scale": log, "axis": axis}
    layers = [
        {"data": {"values": rows(step=x, low=low, high=high)},
         "mark": {"type": "area", "opacity": 0.22, "color": BLUE},
         "encoding": {"x": step_axis(),
                      "y": {"field": "low", "type": "quantitative", "scale": log,
                            "axis": axis, "title": "global gradient norm"},
                      "y2": {"field": "high"}}},
        {"data": {"values": rows(step=x, norm=mean, series=[names[0]] * len(x))},
         "mark": {"type": "line"},
         "encoding": {"x": step_axis(), "y": y, **style}},
    ]
    if threshold > 0:
        layers.append(
            {"data": {"values": [{"norm": threshold, "series": names[1]}]},
             "mark": {"type": "rule"},
             "encoding": {"y": y, **style}})
    return {
        "vconcat": [
            {"width": frame.width, "height": 200, "layer": layers},
            {"width": frame.width, "height": 70,
             "data": {"values": rows(step=x, share=share)},
             "mark": {"type": "line", "interpolate": "step-after", "color": ORANGE},
             "encoding": {"x": step_axis(),
                          "y": {"field": "share", "type": "quantitative",
                                "title": "share clipped", "scale": {"domain": [0, 1]},
                                "axis": {"format": ".0%", "tickCount": 2}}}},
        ],
        "spacing": 12,
    }
