"""Generation: let the trained network write, one character at a time."""
from __future__ import annotations

import math

import numpy as np

from .data import Vocab
from .model import CharRNN


# region generation
def warm_up(model: CharRNN, vocab: Vocab, prefix: str, h: np.ndarray | None = None):
    """Read a prefix and return (hidden state, next-character distribution).

    The prefix conditions the network the way a prompt does: every character
    of it passes through the recurrence, so the state remembers where in a
    word and a sentence the text stopped.
    """
    if not prefix:
        raise ValueError("the seed text must contain at least one character")
    indices = vocab.encode(prefix)  # names an unknown character and its position
    h = np.zeros(model.hidden_size) if h is None else h
    for i in indices:
        h, probs = model.step(int(i), h)
    return h, probs


def check_temperature(temperature: float) -> None:
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a finite number above 0, got {temperature}")


def with_temperature(probs: np.ndarray, temperature) -> np.ndarray:
    """Rescale a distribution as if its logits were divided by the temperature.

    Below 1 the likeliest characters gain mass (safer, more repetitive text);
    above 1 the distribution flattens (more surprising, more mistakes). Given one
    distribution per row, the temperature may be a column of one per row.
    """
    logp = np.log(np.maximum(probs, 1e-300)) / temperature
    p = np.exp(logp - logp.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def sample(model: CharRNN, vocab: Vocab, seed_text: str, length: int,
           temperature: float = 1.0, rng: np.random.Generator | None = None) -> str:
    """Continue seed_text by `length` characters (the seed is not repeated)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    h, probs = warm_up(model, vocab, seed_text)
    out = []
    for _ in range(length):
        index = int(rng.choice(len(vocab), p=with_temperature(probs, temperature)))
        out.append(vocab.chars[index])
        h, probs = model.step(index, h)
    return "".join(out)
# endregion generation


def sample_many(model: CharRNN, vocab: Vocab, seed_text: str, length: int, count: int,
                temperatures=(1.0,), rng: np.random.Generator | None = None) -> dict:
    """`count` independent continuations of seed_text at each temperature, generated
    side by side: {temperature: [text, ...]}.

    The same process as `sample`, with the streams' hidden states stacked as the
    rows of one matrix, so that each step is one matrix product rather than many
    small ones. Each stream draws its character by inverse transform: the first
    index whose cumulative probability exceeds a uniform number. Sample k gets
    the same uniform numbers at every temperature, so the samples of one k
    differ only by what the temperature does to the distribution.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    for temperature in temperatures:
        check_temperature(temperature)
    streams = len(temperatures) * count
    h, probs = warm_up(model, vocab, seed_text)
    h, probs = np.tile(h, (streams, 1)), np.tile(probs, (streams, 1))
    row_temperature = np.repeat(np.asarray(temperatures, dtype=np.float64), count)[:, None]
    uniforms = np.tile(rng.random((length, count)), (1, len(temperatures)))
    drawn = np.empty((length, streams), dtype=np.int64)
    for t in range(length):
        cumulative = with_temperature(probs, row_temperature).cumsum(axis=1)
        # Rounding can leave the last cumulative value a hair below 1.
        drawn[t] = np.minimum((cumulative < uniforms[t][:, None]).sum(axis=1), len(vocab) - 1)
        h, probs = model.step(drawn[t], h)
    texts = [vocab.decode(column) for column in drawn.T]
    return {temperature: texts[i * count:(i + 1) * count] for i, temperature in enumerate(temperatures)}
