"""The page's trainer is charrnn's training loop: started from a Python run's own
float64 initial weights, on that run's text, the JavaScript port (rnn.js and
trainer.js, in the Web Worker the page uses) trains alongside charrnn.train.train
and agrees with it at every step.

Each case trains 300 steps on a 100-sentence corpus, so the loop goes round the
text two to four times (the hidden state reset at each pass), with the learning
rate decaying every 100 steps in the first. Agreement is relative: every step's
loss and every validation loss within 1e-9 of NumPy's, every final weight within
1e-9 of the largest magnitude in its parameter, and the spectral radius of the
final W_hh (eigen.js) within 1e-9 of NumPy's. Each case runs twice: on the
WebAssembly products (kernels.wat) the page uses, and on the JavaScript ones it
falls back to. Section 20 names this test.

DOM contract: window.charrnnTrainerWorker.trainToEnd({config, text, vocab, weights, wasm})
-> {losses, val: [[step, loss]], radius: [[step, radius]], weights, step, status, message, kernels}.
"""
from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from browser_support import assert_clean

from charrnn.config import TrainConfig
from charrnn.train import load_corpus, train
from runner.console import Console

PAGE = "sections/run-it-yourself.html"
TOLERANCE = 1e-9
BASE = dict(steps=300, num_sentences=100, val_every=100)
CASES = {
    "tanh, clipped, momentum, lr decay": dict(lr_decay=0.9, lr_decay_every=100),
    "relu, no clipping, momentum 0.9": dict(activation="relu", clip=0.0, momentum=0.9, lr=0.005),
    "sigmoid, tight clip, no momentum": dict(activation="sigmoid", clip=1.0, momentum=0.0, lr=0.05),
    "tanh, W_hh frozen, random init": dict(freeze_whh=True, init="random"),
    # sizes that are not multiples of four: the products' remainder loops
    "xavier init, 30 units, chunks of 17": dict(init="xavier", hidden_size=30, seq_len=17),
}
DIVERGING = {
    "the mean loss far above a uniform guess": dict(lr=3.0, clip=0.0, momentum=0.9),
    "a loss that is not a number": dict(lr=1.0, clip=0.0, momentum=0.9, activation="relu"),
}


KERNELS = {"WebAssembly": True, "JavaScript": False}


@cache
def python_run(case: str) -> dict:
    """charrnn's own run of a case: its initial weights (the first snapshot is taken
    before the first update), its text, and what it recorded."""
    cfg = TrainConfig(**(BASE | (CASES | DIVERGING)[case]))
    text, _, _ = load_corpus(cfg)
    console = Console("quiet")
    trained = train(cfg, console)
    r = trained.recorder
    first = r.snapshots[0]
    assert first["step"] == 1
    return {"config": cfg.to_dict(), "text": text, "vocab": list(trained.vocab.chars),
            "initial": {name: w.ravel().tolist() for name, w in first["weights"].items()},
            "losses": r.loss[:r.steps_done], "val": np.array([r.val_steps, r.val_losses]).T,
            "final": trained.model.arrays, "summary": trained.summary,
            "message": next((line for line in console.lines if line.startswith("training diverged")), None)}


def page_run(page, run: dict, kernels: str = "WebAssembly") -> dict:
    js = page.evaluate("""async ({ config, text, vocab, initial, wasm }) => {
        const r = await window.charrnnTrainerWorker.trainToEnd(
            { config, text, vocab, weights: initial, wasm });
        const weights = Object.fromEntries(Object.entries(r.weights).map(([k, v]) => [k, Array.from(v)]));
        return { ...r, weights };
    }""", {name: run[name] for name in ("config", "text", "vocab", "initial")} | {"wasm": KERNELS[kernels]})
    assert js["kernels"] == kernels
    return js


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.mark.parametrize("kernels", KERNELS)
@pytest.mark.parametrize("case", CASES)
def test_page_trainer_matches_numpy_step_by_step(open_page, case, kernels):
    py = python_run(case)
    assert py["summary"]["diverged"] is None
    assert py["summary"]["chunks_per_pass"] < 300 / 2   # round the text twice or more
    page = open_page(PAGE)
    js = page_run(page, py, kernels)
    assert js["status"] == "finished" and js["step"] == 300
    assert len(js["losses"]) == 300
    assert relative(js["losses"], py["losses"]) < TOLERANCE
    val = np.array(js["val"])
    assert val[:, 0].tolist() == py["val"][:, 0].tolist() == [100, 200, 300]
    assert relative(val[:, 1], py["val"][:, 1]) < TOLERANCE
    for name, final in py["final"].items():
        scale = np.max(np.abs(final))
        assert np.max(np.abs(np.reshape(js["weights"][name], final.shape) - final)) < TOLERANCE * scale, name
    if py["config"]["freeze_whh"]:
        assert js["weights"]["W_hh"] == py["initial"]["W_hh"]
    radius = float(np.abs(np.linalg.eigvals(py["final"]["W_hh"])).max())
    assert js["radius"][-1][0] == 300 and abs(js["radius"][-1][1] - radius) < TOLERANCE * radius
    assert_clean(page)


@pytest.mark.parametrize("case", DIVERGING)
def test_a_diverging_run_stops_where_charrnn_stops_with_its_message(open_page, case):
    py = python_run(case)
    assert py["summary"]["diverged"] is not None and py["message"]
    js = page_run(open_page(PAGE), py)
    assert js["status"] == "diverged"
    assert js["message"] == py["message"]
    assert len(js["losses"]) == py["summary"]["steps"]
    finite = np.isfinite(py["losses"])
    assert relative(np.array(js["losses"])[finite][:5], py["losses"][finite][:5]) < TOLERANCE


def test_a_browser_that_cannot_compile_the_kernels_trains_on_plain_arrays(open_page):
    """The fallback is chosen by trying: no module, or bytes the engine rejects (as an
    engine without SIMD rejects kernels.wat), give the JavaScript products."""
    page = open_page(PAGE)
    names = page.evaluate("""() => {
        const arenaOf = (base64) => window.charrnnRnn.factory(base64).arena(16).name;
        return [arenaOf(window.charrnnKernels), arenaOf(""), arenaOf(btoa("not a module"))];
    }""")
    assert names == ["WebAssembly", "JavaScript", "JavaScript"]
