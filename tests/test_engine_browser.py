"""In a real browser (headless Chromium, skipped where none is installed): pages
fit a 375 px phone without sideways scrolling."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") \
    or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium here")

# Headless Chromium will not make a window narrower than 500 px, so the page is
# measured inside an iframe of the wanted width.
PROBE = """<!doctype html><title>probe</title>
<iframe src="{page}" style="width:{width}px;height:900px;border:0"></iframe>
<script>
document.querySelector("iframe").addEventListener("load", (event) => {{
  document.title = "width=" + event.target.contentDocument.documentElement.scrollWidth;
}});
</script>"""


def page_width(path, width: int) -> int:
    probe = path.with_name("probe-" + path.name)
    probe.write_text(PROBE.format(page=path.name, width=width))
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
         "--allow-file-access-from-files", "--virtual-time-budget=3000", "--dump-dom",
         probe.as_uri()], capture_output=True, text=True, timeout=60)
    probe.unlink()
    match = re.search(r"<title>width=(\d+)</title>", result.stdout)
    assert match, result.stdout[-2000:] + result.stderr[-2000:]
    return int(match.group(1))


def test_pages_fit_a_phone(project):
    project.build()
    for page in ("index.html", "sections/squares.html", "sections/forward-pass.html"):
        assert page_width(project.out / page, 375) <= 375, page


def test_pages_fit_a_wide_screen(project):
    project.build()
    assert page_width(project.out / "sections" / "squares.html", 1280) <= 1280
