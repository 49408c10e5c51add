"""The reader's run handed from the trainer (section 20) to the live model
(section 16) and the unit picker (section 17), from file://, through the
browser's localStorage (site_src/static/handoff.js).

A run trained through the panel's buttons is kept when it stops, and the panel
links to both views; there, a choice switches to it: the live model then
computes with those weights exactly what rnn.js and NumPy compute from them,
and the picker colours the excerpt by its units as a JavaScript recomputation
does, both unlike the recorded run. Without kept weights the choice is not
shown, and a link asking for them falls back to the recorded run and says so;
weights the browser cannot keep are said so on the panel. Axe finds nothing
serious with the choice shown, and nothing is wider than a phone.

DOM contract (templates/_weights.html, _trainer.html): [data-weights-choice]
with input[data-weights][value=recorded|yours], [data-weights-summary],
[data-weights-about], a[data-weights-settings]; [data-weights-note];
[data-trainer-handoff] > [data-trainer-kept], [data-trainer-use] > a;
[data-units-recorded], [data-units-recorded-note]; window.charrnnLive.weights();
localStorage["charrnn.yourRun"] (handoff.js: KEY).
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
import test_interactive
import test_unit_picker
from browser_support import assert_clean, data_js
from test_accessibility import BLOCKING, RUN_AXE, describe
from test_trainer_page import wait_until_over
from test_unit_picker import MAX_ALPHA, NEGATIVE, POSITIVE, colours

TRAINER = "sections/run-it-yourself.html"
KEY = "charrnn.yourRun"
# a network unlike the recorded one: another size and another activation
SETTINGS = "trainer.hidden_size=16&trainer.activation=sigmoid&trainer.lr=0.03"

live_page = test_interactive.live_page
units_page = test_unit_picker.units_page
numpy_model = test_interactive.numpy_model
recorded = test_unit_picker.recorded


def kept(page) -> dict | None:
    return page.evaluate(f"() => JSON.parse(localStorage.getItem({KEY!r}))")


def train_and_stop(open_page, query: str = SETTINGS, **options):
    """The trainer's page after a run through its buttons to its end (300 steps)."""
    page = open_page(TRAINER, query=query, **options)
    assert kept(page) is None
    page.click("[data-trainer-play]")
    assert wait_until_over(page) == "finished"
    page.wait_for_selector("[data-trainer-handoff]:not([hidden])")
    return page


def follow(page, view: str):
    """Follow the panel's link to the live model ("live") or the unit picker ("units")."""
    link = page.locator(f"[data-trainer-use] a[href*='{view}.weights=yours']")
    link.click()
    page.wait_for_load_state("load")
    page.wait_for_selector("[data-weights-choice]:not([hidden])")
    return page


# --- the trainer keeps its weights --------------------------------------------------------

def test_a_finished_run_is_kept_with_its_settings_and_the_panel_links_to_both_views(open_page,
                                                                                  tmp_path):
    page = train_and_stop(open_page)
    run = kept(page)
    vocab = page.evaluate("() => window.charrnnTrainerData.vocab")
    assert (run["hiddenSize"], run["activation"], run["step"], run["steps"]) == (16, "sigmoid", 300, 300)
    assert run["vocab"] == vocab and run["status"] == "finished"
    assert run["settings"] == ["hidden units 16", "learning rate 0.03", "activation sigmoid"]
    assert dict(parse_qsl(run["query"])) == dict(parse_qsl(SETTINGS))
    line = page.inner_text("[data-trainer-handoff]")
    assert line.startswith("Kept in this browser: your weights at step 300 (16 hidden units, sigmoid")
    assert "the live model (section 16)" in line and "the unit picker (section 17)" in line
    # the kept weights are the run's: those of its checkpoint download, to the last bit
    with page.expect_download() as download:
        page.click("[data-trainer-download]")
    download.value.save_as(tmp_path / "checkpoint.json")
    checkpoint = json.loads((tmp_path / "checkpoint.json").read_text(encoding="utf-8"))
    for name, values in run["params"].items():
        assert values == list(np.ravel(checkpoint[f"param_{name}"])), name
    assert_clean(page)


def test_a_paused_run_is_kept_at_the_step_it_paused(open_page):
    # the longest run the panel allows, so the pause always comes before its end
    page = open_page(TRAINER, query="trainer.steps=100000&trainer.hidden_size=32")
    page.click("[data-trainer-play]")
    page.wait_for_function("() => window.charrnnTrainPanel.state().step > 50")
    page.click("[data-trainer-play]")   # pause
    page.wait_for_function("() => window.charrnnTrainPanel.state().status === 'paused'")
    step = page.evaluate("() => window.charrnnTrainPanel.state().step")
    page.wait_for_function(f"() => (JSON.parse(localStorage.getItem({KEY!r})) || {{}}).step === {step}")
    run = kept(page)
    assert run["status"] == "paused" and run["steps"] == 100_000 and run["hiddenSize"] == 32
    assert f"at step {step:,}" in page.inner_text("[data-trainer-handoff]")
    assert_clean(page)


