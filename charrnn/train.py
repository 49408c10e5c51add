"""Phase 3: truncated backpropagation through time, SGD with momentum.

The loop walks the training stream chunk by chunk. The hidden state flows
from one chunk into the next (the network keeps its memory of the sentence),
but the gradient does not: each chunk's backward pass stops at its first step.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from .console import Console
from .corpus import corpus_stats, entropy_floor, generate_corpus
from .data import Vocab, chunks, load_text, normalise, split
from .model import INIT_METHODS, CharRNN, Forward, clip_gradients, get_activation
from .record import Recorder, write_run
from .sample import sample


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
        """Reject settings that cannot train, naming the setting."""
        positive = ("steps", "hidden_size", "seq_len", "num_sentences", "val_every",
                    "sample_every", "lr_decay_every")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")
        if self.clip < 0:
            raise ValueError(f"clip must be >= 0 (0 disables clipping), got {self.clip}")
        if self.embedding_dim < 0:
            raise ValueError(f"embedding_dim must be >= 0, got {self.embedding_dim}")
        if self.init not in INIT_METHODS:
            raise ValueError(f"unknown init {self.init!r}; choose one of {', '.join(INIT_METHODS)}")
        get_activation(self.activation)
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be between 0 and 1, got {self.val_fraction}")
        return self

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def load_corpus(cfg: TrainConfig) -> tuple[str, dict, float | None]:
    """The training text, its statistics, and the loss floor if it is known.

    By default the corpus is generated from the grammar (phase 0), and the
    grammar tells us the best achievable loss. A text file passes through the
    same normalisation, but nothing is known about its floor.
    """
    if cfg.corpus_path:
        text = load_text(cfg.corpus_path)
        return text, {"num_chars": len(text), "num_sentences": None}, None
    corpus = generate_corpus(cfg.num_sentences, cfg.corpus_seed)
    floor = entropy_floor()
    return normalise(corpus.text), corpus_stats(corpus) | {"entropy_floor": floor}, floor


def learning_rate(step: int, cfg: TrainConfig) -> float:
    """Step decay: lr * rate^(step // every), constant between the steps."""
    return cfg.lr * cfg.lr_decay ** (step // cfg.lr_decay_every)


def forward_chunks(model: CharRNN, data: np.ndarray, seq_len: int) -> Iterator[Forward]:
    """The forward pass over each chunk of the training stream in turn, forever.

    The hidden state lives here, and nowhere else. It flows from each chunk into
    the next, so the network keeps its memory of the sentence it is reading;
    each pass over the corpus starts again from zeros.
    """
    while True:
        h = np.zeros(model.hidden_size)
        for inputs, targets in chunks(data, seq_len):
            fwd = model.forward(inputs, targets, h)
            yield fwd
            # The caller has made its update by now. The state carried on is
            # a plain array: no gradient can follow it into the next chunk.
            h = fwd.last_hidden


def sgd_momentum(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> None:
    """v <- mu v - lr g;  theta <- theta + v.  In place, on the NumPy views,
    which are the torch Parameters' own memory."""
    for name, theta in params.items():
        v = velocity[name]
        v *= momentum
        v -= lr * grads[name]
        theta += v


def validation_loss(model: CharRNN, data: np.ndarray, context: np.ndarray) -> float:
    """Mean nats/char over the whole validation split, read as one long sequence.

    The hidden state first reads the characters just before the split
    (`context`), so the first validation characters are predicted mid-sentence
    with the same kind of memory training gave them.
    """
    h = np.zeros(model.hidden_size)
    if len(context) > 1:
        h = model.forward(context[:-1], context[1:], h).last_hidden
    inputs = np.concatenate([context[-1:], data[:-1]])
    return model.forward(inputs, data, h).loss / len(data)


def train(cfg: TrainConfig, run_dir: str | Path, console: Console | None = None) -> dict:
    """Train, record, and write the run directory. Returns the summary."""
    cfg.validate()
    console = console or Console()
    started = time.perf_counter()

    text, corpus, floor = load_corpus(cfg)
    vocab = Vocab.from_text(text)
    train_data, val_data = split(vocab.encode(text), cfg.val_fraction)
    if len(train_data) <= cfg.seq_len or len(val_data) < 2:
        raise ValueError(f"the corpus is too short ({len(text)} characters) for seq_len {cfg.seq_len}")
    val_context = train_data[-200:]
    model = CharRNN(len(vocab), cfg.hidden_size, init=cfg.init, activation=cfg.activation,
                    embedding_dim=cfg.embedding_dim, seed=cfg.seed)
    params = model.arrays
    velocity = {name: np.zeros_like(p) for name, p in params.items()}
    recorder = Recorder(cfg.steps, model, vocab, seed=cfg.seed)
    console.header(cfg, vocab, model, corpus, recorder.initial_radius, floor)

    diverged = None
    stream = forward_chunks(model, train_data, cfg.seq_len)
    for step in range(1, cfg.steps + 1):
        fwd = next(stream)
        loss = fwd.loss / cfg.seq_len
        if not np.isfinite(loss):
            diverged = step
            console.diverged(step, loss, cfg)
            break
        grads, dh = model.backward(fwd, freeze_whh=cfg.freeze_whh)
        clip = clip_gradients(grads, cfg.clip)
        lr = learning_rate(step, cfg)
        recorder.log_step(step, loss, lr, clip)
        if recorder.wants_snapshot(step):
            recorder.snapshot(step, fwd, dh, clip, loss)
        sgd_momentum(params, grads, velocity, lr, cfg.momentum)

        if step % cfg.val_every == 0 or step == cfg.steps:
            recorder.log_validation(step, validation_loss(model, val_data, val_context))
        console.progress(step, cfg.steps, loss, recorder.last_val_loss)
        if step % cfg.sample_every == 0:
            console.sample(step, sample(model, vocab, "the ", 120, 1.0, np.random.default_rng(step)))

    seconds = time.perf_counter() - started
    summary = {
        "params": model.num_params,
        "vocab_size": len(vocab),
        "corpus_chars": len(text),
        "train_chars": len(train_data),
        "val_chars": len(val_data),
        "num_sentences": corpus["num_sentences"],
        "steps": recorder.steps_done,
        "final_loss": recorder.final_loss(),
        "final_val_loss": recorder.last_val_loss,
        "entropy_floor": floor,
        "spectral_radius_init": recorder.initial_radius,
        "spectral_radius_final": recorder.current_radius(),
        "clipped_share": recorder.clipped_share(),
        "grad_norm_median": recorder.grad_norm_median(),
        "uniform_loss": float(np.log(len(vocab))),          # what a uniform guess pays per character
        "chunks_per_pass": (len(train_data) - 1) // cfg.seq_len,
        "final_lr": learning_rate(recorder.steps_done, cfg),
        "recording": recorder.settings(),
        "train_seconds": round(seconds, 2),
        "diverged": diverged,
    }
    console.footer(summary)
    write_run(run_dir, config=asdict(cfg), vocab=vocab, corpus=corpus,
              recorder=recorder, model=model, console_text=console.text, summary=summary)
    return summary
