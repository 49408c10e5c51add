"""Data for the pages' scripts, written once per site as ``data/*.js``.

A page opened from file:// may not fetch a JSON file, but it may load a script;
so each export is a one-line script that assigns one global:

- ``data/snapshots.js`` sets ``window.charrnnSnapshots``: what the training
  scrubber shows at every recorded step (site_src/static/scrubber.js). Short
  lists are JSON numbers at 4 significant digits; the big arrays are packed
  integer codes (see ``packed``): probabilities in 8 bits, eigenvalues and PCA
  points in 16. Written only when some section has a ``scrubber:``.
- ``data/weights.js`` sets ``window.charrnnWeights``: the recorded weight
  matrices as 4-bit heat-map codes, for the scrubber's ``weights`` panel; apart
  from the snapshots because they weigh more than the rest together, and only the
  pages with that panel load them.
- ``data/runs/<variant>.js`` adds one run to ``window.charrnnRuns``: the
  snapshots (and weights) of another run of the experiments with the same seed,
  loaded by the scrubber's run switcher when a reader picks it.
- ``data/model.js`` sets ``window.charrnnModel``: the final weights from
  checkpoint.npz at full float64 precision (each float as Python's ``repr``,
  which JavaScript parses back to the same double) and the vocabulary, for the
  forward pass in site_src/static/livemodel.js. Written only when some section
  has ``live_model: true``.
- ``data/units.js`` sets ``window.charrnnUnits``: the validation excerpt of
  analysis.json["units"], every hidden unit's activation after each of its
  characters in the trained and the untrained network, and every unit's
  statistic for each fact, all as whole hundredths (-100..100), for the unit
  picker in site_src/static/units.js; and the characters the analysis read
  before the excerpt, so that the picker can run the reader's own network
  (trained in section 20) over the same text. Written only when some section
  has ``units: true``.
- ``data/trainer.js`` sets ``window.charrnnTrainerData``: the text the walked run
  read, its vocabulary and settings, and the recorded loss bands of the variants
  the page's trainer can reproduce (walkthrough/trainer.py), for
  site_src/static/trainpanel.js. Written only when some section has
  ``trainer: true``.
- ``data/search.js`` sets ``window.charrnnSearch``: every section's title,
  subtitle and prose and every annotation, as plain text with its URL
  (site_src/static/search.js loads it when the reader first uses the search box).

The same run and the same sections give the same bytes.
"""
from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import numpy as np

from runner import rundir

from .charts.heat import LEVELS, shade_codes
from .charts.style import outside_unit_circle, significant
from .pages import IndexPage, SectionPage
from .run import Run, Sweep, single_run_sweep
from .trainer import trainer_data

HEADER = "// Written by walkthrough/exports.py from the run; do not edit.\n"


def data_files(run: Run, index: IndexPage, sections: list[SectionPage],
               others: dict[str, Run] | None = None,
               sweep: Sweep | None = None) -> dict[str, bytes]:
    """The ``data/*.js`` files the pages need (relative path -> content). ``others``
    are the runs the scrubber's run switcher offers besides ``run``, by name;
    ``sweep`` (the experiments) gives the trainer its bands."""
    files = {"data/search.js": script("charrnnSearch", search_index(index, sections))}
    if any(page.scrubber for page in sections):
        files["data/snapshots.js"] = script("charrnnSnapshots", snapshot_data(run))
        for name, other in (others or {}).items():
            files[f"data/runs/{name}.js"] = run_script(name, {**snapshot_data(other),
                                                              "weights": weights_data(other)})
    if any(page.wants("weights") for page in sections):
        files["data/weights.js"] = script("charrnnWeights", weights_data(run))
    if any(page.live_model for page in sections):
        files["data/model.js"] = script("charrnnModel", model_data(run))
    if any(page.units for page in sections):
        files["data/units.js"] = script("charrnnUnits", units_data(run))
    if any(page.trainer for page in sections):
        files["data/trainer.js"] = script("charrnnTrainerData",
                                          trainer_data(run, sweep or single_run_sweep(run.path)))
    return files


