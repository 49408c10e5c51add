"""Every page of the real site in headless Chromium, opened from file:// as a
reader opens it from disk: it loads with no error and fetches nothing from
outside, both themes render, a phone never scrolls sideways, and a note lights
up the lines it explains by mouse and by keyboard."""
from __future__ import annotations

import re

import pytest
from browser_support import assert_clean, expected_pages, recorder, settle

PAGES = expected_pages()
SECTIONS = [p for p in PAGES if p != "index.html"]

# The contract between _code.html, notes.js and these tests.
NOTE = ".note"
HIGHLIGHTED = ".line.hl"
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"


def test_the_build_wrote_every_page(site_pages):
    assert set(site_pages) == set(PAGES)


@pytest.mark.parametrize("rel", PAGES)
def test_page_loads_from_disk_with_no_error_and_no_request_outside(open_page, rel):
    page = open_page(rel)
    assert page.title().strip()
    assert page.locator("main h1").count() == 1
    assert_clean(page)


@pytest.mark.parametrize("rel", PAGES)
def test_page_has_no_horizontal_scroll_on_a_phone(open_page, rel):
    page = open_page(rel, width=375, height=800)
    assert page.evaluate("innerWidth") == 375
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{rel} is {width} px wide at 375 px: {widest(page)}"
    assert_clean(page)


def widest(page) -> str:
    """The elements that stick out past the right edge, for the failure message."""
    return page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
        .filter((e) => !e.parentElement.closest("svg"))
        .slice(0, 8)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}` +
                    `${e.classList.length ? "." + [...e.classList].join(".") : ""}` +
                    ` (right edge ${Math.round(e.getBoundingClientRect().right)})`)
        .join(", ")""")


@pytest.mark.parametrize("rel", PAGES)
def test_page_follows_the_system_theme(open_page, rel):
    light = open_page(rel, color_scheme="light")
    dark = open_page(rel, color_scheme="dark")
    light_bg, dark_bg = light.evaluate(BACKGROUND), dark.evaluate(BACKGROUND)
    assert light_bg != dark_bg
    assert luminance(light_bg) > 0.5 > luminance(dark_bg), (light_bg, dark_bg)
    assert_clean(light)
    assert_clean(dark)


def luminance(css: str) -> float:
    """Rough relative brightness of a computed 'rgb(r, g, b)' colour, 0 to 1."""
    inside = css[css.index("(") + 1:css.index(")")].replace("/", " ").replace(",", " ")
    r, g, b = (float(v) for v in inside.split()[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_theme_toggle_switches_and_the_pick_follows_to_the_next_page(open_page):
    page = open_page("index.html", color_scheme="light", fresh=True)
    toggle = page.locator(".theme-toggle")
    assert toggle.is_visible()
    before = page.evaluate(BACKGROUND)
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    after = page.evaluate(BACKGROUND)
    assert after != before and luminance(after) < 0.5
    page.locator(".section-list a").first.click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(BACKGROUND) == after
    toggle = page.locator(".theme-toggle")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate(BACKGROUND) == before
    assert_clean(page)


def lines_of(note) -> list[str]:
    first, last = int(note.get_attribute("data-first")), int(note.get_attribute("data-last"))
    return [f"L{n}" for n in range(first, last + 1)]


def highlighted(page) -> list[str]:
    return page.eval_on_selector_all(HIGHLIGHTED, "(lines) => lines.map((l) => l.id)")


@pytest.mark.parametrize("rel", SECTIONS)
def test_a_note_highlights_its_lines_on_hover_and_on_keyboard_focus(open_page, rel):
    page = open_page(rel)
    notes = page.locator(NOTE)
    if notes.count() == 0:
        return   # a section without notes (prose only) has nothing to link
    assert highlighted(page) == []
    for note in (notes.first, notes.last):
        note.scroll_into_view_if_needed()
        note.hover()
        assert highlighted(page) == lines_of(note), "hover"
        page.mouse.move(1, 1)
        settle(page)
        assert highlighted(page) == [], "mouse left the note"

    # keyboard only: Tab from the top of the page until the focus is in a note
    page.evaluate("document.activeElement?.blur()")
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate(f"!!document.activeElement?.closest('{NOTE}')"):
            break
    else:
        pytest.fail("Tab never reached a note")
    note = notes.first
    assert page.evaluate(f"document.activeElement.closest('{NOTE}').id") == note.get_attribute("id")
    assert highlighted(page) == lines_of(note), "keyboard focus"
    assert_clean(page)


@pytest.mark.parametrize("rel", SECTIONS)
def test_a_note_permalink_highlights_its_lines(open_page, site_dir, rel):
    ids = re.findall(r'<aside class="note[^"]*" id="([^"]+)"',
                     (site_dir / rel).read_text(encoding="utf-8"))
    if not ids:
        return
    note_id = ids[len(ids) // 2]
    page = open_page(rel, hash=note_id)
    note = page.locator(f"#{note_id}")
    assert highlighted(page) == lines_of(note)
    assert note.is_visible() and note.bounding_box()["y"] < 900
    assert_clean(page)


def test_the_harness_sees_errors_and_blocks_requests_leaving_the_site(page, tmp_path):
    """The checks above are only as good as the recorder: prove it catches each
    kind of problem on a page made to have them all."""
    (tmp_path / "bad.html").write_text(
        "<!doctype html><title>bad</title><main><h1>bad</h1></main>"
        '<link rel="stylesheet" href="missing.css">'
        '<img alt="" src="https://cdn.example.invalid/x.png">'
        "<script>console.error('logged'); undefinedFunction();</script>")
    page.goto((tmp_path / "bad.html").as_uri(), wait_until="load")
    settle(page)
    seen = recorder(page)
    assert any("logged" in m for m in seen.console_errors)
    assert any("undefinedFunction" in m for m in seen.page_errors)
    assert any("missing.css" in m for m in seen.failed_requests)
    assert seen.external_requests == ["https://cdn.example.invalid/x.png"]
    with pytest.raises(AssertionError, match="request leaving the site"):
        assert_clean(page)
