"""Phase 4: what the trained network has learned, measured.

Training leaves a run directory behind. This module reads it back, rebuilds
the corpus the network was trained on, and answers eight questions, each by a
small function that takes plain arrays (or a model) and returns plain numbers:

1. pca            how do the hidden states move while the network reads?
2. words          do the hidden states group words by category, as in Elman (1990)?
3. word_position  where inside a word is the next character hard to guess?
4. generation     does the network write real words and grammatical sentences?
5. baselines      how does its validation loss compare with the best possible
                  predictor, an n-gram table and plain character frequencies?
6. units          does any single hidden unit follow a fact a reader can name,
                  beyond what untrained networks do (units.py)?
7. test           what do the final and the selected checkpoint score on fresh
                  text that nothing was selected on (testset.py)?
8. dynamics       what changed between the first and the last snapshot, in the
                  measurements the walkthrough's prose talks about?

`analyze(run)` runs them all on a run in memory and returns the answers; the
runner reads the run from its directory and writes them there as analysis.json.
"""
from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import dendrogram, fcluster, linkage
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from .config import TrainConfig
from .corpus import KNOWN_WORDS, WORD_CATEGORY, Corpus, entropy_floor, parse_sentences
from .data import Vocab, split
from .model import CharRNN
from .ngram import KneserNey
from .optimal import OptimalPredictor
from .sample import sample_many
from .testset import test_section
from .train import VAL_CONTEXT, validation_loss
from .units import units_section

PCA_COMPONENTS = 3            # variance reported for 3; trajectories keep the first 2
TRAJECTORY_SENTENCES = (1, 3)  # corpus sentences [1, 3) make the labelled trajectory
SEED_TEXT = "the "
SAMPLE_LENGTH = 3_000         # characters per generated sample
SAMPLES_PER_TEMPERATURE = 20  # independent samples at each temperature
EXCERPT_LENGTH = 200          # characters of each sample kept for display
TEMPERATURES = (0.5, 1.0, 1.5)
NGRAM_ORDER = 5
NULL_NETWORKS = 20            # untrained networks behind the units' null
NULL_SEEDS = 10_000           # ... initialised with seeds NULL_SEEDS, NULL_SEEDS + 1, ...
SPACE = "space"               # the word-position bucket of the space character


# --- the run, read back ---------------------------------------------------------

@dataclass
class TrainedRun:
    """A finished run, in memory: what the analysis reads. The runner builds it
    from a run directory (runner/runfiles.py)."""
    config: TrainConfig
    model: CharRNN        # the trained network, at its last step
    selected: CharRNN     # ... and at the step of its lowest validation loss
    vocab: Vocab
    corpus: Corpus        # regenerated from the run's corpus settings
    data: np.ndarray      # the corpus as indices
    snapshots: dict       # step (S,), hidden (S,T,H), inputs (S,T), saturation, step_grad_norms
    jacobians: dict       # step (J,), product_norm (J, depth)

    @property
    def cut(self) -> int:
        """Where validation begins in the stream, exactly as training split it."""
        return len(split(self.data, self.config.val_fraction)[0])


def untrained_model(config: TrainConfig, vocab_size: int, seed: int | None = None) -> CharRNN:
    """The network as it was before its first update: same shape, same seed,
    so the same initial weights training started from (or another ``seed``'s)."""
    return CharRNN(vocab_size, config.hidden_size, init=config.init, activation=config.activation,
                   embedding_dim=config.embedding_dim,
                   seed=config.seed if seed is None else seed)


@functools.cache
def optimal_predictor() -> OptimalPredictor:
    """Built once: its table of every sentence prefix is the same for every run."""
    return OptimalPredictor()


# The references below depend on the corpus alone, not on the network, and every
# run of a sweep with the same corpus settings asks for the same numbers: each
# worker process computes them once per corpus.
@functools.lru_cache(maxsize=4)
def optimal_next_char_probs(text: str, chars: tuple[str, ...]) -> np.ndarray:
    return optimal_predictor().next_char_probs(text, chars)