def test_weights_the_browser_cannot_keep_are_said_so_and_not_offered(new_context, site_dir):
    from browser_support import site_url
    context, page = new_context()
    context.add_init_script("Storage.prototype.setItem = function () {"
                            " throw new DOMException('full', 'QuotaExceededError'); };")
    page.goto(site_url(site_dir, TRAINER, query="trainer.hidden_size=8"))
    page.click("[data-trainer-play]")
    wait_until_over(page)
    page.wait_for_selector("[data-trainer-handoff]:not([hidden])")
    line = page.inner_text("[data-trainer-handoff]")
    assert "are not kept for the other sections: the browser's storage for this site is full" in line
    assert page.locator("[data-trainer-use]").is_hidden()
    assert_clean(page)


DIVERGING = {   # test_trainer_fidelity.py's two ways to diverge
    "nan": "trainer.lr=1&trainer.clip=0&trainer.momentum=0.9&trainer.activation=relu",
    "far above uniform": "trainer.lr=1&trainer.clip=0&trainer.momentum=0.9",
}


@pytest.mark.parametrize("how", DIVERGING)
def test_a_diverged_run_is_kept_only_if_its_network_still_predicts(open_page, how):
    page = open_page(TRAINER, query=DIVERGING[how])
    page.click("[data-trainer-play]")
    assert wait_until_over(page) == "diverged"
    page.wait_for_selector("[data-trainer-handoff]:not([hidden])")
    line = page.inner_text("[data-trainer-handoff]")
    step = page.evaluate("() => window.charrnnTrainPanel.state().step")
    run = kept(page)
    if how == "nan":   # the weights of the step before the loss became NaN predict NaN
        assert run is None
        assert line.startswith(f"Your weights at step {step} are not kept for the other sections: "
                               "the network they make predicts nothing but NaN.")
        assert page.locator("[data-trainer-use]").is_hidden()
    else:              # finite, and a network that still predicts: kept, and said how it ended
        assert run["status"] == "diverged" and run["step"] == step
        assert page.locator("[data-trainer-use]").is_visible()
        page = follow(page, "live")
        assert f"stopped by divergence at step {step} of 300" in page.inner_text("[data-weights-about]")
        probs = page.evaluate("window.charrnnLive.probs('the ')")
        assert all(np.isfinite(probs)) and abs(sum(probs) - 1) < 1e-9
    assert_clean(page)


# --- the live model -------------------------------------------------------------------------

# The page's own arithmetic (rnn.js) on the kept weights and on the recorded ones.
RECOMPUTE = """(prefix) => {
  const rnn = window.charrnnRnn, run = JSON.parse(localStorage.getItem("charrnn.yourRun"));
  const model = window.charrnnModel;
  const encode = (vocab) => Array.from(prefix, (ch) => vocab.indexOf(ch));
  const yours = rnn.network({ vocabSize: run.vocab.length, hiddenSize: run.hiddenSize,
                              activation: run.activation }, run.params);
  const theirs = rnn.network({ vocabSize: model.vocab.length, hiddenSize: model.hiddenSize,
                               embeddingDim: model.embeddingDim, activation: model.activation },
                             model.params);
  return { yours: Array.from(rnn.warmUp(yours, encode(run.vocab))[1]),
           recorded: Array.from(rnn.warmUp(theirs, encode(model.vocab))[1]),
           sample: rnn.sample(yours, encode(run.vocab), 160, 0.7, 5).map((i) => run.vocab[i]).join("") };
}"""


