import math
from collections import Counter

import numpy as np
import pytest

from charrnn.corpus import generate_corpus
from charrnn.ngram import KneserNey
from charrnn.optimal import OptimalPredictor


@pytest.fixture(scope="module")
def split():
    text = generate_corpus().text
    cut = int(0.9 * len(text))
    return text[:cut], text[cut:]


@pytest.fixture(scope="module")
def model(split):
    return KneserNey(order=5).fit(split[0])


def test_small_example_by_hand():
    # "abcab" with bigrams and D = 0.5. Continuation counts for the unigrams:
    # a, b and c each follow exactly one distinct character, so the unigram
    # level gives (1 - 0.5)/3 each and passes 0.5 * 3/3 = 0.5 to uniform: 1/3 each.
    # After "a": "b" was seen twice out of 2, so p(b|a) = (2 - 0.5)/2 + 0.5 * 1/2 * 1/3.
    kn = KneserNey(order=2, discount=0.5).fit("abcab")
    np.testing.assert_allclose(kn.distribution(""), [1 / 3] * 3)
    np.testing.assert_allclose(kn.distribution("a"), [1 / 12, 0.75 + 1 / 12, 1 / 12])


def test_probabilities_sum_to_one_at_every_context(model, split):
    _, held_out = split
    contexts = {held_out[max(0, t - 4):t] for t in range(len(held_out))}
    contexts |= {"", "q", "qqqq", "aaaa", "the b"}  # short, unseen and longer than the order
    for context in contexts:
        probs = model.distribution(context)
        assert probs.shape == (len(model.vocab),)
        assert (probs > 0).all()
        assert math.fsum(probs) == pytest.approx(1.0, abs=1e-12)


def test_beats_a_unigram_model_on_held_out_text(model, split):
    train, held_out = split
    counts = Counter(train)
    unigram = np.mean([-math.log(counts[c] / len(train)) for c in held_out])
    assert model.mean_loss(held_out, history=train) < unigram - 0.5


def test_is_no_better_than_the_optimal_predictor(model, split):
    train, held_out = split
    optimal = OptimalPredictor().mean_loss(held_out, history=train)
    assert model.mean_loss(held_out, history=train) >= optimal


def test_history_gives_every_held_out_character_a_full_context(model, split):
    train, held_out = split
    assert model.char_losses(held_out, history=train).shape == (len(held_out),)
    assert model.char_losses(held_out).shape == (len(held_out) - 1,)
    with_history = model.char_losses(held_out, history=train)
    np.testing.assert_allclose(with_history[5:], model.char_losses(held_out)[4:])


def test_longer_context_helps(split):
    train, held_out = split
    losses = [KneserNey(order=n).fit(train).mean_loss(held_out, history=train) for n in (1, 3, 5)]
    assert losses[0] > losses[1] > losses[2]


def test_unknown_character_is_an_error(model):
    with pytest.raises(ValueError, match="'z' at position 4 of the text"):
        model.char_losses("the zebra")
    with pytest.raises(ValueError, match="'!' at position 0 of the history"):
        model.char_losses("the cat", history="!")


def test_bad_settings_are_errors():
    with pytest.raises(ValueError, match="order"):
        KneserNey(order=0)
    with pytest.raises(ValueError, match="discount"):
        KneserNey(discount=1.5)
