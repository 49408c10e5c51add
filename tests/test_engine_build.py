"""The whole build: output, atomic replacement, determinism, links, no network."""
from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import unquote, urlsplit

import pytest
from engine_fixtures import REPO, SECTION


def test_build_writes_every_page_and_asset(project):
    project.build()
    files = project.files()
    assert {"index.html", "sections/squares.html", "sections/forward-pass.html",
            "static/theme.css", "static/notes.js"} <= set(files)
    page = files["sections/squares.html"].decode()
    assert "charrnn/demo.py:" in page
    assert 'id="the-product"' in page and 'href="#the-product"' in page
    assert f"The run had {446:,} parameters" in page           # from the fake run
    assert "<svg" in page and 'id="chart-loss"' in page          # the chart, inline


def test_a_section_without_code_shows_prose_and_charts(project):
    project.section("03-results", """\
        id: results
        number: 3
        phase: 5
        title: Results
        subtitle: What the run measured
        prose: |
          Validation loss {{ run.final_val_loss | fixed(2) }}.

          ```text
          {{ run.console }}
          ```
        charts: [learning-rate]
        """)
    project.build()
    page = (project.out / "sections" / "results.html").read_text()
    assert "Validation loss 0.6" in page and 'id="chart-learning-rate"' in page
    assert "fake run: nothing was trained" in page
    assert 'class="walkthrough"' not in page
    assert 'href="../sections/results.html"' in \
        (project.out / "sections" / "forward-pass.html").read_text()     # next link


def test_failing_build_leaves_the_previous_output_byte_for_byte(project):
    project.build()
    before = project.files()
    project.section("01-squares", SECTION.replace("symbol: square", "symbol: cube"))
    project.fail()
    assert project.files() == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(("._site.new", "._site.old"))] == []


def test_failure_late_in_the_build_also_leaves_the_output(project):
    project.build()
    before = project.files()
    (project.site_src / "templates" / "section.html").write_text("{% if %}")
    message = project.fail()
    assert "section.html" in message and "template syntax error" in message
    assert project.files() == before


def test_refuses_to_replace_a_folder_that_is_not_a_site(project):
    for out, reason in [(project.root, "which the build needs"),
                        (project.site_src / "templates", "which the build needs"),
                        (project.package, "which the build needs")]:
        assert reason in project.fail(out=out)
    stranger = project.root / "notes"
    stranger.mkdir()
    (stranger / "todo.txt").write_text("keep me")
    assert "is not a site this build wrote" in project.fail(out=stranger)
    assert (stranger / "todo.txt").read_text() == "keep me"


def test_two_builds_are_byte_identical(project):
    project.build(out=project.root / "one")
    project.build(out=project.root / "two")
    one, two = project.files(project.root / "one"), project.files(project.root / "two")
    assert one == two and len(one) > 5


def test_check_writes_nothing(project):
    outcome = project.build(check=True)
    assert outcome.pages == 3
    assert not project.out.exists()


def test_every_internal_link_and_asset_resolves(project):
    project.build()
    pages = sorted(project.out.rglob("*.html"))
    ids = {page: set(re.findall(r' id="([^"]+)"', page.read_text())) for page in pages}
    checked = 0
    for page in pages:
        html = page.read_text()
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                assert parts.scheme in ("http", "https", "mailto"), url
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.name}: broken link {url}"
            assert project.out.resolve() in target.parents, f"{url} leaves the site"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids[target], f"{page.name}: no anchor for {url}"
            checked += 1
    assert checked > 20


def test_no_resource_is_fetched_from_the_network(project):
    project.build()
    for path in project.out.rglob("*"):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text()
        assert not re.search(r'\bsrc\s*=\s*["\']?\s*(https?:)?//', text), path
        assert not re.search(r'<link[^>]+href="(https?:)?//', text), path
        assert not re.search(r'url\(\s*["\']?(https?:)?//', text), path
        assert "@import" not in text, path
        assert not re.search(r'xlink:href|<image|<use', text), path
        assert "http://" not in text and "https://" not in text, path


def test_everything_is_in_the_html_without_javascript(project):
    project.build()
    html = (project.out / "sections" / "squares.html").read_text()
    static = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    for needed in ('class="note"', "Multiply", "<math", "<svg", 'id="L', "charrnn/demo.py"):
        assert needed in static
    assert re.search(r'<button class="theme-toggle"[^>]* hidden', static)  # shown by JS only


def test_no_page_is_larger_than_it_needs_to_be(project):
    project.build()
    for page in project.out.rglob("*.html"):
        assert page.stat().st_size < 400_000, page


def test_command_line_error_is_one_message_without_traceback(project, tmp_path):
    project.section("01-squares", SECTION.replace("symbol: square", "symbol: cube"))
    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
import build
build.ROOT = Path({str(project.root)!r})
sys.exit(build.main(["--run", {str(project.run)!r}]))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "01-squares.yaml: section 'squares': symbol 'cube' not found" in result.stderr
    assert not (project.root / "_site").exists()


def test_help_explains_every_flag():
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for flag in ("--steps", "--hidden-size", "--seq-len", "--lr", "--num-sentences",
                 "--experiments", "--workers", "--scheduler",
                 "--out", "--check", "--strict", "--serve", "--port", "--accept", "--run"):
        assert flag in result.stdout


@pytest.mark.parametrize("args, says", [
    (["--workers", "0"], "argument --workers: must be at least 1, got 0"),
    (["--workers", "two"], "argument --workers: must be a whole number, got 'two'"),
    (["--steps", "many"], "argument --steps: invalid int value: 'many'"),
    (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
])
def test_a_bad_option_is_one_line_and_builds_nothing(args, says, tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "build.py"), *args,
                             "--out", str(tmp_path / "site")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"build.py: error: {says} (see --help)\n"
    assert not (tmp_path / "site").exists()