@functools.lru_cache(maxsize=4)
def reference_losses(train_text: str, val_text: str) -> tuple[float, float, float]:
    """(optimal predictor, Kneser-Ney n-gram) mean loss on the validation text, and
    the optimal predictor's on the training text: the floor of the training loss."""
    optimal = optimal_predictor().mean_loss(val_text, history=train_text)
    ngram = KneserNey(order=NGRAM_ORDER).fit(train_text).mean_loss(val_text, history=train_text)
    return optimal, ngram, optimal_predictor().mean_loss(train_text)


def read_stream(model: CharRNN, data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Read a whole stream from a zero state, carrying the hidden state throughout.

    Returns (states, probs): states[t] is the hidden state just after reading
    data[t], and probs[t] is the network's prediction of data[t + 1].
    """
    # forward() also scores its targets; we only want states and predictions,
    # so give it the true next characters (the last one wraps around, unused).
    targets = np.append(data[1:], data[0])
    fwd = model.forward(data, targets, np.zeros(model.hidden_size))
    return fwd.h[1:], fwd.probs


def validation_states(model: CharRNN, run: TrainedRun) -> np.ndarray:
    """The hidden state after each validation character, read as training's
    validation reads it: the last VAL_CONTEXT training characters first."""
    states, _ = read_stream(model, run.data[run.cut - VAL_CONTEXT:])
    return states[min(VAL_CONTEXT, run.cut):]


def units_of(run: TrainedRun) -> dict:
    """The units section: the trained network against its own initial weights
    (the picture) and against NULL_NETWORKS other initialisations (the verdict)."""
    def states(seed=None):
        return validation_states(untrained_model(run.config, len(run.vocab), seed), run)
    null = [states(NULL_SEEDS + k) for k in range(NULL_NETWORKS)]
    return units_section(run.corpus, run.cut, validation_states(run.model, run), states(), null)


# --- 1. PCA of the hidden states -------------------------------------------------

# region pca
def hidden_state_pca(fit_states: np.ndarray, snapshot_hidden: np.ndarray,
                     n_components: int = PCA_COMPONENTS) -> tuple[PCA, np.ndarray]:
    """Fit one PCA frame and project every snapshot into it.

    Fitting a fresh PCA per snapshot would give each step its own axes (and
    arbitrary signs), so trajectories could not be compared across training.
    Instead one frame is fitted, on `fit_states`, and every snapshot's chunk
    of hidden states (S, T, H) is projected into it: returns (pca, (S, T, k)).
    """
    # The "full" solver is exact and deterministic: the same run always gives
    # the same axes, which keeps the site reproducible.
    pca = PCA(n_components, svd_solver="full").fit(np.asarray(fit_states, dtype=np.float64))
    S, T, H = snapshot_hidden.shape
    flat = np.asarray(snapshot_hidden, dtype=np.float64).reshape(S * T, H)
    return pca, pca.transform(flat).reshape(S, T, n_components)


def sentence_span(sentences: list[str], first: int, stop: int) -> tuple[int, int]:
    """Character range [start, end) of sentences[first:stop] in the joined stream."""
    start = sum(len(s) + 1 for s in sentences[:first])  # each sentence plus its joining space
    end = start + len(" ".join(sentences[first:stop]))
    return start, end


def pca_section(run: TrainedRun, states: np.ndarray) -> dict:
    """The frame is fitted on the trained network's hidden states over the whole
    training split, read as one stream: the states the final model actually
    visits. The final snapshot's single chunk (seq_len characters) would be
    too few points for a stable frame. Every recorded snapshot is then drawn in it."""
    pca, trajectories = hidden_state_pca(states[:run.cut], run.snapshots["hidden"])
    chars = [[run.vocab.chars[i] for i in row] for row in run.snapshots["inputs"]]

    # The final model reading two whole sentences, one point per character.
    # Sentence 0 is skipped: it is read from a zero state, unlike all the others.
    start, end = sentence_span(run.corpus.sentences, *TRAJECTORY_SENTENCES)
    points = pca.transform(states[start:end])
    return {
        "fitted_on": "final model, training split",
        "explained_variance_ratio": pca.explained_variance_ratio_,
        "snapshot_steps": run.snapshots["step"],
        "trajectories": np.round(trajectories[:, :, :2], 4),
        "chars": chars,
        "sentence": {"text": run.corpus.text[start:end], "chars": list(run.corpus.text[start:end]),
                     "points": np.round(points[:, :2], 4)},
    }
# endregion pca


# --- 2. Words, clustered by their hidden states (Elman's result) ------------------

def word_ends(text: str) -> list[tuple[str, int]]:
    """Every word occurrence and the position of the character that ends it:
    the space after it (or its last letter at the very end of the text)."""
    return [(m.group(), min(m.end(), len(text) - 1)) for m in re.finditer(r"\S+", text)]


def mean_state_per_word(text: str, states: np.ndarray, words: list[str]) -> tuple[np.ndarray, list[int]]:
    """Average, for each word of `words`, the hidden state once the word has
    been read: at the space that ends it. That is the moment the network
    knows the whole word and must guess what kind of word comes next, which
    is where Elman looked for categories.
    Returns (means (W, H), occurrence counts)."""
    sums = {w: np.zeros(states.shape[1]) for w in words}
    counts = Counter()
    for word, end in word_ends(text):
        if word in sums:
            sums[word] += states[end]
            counts[word] += 1
    return np.array([sums[w] / counts[w] for w in words]), [counts[w] for w in words]


def purity(true_labels, cluster_ids) -> float:
    """Share of items whose cluster's majority label is their own label."""
    majority = 0
    for cluster in set(cluster_ids):
        members = [t for t, c in zip(true_labels, cluster_ids, strict=True) if c == cluster]
        majority += Counter(members).most_common(1)[0][1]
    return majority / len(true_labels)


def cluster_and_score(vectors: np.ndarray, true_labels: list[str], num_clusters: int) -> dict:
    """Ward's hierarchical clustering cut into `num_clusters`, scored against the labels.

    The adjusted Rand index is 1 for a perfect recovery and about 0 for a
    random assignment; purity is easier to read but rewards many small clusters.
    """
    tree = linkage(vectors, method="ward")
    clusters = fcluster(tree, num_clusters, criterion="maxclust")
    return {"clusters": clusters, "ari": adjusted_rand_score(true_labels, clusters),
            "purity": purity(true_labels, clusters)}


def nearest_neighbour_accuracy(vectors: np.ndarray, labels: list[str]) -> float:
    """Leave-one-out: the share of items whose closest other item has the same label.

    Unlike a clustering it needs no number of clusters and no tree shape,
    only that words of one category sit closer to each other than to others.
    """
    distances = np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=-1)
    np.fill_diagonal(distances, np.inf)  # an item is not its own neighbour
    nearest = distances.argmin(axis=1)
    return float(np.mean([labels[i] == labels[j] for i, j in enumerate(nearest)]))


