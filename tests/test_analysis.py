import json

import numpy as np
import pytest
from sklearn.decomposition import PCA
from training import train_into

from charrnn import analysis as A  # noqa: N812 (one letter keeps the calls short)
from charrnn.train import TrainConfig
from runner.runfiles import analyze_run, read_trained_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "short"
    train_into(path, TrainConfig(steps=300, val_every=100, sample_every=100))
    return path


@pytest.fixture(scope="module")
def analysis(run_dir):
    return analyze_run(run_dir)


@pytest.fixture(scope="module")
def run(run_dir):
    return read_trained_run(run_dir)


# --- the file ------------------------------------------------------------------

def test_analysis_json_is_written_valid_and_equal_to_the_result(run_dir, analysis):
    def no_nan(name):
        raise AssertionError(f"{name} in analysis.json")

    text = (run_dir / "analysis.json").read_text(encoding="utf-8")
    assert json.loads(text, parse_constant=no_nan) == analysis
    assert set(analysis) == {"pca", "words", "word_position", "generation", "baselines", "units",
                             "test", "dynamics", "headline"}
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_same_run_gives_the_same_analysis(run_dir, analysis):
    again = analyze_run(run_dir)
    for key in ("pca", "words", "word_position", "generation", "baselines", "units", "dynamics"):
        assert again[key] == analysis[key]


def test_to_json_value_rounds_and_drops_non_finite_numbers():
    value = A.to_json_value({"a": np.float32(1 / 3), "b": [np.nan, np.inf], "c": np.arange(2),
                             "d": np.bool_(True)})
    assert value == {"a": 0.333333, "b": [None, None], "c": [0, 1], "d": True}


# --- 1. PCA ----------------------------------------------------------------------

def test_pca_projects_with_the_fitted_frame():
    rng = np.random.default_rng(0)
    fit = rng.normal(size=(200, 8)) * np.arange(1, 9)
    pca, projected = A.hidden_state_pca(fit, fit.reshape(10, 20, 8))
    np.testing.assert_allclose(projected.reshape(200, 3), PCA(3).fit_transform(fit), atol=1e-9)
    assert pca.explained_variance_ratio_[0] > pca.explained_variance_ratio_[1]


def test_every_snapshot_is_drawn_in_one_frame(run, analysis):
    pca = analysis["pca"]
    hidden = run.snapshots["hidden"]
    S, T, _ = hidden.shape
    assert pca["snapshot_steps"] == run.snapshots["step"].tolist()
    assert np.shape(pca["trajectories"]) == (S, T, 2)
    assert np.shape(pca["chars"]) == (S, T)
    assert len(pca["explained_variance_ratio"]) == 3

    # Refit the documented frame by hand: it must give the published points
    # for every snapshot, the first as well as the last.
    states, _ = A.read_stream(run.model, run.data)
    frame = PCA(3).fit(states[:run.cut])
    for s in (0, S - 1):
        np.testing.assert_allclose(pca["trajectories"][s], frame.transform(hidden[s])[:, :2], atol=2e-4)


def test_sentence_trajectory_has_one_labelled_point_per_character(analysis):
    sentence = analysis["pca"]["sentence"]
    assert "".join(sentence["chars"]) == sentence["text"]
    assert np.shape(sentence["points"]) == (len(sentence["text"]), 2)


# --- 2. Words --------------------------------------------------------------------

def test_toy_clusters_are_recovered_perfectly():
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0]])
    labels = [name for name in "abc" for _ in range(5)]
    vectors = np.repeat(centres, 5, axis=0) + rng.normal(scale=0.1, size=(15, 3))
    scores = A.cluster_and_score(vectors, labels, 3)
    assert scores["ari"] == pytest.approx(1.0)
    assert scores["purity"] == 1.0
    assert A.nearest_neighbour_accuracy(vectors, labels) == 1.0


def test_purity_by_hand():
    # clusters {1: a a b} and {2: b c}: majorities 2 + 1 out of 5
    assert A.purity(list("aabbc"), [1, 1, 1, 2, 2]) == pytest.approx(3 / 5)


def test_word_scores_in_range_for_trained_and_untrained(analysis):
    words = analysis["words"]
    n = len(words["words"])
    assert n == len(words["categories"]) == len(words["occurrences"])
    assert "the" not in words["words"] and "a" not in words["words"]
    assert words["num_clusters"] == 7
    for network in ("trained", "untrained"):
        scores = words[network]
        assert -0.5 <= scores["ari"] <= 1 and 0 < scores["purity"] <= 1
        assert 0 <= scores["nearest_neighbour_accuracy"] <= 1
        assert -0.5 <= scores["noun_verb"]["ari"] <= 1 and 0.5 <= scores["noun_verb"]["purity"] <= 1
        assert len(scores["clusters"]) == n and max(scores["clusters"]) <= 7
        assert max(scores["noun_verb"]["clusters"]) <= 2
        assert sorted(scores["dendrogram"]["leaves"]) == list(range(n))
        assert np.shape(scores["linkage"]) == (n - 1, 4)
    assert words["trained"]["linkage"] != words["untrained"]["linkage"]


