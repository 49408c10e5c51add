"""The held-out test set: text no run trains on, scored the way the docstring says."""
from __future__ import annotations

import numpy as np
import pytest

from charrnn import testset
from charrnn.config import TrainConfig
from charrnn.corpus import generate_corpus
from charrnn.data import normalise
from charrnn.model import CharRNN
from charrnn.train import VAL_CONTEXT, train


@pytest.fixture(scope="module")
def trained():
    return train(TrainConfig(steps=300, hidden_size=16, val_every=100, sample_every=1_000))


def test_the_test_text_is_long_enough_and_drawn_with_its_own_seed():
    sample = testset.test_text()
    assert len(sample.text) == VAL_CONTEXT + testset.WINDOWS * testset.WINDOW_CHARS + 1
    assert testset.WINDOWS * testset.WINDOW_CHARS >= 50_000
    assert normalise(sample.text) == sample.text


def test_no_window_of_the_test_text_occurs_in_any_seeds_training_corpus():
    text = testset.test_text().text
    for corpus_seed in (42, 0, 1, 2, 3, 4):
        corpus = normalise(generate_corpus(2_400, corpus_seed).text)   # more-data's size
        for b in range(testset.WINDOWS):
            window = text[VAL_CONTEXT + b * testset.WINDOW_CHARS:][:testset.WINDOW_CHARS]
            assert window not in corpus, (corpus_seed, b)


def test_the_score_is_each_windows_forward_pass_recomputed(trained):
    """Independently of the batched stepping: one model.forward per window from a
    zero state, over its warm-up and its scored characters."""
    model, vocab = trained.model, trained.vocab
    data = vocab.encode(testset.test_text().text)
    W, L = VAL_CONTEXT, testset.WINDOW_CHARS
    losses = []
    for b in range(testset.WINDOWS):
        inputs, targets = data[b * L: b * L + W + L], data[b * L + 1: b * L + W + L + 1]
        fwd = model.forward(inputs, targets, np.zeros(model.hidden_size))
        losses.append(-np.log(fwd.probs[np.arange(W, W + L), targets[W:]]))
    assert testset.test_loss(model, vocab) == pytest.approx(np.concatenate(losses).mean(), rel=1e-10)


def test_the_floor_is_below_the_network_and_the_section_reports_both_checkpoints(trained):
    untrained = CharRNN(len(trained.vocab), 16, seed=7)
    section = testset.test_section(trained.model, untrained, trained.vocab, [], corpus_seed=42)
    assert section["chars"] == 50_000 and section["corpus_seed"] == testset.TEST_CORPUS_SEED
    assert section["floor"] < section["final"] < section["selected"]   # untrained: worst
    assert section["final_over_floor"] == pytest.approx(section["final"] / section["floor"])
    assert 0.3 < section["floor"] < 0.4   # the language's entropy rate is about 0.36


def test_training_on_the_test_seed_is_refused(trained):
    with pytest.raises(ValueError, match="test set's own seed"):
        testset.test_section(trained.model, trained.model, trained.vocab, [],
                             corpus_seed=testset.TEST_CORPUS_SEED)


def test_seen_share_counts_test_sentences_found_in_training():
    sentences = testset.test_text().sentences
    assert testset.seen_share([]) == 0
    assert testset.seen_share(sentences) == 1
    assert testset.seen_share(sentences[:1]) >= 1 / len(sentences)
