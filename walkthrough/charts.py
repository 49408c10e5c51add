"""The charts, drawn from the run: one small function per chart.

Each function takes the Run and returns a Vega-Lite spec (a plain dict) whose
data come from the run's arrays and JSON files, never from typed numbers. The
build renders the spec to a static SVG at build time (vega.py), caches it by the
spec's hash, and inlines it in the page, so charts read without JavaScript.
Colours, fonts and axes come from site_src/chart-theme.json: specs say what to
draw, the theme says how it looks.

To add a chart:
1. write ``def name(run: Run) -> dict`` below, building the spec from ``run``
   (``run.curves``, ``run.snapshots``, ``run.jacobians``, ``run.weights``,
   ``run.summary``, ``run.corpus``, ``run.analysis``...); keep data small with
   ``binned`` and ``rows``;
2. decorate it with ``@chart("chart-name", "One-sentence caption.")``;
3. list ``chart-name`` under ``charts:`` in the section's YAML file;
4. build, and look at it in both themes and at 375 px wide.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .run import Run

WIDTH = 560   # the plot area; axes and legend add to it


@dataclass(frozen=True)
class Chart:
    name: str
    caption: str
    spec: Callable[[Run], dict]


CHARTS: dict[str, Chart] = {}


def chart(name: str, caption: str):
    """Register the decorated function as the chart ``name``."""
    def register(function: Callable[[Run], dict]) -> Callable[[Run], dict]:
        if name in CHARTS:
            raise ValueError(f"chart {name!r} is defined twice")
        CHARTS[name] = Chart(name, caption, function)
        return function
    return register


# ---------------------------------------------------------------------------
# Helpers: small data, plain rows

def rows(**columns) -> list[dict]:
    """Columns of equal length as a list of records, floats to 4 significant digits."""
    names = list(columns)
    arrays = [np.asarray(columns[n]).tolist() for n in names]
    return [{n: _short(v) for n, v in zip(names, values, strict=True)}
            for values in zip(*arrays, strict=True)]


def _short(value):
    return float(f"{value:.4g}") if isinstance(value, float) else value


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


def unit_circle(points: int = 128) -> list[dict]:
    """The unit circle as rows (re, im, order), for eigenvalue plots: draw it as a
    line with ``order`` as the order channel so the points join in sequence."""
    angle = np.linspace(0.0, 2.0 * np.pi, points + 1)
    return rows(re=np.cos(angle), im=np.sin(angle), order=np.arange(points + 1))


def step_axis() -> dict:
    return {"field": "step", "type": "quantitative", "title": "training step"}


# ---------------------------------------------------------------------------
# The charts

@chart("loss", "Training loss (mean over each stretch of steps) and validation loss, "
               "in nats per character, against the entropy floor of the corpus: "
               "the lowest loss any predictor can reach.")
def loss(run: Run) -> dict:
    c = run.curves
    step, train = binned(c["step"], c["loss"])
    data = rows(step=step, loss=train, series=["training"] * len(step)) + \
        rows(step=c["val_step"], loss=c["val_loss"], series=["validation"] * len(c["val_step"]))
    floor = run.summary["entropy_floor"]
    series = ["training", "validation", "entropy floor"]
    style = {"color": {"field": "series", "type": "nominal", "title": None,
                       "scale": {"domain": series}},
             "strokeDash": {"field": "series", "type": "nominal", "title": None,
                            "scale": {"domain": series, "range": [[1, 0], [1, 0], [5, 4]]}}}
    return {
        "width": WIDTH, "height": 240,
        "layer": [
            {"data": {"values": data}, "mark": {"type": "line", "clip": True},
             "encoding": {"x": step_axis(),
                          "y": {"field": "loss", "type": "quantitative",
                                "title": "loss (nats/char)", "scale": {"zero": True}},
                          **style}},
            {"data": {"values": [{"floor": floor, "series": "entropy floor"}]},
             "mark": {"type": "rule"},
             "encoding": {"y": {"field": "floor", "type": "quantitative"}, **style}},
        ],
    }


@chart("learning-rate", "The learning rate at every step: the step decay multiplies it "
                        "by a fixed rate at a fixed interval.")
def learning_rate(run: Run) -> dict:
    step, lr = changes(run.curves["step"], run.curves["lr"])
    return {
        "width": WIDTH, "height": 160,
        "data": {"values": rows(step=step, lr=lr)},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {"x": step_axis(),
                     "y": {"field": "lr", "type": "quantitative", "title": "learning rate",
                           "scale": {"zero": False}, "axis": {"format": ".4f"}}},
    }


@chart("corpus-templates", "How many sentences of the corpus each of the templates "
                           "produced.")
def corpus_templates(run: Run) -> dict:
    counts = run.corpus["template_counts"]
    data = [{"template": t, "count": n} for t, n in sorted(counts.items())]
    return {
        "width": WIDTH - 260, "height": {"step": 16},
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {"y": {"field": "template", "type": "nominal", "sort": "-x", "title": None},
                     "x": {"field": "count", "type": "quantitative", "title": "sentences"}},
    }

# The other chart modules register themselves on import.
from . import charts_dynamics, charts_model, charts_units  # noqa: E402, F401