def word_clusters(means: np.ndarray, categories: list[str]) -> dict:
    """Everything the site needs about one network's word means: the two cuts,
    the neighbour test, the tree to draw, and a 2-D map of the words."""
    word_class = [c.split("_")[0] for c in categories]  # "NOUN" or "VERB"
    seven = cluster_and_score(means, categories, len(set(categories)))
    tree = linkage(means, method="ward")
    drawing = dendrogram(tree, no_plot=True)
    return {
        "clusters": seven["clusters"],
        "ari": seven["ari"],
        "purity": seven["purity"],
        "nearest_neighbour_accuracy": nearest_neighbour_accuracy(means, categories),
        "noun_verb": cluster_and_score(means, word_class, 2),
        "linkage": tree,
        "dendrogram": {"leaves": drawing["leaves"], "icoord": drawing["icoord"],
                       "dcoord": drawing["dcoord"]},
        "points": np.round(PCA(2, svd_solver="full").fit_transform(means), 4),
    }


def words_section(run: TrainedRun, trained_states: np.ndarray, untrained_states: np.ndarray) -> dict:
    """Elman's figure, measured, with a control.

    Determiners are left out: "the" and "a" are not among the seven categories,
    and as the only words before every noun they would form a trivial eighth group.

    The control is the same network before training. Averaging hidden states
    per word can group words by their spelling alone (words sharing letters,
    especially final letters, drive the state the same way), so the trained
    network's scores mean something only by how far they exceed the untrained ones.
    """
    text = run.corpus.text
    in_corpus = set(text.split())
    words = [w for w, c in WORD_CATEGORY.items() if c != "DET" and w in in_corpus]
    categories = [WORD_CATEGORY[w] for w in words]
    trained, counts = mean_state_per_word(text, trained_states, words)
    untrained, _ = mean_state_per_word(text, untrained_states, words)
    return {
        "words": words,
        "categories": categories,
        "occurrences": counts,
        "num_clusters": len(set(categories)),
        "trained": word_clusters(trained, categories),
        "untrained": word_clusters(untrained, categories),
    }


