"""The trainer's panel in section 20, driven as a reader drives it, from file://:
a run through the buttons redraws every live view, the page's address holds the
settings and gives the same run again, a diverging setting stops cleanly with
charrnn's message, a value outside a setting's range is not taken, nothing
leaves the site, axe finds nothing serious, nothing is wider than a phone, and
without JavaScript the panel is replaced by one sentence. Screenshots of the
panel before, during and after a run, in both themes, at 1280 and 375 px.

(The site is built from 300-step runs, so the panel's default run is 300 steps.)

DOM contract (templates/_trainer.html, trainpanel.js): [data-trainer] (the panel),
[data-trainer-nojs], [data-trainer-settings] with one control per setting
(#trainer-<name>), buttons [data-trainer-play|step|reset|download],
[data-trainer-readout], [data-trainer-status], [data-trainer-bands],
[data-trainer-view=<train|val|radius|eigenvalues|clipping|sample>] > svg;
window.charrnnTrainPanel = { state(), settings(), config() }.
"""
from __future__ import annotations

import json

import pytest
from browser_support import assert_clean, settle
from test_accessibility import BLOCKING, RUN_AXE, describe

PAGE = "sections/run-it-yourself.html"
VIEWS = ("train", "val", "radius", "eigenvalues", "clipping", "sample")
STATUS = "() => window.charrnnTrainPanel.state().status"


def wait_until_over(page, timeout=60_000) -> str:
    page.wait_for_function(f"() => ['finished', 'diverged'].includes(({STATUS})())", timeout=timeout)
    settle(page)
    return page.evaluate(STATUS)


def labels(page) -> dict[str, str]:
    return {v: page.get_attribute(f"[data-trainer-view={v}] svg", "aria-label") for v in VIEWS}


def drawings(page) -> dict[str, str]:
    return {v: page.inner_html(f"[data-trainer-view={v}] svg") for v in VIEWS}


def losses(page) -> list[float]:
    return page.evaluate("() => window.charrnnTrainPanel.state().losses")


def test_a_run_through_the_buttons_redraws_every_view(open_page):
    page = open_page(PAGE)
    assert page.is_visible("[data-trainer]") and not page.is_visible("[data-trainer-nojs]")
    before = drawings(page)
    assert page.inner_text("[data-trainer-readout]").startswith("step 0 of 300")
    page.click("[data-trainer-step]")                         # one step
    page.wait_for_function("() => window.charrnnTrainPanel.state().step === 1")
    page.click("[data-trainer-play]")                         # then the rest
    assert wait_until_over(page) == "finished"
    after, said = drawings(page), labels(page)
    for view in VIEWS:
        assert after[view] != before[view], f"{view} was not redrawn"
        assert "NaN" not in after[view] and "Infinity" not in after[view], view
    assert "at step 300" in said["train"] and "at step 300" in said["val"]
    assert "at step 300" in said["radius"] and "at step 300" in said["eigenvalues"]
    assert "of 300 steps clipped" in said["clipping"] and "at step 300" in said["sample"]
    assert len(losses(page)) == 300
    assert page.inner_text("[data-trainer-status]") == "Finished: 300 steps."
    readout = page.inner_text("[data-trainer-readout]")
    assert readout.startswith("step 300 of 300 · ") and readout.endswith(" steps/s")
    assert page.is_disabled("[data-trainer-play]")
    assert "default (seeds" in page.inner_text("[data-trainer-bands]")
    page.click("[data-trainer-reset]")
    page.wait_for_function("() => window.charrnnTrainPanel.state().step === 0")
    assert page.is_enabled("[data-trainer-play]")
    assert_clean(page)


def test_the_same_address_trains_the_same_run(open_page):
    settings = "hidden_size=16&lr=0.03&clip=1&seed=7&activation=sigmoid"
    query = "&".join(f"trainer.{pair}" for pair in settings.split("&"))
    runs = []
    # today's address, and the form links had before every view kept its state
    for fresh, where in ((False, {"query": query}), (True, {"hash": f"trainer?{settings}"})):
        page = open_page(PAGE, fresh=fresh, **where)
        assert page.evaluate("() => window.charrnnTrainPanel.settings()")["hidden_size"] == 16
        assert page.input_value("#trainer-activation") == "sigmoid"
        assert page.input_value("#trainer-seed") == "7"
        assert page.inner_text("#trainer-lr + output") == "0.03"
        page.click("[data-trainer-play]")
        assert wait_until_over(page) == "finished"
        runs.append(losses(page))
        assert_clean(page)
    assert runs[0] == runs[1] and len(runs[0]) == 300
    # the old form is rewritten in today's, with the anchor kept
    page.evaluate("window.charrnnAddress.flush()")
    assert page.evaluate("location.hash") == "#trainer"
    assert sorted(page.evaluate("location.search")[1:].split("&")) == sorted(query.split("&"))
    # Another seed is another run, and the address follows the controls.
    page.fill("#trainer-seed", "8")
    page.dispatch_event("#trainer-seed", "change")
    page.wait_for_function("location.search.includes('trainer.seed=8')")
    assert page.evaluate("location.hash") == "#trainer"
    page.click("[data-trainer-play]")
    wait_until_over(page)
    assert losses(page) != runs[0]


def test_a_diverging_setting_stops_cleanly_with_charrnns_message(open_page):
    page = open_page(PAGE, query="trainer.lr=1&trainer.clip=0&trainer.momentum=0.9&trainer.activation=relu")
    page.click("[data-trainer-play]")
    assert wait_until_over(page) == "diverged"
    status = page.inner_text("[data-trainer-status]")
    assert status.startswith("training diverged at step ")
    assert "Try a smaller learning rate (now --lr 1.0) or a tighter clip (now --clip 0.0)." in status
    assert page.is_disabled("[data-trainer-play]") and page.is_disabled("[data-trainer-step]")
    for view, svg in drawings(page).items():
        assert "NaN" not in svg and "Infinity" not in svg, view
    assert_clean(page)


