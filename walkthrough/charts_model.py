"""Charts of phases 1 and 2 (the data pipeline and the model): one small function
per chart, registered with ``@chart`` exactly like those in charts.py.

Every number drawn comes from the run: the corpus statistics, the recorded
snapshots and the per-step curves. Nothing here trains or recomputes the model.
"""
from __future__ import annotations

import numpy as np

from .charts import WIDTH, chart, rows, step_axis, unit_circle
from .run import Run

SPACE = "\u00b7"      # the space, where a label must stay one character wide
HEATMAP_UNITS = 16     # rows of the hidden-state heatmap: all of them would make a heavy SVG


def _char_label(c: str) -> str:
    """A character as an axis label: the space has to be named to be seen."""
    return "space" if c == " " else c


def _series_style(series: list[str], dashes: list[list[int]] | None = None) -> dict:
    """Colour (and optionally dash) by ``series``, in the given order, with a
    legend above the plot and no legend title."""
    style = {"color": {"field": "series", "type": "nominal", "title": None,
                       "scale": {"domain": series}}}
    if dashes is not None:
        style["strokeDash"] = {"field": "series", "type": "nominal", "title": None,
                               "scale": {"domain": series, "range": dashes}}
    return style


def _snapshot_picks(steps: np.ndarray) -> list[int]:
    """Indices of three recorded steps: the first, the one nearest the middle of
    training, and the last (fewer if the run recorded fewer)."""
    middle = int(np.argmin(np.abs(steps - (steps[0] + steps[-1]) / 2)))
    return sorted({0, middle, len(steps) - 1})


# ---------------------------------------------------------------------------
# Phase 1: the data pipeline

@chart("corpus-characters", "How often each character of the vocabulary occurs in the "
                            "corpus, listed in vocabulary order: the number before each "
                            "character is the index the network sees in its place.")
def corpus_characters(run: Run) -> dict:
    counts = run.corpus["char_counts"]
    data = [{"label": f"{i}  {_char_label(c)}", "index": i, "count": counts.get(c, 0)}
            for i, c in enumerate(run.vocab)]
    return {
        "width": WIDTH - 200, "height": {"step": 13},
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None,
                  "sort": {"field": "index", "order": "ascending"},
                  "axis": {"labelFontSize": 11}},
            "x": {"field": "count", "type": "quantitative", "title": "occurrences in the corpus"},
        },
    }


# ---------------------------------------------------------------------------
# Phase 2: the model

@chart("whh-eigenvalues", "The eigenvalues of the recurrent matrix W_hh in the complex "
                          "plane, before the first update and after the last, against the "
                          "unit circle. An eigenvalue outside the circle is a direction in "
                          "which repeated multiplication by W_hh grows a vector.")
def whh_eigenvalues(run: Run) -> dict:
    s = run.snapshots
    first, last = 0, len(s["step"]) - 1
    series = [f"step {int(s['step'][first]):,} (initialisation)",
              f"step {int(s['step'][last]):,} (end of training)"]
    data = []
    for name, index in zip(series, (first, last), strict=True):
        ev = s["eigenvalues"][index]
        data += rows(re=ev.real.astype(np.float64), im=ev.imag.astype(np.float64),
                     series=[name] * len(ev))
    reach = float(np.abs(s["eigenvalues"][[first, last]]).max())
    limit = float(np.ceil(max(1.0, reach) * 1.1 * 4) / 4)   # a round bound, a little beyond
    circle = unit_circle()
    axis = {"type": "quantitative", "scale": {"domain": [-limit, limit], "nice": False}}
    side = 320
    return {
        "width": side, "height": side,
        "layer": [
            {"data": {"values": circle},
             "mark": {"type": "line", "color": "currentColor", "strokeWidth": 1,
                      "opacity": 0.5},
             "encoding": {"x": {"field": "re", **axis, "title": "real part"},
                          "y": {"field": "im", **axis, "title": "imaginary part"},
                          "order": {"field": "order", "type": "quantitative"}}},
            {"data": {"values": data},
             "mark": {"type": "point", "filled": True, "size": 26, "opacity": 0.8},
             "encoding": {"x": {"field": "re", **axis},
                          "y": {"field": "im", **axis},
                          "shape": {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": series,
                                              "range": ["circle", "diamond"]}},
                          **_series_style(series)}},
        ],
    }


