"""What the network does while it learns, kept for the walkthrough's charts.

Recording is dense early (the first hundred steps change the most) and
sparse later, and always includes the first and the last step. The format
of the run directory is documented in docs/run-format.md.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from .data import Vocab
from .model import CharRNN, ClipReport
from .sample import sample

JACOBIAN_DEPTH = 10      # how many steps back the Jacobian products reach
SATURATED = 0.95         # |h| above this: the unit sits on a flat part of tanh
SAMPLE_PREFIX, SAMPLE_LENGTH = "the ", 80
GROWTH, DENSE_UNTIL, SPARSE_EVERY = 1.3, 2_000, 1_000   # the snapshot schedule


def snapshot_steps(total: int, growth: float = GROWTH, dense_until: int = DENSE_UNTIL,
                   every: int = SPARSE_EVERY) -> list[int]:
    """Geometrically spaced steps up to dense_until, then one every `every`, plus the last."""
    steps, s = {1, total}, 1.0
    while s < min(dense_until, total):
        steps.add(round(s))
        s *= growth
    steps.update(range(every, total + 1, every))
    return sorted(x for x in steps if 1 <= x <= total)


def spectral_radius(matrix: np.ndarray) -> tuple[float, np.ndarray]:
    eig = np.linalg.eigvals(matrix)
    return float(np.abs(eig).max()), eig


def jacobian_products(model: CharRNN, h: np.ndarray, depth: int = JACOBIAN_DEPTH) -> dict:
    """How a change in h_{T-k} reaches h_T, for k = 1..depth.

    One step back, dh_t/dh_{t-1} = diag(f'(a_t)) W_hh. The product of k of
    these is the factor the gradient is multiplied by on its way k steps
    into the past: when its norm shrinks with k, gradients vanish; when it
    grows, they explode.
    """
    W_hh = model.arrays["W_hh"]
    fprime = model.activation.grad(h[1:])       # f'(a_t) for every position of the chunk
    T = len(fprime)
    product = np.eye(model.hidden_size)
    out = {"product_norm": [], "product_radius": [], "product_eigenvalues": []}
    for k in range(1, min(depth, T) + 1):
        step_jacobian = fprime[T - k][:, None] * W_hh   # diag(f'(a)) @ W_hh, without building diag
        product = product @ step_jacobian
        radius, eig = spectral_radius(product)
        out["product_norm"].append(np.linalg.norm(product, 2))
        out["product_radius"].append(radius)
        out["product_eigenvalues"].append(eig)
    return out


class Recorder:
    """Collects per-step curves every step and snapshots on the schedule."""

    def __init__(self, total_steps: int, model: CharRNN, vocab: Vocab, seed: int = 0):
        self.model, self.vocab, self.seed = model, vocab, seed
        self.schedule = set(snapshot_steps(total_steps))
        self.loss = np.full(total_steps, np.nan)
        self.lr = np.zeros(total_steps)
        self.grad_norm = np.zeros(total_steps)
        self.clipped = np.zeros(total_steps, dtype=bool)
        self.val_steps, self.val_losses = [], []
        self.snapshots: list[dict] = []
        self.jacobians: list[dict] = []
        self.steps_done = 0
        self.initial_radius = self.current_radius()

    def current_radius(self) -> float:
        return spectral_radius(self.model.arrays["W_hh"])[0]

    def wants_snapshot(self, step: int) -> bool:
        return step in self.schedule

    @property
    def last_val_loss(self) -> float | None:
        return self.val_losses[-1] if self.val_losses else None

    def log_step(self, step: int, loss: float, lr: float, clip: ClipReport) -> None:
        i = step - 1
        self.loss[i], self.lr[i] = loss, lr
        self.grad_norm[i], self.clipped[i] = clip.total_norm, clip.clipped
        self.steps_done = step

    def log_validation(self, step: int, loss: float) -> None:
        self.val_steps.append(step)
        self.val_losses.append(loss)

    def final_loss(self, window: int = 1_000) -> float:
        done = self.loss[: self.steps_done]
        return float(np.mean(done[-window:]))

    def sample(self, step: int) -> str:
        """A short sample with the current weights ("" once they stopped being finite:
        the run is diverging and the loop will stop at the next step)."""
        try:
            return sample(self.model, self.vocab, SAMPLE_PREFIX, SAMPLE_LENGTH, 1.0,
                          np.random.default_rng([self.seed, step]))
        except ValueError:
            return ""

    def settings(self) -> dict:
        """How recording was done, so the pages can say it without typing numbers."""
        return {"snapshots": len(self.snapshots), "growth": GROWTH, "dense_until": DENSE_UNTIL,
                "sparse_every": SPARSE_EVERY, "saturated": SATURATED, "jacobian_depth": JACOBIAN_DEPTH,
                "sample_prefix": SAMPLE_PREFIX, "sample_length": SAMPLE_LENGTH,
                "final_saturation": self.snapshots[-1]["saturation"] if self.snapshots else None}

    def grad_norm_median(self) -> float:
        """The typical gradient norm before clipping, to compare with the threshold."""
        return float(np.median(self.grad_norm[: self.steps_done])) if self.steps_done else 0.0

    def clipped_share(self) -> float:
        return float(np.mean(self.clipped[: self.steps_done])) if self.steps_done else 0.0

    def snapshot(self, step: int, fwd, dh: np.ndarray, clip: ClipReport, loss: float) -> None:
        """Everything the scrubber shows at one step. Called before the update,
        so the weights are the ones that produced this chunk's forward pass."""
        radius, eig = spectral_radius(self.model.arrays["W_hh"])
        hidden = fwd.h[1:]
        self.snapshots.append({
            "step": step,
            "loss": loss,
            "spectral_radius": radius,
            "eigenvalues": eig,
            "grad_norms": [clip.norms[name] for name in self.model.arrays],
            "param_norms": [float(np.linalg.norm(p)) for p in self.model.arrays.values()],
            "total_grad_norm": clip.total_norm,
            "clip_ratio": clip.ratio,
            "clipped": clip.clipped,
            "step_grad_norms": np.linalg.norm(dh, axis=1),   # ||dL/dh_t|| per position
            "hidden": hidden,
            "inputs": fwd.inputs,
            "targets": fwd.targets,
            "probs": fwd.probs,
            "correct": fwd.probs.argmax(axis=1) == fwd.targets,
            "saturation": float(np.mean(np.abs(hidden) > SATURATED)),
            "sample": self.sample(step),
            "weights": {name: p.copy() for name, p in self.model.arrays.items()},
        })
        self.jacobians.append({"step": step, **jacobian_products(self.model, fwd.h)})


# --- writing and reading the run directory ------------------------------------

def _stack(rows: list[dict], key: str, dtype=np.float32) -> np.ndarray:
    return np.asarray([r[key] for r in rows], dtype=dtype)


def _save_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def write_run(run_dir, *, config: dict, vocab: Vocab, corpus: dict, recorder: Recorder,
              model: CharRNN, console_text: str, summary: dict) -> Path:
    """Write every file into a temporary sibling, then rename it into place.

    A rename within one directory is atomic, so readers see either the old
    run or the complete new one, never a half-written directory.
    """
    run_dir = Path(run_dir)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = run_dir.with_name(f".{run_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()

    _save_json(tmp / "config.json", config)
    _save_json(tmp / "vocab.json", {"chars": list(vocab.chars)})
    _save_json(tmp / "corpus.json", corpus)

    r, n = recorder, recorder.steps_done
    np.savez_compressed(tmp / "curves.npz", step=np.arange(1, n + 1), loss=r.loss[:n].astype(np.float32),
                        lr=r.lr[:n].astype(np.float32), grad_norm=r.grad_norm[:n].astype(np.float32),
                        clipped=r.clipped[:n], val_step=np.asarray(r.val_steps, dtype=np.int64),
                        val_loss=np.asarray(r.val_losses, dtype=np.float32))

    snaps = r.snapshots
    np.savez_compressed(
        tmp / "snapshots.npz",
        step=_stack(snaps, "step", np.int64),
        **{k: _stack(snaps, k) for k in ("loss", "spectral_radius", "grad_norms", "param_norms",
                                           "total_grad_norm", "clip_ratio", "step_grad_norms",
                                           "hidden", "probs", "saturation")},
        eigenvalues=_stack(snaps, "eigenvalues", np.complex64),
        inputs=_stack(snaps, "inputs", np.int64), targets=_stack(snaps, "targets", np.int64),
        correct=_stack(snaps, "correct", bool), clipped=_stack(snaps, "clipped", bool),
    )
    _save_json(tmp / "snapshots.json", {"param_names": list(model.arrays),
                                        "samples": [s["sample"] for s in snaps]})

    # Weights at every other snapshot (and the last): enough to animate them.
    kept = [s for i, s in enumerate(snaps) if i % 2 == 0 or i == len(snaps) - 1]
    np.savez_compressed(tmp / "weights.npz", step=_stack(kept, "step", np.int64),
                        **{name: np.asarray([s["weights"][name] for s in kept], dtype=np.float32)
                           for name in model.arrays})

    jac = r.jacobians
    depth = len(jac[0]["product_norm"]) if jac else 0
    np.savez_compressed(tmp / "jacobians.npz", step=_stack(jac, "step", np.int64),
                        distance=np.arange(1, depth + 1),
                        **{k: _stack(jac, k) for k in ("product_norm", "product_radius")},
                        product_eigenvalues=_stack(jac, "product_eigenvalues", np.complex64))

    save_checkpoint(tmp / "checkpoint.npz", model, vocab)
    (tmp / "console.txt").write_text(console_text, encoding="utf-8")
    _save_json(tmp / "summary.json", summary)  # last: its presence means "complete"

    if run_dir.exists():
        old = run_dir.with_name(f".{run_dir.name}.old-{os.getpid()}")
        run_dir.rename(old)
        tmp.rename(run_dir)
        shutil.rmtree(old)
    else:
        tmp.rename(run_dir)
    return run_dir


def save_checkpoint(path, model: CharRNN, vocab: Vocab) -> None:
    np.savez(path, chars=np.asarray(vocab.chars), hidden_size=model.hidden_size,
             embedding_dim=model.embedding_dim, activation=model.activation.name,
             init=model.init_method, **{f"param_{k}": v for k, v in model.arrays.items()})


def load_checkpoint(path) -> tuple[CharRNN, Vocab]:
    """Rebuild the trained model (and its vocabulary) from checkpoint.npz or a run directory."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.npz"
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path} (train first: `charrnn train --out RUN_DIR`)")
    with np.load(path) as ck:
        vocab = Vocab(tuple(str(c) for c in ck["chars"]))
        model = CharRNN(len(vocab), int(ck["hidden_size"]), init=str(ck["init"]),
                        activation=str(ck["activation"]), embedding_dim=int(ck["embedding_dim"]))
        for name, array in model.arrays.items():
            array[...] = ck[f"param_{name}"]
    return model, vocab
