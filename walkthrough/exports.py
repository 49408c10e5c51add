"""Data for the pages' scripts, written once per site as ``data/*.js``.

A page opened from file:// may not fetch a JSON file, but it may load a script;
so each export is a one-line script that assigns one global:

- ``data/snapshots.js`` sets ``window.charrnnSnapshots``: what the training
  scrubber shows at every recorded step (site_src/static/scrubber.js). Floats
  are rounded to 4 significant digits, probabilities to whole thousandths.
  Written only when some section has a ``scrubber:``.
- ``data/model.js`` sets ``window.charrnnModel``: the final weights from
  checkpoint.npz at full float64 precision (each float as Python's ``repr``,
  which JavaScript parses back to the same double) and the vocabulary, for the
  forward pass in site_src/static/livemodel.js. Written only when some section
  has ``live_model: true``.
- ``data/units.js`` sets ``window.charrnnUnits``: the validation excerpt of
  analysis.json["units"], every hidden unit's activation after each of its
  characters in the trained and the untrained network, and every unit's
  statistic for each fact, all as whole hundredths (-100..100), for the unit
  picker in site_src/static/units.js. Written only when some section has
  ``units: true``.
- ``data/search.js`` sets ``window.charrnnSearch``: every section's title,
  subtitle and prose and every annotation, as plain text with its URL
  (site_src/static/search.js loads it when the reader first uses the search box).

The same run and the same sections give the same bytes.
"""
from __future__ import annotations

import json
import math
from html.parser import HTMLParser

import numpy as np

from .pages import IndexPage, SectionPage
from .run import Run

HEADER = "// Written by walkthrough/exports.py from the run; do not edit.\n"


def data_files(run: Run, index: IndexPage, sections: list[SectionPage]) -> dict[str, bytes]:
    """The ``data/*.js`` files the pages need (relative path -> content)."""
    files = {"data/search.js": script("charrnnSearch", search_index(index, sections))}
    if any(page.scrubber for page in sections):
        files["data/snapshots.js"] = script("charrnnSnapshots", snapshot_data(run))
    if any(page.live_model for page in sections):
        files["data/model.js"] = script("charrnnModel", model_data(run))
    if any(page.units for page in sections):
        files["data/units.js"] = script("charrnnUnits", units_data(run))
    return files


def script(name: str, data) -> bytes:
    """``window.<name> = <data as JSON>;`` as UTF-8 bytes (ASCII only, so the
    script reads the same whatever charset the page declares)."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return f"{HEADER}window.{name} = {body};\n".encode("ascii")


# ---------------------------------------------------------------------------
# The scrubber's data

def short(values) -> list | float | None:
    """Floats (any nesting) at 4 significant digits; NaN and infinity as null."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        value = float(array)
        return float(f"{value:.4g}") if math.isfinite(value) else None
    return [short(v) for v in array]


def permille(probs: np.ndarray) -> list:
    """Probabilities as whole thousandths (0..1000): plenty for a heat map."""
    return np.rint(np.nan_to_num(np.asarray(probs, dtype=np.float64)) * 1000) \
        .astype(np.int64).tolist()


def snapshot_data(run: Run) -> dict:
    s = run.snapshots
    steps = s["step"].astype(np.int64).tolist()
    eig = s["eigenvalues"]
    data = {
        "steps": steps,
        "vocab": list(run.vocab),
        "loss": short(s["loss"]),
        "radius": short(s["spectral_radius"]),
        # per step: [re0, im0, re1, im1, ...]
        "eigenvalues": short(np.stack([eig.real, eig.imag], axis=-1).reshape(len(steps), -1)),
        "stepGradNorms": short(s["step_grad_norms"]),
        "paramNames": list(run.snapshot_info.get("param_names", [])),
        "gradNorms": short(s["grad_norms"]),
        "totalGradNorm": short(s["total_grad_norm"]),
        "clipped": s["clipped"].astype(np.int64).tolist(),
        "clipRatio": short(s["clip_ratio"]),
        "clip": run.config.get("clip"),
        "inputs": s["inputs"].astype(np.int64).tolist(),
        "targets": s["targets"].astype(np.int64).tolist(),
        "correct": s["correct"].astype(np.int64).tolist(),
        "probs": permille(s["probs"]),
        "samples": list(run.snapshot_info.get("samples", [])),
        "trajectory": _trajectory(run),
        "jacobians": _jacobians(run),
    }
    return data


