"""What the page's trainer needs (``data/trainer.js``, site_src/static/trainpanel.js and trainsettings.js):
the text the walked run read, its vocabulary and settings, and the recorded bands
the reader's run is drawn over.

A band is a variant of the experiment matrix over its seeds: at each step the
mean training and validation loss, and one standard deviation either side. Only
variants the panel can reproduce are offered, those whose settings are all
settings of the panel (more data or an embedding, for example, are not), so
that "your settings equal this variant's" is a question the page can answer.
The training loss is recorded at every step; the bands keep the mean of each
stretch of ``bin`` steps, which the page applies to the reader's run too.
"""
from __future__ import annotations

import numpy as np

from .charts.style import significant
from .run import Entry, Run, Sweep, VariantRuns

# The settings the panel offers, as TrainConfig names them (trainsettings.js: SETTINGS),
# and the ones the trainer needs besides, fixed by the walked run.
PANEL_SETTINGS = ("hidden_size", "seq_len", "lr", "clip", "momentum", "lr_decay",
                  "lr_decay_every", "init", "activation", "freeze_whh", "seed", "steps")
FIXED_SETTINGS = ("val_fraction", "val_every")
BINS = 150   # stretches of the training-loss band over a run


def trainer_data(run: Run, sweep: Sweep) -> dict:
    steps = int(run.config["steps"])
    bin_width = max(1, steps // BINS)
    bands = [band(variant, bin_width) for variant in sweep.variants if reproducible(variant)]
    return {
        "text": run.corpus_text,
        "vocab": list(run.vocab),
        "defaults": {name: run.config[name] for name in PANEL_SETTINGS + FIXED_SETTINGS},
        "walked": {"variant": sweep.walk[0], "seed": sweep.walk[1]},
        "floor": run.summary.get("entropy_floor"),
        "bin": bin_width,
        "bands": [b for b in bands if b is not None],
    }


def reproducible(variant: VariantRuns) -> bool:
    return set(variant.settings) <= set(PANEL_SETTINGS) - {"seed", "steps"}


def _healthy(variant: VariantRuns) -> list[Entry]:
    return [e for e in variant.entries if not e.diverged]


def band(variant: VariantRuns, bin_width: int) -> dict | None:
    """The variant's mean ± sd over its healthy seeds, or None when it has none."""
    entries = _healthy(variant)
    if not entries:
        return None
    curves = [e.arrays("curves.npz", "loss", "val_step", "val_loss") for e in entries]
    settings = {name: entries[0].config[name] for name in PANEL_SETTINGS if name != "seed"}
    train = np.asarray([binned(c["loss"], bin_width) for c in curves
                        if len(c["loss"]) == len(curves[0]["loss"])], dtype=np.float64)
    steps = curves[0]["val_step"]
    val = np.asarray([c["val_loss"] for c in curves if np.array_equal(c["val_step"], steps)],
                     dtype=np.float64)
    return {
        "name": variant.name, "about": variant.about, "settings": settings,
        "seeds": [e.seed for e in entries],
        "train": spread(train, (np.arange(train.shape[1]) + 1) * bin_width),
        "val": spread(val, steps),
    }


def binned(values: np.ndarray, width: int) -> np.ndarray:
    """The mean of each whole stretch of ``width`` values."""
    whole = len(values) // width * width
    return np.asarray(values[:whole], dtype=np.float64).reshape(-1, width).mean(axis=1)


def spread(rows: np.ndarray, steps) -> dict:
    """Mean and standard deviation over the rows (seeds), at 4 significant digits."""
    mean = rows.mean(axis=0)
    sd = rows.std(axis=0, ddof=1) if len(rows) > 1 else np.zeros_like(mean)
    return {"step": [int(s) for s in steps], "mean": [significant(v) for v in mean],
            "sd": [significant(v) for v in sd]}
