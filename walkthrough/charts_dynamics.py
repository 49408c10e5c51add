"""Charts for Phases 3 and 4: what training does inside the network, and what
the trained network does. Same pattern as charts.py: one small function per
chart, a Vega-Lite spec built from the run, no typed numbers.

Recorded steps are spaced geometrically early and evenly later, so charts over
snapshots use a logarithmic step axis: each recorded step gets a fair share of
the width.
"""
from __future__ import annotations

import textwrap

import numpy as np

from .charts import WIDTH, chart, rows, unit_circle
from .run import Run

SPACE = "\u2423"        # the visible space sign, for characters used as labels
NBSP = "\u00a0"         # a space SVG text does not collapse, for samples shown verbatim
CATEGORY_ORDER = ["NOUN_HUMAN", "NOUN_ANIMAL", "NOUN_FOOD", "NOUN_OBJECT",
                  "VERB_INTRAN", "VERB_TRAN", "VERB_PERCEPT"]
CATEGORY_COLOURS = ["#4a7fd4", "#3aa17e", "#b8a23a", "#7a7a7a",
                    "#e0803a", "#c45ab3", "#d0455b"]


# ---------------------------------------------------------------------------
# Helpers

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
    return [float(f"{v:.3g}") for v in ticks if low / 1.5 <= v <= high * 1.5]


def decades(low: float, high: float) -> list[int]:
    """The powers of ten from low to high: ticks (and grid lines) for a log axis."""
    return [10 ** e for e in range(int(np.floor(np.log10(low))), int(np.log10(high)) + 1)
            if low <= 10 ** e <= high]


def nearest_steps(steps: np.ndarray, targets) -> list[int]:
    """Indices of the recorded steps closest (on a log scale) to each target,
    without repeats, in step order. The last recorded step is always included."""
    log = np.log(steps.astype(np.float64))
    chosen = {int(np.abs(log - np.log(t)).argmin()) for t in targets if t <= steps[-1]}
    chosen.add(len(steps) - 1)
    return sorted(chosen)


def char_label(c: str) -> str:
    return SPACE if c == " " else c


def verbatim(text: str) -> str:
    """Text as SVG should show it: every space kept, however many there are."""
    return text.replace(" ", NBSP)


def series_style(domain: list[str], dashes: list[list[int]]) -> dict:
    """Colour and dash by a `series` field, one legend for both."""
    return {"color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": domain}},
            "strokeDash": {"field": "series", "type": "nominal", "title": None,
                           "scale": {"domain": domain, "range": dashes}}}


def category_colour(title: str | None = None) -> dict:
    return {"field": "category", "type": "nominal", "title": title,
            "scale": {"domain": CATEGORY_ORDER, "range": CATEGORY_COLOURS},
            "legend": {"columns": 4, "labelFontSize": 10, "symbolType": "circle"}}


# ---------------------------------------------------------------------------
# 12: the loss, against what other predictors reach

@chart("loss-baselines", "Validation loss over training, zoomed in, against three "
                         "references on the same validation text: an n-gram model with "
                         "Kneser–Ney smoothing, the exact predictor built from the grammar, "
                         "and the entropy rate of the language.")
def loss_baselines(run: Run) -> dict:
    c, b = run.curves, run.analysis["baselines"]
    kn = f"{b['kneser_ney_order']}-gram Kneser–Ney"
    refs = [(kn, b["kneser_ney"]), ("optimal predictor", b["optimal"]),
            ("entropy floor", run.summary["entropy_floor"])]
    domain = ["validation"] + [name for name, _ in refs]
    style = series_style(domain, [[1, 0], [6, 3], [2, 2], [5, 4]])
    top = 2 * max(b["kneser_ney"], float(c["val_loss"][-1]))
    bottom = 0.9 * min(v for _, v in refs)
    return {
        "width": WIDTH, "height": 220,
        "layer": [
            {"data": {"values": rows(step=c["val_step"], loss=c["val_loss"],
                                     series=["validation"] * len(c["val_step"]))},
             "mark": {"type": "line", "clip": True, "point": {"size": 12}},
             "encoding": {"x": {"field": "step", "type": "quantitative",
                                "title": "training step"},
                          "y": {"field": "loss", "type": "quantitative",
                                "title": "loss (nats/char)",
                                "scale": {"domain": [round(bottom, 3), round(top, 3)]}},
                          **style}},
            {"data": {"values": [{"loss": v, "series": name} for name, v in refs]},
             "mark": {"type": "rule"},
             "encoding": {"y": {"field": "loss", "type": "quantitative"}, **style}},
        ],
    }