def test_the_live_model_runs_the_readers_weights(open_page):
    from charrnn.data import Vocab
    from charrnn.model import CharRNN
    from charrnn.sample import warm_up
    page = follow(train_and_stop(open_page), "live")
    assert page.is_checked("input[data-weights][value=yours]")
    assert page.evaluate("window.charrnnLive.weights()") == "yours"
    assert page.inner_text("[data-weights-summary]") == "(16 hidden units, sigmoid, 300 steps)"
    assert page.inner_text("[data-weights-about]").startswith(
        "Settings: hidden units 16, learning rate 0.03, activation sigmoid (the others as the recorded")
    settings_link = urlsplit(page.get_attribute("[data-weights-settings]", "href"))
    assert settings_link.path.endswith(TRAINER) and settings_link.fragment == "trainer"
    assert dict(parse_qsl(settings_link.query)) == dict(parse_qsl(SETTINGS))
    assert page.locator("[data-live-hidden] rect").count() == 16

    run = kept(page)
    numpy = CharRNN(len(run["vocab"]), 16, activation="sigmoid")
    for name, array in numpy.arrays.items():
        array[...] = np.array(run["params"][name]).reshape(array.shape)
    for prefix in ("t", "the ", "a boy eats the cake the dog "):
        shown = np.array(page.evaluate("(p) => window.charrnnLive.probs(p)", prefix))
        js = page.evaluate(RECOMPUTE, prefix)
        assert np.array_equal(shown, js["yours"]), prefix            # rnn.js on the kept weights
        _h, probs = warm_up(numpy, Vocab(tuple(run["vocab"])), prefix)
        assert np.max(np.abs(shown - probs)) < 1e-9, prefix          # and NumPy on them
        assert np.max(np.abs(shown - np.array(js["recorded"]))) > 1e-3, prefix

    # the sample: the text, temperature and seed, on the kept weights
    page.locator("input[data-live-prefix]").fill("the ")
    page.locator("input[data-live-temperature]").fill("0.7")
    page.locator("input[data-live-seed]").fill("5")
    expected = page.evaluate(RECOMPUTE, "the ")["sample"]
    assert page.inner_text("[data-live-output] .live-written") == expected

    # back to the recorded run, and the address follows the choice
    page.check("input[data-weights][value=recorded]")
    assert page.evaluate("window.charrnnLive.weights()") == "recorded"
    assert page.inner_text("[data-live-output] .live-written") != expected
    hidden = page.evaluate("window.charrnnModel.hiddenSize")
    assert page.locator("[data-live-hidden] rect").count() == hidden
    page.evaluate("window.charrnnAddress.flush()")
    assert "live.weights" not in urlsplit(page.url).query
    page.check("input[data-weights][value=yours]")
    page.evaluate("window.charrnnAddress.flush()")
    address = page.url
    assert dict(parse_qsl(urlsplit(address).query))["live.weights"] == "yours"
    page.goto(address)
    assert page.evaluate("window.charrnnLive.weights()") == "yours"
    assert page.inner_text("[data-live-output] .live-written") == expected
    assert_clean(page)


# --- the unit picker ------------------------------------------------------------------------

# Every unit of the kept network over the picker's context and excerpt, in rnn.js.
UNITS_RECOMPUTE = """() => {
  const rnn = window.charrnnRnn, run = JSON.parse(localStorage.getItem("charrnn.yourRun"));
  const data = window.charrnnUnits;
  const net = rnn.network({ vocabSize: run.vocab.length, hiddenSize: run.hiddenSize,
                            activation: run.activation }, run.params);
  let h = new Float64Array(net.H);
  for (const ch of data.context) [h] = rnn.step(net, run.vocab.indexOf(ch), h);
  const rows = Array.from({ length: net.H }, () => []);
  for (const ch of data.text) {
    [h] = rnn.step(net, run.vocab.indexOf(ch), h);
    h.forEach((v, k) => rows[k].push(v));
  }
  return rows;
}"""


def assert_coloured_by(page, activations) -> None:
    """Each character's colour (its alpha as the browser rounds it, to 2 decimals) and
    its title (h to 2 decimals) are those of the given activations."""
    shown = colours(page)
    titles = page.eval_on_selector_all("[data-units-text] > span", "(spans) => spans.map((s) => s.title)")
    assert len(shown) == len(titles) == len(activations)
    for t, ((r, g, b, a), title, h) in enumerate(zip(shown, titles, activations, strict=True)):
        assert a == pytest.approx(MAX_ALPHA * min(1, abs(h)), abs=0.0051), (t, h, a)
        if abs(h) >= 0.01:
            assert (r, g, b) == (NEGATIVE if h < 0 else POSITIVE), (t, h)
        written = float(title.rsplit("h = ", 1)[1].replace("\u2212", "-"))
        assert written == pytest.approx(h, abs=0.0050001), (t, h, title)


