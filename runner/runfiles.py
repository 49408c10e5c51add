"""A trained run, written down as a run directory, and read back.

train() returns what it made (charrnn.train.Trained) and analyze() reads a run
in memory (charrnn.analysis.TrainedRun): neither touches a file. This module is the
bridge between them and the run format (rundir.py, docs/run-format.md):
`write_run` writes what training made, `read_trained_run` reads a run back for the
analysis, and `analyze_run` adds the analysis to the run's directory.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import charrnn
from charrnn.analysis import TrainedRun, analyze
from charrnn.config import TrainConfig
from charrnn.corpus import generate_corpus
from charrnn.data import Vocab
from charrnn.model import CharRNN
from charrnn.train import Trained

from . import rundir

# The key of the code this process runs, read once as it starts: a run records
# it, so that a build can tell whether the code it shows is the code that made
# the figures. (Read from the files the modules above were just imported from.)
PACKAGE = Path(charrnn.__file__).resolve().parent
CODE_KEY = rundir.code_key(PACKAGE)


def _stack(rows: list[dict], key: str, dtype=np.float32) -> np.ndarray:
    return np.asarray([r[key] for r in rows], dtype=dtype)


def run_files(trained: Trained, console_text: str) -> dict[str, bytes]:
    """Everything a finished run holds, as file name -> bytes, ready for rundir.write.
    ``trained`` is what train.train returned."""
    recorder, model, vocab = trained.recorder, trained.model, trained.vocab
    r, n = recorder, recorder.steps_done
    snaps, jac = r.snapshots, r.jacobians
    # Weights at every other snapshot (and the last): enough to animate them.
    kept = [s for i, s in enumerate(snaps) if i % 2 == 0 or i == len(snaps) - 1]
    depth = len(jac[0]["product_norm"]) if jac else 0
    return {
        "config.json": rundir.json_bytes(trained.config.to_dict()),
        "vocab.json": rundir.json_bytes({"chars": list(vocab.chars)}),
        "corpus.json": rundir.json_bytes(trained.corpus),
        # The page's trainer (site_src/static/trainer.js) trains on this very text.
        "corpus.txt": trained.text.encode("utf-8"),
        "curves.npz": rundir.npz_bytes(
            step=np.arange(1, n + 1), loss=r.loss[:n].astype(np.float32),
            lr=r.lr[:n].astype(np.float32), grad_norm=_finite32(r.grad_norm[:n]),
            clipped=r.clipped[:n], val_step=np.asarray(r.val_steps, dtype=np.int64),
            val_loss=np.asarray(r.val_losses, dtype=np.float32)),
        "snapshots.npz": rundir.npz_bytes(
            step=_stack(snaps, "step", np.int64),
            **{k: _stack(snaps, k) for k in ("loss", "spectral_radius", "grad_norms", "param_norms",
                                               "total_grad_norm", "clip_ratio", "step_grad_norms",
                                               "hidden", "probs", "saturation")},
            eigenvalues=_stack(snaps, "eigenvalues", np.complex64),
            inputs=_stack(snaps, "inputs", np.int64), targets=_stack(snaps, "targets", np.int64),
            correct=_stack(snaps, "correct", bool), clipped=_stack(snaps, "clipped", bool)),
        "snapshots.json": rundir.json_bytes({"param_names": list(model.arrays),
                                             "samples": [s["sample"] for s in snaps]}),
        "weights.npz": rundir.npz_bytes(
            step=_stack(kept, "step", np.int64),
            **{name: np.asarray([s["weights"][name] for s in kept], dtype=np.float32)
               for name in model.arrays}),
        "jacobians.npz": rundir.npz_bytes(
            step=_stack(jac, "step", np.int64), distance=np.arange(1, depth + 1),
            **{k: _stack(jac, k) for k in ("product_norm", "product_radius")},
            product_eigenvalues=_stack(jac, "product_eigenvalues", np.complex64)),
        "checkpoint.npz": rundir.checkpoint_bytes(checkpoint_of(model, vocab)),
        "best_checkpoint.npz": rundir.checkpoint_bytes(
            checkpoint_of(model, vocab, recorder.best_weights or model.arrays)),
        "console.txt": console_text.encode("utf-8"),
        "summary.json": rundir.json_bytes(trained.summary),
        "timing.json": rundir.json_bytes({"train_seconds": trained.seconds}),
    }


def write_run(run_dir, trained: Trained, console_text: str) -> None:
    """Write what train.train returned as a run directory (atomically: rundir.write)."""
    rundir.write(run_dir, run_files(trained, console_text), made_by={"train": CODE_KEY})


def _finite32(values: np.ndarray) -> np.ndarray:
    """float32 with overflow saturating at the largest float32 instead of becoming inf:
    a diverging run's gradient norms are still worth a chart."""
    limit = np.finfo(np.float32).max
    return np.clip(np.nan_to_num(values, nan=limit, posinf=limit), 0, limit).astype(np.float32)