# ---------------------------------------------------------------------------
# 13: the hidden state over one chunk

@chart("hidden-heatmap", "The hidden state while the network reads the chunk of the "
                         "last recorded step: one column per character read, one row per "
                         "hidden unit (the units that vary most over the chunk). The "
                         "first column already depends on the state the previous chunk "
                         "handed over.")
def hidden_heatmap(run: Run, units: int = 24) -> dict:
    s = run.snapshots
    hidden = s["hidden"][-1]                    # (T, H): state after each input
    chars = [char_label(run.vocab[i]) for i in s["inputs"][-1]]
    keep = np.argsort(-hidden.var(axis=0))[:units]
    # Order the rows by each unit's loading on the chunk's main mode of variation,
    # so that units that switch together sit together.
    centred = hidden[:, keep] - hidden[:, keep].mean(axis=0)
    loading = np.linalg.svd(centred, full_matrices=False)[2][0]
    keep = keep[np.argsort(loading)]
    T = len(chars)
    data = [{"pos": f"{t:02d}{chars[t]}", "unit": f"{rank:02d}",
             "h": float(f"{hidden[t, u]:.2f}")}
            for rank, u in enumerate(keep) for t in range(T)]
    return {
        "width": min(WIDTH, 20 * T), "height": 9 * units,
        "data": {"values": data},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "pos", "type": "ordinal", "title": "input character",
                  "axis": {"labelExpr": "substring(datum.value, 2)", "labelAngle": 0,
                           "labelFontSize": 12, "ticks": False, "domain": False}},
            "y": {"field": "unit", "type": "ordinal", "title": "hidden unit",
                  "axis": {"labels": False, "ticks": False, "domain": False}},
            "color": {"field": "h", "type": "quantitative", "title": "h",
                      "scale": {"scheme": "blueorange", "domain": [-1, 1]},
                      "legend": {"direction": "horizontal", "orient": "top",
                                 "gradientLength": 160}},
        },
    }


# ---------------------------------------------------------------------------
# 14: the parameters as they move

@chart("param-norms", "The Frobenius norm of each parameter at the recorded steps. "
                      "Every update adds to the weights; nothing pulls them back.")
def param_norms(run: Run) -> dict:
    s, names = run.snapshots, run.snapshot_info["param_names"]
    data = [r for i, name in enumerate(names)
            for r in rows(step=s["step"], norm=s["param_norms"][:, i],
                          parameter=[name] * len(s["step"]))]
    return {
        "width": WIDTH, "height": 220,
        "data": {"values": data},
        "mark": {"type": "line"},
        "encoding": {"x": log_step_axis(s["step"]),
                     "y": {"field": "norm", "type": "quantitative", "title": "‖θ‖"},
                     "color": {"field": "parameter", "type": "nominal", "title": None,
                               "sort": names}},
    }


# ---------------------------------------------------------------------------
# 15: what the recorder sees

@chart("saturation", "Share of saturated hidden activations (|h| above the threshold in the notes) "
                     "over the chunk at each "
                     "recorded step (one point per snapshot). A saturated tanh unit "
                     "passes almost no gradient back.")
def saturation(run: Run) -> dict:
    s = run.snapshots
    return {
        "width": WIDTH, "height": 180,
        "data": {"values": rows(step=s["step"], saturated=s["saturation"])},
        "mark": {"type": "line", "point": {"size": 14}},
        "encoding": {"x": log_step_axis(s["step"]),
                     "y": {"field": "saturated", "type": "quantitative",
                           "title": "saturated units", "axis": {"format": ".0%"},
                           "scale": {"domain": [0, 1]}}},
    }


@chart("grad-norms", "Gradient norm of each parameter before clipping, and the global "
                     "norm, at each recorded step (log scales). The dashed rule is the "
                     "clipping threshold: every point of the global norm above it "
                     "was scaled down to it.")
