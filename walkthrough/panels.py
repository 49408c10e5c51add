"""The panels of the training scrubber, by name.

A section lists the panels it wants under ``scrubber:`` in its YAML file; the
page then gets one slider over the recorded snapshot steps that redraws all of
them together (site_src/static/scrubber.js draws them from ``data/snapshots.js``,
written by exports.py). Without JavaScript the scrubber stays hidden and the
section's static charts show the final step.
"""
from __future__ import annotations

PANELS: dict[str, str] = {
    "eigenvalues": "Every eigenvalue of W_hh in the complex plane, against the unit circle.",
    "spectral-radius": "The spectral radius of W_hh over training; the dot is the chosen step.",
    "step-grad-norms": "The norm of the gradient dL/dh_t reaching each position t of the "
                       "chunk (log scale, same axis at every step).",
    "trajectory": "The chunk's hidden states, projected on the first two principal "
                  "components of the final network: one point per character read.",
    "predictions": "The predicted next-character distribution at each position of the chunk: "
                   "darker is likelier; the outlined cell is the character that came next.",
    "sample": "What the network wrote from \u201cthe \u201d at this step.",
    "jacobian": "The spectral norm of the product of the last k one-step Jacobians against "
                "the distance k (log scale); grey: the first and the last step.",
    "clipping": "The gradient norm of each parameter before clipping, and the global norm "
                "against the clipping threshold.",
}
