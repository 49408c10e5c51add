import math

import numpy as np
import pytest

from charrnn.corpus import entropy_floor, generate_corpus, sentence_distribution
from charrnn.optimal import OptimalPredictor

VOCAB = sorted("abcdefghiklmnopqrstuvwy ")


@pytest.fixture(scope="module")
def predictor():
    return OptimalPredictor()


def test_probabilities_sum_to_one_at_every_position(predictor):
    text = generate_corpus(200, seed=5).text
    probs = predictor.next_char_probs(text, VOCAB)
    assert probs.shape == (len(text), len(VOCAB))
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)


def test_row_t_predicts_the_character_after_t(predictor):
    text = "the boy sleeps a"
    probs = predictor.next_char_probs(text, VOCAB)
    space, a, t = VOCAB.index(" "), VOCAB.index("a"), VOCAB.index("t")
    assert probs[len("the boy sleeps") - 1, space] == 1.0  # an intransitive verb ends the sentence
    assert probs[len("the boy sleeps ") - 1, a] == 0.5     # a new sentence: "a" or "the"
    assert probs[len("the boy sleeps ") - 1, t] == 0.5
    assert probs[-1, space] == 1.0                          # "a" is a whole word


def test_mean_loss_converges_to_the_entropy_floor(predictor):
    text = generate_corpus(20_000, seed=11).text
    assert predictor.mean_loss(text) == pytest.approx(entropy_floor(), rel=0.01)


def test_loss_of_a_sentence_is_minus_log_its_probability(predictor):
    distribution = sentence_distribution()
    history = "the dog sleeps "  # scores every character of the sentence, from a sentence start
    for sentence in ["the boy sleeps", "a cat chases the queen", "the king sees a cookie",
                     "a girl reads the book"]:
        losses = predictor.char_losses(sentence + " ", history=history)
        assert len(losses) == len(sentence) + 1
        assert losses.sum() == pytest.approx(-math.log(distribution[sentence]), abs=1e-9)


def test_without_history_the_first_character_is_not_scored(predictor):
    text = generate_corpus(20, seed=2).text
    assert predictor.char_losses(text).shape == (len(text) - 1,)
    cut = 100
    full = predictor.char_losses(text)
    np.testing.assert_allclose(predictor.char_losses(text[cut:], history=text[:cut]), full[cut - 1:])


def test_text_outside_the_grammar_is_an_error_naming_the_position(predictor):
    with pytest.raises(ValueError, match="'r' at position 30 of the text"):
        predictor.char_losses("the boy sleeps the cat eats a rock")
    with pytest.raises(ValueError, match="position 11 of the history"):
        predictor.char_losses("the cake", history="the boy slept ")


def test_every_character_the_grammar_can_produce_must_have_a_column(predictor):
    with pytest.raises(ValueError, match="not among"):
        predictor.next_char_probs("the boy", list("abc"))


def test_fast_enough(predictor):
    import time
    text = generate_corpus(700, seed=1).text  # about 15,000 characters
    start = time.perf_counter()
    predictor.next_char_probs(text, VOCAB)
    predictor.char_losses(text)
    assert time.perf_counter() - start < 0.5