# --- 3. Prediction error by position within a word --------------------------------

def position_in_word(text: str) -> np.ndarray:
    """For each character: 0 for the first letter of a word, 1 for the second, ...;
    -1 for a space."""
    positions = np.empty(len(text), dtype=np.int64)
    position = 0
    for t, char in enumerate(text):
        if char == " ":
            positions[t], position = -1, 0
        else:
            positions[t], position = position, position + 1
    return positions


def bucket_errors(positions: np.ndarray, probs: np.ndarray, targets: np.ndarray) -> dict:
    """Mean loss (nats) and top-1 error rate of predictions, grouped by the
    position of the character being predicted. Row t of `probs` predicts targets[t]."""
    losses = -np.log(np.maximum(probs[np.arange(len(targets)), targets], 1e-300))
    wrong = probs.argmax(axis=1) != targets
    buckets = sorted(set(positions[positions >= 0])) + [-1]  # the space goes last
    return {
        "buckets": [SPACE if b < 0 else str(b) for b in buckets],
        "count": [int(np.sum(positions == b)) for b in buckets],
        "loss": [float(losses[positions == b].mean()) for b in buckets],
        "error": [float(wrong[positions == b].mean()) for b in buckets],
    }


def word_position_section(run: TrainedRun, rnn_probs: np.ndarray) -> dict:
    """The validation characters, each predicted from everything before it,
    by the network and by the grammar itself. Uncertainty lives at word onsets:
    once the first letter or two of a word are known the rest is spelled out."""
    text, cut = run.corpus.text, run.cut
    targets = run.data[cut:]
    positions = position_in_word(text)[cut:]
    # Row t of both predictors' outputs predicts character t + 1.
    optimal_probs = optimal_next_char_probs(text, tuple(run.vocab.chars))[cut - 1:-1]
    rnn = bucket_errors(positions, rnn_probs[cut - 1:-1], targets)
    optimal = bucket_errors(positions, optimal_probs, targets)
    return {"buckets": rnn["buckets"], "count": rnn["count"],
            "rnn_loss": rnn["loss"], "rnn_error": rnn["error"],
            "optimal_loss": optimal["loss"], "optimal_error": optimal["error"]}


# --- 4. Generation quality ----------------------------------------------------------

def complete_words(text: str) -> list[str]:
    """The words of a generated text, without the last one if the text stopped mid-word."""
    words = text.split()
    return words if text.endswith(" ") else words[:-1]


def vocab_hit_rate(words: list[str]) -> float | None:
    """Share of words that are words of the language (None if there are none)."""
    return sum(w in KNOWN_WORDS for w in words) / len(words) if words else None


def grammar_rate(words: list[str]) -> float | None:
    """Share of attempted sentences the grammar accepts (None if none was attempted)."""
    verdicts = parse_sentences(words)
    return sum(verdicts) / len(verdicts) if verdicts else None


def judge_text(text: str, seed_text: str = SEED_TEXT) -> dict:
    """Score one generated text.

    The hit rate counts generated words only. The grammar sees the seed text
    too: "the " is the determiner of the first sentence, which the network
    was asked to continue.
    """
    words = complete_words(text)
    return {"num_words": len(words),
            "num_sentences": len(parse_sentences(seed_text.split() + words)),
            "vocab_hit_rate": vocab_hit_rate(words),
            "grammar_rate": grammar_rate(seed_text.split() + words)}


