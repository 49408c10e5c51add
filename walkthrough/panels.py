"""The panels of the training scrubber, by name.

A section lists the panels it wants under ``scrubber:`` in its YAML file; the
page then gets one slider over the recorded snapshot steps that redraws all of
them together (site_src/static/scrubber.js draws them from ``data/snapshots.js``,
written by exports.py). Without JavaScript the scrubber stays hidden and the
section's static charts show the final step.

A panel may have a static ``twin``: the chart of the same picture, drawn in the
same style. On a page that lists both, the scrubber takes the twin's place when
it runs, and the twin remains for readers without JavaScript.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PanelKind:
    caption: str
    twin: str | None = None      # a chart name (walkthrough/charts)


PANELS: dict[str, PanelKind] = {
    "eigenvalues": PanelKind(
        "Every eigenvalue of W_hh in the complex plane. The solid circle is the unit circle; "
        "the dotted one has radius \u03c1, the largest modulus, so every eigenvalue lies on "
        "or inside it. Orange: outside the unit circle (modulus above 1.001, which leaves "
        "room for rounding).", twin="eigenvalues"),
    "spectral-radius": PanelKind(
        "The spectral radius of W_hh at every recorded step (log scale of steps); the "
        "dashed rule marks 1 and the large dot the chosen step.", twin="spectral-radius"),
    "step-grad-norms": PanelKind(
        "The norm of the gradient dL/dh_t reaching each position t of the chunk, on a log "
        "scale that stays the same at every step; faint: the first and the last step."),
    "trajectory": PanelKind(
        "The chunk's hidden states, projected on the first two principal components of "
        "the final network: one point per character read (\u2423 is the space), the ring "
        "marks the first."),
    "predictions": PanelKind(
        "The predicted next-character distribution at each position of the chunk: one "
        "column per character read, one row per possible next character, darker is "
        "likelier. The outlined cell is the character that came next."),
    "sample": PanelKind("What the network wrote from \u201cthe \u201d at this step."),
    "jacobian": PanelKind(
        "The spectral norm of the product of the last k one-step Jacobians against the "
        "distance k (log scale); faint: the first and the last recorded step."),
    "clipping": PanelKind(
        "The gradient norm of each parameter before clipping, and the global norm against "
        "the clipping threshold (dashed)."),
    "weights": PanelKind(
        "The three weight matrices at the last step the run recorded them, at or before "
        "the chosen one: blue below zero, orange above, the shade in proportion to |w| "
        "over the largest |w| of that matrix (printed above it). Rows "
        "are what a matrix feeds, columns what it reads; \u2423 is the space.",
        twin="weights"),
}