@chart("chunk-hidden-states", "The hidden state h_t over the chunk recorded at the last "
                              "step: one column per character read, one row per hidden unit, "
                              f"for the first {HEATMAP_UNITS} hidden units. "
                              "Each column is computed from the one before it and the "
                              "character beneath it.")
def chunk_hidden_states(run: Run) -> dict:
    s = run.snapshots
    hidden, inputs = s["hidden"][-1], s["inputs"][-1]
    keep = np.arange(min(HEATMAP_UNITS, hidden.shape[1]))   # the first units: no picking
    hidden = hidden[:, keep]
    T, H = hidden.shape
    t, unit = np.meshgrid(np.arange(1, T + 1), keep + 1, indexing="ij")
    data = rows(t=t.ravel(), unit=unit.ravel(), h=hidden.astype(np.float64).ravel())
    labels = [f"{i + 1}:{_char_label(run.vocab[c])}" for i, c in enumerate(inputs)]
    label_expr = "[" + ",".join(f"'{lab}'" for lab in labels) + "][datum.value - 1]"
    return {
        "width": WIDTH, "height": 11 * H,
        "data": {"values": data},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "t", "type": "ordinal", "title": "character read at position t",
                  "axis": {"labelExpr": label_expr, "labelAngle": -90, "labelPadding": 4}},
            "y": {"field": "unit", "type": "ordinal", "title": "hidden unit",
                  "axis": {"labelFontSize": 9}},
            "color": {"field": "h", "type": "quantitative", "title": "h",
                      "scale": {"scheme": "blueorange", "domain": [-1, 1]},
                      "legend": {"orient": "right", "direction": "vertical",
                                 "gradientLength": 120}},
        },
    }


@chart("next-char-distribution", "The softmax output at three positions of the chunk "
                                 "recorded at the last step: the probability the network "
                                 "gives each character of coming next, after the text above "
                                 "each panel (\u00b7 is the space). The outlined bar is the "
                                 "character that did come next.")
def next_char_distribution(run: Run) -> dict:
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
        seen = context[max(0, t - 11): t + 1].replace(" ", SPACE)
        panel = f"after \u2026{seen}"
        for v, c in enumerate(run.vocab):
            data.append({"panel": panel, "char": c.replace(" ", SPACE), "index": v,
                         "p": round(float(probs[t, v]), 4),
                         "actual": bool(v == targets[t])})
    return {
        "data": {"values": data},
        "facet": {"row": {"field": "panel", "type": "nominal", "title": None,
                          "sort": [d["panel"] for d in data[:: len(run.vocab)]],
                          "header": {"labelAngle": 0, "labelAlign": "left",
                                     "labelAnchor": "start", "labelOrient": "top",
                                     "labelColor": "currentColor", "labelFontSize": 11}}},
        "spacing": 14,
        "spec": {
            "width": WIDTH, "height": 70,
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
                         "under its bar. The chunk's loss is the sum of these bars.")
def chunk_surprise(run: Run) -> dict:
    s = run.snapshots
    probs, targets = s["probs"][-1], s["targets"][-1]
    T = len(targets)
    p_target = probs[np.arange(T), targets].astype(np.float64)
    surprise = -np.log(np.clip(p_target, 1e-12, None))
    labels = [f"{t + 1}:{_char_label(run.vocab[c])}" for t, c in enumerate(targets)]
    label_expr = "[" + ",".join(f"'{lab}'" for lab in labels) + "][datum.value - 1]"
    return {
        "width": WIDTH, "height": 180,
        "data": {"values": rows(t=np.arange(1, T + 1), nats=surprise, p=p_target)},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "t", "type": "ordinal", "title": "next character (target) at position t",
                  "axis": {"labelExpr": label_expr, "labelAngle": -90, "labelPadding": 4}},
            "y": {"field": "nats", "type": "quantitative", "title": "-log p(target)  (nats)"},
        },
    }


