"""The browser suite: the real site, built once per session, driven in Debian's
headless Chromium through Playwright (which never downloads a browser here).

Fixtures (helpers such as assert_clean and recorder are in browser_support.py):

    site_dir           session: Path of the built site (the real sections, a short
                       run: tests/conftest.py's `real_site`), or $WALKTHROUGH_SITE
                       when set, to test a site built elsewhere.
    site_pages         session: every page the build wrote, relative to site_dir,
                       "index.html" first, then "sections/<id>.html".
    browser            session: Playwright's Chromium, Debian's /usr/bin/chromium.
    new_context        function: new_context(width=1280, height=900,
                       color_scheme="light", **context_options) -> (context, page):
                       a fresh context with one watched page; closed after the test.
    page               function: a blank watched page, 1280x900, light;
                       page.goto(site_url(site_dir, rel)) yourself.
    open_page          function: open_page(rel_path="index.html", width=1280,
                       height=900, color_scheme="light", hash="", javascript=True,
                       fresh=False, query="") -> a watched page loaded from file://. Pages are
                       pooled per settings across the session (storage cleared and
                       recorder reset on reuse); fresh=True gives a new context.
    axe_js             session: Path of axe-core's axe.min.js (npm, installed by
                       scripts/setup-tests.sh).
    screenshot_dir     session: where screenshots go ($SCREENSHOT_DIR, else
                       <repo>/.artifacts/screenshots); the run's summary names it.

Without Chromium, Playwright or axe-core the tests that need them are skipped
on a developer's machine, and fail when the CI environment variable is set.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_support import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    forget,
    missing,
    reset_recorder,
    settle,
    site_url,
    watch,
)

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs in headless Chromium (tests/browser/)")


@pytest.hookimpl(tryfirst=True)   # before -m "not browser" deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- the site --------------------------------------------------------------

@pytest.fixture(scope="session")
def site_dir(request) -> Path:
    given = os.environ.get("WALKTHROUGH_SITE")
    if given:
        path = Path(given).resolve()
        assert (path / "index.html").is_file(), f"WALKTHROUGH_SITE={given} has no index.html"
        return path
    site, _outcome = request.getfixturevalue("real_site")
    return Path(site).resolve()


@pytest.fixture(scope="session")
def site_pages(site_dir) -> list[str]:
    pages = [p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")]
    return sorted(pages, key=lambda p: (p != "index.html", p))


# --- the browser -----------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python is not installed (pip install -e '.[test]')")
    if CHROMIUM is None:
        missing("no Chromium on PATH (Debian: apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_context(browser):
    contexts = []

    def make(width: int = 1280, height: int = 900, color_scheme: str = "light",
             **options):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=color_scheme, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch(context, page)
        return context, page

    yield make
    for context in contexts:
        for page in context.pages:
            forget(page)
        context.close()


@pytest.fixture
def page(new_context):
    return new_context()[1]


@pytest.fixture(scope="session")
def _page_pool(browser):
    """One watched page per (viewport, colour scheme, JavaScript), reused across
    tests: a new context costs a renderer process (about a second on a busy
    2-core machine), a navigation a fraction of that."""
    pool = {}
    yield pool
    for context, page in pool.values():
        forget(page)
        context.close()


def _reuse(pool, browser, key):
    from playwright.sync_api import Error as PlaywrightError
    width, height, color_scheme, javascript = key
    entry = pool.get(key)
    if entry is not None and not entry[1].is_closed():
        context, page = entry
        try:
            if page.url.startswith("file:"):
                page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); }"
                              " catch (error) {} }")
            page.goto("about:blank")
            page.mouse.move(0, 0)
            reset_recorder(page)
            return page
        except PlaywrightError:   # the page crashed or closed: start a new one
            forget(page)
            context.close()
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=color_scheme, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch(context, page)
    pool[key] = (context, page)
    return page


@pytest.fixture
def open_page(new_context, site_dir, browser, _page_pool):
    """open_page(rel_path, width=1280, height=900, color_scheme="light", hash="",
    javascript=True, fresh=False, query="") -> a watched page showing the site's page
    (query: the address's query string, the views' state, without the "?").

    The page comes from a pool shared by the session (storage cleared, recorder
    reset, mouse at the corner), or, with fresh=True, from a new context that
    is closed after the test. Two calls with the same settings in one test
    return the same page: pass fresh=True to hold two at once."""
    def open_(rel_path: str = "index.html", width: int = 1280, height: int = 900,
              color_scheme: str = "light", hash: str = "", javascript: bool = True,
              fresh: bool = False, query: str = ""):
        if fresh:
            _context, page = new_context(width, height, color_scheme,
                                         java_script_enabled=javascript)
        else:
            page = _reuse(_page_pool, browser, (width, height, color_scheme, javascript))
        page.goto(site_url(site_dir, rel_path, hash, query), wait_until="load")
        if javascript:
            settle(page)
        return page

    return open_


# --- axe-core and screenshots ------------------------------------------------

@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.is_file():
        missing(f"axe-core is not installed at {AXE_JS}")
    return AXE_JS


_SHOTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pytestconfig.stash[_SHOTS] = SCREENSHOTS
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    folder = config.stash.get(_SHOTS, None)
    if folder is not None:
        shots = sorted(folder.glob("*.png"))
        terminalreporter.write_line(f"screenshots written to {folder} ({len(shots)} files)")
