"""What the network does while it learns, kept for the walkthrough's charts.

Recording is dense early (the first hundred steps change the most) and
sparse later, and always includes the first and the last step. `run_files`
turns what was recorded into the files of the run directory (rundir.py).
"""
from __future__ import annotations

import numpy as np

from . import rundir
from .data import Vocab
from .model import CharRNN, ClipReport
from .sample import sample

JACOBIAN_DEPTH = 10      # how many steps back the Jacobian products reach
SATURATED = 0.95         # |h| above this: the unit sits on a flat part of tanh
SAMPLE_PREFIX, SAMPLE_LENGTH = "the ", 80
GROWTH, DENSE_UNTIL, SPARSE_EVERY = 1.3, 2_000, 1_000   # the snapshot schedule
# Jacobians at every snapshot of the dense phase, then every JACOBIAN_EVERY steps
# and at the last: each record costs a dozen eigendecompositions.
JACOBIAN_EVERY = 2_000


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
        self.jacobian_schedule = {s for s in self.schedule
                                  if s <= DENSE_UNTIL or s % JACOBIAN_EVERY == 0 or s == total_steps}
        self.loss = np.full(total_steps, np.nan)
        self.lr = np.zeros(total_steps)
        self.grad_norm = np.zeros(total_steps)
        self.clipped = np.zeros(total_steps, dtype=bool)
        self.val_steps, self.val_losses = [], []
        self.best_weights: dict[str, np.ndarray] | None = None
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
        # Keep the weights validation likes best (the first, on a tie): the
        # analysis scores them on held-out test text that nothing selected on.
        if not self.val_losses or loss < min(self.val_losses):
            self.best_weights = {name: p.copy() for name, p in self.model.arrays.items()}
        self.val_steps.append(step)
        self.val_losses.append(loss)

    def mean_recent_loss(self, window: int) -> float:
        return float(np.mean(self.loss[max(0, self.steps_done - window): self.steps_done]))

    def best_validation(self) -> tuple[int | None, float | None]:
        """The step with the lowest validation loss, and that loss (the first, on a tie)."""
        if not self.val_losses:
            return None, None
        best = int(np.argmin(self.val_losses))
        return self.val_steps[best], self.val_losses[best]

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
                "jacobian_every": JACOBIAN_EVERY,
                "sample_prefix": SAMPLE_PREFIX, "sample_length": SAMPLE_LENGTH,
                "final_saturation": self.snapshots[-1]["saturation"] if self.snapshots else None}

    def grad_norm_median(self) -> float:
        """The typical gradient norm before clipping, to compare with the threshold."""
        return float(np.median(self.grad_norm[: self.steps_done])) if self.steps_done else 0.0

    def grad_norm_extreme(self, pick) -> float | None:
        """np.min or np.max of the gradient norms before clipping (None before any step)."""
        return float(pick(self.grad_norm[: self.steps_done])) if self.steps_done else None

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
        if step in self.jacobian_schedule:
            self.jacobians.append({"step": step, **jacobian_products(self.model, fwd.h)})


# --- the run directory (its format: rundir.py and docs/run-format.md) ---------------

def _stack(rows: list[dict], key: str, dtype=np.float32) -> np.ndarray:
    return np.asarray([r[key] for r in rows], dtype=dtype)


def run_files(trained, console_text: str) -> dict[str, bytes]:
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


def write_run(run_dir, trained, console_text: str) -> None:
    """Write what train.train returned as a run directory (atomically: rundir.write)."""
    rundir.write(run_dir, run_files(trained, console_text))


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