def _trajectory(run: Run) -> dict | None:
    """The chunk's hidden states in the PCA plane (analysis.json), if analysed."""
    pca = run.analysis.get("pca") or {}
    if not pca.get("trajectories"):
        return None
    return {"steps": [int(n) for n in pca["snapshot_steps"]],
            "points": short(np.asarray(pca["trajectories"], dtype=np.float64)[..., :2]),
            "chars": ["".join(chars) for chars in pca.get("chars", [])],
            "explained": short(pca.get("explained_variance_ratio", [])[:2])}


def _jacobians(run: Run) -> dict | None:
    j = run.jacobians
    if len(j["step"]) == 0:
        return None
    return {"steps": j["step"].astype(np.int64).tolist(),
            "distance": j["distance"].astype(np.int64).tolist(),
            "norm": short(j["product_norm"])}


# ---------------------------------------------------------------------------
# The live model's data

def model_data(run: Run) -> dict:
    """The final weights at full precision: ``.tolist()`` gives Python floats, whose
    JSON form is their shortest round-trip ``repr``."""
    ck = run.checkpoint
    params = {name: array.astype(np.float64).tolist() for name, array in sorted(ck.params.items())}
    return {"vocab": list(ck.chars), "hiddenSize": ck.hidden_size,
            "embeddingDim": ck.embedding_dim, "activation": ck.activation, "params": params}


# ---------------------------------------------------------------------------
# The unit picker's data

def hundredths(values) -> list:
    """Numbers in [-1, 1] (any nesting) as whole hundredths: enough for a colour,
    and a third the size of the floats."""
    return np.rint(np.asarray(values, dtype=np.float64) * 100).astype(np.int64).tolist()


def units_data(run: Run) -> dict:
    units = run.analysis["units"]
    excerpt = units["excerpt"]
    features = [{"name": name, "label": f["label"], "kind": f["kind"],
                 "bestUnit": f["best_unit"], "verdict": f["verdict"],
                 "trained": hundredths(f["trained"]), "untrained": hundredths(f["untrained"])}
                for name, f in ((n, units["features"][n]) for n in units["feature_order"])]
    return {"text": excerpt["text"], "hiddenSize": units["hidden_size"],
            "trained": hundredths(excerpt["trained"]),
            "untrained": hundredths(excerpt["untrained"]), "features": features}


# ---------------------------------------------------------------------------
# The search index

class _Text(HTMLParser):
    """The text of rendered HTML. A formula contributes its ``alttext``, the
    readable one-line form markup.py gives it, not the symbols of its MathML."""

    BLOCKS = frozenset({"p", "li", "br", "div", "pre", "tr", "h3", "h4", "h5", "h6", "blockquote"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.in_math = False      # inside a formula whose alttext stands for it

    def handle_starttag(self, tag, attrs):
        alttext = dict(attrs).get("alttext") if tag == "math" else None
        if alttext is not None:
            self.parts.append(alttext)
            self.in_math = True
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "math":
            self.in_math = False
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.in_math:
            self.parts.append(data)


def plain(html: str) -> str:
    """Rendered HTML as one line of text, formulas in their readable text form."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def search_index(index: IndexPage, sections: list[SectionPage]) -> list[dict]:
    """One entry per section and per annotation; ``url`` is relative to the site root."""
    entries = [{"kind": "page", "number": "", "title": index.title, "subtitle": index.subtitle,
                "url": index.path, "text": plain(index.intro)}]
    for page in sections:
        entries.append({"kind": "section", "number": page.number, "title": page.title,
                        "subtitle": page.subtitle, "url": page.path,
                        "text": plain(page.prose)})
        for note in page.notes:
            lines = f"line {note.first}" if note.first == note.last else \
                f"lines {note.first}\u2013{note.last}"
            entries.append({"kind": "note", "number": page.number, "title": page.title,
                            "subtitle": lines, "url": f"{page.path}#{note.id}",
                            "text": plain(note.html)})
    return entries
