"""TEST FIXTURE: a small, fake run directory in the format of docs/run-format.md,
written through runner.rundir like a real one (so it has its manifest).

The numbers are random (seeded), not the result of training anything. The engine
tests and the build benchmark use it so they never train.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import dendrogram, linkage

from runner import rundir

VOCAB = list(" abcdeghiklmnoprstuvwy")
TEMPLATES = {"NOUN_HUMAN VERB_INTRAN": 80, "NOUN_HUMAN VERB_TRAN(eat) NOUN_FOOD": 75,
             "NOUN_ANIMAL VERB_INTRAN": 40, "NOUN_ANIMAL VERB_PERCEPT NOUN_HUMAN": 35}


def _json(files: dict, name: str, data) -> None:
    files[name] = rundir.json_bytes(data)


def write_fake_run(run_dir: Path, steps: int = 2_000, hidden: int = 8, seq_len: int = 10,
                   seed: int = 0, with_analysis: bool = True) -> Path:
    """Write every file of a run directory into ``run_dir`` and return it."""
    rng = np.random.default_rng(seed)
    files: dict[str, bytes] = {}
    V, H, T = len(VOCAB), hidden, seq_len
    params = H * V + H * H + V * H + H + V
    floor = 0.62

    step = np.arange(1, steps + 1)
    loss = (floor + 2.5 * np.exp(-step / (steps / 6)) + 0.1 * rng.random(steps)).astype(np.float32)
    lr = (0.01 * 0.985 ** (step // max(1, steps // 6))).astype(np.float32)
    grad_norm = (5 * np.exp(-step / steps) + rng.random(steps)).astype(np.float32)
    val_step = np.arange(0, steps + 1, max(1, steps // 20))[1:].astype(np.int64)
    val_loss = (floor + 0.05 + 2.4 * np.exp(-val_step / (steps / 6))).astype(np.float32)
    files["curves.npz"] = rundir.npz_bytes(step=step.astype(np.int64), loss=loss, lr=lr,
                        grad_norm=grad_norm, clipped=grad_norm > 5, val_step=val_step,
                        val_loss=val_loss)

    snap = np.unique(np.concatenate([[1], np.geomspace(1, steps, 12).astype(int), [steps]]))
    S = len(snap)
    param_names = ["W_xh", "W_hh", "W_hy", "b_h", "b_y"]
    radius = np.linspace(1.0, 1.2, S).astype(np.float32)
    angles = rng.uniform(0, 2 * np.pi, (S, H))
    probs = rng.random((S, T, V)).astype(np.float32)
    probs /= probs.sum(axis=-1, keepdims=True)
    inputs = rng.integers(0, V, (S, T))
    files["snapshots.npz"] = rundir.npz_bytes(
         step=snap.astype(np.int64), spectral_radius=radius,
        eigenvalues=(radius[:, None] * np.exp(1j * angles)).astype(np.complex64),
        grad_norms=rng.random((S, 5)).astype(np.float32),
        param_norms=rng.random((S, 5)).astype(np.float32),
        total_grad_norm=rng.random(S).astype(np.float32),
        clip_ratio=np.ones(S, np.float32), clipped=np.zeros(S, bool),
        step_grad_norms=rng.random((S, T)).astype(np.float32),
        hidden=rng.uniform(-1, 1, (S, T, H)).astype(np.float32),
        inputs=inputs, targets=np.roll(inputs, -1, axis=1), probs=probs,
        correct=rng.random((S, T)) > 0.5, saturation=rng.random(S).astype(np.float32),
        loss=loss[snap - 1])
    _json(files, "snapshots.json", {"param_names": param_names,
                                       "samples": [f"the boy sleeps {i}" for i in range(S)]})
    shapes = {"W_xh": (H, V), "W_hh": (H, H), "W_hy": (V, H), "b_h": (H,), "b_y": (V,)}
    kept = snap[::2]
    files["weights.npz"] = rundir.npz_bytes(step=kept.astype(np.int64),
                        **{n: rng.normal(size=(len(kept), *s)).astype(np.float32)
                           for n, s in shapes.items()})
    J, K = 5, 10
    files["jacobians.npz"] = rundir.npz_bytes(
                        step=np.linspace(1, steps, J).astype(np.int64),
                        distance=np.arange(1, K + 1),
                        product_norm=np.exp(-np.outer(np.ones(J), np.arange(K)) / 4)
                        .astype(np.float32),
                        product_radius=rng.random((J, K)).astype(np.float32),
                        step_radius=rng.random((J, K)).astype(np.float32),
                        product_eigenvalues=np.zeros((J, K, H), np.complex64))
    files["checkpoint.npz"] = rundir.checkpoint_bytes(rundir.Checkpoint(
        chars=tuple(VOCAB), hidden_size=H, embedding_dim=0, activation="tanh", init="orthogonal",
        params={n: rng.normal(size=s) for n, s in shapes.items()}))
    files["best_checkpoint.npz"] = files["checkpoint.npz"]

    num_chars = 24_000
    _json(files, "config.json", {
        "steps": steps, "hidden_size": H, "seq_len": T, "lr": 0.01, "momentum": 0.9,
        "lr_decay": 0.985, "lr_decay_every": max(1, steps // 6), "clip": 5.0, "seed": 42,
        "init": "orthogonal", "activation": "tanh", "embedding_dim": 0, "freeze_whh": False,
        "num_sentences": sum(TEMPLATES.values()), "corpus_seed": 42, "val_fraction": 0.1,
        "val_every": max(1, steps // 20), "sample_every": max(1, steps // 4)})
    _json(files, "vocab.json", {"chars": VOCAB})
    _json(files, "corpus.json", {
        "num_sentences": sum(TEMPLATES.values()), "num_chars": num_chars,
        "template_counts": TEMPLATES, "word_counts": {"the": 300, "a": 290, "boy": 60},
        "char_counts": {c: 100 + i for i, c in enumerate(VOCAB)}, "entropy_floor": floor})
    # Words of the fake vocabulary, so the page's trainer has text of the run's characters.
    words = ["the", "a", "boy", "cat", "sleeps", "eats", "cake", "dog", "sees"]
    text = " ".join(np.random.default_rng(seed + 1).choice(words, size=num_chars // 5))
    files["corpus.txt"] = text.encode("utf-8")
    files["console.txt"] = b"fake run: nothing was trained\n"
    if with_analysis:
        _json(files, "analysis.json", fake_analysis(rng, snap, T, floor, hidden=H))
    best = int(np.argmin(val_loss))
    _json(files, "summary.json", {
        "params": params, "vocab_size": V, "corpus_chars": num_chars,
        "train_chars": int(num_chars * 0.9), "val_chars": int(num_chars * 0.1),
        "num_sentences": sum(TEMPLATES.values()), "steps": steps,
        "final_loss": float(loss[-1000:].mean()), "final_val_loss": float(val_loss[-1]),
        "best_val_loss": float(val_loss[best]), "best_val_step": int(val_step[best]),
        "entropy_floor": floor, "uniform_loss": float(np.log(V)), "spectral_radius_init": 1.0,
        "spectral_radius_final": float(radius[-1]), "clipped_share": float(np.mean(grad_norm > 5)),
        "grad_norm_median": float(np.median(grad_norm)), "grad_norm_min": float(grad_norm.min()),
        "grad_norm_max": float(grad_norm.max()), "chunks_per_pass": 2_000,
        "final_lr": float(lr[-1]),
        "recording": {"snapshots": S, "growth": 1.3, "dense_until": 2_000, "sparse_every": 1_000,
                      "saturated": 0.95, "jacobian_depth": 10, "sample_prefix": "the ",
                      "sample_length": 80, "final_saturation": 0.2},
        "diverged": None, "diverged_reason": None})
    _json(files, "timing.json", {"train_seconds": 12.5, "analysis_seconds": 0.1})
    return rundir.write(run_dir, files)


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
