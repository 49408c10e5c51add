"""Phase 2: a vanilla recurrent network, forward and backward by hand.

    a_t = W_xh x_t + W_hh h_{t-1} + b_h      (pre-activation)
    h_t = f(a_t)                              (hidden state)
    y_t = W_hy h_t + b_y                      (logits)
    p_t = softmax(y_t)                        (next-character distribution)
    L   = -sum_t log p_t[target_t]            (cross-entropy, summed)

PyTorch only holds the parameters (torch.nn.Parameter) and initialises them
(torch.nn.init). Every line of arithmetic below is NumPy, working on views of
those parameters, so the gradients are ours, derived by hand, not autograd's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .config import INIT_METHODS

# --- activations -----------------------------------------------------------
# Each derivative is written in terms of the activation's *output* h = f(a):
# the forward pass already stored h, so backward needs nothing else.

def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the same function, without overflow in exp


@dataclass(frozen=True)
class Activation:
    name: str
    f: object      # a -> h
    grad: object   # h -> f'(a)


ACTIVATIONS = {
    "tanh": Activation("tanh", np.tanh, lambda h: 1.0 - h * h),
    "relu": Activation("relu", lambda a: np.maximum(a, 0.0), lambda h: (h > 0.0).astype(h.dtype)),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda h: h * (1.0 - h)),
}


def get_activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# --- what forward hands to backward ----------------------------------------

@dataclass
class Forward:
    inputs: np.ndarray    # (T,) character indices
    targets: np.ndarray   # (T,) the next character at each position
    x: np.ndarray         # (T, D) input vectors: one-hot rows or embeddings
    h: np.ndarray         # (T+1, H) hidden states; h[0] is the carried-in state
    probs: np.ndarray     # (T, V) predicted next-character distributions
    loss: float           # summed cross-entropy over the chunk, in nats

    @property
    def last_hidden(self) -> np.ndarray:
        return self.h[-1]


@dataclass
class ClipReport:
    total_norm: float       # global norm before clipping
    clipped: bool
    ratio: float            # factor the gradients were multiplied by (1.0 if not clipped)
    norms: dict             # parameter name -> its gradient norm before clipping


class CharRNN(nn.Module):
    """Five parameters (six with a learned embedding), stored by PyTorch,
    used by NumPy."""

    def __init__(self, vocab_size: int, hidden_size: int, *, init: str = "orthogonal",
                 activation: str = "tanh", embedding_dim: int = 0, seed: int = 42):
        super().__init__()
        if vocab_size <= 0 or hidden_size <= 0:
            raise ValueError(f"vocab_size and hidden_size must be positive, got {vocab_size}, {hidden_size}")
        if init not in INIT_METHODS:
            raise ValueError(f"unknown init method {init!r}; choose one of {', '.join(INIT_METHODS)}")
        if embedding_dim < 0:
            raise ValueError(f"embedding_dim must be >= 0 (0 means one-hot input), got {embedding_dim}")
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.embedding_dim, self.init_method = embedding_dim, init
        self.activation = get_activation(activation)
        V, H = vocab_size, hidden_size
        D = embedding_dim or V  # size of the input vector x_t

        def param(*shape):
            return nn.Parameter(torch.zeros(*shape, dtype=torch.float64))

        if embedding_dim:
            self.embedding = param(V, embedding_dim)  # row i is the vector of character i
        self.W_xh, self.W_hh, self.W_hy = param(H, D), param(H, H), param(V, H)
        self.b_h, self.b_y = param(H), param(V)
        self._initialise(seed)
        # NumPy views that share memory with the parameters: updating one
        # updates the other, so there is a single copy of the weights.
        self.arrays = {name: p.detach().numpy() for name, p in self.named_parameters()}

    def _initialise(self, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            if self.embedding_dim:
                nn.init.xavier_uniform_(self.embedding, generator=g)
            nn.init.xavier_uniform_(self.W_xh, generator=g)
            nn.init.xavier_uniform_(self.W_hy, generator=g)
            if self.init_method == "orthogonal":
                # All singular values are 1, so the spectral radius is exactly 1:
                # repeated multiplication neither shrinks nor grows a vector.
                nn.init.orthogonal_(self.W_hh, generator=g)
            elif self.init_method == "xavier":
                nn.init.xavier_uniform_(self.W_hh, generator=g)
            else:
                nn.init.normal_(self.W_hh, std=0.01, generator=g)
            # Biases start at zero (torch.zeros above).

    @property
    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def embed(self, inputs: np.ndarray) -> np.ndarray:
        """The input vectors x_t, one row per position: a one-hot row, or the
        character's learned embedding."""
        if self.embedding_dim:
            return self.arrays["embedding"][inputs]
        return np.eye(self.vocab_size)[inputs]

    # --- forward --------------------------------------------------------------

    def forward(self, inputs: np.ndarray, targets: np.ndarray, h_prev: np.ndarray) -> Forward:
        """Run the network over one chunk, starting from the hidden state h_prev."""
        W_xh, W_hh, W_hy = self.arrays["W_xh"], self.arrays["W_hh"], self.arrays["W_hy"]
        b_h, b_y = self.arrays["b_h"], self.arrays["b_y"]
        f = self.activation.f

        # The input term does not depend on the past, so compute it for every
        # position at once: with one-hot x_t, W_xh x_t just picks a column.
        x = self.embed(inputs)
        drive = x @ W_xh.T + b_h                       # (T, H)

        # Only the recurrence is sequential: h_t needs h_{t-1}. (.dot rather than
        # @ because, for one small matrix-vector product, it skips dispatch work
        # that costs more than the arithmetic; training makes 750,000 of them.)
        h_t, states = h_prev, [h_prev]
        for drive_t in drive:
            h_t = f(drive_t + W_hh.dot(h_t))
            states.append(h_t)
        h = np.array(states)                           # (T+1, H), h[0] = h_prev

        # The output layer, again for all positions at once.
        logits = h[1:] @ W_hy.T + b_y                  # (T, V)
        probs, loss = cross_entropy(logits, targets)
        return Forward(inputs, targets, x, h, probs, loss)

    # --- backward (BPTT) ------------------------------------------------------

    def backward(self, fwd: Forward, freeze_whh: bool = False) -> tuple[dict, np.ndarray]:
        """Gradients of the summed loss with respect to every parameter.

        Returns (grads, dh): dh[t] is dL/dh_t, the gradient that reaches the
        hidden state at position t (its norm is the vanishing-gradient picture;
        the recorder takes it only at the steps it records).
        """
        W_hh, W_hy = self.arrays["W_hh"], self.arrays["W_hy"]
        T = len(fwd.inputs)
        h_prev, h = fwd.h[:-1], fwd.h[1:]

        # Softmax and cross-entropy together have the gradient p - onehot(y).
        dlogits = fwd.probs.copy()
        dlogits[np.arange(T), fwd.targets] -= 1.0

        # dh[t] will hold dL/dh_t. It starts as what h_t receives directly
        # from its own output ...
        dh = dlogits @ W_hy                            # (T, H)
        fprime = self.activation.grad(h)               # f'(a_t), from the stored outputs
        da = np.empty_like(dh)
        for t in reversed(range(T)):
            da[t] = dh[t] * fprime[t]                  # through the activation: dL/da_t
            if t > 0:
                # ... plus what flows back from step t through W_hh. By the time
                # the loop reaches t-1, its gradient is complete.
                dh[t - 1] += W_hh.T.dot(da[t])

        # Each weight gradient is a sum of outer products over time, which is
        # one matrix product once the per-step factors are stacked.
        grads = {
            "W_xh": da.T @ fwd.x,
            "W_hh": np.zeros_like(W_hh) if freeze_whh else da.T @ h_prev,
            "W_hy": dlogits.T @ h,
            "b_h": da.sum(axis=0),
            "b_y": dlogits.sum(axis=0),
        }
        if self.embedding_dim:
            # x_t is row inputs[t] of the embedding; rows used twice add up.
            dx = da @ self.arrays["W_xh"]
            d_embedding = np.zeros_like(self.arrays["embedding"])
            np.add.at(d_embedding, fwd.inputs, dx)
            grads["embedding"] = d_embedding
        return grads, dh

    # --- one step, for sampling -------------------------------------------------

    def step(self, index, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Read one character; return the new hidden state and the next-character
        distribution. Given an array of indices and one state per row, it steps
        that many independent streams at once (vectors are rows here, so the same
        lines serve both)."""
        a = self.arrays
        if self.embedding_dim:
            drive = a["embedding"][index] @ a["W_xh"].T
        else:
            drive = a["W_xh"].T[index]  # W_xh times a one-hot vector is one column
        h = self.activation.f(drive + h @ a["W_hh"].T + a["b_h"])
        return h, softmax(h @ a["W_hy"].T + a["b_y"])


# region softmax
def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log p, computed without ever taking the log of an underflowed zero."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    # Subtracting the row maximum changes nothing mathematically and keeps
    # exp() from overflowing when a logit is large.
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
# endregion softmax


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """The predicted distributions, and the loss: the surprise, in nats, of each
    actual next character, summed over the chunk."""
    log_probs = log_softmax(logits)
    probs = np.exp(log_probs)
    loss = -log_probs[np.arange(len(targets)), targets].sum()
    return probs, float(loss)


def clip_gradients(grads: dict, max_norm: float) -> ClipReport:
    """Global-norm clipping, in place: if the norm of all gradients taken as one
    vector exceeds max_norm, scale them all by the same factor. The direction
    of the step is kept; only its length is capped. max_norm <= 0 disables it."""
    norms = {name: float(np.sqrt(np.vdot(g, g))) for name, g in grads.items()}
    total = float(np.sqrt(sum(n * n for n in norms.values())))
    clipped = max_norm > 0 and total > max_norm
    ratio = max_norm / total if clipped else 1.0
    if clipped:
        for g in grads.values():
            g *= ratio
    return ClipReport(total, clipped, ratio, norms)
