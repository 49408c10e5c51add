"""Screenshots for a person to look at, written to screenshot_dir (the run's
summary names the folder): the overview, the BPTT section and the text-generation
section (the live model), light and dark, whole pages at 1280 px and on a phone
at 375 px; the BPTT code with a note hovered, on a desk and on a phone; and the
BPTT section's training scrubber at its first and last recorded step.
(test_interactive.py adds the eigenvalue section's scrubber and the live model.)"""
from __future__ import annotations

import pytest
from browser_support import assert_clean, expected_pages, settle

PAGES = expected_pages()
BPTT = next((p for p in PAGES if "backpropagation" in p), PAGES[-1])
GENERATION = next((p for p in PAGES if "text-generation" in p), PAGES[-1])
WIDTHS = {"": (1280, 900), "-phone": (375, 812)}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_overview_and_the_bptt_section(open_page, screenshot_dir, scheme):
    for name, rel in (("overview", "index.html"), ("bptt", BPTT), ("generation", GENERATION)):
        for suffix, (width, height) in WIDTHS.items():
            page = open_page(rel, width=width, height=height, color_scheme=scheme)
            page.screenshot(path=screenshot_dir / f"{name}{suffix}-{scheme}.png", full_page=True)
            assert_clean(page)
            if name == "bptt" and page.locator(".note").count():
                # the annotated code, one note hovered (tapped on a phone): its lines lit
                note = page.locator(".note").nth(min(2, page.locator(".note").count() - 1))
                note.scroll_into_view_if_needed()
                page.evaluate("(y) => scrollBy(0, y)", note.bounding_box()["y"] - 120)
                note.hover()
                page.screenshot(path=screenshot_dir / f"bptt-code{suffix}-{scheme}.png")
                assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_bptt_scrubber_at_two_steps(open_page, screenshot_dir, scheme):
    page = open_page(BPTT, color_scheme=scheme)
    scrubber = page.locator("[data-scrubber]")
    if scrubber.count() == 0:
        pytest.skip(f"{BPTT} has no training scrubber")
    slider = scrubber.locator("input[type=range]").first
    step = scrubber.locator("output[data-scrubber-step]").first
    scrubber.first.scroll_into_view_if_needed()
    shown = {}
    for key, end in (("Home", "first"), ("End", "last")):
        slider.focus()
        page.keyboard.press(key)
        settle(page)
        shown[end] = step.text_content() if step.count() else ""
        scrubber.first.screenshot(path=screenshot_dir / f"bptt-scrubber-{end}-step-{scheme}.png")
    assert shown["first"] != shown["last"], shown
    assert_clean(page)
