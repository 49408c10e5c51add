"""Every view's state in the page's address (site_src/static/address.js), from
file://: set through the controls, the address follows; the same address opened
in a new browser shows the same state and the same drawing or text; a value the
view does not have is ignored and said so, and nothing breaks; the hash stays
the anchors' and the notes' (a note's permalink works beside the state, and
following an anchor keeps it). The trainer's settings: test_trainer_page.py.

Keys: scrub.step, scrub.run (the scrubber); live.prefix, live.temperature,
live.seed (the live model); units.unit, units.network (the unit picker).
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import test_interactive
import test_unit_picker
from browser_support import assert_clean
from test_interactive import panel_state
from test_unit_picker import colours, shown_unit

# the fixtures of the views' own tests
scrubber_pages = test_interactive.scrubber_pages
live_page = test_interactive.live_page
units_page = test_unit_picker.units_page
recorded = test_unit_picker.recorded

BPTT = "sections/backpropagation-through-time.html"


def state_in_address(page) -> tuple[dict[str, str], str]:
    """The address's query as a dict, and its hash, once pending changes are written."""
    page.evaluate("window.charrnnAddress.flush()")
    parts = urlsplit(page.url)
    return dict(parse_qsl(parts.query, keep_blank_values=True)), parts.fragment


def query_of(page) -> str:
    page.evaluate("window.charrnnAddress.flush()")
    return urlsplit(page.url).query


# --- the scrubber --------------------------------------------------------------------

def scrubber_state(page) -> dict:
    return {"step": page.locator("output[data-scrubber-step]").inner_text(),
            "run": page.locator("[data-scrubber-run]").input_value(),
            "panels": panel_state(page)}


def wait_for_run(page, name: str) -> None:
    page.wait_for_function(f"(window.charrnnRuns || {{}})[{name!r}] !== undefined")
    page.wait_for_function("!document.querySelector('[data-scrubber-run-status]').textContent")