@chart("gradient-through-time", "The norm of dL/dh_t, the gradient reaching the hidden "
                                "state at each position of the chunk, at three recorded "
                                "steps. Backpropagation runs from the last position to the "
                                "first, so read each line from right to left.")
def gradient_through_time(run: Run) -> dict:
    s = run.snapshots
    norms = s["step_grad_norms"]
    T = norms.shape[1]
    data, series = [], []
    for i in _snapshot_picks(s["step"]):
        name = f"step {int(s['step'][i]):,}"
        series.append(name)
        data += rows(t=np.arange(1, T + 1), norm=norms[i].astype(np.float64),
                     series=[name] * T)
    return {
        "width": WIDTH, "height": 220,
        "data": {"values": data},
        "mark": {"type": "line", "point": {"filled": True, "size": 18}},
        "encoding": {
            "x": {"field": "t", "type": "quantitative", "title": "position t in the chunk",
                  "scale": {"domain": [1, T], "nice": False},
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "y": {"field": "norm", "type": "quantitative", "title": "\u2016dL/dh_t\u2016",
                  "scale": {"zero": True}},
            **_series_style(series),
        },
    }


@chart("gradient-clipping", "Top: the global gradient norm before clipping (mean over each "
                            "stretch of steps, with the band from its smallest to its largest "
                            "value) on a log scale, against the clipping threshold. Bottom: "
                            "the share of steps in each stretch whose gradient was clipped.")
def gradient_clipping(run: Run) -> dict:
    c = run.curves
    step, norm, clipped = c["step"], c["grad_norm"].astype(np.float64), c["clipped"]
    bins = min(200, len(step))
    edges = np.linspace(0, len(step), bins + 1).astype(int)
    starts, sizes = edges[:-1], np.diff(edges)
    x = step[edges[1:] - 1]
    mean = np.add.reduceat(norm, starts) / sizes
    low = np.maximum(np.minimum.reduceat(norm, starts), 1e-6)   # a log scale needs > 0
    high = np.maximum.reduceat(norm, starts)
    share = np.add.reduceat(clipped.astype(np.float64), starts) / sizes
    threshold = float(run.config["clip"])
    series = ["gradient norm", "clip threshold"]
    style = _series_style(series, [[1, 0], [5, 4]])
    # Whole powers of ten around the data and the threshold: a clean log axis.
    floor = min(low.min(), threshold) if threshold > 0 else low.min()
    decades = 10.0 ** np.arange(np.floor(np.log10(floor)), np.ceil(np.log10(high.max())) + 1)
    log = {"type": "log", "domain": [float(decades[0]), float(decades[-1])], "nice": False}
    axis = {"values": decades.tolist(), "format": "~s", "grid": True}
    y = {"field": "norm", "type": "quantitative", "title": "global gradient norm",
         "scale": log, "axis": axis}
    layers = [
        {"data": {"values": rows(step=x, low=low, high=high)},
         "mark": {"type": "area", "opacity": 0.22, "color": "#4a7fd4"},
         "encoding": {"x": step_axis(),
                      "y": {"field": "low", "type": "quantitative", "scale": log,
                            "axis": axis, "title": "global gradient norm"},
                      "y2": {"field": "high"}}},
        {"data": {"values": rows(step=x, norm=mean, series=[series[0]] * len(x))},
         "mark": {"type": "line"},
         "encoding": {"x": step_axis(), "y": y, **style}},
    ]
    if threshold > 0:
        layers.append(
            {"data": {"values": [{"norm": threshold, "series": series[1]}]},
             "mark": {"type": "rule"},
             "encoding": {"y": y, **style}})
    return {
        "vconcat": [
            {"width": WIDTH, "height": 200, "layer": layers},
            {"width": WIDTH, "height": 70,
             "data": {"values": rows(step=x, share=share)},
             "mark": {"type": "line", "interpolate": "step-after", "color": "#e0803a"},
             "encoding": {"x": step_axis(),
                          "y": {"field": "share", "type": "quantitative",
                                "title": "share clipped", "scale": {"domain": [0, 1]},
                                "axis": {"format": ".0%", "tickCount": 2}}}},
        ],
        "spacing": 12,
    }