def judge_samples(temperature: float, texts: list[str]) -> dict:
    """Score every sample of one temperature.

    One sample is an anecdote: two samples of the same network differ by
    more than a few points of hit rate. So every rate is the mean over the
    samples, with its standard deviation and the values themselves.
    """
    scores = [judge_text(text) for text in texts]
    result = {"temperature": temperature, "text": texts[0][:EXCERPT_LENGTH],
              "num_words": sum(s["num_words"] for s in scores),
              "num_sentences": sum(s["num_sentences"] for s in scores)}
    for rate in ("vocab_hit_rate", "grammar_rate"):
        values = [s[rate] for s in scores if s[rate] is not None]
        result[rate + "s"] = values
        result[rate] = float(np.mean(values)) if values else None
        result[rate + "_sd"] = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return result


def generation_section(model: CharRNN, vocab: Vocab, seed: int) -> dict:
    # One seed for every temperature: the samples draw the same random numbers,
    # so they differ only by what the temperature does to the distribution.
    texts = sample_many(model, vocab, SEED_TEXT, SAMPLE_LENGTH, SAMPLES_PER_TEMPERATURE,
                        TEMPERATURES, np.random.default_rng(seed))
    by_temperature = [judge_samples(t, texts[t]) for t in TEMPERATURES]
    headline = next(s for s in by_temperature if s["temperature"] == 1.0)
    return {
        "seed_text": SEED_TEXT,
        "sample_length": SAMPLE_LENGTH,
        "excerpt_length": EXCERPT_LENGTH,
        "samples_per_temperature": SAMPLES_PER_TEMPERATURE,
        "temperatures": list(TEMPERATURES),
        # at temperature 1.0, the mean over the samples, and its spread
        **{k: headline[k] for k in ("vocab_hit_rate", "vocab_hit_rate_sd",
                                    "grammar_rate", "grammar_rate_sd")},
        "samples": by_temperature,
    }


# --- 5. Baselines on the validation slice ----------------------------------------------

def unigram_loss(train_text: str, val_text: str, chars) -> float:
    """Mean nats/char of a model that ignores context: character frequencies of
    the training text (plus one, so an unseen character is not infinitely surprising)."""
    counts = Counter(train_text)
    total = len(train_text) + len(chars)
    return float(np.mean([-math.log((counts[c] + 1) / total) for c in val_text]))


def baselines_section(run: TrainedRun, rnn_probs: np.ndarray) -> dict:
    """Mean nats/char on the exact validation slice training reported on.

    Every model predicts each validation character from all the text before
    it, so they answer the same question. `rnn_val_context` is the figure
    training printed (its state warmed on only the last VAL_CONTEXT training
    characters); the two agree closely because a sentence is short.
    """
    text, cut = run.corpus.text, run.cut
    train_text, val_text = text[:cut], text[cut:]
    targets = run.data[cut:]
    rnn_probs = rnn_probs[cut - 1:-1]
    train_data = run.data[:cut]
    optimal, ngram, optimal_train = reference_losses(train_text, val_text)
    return {
        "val_chars": len(val_text),
        "rnn": float(-np.log(rnn_probs[np.arange(len(targets)), targets]).mean()),
        "rnn_val_context": validation_loss(run.model, run.data[cut:], train_data[-VAL_CONTEXT:]),
        "optimal": optimal,
        "kneser_ney": ngram,
        "kneser_ney_order": NGRAM_ORDER,
        "unigram": unigram_loss(train_text, val_text, run.vocab.chars),
        "entropy_floor": entropy_floor(),
        # A training loss below this is memorising these sentences, not the language.
        "optimal_train": optimal_train,
    }


# --- 6. Training dynamics, first snapshot against last --------------------------------

