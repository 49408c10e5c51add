"""Each experiment against the default, side by side: the charts section 20
draws for every variant of the matrix (walkthrough/over_seeds.py has the
numbers and the sentences' verdicts).

A comparison chart draws an experiment (its source is "experiment"): it is
given the sweep and one variant, and finds the default as the sweep's walked-
through variant. Every variant gets `loss-bands`; an experiment file lists the
others a variant needs under `compare:`, the chart that fits its claim. Every
number comes from the runs the sweep left: validation curves, recorded
snapshots and summaries.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from ..over_seeds import aggregate
from ..run import Entry, Sweep, VariantRuns
from .chart import Frame
from .chart import chart as _chart
from .style import log_step_axis, reference_rule, significant, step_axis

chart = partial(_chart, source="experiment")
COLOURS = ["#7a7a7a", "#e0803a"]   # the default in grey, the variant in colour


def _healthy(variant: VariantRuns) -> list[Entry]:
    return [e for e in variant.entries if not e.diverged]


def _series(sweep: Sweep, variant: VariantRuns) -> tuple[list[tuple[str, list[Entry]]], dict]:
    """The default's and the variant's runs that did not diverge, as named series; a
    side whose every run diverged has no series (section 20 says it diverged)."""
    base = sweep.walked_variant
    pairs = [(f"{v.name} ({len(_healthy(v))} seeds)", _healthy(v)) for v in (base, variant)
             if _healthy(v)]
    names = [name for name, _ in pairs]
    colour = {"field": "series", "type": "nominal", "title": None,
              "scale": {"domain": names, "range": COLOURS}}
    return pairs, colour


@chart("loss-bands", "Validation loss over training: the line is the mean over the seeds, "
                    "the band one standard deviation either side. The dashed rule is the "
                    "entropy floor.")
def loss_bands(sweep: Sweep, variant: VariantRuns, frame: Frame) -> dict:
    pairs, colour = _series(sweep, variant)
    rows, tops = [], []
    for name, entries in pairs:
        curves = [e.arrays("curves.npz", "val_step", "val_loss") for e in entries]
        steps = curves[0]["val_step"]
        same = [c["val_loss"] for c in curves if np.array_equal(c["val_step"], steps)]
        losses = np.asarray(same, dtype=np.float64)
        mean = losses.mean(axis=0)
        sd = losses.std(axis=0, ddof=1) if len(losses) > 1 else np.zeros_like(mean)
        tops.append(float(np.max(mean[len(mean) // 5:])) if len(mean) > 4 else float(mean.max()))
        rows += [{"step": int(s), "mean": significant(m), "low": significant(m - d),
                  "high": significant(m + d), "series": name}
                 for s, m, d in zip(steps, mean, sd, strict=True)]
    floor = sweep.walked.summary.get("entropy_floor")
    bottom = 0.9 * min([r["low"] for r in rows] + ([floor] if floor else []))
    top = 1.15 * max(tops)
    x = step_axis()
    y = {"type": "quantitative", "title": "validation loss (nats/char)",
         "scale": {"domain": [round(bottom, 3), round(top, 3)], "nice": False}}
    layers = [
        {"mark": {"type": "area", "opacity": 0.22, "clip": True},
         "encoding": {"x": x, "y": {"field": "low", **y}, "y2": {"field": "high"},
                      "color": {**colour, "legend": None}}},
        {"mark": {"type": "line", "clip": True},
         "encoding": {"x": x, "y": {"field": "mean", **y}, "color": colour}},
    ]
    if floor:
        layers.append(reference_rule(floor, "floor"))
    # The band layer has no legend of its own; kept apart, the legend draws the lines.
    return {"width": frame.width, "height": 200, "data": {"values": rows}, "layer": layers,
            "resolve": {"legend": {"color": "independent"}}}


@chart("radius-over-training", "The spectral radius of W_hh at every recorded step, one line "
                              "per seed (log step axis). The dashed rule marks 1.")
def radius_over_training(sweep: Sweep, variant: VariantRuns, frame: Frame) -> dict:
    pairs, colour = _series(sweep, variant)
    rows, first, last = [], [], []
    for name, entries in pairs:
        for entry in entries:
            s = entry.arrays("snapshots.npz", "step", "spectral_radius")
            steps = s["step"].astype(np.int64)
            first.append(int(steps[0]))
            last.append(int(steps[-1]))
            rows += [{"step": int(t), "radius": significant(r), "series": name, "seed": entry.seed}
                     for t, r in zip(steps, s["spectral_radius"], strict=True)]
    x = log_step_axis(np.array([min(first), max(last)]))
    return {
        "width": frame.width, "height": 200,
        "layer": [
            {"data": {"values": rows},
             "mark": {"type": "line", "strokeWidth": 1.2, "opacity": 0.85},
             "encoding": {"x": x, "y": {"field": "radius", "type": "quantitative",
                                        "title": "spectral radius of W_hh"},
                          "color": colour, "detail": {"field": "seed", "type": "nominal"}}},
            reference_rule(1.0),
        ],
    }


def _dots_and_means(sweep: Sweep, variant: VariantRuns, frame: Frame, metric: str, title: str,
                    axis: dict, scale: dict) -> dict:
    pairs, colour = _series(sweep, variant)
    dots, means = [], []
    for name, entries in pairs:
        stats = aggregate(VariantRuns(variant.name, "", {}, [], [], False, entries), sweep.walk[1])
        if not stats.get(metric):
            continue
        dots += [{"series": name, "value": significant(v), "seed": s}
                 for v, s in zip(stats[metric]["values"], stats[metric]["seeds"], strict=True)]
        means.append({"series": name, "value": significant(stats[metric]["mean"])})
    y = {"field": "series", "type": "nominal", "title": None,
         "sort": [name for name, _ in pairs]}
    x = {"field": "value", "type": "quantitative", "title": title, "axis": axis, "scale": scale}
    return {
        "width": frame.width - (140 if frame.narrow else 180), "height": {"step": 34},
        "layer": [
            {"data": {"values": means}, "mark": {"type": "tick", "thickness": 2, "size": 22},
             "encoding": {"y": y, "x": x, "color": {**colour, "legend": None}}},
            {"data": {"values": dots}, "mark": {"type": "point", "filled": True, "size": 36,
                                                "opacity": 0.8},
             "encoding": {"y": y, "x": x, "color": {**colour, "legend": None}}},
        ],
    }


@chart("clipped-share", "The share of steps whose gradient was clipped: one dot per seed, "
                       "the tick is the mean.")
def clipped_share(sweep: Sweep, variant: VariantRuns, frame: Frame) -> dict:
    return _dots_and_means(sweep, variant, frame, "clipped_share", "share of steps clipped",
                           {"format": ".0%"}, {"domain": [0, 1]})


@chart("loss-against-size", "The test loss of each seed's checkpoint picked by validation "
                           "(dots) and their mean (tick), for the default and the variant, "
                           "all on the same held-out text.")
def loss_against_size(sweep: Sweep, variant: VariantRuns, frame: Frame) -> dict:
    return _dots_and_means(sweep, variant, frame, "test_selected",
                           "test loss (nats/char)", {},
                           {"zero": False, "padding": 12})   # dots, not bars: the gap is the point
