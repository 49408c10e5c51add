"""Phase 4: the held-out test set.

Validation picks the checkpoint, so its own score of that checkpoint is the
lowest of many noisy draws on the same slice: biased low. An honest number
needs text nothing was selected on. The grammar can write as much fresh text
as we like, so the test set is a sample of its own, drawn with a corpus seed no
run trains on, and shared by every run (whatever its corpus), so that two runs
are always scored on the same characters.

The network reads it as WINDOWS independent windows side by side (one batched
`model.step` per character, which costs what one window would). Each window
first reads VAL_CONTEXT characters unscored, as validation's state reads the
end of the training text first, then scores the next WINDOW_CHARS. The exact
predictor of the grammar is scored on the same characters: that is the floor.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .corpus import generate_corpus, mean_sentence_chars
from .data import Vocab, normalise
from .model import CharRNN
from .optimal import OptimalPredictor
from .train import VAL_CONTEXT

TEST_CORPUS_SEED = 20_251_203  # no run may draw its training corpus with this seed
WINDOWS, WINDOW_CHARS = 50, 1_000   # 50,000 scored characters


@dataclass(frozen=True)
class TestText:
    text: str
    sentences: tuple[str, ...]

    @property
    def scored(self) -> slice:
        """Positions of the characters the windows predict (each from all before it)."""
        return slice(VAL_CONTEXT + 1, VAL_CONTEXT + 1 + WINDOWS * WINDOW_CHARS)


@functools.cache
def test_text() -> TestText:
    """Enough whole sentences for every window, cut to the length the windows read."""
    needed = VAL_CONTEXT + WINDOWS * WINDOW_CHARS + 1
    count = int(needed / mean_sentence_chars() * 1.2) + 10
    corpus = generate_corpus(count, TEST_CORPUS_SEED)
    while len(corpus.text) < needed:   # a run of short sentences: draw more
        count *= 2
        corpus = generate_corpus(count, TEST_CORPUS_SEED)
    text = normalise(corpus.text)[:needed]
    kept = tuple(s for s, end in zip(corpus.sentences, _ends(corpus.sentences), strict=True)
                 if end <= needed)
    return TestText(text, kept)


def _ends(sentences) -> list[int]:
    return list(np.cumsum([len(s) + 1 for s in sentences]) - 1)


def window_losses(model: CharRNN, vocab: Vocab, text: str) -> np.ndarray:
    """-ln p(next character) at every scored position, window after window.

    Window b reads text[b L : b L + W + L] (W = VAL_CONTEXT, L = WINDOW_CHARS)
    and scores its last L predictions, so the windows together score every
    character from W + 1 on, once, each with at least W characters of past.
    """
    data = vocab.encode(text)
    starts = np.arange(WINDOWS) * WINDOW_CHARS
    rows = np.arange(WINDOWS)
    h = np.zeros((WINDOWS, model.hidden_size))
    losses = np.empty((WINDOWS, WINDOW_CHARS))
    for t in range(VAL_CONTEXT + WINDOW_CHARS):
        h, probs = model.step(data[starts + t], h)
        if t >= VAL_CONTEXT:
            losses[:, t - VAL_CONTEXT] = -np.log(probs[rows, data[starts + t + 1]])
    return losses.ravel()   # window-major: position order


def test_loss(model: CharRNN, vocab: Vocab) -> float:
    return float(window_losses(model, vocab, test_text().text).mean())


@functools.cache
def floor() -> float:
    """The exact predictor's mean loss on the scored characters: the best any model can do here."""
    sample = test_text()
    losses = OptimalPredictor().char_losses(sample.text)   # entry j predicts character j + 1
    return float(losses[sample.scored.start - 1: sample.scored.stop - 1].mean())


def seen_share(train_sentences) -> float:
    """Share of the test sentences that also occur in the training text. The
    language is small, so many do: the test text is new draws, not new sentences."""
    seen = set(train_sentences)
    sentences = test_text().sentences
    return sum(s in seen for s in sentences) / len(sentences)


def test_section(final: CharRNN, selected: CharRNN, vocab: Vocab, train_sentences,
                 corpus_seed: int) -> dict:
    """analysis.json["test"]: both checkpoints scored on the test text, against its floor."""
    if corpus_seed == TEST_CORPUS_SEED:
        raise ValueError(f"corpus_seed {corpus_seed} is the test set's own seed, so the test "
                         "text would be training text; train with another corpus_seed")
    missing = sorted(set(test_text().text) - set(vocab.chars))
    if missing:   # a tiny corpus may lack a letter the test text has
        return {"chars": 0, "missing_chars": missing, "floor": floor()}
    best = floor()
    final_loss, selected_loss = test_loss(final, vocab), test_loss(selected, vocab)
    return {
        "chars": WINDOWS * WINDOW_CHARS, "windows": WINDOWS, "window_chars": WINDOW_CHARS,
        "warmup_chars": VAL_CONTEXT, "corpus_seed": TEST_CORPUS_SEED,
        "seen_share": seen_share(train_sentences),
        "floor": best,
        "final": final_loss, "selected": selected_loss,
        "final_over_floor": final_loss / best, "selected_over_floor": selected_loss / best,
    }