def checkpoint_of(model: CharRNN, vocab: Vocab, weights: dict | None = None) -> rundir.Checkpoint:
    """The model's own weights, or ``weights`` of the same shapes (the best-validation ones)."""
    weights = model.arrays if weights is None else weights
    return rundir.Checkpoint(chars=vocab.chars, hidden_size=model.hidden_size,
                             embedding_dim=model.embedding_dim, activation=model.activation.name,
                             init=model.init_method,
                             params={name: array.copy() for name, array in weights.items()})


def load_checkpoint(path, name: str = "checkpoint.npz") -> tuple[CharRNN, Vocab]:
    """Rebuild the trained model (and its vocabulary) from a run directory or a
    checkpoint file; ``name`` picks best_checkpoint.npz instead. A missing or
    damaged one raises rundir.RunError."""
    ck = rundir.read_checkpoint(path, name)
    vocab = Vocab(ck.chars)
    model = CharRNN(len(vocab), ck.hidden_size, init=ck.init, activation=ck.activation,
                    embedding_dim=ck.embedding_dim)
    if set(ck.params) != set(model.arrays):
        raise rundir.RunError(path, f"the checkpoint's parameters {sorted(ck.params)} do not fit "
                                    "the model it describes", "delete the run and train again")
    for name, array in model.arrays.items():
        if ck.params[name].shape != array.shape:
            raise rundir.RunError(path, f"parameter {name} has shape {ck.params[name].shape}, "
                                        f"the model needs {array.shape}", "delete the run and train again")
        array[...] = ck.params[name]
    return model, vocab


def read_trained_run(run_dir) -> TrainedRun:
    """A finished run directory, as the analysis reads it."""
    run_dir = Path(run_dir)
    config = TrainConfig.from_dict(rundir.read_json(run_dir, "config.json"))
    if config.corpus_path:
        raise ValueError(f"{run_dir}: the analysis measures the network against the grammar, "
                         "so it needs a run on the generated corpus, not on a text file")
    model, vocab = load_checkpoint(run_dir)
    selected, _ = load_checkpoint(run_dir, "best_checkpoint.npz")
    # The corpus is not stored in the run: its settings are, and the generator
    # is seeded, so it comes back character for character.
    corpus = generate_corpus(config.num_sentences, config.corpus_seed)
    snapshots = rundir.read_arrays(run_dir, "snapshots.npz",
                                   ("step", "hidden", "inputs", "saturation", "step_grad_norms"))
    jacobians = rundir.read_arrays(run_dir, "jacobians.npz", ("step", "product_norm"))
    return TrainedRun(config, model, selected, vocab, corpus, vocab.encode(corpus.text), snapshots, jacobians)


def analyze_run(run_dir) -> dict:
    """Analyse a finished run, add analysis.json to it, and return the same dict."""
    started = time.perf_counter()
    analysis = analyze(read_trained_run(run_dir))
    timing = rundir.read_json(run_dir, "timing.json")
    timing["analysis_seconds"] = round(time.perf_counter() - started, 2)
    # Compact: the unit activations make this the largest JSON file of a run.
    rundir.add(Path(run_dir), {"analysis.json": rundir.json_bytes(analysis, compact=True),
                               "timing.json": rundir.json_bytes(timing)},
               made_by={"analysis": CODE_KEY})
    return analysis
