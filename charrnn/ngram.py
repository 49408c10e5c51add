"""A character n-gram baseline: interpolated Kneser-Ney.

Before crediting the network with having learned something, compare it with
the strongest simple model: one that predicts the next character from a
table of what followed the last few characters in the training text. If the
network cannot beat a five-character lookup table, its hidden state is not
carrying anything that the last four characters do not.

Counting alone fails on contexts seen rarely or never, so the counts are
smoothed the Kneser-Ney way (Chen & Goodman 1998):

- *absolute discounting*: every observed count gives up a fixed amount D, and
  the mass collected is handed to the prediction from one character less of
  context. A context with many different continuations gives up more, since
  it is more likely to be followed by something new;
- *continuation counts*: the shorter-context models are used exactly when
  the long context says little, so they are trained to answer "in how many
  different contexts does this continuation appear?" rather than "how often
  does it appear?";
- *interpolation*: the shorter-context prediction is always mixed in, down
  to a uniform distribution over the vocabulary, so no character of the
  vocabulary ever gets probability zero.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np


@dataclass
class ContextRow:
    """What one context contributes: its discounted counts, as probabilities,
    and the weight left over for the shorter context."""
    discounted: np.ndarray  # max(count - D, 0) / total, over the vocabulary
    backoff: float          # D * (number of distinct continuations) / total


class KneserNey:
    def __init__(self, order: int = 5, discount: float = 0.75):
        if order < 1:
            raise ValueError(f"order must be at least 1, got {order}")
        if not 0.0 < discount < 1.0:
            raise ValueError(f"discount must be between 0 and 1, got {discount}")
        self.order = order
        self.discount = discount

    def fit(self, text: str) -> KneserNey:
        if len(text) < self.order:
            raise ValueError(f"need at least {self.order} characters to fit, got {len(text)}")
        self.vocab = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.vocab)}
        # rows[n] maps a context of n - 1 characters to its ContextRow.
        self.rows = {n: self._rows(counts) for n, counts in self._count(text).items()}
        return self

    def _count(self, text: str) -> dict[int, dict[str, Counter]]:
        """counts[n][context][char] for every n-gram length n = 1 .. order.

        The longest n-grams use how often each one occurs. Shorter ones use
        how many distinct characters precede them: the continuation count.
        """
        counts: dict[int, dict[str, Counter]] = {n: defaultdict(Counter) for n in range(1, self.order + 1)}
        for gram in ngrams(text, self.order):
            counts[self.order][gram[:-1]][gram[-1]] += 1
        for n in range(1, self.order):
            for longer in set(ngrams(text, n + 1)):  # each distinct left extension counts once
                gram = longer[1:]
                counts[n][gram[:-1]][gram[-1]] += 1
        return counts

    def _rows(self, counts: dict[str, Counter]) -> dict[str, ContextRow]:
        rows = {}
        for context, following in counts.items():
            total = sum(following.values())
            discounted = np.zeros(len(self.vocab))
            for char, count in following.items():
                # Counts are whole numbers and D < 1, so nothing goes negative.
                discounted[self.index[char]] = (count - self.discount) / total
            rows[context] = ContextRow(discounted, self.discount * len(following) / total)
        return rows

    def distribution(self, context: str) -> np.ndarray:
        """p(next char | context) over `self.vocab`; only the last order - 1 characters matter.

        Built from the shortest context up: start uniform, and at each longer
        context keep the discounted counts and pass the leftover weight to
        the distribution built so far. An unseen context adds nothing and
        leaves the shorter-context distribution as it is.
        """
        probs = np.full(len(self.vocab), 1.0 / len(self.vocab))
        for n in range(1, min(self.order, len(context) + 1) + 1):
            row = self.rows[n].get(context[len(context) - (n - 1):])
            if row is not None:
                probs = row.discounted + row.backoff * probs
        return probs

    def char_losses(self, text: str, history: str = "") -> np.ndarray:
        """-ln p(char | the characters before it), for each character of `text` that has a past.

        `history` is text that comes before `text` (typically the end of the
        training text), so the first predictions already have full context.
        As in the optimal predictor, without history the first character is
        not scored.
        """
        full = history + text
        self._check_known(full, len(history))
        losses = np.empty(len(full))
        for t in range(max(len(history), 1), len(full)):
            context = full[max(0, t - self.order + 1):t]
            losses[t] = -np.log(self.distribution(context)[self.index[full[t]]])
        return losses[max(len(history), 1):]

    def mean_loss(self, text: str, history: str = "") -> float:
        return float(self.char_losses(text, history).mean())

    def _check_known(self, text: str, history_length: int) -> None:
        for position, char in enumerate(text):
            if char not in self.index:
                where = (f"position {position - history_length} of the text" if position >= history_length
                         else f"position {position} of the history")
                raise ValueError(f"character {char!r} at {where} never occurs in the training text")


def ngrams(text: str, n: int) -> list[str]:
    return [text[i:i + n] for i in range(len(text) - n + 1)]
