"""What single hidden units do (charrnn/units.py): the facts of each character,
the statistics, and cases built so that one unit is known to track a fact."""
import json

import numpy as np
import pytest
from scipy.stats import spearmanr
from training import train_into

from charrnn import analysis as A  # noqa: N812
from charrnn import units as U  # noqa: N812
from charrnn.corpus import Corpus, generate_corpus
from charrnn.model import CharRNN
from charrnn.train import TrainConfig
from runner.runfiles import analyze_run, read_trained_run

# Three sentences whose facts are written out by hand below, character by character.
SENTENCES = ["the dog sleeps", "a boy eats the cake", "the man breaks a glass"]
TEMPLATE_IDS = [8, 1, 5]   # ANIMAL INTRAN; HUMAN eat FOOD; HUMAN break|move OBJECT
TEXT = "the dog sleeps a boy eats the cake the man breaks a glass"


def small_corpus() -> Corpus:
    return Corpus(" ".join(SENTENCES), SENTENCES, TEMPLATE_IDS)


def decode(pattern: str, meaning: dict) -> np.ndarray:
    """One character of `pattern` per character of TEXT; '.' is undefined (NaN)."""
    assert len(pattern) == len(TEXT)
    return np.array([meaning.get(c, np.nan) for c in pattern], dtype=np.float64)


# --- the facts -------------------------------------------------------------------------

def test_the_facts_of_each_character_by_hand():
    corpus = small_corpus()
    assert corpus.text == TEXT
    features = U.character_features(corpus)
    digits = {str(k): k for k in range(10)}
    roles = {"S": U.SUBJECT, "V": U.VERB, "O": U.OBJECT}
    expected = {  # the dog sleeps a boy eats the cake the man breaks a glass
        "in_word": "111011101111110101110111101110111101110111011111101011111",
        "word_position": "012.012.012345.0.012.0123.012.0123.012.012.012345.0.01234",
        "after_determiner": "...1...0......0.1...0....0...1....0...1...0......0.1.....",
        "sentence_role": "SSSSSSSSVVVVVVVSSSSSSVVVVVOOOOOOOOOSSSSSSSSVVVVVVVOOOOOOO",
        "ends_in_s": "000.000.111111.0.000.1111.000.0000.000.000.111111.0.11111",
    }
    assert set(features) == set(expected) == {f.name for f in U.FEATURES}
    for name, pattern in expected.items():
        meaning = roles if name == "sentence_role" else digits
        np.testing.assert_array_equal(features[name], decode(pattern, meaning), err_msg=name)


def test_a_sentence_that_does_not_fit_its_template_is_an_error():
    corpus = Corpus("the dog sleeps", ["the dog sleeps"], [1])   # template 1 wants "eats"
    with pytest.raises(ValueError, match="does not fit template 1"):
        U.word_roles(corpus)


def test_every_character_of_a_real_corpus_has_a_role_and_every_verb_ends_in_s():
    corpus = generate_corpus(300, seed=3)
    features = U.character_features(corpus)
    role = features["sentence_role"]
    assert not np.isnan(role).any()
    letters = np.array([c != " " for c in corpus.text])
    verbs = letters & (role == U.VERB)
    assert np.all(features["ends_in_s"][verbs] == 1)
    # each sentence starts with its subject
    starts = np.cumsum([0] + [len(s) + 1 for s in corpus.sentences[:-1]])
    assert np.all(role[starts] == U.SUBJECT)


# --- the statistics ----------------------------------------------------------------------

def test_statistics_agree_with_the_textbook_formulas():
    rng = np.random.default_rng(0)
    states = rng.normal(size=(300, 4))
    binary = (rng.random(300) > 0.6).astype(np.float64)
    states[:, 1] += 2 * binary
    r = U.unit_statistics(binary, "binary", states)
    np.testing.assert_allclose(r, [np.corrcoef(binary, states[:, j])[0, 1] for j in range(4)])

    ordinal = rng.integers(0, 6, 300).astype(np.float64)
    rho = U.unit_statistics(ordinal, "ordinal", np.tanh(states + ordinal[:, None] / 3))
    np.testing.assert_allclose(rho, [spearmanr(ordinal, np.tanh(states[:, j] + ordinal / 3))[0]
                                     for j in range(4)])

    # eta: 1 when the category fixes the unit, 0 when the category means are equal
    codes = np.array([0, 0, 1, 1, 2, 2], dtype=np.float64)
    columns = np.array([[1, 5, 3], [1, 3, 3], [4, 5, 3], [4, 3, 3], [0, 5, 3], [0, 3, 3]],
                       dtype=np.float64)
    np.testing.assert_allclose(U.unit_statistics(codes, "categorical", columns), [1, 0, 0])


