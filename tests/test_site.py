"""The real site, built end to end from a short run of the real program."""
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = sorted((ROOT / "site_src" / "sections").glob("*.yaml"))


def test_the_spec_s_21_sections_in_five_phases_and_a_closing_one():
    numbers = sorted(yaml.safe_load(p.read_text())["number"] for p in SECTIONS)
    assert numbers == list(range(21))
    phases = {yaml.safe_load(p.read_text())["phase"] for p in SECTIONS}
    assert phases >= {0, 1, 2, 3, 4}


def test_every_section_is_a_page_with_its_real_code(real_site):
    site, outcome = real_site
    assert outcome.pages == len(SECTIONS) + 1
    for path in SECTIONS:
        section = yaml.safe_load(path.read_text())
        html = (site / "sections" / f"{section['id']}.html").read_text()
        if "file" in section:
            package = section.get("package", "charrnn")
            label = re.search(rf"{package}/([a-z_]+\.py):(\d+)-(\d+)", html)
            assert label and label.group(1) == section["file"], path.name
            first, last = int(label.group(2)), int(label.group(3))
            source = (ROOT / package / section["file"]).read_text().splitlines()
            assert 1 <= first <= last <= len(source), path.name
        for note in section.get("annotations", []):
            assert f'id="{note["id"]}"' in html, (path.name, note["id"])


def test_no_line_of_code_belongs_to_two_sections():
    from walkthrough.charts import CHARTS
    from walkthrough.sections import load_site
    from walkthrough.source import extract
    shown: dict[tuple[str, int], str] = {}
    for section in load_site(ROOT / "site_src", frozenset(CHARTS)).sections:
        if section.code is None:
            continue
        ref = section.code
        excerpt = extract(ROOT / (ref.package or "charrnn"), ref.file, symbol=ref.symbol,
                          marker=ref.marker, lines=ref.lines)
        for number in excerpt.numbers:
            key = (ref.package, ref.file, number)
            assert key not in shown, f"{ref.file}:{number} is in {shown[key]} and {section.id}"
            shown[key] = section.id


def test_figures_on_the_overview_come_from_this_run(real_site):
    site, outcome = real_site
    summary = json.loads((outcome.run / "summary.json").read_text())
    html = (site / "index.html").read_text()
    assert f"{summary['params']:,}" in html
    assert f"{summary['corpus_chars']:,}" in html
    test = json.loads((outcome.run / "analysis.json").read_text())["test"]
    assert f"{test['final']:.3f}" in html and f"{test['floor']:.3f}" in html
    assert f"{summary['steps']:,}" in html


def test_every_link_resolves_and_nothing_leaves_the_site(real_site):
    site, _ = real_site
    pages = sorted(site.rglob("*.html"))
    ids = {page: set(re.findall(r' id="([^"]+)"', page.read_text())) for page in pages}
    for page in pages:
        html = page.read_text()
        assert "http://" not in html and "https://" not in html, page
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            if url.startswith("data:image/png;base64,"):   # a heat map inside a chart's SVG
                continue
            parts = urlsplit(url)
            assert not parts.scheme and not url.startswith("//"), (page, url)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.name}: broken link {url}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids[target], f"{page.name}: no anchor for {url}"


def test_sizes(real_site):
    site, _ = real_site
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert total < 5_000_000
    for page in site.rglob("*.html"):
        assert page.stat().st_size < 400_000, page


def _prose(page: Path) -> str:
    """The words a reader sees on a page: no code, charts or scripts."""
    text = page.read_text()
    for element in ("svg", "script", "pre", "code", "style"):
        text = re.sub(rf"<{element}\b.*?</{element}>", " ", text, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def test_comparisons_read_right_when_a_short_run_falls_the_other_way(real_site):
    # 300 steps: the network is worse than the n-gram table, the best validation
    # loss may be the last, and gaps close by negative amounts unless every
    # comparative sentence is guarded.
    site, _ = real_site
    for page in [site / "index.html", *sorted((site / "sections").glob("*.html"))]:
        prose = _prose(page)
        assert not re.search(r"[-−]\s?\d+(\.\d+)?\s?%", prose), (page.name, re.search(
            r".{60}[-−]\s?\d+(\.\d+)?\s?%.{20}", prose))
        # A figure that was missing or not a number, as Python prints it.
        assert not re.search(r"\b(nan|inf)\b|[a-z,] None\b", prose), page.name
