"""Every training setting in one dataclass, and the rules that keep it trainable.

This module imports nothing heavier than the standard library, so the command
line, the experiment sweep and the site's build can read and check settings
without loading NumPy's linear algebra or PyTorch.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, fields

INIT_METHODS = ("orthogonal", "xavier", "random")
ACTIVATION_NAMES = ("tanh", "relu", "sigmoid")


class ConfigError(ValueError):
    """A setting that cannot train; the message names it and says what is allowed."""


@dataclass
class TrainConfig:
    steps: int = 30_000
    hidden_size: int = 64
    seq_len: int = 25
    lr: float = 0.01
    momentum: float = 0.7          # 0.9 gave a noisier, worse validation loss here
    lr_decay: float = 0.985        # multiply the learning rate by this ...
    lr_decay_every: int = 5_000    # ... every this many steps
    clip: float = 5.0              # global gradient norm threshold; 0 disables
    seed: int = 42                 # weights and sampling
    init: str = "orthogonal"
    activation: str = "tanh"
    embedding_dim: int = 0         # 0: one-hot input
    freeze_whh: bool = False       # never update W_hh (an echo-state baseline)
    num_sentences: int = 600
    corpus_seed: int = 42
    val_fraction: float = 0.1
    val_every: int = 500
    sample_every: int = 5_000      # console samples
    corpus_path: str = ""          # train on this text file instead of a generated corpus

    def validate(self) -> TrainConfig:
        """Reject settings that cannot train, naming the setting and the rule."""
        for f in fields(self):
            _check_type(f.name, getattr(self, f.name), type(f.default))
        for name, (allowed, rule) in RULES.items():
            value = getattr(self, name)
            if not allowed(value):
                raise ConfigError(f"{name} {rule}, got {quoted(value)}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """From a run's config.json: fields this version does not know are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def from_settings(cls, settings: dict) -> TrainConfig:
        """From settings a person wrote (an experiment file, a build option): an unknown
        name is an error, numbers are read as the field's type, and the result is
        validated."""
        known = {f.name: type(f.default) for f in fields(cls)}
        values = {}
        for name, value in settings.items():
            if name not in known:
                close = difflib.get_close_matches(str(name), known, n=1)
                hint = f"did you mean '{close[0]}'?" if close else "see `charrnn train --help`"
                raise ConfigError(f"unknown setting {quoted(name)} ({hint})")
            values[name] = _as_field_type(name, value, known[name])
        return cls(**values).validate()



# What each setting means, in the words every command line shows as its help:
# `charrnn train --help` and build.py's training options are made from this.
HELP = {
    "steps": "training steps (chunks)", "hidden_size": "hidden units H",
    "seq_len": "characters per chunk (truncation length)", "lr": "learning rate",
    "momentum": "momentum coefficient mu", "lr_decay": "learning-rate decay factor",
    "lr_decay_every": "apply the decay every this many steps",
    "clip": "global gradient-norm threshold (0 disables)", "seed": "seed for weights and samples",
    "init": "W_hh initialisation: orthogonal, xavier or random",
    "activation": "tanh, relu or sigmoid", "embedding_dim": "learned embedding size (0: one-hot)",
    "freeze_whh": "never update W_hh (echo-state baseline)",
    "num_sentences": "sentences in the generated corpus", "corpus_seed": "seed of the generated corpus",
    "val_fraction": "share of the text held out for validation",
    "val_every": "validation interval in steps", "sample_every": "print a sample every this many steps",
    "corpus_path": "train on this text file instead of a generated corpus",
}

def _finite(low: float, high: float, *, open_low: bool = False):
    def allowed(value: float) -> bool:
        above = value > low if open_low else value >= low
        return math.isfinite(value) and above and value <= high
    return allowed


def _whole(low: int, high: int):
    return lambda value: low <= value <= high


MAX_SEED = 2**32 - 1

# What each numeric setting may be. The upper bounds are not about taste: each
# keeps one run within what a single machine can hold and finish.
RULES = {
    "steps": (_whole(1, 10_000_000), "must be a whole number from 1 to 10,000,000"),
    "hidden_size": (_whole(1, 4_096), "must be a whole number from 1 to 4,096"),
    "seq_len": (_whole(1, 100_000), "must be a whole number from 1 to 100,000"),
    "lr": (_finite(0.0, 1e6, open_low=True), "must be a finite number above 0 (at most 1e6)"),
    "momentum": (lambda v: math.isfinite(v) and 0.0 <= v < 1.0, "must be at least 0 and below 1"),
    "lr_decay": (_finite(0.0, 1.0, open_low=True), "must be above 0 and at most 1 (1: no decay)"),
    "lr_decay_every": (_whole(1, 10_000_000), "must be a whole number from 1 to 10,000,000"),
    "clip": (_finite(0.0, 1e12), "must be a finite number, at least 0 (0 disables clipping)"),
    "seed": (_whole(0, MAX_SEED), f"must be a whole number from 0 to {MAX_SEED:,}"),
    "init": (lambda v: v in INIT_METHODS, "must be one of " + ", ".join(INIT_METHODS)),
    "activation": (lambda v: v in ACTIVATION_NAMES, "must be one of " + ", ".join(ACTIVATION_NAMES)),
    "embedding_dim": (_whole(0, 4_096), "must be a whole number from 0 (one-hot input) to 4,096"),
    "num_sentences": (_whole(1, 1_000_000), "must be a whole number from 1 to 1,000,000"),
    "corpus_seed": (_whole(0, MAX_SEED), f"must be a whole number from 0 to {MAX_SEED:,}"),
    "val_fraction": (_finite(0.0, 1.0, open_low=True), "must be between 0 and 1"),
    "val_every": (_whole(1, 10_000_000), "must be a whole number from 1 to 10,000,000"),
    "sample_every": (_whole(1, 10_000_000), "must be a whole number from 1 to 10,000,000"),
}


def _check_type(name: str, value, kind: type) -> None:
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok:
        raise ConfigError(f"{name} must be {_KIND_NAMES[kind]}, got {quoted(value)}")


def _as_field_type(name: str, value, kind: type):
    """YAML reads `1e-3` as text (YAML 1.1 wants `1.0e-3`) and `1` as a whole number
    where a float is meant; accept both as numbers, and nothing looser."""
    if kind is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {quoted(value)}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    _check_type(name, value, kind)
    return value


_KIND_NAMES = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}


def quoted(value, limit: int = 40) -> str:
    """A value as a message quotes it: its repr (so that a control character shows
    as an escape and the message stays one line), cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