def grad_norms(run: Run) -> dict:
    s, names = run.snapshots, run.snapshot_info["param_names"]
    data = [r for i, name in enumerate(names)
            for r in rows(step=s["step"], norm=s["grad_norms"][:, i],
                          series=[name] * len(s["step"]))]
    data += rows(step=s["step"], norm=s["total_grad_norm"],
                 series=["global"] * len(s["step"]))
    domain = names + ["global"]
    layers = [{"data": {"values": data},
               "mark": {"type": "line"},
               "encoding": {"x": log_step_axis(s["step"]),
                            "y": {"field": "norm", "type": "quantitative",
                                  "title": "gradient norm (log scale)",
                                  "scale": {"type": "log"},
                                  "axis": {"values": log_ticks([d["norm"] for d in data])}},
                            "color": {"field": "series", "type": "nominal", "title": None,
                                      "scale": {"domain": domain}},
                            "strokeWidth": {"condition": {"test": "datum.series === 'global'",
                                                          "value": 2.6}, "value": 1.2}}}]
    if run.config["clip"] > 0:
        layers.append({"data": {"values": [{"clip": run.config["clip"]}]},
                       "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor",
                                "opacity": 0.6},
                       "encoding": {"y": {"field": "clip", "type": "quantitative"}}})
    return {"width": WIDTH, "height": 240, "layer": layers}


# ---------------------------------------------------------------------------
# 16: what the network writes

@chart("samples-over-training", "What the network writes after \u201cthe \u201d at a few "
                                "recorded steps: the first characters of the sample the "
                                "recorder draws at each snapshot, at temperature 1.")
def samples_over_training(run: Run) -> dict:
    steps = run.snapshots["step"]
    samples = run.snapshot_info["samples"]
    picked = nearest_steps(steps, [1, 10, 100, 300, 1_000, 3_000, 10_000])
    data = [{"step": f"{int(steps[i]):,}", "text": verbatim(samples[i])} for i in picked]
    return {
        "width": WIDTH, "height": {"step": 22},
        "data": {"values": data},
        "mark": {"type": "text", "align": "left", "baseline": "middle", "x": 6,
                 "fontSize": 11.5, "color": "currentColor"},
        "encoding": {"y": {"field": "step", "type": "ordinal", "sort": None,
                           "title": "step", "axis": {"ticks": False, "domain": False}},
                     "text": {"field": "text"}},
    }


@chart("temperature-rates", "Share of generated words that are words of the language, "
                            "and share of generated sentences the grammar accepts, at "
                            "each sampling temperature.")
def temperature_rates(run: Run) -> dict:
    g = run.analysis["generation"]
    data = [{"temperature": str(s["temperature"]), "measure": measure, "rate": s[key]}
            for s in g["samples"]
            for measure, key in (("real words", "vocab_hit_rate"),
                                 ("grammatical sentences", "grammar_rate"))
            if s[key] is not None]
    measures = ["real words", "grammatical sentences"]
    enc = {"x": {"field": "temperature", "type": "ordinal", "title": "sampling temperature",
                 "axis": {"labelAngle": 0}},
           "xOffset": {"field": "measure", "sort": measures},
           "y": {"field": "rate", "type": "quantitative", "title": None,
                 "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}}}
    return {
        "width": WIDTH - 200, "height": 170,
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "bar"},
             "encoding": {**enc, "color": {"field": "measure", "type": "nominal", "title": None,
                                           "sort": measures,
                                           "legend": {"symbolType": "square"}}}},
            {"mark": {"type": "text", "dy": -6, "fontSize": 10, "color": "currentColor"},
             "encoding": {**enc, "text": {"field": "rate", "format": ".0%"}}},
        ],
    }


@chart("temperature-samples", "The start of the sample at each temperature, all three "
                              "drawn with the same random numbers, so they differ only "
                              "by what the temperature does to the distribution.")
def temperature_samples(run: Run) -> dict:
    g = run.analysis["generation"]
    data = [{"temperature": f"T = {s['temperature']}",
             "text": "\n".join(verbatim(line) for line in
                               textwrap.wrap(g["seed_text"] + s["text"], 72,
                                             drop_whitespace=False))}
            for s in g["samples"]]
    lines = max(d["text"].count("\n") + 1 for d in data)
    return {
        "width": WIDTH - 60, "height": {"step": 15 * lines + 12},
        "data": {"values": data},
        "mark": {"type": "text", "align": "left", "baseline": "middle", "x": 6,
                 "lineBreak": "\n", "lineHeight": 15, "fontSize": 11.5,
                 "color": "currentColor"},
        "encoding": {"y": {"field": "temperature", "type": "ordinal", "sort": None,
                           "title": None, "axis": {"ticks": False, "domain": False}},
                     "text": {"field": "text"}},
    }


# ---------------------------------------------------------------------------
# 17: hidden states in two dimensions

@chart("pca-sentence", "The final network's hidden state after each character of two "
                       "sentences from the corpus, projected on the first two principal "
                       "components of all its states over the training text. The faint "
                       "line joins consecutive characters; ␣ is a space, coloured by the "
                       "word it ends.")
