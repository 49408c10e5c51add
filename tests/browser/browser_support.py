"""Helpers for the browser suite (the fixtures are in conftest.py beside this).

    from browser_support import assert_clean, recorder, settle, site_url, expected_pages

    recorder(page)       -> Recorder: .console_errors, .page_errors, .failed_requests,
                         .external_requests (anything not file:, data:, blob:, about:;
                         every such request is also aborted, so nothing leaves).
    assert_clean(page)   fails, listing every console error, uncaught exception, failed
                         request and request leaving the site seen so far on the page.
    settle(page)         waits two animation frames and a task, so late errors land.
    site_url(site_dir, rel_path, hash="", query="") -> the page's file:// URL.
    expected_pages()     "index.html" and "sections/<id>.html" for every section YAML
                         (usable at collection time, for parametrize).
    missing(reason)      a tool is absent: pytest.fail under CI=true, else pytest.skip.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
# Without the background-networking flags Chromium phones home at start; this
# machine's network refuses it and the refusals would be noise.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--disable-extensions", "--mute-audio"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or REPO / ".artifacts" / "screenshots")
AXE_JS = Path(os.environ.get("AXE_CORE_JS")
              or REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js")


def missing(reason: str):
    """A tool the suite needs is absent: fail in CI, skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this fails; run scripts/setup-tests.sh)",
                    pytrace=False)
    pytest.skip(f"{reason}; run `bash scripts/setup-tests.sh` to install it")


def expected_pages() -> list[str]:
    """The pages the sections declare, overview first, in section order."""
    from walkthrough.charts import CHARTS
    from walkthrough.errors import BuildError
    from walkthrough.sections import load_site
    try:
        ids = [s.id for s in load_site(REPO / "site_src", frozenset(CHARTS)).sections]
    except BuildError:   # a broken section: the build fixture reports it properly
        import yaml
        ids = []
        for path in sorted((REPO / "site_src" / "sections").glob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError:
                continue
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                ids.append(data["id"])
    return ["index.html"] + [f"sections/{id_}.html" for id_ in ids]


def data_js(site_dir: Path, name: str):
    """The value a site's data/<name>.js assigns (each is `window.x = <JSON>;`)."""
    text = (site_dir / "data" / f"{name}.js").read_text(encoding="ascii")
    return json.loads(text[text.index("= ") + 2:text.rindex(";")])


def site_url(site_dir: Path, rel_path: str, hash: str = "", query: str = "") -> str:
    path = site_dir / rel_path
    assert path.is_file(), f"the build wrote no {rel_path}"
    return (path.as_uri() + (f"?{query.lstrip('?')}" if query else "")
            + (f"#{hash.lstrip('#')}" if hash else ""))


@dataclass
class Recorder:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"uncaught exception: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed_requests]
                + [f"request leaving the site: {m}" for m in self.external_requests])


_RECORDERS: dict[int, Recorder] = {}


def recorder(page) -> Recorder:
    return _RECORDERS[id(page)]


def watch(context, page) -> Recorder:
    """Record what goes wrong on ``page`` (into ``recorder(page)``, which
    ``reset_recorder`` replaces); abort every request leaving the site."""
    _RECORDERS[id(page)] = Recorder()

    def leaving(url: str) -> None:
        record = _RECORDERS.get(id(page))
        if record is not None and not url.startswith(LOCAL_SCHEMES) \
                and url not in record.external_requests:
            record.external_requests.append(url)

    def block(route):
        leaving(route.request.url)
        route.abort()

    def console(message) -> None:
        record = _RECORDERS.get(id(page))
        if record is not None and message.type == "error":
            where = message.location or {}
            at = f" ({where.get('url', '')}:{where.get('lineNumber', '')})" \
                if where.get("url") else ""
            record.console_errors.append(message.text + at)

    def error(exception) -> None:
        record = _RECORDERS.get(id(page))
        if record is not None:
            record.page_errors.append(str(exception))

    def failed(request) -> None:
        record = _RECORDERS.get(id(page))
        if record is not None:
            record.failed_requests.append(f"{request.url}: {request.failure}")

    context.route(lambda url: not url.startswith(LOCAL_SCHEMES), block)
    page.on("console", console)
    page.on("pageerror", error)
    page.on("requestfailed", failed)
    page.on("request", lambda request: leaving(request.url))
    return _RECORDERS[id(page)]


def reset_recorder(page) -> Recorder:
    _RECORDERS[id(page)] = Recorder()
    return _RECORDERS[id(page)]


def forget(page) -> None:
    _RECORDERS.pop(id(page), None)


def settle(page) -> None:
    page.evaluate("() => new Promise((done) => requestAnimationFrame("
                  "() => requestAnimationFrame(() => setTimeout(done, 0))))")


def assert_clean(page) -> None:
    problems = recorder(page).problems()
    assert not problems, f"{page.url}:\n  " + "\n  ".join(problems)
