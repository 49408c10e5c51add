"""Each experiment against the default, side by side: the charts and the
measured differences section 20 shows.

A comparison chart is a function of the sweep and one variant, returning a
Vega-Lite spec drawn, like every chart, to a static SVG at build time. Every
variant gets `loss-bands`; an experiment file lists the others a variant needs
under `compare:` (the chart that fits its claim). Every number comes from the
runs the sweep left: validation curves, recorded snapshots and summaries.

A difference is called a difference only when it is at least twice its
standard error, sqrt(sd_a²/n_a + sd_b²/n_b): with three to five seeds that is
a rough bar, but it keeps seed-to-seed noise from being read as an effect.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .experiments import aggregate
from .run import Entry, Sweep, Variant

WIDTH = 480
COLOURS = ["#7a7a7a", "#e0803a"]   # the default in grey, the variant in colour


@dataclass(frozen=True)
class Comparison:
    """One metric of a variant against the default."""
    metric: str
    variant: dict           # aggregate over the variant's seeds (experiments.aggregate)
    default: dict
    difference: float       # variant mean minus default mean
    error: float | None     # standard error of that difference (None: too few seeds)
    verdict: str            # "higher", "lower" or "same"


def compare(metric: str, variant: dict, default: dict) -> Comparison | None:
    if not variant.get(metric) or not default.get(metric):
        return None
    a, b = variant[metric], default[metric]
    difference = a["mean"] - b["mean"]
    if a["sd"] is None or b["sd"] is None:
        error = None
        verdict = "same" if difference == 0 else ("higher" if difference > 0 else "lower")
    else:
        error = math.sqrt(a["sd"] ** 2 / a["n"] + b["sd"] ** 2 / b["n"])
        if abs(difference) < 2 * error or difference == 0:
            verdict = "same"
        else:
            verdict = "higher" if difference > 0 else "lower"
    return Comparison(metric, a, b, difference, error, verdict)


# The metrics each variant's sentence reports, beyond the loss.
CLAIMS = {"loss-bands": ("best_val_loss", "final_val_loss"),
          "radius-over-training": ("spectral_radius",),
          "clipped-share": ("clipped_share",),
          "loss-against-size": ("params",)}


def comparisons(sweep: Sweep, variant: Variant) -> dict[str, Comparison]:
    """metric -> Comparison, for the metrics the variant's charts make claims about."""
    default = aggregate(sweep.walked_variant, sweep.walk[1])
    mine = aggregate(variant, sweep.walk[1])
    metrics = [m for name in ("loss-bands", *variant.compare) for m in CLAIMS.get(name, ())]
    out = {}
    for metric in dict.fromkeys(metrics):
        found = compare(metric, mine, default)
        if found is not None:
            out[metric] = found
    return out


# ---------------------------------------------------------------------------
# The charts

COMPARISON_CHARTS: dict[str, Callable[[Sweep, Variant], dict]] = {}
CAPTIONS: dict[str, str] = {}


def comparison_chart(name: str, caption: str):
    def register(function: Callable[[Sweep, Variant], dict]) -> Callable[[Sweep, Variant], dict]:
        COMPARISON_CHARTS[name] = function
        CAPTIONS[name] = caption
        return function
    return register


def _healthy(variant: Variant) -> list[Entry]:
    return [e for e in variant.entries if not e.diverged]


def _series(sweep: Sweep, variant: Variant) -> tuple[list[tuple[str, list[Entry]]], dict]:
    base = sweep.walked_variant
    pairs = [(f"{base.name} ({len(_healthy(base))} seeds)", _healthy(base)),
             (f"{variant.name} ({len(_healthy(variant))} seeds)", _healthy(variant))]
    names = [name for name, _ in pairs]
    colour = {"field": "series", "type": "nominal", "title": None,
              "scale": {"domain": names, "range": COLOURS}}
    return pairs, colour


def _short(x) -> float:
    return float(f"{float(x):.4g}")


@comparison_chart("loss-bands", "Validation loss over training: the line is the mean over the "
                                "seeds, the band one standard deviation either side. The "
                                "dashed rule is the entropy floor.")
