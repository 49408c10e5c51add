"""What the runs support, as tests the prose can quote: ``run.evidence``.

Every sentence of the walkthrough that says one number is larger than another,
or that a curve rises, reads its verdict from here. Each verdict is a test
(walkthrough/stats.py) over the seeds of the matrix, and the tests quoted on
one page form a family, corrected together with Holm's method:

- ``training`` (section 12): does validation loss still rise or fall over the
  plateau (a slope with its standard error); does the gap between training and
  validation loss grow; does the checkpoint validation picks score better on
  the test text than the last one; does a variant's training loss sink below
  what the exact predictor pays on its own training text (memorising).
- ``clipping`` (section 11): with every step clipped, a step's length is
  lr x threshold; the variants that share that product against those that do not.
- ``units`` (section 17): how many seeds learn each fact (counts, not a test).
- ``jacobians`` (section 19): how often, after the first sixth of training, a
  gradient grows at every distance it travels back.

Every test is returned as plain data: estimate, se, p, p_adjusted, n, a
95% interval, and the verdict words the prose uses.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import stats
from .run import Entry, Sweep, VariantRuns

PLATEAU_FROM = 1 / 6         # the plateau starts this far into training (5,000 of 30,000 steps)
EARLY = (1 / 6, 1 / 3)       # the train-validation gap, early ...
LATE = (5 / 6, 1.0)          # ... and late in training, as shares of the steps
SLOPE_PER = 10_000           # slopes are quoted per this many steps
MEMORISERS = ("default", "more-data", "hidden-128", "seq-len-50")
STEP_LENGTH = (("lr-0.002", "clip-1"), ("default", "lr-0.002"), ("lr-0.002", "lr-0.001"))


def healthy(variant: VariantRuns) -> list[Entry]:
    return [e for e in variant.entries if not e.diverged]


def per_seed(entries: list[Entry], read: Callable[[Entry], float | None]) -> dict[int, float]:
    values = {e.seed: read(e) for e in entries}
    return {seed: float(v) for seed, v in values.items() if v is not None and np.isfinite(v)}


def as_data(test: stats.Test, **extra) -> dict:
    """A test as the prose reads it."""
    interval = test.interval()
    return {"kind": test.kind, "estimate": test.estimate, "se": test.se, "p": test.p,
            "p_adjusted": test.p_adjusted, "n": test.n, "significant": test.significant,
            "direction": test.direction, "low": interval[0] if interval else None,
            "high": interval[1] if interval else None, **extra}


# --- validation over the plateau ------------------------------------------------

def curves(entry: Entry) -> dict[str, np.ndarray]:
    return entry.arrays("curves.npz", "loss", "val_step", "val_loss")


def plateau_line(val_step: np.ndarray, val_loss: np.ndarray, steps: int) -> stats.Fit | None:
    """Validation loss against step (in units of SLOPE_PER steps) over the plateau,
    from PLATEAU_FROM of the way in to the end; None with too few evaluations."""
    keep = (val_step >= PLATEAU_FROM * steps) & np.isfinite(val_loss)
    try:
        return stats.line(val_step[keep] / SLOPE_PER, val_loss[keep])
    except ValueError:
        return None


def plateau_fit(entry: Entry) -> stats.Fit | None:
    c = curves(entry)
    return plateau_line(c["val_step"], c["val_loss"], entry.summary["steps"])


def validation_trend(entries: list[Entry]) -> tuple[stats.Test, dict]:
    fits = {e.seed: plateau_fit(e) for e in entries}
    fits = {seed: fit for seed, fit in fits.items() if fit is not None}
    test = stats.one_sample([fit.slope for fit in fits.values()])
    steps = entries[0].summary["steps"] if entries else 0
    return test, {"start": round(PLATEAU_FROM * steps), "stop": steps, "per": SLOPE_PER,
                  "slopes": [fit.slope for fit in fits.values()],
                  "slope_ses": [fit.se for fit in fits.values()],
                  "noise": float(np.mean([f.residual_sd for f in fits.values()])) if fits else None}


# --- the train-validation gap -------------------------------------------------------

def gap(entry: Entry, share: tuple[float, float]) -> float | None:
    """Mean validation loss minus mean training loss over a stretch of training."""
    c, steps = curves(entry), entry.summary["steps"]
    low, high = share[0] * steps, share[1] * steps
    val = c["val_loss"][(c["val_step"] >= low) & (c["val_step"] <= high)]
    train = c["loss"][int(low):int(high)]
    train = train[np.isfinite(train)]
    if not len(val) or not len(train):
        return None
    return float(val.mean() - train.mean())


def gap_growth(entries: list[Entry]) -> tuple[stats.Test, dict]:
    early, late = per_seed(entries, lambda e: gap(e, EARLY)), per_seed(entries, lambda e: gap(e, LATE))
    steps = entries[0].summary["steps"] if entries else 0
    return stats.paired(late, early), {
        "early": _spread(early), "late": _spread(late),
        "early_range": [round(EARLY[0] * steps), round(EARLY[1] * steps)],
        "late_range": [round(LATE[0] * steps), round(LATE[1] * steps)]}


def _spread(values: dict[int, float]) -> dict | None:
    if not values:
        return None
    array = np.array(list(values.values()))
    return {"mean": float(array.mean()), "sd": float(array.std(ddof=1)) if len(array) > 1 else None,
            "n": len(array)}


def headline(name: str) -> Callable[[Entry], float | None]:
    return lambda entry: (entry.headline or {}).get(name)


def below_own_floor(entry: Entry) -> float | None:
    """Training loss at the end minus the exact predictor's loss on the run's own
    training text: below zero, the network fits these sentences better than the
    language allows, which only memorising them can do."""
    floor = (entry.headline or {}).get("optimal_train_loss")
    loss = entry.summary.get("final_loss")
    return loss - floor if floor is not None and loss is not None else None


# --- the families ---------------------------------------------------------------------

def training_family(sweep: Sweep) -> dict:
    base = healthy(sweep.walked_variant)
    tests, extra = {}, {}
    tests["val_trend"], extra["val_trend"] = validation_trend(base)
    tests["gap_growth"], extra["gap_growth"] = gap_growth(base)
    tests["selection"] = stats.paired(per_seed(base, headline("test_selected")),
                                      per_seed(base, headline("test_final")))
    names = [v.name for v in sweep.variants]
    for name in MEMORISERS:
        if name in names:
            tests[f"memorised_{name}"] = stats.one_sample(
                list(per_seed(healthy(sweep.variant(name)), below_own_floor).values()))
    corrected = stats.holm(tests)
    return {name: as_data(test, **extra.get(name, {})) for name, test in corrected.items()}


def clipping_family(sweep: Sweep) -> dict:
    """Step length = lr x threshold, when every step is clipped. For each pair of
    STEP_LENGTH present: the paired difference in test loss and in final radius."""
    names = {v.name for v in sweep.variants}
    tests, about = {}, {}
    for a, b in STEP_LENGTH:
        if a not in names or b not in names:
            continue
        first, second = healthy(sweep.variant(a)), healthy(sweep.variant(b))
        key = f"{a}_vs_{b}".replace("-", "_").replace(".", "")
        for metric, read in (("test", headline("test_selected")),
                             ("radius", lambda e: e.summary.get("spectral_radius_final"))):
            tests[f"{key}_{metric}"] = stats.paired(per_seed(first, read), per_seed(second, read))
        about[key] = {"a": a, "b": b, "step_a": step_length(first), "step_b": step_length(second),
                      "all_clipped": all_clipped(first) and all_clipped(second),
                      "largest_difference": largest_difference(first, second)}
    corrected = {name: as_data(t) for name, t in stats.holm(tests).items()}
    return corrected | {"pairs": about}


def largest_difference(first: list[Entry], second: list[Entry]) -> float | None:
    """The largest |difference| in test loss (either checkpoint) on any shared seed:
    0 to the digits recorded means two variants made the same run."""
    gaps = [abs(a - b) for name in ("test_selected", "test_final")
            for seed, a in per_seed(first, headline(name)).items()
            if (b := per_seed(second, headline(name)).get(seed)) is not None]
    return max(gaps) if gaps else None


def step_length(entries: list[Entry]) -> float | None:
    """lr x threshold, the length of every clipped step (None without clipping)."""
    if not entries:
        return None
    config = entries[0].config
    return config["lr"] * config["clip"] if config.get("clip") else None


def all_clipped(entries: list[Entry]) -> bool:
    """Every step of every seed clipped: the smallest norm before clipping was above the threshold."""
    return bool(entries) and all(
        e.summary.get("grad_norm_min") is not None and e.config.get("clip", 0) > 0
        and e.summary["grad_norm_min"] > e.config["clip"] for e in entries)


def units_counts(sweep: Sweep) -> dict:
    """For each fact, how many seeds of the walked variant learn it, out of how many."""
    verdicts = [(e.headline or {}).get("unit_verdicts") or {} for e in healthy(sweep.walked_variant)]
    verdicts = [v for v in verdicts if v]
    facts = list(verdicts[0]) if verdicts else []
    return {fact: {"learned": sum(v.get(fact) == "learned" for v in verdicts), "of": len(verdicts)}
            for fact in facts}


def jacobian_share(sweep: Sweep) -> dict | None:
    """Over the seeds of the walked variant: of the Jacobian records after the first
    sixth of training, how many grow at every distance (product norm > 1 for all k)."""
    pairs = [(headline("jacobian_plateau_amplifying")(e), headline("jacobian_plateau_records")(e))
             for e in healthy(sweep.walked_variant)]
    pairs = [(a, n) for a, n in pairs if a is not None and n]
    if not pairs:
        return None
    shares = [a / n for a, n in pairs]
    return {"amplifying": sum(a for a, _ in pairs), "records": sum(n for _, n in pairs),
            "seeds": len(pairs), "share": _spread(dict(enumerate(shares))),
            "every_seed_some": all(a > 0 for a, _ in pairs),
            "every_record": all(a == n for a, n in pairs)}


def evidence(sweep: Sweep) -> dict:
    return {"training": training_family(sweep), "clipping": clipping_family(sweep),
            "units": units_counts(sweep), "jacobians": jacobian_share(sweep)}
