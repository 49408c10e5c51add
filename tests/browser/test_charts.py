"""Charts a reader can read, in headless Chromium: every text of every chart at a
readable size on a wide screen and on a phone, the static charts and the
scrubber's panels alike; a scrubber in the place of its static twin; panel
labels that never sit on each other or on the data; the eigenvalue count with
its tolerance; the weight matrices drawn from the exported codes.

The size of a text on screen is its font size times the scale its SVG is drawn
at (a chart drawn 700 px wide and shown 350 px wide halves it): the height of
its em box in CSS pixels, whatever the rotation.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re

import numpy as np
import pytest
from browser_support import assert_clean, expected_pages, settle
from PIL import Image

from walkthrough.charts.heat import LEVELS, shade_codes
from walkthrough.charts.style import outside_unit_circle

PAGES = expected_pages()
SMALLEST = {1280: 11.0, 375: 10.0}     # CSS px, from the issue

# Every visible, non-empty <text> in an SVG of the page, with its size on screen.
TEXT_SIZES = """() => [...document.querySelectorAll("svg text")]
  .filter((t) => t.textContent.trim() &&
                 t.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }))
  .map((t) => {
    const m = t.getScreenCTM();
    const where = t.closest("[data-scrub-panel]")?.dataset.scrubPanel ??
                  t.closest(".chart")?.id ?? "svg";
    return { where, text: t.textContent.trim().slice(0, 30),
             size: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) };
  })"""


def small_texts(page, width: int) -> list[str]:
    texts = page.evaluate(TEXT_SIZES)
    assert texts or "<svg" not in page.content(), "no text measured on a page with charts"
    return sorted({f"{t['where']}: {t['text']!r} at {t['size']:.1f} px"
                   for t in texts if t["size"] < SMALLEST[width] - 0.01})


@pytest.mark.parametrize("rel", PAGES)
@pytest.mark.parametrize("width", sorted(SMALLEST))
def test_every_chart_text_is_readable(open_page, rel, width):
    """Scripts on: the scrubber's panels and the charts they leave visible; off:
    every static chart, the twins included."""
    for javascript in (True, False):
        page = open_page(rel, width=width, height=900, javascript=javascript)
        small = small_texts(page, width)
        assert not small, (f"{rel} at {width} px ({'with' if javascript else 'without'} "
                           f"JavaScript): {len(small)} texts below {SMALLEST[width]} px:\n  "
                           + "\n  ".join(small[:15]))
        if javascript:
            assert_clean(page)


# --- the scrubber in the place of its twins ----------------------------------------

def pages_with(site_dir, marker: str) -> list[str]:
    return sorted(p.relative_to(site_dir).as_posix() for p in (site_dir / "sections").glob("*.html")
                  if marker in p.read_text(encoding="utf-8"))


def test_the_scrubber_replaces_its_static_twins(open_page, site_dir):
    pages = pages_with(site_dir, "data-scrub-twin=")
    assert pages, "no page has a static chart with a scrubber twin"
    for rel in pages:
        page = open_page(rel)
        twins = page.eval_on_selector_all("[data-scrub-twin]", "(f) => f.map((e) => e.id)")
        for twin in twins:
            panel = page.locator(f"#{twin}").get_attribute("data-scrub-twin")
            assert page.locator(f'[data-scrub-panel="{panel}"] svg').is_visible(), (rel, panel)
            assert not page.locator(f"#{twin}").is_visible(), f"{rel}: {twin} is shown twice"
        assert_clean(page)
        static = open_page(rel, javascript=False)
        for twin in twins:
            assert static.locator(f"#{twin} svg").first.is_visible(), f"{rel}: no fallback {twin}"


# --- panel labels in their own space -------------------------------------------------

# Within each panel: texts that overlap each other, texts over a dot or a marker,
# texts that a circle of the eigenvalue plane runs through, texts cut off at the
# edge. The characters that label the points of the trajectory are data, not
# labels, and are left out.
COLLISIONS = """(panel) => {
  const svg = panel.querySelector("svg"), frame = svg.getBoundingClientRect();
  const box = (e) => { const r = e.getBoundingClientRect();
    return { l: r.left + 1, r: r.right - 1, t: r.top + 1, b: r.bottom - 1, e }; };
  const name = (b) => `"${b.e.textContent.trim()}"`;
  const hit = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
  const texts = [...svg.querySelectorAll("text")]
    .filter((t) => t.textContent.trim() && !t.classList.contains("point-label")).map(box);
  const found = [];
  texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
    if (hit(a, b)) found.push(`${name(a)} on ${name(b)}`); }));
  for (const d of [...svg.querySelectorAll("circle.dot, circle.marker")].map(box)) {
    for (const a of texts) if (hit(a, d)) found.push(`${name(a)} on a dot`);
  }
  for (const ring of svg.querySelectorAll("circle.ring, circle.ring-rho")) {
    const r = ring.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    for (const a of texts) {
      const dx = Math.max(a.l - cx, 0, cx - a.r), dy = Math.max(a.t - cy, 0, cy - a.b);
      const far = Math.hypot(Math.max(Math.abs(a.l - cx), Math.abs(a.r - cx)),
                             Math.max(Math.abs(a.t - cy), Math.abs(a.b - cy)));
      if (Math.hypot(dx, dy) < r.width / 2 && r.width / 2 < far) found.push(`${name(a)} on a circle`);
    }
  }
  for (const a of texts) {
    if (a.l < frame.left - 1 || a.r > frame.right + 1 || a.t < frame.top - 1 || a.b > frame.bottom + 1)
      found.push(`${name(a)} cut off`);
  }
  return found;
}"""


@pytest.mark.parametrize("width", sorted(SMALLEST))
def test_panel_labels_never_sit_on_each_other_or_on_the_data(open_page, site_dir, width):
    pages = pages_with(site_dir, "data-scrubber ")
    for rel in pages:
        page = open_page(rel, width=width)
        slider = page.locator("[data-scrubber] input[type=range]")
        last = int(slider.get_attribute("max"))
        for key, presses in (("Home", 0), ("ArrowRight", last // 2), ("End", 0)):
            slider.focus()
            page.keyboard.press("Home" if key == "ArrowRight" else key)
            for _ in range(presses):
                page.keyboard.press("ArrowRight")
            step = page.locator("output[data-scrubber-step]").inner_text()
            for panel in page.locator("[data-scrub-panel]").all():
                found = panel.evaluate(COLLISIONS)
                name = panel.get_attribute("data-scrub-panel")
                assert not found, f"{rel}, {name} at step {step}, {width} px: {found[:6]}"
        assert_clean(page)


# --- the numbers the panels draw ------------------------------------------------------

@pytest.fixture(scope="session")
def run_dir(request, site_dir):
    """The run the site was built from, when the suite built it."""
    if os.environ.get("WALKTHROUGH_SITE"):
        return None
    _site, outcome = request.getfixturevalue("real_site")
    return outcome.run


def test_eigenvalues_outside_the_unit_circle_are_counted_with_a_margin(open_page, site_dir,
                                                                      run_dir):
    rel = next(p for p in pages_with(site_dir, 'data-scrub-panel="eigenvalues"'))
    page = open_page(rel)
    data = page.evaluate("({ steps: charrnnSnapshots.steps, outside: charrnnSnapshots.outside })")
    if run_dir is not None:
        with np.load(run_dir / "snapshots.npz") as s:
            expected = outside_unit_circle(s["eigenvalues"]).sum(axis=1).tolist()
            orthogonal = json.loads((run_dir / "config.json").read_text())["init"] == "orthogonal"
        assert data["outside"] == expected
        if orthogonal:      # every eigenvalue of the initial matrix is on the circle
            assert expected[0] == 0
    slider = page.locator("[data-scrubber] input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    panel = page.locator('[data-scrub-panel="eigenvalues"]')
    for i, outside in enumerate(data["outside"]):
        if i:
            page.keyboard.press("ArrowRight")
        header = panel.locator("text").nth(1).text_content()
        assert re.match(rf"{outside} of \d+ eigenvalues outside", header), (i, header)
        assert panel.locator("circle.dot.orange:not(.key)").count() == outside, i
    assert_clean(page)


def test_the_weights_panel_draws_the_recorded_weights(open_page, site_dir, run_dir):
    pages = pages_with(site_dir, 'data-scrub-panel="weights"')
    assert pages, "no section has the weights panel"
    page = open_page(pages[0])
    slider = page.locator("[data-scrubber] input[type=range]")
    slider.focus()
    page.keyboard.press("Home")
    step = int(page.locator("output[data-scrubber-step]").inner_text())
    panel = page.locator('[data-scrub-panel="weights"]')
    assert f"recorded at step {step:,}" in panel.locator("text").first.text_content()
    images = panel.locator("image").evaluate_all("(i) => i.map((e) => e.getAttribute('href'))")
    assert len(images) == 3
    if run_dir is None:
        pytest.skip("the recorded weights are not at hand for a site built elsewhere")
    with np.load(run_dir / "weights.npz") as w:
        assert int(w["step"][0]) == step
        for url, name in zip(images, ("W_xh", "W_hh", "W_hy"), strict=True):
            png = io.BytesIO(base64.b64decode(url.split(",", 1)[1]))
            drawn = np.array(Image.open(png).convert("RGBA")).astype(int)
            codes, _ = shade_codes(w[name][0])
            assert drawn.shape[:2] == codes.shape, name
            assert np.array_equal(drawn[..., 3], np.rint(255 * np.abs(codes.astype(int)) / LEVELS)), name
            blue = drawn[..., 2] > drawn[..., 0]          # blue below zero, orange above
            assert np.array_equal(blue[codes != 0], codes[codes != 0] < 0), name
    assert_clean(page)


# --- screenshots ------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(SMALLEST))
def test_screenshots_of_the_new_charts(open_page, site_dir, screenshot_dir, scheme, width):
    """The weights panel, the eigenvalue panel and the word-position chart, for a
    person to look at."""
    weights = pages_with(site_dir, 'data-scrub-panel="weights"')
    eigen = pages_with(site_dir, 'data-scrub-panel="eigenvalues"')
    words = pages_with(site_dir, 'id="chart-word-position"')
    shots = [(weights, '[data-scrub-panel="weights"]', "weights-panel"),
             (eigen[-1:], '[data-scrub-panel="eigenvalues"]', "eigenvalues-panel"),
             (words, "#chart-word-position", "word-position-chart")]
    for pages, selector, name in shots:
        if not pages:
            continue
        page = open_page(pages[0], width=width, color_scheme=scheme)
        target = page.locator(selector)
        target.scroll_into_view_if_needed()
        settle(page)
        target.screenshot(path=screenshot_dir / f"{name}-{width}-{scheme}.png")
        assert_clean(page)