def test_untrained_control_is_the_network_training_started_from(run, run_dir):
    model = A.untrained_model(run.config, len(run.vocab))
    with np.load(run_dir / "weights.npz") as weights:
        assert weights["step"][0] == 1  # recorded before the first update
        for name, array in model.arrays.items():
            np.testing.assert_allclose(array, weights[name][0], atol=1e-6)


def test_word_means_average_the_state_at_the_space_that_ends_each_word():
    text = "ab c ab"
    states = np.arange(len(text), dtype=float)[:, None]
    means, counts = A.mean_state_per_word(text, states, ["ab", "c"])
    assert counts == [2, 1]
    # "ab" ends at the space (2) and, at the end of the text, at its last letter (6)
    np.testing.assert_allclose(means[:, 0], [(2 + 6) / 2, 4])


# --- 3. Word position ----------------------------------------------------------------

def test_position_in_word():
    assert A.position_in_word("the cat").tolist() == [0, 1, 2, -1, 0, 1, 2]


def test_word_position_buckets_cover_every_validation_prediction(run, analysis):
    position = analysis["word_position"]
    assert sum(position["count"]) == len(run.data) - run.cut == analysis["baselines"]["val_chars"]
    assert position["buckets"][0] == "0" and position["buckets"][-1] == "space"
    n = len(position["buckets"])
    for key in ("rnn_loss", "rnn_error", "optimal_loss", "optimal_error"):
        assert len(position[key]) == n
    # The grammar is most uncertain at word onsets: that is where a new word is chosen.
    assert position["optimal_loss"][0] == max(position["optimal_loss"])


# --- 4. Generation -----------------------------------------------------------------------

def test_hit_rate_is_one_on_real_words_and_below_one_with_junk():
    assert A.vocab_hit_rate("the boy sleeps a cat eats the bread".split()) == 1.0
    assert A.vocab_hit_rate("the boy sleqps a cat".split()) == pytest.approx(4 / 5)
    assert A.vocab_hit_rate([]) is None


def test_grammar_rate():
    assert A.grammar_rate("the boy sleeps a cat eats the bread".split()) == 1.0
    assert A.grammar_rate("the boy sleeps a cat eats the book".split()) < 1.0


def test_truncated_last_word_is_dropped():
    assert A.complete_words("boy sleeps a ca") == ["boy", "sleeps", "a"]
    assert A.complete_words("boy sleeps ") == ["boy", "sleeps"]


def test_temperatures_and_lengths_are_recorded(analysis):
    generation = analysis["generation"]
    assert generation["temperatures"] == [0.5, 1.0, 1.5]
    assert [s["temperature"] for s in generation["samples"]] == generation["temperatures"]
    assert generation["sample_length"] == A.SAMPLE_LENGTH and generation["seed_text"] == "the "
    for s in generation["samples"]:
        assert len(s["text"]) == generation["excerpt_length"]
        assert 0 <= s["vocab_hit_rate"] <= 1 and 0 <= s["grammar_rate"] <= 1
    assert generation["vocab_hit_rate"] == generation["samples"][1]["vocab_hit_rate"]


# --- 5. Baselines -------------------------------------------------------------------------

def test_baselines_are_ordered_as_they_must_be(analysis):
    b = analysis["baselines"]
    assert b["optimal"] <= b["kneser_ney"] < b["unigram"]
    assert b["optimal"] == pytest.approx(b["entropy_floor"], rel=0.15)  # a short slice of a long-run rate


def test_rnn_baseline_matches_what_training_reported(run_dir, analysis):
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert analysis["baselines"]["rnn_val_context"] == pytest.approx(summary["final_val_loss"], rel=1e-5)
    assert analysis["baselines"]["rnn"] == pytest.approx(summary["final_val_loss"], rel=0.02)


# --- training dynamics ------------------------------------------------------------

def test_dynamics_pairs_the_first_and_the_last_snapshot(run_dir, analysis):
    d = analysis["dynamics"]
    with np.load(run_dir / "snapshots.npz") as s, np.load(run_dir / "jacobians.npz") as j:
        assert d["steps"] == [1, 300] == [int(s["step"][0]), int(s["step"][-1])]
        assert d["saturation"] == pytest.approx([s["saturation"][0], s["saturation"][-1]], rel=1e-5)
        assert d["gradient_first_position"] == pytest.approx(
            [s["step_grad_norms"][0][0], s["step_grad_norms"][-1][0]], rel=1e-5)
        norms = j["product_norm"]
        assert d["jacobian_depth"] == norms.shape[1]
        assert d["jacobian_near"] == pytest.approx([norms[0][0], norms[-1][0]], rel=1e-5)
        assert d["jacobian_far"] == pytest.approx([norms[0][-1], norms[-1][-1]], rel=1e-5)
    # An orthogonal W_hh times derivatives of at most 1 cannot stretch a vector.
    assert d["jacobian_near"][0] <= 1 + 1e-9
    assert all(peak >= max(near, far) for peak, near, far in
               zip(d["jacobian_peak"], d["jacobian_near"], d["jacobian_far"], strict=True))
