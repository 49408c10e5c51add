"""The interactive reader in headless Chromium, from file://: the live model
computes what NumPy computes, the training scrubber redraws its panels, notes
and code lead to each other by mouse, keyboard and touch, search and the
keyboard shortcuts work offline, and print hides the controls.

DOM contracts (templates + site_src/static/*.js):
  scrubber   [data-scrubber] > input[type=range], output[data-scrubber-step] (the
             step number), [data-scrub-panel=<name>] > svg
  live model [data-live-model], input[data-live-prefix], [data-live-message], [data-live-probs],
             [data-live-hidden], input[data-live-temperature], input[data-live-seed],
             button[data-live-next-seed], [data-live-output];
             window.charrnnLive = {probs(prefix), normalise(text), sample(...), vocab, ...}
  notes      .note[data-first][data-last], code lines .line#L<n>, highlighted: .line.hl
"""
from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
from browser_support import assert_clean, data_js, settle

PREFIXES = ["t", "the ", "a boy eats the ", "the queen sees a dog the cat sleeps ",
            "wyyy qqq vk", "the " * 40]


# --- what the site holds ------------------------------------------------------

def pages_with(site_dir, marker: str) -> list[str]:
    return sorted(p.relative_to(site_dir).as_posix() for p in (site_dir / "sections").glob("*.html")
                  if marker in p.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def scrubber_pages(site_dir) -> list[str]:
    pages = pages_with(site_dir, "data-scrubber ")
    assert pages, "no section has a training scrubber (scrubber: [...] in its YAML)"
    return pages


@pytest.fixture(scope="session")
def live_page(site_dir) -> str:
    pages = pages_with(site_dir, "data-live-model ")
    assert len(pages) == 1, f"expected one section with live_model: true, got {pages}"
    return pages[0]


@pytest.fixture(scope="session")
def numpy_model(request, site_dir):
    """The trained model in NumPy: from the run's checkpoint (the built site), or, for
    a site given by $WALKTHROUGH_SITE, from its data/model.js."""
    from charrnn.data import Vocab
    from charrnn.model import CharRNN
    from runner.runfiles import load_checkpoint
    if not os.environ.get("WALKTHROUGH_SITE"):
        _site, outcome = request.getfixturevalue("real_site")
        return load_checkpoint(outcome.run)
    data = data_js(site_dir, "model")
    model = CharRNN(len(data["vocab"]), data["hiddenSize"], activation=data["activation"],
                    embedding_dim=data["embeddingDim"])
    for name, array in model.arrays.items():
        array[...] = np.array(data["params"][name])
    return model, Vocab(tuple(data["vocab"]))


# --- the live model -------------------------------------------------------------

def test_live_model_probabilities_equal_numpy(open_page, live_page, numpy_model):
    from charrnn.sample import warm_up
    model, vocab = numpy_model
    page = open_page(live_page)
    assert page.evaluate("window.charrnnLive.vocab") == list(vocab.chars)
    for prefix in PREFIXES:
        h, probs = warm_up(model, vocab, prefix)
        js = np.array(page.evaluate("(p) => window.charrnnLive.probs(p)", prefix))
        js_h = np.array(page.evaluate("(p) => window.charrnnLive.hidden(p)", prefix))
        assert js.shape == probs.shape == (len(vocab),)
        assert np.max(np.abs(js - probs)) < 1e-6, prefix
        assert np.max(np.abs(js_h - h)) < 1e-6, prefix
        assert abs(js.sum() - 1) < 1e-12
    # a character outside the vocabulary is an error in both, naming it and its position
    with pytest.raises(ValueError, match="'B' at position 4"):
        warm_up(model, vocab, "the Boy")
    error = page.evaluate("() => { try { window.charrnnLive.probs('the Boy') } "
                          "catch (e) { return e.message } }")
    assert '"B" at position 4' in error
    assert_clean(page)


def test_live_model_page_shows_probabilities_hidden_state_and_samples(open_page, live_page,
                                                                     numpy_model):
    from charrnn.sample import warm_up
    model, vocab = numpy_model
    page = open_page(live_page)
    box = page.locator("[data-live-model]")
    assert box.is_visible()
    prefix = page.locator("input[data-live-prefix]")
    prefix.fill("the boy eats the ")
    _h, probs = warm_up(model, vocab, "the boy eats the ")
    best = vocab.chars[int(np.argmax(probs))]
    first = page.locator("[data-live-probs] li").first.locator(".live-ch").inner_text()
    assert first == ("␣" if best == " " else best)
    assert page.locator("[data-live-hidden] svg rect").count() == model.hidden_size

    # a character the network never saw, even in lower case: named, with its
    # position in the text as typed, and nothing computed from it
    unknown = next(ch for ch in "xzjQ!?1é" if ch.lower() not in vocab.chars)
    prefix.fill(f"The  {unknown}oy")
    message = page.locator("[data-live-message]").inner_text()
    assert f"“{unknown}”" in message and "position 6" in message
    assert prefix.get_attribute("aria-invalid") == "true"
    assert page.locator("button[data-live-next-seed]").is_disabled()
    prefix.fill("the ")
    assert page.locator("[data-live-message]").inner_text() == ""
    assert prefix.get_attribute("aria-invalid") is None
    assert_clean(page)


def shown_distribution(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "[data-live-probs] li", "(items) => items.map((li) => "
        "[li.querySelector('.live-ch').textContent, li.querySelector('.live-p').textContent])")


def test_live_model_reads_capitals_and_spaces_as_the_loader_does(open_page, live_page,
                                                                numpy_model):
    """charrnn's loader lower-cases the corpus and makes every run of whitespace one
    space, so "The dog " is a text the network knows: it must read it as "the dog "."""
    from charrnn.data import normalise
    from charrnn.sample import warm_up
    model, vocab = numpy_model
    page = open_page(live_page)
    prefix = page.locator("input[data-live-prefix]")
    prefix.fill("the dog ")
    assert page.locator("[data-live-message]").inner_text() == ""
    plain = shown_distribution(page)
    for typed in ("The dog ", "THE  Dog\t", "the   dog "):
        prefix.fill(typed)
        assert shown_distribution(page) == plain, typed
        assert "“the dog ”" in page.locator("[data-live-message]").inner_text()
        assert prefix.get_attribute("aria-invalid") is None
        assert page.locator("[data-live-output] .live-given").inner_text() == "the dog "
    _h, probs = warm_up(model, vocab, "the dog ")
    js = np.array(page.evaluate("() => window.charrnnLive.probs("
                                "window.charrnnLive.normalise('The  Dog ')) "))
    assert np.max(np.abs(js - probs)) < 1e-6
    # the same rule as the loader's (which also trims the ends: a prefix keeps them)
    for text in ("The Dog", "A  BOY\n\tsleeps", "x", "Ünïcode  Ä", "the\u00a0cat"):
        assert page.evaluate("(t) => window.charrnnLive.normalise(t)", text).strip() \
            == normalise(text), repr(text)
    assert_clean(page)


def test_live_model_seed_box_always_shows_the_seed_of_the_sample(open_page, live_page):
    page = open_page(live_page)
    prefix = page.locator("input[data-live-prefix]")
    seed = page.locator("input[data-live-seed]")
    output = page.locator("[data-live-output]")
    next_seed = page.locator("button[data-live-next-seed]")

    def expected(text: str, temperature: float, s: int) -> str:
        written = page.evaluate("([t, k, s]) => window.charrnnLive.sample(t, 160, k, s)",
                                [text, temperature, s])
        return f"{text}{written} (temperature {temperature:.2f}, seed {s})"

    prefix.fill("the ")
    page.locator("input[data-live-temperature]").fill("0.5")
    assert page.locator("[data-live-temperature-value]").inner_text() == "0.50"
    seed.fill("7")
    assert output.inner_text() == expected("the ", 0.5, 7)      # shown at once, seed 7
    assert seed.input_value() == "7"
    next_seed.click()
    assert seed.input_value() == "8"
    assert output.inner_text() == expected("the ", 0.5, 8)
    seed.fill("7")                                               # the same seed, the same text
    assert output.inner_text() == expected("the ", 0.5, 7)
    prefix.fill("A girl ")                                       # read as the network reads it
    assert output.inner_text() == expected("a girl ", 0.5, 7)
    assert seed.input_value() == "7"

    # a box that holds no seed: the old sample is marked stale, and leaving the
    # box makes it a seed again, the one the sample then shows
    seed.fill("-3")
    assert seed.get_attribute("aria-invalid") == "true"
    assert "live-stale-sample" in output.get_attribute("class")
    seed.dispatch_event("change")
    assert seed.input_value() == "0"
    assert seed.get_attribute("aria-invalid") is None
    assert output.inner_text() == expected("a girl ", 0.5, 0)
    assert_clean(page)


# --- the training scrubber -------------------------------------------------------

def panel_state(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "[data-scrub-panel]",
        "(panels) => Object.fromEntries(panels.map((p) => [p.dataset.scrubPanel, "
        "p.querySelector('svg').innerHTML]))")


def test_the_scrubber_moves_through_the_steps_and_redraws_every_panel(open_page,
                                                                     scrubber_pages,
                                                                     site_dir):
    data = None
    for rel in scrubber_pages:
        page = open_page(rel)
        scrubber = page.locator("[data-scrubber]")
        assert scrubber.is_visible()
        if data is None:
            data = page.evaluate("window.charrnnSnapshots.steps")
        step = page.locator("output[data-scrubber-step]")
        assert step.inner_text() == str(data[-1])                 # starts at the final step
        last = panel_state(page)
        assert last and all("<" in svg for svg in last.values()), rel

        slider = page.locator("[data-scrubber] input[type=range]")
        slider.focus()
        page.keyboard.press("Home")                                 # keyboard alone
        assert step.inner_text() == str(data[0])
        first = panel_state(page)
        changed = [name for name in first if first[name] != last[name]]
        assert changed == list(first), f"{rel}: panels that did not change: " \
            f"{sorted(set(first) - set(changed))}"
        page.keyboard.press("ArrowRight")
        assert step.inner_text() == str(data[1])
        page.keyboard.press("End")
        assert step.inner_text() == str(data[-1]) and panel_state(page) == last
        assert "step" in slider.get_attribute("aria-valuetext")
        assert_clean(page)


def test_the_scrubber_plays(open_page, scrubber_pages):
    page = open_page(scrubber_pages[0])
    steps = page.evaluate("window.charrnnSnapshots.steps")
    page.locator("[data-scrubber-play]").click()                   # from the end: restarts
    page.wait_for_timeout(900)
    shown = int(page.locator("output[data-scrubber-step]").inner_text())
    assert steps[0] < shown < steps[-1] or len(steps) <= 3
    page.locator("[data-scrubber-play]").click()                   # pause
    assert page.locator("[data-scrubber-play]").get_attribute("aria-pressed") == "false"
    assert_clean(page)


def test_without_javascript_the_page_shows_the_final_step_statically(open_page, scrubber_pages,
                                                                    live_page):
    for rel in (scrubber_pages[0], live_page):
        page = open_page(rel, javascript=False)
        assert not page.locator("[data-scrubber], [data-live-model]").first.is_visible()
        assert not page.locator("form.search").is_visible()
        assert page.locator("#charts svg").first.is_visible()       # the static charts


# --- notes and code, both ways ----------------------------------------------------

def notes_of(page) -> list[dict]:
    return page.eval_on_selector_all(
        ".note", "(notes) => notes.map((n) => ({id: n.id, first: +n.dataset.first, "
        "last: +n.dataset.last}))")


def narrowest(notes: list[dict], line: int) -> str:
    covering = [n for n in notes if n["first"] <= line <= n["last"]]
    return min(covering, key=lambda n: n["last"] - n["first"])["id"]


def active_note(page) -> str | None:
    return page.evaluate("document.activeElement?.closest('.note')?.id ?? null")


def highlighted(page) -> list[str]:
    return page.eval_on_selector_all(".line.hl", "(lines) => lines.map((l) => l.id)")


BPTT = "sections/backpropagation-through-time.html"


def some_section_with_notes(site_dir) -> str:
    if (site_dir / BPTT).is_file():
        return BPTT
    return pages_with(site_dir, 'class="note"')[0]


def test_hovering_a_note_highlights_exactly_its_lines(open_page, site_dir):
    page = open_page(some_section_with_notes(site_dir))
    for note in notes_of(page)[:4]:
        page.locator(f"#{note['id']}").hover()
        assert highlighted(page) == [f"L{n}" for n in range(note["first"], note["last"] + 1)]
    assert_clean(page)


def test_clicking_a_code_line_focuses_its_note(open_page, site_dir):
    page = open_page(some_section_with_notes(site_dir))
    notes = notes_of(page)
    for note in (notes[0], notes[-1]):
        line = note["last"]                       # not the first line: any noted line leads back
        page.locator(f"#L{line}").click()
        expected = narrowest(notes, line)
        assert active_note(page) == expected
        assert page.locator(f"#{expected}").evaluate("(n) => n.classList.contains('active')")
        box = page.locator(f"#{expected}").bounding_box()
        assert 0 <= box["y"] < 900
        assert f"L{line}" in highlighted(page)
    assert_clean(page)


def test_keyboard_enter_on_a_code_line_focuses_its_note(open_page, site_dir):
    page = open_page(some_section_with_notes(site_dir))
    notes = notes_of(page)
    target = notes[len(notes) // 2]
    page.locator(f"#{target['id']}").scroll_into_view_if_needed()
    # keyboard only: Tab until the focus is on a code line, then on this note's first line
    page.evaluate("document.activeElement?.blur()")
    for _ in range(600):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.id") == f"L{target['first']}":
            break
    else:
        pytest.fail(f"Tab never reached line {target['first']}")
    assert f"L{target['first']}" in highlighted(page)       # focusing the line lights its note
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"                                 # a visible focus ring
    page.keyboard.press("Enter")
    assert active_note(page) == narrowest(notes, target["first"])
    assert highlighted(page) == [f"L{n}" for n in range(target["first"], target["last"] + 1)]
    assert_clean(page)


def test_touch_tap_on_a_note_and_on_a_line(new_context, site_dir):
    from browser_support import site_url
    _context, page = new_context(width=390, height=844, has_touch=True, is_mobile=True)
    page.goto(site_url(site_dir, some_section_with_notes(site_dir)))
    settle(page)
    notes = notes_of(page)
    note = notes[1] if len(notes) > 1 else notes[0]
    page.locator(f"#{note['id']}").tap()
    assert highlighted(page) == [f"L{n}" for n in range(note["first"], note["last"] + 1)]
    page.locator(f"#L{notes[0]['last']}").tap()
    assert active_note(page) == narrowest(notes, notes[0]["last"])
    assert_clean(page)


# --- search, keys, print -----------------------------------------------------------

def test_search_finds_sections_and_notes_offline(open_page, site_dir):
    page = open_page("index.html")
    page.keyboard.press("/")
    box = page.locator("#search-input")
    assert page.evaluate("document.activeElement.id") == "search-input"
    box.type("Softmax")
    results = page.locator("#search-results a")
    results.first.wait_for()
    hrefs = results.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert hrefs[0] == "sections/output-and-softmax.html", hrefs       # the title wins
    assert any(h.startswith("sections/output-and-softmax.html#") for h in hrefs), \
        "no annotation among the results"
    assert page.locator("#search-results mark").first.inner_text().lower() == "softmax"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[0]
    page.keyboard.press("Escape")
    assert page.locator("#search-results").is_hidden()
    box.fill("zzzzqqqq")
    assert "Nothing found" in page.locator("#search-results").inner_text()
    box.fill("backpropagation through")                          # every word must occur
    results.first.wait_for()
    with page.expect_navigation():
        page.keyboard.press("Enter")                              # Enter: the first result
    assert page.url.startswith("file://") and "/sections/" in page.url
    assert_clean(page)


def test_keyboard_shortcuts(open_page, site_dir, scrubber_pages):
    rel = scrubber_pages[0]
    page = open_page(rel)
    # "?" lists the keys, Escape closes the list
    page.keyboard.press("?")
    dialog = page.locator("#keys-help")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # "t" switches the theme
    before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.keyboard.press("t")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != before
    # keys typed into an input are the reader's, not shortcuts
    page.locator("#search-input").focus()
    page.keyboard.type("tn")
    assert page.locator("#search-input").input_value() == "tn"
    page.locator("#search-input").press("Escape")
    page.locator("#search-input").press("Escape")
    # "n" follows rel=next
    expected = page.evaluate("document.querySelector('link[rel=next]')?.href")
    page.evaluate("document.activeElement?.blur()")
    with page.expect_navigation(url=expected):   # not a view writing its state in the address
        page.keyboard.press("n")
    assert page.url == expected
    assert_clean(page)


def test_j_and_k_move_between_notes_in_the_order_of_the_code(open_page, site_dir):
    page = open_page(some_section_with_notes(site_dir))
    ids = [note["id"] for note in notes_of(page)]
    assert len(ids) >= 3
    page.evaluate("scrollTo(0, 0)")
    seen = []
    for _ in ids:
        page.keyboard.press("j")
        seen.append(active_note(page))
    assert seen == ids
    page.keyboard.press("k")
    assert active_note(page) == ids[-2]
    assert highlighted(page) == [f"L{n}" for n in range(notes_of(page)[-2]["first"],
                                                         notes_of(page)[-2]["last"] + 1)]
    assert_clean(page)


def test_print_hides_the_controls_and_keeps_code_and_notes(open_page, scrubber_pages):
    page = open_page(scrubber_pages[0])
    page.emulate_media(media="print")
    for hidden in ("form.search", "[data-scrubber]", ".pager", ".theme-toggle"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator(".note").first.is_visible()
    assert page.locator(".line").first.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.code')).whiteSpace") \
        == "pre-wrap"
    page.emulate_media(media="screen")   # Chromium can carry the emulation to the next page


# --- weight --------------------------------------------------------------------------

def test_pages_and_their_data_stay_small(site_dir):
    shared = {"static/" + p.name for p in (site_dir / "static").iterdir()}
    total = sum(p.stat().st_size for p in site_dir.rglob("*") if p.is_file())
    assert total < 5_000_000, f"the site is {total:,} bytes"
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # what the page loads as it opens (data-src: a run the switcher loads on demand)
        own = [(page.parent / src).resolve()
               for src in re.findall(r'(?<![-\w])src="([^"]+)"', html)]
        own = [p for p in own if p.relative_to(site_dir.resolve()).as_posix() not in shared]
        weight = page.stat().st_size + sum(p.stat().st_size for p in own)
        assert weight < 400_000, f"{page.name}: {weight:,} bytes with its data"
    assert (site_dir / "data" / "snapshots.js").stat().st_size < 300_000


# --- screenshots -----------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_scrubber_at_two_steps_and_the_live_model(open_page, screenshot_dir,
                                                                    scrubber_pages, live_page,
                                                                    scheme):
    rel = next((p for p in scrubber_pages if "eigenvalue" in p), scrubber_pages[0])
    page = open_page(rel, color_scheme=scheme)
    scrubber = page.locator("[data-scrubber]")
    scrubber.scroll_into_view_if_needed()
    scrubber.screenshot(path=screenshot_dir / f"scrubber-final-step-{scheme}.png")
    slider = page.locator("[data-scrubber] input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(max(1, int(slider.get_attribute("max")) // 4)):
        page.keyboard.press("ArrowRight")
    scrubber.screenshot(path=screenshot_dir / f"scrubber-early-step-{scheme}.png")
    assert_clean(page)

    page = open_page(live_page, color_scheme=scheme)
    page.locator("input[data-live-prefix]").fill("The dog ")
    page.locator("[data-live-model]").screenshot(path=screenshot_dir / f"live-model-{scheme}.png")
    assert_clean(page)


def test_the_run_switcher_redraws_the_panels_from_another_run(open_page, scrubber_pages, site_dir):
    """Switching to an experiment's run loads its data file on demand and draws
    every panel from it, at the same step; switching back restores the walked run."""
    runs = sorted(p.stem for p in (site_dir / "data" / "runs").glob("*.js"))
    assert {"clip-1", "init-random"} <= set(runs)     # the init and clip variants at least
    rel = next(r for r in scrubber_pages if "eigenvalue" in r)
    page = open_page(rel)
    select = page.locator("[data-scrubber-run]")
    assert sorted(select.locator("option[value]:not([value=''])").evaluate_all(
        "(options) => options.map((o) => o.value)")) == runs
    walked = panel_state(page)
    for name in runs:
        select.select_option(name)
        page.wait_for_function(f"(window.charrnnRuns || {{}})[{json.dumps(name)}] !== undefined")
        page.wait_for_function("!document.querySelector('[data-scrubber-run-status]').textContent")
        data = page.evaluate(f"window.charrnnRuns[{json.dumps(name)}]")
        shown = panel_state(page)
        assert shown != walked, name
        # the radius panel's heading names the other run's radius at the shown step
        step = int(page.locator("output[data-scrubber-step]").inner_text())
        i = data["steps"].index(step)
        heading = page.locator("[data-scrub-panel='spectral-radius'] svg").inner_html()
        drawn = float(re.search(r"ρ = ([\d.]+)", heading).group(1))
        assert abs(drawn - data["radius"][i]) <= 0.0011, name
    select.select_option("")
    assert panel_state(page) == walked
    assert_clean(page)
