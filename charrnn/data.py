"""Phase 1: from a text file to the index chunks that truncated BPTT consumes.

The network never sees characters, only integer indices into a vocabulary.
This module turns the corpus into those indices, splits off a validation
tail, and cuts the training stream into overlapping windows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np


# region loading
def load_text(path: str | Path) -> str:
    """Read a corpus file and normalise it the way the model expects.

    Lower-casing and collapsing whitespace keeps the vocabulary small: a
    stray newline or double space would otherwise become a character the
    network must learn to predict.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"corpus file not found: {path} (generate one with `charrnn corpus`)")
    return normalise(path.read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()
# endregion loading


# region vocabulary
@dataclass(frozen=True)
class Vocab:
    """The sorted set of characters, with maps both ways."""

    chars: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> Vocab:
        # Sorting makes the index of each character independent of where it
        # first appears, so two runs on the same text agree on every index.
        return cls(tuple(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}
    # endregion vocabulary

    # region encoding
    def encode(self, text: str) -> np.ndarray:
        """Characters -> indices. An unknown character is an error, never dropped:
        silently skipping it would shift every later target by one."""
        index = self.index
        out = np.empty(len(text), dtype=np.int64)
        for pos, ch in enumerate(text):
            if ch not in index:
                raise ValueError(
                    f"character {ch!r} at position {pos} is not in the vocabulary "
                    f"({''.join(self.chars)!r})"
                )
            out[pos] = index[ch]
        return out

    def decode(self, indices) -> str:
        return "".join(self.chars[i] for i in indices)
    # endregion encoding


# region sequence-iterator
def split(data: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Keep temporal order: validation is the tail, never a random sample.

    A shuffled split would leak: the characters around a validation position
    would sit in the training stream.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    cut = round(len(data) * (1.0 - val_fraction))
    return data[:cut], data[cut:]


def chunks(data: np.ndarray, seq_len: int):
    """Yield (inputs, targets) windows for truncated BPTT.

    Each window holds seq_len + 1 indices and the next one starts seq_len
    later, so the two overlap by one: the last target of a chunk is the first
    input of the next. That overlap is what lets the hidden state carry
    forward from one chunk to the next without skipping a character.
    """
    for start in range(0, len(data) - seq_len, seq_len):
        window = data[start : start + seq_len + 1]
        yield window[:-1], window[1:]
# endregion sequence-iterator
