"""Numbers over seeds: every headline figure of a variant as mean ± sd over its
training seeds, with the walked-through run's own value beside it, and each
variant's figures against the default's.

The figures are read from each run's summary, timing and analysis headline, as
the sweep's index lists them; nothing here trains or re-analyses. A run that
diverged has no meaningful figures: it is left out of every mean and counted
in ``diverged`` instead.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .run import Entry, Sweep, Variant


def _summary(name: str) -> Callable[[Entry], float | None]:
    return lambda entry: entry.summary.get(name)


def _headline(name: str) -> Callable[[Entry], float | None]:
    return lambda entry: (entry.headline or {}).get(name)


def _ratio(top: Callable, bottom: Callable) -> Callable[[Entry], float | None]:
    def value(entry: Entry) -> float | None:
        a, b = top(entry), bottom(entry)
        return a / b if a is not None and b else None
    return value


# name -> how to read it from one run
METRICS: dict[str, Callable[[Entry], float | None]] = {
    "final_loss": _summary("final_loss"),
    "final_val_loss": _summary("final_val_loss"),
    "best_val_loss": _summary("best_val_loss"),
    "best_val_step": _summary("best_val_step"),
    "final_over_floor": _ratio(_summary("final_val_loss"), _summary("entropy_floor")),
    "best_over_floor": _ratio(_summary("best_val_loss"), _summary("entropy_floor")),
    "overfit_gap": lambda e: (e.summary["final_val_loss"] - e.summary["best_val_loss"]
                              if e.summary.get("best_val_loss") is not None else None),
    "spectral_radius": _summary("spectral_radius_final"),
    "clipped_share": _summary("clipped_share"),
    "grad_norm_median": _summary("grad_norm_median"),
    "params": _summary("params"),
    "hit_rate": _headline("vocab_hit_rate"),
    "grammar_rate": _headline("grammar_rate"),
    "ari": _headline("ari"),
    "ari_control": _headline("ari_control"),
    "ari_over_control": _ratio(_headline("ari"), _headline("ari_control")),
    "noun_verb_ari": _headline("noun_verb_ari"),
    "train_seconds": lambda e: e.timing.get("train_seconds"),
}


def spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (None for one value), extremes and count."""
    array = np.asarray(values, dtype=np.float64)
    return {"mean": float(array.mean()), "sd": float(array.std(ddof=1)) if len(array) > 1 else None,
            "min": float(array.min()), "max": float(array.max()), "n": len(array)}


def aggregate(variant: Variant, walked_seed: int | None) -> dict:
    """Every metric of a variant over its seeds: {metric: {mean, sd, min, max, n,
    values, seeds, walked}} (None when no run measured it), plus ``seeds`` (the
    seeds that finished) and ``diverged`` (how many runs diverged)."""
    healthy = [e for e in variant.entries if not e.diverged]
    out: dict = {"name": variant.name, "about": variant.about, "settings": variant.settings,
                 "seeds": [e.seed for e in healthy],
                 "diverged": len(variant.entries) - len(healthy)}
    for name, read in METRICS.items():
        pairs = [(e.seed, read(e)) for e in healthy]
        pairs = [(seed, float(v)) for seed, v in pairs if v is not None and math.isfinite(v)]
        if not pairs:
            out[name] = None   # no run of this variant measured it
            continue
        values = [v for _, v in pairs]
        walked = next((v for seed, v in pairs if seed == walked_seed), None)
        out[name] = {**spread(values), "values": values, "seeds": [s for s, _ in pairs],
                     "walked": walked}
    return out


def all_variants(sweep: Sweep) -> dict[str, dict]:
    """`aggregate` for every variant, by name, in the file's order."""
    return {v.name: aggregate(v, sweep.walk[1]) for v in sweep.variants}


# ---------------------------------------------------------------------------
# A variant against the default
#
# A difference is called a difference only when it is at least twice its
# standard error, sqrt(sd_a²/n_a + sd_b²/n_b): with three to five seeds that is
# a rough bar, but it keeps seed-to-seed noise from being read as an effect.

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
