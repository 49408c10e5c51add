"""TEST FIXTURE: a small, fake run directory, written the way a real run is:
the recorder's curves and snapshots, the model and the summary go through the
run format's own writer (runner.runfiles.run_files, then runner.rundir), so the
layout of the files is defined in one place only.

The numbers are random (seeded), not the result of training anything, and the
run records no code key: no code made it. The engine tests and the build
benchmark use it so they never train.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import dendrogram, linkage

from charrnn.config import TrainConfig
from charrnn.data import Vocab
from charrnn.model import CharRNN
from charrnn.record import Recorder
from charrnn.train import Trained, summarise
from runner import rundir
from runner.runfiles import run_files

VOCAB = list(" abcdeghiklmnoprstuvwy")
TEMPLATES = {"NOUN_HUMAN VERB_INTRAN": 80, "NOUN_HUMAN VERB_TRAN(eat) NOUN_FOOD": 75,
             "NOUN_ANIMAL VERB_INTRAN": 40, "NOUN_ANIMAL VERB_PERCEPT NOUN_HUMAN": 35}
NUM_CHARS = 24_000


def write_fake_run(run_dir: Path, steps: int = 2_000, hidden: int = 8, seq_len: int = 10,
                   seed: int = 0, with_analysis: bool = True) -> Path:
    """Write every file of a run directory into ``run_dir`` and return it."""
    rng = np.random.default_rng(seed)
    floor = 0.62
    config = TrainConfig(steps=steps, hidden_size=hidden, seq_len=seq_len, lr=0.01, momentum=0.9,
                         lr_decay_every=max(1, steps // 6), seed=42,
                         num_sentences=sum(TEMPLATES.values()), val_every=max(1, steps // 20),
                         sample_every=max(1, steps // 4))
    vocab = Vocab(tuple(VOCAB))
    model = CharRNN(len(vocab), hidden, seed=seed)
    for array in model.arrays.values():
        array[...] = rng.normal(size=array.shape)
    recorder = fake_recorder(rng, config, model, vocab, floor)
    # Words of the fake vocabulary, so the page's trainer has text of the run's characters.
    words = ["the", "a", "boy", "cat", "sleeps", "eats", "cake", "dog", "sees"]
    text = " ".join(np.random.default_rng(seed + 1).choice(words, size=NUM_CHARS // 5))
    corpus = {"num_sentences": sum(TEMPLATES.values()), "num_chars": NUM_CHARS,
              "template_counts": TEMPLATES, "word_counts": {"the": 300, "a": 290, "boy": 60},
              "char_counts": {c: 100 + i for i, c in enumerate(VOCAB)}, "entropy_floor": floor}
    summary = summarise(config, model, recorder, corpus, floor, None,
                        (int(NUM_CHARS * 0.9), int(NUM_CHARS * 0.1)))
    trained = Trained(config, vocab, model, recorder, corpus, summary, 12.5, text)
    rundir.write(run_dir, run_files(trained, "fake run: nothing was trained\n"))
    if with_analysis:
        snap = np.asarray([s["step"] for s in recorder.snapshots])
        rundir.add(run_dir, {
            "analysis.json": rundir.json_bytes(fake_analysis(rng, snap, seq_len, floor, hidden)),
            "timing.json": rundir.json_bytes({"train_seconds": 12.5, "analysis_seconds": 0.1})})
    return Path(run_dir)


def fake_recorder(rng: np.random.Generator, config: TrainConfig, model: CharRNN, vocab: Vocab,
                  floor: float) -> Recorder:
    """A Recorder holding random curves, snapshots and Jacobians, as if it had
    watched ``config.steps`` steps."""
    steps, V, H, T = config.steps, len(vocab), config.hidden_size, config.seq_len
    recorder = Recorder(steps, model, vocab)
    step = np.arange(1, steps + 1)
    recorder.loss = floor + 2.5 * np.exp(-step / (steps / 6)) + 0.1 * rng.random(steps)
    recorder.lr = 0.01 * 0.985 ** (step // max(1, steps // 6))
    recorder.grad_norm = 5 * np.exp(-step / steps) + rng.random(steps)
    recorder.clipped = recorder.grad_norm > 5
    recorder.steps_done = steps
    recorder.val_steps = list(range(0, steps + 1, max(1, steps // 20)))[1:]
    recorder.val_losses = [floor + 0.05 + 2.4 * np.exp(-s / (steps / 6)) for s in recorder.val_steps]
    recorder.best_weights = {name: array.copy() for name, array in model.arrays.items()}

    snap = np.unique(np.concatenate([[1], np.geomspace(1, steps, 12).astype(int), [steps]]))
    radius = np.linspace(1.0, 1.2, len(snap))
    for i, at in enumerate(snap):
        inputs = rng.integers(0, V, T)
        probs = rng.random((T, V))
        probs /= probs.sum(axis=-1, keepdims=True)
        recorder.snapshots.append({
            "step": int(at), "loss": recorder.loss[at - 1], "spectral_radius": radius[i],
            "eigenvalues": radius[i] * np.exp(1j * rng.uniform(0, 2 * np.pi, H)),
            "grad_norms": rng.random(5), "param_norms": rng.random(5),
            "total_grad_norm": rng.random(), "clip_ratio": 1.0, "clipped": False,
            "step_grad_norms": rng.random(T), "hidden": rng.uniform(-1, 1, (T, H)),
            "inputs": inputs, "targets": np.roll(inputs, -1), "probs": probs,
            "correct": rng.random(T) > 0.5, "saturation": rng.random(),
            "sample": f"the boy sleeps {i}",
            "weights": {name: rng.normal(size=array.shape) for name, array in model.arrays.items()}})
    J, K = 5, 10
    for at in np.linspace(1, steps, J).astype(int):
        recorder.jacobians.append({"step": int(at),
                                   "product_norm": np.exp(-np.arange(K) / 4),
                                   "product_radius": rng.random(K),
                                   "product_eigenvalues": np.zeros((K, H), complex)})
    return recorder


WORDS = {"boy": "NOUN_HUMAN", "girl": "NOUN_HUMAN", "cat": "NOUN_ANIMAL", "dog": "NOUN_ANIMAL",
         "bread": "NOUN_FOOD", "cake": "NOUN_FOOD", "sleeps": "VERB_INTRAN",
         "eats": "VERB_TRAN", "hears": "VERB_PERCEPT"}


def fake_analysis(rng: np.random.Generator, snap: np.ndarray, T: int, floor: float,
                  hidden: int = 8) -> dict:
    """analysis.json in the shape `charrnn analyze` writes, with random numbers."""
    words, categories = list(WORDS), list(WORDS.values())

    def clustering() -> dict:
        points = rng.normal(size=(len(words), 2))
        tree = linkage(points, "average")
        drawn = dendrogram(tree, no_plot=True)
        clusters = rng.integers(1, 4, len(words)).tolist()
        return {"ari": 0.4, "purity": 0.6, "nearest_neighbour_accuracy": 0.5,
                "clusters": clusters, "linkage": tree.round(4).tolist(),
                "points": points.round(4).tolist(),
                "dendrogram": {k: drawn[k] for k in ("icoord", "dcoord", "leaves")},
                "noun_verb": {"ari": 0.2, "purity": 0.7, "clusters": clusters}}

    sentence = "a boy eats the cake"
    samples = [{"temperature": t, "text": "the cat sleeps a boy eats the bread " * 3,
                "grammar_rate": 0.9 - t / 3, "vocab_hit_rate": 0.95 - t / 4,
                "grammar_rate_sd": 0.02, "vocab_hit_rate_sd": 0.01,
                "grammar_rates": [0.9 - t / 3] * 3, "vocab_hit_rates": [0.95 - t / 4] * 3,
                "num_sentences": 20, "num_words": 80} for t in (0.5, 1.0, 1.5)]
    buckets = ["0", "1", "2", "3", "space"]
    return {
        "headline": {"vocab_hit_rate": 0.9, "vocab_hit_rate_sd": 0.01, "grammar_rate": 0.7,
                     "ari": 0.4, "ari_control": 0.1, "noun_verb_ari": 0.2, "noun_verb_ari_control": 0.05,
                     "val_loss_full_context": floor + 0.05, "optimal_loss": floor + 0.01,
                     "kneser_ney_loss": floor + 0.1, "optimal_train_loss": floor - 0.01,
                     "units_tracked": 1, "unit_verdicts": {name: "learned" if i == 0 else "none"
                                                           for i, name in enumerate(UNIT_FEATURES)},
                     "test_final": floor + 0.08, "test_selected": floor + 0.07,
                     "test_floor": floor, "test_final_over_floor": (floor + 0.08) / floor,
                     "test_selected_over_floor": (floor + 0.07) / floor},
        "test": {"chars": 50_000, "windows": 50, "window_chars": 1_000, "warmup_chars": 200,
                 "corpus_seed": 20_251_203, "seen_share": 0.3, "floor": floor,
                 "final": floor + 0.08, "selected": floor + 0.07,
                 "final_over_floor": (floor + 0.08) / floor,
                 "selected_over_floor": (floor + 0.07) / floor},
        "baselines": {"entropy_floor": floor, "optimal": floor + 0.01, "kneser_ney": floor + 0.1,
                      "kneser_ney_order": 5, "rnn": floor + 0.05, "rnn_val_context": floor + 0.05,
                      "unigram": 2.7, "val_chars": 2_400},
        "generation": {"seed_text": "the ", "temperatures": [0.5, 1.0, 1.5], "samples": samples,
                       "sample_length": 300, "excerpt_length": 100, "grammar_rate": 0.7,
                       "vocab_hit_rate": 0.9, "grammar_rate_sd": 0.02, "vocab_hit_rate_sd": 0.01,
                       "samples_per_temperature": 3},
        "pca": {"fitted_on": "final model, training split",
                "explained_variance_ratio": [0.3, 0.2, 0.1],
                "snapshot_steps": snap.tolist(),
                "chars": [list("the boy sleeps a cat"[:T]) for _ in snap],
                "trajectories": rng.normal(size=(len(snap), T, 2)).round(4).tolist(),
                "sentence": {"text": sentence, "chars": list(sentence),
                             "points": rng.normal(size=(len(sentence), 2)).round(4).tolist()}},
        "word_position": {"buckets": buckets, "count": [50, 40, 30, 20, 45],
                          **{k: np.linspace(1, 0, len(buckets)).round(4).tolist()
                             for k in ("optimal_error", "optimal_loss", "rnn_error", "rnn_loss")}},
        "words": {"words": words, "categories": categories, "num_clusters": 7,
                  "occurrences": [10] * len(words),
                  "trained": clustering(), "untrained": clustering()},
        "units": fake_units(rng, hidden),
    }


UNIT_FEATURES = {"in_word": ("inside a word", "binary", ["space", "letter"]),
                 "word_position": ("position in a word", "ordinal",
                                   ["1st letter", "2nd letter", "3rd letter"]),
                 "after_determiner": ("just after a determiner", "binary",
                                      ["space after another word", "space after the or a"]),
                 "sentence_role": ("role in the sentence", "categorical",
                                   ["subject", "verb", "object"]),
                 "ends_in_s": ("a word that ends in s", "binary",
                               ["letter of another word", "letter of a word ending in s"])}


def fake_units(rng: np.random.Generator, hidden: int) -> dict:
    """analysis.json["units"] in the shape charrnn/units.py writes, with random
    numbers; the first fact passes the verdict, the others do not."""
    statistic = {"binary": "point-biserial r", "ordinal": "Spearman rho",
                 "categorical": "correlation ratio eta"}
    features = {}
    for i, (name, (label, kind, levels)) in enumerate(UNIT_FEATURES.items()):
        trained = rng.uniform(-0.6, 0.6, hidden).round(4)
        untrained = rng.uniform(-0.3, 0.3, hidden).round(4)
        if i == 0:
            trained[2] = 0.9
        if kind == "categorical":
            trained, untrained = np.abs(trained), np.abs(untrained)
        best, control = int(np.argmax(np.abs(trained))), int(np.argmax(np.abs(untrained)))
        features[name] = {
            "label": label, "kind": kind, "statistic": statistic[kind], "levels": levels,
            "defined_chars": 1_000, "trained": trained.tolist(), "untrained": untrained.tolist(),
            "best_unit": best + 1, "best": float(abs(trained[best])),
            "best_signed": float(trained[best]),
            "top_units": [int(u) + 1 for u in np.argsort(-np.abs(trained))[:3]],
            "best_means": rng.uniform(-1, 1, len(levels)).round(3).tolist(),
            "control_best_unit": control + 1, "control_best": float(abs(untrained[control])),
            "null_best": rng.uniform(0.2, 0.4, 20).round(4).tolist(), "null_bar": 0.4,
            "margin": float(abs(trained[best]) - 0.4),
            "verdict": "learned" if i == 0 else "none"}
    text = "a boy eats the cake the cat sleeps a girl hears the dog the dog sleeps"
    return {"hidden_size": hidden, "val_chars": 2_400,
            "rule": {"strength": 0.5, "null_quantile": 0.95, "null_networks": 20},
            "feature_order": list(UNIT_FEATURES), "features": features, "tracked": 1,
            "excerpt": {"start": 3, "text": text,
                        "trained": rng.uniform(-1, 1, (hidden, len(text))).round(2).tolist(),
                        "untrained": rng.uniform(-1, 1, (hidden, len(text))).round(2).tolist()}}