def dynamics_section(snapshots: dict, jacobians: dict) -> dict:
    """The first and the last snapshot side by side, as pairs [first, last]: the
    share of saturated units, the gradient norm reaching the first and the last
    position of the chunk, and the Jacobian product norms one step back, at the
    deepest distance and at their largest. With these the walkthrough can say
    what its charts show for this run, and say it right for any run."""
    steps, saturation, reach = snapshots["step"], snapshots["saturation"], snapshots["step_grad_norms"]
    jacobian_steps, norms = jacobians["step"], jacobians["product_norm"]
    ends = [0, -1]
    section = {
        "steps": steps[ends],
        "saturation": saturation[ends],
        "gradient_first_position": reach[ends, 0],
        "gradient_last_position": reach[ends, -1],
    }
    if len(jacobian_steps):
        section |= {"jacobian_steps": jacobian_steps[ends], "jacobian_depth": norms.shape[1],
                    "jacobian_near": norms[ends, 0], "jacobian_far": norms[ends, -1],
                    "jacobian_peak": norms[ends].max(axis=1), "jacobian_low": norms[ends].min(axis=1)}
        # The last record is one chunk. Over the plateau (the last five sixths of
        # training), how often does the product exceed 1 at every distance?
        plateau = jacobian_steps >= jacobian_steps[-1] / 6
        section |= {"jacobian_plateau_records": int(plateau.sum()),
                    "jacobian_plateau_amplifying": int((norms[plateau].min(axis=1) > 1).sum())}
    return section


# --- all of it ---------------------------------------------------------------------------

@threadpool_limits.wrap(limits=1)   # as in training: the same numbers wherever it runs
def analyze(run: TrainedRun) -> dict:
    """Every question above, answered for one finished run, as plain JSON values."""
    # One pass over the whole corpus per network feeds several sections.
    states, probs = read_stream(run.model, run.data)
    untrained_states, _ = read_stream(untrained_model(run.config, len(run.vocab)), run.data)
    analysis = to_json_value({
        "pca": pca_section(run, states),
        "words": words_section(run, states, untrained_states),
        "word_position": word_position_section(run, probs),
        "generation": generation_section(run.model, run.vocab, run.config.seed),
        "baselines": baselines_section(run, probs),
        "units": units_of(run),
        "test": test_section(run.model, run.selected, run.vocab, run.corpus.sentences,
                             run.config.corpus_seed),
        "dynamics": dynamics_section(run.snapshots, run.jacobians),
    })
    analysis["headline"] = headline(analysis)
    return analysis


def headline(analysis: dict) -> dict:
    """The analysis's few headline numbers, flat: what a sweep compares across runs."""
    generation, words, baselines = analysis["generation"], analysis["words"], analysis["baselines"]
    test, dynamics = analysis["test"], analysis["dynamics"]
    return {
        "vocab_hit_rate": generation["vocab_hit_rate"],
        "vocab_hit_rate_sd": generation["vocab_hit_rate_sd"],
        "grammar_rate": generation["grammar_rate"],
        "ari": words["trained"]["ari"],
        "ari_control": words["untrained"]["ari"],
        "noun_verb_ari": words["trained"]["noun_verb"]["ari"],
        "noun_verb_ari_control": words["untrained"]["noun_verb"]["ari"],
        "val_loss_full_context": baselines["rnn"],
        "optimal_loss": baselines["optimal"],
        "kneser_ney_loss": baselines["kneser_ney"],
        "optimal_train_loss": baselines["optimal_train"],
        "jacobian_plateau_records": dynamics.get("jacobian_plateau_records"),
        "jacobian_plateau_amplifying": dynamics.get("jacobian_plateau_amplifying"),
        "units_tracked": analysis["units"]["tracked"],
        "unit_verdicts": {name: f["verdict"] for name, f in analysis["units"]["features"].items()},
        **{f"test_{name}": test.get(name) for name in
           ("final", "selected", "floor", "final_over_floor", "selected_over_floor")},
    }


def to_json_value(value, digits: int = 6):
    """NumPy arrays and scalars -> lists and plain numbers, floats rounded to
    `digits` significant digits; NaN and infinity -> None, since JSON has neither."""
    if isinstance(value, dict):
        return {str(k): to_json_value(v, digits) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return to_json_value(value.tolist(), digits)
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, digits) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(f"{value:.{digits}g}") if math.isfinite(value) else None
    return value