def pca_sentence(run: Run) -> dict:
    p, w = run.analysis["pca"], run.analysis["words"]
    points = np.asarray(p["sentence"]["points"])
    chars = p["sentence"]["chars"]
    word_class = {word: cat.split("_")[0].lower() for word, cat in
                  zip(w["words"], w["categories"], strict=True)}
    words = p["sentence"]["text"].split(" ")
    # Each character takes the class of the word it belongs to; a space, of the
    # word it ends.
    word_index = np.cumsum([0] + [c == " " for c in chars[:-1]])
    classes = ["determiner", "noun", "verb"]
    data = [{"order": i, "x": float(x), "y": float(y), "char": char_label(c),
             "word": word_class.get(words[k], "determiner"),
             "what": "space" if c == " " else "letter"}
            for i, ((x, y), c, k) in enumerate(zip(points, chars, word_index, strict=True))]
    ratio = p["explained_variance_ratio"]
    enc = {"x": {"field": "x", "type": "quantitative",
                 "title": f"PC1 ({ratio[0]:.0%} of variance)", "axis": {"grid": False}},
           "y": {"field": "y", "type": "quantitative",
                 "title": f"PC2 ({ratio[1]:.0%} of variance)", "axis": {"grid": False}}}
    colour = {"field": "word", "type": "nominal", "title": "word",
              "scale": {"domain": classes, "range": ["#e0803a", "#4a7fd4", "#c45ab3"]},
              "legend": {"symbolType": "circle"}}
    shape = {"field": "what", "type": "nominal", "title": None,
             "scale": {"domain": ["letter", "space"], "range": ["circle", "square"]}}
    return {
        "width": WIDTH, "height": 360,
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 0.8, "opacity": 0.3,
                      "color": "currentColor"},
             "encoding": {**enc, "order": {"field": "order"}}},
            {"mark": {"type": "point", "filled": True, "size": 30, "opacity": 0.9},
             "encoding": {**enc, "color": colour, "shape": shape}},
            {"mark": {"type": "text", "dx": 7, "dy": -6, "fontSize": 11},
             "encoding": {**enc, "text": {"field": "char"},
                          "color": {**colour, "legend": None}}},
        ],
    }


def _dendrogram(run: Run, which: str, title: str) -> dict:
    w = run.analysis["words"]
    tree = w[which]["dendrogram"]
    segments = []
    for xs, ys in zip(tree["icoord"], tree["dcoord"], strict=True):
        for k in range(3):    # each link is drawn as three strokes: down, across, down
            segments.append({"d1": ys[k], "d2": ys[k + 1], "l1": xs[k], "l2": xs[k + 1]})
    leaves = [{"l": 5 + 10 * i, "word": w["words"][leaf], "category": w["categories"][leaf]}
              for i, leaf in enumerate(tree["leaves"])]
    n = len(leaves)
    leaf = {"field": "l", "type": "quantitative", "axis": None,
            "scale": {"domain": [0, 10 * n]}}
    scores = (f"ARI {w[which]['ari']:.2f}, purity {w[which]['purity']:.2f}")
    return {
        "title": {"text": title, "subtitle": scores, "anchor": "start", "fontSize": 12,
                  "fontWeight": "normal", "color": "currentColor",
                  "subtitleColor": "currentColor", "subtitleFontSize": 11},
        "width": 170, "height": 12 * n,
        "layer": [
            {"data": {"values": segments},
             "mark": {"type": "rule", "color": "currentColor", "opacity": 0.6,
                      "strokeWidth": 1},
             "encoding": {"y": {**leaf, "field": "l1"}, "y2": {"field": "l2"},
                          "x": {"field": "d1", "type": "quantitative",
                                "title": "Ward distance", "scale": {"reverse": True}},
                          "x2": {"field": "d2"}}},
            {"data": {"values": leaves},
             "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
             "encoding": {"y": leaf, "x": {"datum": 0, "type": "quantitative"},
                          "text": {"field": "word"}, "color": category_colour()}},
        ],
    }


@chart("word-dendrograms", "Each word's mean hidden state, taken at the space that ends "
                           "it, clustered by Ward's method: the trained network (left) and "
                           "the same network before its first update (right). Word colours "
                           "are the grammar's seven categories; the scores compare a cut "
                           "into seven clusters with them.")
def word_dendrograms(run: Run) -> dict:
    return {"hconcat": [_dendrogram(run, "trained", "trained"),
                        _dendrogram(run, "untrained", "untrained (control)")],
            "spacing": 60, "resolve": {"scale": {"color": "shared"}}}