def test_a_value_outside_a_settings_range_is_not_taken(open_page):
    page = open_page(PAGE, query="trainer.lr=7&trainer.hidden_size=-3&trainer.bogus=1"
                                 "&trainer.momentum=0.9")
    settings = page.evaluate("() => window.charrnnTrainPanel.settings()")
    defaults = page.evaluate("() => window.charrnnTrainerData.defaults")
    assert settings["lr"] == defaults["lr"] and settings["hidden_size"] == defaults["hidden_size"]
    assert settings["momentum"] == 0.9
    status = page.inner_text("[data-trainer-status]")
    assert "lr=7" in status and "hidden_size=-3" in status and "bogus=1" in status
    # sliders hold only their stops; a seed that is not one is not applied
    assert page.get_attribute("#trainer-lr", "type") == "range"
    page.fill("#trainer-seed", "-5")
    assert page.get_attribute("#trainer-seed", "aria-invalid") == "true"
    assert page.evaluate("() => window.charrnnTrainPanel.settings().seed") == defaults["seed"]
    page.dispatch_event("#trainer-seed", "change")
    assert page.input_value("#trainer-seed") == str(defaults["seed"])
    assert_clean(page)


def test_the_optimiser_settings_change_while_it_trains(open_page):
    # the longest run the panel allows: it is still training when the test looks
    page = open_page(PAGE, query="trainer.steps=100000")
    page.click("[data-trainer-play]")
    page.wait_for_function("() => window.charrnnTrainPanel.state().step > 50")
    slider = page.locator("#trainer-lr")
    slider.focus()
    page.keyboard.press("ArrowRight")
    status = page.inner_text("[data-trainer-status]")
    assert status.startswith("Learning rate is now 0.02, from step ")
    assert page.evaluate("() => window.charrnnTrainPanel.state().status") == "running"
    page.click("[data-trainer-play]")   # pause
    page.wait_for_function(f"() => ({STATUS})() === 'paused'")
    assert page.inner_text("[data-trainer-status]").startswith("Paused at step ")
    assert_clean(page)


def test_the_weights_download_as_a_checkpoint(open_page, tmp_path):
    page = open_page(PAGE, query="trainer.hidden_size=8")
    page.click("[data-trainer-play]")
    wait_until_over(page)
    with page.expect_download() as download:
        page.click("[data-trainer-download]")
    assert download.value.suggested_filename == "checkpoint.json"
    path = tmp_path / "checkpoint.json"
    download.value.save_as(path)
    checkpoint = json.loads(path.read_text(encoding="utf-8"))
    vocab = page.evaluate("() => window.charrnnTrainerData.vocab")
    assert checkpoint["chars"] == vocab and checkpoint["hidden_size"] == 8 and checkpoint["step"] == 300
    V = len(vocab)
    shapes = {"param_W_xh": (8, V), "param_W_hh": (8, 8), "param_W_hy": (V, 8)}
    for name, (rows, cols) in shapes.items():
        assert len(checkpoint[name]) == rows and {len(r) for r in checkpoint[name]} == {cols}, name
    assert len(checkpoint["param_b_h"]) == 8 and len(checkpoint["param_b_y"]) == V
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_panel_after_a_run_has_no_serious_accessibility_violation(open_page, axe_js, scheme):
    page = open_page(PAGE, color_scheme=scheme)
    page.click("[data-trainer-play]")
    wait_until_over(page)
    page.add_script_tag(path=str(axe_js))
    violations = page.evaluate(RUN_AXE)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    assert_clean(page)


def test_on_a_phone_nothing_is_wider_than_the_screen(open_page):
    page = open_page(PAGE, width=375, height=812)
    page.click("[data-trainer-play]")
    wait_until_over(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('[data-trainer] *')]
        .map((e) => e.getBoundingClientRect().right))""")
    assert widest <= 375
    assert_clean(page)


def test_without_javascript_one_sentence_says_what_the_panel_would_do(open_page):
    page = open_page(PAGE, javascript=False)
    assert not page.is_visible("[data-trainer]")
    sentence = page.inner_text("[data-trainer-nojs]")
    assert sentence.startswith("With JavaScript and Web Workers, this page would train the network here")
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots_of_the_panel_before_during_and_after_a_run(open_page, screenshot_dir, scheme, width):
    name = f"trainer-{width}-{scheme}"
    # during: a long run, caught while it trains; before and after: a short one
    page = open_page(PAGE, width=width, height=900, color_scheme=scheme, query="trainer.steps=100000")
    page.click("[data-trainer-play]")
    page.wait_for_function("() => window.charrnnTrainPanel.state().step >= 400")
    page.locator("[data-trainer]").screenshot(path=screenshot_dir / f"{name}-during.png")
    assert page.evaluate(STATUS) == "running"
    page.click("[data-trainer-play]")
    page = open_page(PAGE, width=width, height=900, color_scheme=scheme, query="trainer.steps=2000")
    page.locator("[data-trainer]").screenshot(path=screenshot_dir / f"{name}-before.png")
    page.click("[data-trainer-play]")
    assert wait_until_over(page) == "finished"
    page.wait_for_timeout(250)   # the last frame
    page.locator("[data-trainer]").screenshot(path=screenshot_dir / f"{name}-after.png")
    assert_clean(page)
