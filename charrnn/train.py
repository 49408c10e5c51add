"""Phase 3: truncated backpropagation through time, SGD with momentum.

The loop walks the training stream chunk by chunk. The hidden state flows
from one chunk into the next (the network keeps its memory of the sentence),
but the gradient does not: each chunk's backward pass stops at its first step.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from .config import TrainConfig
from .corpus import corpus_stats, entropy_floor, generate_corpus
from .data import Vocab, chunks, load_text, normalise, split
from .model import CharRNN, Forward, clip_gradients
from .record import Recorder
from .sample import sample


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


# How many characters before the validation text the hidden state reads first;
# the test set (analysis) warms each of its windows up the same way.
VAL_CONTEXT = 200


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


# A run is stopped as diverged when its loss stops being a number, or when its
# mean over a stretch of steps stays this many times above what guessing every
# character with equal probability pays (ln V): such weights learn nothing more.
DIVERGENCE_WINDOW = 100
FAR_ABOVE_UNIFORM = 2.0


def not_learning(step: int, recorder: Recorder, uniform: float, last: int) -> str | None:
    """Why training should stop although the loss is still a number, or None."""
    if step % DIVERGENCE_WINDOW == 0 or step == last:
        recent = recorder.mean_recent_loss(DIVERGENCE_WINDOW)
        if recent > FAR_ABOVE_UNIFORM * uniform:
            return (f"the mean loss of the last {min(step, DIVERGENCE_WINDOW)} steps, {recent:.4g} "
                    f"nats/char, is over {FAR_ABOVE_UNIFORM:g} times the {uniform:.2f} of a uniform guess")
    return None


@dataclass
class Trained:
    """Everything one training run made, in memory. Writing it down is the
    runner's job (the run format), not the training loop's."""
    config: TrainConfig
    vocab: Vocab
    model: CharRNN          # the weights after the last step
    recorder: Recorder      # curves, snapshots and Jacobians
    corpus: dict            # statistics of the training text
    summary: dict           # the headline numbers (runner/rundir.py: SUMMARY_FIELDS)
    seconds: float          # wall-clock time of the whole run
    text: str = ""          # the text it read, normalised: split at val_fraction


class Silent:
    """Where train() reports its progress when nobody watches. The runner's
    Console has the same methods (header, progress, sample, diverged, footer)."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


# One BLAS thread: these matrices are too small to gain from more, and a fixed
# thread count makes a run repeat bit for bit, in a sweep's worker or not.
@threadpool_limits.wrap(limits=1)
def train(cfg: TrainConfig, console=None) -> Trained:
    """Train and record. Returns what was made; writes nothing to disk."""
    cfg.validate()
    console = console or Silent()
    started = time.perf_counter()

    text, corpus, floor = load_corpus(cfg)
    vocab = Vocab.from_text(text)
    train_data, val_data = split(vocab.encode(text), cfg.val_fraction)
    if len(train_data) <= cfg.seq_len or len(val_data) < 2:
        raise ValueError(f"the corpus is too short ({len(text)} characters) for seq_len {cfg.seq_len}")
    model = CharRNN(len(vocab), cfg.hidden_size, init=cfg.init, activation=cfg.activation,
                    embedding_dim=cfg.embedding_dim, seed=cfg.seed)
    params = model.arrays
    velocity = {name: np.zeros_like(p) for name, p in params.items()}
    recorder = Recorder(cfg.steps, model, vocab, seed=cfg.seed)
    uniform = float(np.log(len(vocab)))   # what a uniform guess pays per character
    console.header(cfg, vocab, model, corpus, recorder.initial_radius, floor)

    diverged = None
    stream = forward_chunks(model, train_data, cfg.seq_len)
    for step in range(1, cfg.steps + 1):
        fwd = next(stream)
        loss = fwd.loss / cfg.seq_len
        if not np.isfinite(loss):   # nothing to learn from: stop before the update
            diverged = (step, f"the loss became {loss}")
            break
        grads, dh = model.backward(fwd, freeze_whh=cfg.freeze_whh)
        clip = clip_gradients(grads, cfg.clip)
        lr = learning_rate(step, cfg)
        recorder.log_step(step, loss, lr, clip)
        if recorder.wants_snapshot(step):
            recorder.snapshot(step, fwd, dh, clip, loss)
        sgd_momentum(params, grads, velocity, lr, cfg.momentum)
        if step % cfg.val_every == 0 or step == cfg.steps:
            recorder.log_validation(step, validation_loss(model, val_data, train_data[-VAL_CONTEXT:]))
        console.progress(step, cfg.steps, loss, recorder.last_val_loss)
        if step % cfg.sample_every == 0:
            console.sample(step, sample(model, vocab, "the ", 120, 1.0, np.random.default_rng(step)))
        reason = not_learning(step, recorder, uniform, cfg.steps)
        if reason:
            diverged = (step, reason)
            break

    if diverged:
        console.diverged(*diverged, cfg)
    summary = summarise(cfg, model, recorder, corpus, floor, diverged, (len(train_data), len(val_data)))
    seconds = round(time.perf_counter() - started, 2)
    console.footer(summary, {"train_seconds": seconds})
    return Trained(cfg, vocab, model, recorder, corpus, summary, seconds, text)


def summarise(cfg: TrainConfig, model: CharRNN, recorder: Recorder, corpus: dict, floor: float,
              diverged: tuple[int, str] | None, split_chars: tuple[int, int]) -> dict:
    """The run's headline numbers, as summary.json keeps them (JSON has no NaN:
    a number that is not finite is kept as null)."""
    best_step, best_loss = recorder.best_validation()
    summary = {
        "params": model.num_params,
        "vocab_size": model.vocab_size,
        "corpus_chars": sum(split_chars),
        "train_chars": split_chars[0],
        "val_chars": split_chars[1],
        "num_sentences": corpus["num_sentences"],
        "steps": recorder.steps_done,
        "final_loss": recorder.final_loss(),
        "final_val_loss": recorder.last_val_loss,
        "best_val_loss": best_loss,
        "best_val_step": best_step,
        "entropy_floor": floor,
        "uniform_loss": float(np.log(model.vocab_size)),
        "spectral_radius_init": recorder.initial_radius,
        "spectral_radius_final": recorder.current_radius(),
        "clipped_share": recorder.clipped_share(),
        "grad_norm_median": recorder.grad_norm_median(),
        "grad_norm_min": recorder.grad_norm_extreme(np.min),
        "grad_norm_max": recorder.grad_norm_extreme(np.max),
        "chunks_per_pass": (split_chars[0] - 1) // cfg.seq_len,
        "final_lr": learning_rate(recorder.steps_done, cfg),
        "recording": recorder.settings(),
        "diverged": diverged[0] if diverged else None,
        "diverged_reason": diverged[1] if diverged else None,
    }
    return {name: finite_or_none(value) for name, value in summary.items()}


def finite_or_none(value):
    """JSON has no NaN or infinity: a number that is not finite is recorded as null."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