def test_the_unit_picker_colours_the_excerpt_by_the_readers_units(open_page, recorded):
    page = follow(train_and_stop(open_page), "units")
    box = page.locator("[data-units]")
    assert box.get_attribute("data-network") == "yours"
    assert page.locator("select[data-units-unit] option").count() == 16
    # the recorded run's statistics are not shown as the reader's
    assert page.locator("[data-units-stats]").is_hidden() and page.locator("[data-units-best]").is_hidden()
    assert page.locator(".units-network").is_hidden()
    assert "measured them on the recorded run" in page.inner_text("[data-units-recorded-note]")

    rows = page.evaluate(UNITS_RECOMPUTE)
    assert len(rows) == 16
    for unit in (1, 7, 16):
        page.locator("select[data-units-unit]").select_option(str(unit))
        assert box.get_attribute("data-unit") == str(unit)
        assert_coloured_by(page, rows[unit - 1])
        unlike = np.abs(np.array(rows[unit - 1]) - np.array(recorded["trained"][unit - 1]))
        assert unlike.mean() > 0.05, unit
    page.evaluate("window.charrnnAddress.flush()")
    assert dict(parse_qsl(urlsplit(page.url).query)) == {"units.weights": "yours", "units.unit": "16"}

    # back to the recorded run: its colours, its statistics, its units
    page.check("input[data-weights][value=recorded]")
    assert box.get_attribute("data-network") == "trained"
    assert page.locator("select[data-units-unit] option").count() == recorded["hidden"]
    test_unit_picker.assert_coloured_by(page, recorded["trained"][15])
    assert page.locator("[data-units-stats]").is_visible()
    assert page.locator("[data-units-recorded-note]").is_hidden()
    assert_clean(page)


def test_the_excerpt_s_context_puts_the_recorded_network_in_its_recorded_state(site_dir, recorded,
                                                                               numpy_model):
    """The context the picker reads before the excerpt is the analysis's: the recorded
    network, read over it and then over the excerpt, gives the recorded activations."""
    data = data_js(site_dir, "units")
    net, vocab = numpy_model
    h, states = np.zeros(net.hidden_size), []
    for t, i in enumerate(vocab.encode(data["context"] + data["text"])):
        h, _probs = net.step(int(i), h)
        if t >= len(data["context"]):
            states.append(h)
    assert np.max(np.abs(np.array(states).T - np.array(recorded["trained"]))) <= 0.0051


# --- without kept weights -------------------------------------------------------------------

@pytest.mark.parametrize("view", ["live", "units"])
def test_without_kept_weights_there_is_no_choice_and_a_link_to_them_falls_back(open_page, live_page,
                                                                              units_page, view):
    rel = live_page if view == "live" else units_page
    page = open_page(rel)
    assert page.locator("[data-weights-choice]").is_hidden()
    assert page.locator("[data-weights-note]").is_hidden()
    page = open_page(rel, query=f"{view}.weights=yours")
    assert page.locator("[data-weights-choice]").is_hidden()
    note = page.inner_text("[data-weights-note]")
    assert note == ("This link asks for your run from section 20, but this browser keeps no "
                    "weights from it. This is the recorded run.")
    if view == "live":
        assert page.evaluate("window.charrnnLive.weights()") == "recorded"
    else:
        assert page.locator("[data-units]").get_attribute("data-network") == "trained"
    # weights kept by something else than this site's trainer are not offered either
    other = {"format": 1, "vocab": ["x"], "hiddenSize": 2, "activation": "tanh", "params": {}}
    page.evaluate("([key, run]) => localStorage.setItem(key, JSON.stringify(run))", [KEY, other])
    page.reload()
    assert page.locator("[data-weights-choice]").is_hidden()
    assert "trained on other characters than this site's" in page.inner_text("[data-weights-note]")
    assert_clean(page)


# --- accessibility and phones ----------------------------------------------------------------

@pytest.mark.parametrize("width", [1280, 375])
def test_the_choice_has_no_serious_accessibility_violation_and_fits_a_phone(open_page, axe_js, width,
                                                                           screenshot_dir):
    page = train_and_stop(open_page, width=width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    trainer = page.url.split("?")[0]
    for view in ("live", "units"):
        page.goto(trainer)   # its links lead on, to the weights kept from before
        page.wait_for_selector("[data-trainer-handoff]:not([hidden])")   # kept from before
        follow(page, view)
        # for a person to look at: the view on the reader's weights (the link chose
        # them), the choice above it
        panel = page.locator("[data-weights-choice]").locator(
            "xpath=ancestor::*[self::section or self::figure][1]")
        panel.screenshot(path=screenshot_dir / f"handoff-{view}-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
            '[data-weights-choice], [data-weights-choice] *')]
            .map((e) => e.getBoundingClientRect().right))""")
        assert widest <= width, view
        page.add_script_tag(path=str(axe_js))
        blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
        assert not blocking, f"{view} at {width} px:\n{describe(blocking)}"
    assert_clean(page)
