"""Phase 3: training, and what it does to the network (sections 12 to 15)."""
from __future__ import annotations

import numpy as np

from ..evidence import PLATEAU_FROM, SLOPE_PER, plateau_line
from ..run import Run
from .chart import Frame, chart
from .heat import png_data_url, shade_codes
from .style import (
    binned,
    changes,
    char_label,
    json_string,
    legend_columns,
    log_step_axis,
    log_ticks,
    panel_title,
    rows,
    series,
    significant,
    state_map,
    step_axis,
)

# ---------------------------------------------------------------------------
# 12: the loss


@chart("loss", "Training loss (mean over each stretch of steps) and validation loss, "
               "in nats per character, against the entropy floor of the corpus: "
               "the lowest loss any predictor can reach. The ring marks the lowest "
               "validation loss of the run.")
def loss(run: Run, frame: Frame) -> dict:
    c = run.curves
    step, train = binned(c["step"], c["loss"], 300 if not frame.narrow else 150)
    data = rows(step=step, loss=train, series=["training"] * len(step)) + \
        rows(step=c["val_step"], loss=c["val_loss"], series=["validation"] * len(c["val_step"]))
    floor = run.summary["entropy_floor"]
    style = series(["training", "validation", "entropy floor"], [[1, 0], [1, 0], [5, 4]])
    return {
        "width": frame.width, "height": 240,
        "layer": [
            {"data": {"values": data}, "mark": {"type": "line", "clip": True},
             "encoding": {"x": step_axis(),
                          "y": {"field": "loss", "type": "quantitative",
                                "title": "loss (nats/char)", "scale": {"zero": True}},
                          **style}},
            {"data": {"values": [{"floor": floor, "series": "entropy floor"}]},
             "mark": {"type": "rule"},
             "encoding": {"y": {"field": "floor", "type": "quantitative"}, **style}},
            *best_marker(run),
        ],
    }


def best_marker(run: Run) -> list[dict]:
    """Layers that ring the lowest validation loss and name its step, placed on the
    side of the point where the label has room."""
    step, value = run.summary.get("best_val_step"), run.summary.get("best_val_loss")
    if step is None or value is None:
        return []
    left = step < 0.6 * int(run.curves["step"][-1])
    data = {"values": [{"step": int(step), "loss": significant(value),
                        "label": f"picked by validation, step {step:,}"}]}
    point = {"x": {"field": "step", "type": "quantitative"},
             "y": {"field": "loss", "type": "quantitative"}}
    return [
        {"data": data, "mark": {"type": "rule", "strokeDash": [2, 3], "color": "currentColor",
                                "opacity": 0.5},
         "encoding": {"x": point["x"]}},
        {"data": data, "mark": {"type": "point", "size": 110, "strokeWidth": 1.8,
                                "color": "currentColor"},
         "encoding": point},
        # the label at the top of the plot, beside the rule: clear of every curve
        {"data": data, "mark": {"type": "text", "fontSize": 11, "dx": 5 if left else -5,
                                "align": "left" if left else "right", "baseline": "top",
                                "color": "currentColor"},
         "encoding": {"x": point["x"], "y": {"value": 4}, "text": {"field": "label"}}},
    ]


@chart("loss-baselines", "Validation loss over training, zoomed in, against three "
                         "references on the same validation text: an n-gram model with "
                         "Kneser–Ney smoothing, the exact predictor built from the grammar, "
                         "and the entropy rate of the language. Over the plateau, the "
                         "shaded band is the straight line fitted to the evaluations ± "
                         "their scatter around it (one standard deviation): the noise of "
                         "one evaluation. The ring marks the lowest evaluation, the "
                         "checkpoint validation picks.")
def loss_baselines(run: Run, frame: Frame) -> dict:
    c, b = run.curves, run.analysis["baselines"]
    kn = f"{b['kneser_ney_order']}-gram Kneser–Ney"
    refs = [(kn, b["kneser_ney"]), ("optimal predictor", b["optimal"]),
            ("entropy floor", run.summary["entropy_floor"])]
    domain = ["validation"] + [name for name, _ in refs]
    style = series(domain, [[1, 0], [6, 3], [2, 2], [5, 4]])
    style["color"]["legend"] = legend_columns(frame, 4)
    top = 2 * max(b["kneser_ney"], float(c["val_loss"][-1]))
    bottom = 0.9 * min(v for _, v in refs)
    return {
        "width": frame.width, "height": 220,
        "layer": [
            {"data": {"values": rows(step=c["val_step"], loss=c["val_loss"],
                                     series=["validation"] * len(c["val_step"]))},
             "mark": {"type": "line", "clip": True, "point": {"size": 12}},
             "encoding": {"x": step_axis(),
                          "y": {"field": "loss", "type": "quantitative",
                                "title": "loss (nats/char)",
                                "scale": {"domain": [significant(bottom, 3),
                                                          significant(top, 3)]}},
                          **style}},
            {"data": {"values": [{"loss": v, "series": name} for name, v in refs]},
             "mark": {"type": "rule"},
             "encoding": {"y": {"field": "loss", "type": "quantitative"}, **style}},
            *plateau_band(run),
            *best_marker(run),
        ],
    }