def run_script(name: str, data) -> bytes:
    """One more run for the scrubber's switcher, loaded only when a reader asks for
    it: ``window.charrnnRuns[name] = <data>;``."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return (f"{HEADER}(window.charrnnRuns = window.charrnnRuns || {{}})"
            f"[{json.dumps(name)}] = {body};\n").encode("ascii")


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
        return significant(array)
    return [short(v) for v in array]


def packed(values, bits: int, scale: float = 1.0, zero: int = 0) -> dict:
    """An array as integer codes, ``code = round(value / scale) + zero``, stored
    ``bits`` to a code (4: two to a byte, high half first; 8; 16: little-endian),
    base64-encoded: 4/3 of a character per byte, where a number written out in
    JSON takes 3 to 7. scrubber.js reads it back as ``(code - zero) * scale``."""
    array = np.nan_to_num(np.asarray(values, dtype=np.float64))
    codes = np.rint(array / scale).astype(np.int64) + zero
    if codes.size and (codes.min() < 0 or codes.max() >= 2 ** bits):
        raise ValueError(f"codes out of the {bits}-bit range: scale {scale} is too small")
    flat = codes.ravel()
    if bits == 4:
        flat = np.concatenate([flat, np.zeros(flat.size % 2, np.int64)])
        raw = (flat[0::2] << 4 | flat[1::2]).astype(np.uint8).tobytes()
    elif bits == 8:
        raw = flat.astype(np.uint8).tobytes()
    elif bits == 16:
        raw = flat.astype("<u2").tobytes()
    else:
        raise ValueError(f"cannot pack {bits}-bit codes")
    return {"bits": bits, "shape": list(array.shape), "scale": scale, "zero": zero,
            "data": base64.b64encode(raw).decode("ascii")}


def fine(values) -> dict:
    """Coordinates in 16 bits: a step of 1/32767 of the largest magnitude."""
    array = np.asarray(values, dtype=np.float64)
    reach = float(np.abs(np.nan_to_num(array)).max()) if array.size else 0.0
    return packed(array, 16, scale=(reach or 1.0) / 32767, zero=32768)


def snapshot_data(run: Run) -> dict:
    s = run.snapshots
    steps = s["step"].astype(np.int64).tolist()
    # Largest modulus first, so that "the first outside[i] eigenvalues of step i"
    # are the ones outside the unit circle: the page draws and counts exactly the
    # eigenvalues that the static chart calls outside (walkthrough/charts/style.py).
    eig = s["eigenvalues"]
    eig = np.take_along_axis(eig, np.argsort(-np.abs(eig), axis=1, kind="stable"), axis=1)
    data = {
        "steps": steps,
        "vocab": list(run.vocab),
        "loss": short(s["loss"]),
        "radius": short(s["spectral_radius"]),
        "eigenvalues": fine(np.stack([eig.real, eig.imag], axis=-1)),     # (S, H, 2)
        "outside": outside_unit_circle(eig).sum(axis=1).astype(np.int64).tolist(),
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
        "probs": packed(np.clip(s["probs"], 0.0, 1.0), 8, scale=1 / 255),   # (S, T, V)
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
            "points": fine(np.asarray(pca["trajectories"], dtype=np.float64)[..., :2]),
            "chars": ["".join(chars) for chars in pca.get("chars", [])],
            "explained": short(pca.get("explained_variance_ratio", [])[:2])}


def _jacobians(run: Run) -> dict | None:
    j = run.jacobians
    if len(j["step"]) == 0:
        return None
    return {"steps": j["step"].astype(np.int64).tolist(),
            "distance": j["distance"].astype(np.int64).tolist(),
            "norm": short(j["product_norm"])}


WEIGHTS = ("W_xh", "W_hh", "W_hy")


def weights_data(run: Run) -> dict | None:
    """The weight matrices at the steps the run recorded them, as the heat maps'
    shade codes (walkthrough/charts/heat.py) in 4 bits each, with each matrix's
    largest |w| at each step: about a twelfth of the size of the floats in JSON,
    and every shade the panel draws."""
    if not rundir.has(run.path, "weights.npz"):
        return None
    w = run.weights
    if len(w["step"]) == 0 or not all(name in w for name in WEIGHTS):
        return None
    shaded = {name: [shade_codes(matrix) for matrix in w[name]] for name in WEIGHTS}
    return {"steps": w["step"].astype(np.int64).tolist(), "names": list(WEIGHTS),
            "levels": LEVELS,
            "largest": {name: short([largest for _, largest in shaded[name]])
                        for name in WEIGHTS},
            "codes": {name: packed(np.stack([codes for codes, _ in shaded[name]]), 4,
                                   zero=LEVELS + 1)
                      for name in WEIGHTS}}


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


# charrnn/train.py's VAL_CONTEXT (tests/test_engine_units.py holds them equal): the
# training characters the analysis reads before the validation text, so that the
# state at its first character is not a cold start.
VAL_CONTEXT = 200


def units_data(run: Run) -> dict:
    units = run.analysis["units"]
    excerpt = units["excerpt"]
    features = [{"name": name, "label": f["label"], "kind": f["kind"],
                 "bestUnit": f["best_unit"], "verdict": f["verdict"],
                 "trained": hundredths(f["trained"]), "untrained": hundredths(f["untrained"])}
                for name, f in ((n, units["features"][n]) for n in units["feature_order"])]
    return {"text": excerpt["text"], "context": excerpt_context(run),
            "hiddenSize": units["hidden_size"],
            "trained": hundredths(excerpt["trained"]),
            "untrained": hundredths(excerpt["untrained"]), "features": features}


def excerpt_context(run: Run) -> str | None:
    """What the analysis read before the excerpt, from a zero state
    (analysis.validation_states): the last VAL_CONTEXT characters of the training
    text, then the validation text up to the excerpt. A network that reads this and
    then the excerpt is in the state the recorded activations were taken in.

    None when the run kept no text (it predates corpus.txt), or when its text does
    not hold the excerpt where the analysis says it starts: then the page cannot
    run another network over the same characters, and does not offer to."""
    text = run.corpus_text
    if text is None:
        return None
    units = run.analysis["units"]
    excerpt = units["excerpt"]
    cut = len(text) - units["val_chars"]
    start = cut + excerpt["start"]
    if cut < VAL_CONTEXT or text[start:start + len(excerpt["text"])] != excerpt["text"]:
        return None
    return text[cut - VAL_CONTEXT:start]


# ---------------------------------------------------------------------------
# The search index

class _PlainText(HTMLParser):
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
    parser = _PlainText()
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