def loss_bands(sweep: Sweep, variant: Variant) -> dict:
    pairs, colour = _series(sweep, variant)
    rows, tops = [], []
    for name, entries in pairs:
        curves = [e.run.curves for e in entries]
        steps = curves[0]["val_step"]
        same = [c["val_loss"] for c in curves if np.array_equal(c["val_step"], steps)]
        losses = np.asarray(same, dtype=np.float64)
        mean = losses.mean(axis=0)
        sd = losses.std(axis=0, ddof=1) if len(losses) > 1 else np.zeros_like(mean)
        tops.append(float(np.max(mean[len(mean) // 5:])) if len(mean) > 4 else float(mean.max()))
        rows += [{"step": int(s), "mean": _short(m), "low": _short(m - d), "high": _short(m + d),
                  "series": name} for s, m, d in zip(steps, mean, sd, strict=True)]
    floor = sweep.walked.summary.get("entropy_floor")
    bottom = 0.9 * min([r["low"] for r in rows] + ([floor] if floor else []))
    top = 1.15 * max(tops)
    x = {"field": "step", "type": "quantitative", "title": "training step"}
    y = {"type": "quantitative", "title": "validation loss (nats/char)",
         "scale": {"domain": [round(bottom, 3), round(top, 3)], "nice": False}}
    layers = [
        {"mark": {"type": "area", "opacity": 0.22, "clip": True},
         "encoding": {"x": x, "y": {"field": "low", **y}, "y2": {"field": "high"}, "color": colour}},
        {"mark": {"type": "line", "clip": True},
         "encoding": {"x": x, "y": {"field": "mean", **y}, "color": colour}},
    ]
    if floor:
        layers.append({"data": {"values": [{"floor": floor}]},
                       "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor",
                                "opacity": 0.6},
                       "encoding": {"y": {"field": "floor", "type": "quantitative"}}})
    return {"width": WIDTH, "height": 200, "data": {"values": rows}, "layer": layers}


@comparison_chart("radius-over-training", "The spectral radius of W_hh at every recorded "
                                          "step, one line per seed (log step axis). The "
                                          "dashed rule marks 1.")
def radius_over_training(sweep: Sweep, variant: Variant) -> dict:
    pairs, colour = _series(sweep, variant)
    rows, first, last = [], [], []
    for name, entries in pairs:
        for entry in entries:
            s = entry.run.snapshots
            steps = s["step"].astype(np.int64)
            first.append(int(steps[0]))
            last.append(int(steps[-1]))
            rows += [{"step": int(t), "radius": _short(r), "series": name, "seed": entry.seed}
                     for t, r in zip(steps, s["spectral_radius"], strict=True)]
    x = {"field": "step", "type": "quantitative", "title": "training step (log scale)",
         "scale": {"type": "log", "domain": [min(first), max(last)], "nice": False},
         "axis": {"format": "~s"}}
    return {
        "width": WIDTH, "height": 200,
        "layer": [
            {"data": {"values": rows},
             "mark": {"type": "line", "strokeWidth": 1.2, "opacity": 0.85},
             "encoding": {"x": x, "y": {"field": "radius", "type": "quantitative",
                                        "title": "spectral radius of W_hh"},
                          "color": colour, "detail": {"field": "seed", "type": "nominal"}}},
            {"data": {"values": [{"one": 1.0}]},
             "mark": {"type": "rule", "strokeDash": [5, 4], "color": "currentColor", "opacity": 0.6},
             "encoding": {"y": {"field": "one", "type": "quantitative"}}},
        ],
    }


def _dots_and_means(sweep: Sweep, variant: Variant, metric: str, title: str, axis: dict) -> dict:
    pairs, colour = _series(sweep, variant)
    dots, means = [], []
    for name, entries in pairs:
        stats = aggregate(Variant(variant.name, "", {}, [], [], False, entries), sweep.walk[1])
        if not stats.get(metric):
            continue
        dots += [{"series": name, "value": _short(v), "seed": s}
                 for v, s in zip(stats[metric]["values"], stats[metric]["seeds"], strict=True)]
        means.append({"series": name, "value": _short(stats[metric]["mean"])})
    y = {"field": "series", "type": "nominal", "title": None,
         "sort": [name for name, _ in pairs]}
    x = {"field": "value", "type": "quantitative", "title": title, "axis": axis}
    return {
        "width": WIDTH - 160, "height": {"step": 34},
        "layer": [
            {"data": {"values": means}, "mark": {"type": "tick", "thickness": 2, "size": 22},
             "encoding": {"y": y, "x": x, "color": {**colour, "legend": None}}},
            {"data": {"values": dots}, "mark": {"type": "point", "filled": True, "size": 36,
                                                "opacity": 0.8},
             "encoding": {"y": y, "x": x, "color": {**colour, "legend": None}}},
        ],
    }


@comparison_chart("clipped-share", "The share of steps whose gradient was clipped: one dot "
                                   "per seed, the tick is the mean.")
def clipped_share(sweep: Sweep, variant: Variant) -> dict:
    return _dots_and_means(sweep, variant, "clipped_share", "share of steps clipped",
                           {"format": ".0%"})


@comparison_chart("loss-against-size", "The best validation loss of each seed (dots) and "
                                       "their mean (tick), for the default and the variant.")
def loss_against_size(sweep: Sweep, variant: Variant) -> dict:
    return _dots_and_means(sweep, variant, "best_val_loss", "best validation loss (nats/char)", {})