def plateau_band(run: Run) -> list[dict]:
    """The fitted plateau line ± the evaluations' scatter around it, as a band."""
    c = run.curves
    fit = plateau_line(c["val_step"], c["val_loss"], run.summary["steps"])
    if fit is None:
        return []
    ends = [PLATEAU_FROM * run.summary["steps"], float(c["val_step"][-1])]
    band = [{"step": int(x), "low": significant(fit.intercept + fit.slope * x / SLOPE_PER - fit.residual_sd),
             "mid": significant(fit.intercept + fit.slope * x / SLOPE_PER),
             "high": significant(fit.intercept + fit.slope * x / SLOPE_PER + fit.residual_sd)}
            for x in ends]
    x = {"field": "step", "type": "quantitative"}
    return [
        {"data": {"values": band}, "mark": {"type": "area", "opacity": 0.18, "color": "currentColor"},
         "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
        {"data": {"values": band}, "mark": {"type": "line", "strokeWidth": 1, "color": "currentColor",
                                            "opacity": 0.6},
         "encoding": {"x": x, "y": {"field": "mid", "type": "quantitative"}}},
    ]


# ---------------------------------------------------------------------------
# 13: the hidden state over one chunk

@chart("hidden-heatmap", "The hidden state while the network reads the chunk of the "
                         "last recorded step: one column per character read (\u2423 is the "
                         "space), one row per hidden unit (the units that vary most over the "
                         "chunk). The first column already depends on the state the "
                         "previous chunk handed over.")
def hidden_heatmap(run: Run, frame: Frame, units: int = 24) -> dict:
    s = run.snapshots
    hidden = s["hidden"][-1].astype(np.float64)          # (T, H): state after each input
    keep = np.argsort(-hidden.var(axis=0))[:units]
    # Order the rows by each unit's loading on the chunk's main mode of variation,
    # so that units that switch together sit together.
    centred = hidden[:, keep] - hidden[:, keep].mean(axis=0)
    loading = np.linalg.svd(centred, full_matrices=False)[2][0]
    keep = keep[np.argsort(loading)]
    chars = [char_label(run.vocab[i]) for i in s["inputs"][-1]]
    return state_map(hidden[:, keep], chars, None, frame)


# ---------------------------------------------------------------------------
# 14: the parameters as they move

@chart("learning-rate", "The learning rate at every step: the step decay multiplies it "
                        "by a fixed rate at a fixed interval.")
def learning_rate(run: Run, frame: Frame) -> dict:
    step, lr = changes(run.curves["step"], run.curves["lr"])
    return {
        "width": frame.width, "height": 160,
        "data": {"values": rows(step=step, lr=lr)},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {"x": step_axis(),
                     "y": {"field": "lr", "type": "quantitative", "title": "learning rate",
                           "scale": {"zero": False}, "axis": {"format": ".4f"}}},
    }


@chart("param-norms", "The Frobenius norm of each parameter at the recorded steps. "
                      "Every update adds to the weights; nothing pulls them back.")
def param_norms(run: Run, frame: Frame) -> dict:
    s, names = run.snapshots, run.snapshot_info["param_names"]
    data = [r for i, name in enumerate(names)
            for r in rows(step=s["step"], norm=s["param_norms"][:, i],
                          series=[name] * len(s["step"]))]
    style = series(names)
    style["color"]["legend"] = legend_columns(frame, 5)
    return {
        "width": frame.width, "height": 220,
        "data": {"values": data},
        "mark": {"type": "line"},
        "encoding": {"x": log_step_axis(s["step"]),
                     "y": {"field": "norm", "type": "quantitative", "title": "\u2016\u03b8\u2016"},
                     **style},
    }


MATRICES = (("W_xh", "input \u2192 hidden"), ("W_hh", "hidden \u2192 hidden"),
            ("W_hy", "hidden \u2192 output"))


def weight_map(name: str, what: str, matrix: np.ndarray, vocab: list[str]) -> dict:
    """One weight matrix as a heat map: a PNG of its shade codes, one pixel per
    weight, scaled up without smoothing. A side that runs over the vocabulary is
    labelled with its characters, and gets 11 px per character so that they fit."""
    codes, largest = shade_codes(matrix)
    rows_, cols = codes.shape
    unit = max(2, min(12, 256 // max(rows_, cols)))      # px per hidden unit
    letters = "[" + ",".join(json_string(char_label(c)) for c in vocab) + "][datum.value]"

    def side(count: int, field: str) -> tuple[int, dict]:
        by_char = count == len(vocab)
        size = 11 * count if by_char else unit * count
        axis = {"title": "character" if by_char else "hidden unit", "ticks": False,
                "domain": False, "grid": False}
        if by_char:
            axis |= {"values": [k + 0.5 for k in range(count)], "labelAngle": 0,
                     "labelExpr": letters.replace("datum.value", "floor(datum.value)")}
        else:
            axis |= {"values": [0, count], "format": "d", "labelExpr":
                     f"datum.value == 0 ? '1' : '{count}'"}
        return size, {"field": field, "type": "quantitative",
                      "scale": {"domain": [0, count], "nice": False, "zero": False}, "axis": axis}

    height, y = side(rows_, "y")
    width, x = side(cols, "x")
    y["scale"]["reverse"] = True          # row 0 at the top, as the matrix is written
    return {
        "title": panel_title(f"{name}: {what}", f"{rows_} \u00d7 {cols}, largest |w| {largest:.2f}"),
        "width": width, "height": height,
        "data": {"values": [{"x": 0, "x2": cols, "y": 0, "y2": rows_,
                             "url": png_data_url(codes)}]},
        "mark": {"type": "image", "aspect": False, "smooth": False},
        "encoding": {"x": x, "x2": {"field": "x2"}, "y": y, "y2": {"field": "y2"},
                     "url": {"field": "url"}},
    }


@chart("weights", "The three weight matrices as heat maps, as initialised and after the "
                  "last recorded update: blue below zero, orange above, the shade in "
                  "proportion to |w| over the largest |w| of that matrix at that step "
                  "(printed above it). Rows are what a matrix feeds, columns "
                  "what it reads; \u2423 is the space.")
def weights(run: Run, frame: Frame) -> list[dict]:
    w = run.weights
    steps = w["step"]
    panels = []
    for i in sorted({0, len(steps) - 1}):
        panels.append({
            "title": panel_title(f"step {int(steps[i]):,}"),
            "vconcat": [weight_map(name, what, w[name][i], run.vocab) for name, what in MATRICES],
            "spacing": 18,
        })
    return panels


# ---------------------------------------------------------------------------
# 15: what the recorder sees

@chart("saturation", "Share of saturated hidden activations (|h| above the threshold in the notes) "
                     "over the chunk at each "
                     "recorded step (one point per snapshot). A saturated tanh unit "
                     "passes almost no gradient back.")
def saturation(run: Run, frame: Frame) -> dict:
    s = run.snapshots
    return {
        "width": frame.width, "height": 180,
        "data": {"values": rows(step=s["step"], saturated=s["saturation"])},
        "mark": {"type": "line", "point": {"size": 14, "filled": True}},
        "encoding": {"x": log_step_axis(s["step"]),
                     "y": {"field": "saturated", "type": "quantitative",
                           "title": "saturated units", "axis": {"format": ".0%"},
                           "scale": {"domain": [0, 1]}}},
    }


@chart("grad-norms", "Gradient norm of each parameter before clipping, and the global "
                     "norm, at each recorded step (log scales). The dashed rule is the "
                     "clipping threshold: every point of the global norm above it "
                     "was scaled down to it.")
def grad_norms(run: Run, frame: Frame) -> dict:
    s, names = run.snapshots, run.snapshot_info["param_names"]
    data = [r for i, name in enumerate(names)
            for r in rows(step=s["step"], norm=s["grad_norms"][:, i],
                          series=[name] * len(s["step"]))]
    data += rows(step=s["step"], norm=s["total_grad_norm"],
                 series=["global"] * len(s["step"]))
    style = series(names + ["global"])
    style["color"]["legend"] = legend_columns(frame, 6)
    layers = [{"data": {"values": data},
               "mark": {"type": "line"},
               "encoding": {"x": log_step_axis(s["step"]),
                            "y": {"field": "norm", "type": "quantitative",
                                  "title": "gradient norm (log scale)",
                                  "scale": {"type": "log"},
                                  "axis": {"values": log_ticks([d["norm"] for d in data])}},
                            **style,
                            "strokeWidth": {"condition": {"test": "datum.series === 'global'",
                                                          "value": 2.6}, "value": 1.2}}}]
    if run.config["clip"] > 0:
        layers.append({"data": {"values": [{"clip": run.config["clip"]}]},
                       "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor",
                                "opacity": 0.6},
                       "encoding": {"y": {"field": "clip", "type": "quantitative"}}})
    return {"width": frame.width, "height": 240, "layer": layers}
