"""Numbers over seeds: every headline figure of a variant as mean ± sd over its
training seeds, with the walked-through run's own value beside it, and each
variant's figures against the default's, as paired tests.

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

from . import stats
from .run import Entry, Sweep, VariantRuns


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
    "test_final": _headline("test_final"),
    "test_selected": _headline("test_selected"),
    "test_floor": _headline("test_floor"),
    "test_final_over_floor": _headline("test_final_over_floor"),
    "test_selected_over_floor": _headline("test_selected_over_floor"),
    "spectral_radius": _summary("spectral_radius_final"),
    "clipped_share": _summary("clipped_share"),
    "grad_norm_median": _summary("grad_norm_median"),
    "grad_norm_min": _summary("grad_norm_min"),
    "grad_norm_max": _summary("grad_norm_max"),
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


def aggregate(variant: VariantRuns, walked_seed: int | None) -> dict:
    """Every metric of a variant over its seeds: {metric: {mean, sd, min, max, n,
    values, seeds, walked}} (None when no run measured it), plus ``seeds`` (the
    seeds that finished), ``diverged`` (how many runs diverged) and ``diverged_at``
    (where each of them stopped)."""
    healthy = [e for e in variant.entries if not e.diverged]
    out: dict = {"name": variant.name, "about": variant.about, "settings": variant.settings,
                 "seeds": [e.seed for e in healthy],
                 "diverged": len(variant.entries) - len(healthy),
                 "diverged_at": diverged_at(variant)}
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


def diverged_at(variant: VariantRuns) -> list[dict]:
    """Each run of the variant that diverged: {seed, step, reason}, in seed order of
    the file. A diverged run is a result, shown as such, never a hole in a chart."""
    return [{"seed": e.seed, "step": int(e.summary["diverged"]),
             "reason": e.summary.get("diverged_reason") or ""}
            for e in variant.entries if e.diverged]


def all_variants(sweep: Sweep) -> dict[str, dict]:
    """`aggregate` for every variant, by name, in the file's order."""
    return {v.name: aggregate(v, sweep.walk[1]) for v in sweep.variants}


# ---------------------------------------------------------------------------
# A variant against the default
#
# Every variant trains with the default's seeds, and a seed fixes both the
# initial weights and the corpus, so each seed is its own control: the
# difference is tested per seed (a paired t-test), with Welch's test only where
# two variants share no seed. Section 20 states every verdict at once, so the
# p-values are corrected together (Holm): with thirty verdicts on one page,
# uncorrected 5% tests would call one or two differences out of noise alone.

@dataclass(frozen=True)
class Comparison:
    """One metric of a variant against the default."""
    metric: str
    variant: dict           # aggregate over the variant's seeds (experiments.aggregate)
    default: dict
    test: stats.Test        # variant minus default, Holm-adjusted over the page

    @property
    def difference(self) -> float:
        return self.test.estimate

    @property
    def verdict(self) -> str:
        """'higher', 'lower' or 'same' (no difference the test can tell from noise)."""
        return self.test.direction


# The metrics each variant's sentence reports, by the chart that shows them.
# The loss is the test loss, of the checkpoint validation picks and of the last.
CLAIMS = {"loss-bands": ("test_selected", "test_final"),
          "radius-over-training": ("spectral_radius",),
          "clipped-share": ("clipped_share",),
          "loss-against-size": ("params",)}
DESCRIBED = frozenset({"params"})   # set by the settings, not measured: stated, never tested


def claimed(variant: VariantRuns) -> list[str]:
    metrics = [m for name in ("loss-bands", *variant.compare) for m in CLAIMS.get(name, ())]
    return list(dict.fromkeys(metrics))


def by_seed(stats_of_metric: dict) -> dict[int, float]:
    return dict(zip(stats_of_metric["seeds"], stats_of_metric["values"], strict=True))


def all_comparisons(sweep: Sweep) -> dict[str, dict[str, Comparison]]:
    """variant -> metric -> Comparison, for every variant but the walked one and
    every metric its charts make claims about, corrected together."""
    walked_seed = sweep.walk[1]
    default = aggregate(sweep.walked_variant, walked_seed)
    tests, pairs = {}, {}
    for variant in sweep.variants:
        if variant.name == sweep.walk[0]:
            continue
        mine = aggregate(variant, walked_seed)
        for metric in claimed(variant):
            if not mine.get(metric) or not default.get(metric):
                continue
            test = stats.paired(by_seed(mine[metric]), by_seed(default[metric]))
            if metric in DESCRIBED:
                test = stats.Test("none", test.estimate, None, None, test.n)
            tests[(variant.name, metric)] = test
            pairs[(variant.name, metric)] = (mine[metric], default[metric])
    out: dict[str, dict[str, Comparison]] = {}
    for (name, metric), test in stats.holm(tests).items():
        out.setdefault(name, {})[metric] = Comparison(metric, *pairs[(name, metric)], test)
    return out