def test_characters_where_a_fact_is_undefined_are_left_out():
    values = np.array([1, 0, np.nan, 1, 0, np.nan])
    states = np.array([[5.0], [1.0], [-100.0], [5.0], [1.0], [100.0]])
    assert U.unit_statistics(values, "binary", states) == pytest.approx([1.0])


def test_a_unit_that_never_changes_follows_nothing():
    values = np.array([0.0, 1.0, 0.0, 1.0])
    assert U.unit_statistics(values, "binary", np.ones((4, 2))).tolist() == [0.0, 0.0]
    assert U.unit_statistics(values, "categorical", np.ones((4, 2))).tolist() == [0.0, 0.0]


def test_the_verdict_needs_strength_and_a_clear_lead_over_the_control():
    # the bar is what untrained networks reach; strength only names what falls short of it
    assert U.verdict(0.9, 0.3) == "learned"
    assert U.verdict(0.35, 0.34) == "learned"
    assert U.verdict(0.9, 0.95) == "untrained-too"
    assert U.verdict(U.STRENGTH - 0.01, 0.6) == "none"


def test_a_tiny_validation_text_gives_verdicts_not_errors():
    corpus = generate_corpus(4, seed=0)
    cut = len(corpus.text) - 5                 # the last letters of the last sentence
    rng = np.random.default_rng(0)
    states = rng.normal(size=(len(corpus.text), 3))
    report = U.units_section(corpus, cut, states[cut:], states[cut:], [states[cut:]])
    assert report["excerpt"]["text"] == corpus.text[cut:]
    after = report["features"]["after_determiner"]       # no space in the last 5 letters
    assert after["defined_chars"] == 0 and after["verdict"] == "none"
    assert after["best_means"] == [None, None]


# --- units built to track a fact -----------------------------------------------------

@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(200, seed=5)


def split_at(corpus: Corpus) -> int:
    return int(len(corpus.text) * 0.9)


def test_a_planted_unit_is_found_and_passes_while_random_units_do_not(corpus):
    rng = np.random.default_rng(1)
    n, H, planted = len(corpus.text), 12, 7
    in_word = U.character_features(corpus)["in_word"]
    trained = rng.normal(size=(n, H))
    trained[:, planted] = in_word + 0.3 * rng.normal(size=n)
    control = rng.normal(size=(n, H))
    cut = split_at(corpus)
    null = [rng.normal(size=(n - cut, H)) for _ in range(20)]
    report = U.units_section(corpus, cut, trained[cut:], control[cut:], null)
    in_word_report = report["features"]["in_word"]
    assert in_word_report["best_unit"] == planted + 1          # numbered from 1
    assert in_word_report["best"] > 0.8 and in_word_report["best_signed"] > 0
    assert in_word_report["verdict"] == "learned"
    assert in_word_report["best_means"][1] > in_word_report["best_means"][0]   # letter > space
    # nothing else was planted: no other fact has a unit that follows it closely
    others = {name: r["verdict"] for name, r in report["features"].items() if name != "in_word"}
    assert "untrained-too" not in others.values(), others
    assert in_word_report["control_best"] < U.STRENGTH


def test_a_unit_the_untrained_network_has_too_is_not_called_learned(corpus):
    rng = np.random.default_rng(2)
    n, H = len(corpus.text), 6
    in_word = U.character_features(corpus)["in_word"]
    trained, control = rng.normal(size=(n, H)), rng.normal(size=(n, H))
    trained[:, 0] = in_word + 0.2 * rng.normal(size=n)
    control[:, 4] = in_word + 0.3 * rng.normal(size=n)
    cut = split_at(corpus)
    null = []   # untrained networks that all have such a unit, some a sharper one
    for k in range(20):
        states = rng.normal(size=(n - cut, H))
        states[:, k % H] = in_word[cut:] + 0.1 * rng.normal(size=n - cut)
        null.append(states)
    report = U.units_section(corpus, cut, trained[cut:], control[cut:], null)["features"]["in_word"]
    assert report["best_unit"] == 1 and report["control_best_unit"] == 5
    assert report["best"] >= U.STRENGTH and report["best"] < report["null_bar"]
    assert report["verdict"] == "untrained-too"