def test_the_scrubber_s_step_and_run_travel_in_the_address(open_page, scrubber_pages):
    rel = next(r for r in scrubber_pages if "eigenvalue" in r)
    page = open_page(rel)
    steps = page.evaluate("window.charrnnSnapshots.steps")
    assert state_in_address(page) == ({}, "")          # the default state: a bare address
    slider = page.locator("[data-scrubber] input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.locator("[data-scrubber-run]").select_option("clip-1")
    wait_for_run(page, "clip-1")
    query, _hash = state_in_address(page)
    assert query == {"scrub.step": str(steps[2]), "scrub.run": "clip-1"}
    shown = scrubber_state(page)
    assert shown["step"] == str(steps[2])

    again = open_page(rel, query=query_of(page), fresh=True)
    wait_for_run(again, "clip-1")
    assert scrubber_state(again) == shown                 # the same step, run and drawings
    # back to the walked run's last step: the address is bare again
    again.locator("[data-scrubber-run]").select_option("")
    again.locator("[data-scrubber] input[type=range]").focus()
    again.keyboard.press("End")
    assert state_in_address(again) == ({}, "")
    assert again.locator("[data-scrubber-address]").is_hidden()
    assert_clean(page)
    assert_clean(again)


def test_a_scrubber_value_it_does_not_have_is_ignored_and_said(open_page, scrubber_pages):
    rel = next(r for r in scrubber_pages if "eigenvalue" in r)
    page = open_page(rel, query="scrub.step=7777777&scrub.run=no-such-run&scrub.speed=2")
    steps = page.evaluate("window.charrnnSnapshots.steps")
    assert page.locator("output[data-scrubber-step]").inner_text() == str(steps[-1])
    assert page.locator("[data-scrubber-run]").input_value() == ""
    note = page.locator("[data-scrubber-address]")
    assert note.is_visible()
    for asked in ("scrub.step=7777777", "scrub.run=no-such-run", "scrub.speed=2"):
        assert asked in note.inner_text()
    assert panel_state(page) and all("<" in svg for svg in panel_state(page).values())
    assert_clean(page)


def test_a_note_permalink_works_beside_the_state_and_anchors_keep_it(open_page, scrubber_pages):
    rel = BPTT if BPTT in scrubber_pages else scrubber_pages[0]
    page = open_page(rel)
    note = page.eval_on_selector(".note", "(n) => ({id: n.id, first: +n.dataset.first})")
    steps = page.evaluate("window.charrnnSnapshots.steps")
    page = open_page(rel, query=f"scrub.step={steps[1]}", hash=note["id"], fresh=True)
    assert page.locator("output[data-scrubber-step]").inner_text() == str(steps[1])
    assert page.eval_on_selector_all(".note.active", "(ns) => ns.map((n) => n.id)") == [note["id"]]
    assert page.locator(f"#L{note['first']}.hl").count() == 1
    # following an anchor of the page changes the hash and keeps the state
    page.locator("h1 a.anchor").click()
    query, hash_ = state_in_address(page)
    assert query == {"scrub.step": str(steps[1])} and hash_ == page.evaluate(
        "document.querySelector('h1').id")
    assert page.locator("output[data-scrubber-step]").inner_text() == str(steps[1])
    assert_clean(page)


# --- the live model ------------------------------------------------------------------

def live_state(page) -> dict:
    return {"prefix": page.locator("input[data-live-prefix]").input_value(),
            "temperature": page.locator("input[data-live-temperature]").input_value(),
            "seed": page.locator("input[data-live-seed]").input_value(),
            "probs": page.locator("[data-live-probs]").inner_text(),
            "sample": page.locator("[data-live-output]").inner_text()}


def test_the_live_model_s_text_temperature_and_seed_travel_in_the_address(open_page, live_page):
    page = open_page(live_page)
    default = live_state(page)
    assert state_in_address(page) == ({}, "")
    page.locator("input[data-live-prefix]").fill("A girl  sees ")
    page.locator("input[data-live-temperature]").fill("0.7")
    page.locator("input[data-live-seed]").fill("5")
    query, _hash = state_in_address(page)
    assert query == {"live.prefix": "A girl  sees ", "live.temperature": "0.7", "live.seed": "5"}
    shown = live_state(page)
    assert shown["sample"] != default["sample"] and shown["probs"] != default["probs"]
    assert shown["sample"].endswith("(temperature 0.70, seed 5)")

    again = open_page(live_page, query=query_of(page), fresh=True)
    assert live_state(again) == shown                      # the same prediction, the same sample
    assert again.locator("[data-live-address]").is_hidden()
    # a seed being typed is not a seed: the address keeps the last one
    again.locator("input[data-live-seed]").fill("")
    assert state_in_address(again)[0]["live.seed"] == "5"
    assert_clean(page)
    assert_clean(again)


def test_a_live_model_value_it_does_not_have_is_ignored_and_said(open_page, live_page):
    default = live_state(open_page(live_page))
    asked = ["live.prefix=the+b%C3%A9", "live.temperature=9", "live.seed=-1", "live.colour=red"]
    page = open_page(live_page, query="&".join(asked))
    assert live_state(page) == default
    note = page.locator("[data-live-address]").inner_text()
    for text in ("live.prefix=the bé", "live.temperature=9", "live.seed=-1", "live.colour=red"):
        assert text in note
    # a temperature between the slider's steps is not one it can show either
    page = open_page(live_page, query="live.temperature=0.33&live.seed=2")
    assert page.locator("input[data-live-temperature]").input_value() == "1"
    assert page.locator("input[data-live-seed]").input_value() == "2"
    assert "live.temperature=0.33" in page.locator("[data-live-address]").inner_text()
    assert_clean(page)


# --- the unit picker ------------------------------------------------------------------

def test_the_unit_picked_and_the_network_travel_in_the_address(open_page, units_page, recorded):
    page = open_page(units_page)
    assert state_in_address(page) == ({}, "")
    best_units = set(recorded["best"].values())
    unit = next(u for u in range(1, recorded["hidden"] + 1) if u not in best_units)
    page.locator("select[data-units-unit]").select_option(str(unit))
    page.locator("input[data-units-network][value=untrained]").check()
    query, _hash = state_in_address(page)
    assert query == {"units.unit": str(unit), "units.network": "untrained"}
    shown = colours(page)

    again = open_page(units_page, query=query_of(page), fresh=True)
    assert shown_unit(again) == (unit, "untrained")
    assert colours(again) == shown
    assert again.locator("[data-units-address]").is_hidden()
    assert_clean(page)
    assert_clean(again)


def test_a_unit_picker_value_it_does_not_have_is_ignored_and_said(open_page, units_page, recorded):
    default = shown_unit(open_page(units_page))
    too_far = recorded["hidden"] + 1
    page = open_page(units_page, query=f"units.unit={too_far}&units.network=half-trained")
    assert shown_unit(page) == default
    note = page.locator("[data-units-address]").inner_text()
    assert f"units.unit={too_far}" in note and "units.network=half-trained" in note
    page = open_page(units_page, query="units.unit=0&units.network=untrained")
    assert shown_unit(page) == (default[0], "untrained")
    assert_clean(page)
