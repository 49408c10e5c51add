"""The best possible next-character predictor for the toy language.

The network has to guess the grammar from the text. We do not: the grammar
is our own data, so we can write down the predictor that knows it perfectly
and see how close the network gets. Its average loss on a long stream tends
to `corpus.entropy_floor()`; no model can do better on average.

The idea fits in one line. Because sentences are independent, the whole past
matters only through the part of the current sentence typed so far, its
*prefix*. Then

    p(next char | past) = P(sentences starting with prefix + char)
                          / P(sentences starting with prefix)

where each sentence carries its joining space, so after "the boy sleeps"
the only possible character is " ", and once that space is typed a new
sentence begins. We add up those probabilities once, for every prefix of
every sentence, and afterwards predicting is one dictionary lookup per
character.
"""
from __future__ import annotations

import math

import numpy as np

from .corpus import sentence_distribution


class OptimalPredictor:
    def __init__(self, distribution: dict[str, float] | None = None):
        distribution = sentence_distribution() if distribution is None else distribution
        self.next_char = next_char_table(distribution)

    def next_char_probs(self, text: str, chars: str | list[str]) -> np.ndarray:
        """Row t is the distribution of text[t+1] given text[:t+1], over `chars`.

        The last row is the prediction after the final character.
        """
        column = {c: i for i, c in enumerate(chars)}
        _, prefixes = self._read(text)
        probs = np.zeros((len(text), len(chars)))
        for t, prefix in enumerate(prefixes):
            for char, p in self.next_char[prefix].items():
                if char not in column:
                    raise ValueError(f"the grammar can produce {char!r}, which is not among `chars`")
                probs[t, column[char]] = p
        return probs

    def char_losses(self, text: str, history: str = "") -> np.ndarray:
        """-ln p(char | everything before it), for each character of `text` that has a past.

        The stream is assumed to start at a sentence start, with `history`
        (if any) coming before `text`. With no history the first character of
        `text` is not scored, matching a network that reads text[t] and
        predicts text[t+1]; so the result has len(text) - 1 entries, or
        len(text) when a history is given.
        """
        probs, _ = self._read(history + text, history_length=len(history))
        first_scored = max(len(history), 1)
        return -np.log(probs[first_scored:])

    def mean_loss(self, text: str, history: str = "") -> float:
        return float(self.char_losses(text, history).mean())

    def _read(self, text: str, history_length: int = 0) -> tuple[np.ndarray, list[str]]:
        """Walk the stream: p(text[t] | text[:t]) and the sentence prefix after each character."""
        probs = np.empty(len(text))
        prefixes = []
        prefix = ""
        for t, char in enumerate(text):
            p = self.next_char[prefix].get(char)
            if p is None:
                raise self._not_in_grammar(text, t, history_length)
            probs[t] = p
            prefix = self._advance(prefix, char)
            prefixes.append(prefix)
        return probs, prefixes

    def _advance(self, prefix: str, char: str) -> str:
        prefix += char
        # A prefix with nothing after it is a finished sentence with its
        # space: the next character starts a fresh sentence.
        return prefix if prefix in self.next_char else ""

    @staticmethod
    def _not_in_grammar(text: str, position: int, history_length: int) -> ValueError:
        where = (f"position {position - history_length} of the text" if position >= history_length
                 else f"position {position} of the history")
        context = text[max(0, position - 30):position]
        return ValueError(f"the grammar cannot produce {text[position]!r} at {where} "
                          f"(after ...{context!r})")


def next_char_table(distribution: dict[str, float]) -> dict[str, dict[str, float]]:
    """For every sentence prefix, the probability of each character that can follow it.

    Each sentence spreads its probability over the path of prefixes that
    spell it (including the joining space); normalising what leaves each
    prefix gives the conditional distribution of the next character.
    """
    mass: dict[str, dict[str, float]] = {}
    for sentence, p in distribution.items():
        spelled = sentence + " "
        for i, char in enumerate(spelled):
            following = mass.setdefault(spelled[:i], {})
            following[char] = following.get(char, 0.0) + p
    return {prefix: as_probabilities(following) for prefix, following in mass.items()}


def as_probabilities(masses: dict[str, float]) -> dict[str, float]:
    total = math.fsum(masses.values())
    return {key: m / total for key, m in masses.items()}