def test_a_network_wired_to_track_inside_a_word_is_found(corpus):
    """A real CharRNN whose unit 3 is driven down by a space and up by its bias,
    with no recurrent input: it is high inside every word and low at every space."""
    from charrnn.data import Vocab
    vocab = Vocab.from_text(corpus.text)
    data = vocab.encode(corpus.text)
    wired = CharRNN(len(vocab), 8, seed=11)
    space, unit = vocab.index[" "], 2
    wired.arrays["W_xh"][unit] = 0.0
    wired.arrays["W_xh"][unit, space] = -4.0
    wired.arrays["W_hh"][unit] = 0.0
    wired.arrays["b_h"][unit] = 2.0
    control = CharRNN(len(vocab), 8, seed=11)          # the same weights, not rewired
    trained_states, _ = A.read_stream(wired, data)
    control_states, _ = A.read_stream(control, data)
    cut = split_at(corpus)
    null = [A.read_stream(CharRNN(len(vocab), 8, seed=100 + k), data)[0][cut:] for k in range(20)]
    report = U.units_section(corpus, cut, trained_states[cut:], control_states[cut:], null)
    in_word = report["features"]["in_word"]
    assert in_word["best_unit"] == unit + 1
    assert in_word["best"] == pytest.approx(1.0)
    assert in_word["verdict"] == "learned"
    assert in_word["best_means"] == pytest.approx([np.tanh(-2.0), np.tanh(2.0)])
    assert in_word["null_bar"] < in_word["best"]
    assert in_word["margin"] == pytest.approx(in_word["best"] - in_word["null_bar"])


# --- the real analysis on a short trained run ---------------------------------------

@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "short"
    train_into(path, TrainConfig(steps=300, val_every=100, sample_every=100))
    analyze_run(path)
    return path


def test_the_run_s_analysis_has_every_unit_and_fact(short_run):
    units = json.loads((short_run / "analysis.json").read_text())["units"]
    run = read_trained_run(short_run)
    H = run.config.hidden_size
    assert units["hidden_size"] == H and units["val_chars"] == len(run.data) - run.cut
    assert units["feature_order"] == [f.name for f in U.FEATURES]
    for name, report in units["features"].items():
        trained = np.array(report["trained"])
        assert trained.shape == np.shape(report["untrained"]) == (H,)
        # the headline numbers are plain scalars, consistent with the per-unit arrays
        for key in ("best", "best_signed", "control_best", "null_bar", "margin"):
            assert isinstance(report[key], float), (name, key)
        assert report["best_unit"] == int(np.argmax(np.abs(trained))) + 1
        assert report["best"] == pytest.approx(abs(trained[report["best_unit"] - 1]), abs=1e-4)
        assert report["control_best"] == pytest.approx(np.abs(report["untrained"]).max(), abs=1e-4)
        bar = np.quantile(report["null_best"], U.NULL_QUANTILE)
        assert report["null_bar"] == pytest.approx(bar, abs=1e-4)
        assert len(report["null_best"]) == units["rule"]["null_networks"]
        assert report["verdict"] == U.verdict(report["best"], report["null_bar"])
        assert len(report["best_means"]) == len(report["levels"])
    assert units["tracked"] == sum(r["verdict"] == "learned" for r in units["features"].values())


def test_the_excerpt_holds_whole_validation_sentences_and_their_states(short_run):
    units = json.loads((short_run / "analysis.json").read_text())["units"]
    run = read_trained_run(short_run)
    excerpt = units["excerpt"]
    start = run.cut + excerpt["start"]
    text = excerpt["text"]
    assert excerpt["start"] >= 0 and len(text) >= U.EXCERPT_CHARS
    assert run.corpus.text[start:start + len(text)] == text
    # it starts where a sentence starts and ends where one ends
    starts = np.cumsum([0] + [len(s) + 1 for s in run.corpus.sentences])
    assert start in starts and start + len(text) + 1 in starts
    states, _ = A.read_stream(run.model, run.data)
    trained = np.array(excerpt["trained"])
    assert trained.shape == (run.config.hidden_size, len(text))
    np.testing.assert_allclose(trained, states[start:start + len(text)].T, atol=0.0051)


def test_a_network_that_learned_nothing_passes_the_bar_about_one_time_in_twenty(corpus):
    """The bar is the null's 95th percentile: random 'trained' states, set against
    random untrained ones of the same shape, are called learned about 5% of the time."""
    rng = np.random.default_rng(3)
    cut, H = split_at(corpus), 8
    feature = next(f for f in U.FEATURES if f.name == "in_word")
    values = U.character_features(corpus)["in_word"][cut:]
    n = len(values)
    calls = [U.feature_report(feature, values, rng.normal(size=(n, H)), rng.normal(size=(n, H)),
                              [rng.normal(size=(n, H)) for _ in range(20)])["verdict"] == "learned"
             for _ in range(200)]
    assert 0.01 <= np.mean(calls) <= 0.12
