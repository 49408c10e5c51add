import itertools

import numpy as np
import pytest

from charrnn.data import Vocab, chunks, load_text, normalise, split


def test_load_normalises(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("  The Boy\n\n SLEEPS   the\tcat  ", encoding="utf-8")
    assert load_text(path) == "the boy sleeps the cat"


def test_load_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        load_text(tmp_path / "nope.txt")


def test_vocab_is_sorted_and_round_trips():
    vocab = Vocab.from_text("the cat")
    assert vocab.chars == (" ", "a", "c", "e", "h", "t")
    encoded = vocab.encode("cat the")
    assert encoded.dtype == np.int64
    assert vocab.decode(encoded) == "cat the"
    assert vocab.index == {c: i for i, c in enumerate(vocab.chars)}


def test_unknown_character_is_named_with_its_position():
    vocab = Vocab.from_text("abc ")
    with pytest.raises(ValueError, match=r"'z' at position 3"):
        vocab.encode("abcz")


def test_split_keeps_temporal_order():
    data = np.arange(100)
    train, val = split(data, 0.1)
    assert list(train) == list(range(90)) and list(val) == list(range(90, 100))
    with pytest.raises(ValueError, match="val_fraction"):
        split(data, 1.5)


def test_chunks_overlap_by_one_so_state_can_carry():
    data = np.arange(11)
    got = list(chunks(data, 3))
    assert [list(x) for x, _ in got] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    for (x, y), (x_next, _) in itertools.pairwise(got):
        assert list(y) == list(x[1:]) + [x_next[0]]  # the last target is the next chunk's first input
    assert all(len(x) == len(y) == 3 for x, y in got)


def test_normalise_collapses_all_whitespace():
    assert normalise("A\n\nB  c") == "a b c"