# ---------------------------------------------------------------------------
# 18: the recurrent matrix's eigenvalues

@chart("spectral-radius", "The spectral radius of W_hh (its largest eigenvalue modulus) "
                          "at each recorded step. The dashed rule marks 1, where repeated "
                          "multiplication by W_hh neither grows nor shrinks the "
                          "leading direction.")
def spectral_radius(run: Run) -> dict:
    s = run.snapshots
    return {
        "width": WIDTH, "height": 200,
        "layer": [
            {"data": {"values": rows(step=s["step"], radius=s["spectral_radius"])},
             "mark": {"type": "line", "point": {"size": 14}},
             "encoding": {"x": log_step_axis(s["step"]),
                          "y": {"field": "radius", "type": "quantitative",
                                "title": "spectral radius ρ(W_hh)",
                                "scale": {"zero": True}}}},
            {"data": {"values": [{"one": 1.0}]},
             "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor",
                      "opacity": 0.6},
             "encoding": {"y": {"field": "one", "type": "quantitative"}}},
        ],
    }


@chart("eigenvalues", "Every eigenvalue of W_hh in the complex plane at four recorded "
                      "steps, against the unit circle. An eigenvalue outside the circle "
                      "marks a direction that repeated multiplication by W_hh stretches.")
def eigenvalues(run: Run) -> dict:
    s = run.snapshots
    picked = nearest_steps(s["step"], [1, 100, 1_000])
    eig = s["eigenvalues"]
    reach = 1.08 * max(1.0, float(np.abs(eig[picked]).max()))
    domain = [-round(reach, 2), round(reach, 2)]
    panels = []
    for i in picked:
        axis = {"type": "quantitative", "scale": {"domain": domain},
                "axis": {"tickCount": 5, "grid": False}}
        panels.append({
            "title": {"text": f"step {int(s['step'][i]):,}", "anchor": "start",
                      "fontSize": 11, "fontWeight": "normal", "color": "currentColor"},
            "width": 210, "height": 210,
            "layer": [
                {"data": {"values": unit_circle()},
                 "mark": {"type": "line", "color": "currentColor", "opacity": 0.45,
                          "strokeDash": [3, 3], "strokeWidth": 1},
                 "encoding": {"x": {"field": "re", **axis, "title": "Re λ"},
                              "y": {"field": "im", **axis, "title": "Im λ"},
                              "order": {"field": "order"}}},
                {"data": {"values": rows(re=eig[i].real.astype(np.float64),
                                         im=eig[i].imag.astype(np.float64))},
                 "mark": {"type": "circle", "size": 18, "opacity": 0.85},
                 "encoding": {"x": {"field": "re", **axis, "title": "Re λ"},
                              "y": {"field": "im", **axis, "title": "Im λ"}}},
            ],
        })
    return {"concat": panels, "columns": 2, "spacing": 24}


# ---------------------------------------------------------------------------
# 19: how far back a change reaches

@chart("jacobian-norms", "The spectral norm of the product of the last k one-step "
                         "Jacobians of a chunk, against k, at a few recorded steps "
                         "(log scale). Above 1, a gradient sent k steps back can grow; "
                         "below, it shrinks.")
def jacobian_norms(run: Run) -> dict:
    j = run.jacobians
    picked = nearest_steps(j["step"], [1, 30, 300, 3_000])
    order = [f"step {int(j['step'][i]):,}" for i in picked]
    data = [r for i, name in zip(picked, order, strict=True)
            for r in rows(k=j["distance"], norm=j["product_norm"][i].astype(np.float64),
                          series=[name] * len(j["distance"]))]
    return {
        "width": WIDTH, "height": 240,
        "layer": [
            {"data": {"values": data},
             "mark": {"type": "line", "point": {"size": 18}},
             "encoding": {"x": {"field": "k", "type": "quantitative",
                                "title": "distance k (steps back from the chunk's end)",
                                "axis": {"tickMinStep": 1}},
                          "y": {"field": "norm", "type": "quantitative",
                                "title": "‖∂h_T / ∂h_(T−k)‖ (log scale)",
                                "scale": {"type": "log"},
                                "axis": {"values": log_ticks([d["norm"] for d in data] + [1.0])}},
                          "color": {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": order}}}},
            {"data": {"values": [{"one": 1.0}]},
             "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor",
                      "opacity": 0.6},
             "encoding": {"y": {"field": "one", "type": "quantitative"}}},
        ],
    }
