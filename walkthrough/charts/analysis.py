"""Phase 4: what the trained network does and where its errors are (sections
12, 16 and 17), from analysis.json and the recorded samples."""
from __future__ import annotations

import textwrap

import numpy as np

from ..run import Run
from .chart import Frame, chart
from .style import BLUE, char_label, nearest_steps, panel_title, significant, verbatim

CATEGORY_ORDER = ["NOUN_HUMAN", "NOUN_ANIMAL", "NOUN_FOOD", "NOUN_OBJECT",
                  "VERB_INTRAN", "VERB_TRAN", "VERB_PERCEPT"]
CATEGORY_COLOURS = ["#4a7fd4", "#3aa17e", "#b8a23a", "#7a7a7a",
                    "#e0803a", "#c45ab3", "#d0455b"]
GREY = "#7a7a7a"
CHAR_WIDTH = 6.6      # px per character of 11.5 px Arial text, on average: where to wrap


def wrapped(text: str, frame: Frame, indent: int = 0) -> str:
    """Text broken into lines that fit the frame, every space kept."""
    width = int((frame.width + 20 - indent) / CHAR_WIDTH)
    return "\n".join(verbatim(line) for line in textwrap.wrap(text, width, drop_whitespace=False))


def text_rows(data: list[dict], label: str, frame: Frame) -> dict:
    """Rows of (possibly several lines of) text, labelled on the left."""
    lines = max(d["text"].count("\n") + 1 for d in data)
    return {
        "width": frame.width + 20, "height": {"step": 15 * lines + 10},
        "data": {"values": data},
        "mark": {"type": "text", "align": "left", "baseline": "middle", "x": 6,
                 "lineBreak": "\n", "lineHeight": 15, "fontSize": 11.5,
                 "color": "currentColor"},
        "encoding": {"y": {"field": label, "type": "ordinal", "sort": None,
                           "title": None, "axis": {"ticks": False, "domain": False}},
                     "text": {"field": "text"}},
    }


# ---------------------------------------------------------------------------
# 12: where inside a word the errors are

@chart("word-position", "Mean loss and top-guess error over the validation text, by the "
                        "position in its word of the character being predicted (\u2423: the "
                        "space after a word; under each position, how many such characters "
                        "the text has). Grey is the exact predictor built from the grammar: "
                        "what no predictor can avoid. Blue is the network.")
def word_position(run: Run, frame: Frame) -> list[dict]:
    wp = run.analysis["word_position"]
    labels = [f"{char_label(' ') if b == 'space' else int(b) + 1}|{n}"
              for b, n in zip(wp["buckets"], wp["count"], strict=True)]
    who = ["network", "exact predictor"]

    def panel(measure: str, title: str, keys: tuple[str, str], axis: dict) -> dict:
        data = [{"at": label, "order": k, "who": name, measure: significant(wp[key][k])}
                for name, key in zip(who, keys, strict=True)
                for k, label in enumerate(labels)]
        return {
            "title": panel_title(title),
            "width": 250, "height": 170,
            "data": {"values": data},
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "at", "type": "ordinal", "sort": labels,
                      "title": "letter of the word (\u2423: the space after it)",
                      "axis": {"labelAngle": 0, "labelExpr": "split(datum.value, '|')"}},
                "xOffset": {"field": "who", "sort": who},
                "y": {"field": measure, "type": "quantitative", "title": None, "axis": axis},
                "color": {"field": "who", "type": "nominal", "title": None,
                          "scale": {"domain": who, "range": [BLUE, GREY]},
                          "legend": {"symbolType": "square"}},
            },
        }

    return [panel("loss", "loss (nats per character)", ("rnn_loss", "optimal_loss"), {}),
            panel("error", "top guess wrong", ("rnn_error", "optimal_error"),
                  {"format": ".0%"})]


# ---------------------------------------------------------------------------
# 16: what the network writes

@chart("samples-over-training", "What the network writes after \u201cthe \u201d at a few "
                                "recorded steps: the first characters of the sample the "
                                "recorder draws at each snapshot, at temperature 1.")
def samples_over_training(run: Run, frame: Frame) -> dict:
    steps = run.snapshots["step"]
    samples = run.snapshot_info["samples"]
    picked = nearest_steps(steps, [1, 10, 100, 300, 1_000, 3_000, 10_000])
    data = [{"step": f"{int(steps[i]):,}", "text": wrapped(samples[i], frame)} for i in picked]
    spec = text_rows(data, "step", frame)
    spec["encoding"]["y"]["title"] = "step"
    return spec


@chart("temperature-rates", "Share of generated words that are words of the language, "
                            "and share of generated sentences the grammar accepts, at "
                            "each sampling temperature.")
def temperature_rates(run: Run, frame: Frame) -> dict:
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
        "width": frame.width - (200 if not frame.narrow else 20), "height": 170,
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "bar"},
             "encoding": {**enc, "color": {"field": "measure", "type": "nominal", "title": None,
                                           "sort": measures,
                                           "legend": {"symbolType": "square"}}}},
            {"mark": {"type": "text", "dy": -6, "fontSize": 11, "color": "currentColor"},
             "encoding": {**enc, "text": {"field": "rate", "format": ".0%"}}},
        ],
    }


@chart("temperature-samples", "The start of the sample at each temperature, all three "
                              "drawn with the same random numbers, so they differ only "
                              "by what the temperature does to the distribution.")
def temperature_samples(run: Run, frame: Frame) -> dict:
    g = run.analysis["generation"]
    data = [{"temperature": f"T = {s['temperature']}",
             "text": wrapped(g["seed_text"] + s["text"], frame, indent=60)}
            for s in g["samples"]]
    return text_rows(data, "temperature", frame)


# ---------------------------------------------------------------------------
# 17: hidden states in two dimensions

@chart("pca-sentence", "The final network's hidden state after each character of two "
                       "sentences from the corpus, projected on the first two principal "
                       "components of all its states over the training text. The faint "
                       "line joins consecutive characters; \u2423 is a space, coloured by the "
                       "word it ends.")
def pca_sentence(run: Run, frame: Frame) -> dict:
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
    side = frame.width if frame.narrow else 360
    return {
        "width": frame.width, "height": side,
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


def dendrogram(run: Run, which: str, title: str) -> dict:
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
    scores = f"ARI {w[which]['ari']:.2f}, purity {w[which]['purity']:.2f}"
    return {
        "title": panel_title(title, scores),
        "width": 170, "height": 13 * n,
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
                          "text": {"field": "word"},
                          "color": {"field": "category", "type": "nominal", "title": None,
                                    "scale": {"domain": CATEGORY_ORDER,
                                              "range": CATEGORY_COLOURS},
                                    "legend": {"columns": 2, "symbolType": "circle"}}}},
        ],
    }


@chart("word-dendrograms", "Each word's mean hidden state, taken at the space that ends "
                           "it, clustered by Ward's method: the trained network and "
                           "the same network before its first update. Word colours "
                           "are the grammar's seven categories; the scores compare a cut "
                           "into seven clusters with them.")
def word_dendrograms(run: Run, frame: Frame) -> list[dict]:
    return [dendrogram(run, "trained", "trained"),
            dendrogram(run, "untrained", "untrained (control)")]
