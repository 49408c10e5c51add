"""The hidden-unit picker in headless Chromium, from file://: choosing a unit
(from the list, by keyboard, by a fact's button) or the untrained network
recolours the validation excerpt by exactly that unit's recorded activations.

DOM contract (site_src/templates/_units.html + site_src/static/units.js):
  [data-units] (data-unit, data-network: what is shown), select[data-units-unit]
  (values "1".."H"), input[data-units-network] (trained / untrained),
  [data-units-best] > button[data-unit], [data-units-text] > span (one per
  character; background rgb(...) with alpha 0.75 |h|), [data-units-stats] > tr
"""
from __future__ import annotations

import json
import os
import re

import pytest
from browser_support import assert_clean, data_js

MAX_ALPHA = 0.75                               # as in units.js and units.css
POSITIVE, NEGATIVE = (184, 92, 30), (47, 98, 184)


@pytest.fixture(scope="session")
def units_page(site_dir) -> str:
    pages = sorted(p.relative_to(site_dir).as_posix() for p in (site_dir / "sections").glob("*.html")
                   if "data-units " in p.read_text(encoding="utf-8"))
    assert len(pages) == 1, f"expected one section with units: true, got {pages}"
    return pages[0]


@pytest.fixture(scope="session")
def recorded(request, site_dir) -> dict:
    """analysis.json["units"] of the run the site was built from (for a site given
    by $WALKTHROUGH_SITE, the copy in its data/units.js, in hundredths)."""
    if not os.environ.get("WALKTHROUGH_SITE"):
        _site, outcome = request.getfixturevalue("real_site")
        units = json.loads((outcome.run / "analysis.json").read_text(encoding="utf-8"))["units"]
        return {"text": units["excerpt"]["text"], "hidden": units["hidden_size"],
                "trained": units["excerpt"]["trained"], "untrained": units["excerpt"]["untrained"],
                "best": {units["features"][n]["label"]: units["features"][n]["best_unit"]
                         for n in units["feature_order"]}}
    data = data_js(site_dir, "units")
    return {"text": data["text"], "hidden": data["hiddenSize"],
            "trained": [[v / 100 for v in row] for row in data["trained"]],
            "untrained": [[v / 100 for v in row] for row in data["untrained"]],
            "best": {f["label"]: f["bestUnit"] for f in data["features"]}}


def colours(page) -> list[tuple[float, ...]]:
    """The computed background of every character of the excerpt, as (r, g, b, a)."""
    css = page.eval_on_selector_all("[data-units-text] > span",
                                    "(spans) => spans.map((s) => getComputedStyle(s).backgroundColor)")
    out = []
    for value in css:
        numbers = [float(n) for n in re.findall(r"[\d.]+", value)]
        out.append(tuple(numbers) if len(numbers) == 4 else (*numbers, 1.0))
    return out


def assert_coloured_by(page, activations: list[float]) -> None:
    shown = colours(page)
    assert len(shown) == len(activations)
    for t, ((r, g, b, a), h) in enumerate(zip(shown, activations, strict=True)):
        assert a == pytest.approx(MAX_ALPHA * abs(h), abs=0.006), (t, h, a)
        if abs(h) >= 0.01:
            assert (r, g, b) == (NEGATIVE if h < 0 else POSITIVE), (t, h, (r, g, b))


def shown_unit(page) -> tuple[int, str]:
    box = page.locator("[data-units]")
    return int(box.get_attribute("data-unit")), box.get_attribute("data-network")


def test_picking_a_unit_colours_the_text_by_its_recorded_activations(open_page, units_page,
                                                                    recorded):
    page = open_page(units_page)
    box = page.locator("[data-units]")
    assert box.is_visible()
    assert page.locator("[data-units-text]").inner_text() == recorded["text"]
    select = page.locator("select[data-units-unit]")
    assert select.locator("option").count() == recorded["hidden"]

    # the list: a unit that is nobody's best, then the last one
    best_units = set(recorded["best"].values())
    plain = next(u for u in range(1, recorded["hidden"] + 1) if u not in best_units)
    for unit in (plain, recorded["hidden"]):
        select.select_option(str(unit))
        assert shown_unit(page) == (unit, "trained")
        assert_coloured_by(page, recorded["trained"][unit - 1])

    # the keyboard: one step up the list
    select.focus()
    page.keyboard.press("ArrowUp")
    unit = recorded["hidden"] - 1
    assert shown_unit(page) == (unit, "trained")
    assert_coloured_by(page, recorded["trained"][unit - 1])

    # the control: the same unit before training
    page.locator("input[data-units-network][value=untrained]").check()
    assert shown_unit(page) == (unit, "untrained")
    assert_coloured_by(page, recorded["untrained"][unit - 1])
    page.locator("input[data-units-network][value=trained]").check()

    # a fact's button jumps to its best unit
    label, best = list(recorded["best"].items())[-1]
    page.locator("[data-units-best] button", has_text=label).click()
    assert select.input_value() == str(best) and shown_unit(page) == (best, "trained")
    assert_coloured_by(page, recorded["trained"][best - 1])
    assert page.locator("[data-units-best] button[aria-pressed=true]").count() >= 1
    assert page.locator("[data-units-stats] tr").count() == len(recorded["best"])
    assert_clean(page)


def test_without_javascript_the_picker_stays_hidden_and_the_charts_show(open_page, units_page):
    page = open_page(units_page, javascript=False)
    assert not page.locator("[data-units]").is_visible()
    for chart in ("unit-text", "unit-strength"):
        assert page.locator(f"#chart-{chart} svg").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_unit_picker(open_page, units_page, screenshot_dir, scheme):
    for width, name in ((1280, "units-picker"), (375, "units-picker-phone")):
        page = open_page(units_page, width=width, color_scheme=scheme)
        picker = page.locator("[data-units]")
        picker.scroll_into_view_if_needed()
        picker.screenshot(path=screenshot_dir / f"{name}-{scheme}.png")
        page.locator("#chart-unit-text").screenshot(
            path=screenshot_dir / f"units-chart{'-phone' if width < 1000 else ''}-{scheme}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_clean(page)
