"""Read and validate what the author writes: site.yaml and sections/*.yaml.

Validation here is about the YAML alone (keys, types, ids, references between
files). Whether the named code exists is checked by ``source.py``, whether the
run has the figures the prose uses by ``pages.py``. The schema is described for
authors in site_src/sections/README.md.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BuildError, Problem, quote, shown
from .panels import PANELS
from .schema import FLAG, LIST, NUMBER, TEXT, check_fields, read_yaml

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")   # a Python package beside the subject
# Element ids the templates use themselves; section and annotation ids must differ.
RESERVED_IDS = frozenset({"content", "prose", "code", "charts", "pager", "run", "run-title",
                          "sections", "map-title",
                          # the interactive parts (templates and site_src/static/*.js)
                          "scrubber", "scrubber-title", "scrubber-range", "live-model",
                          "live-title", "live-prefix", "live-temperature", "live-seed",
                          "units-picker", "units-title", "units-unit", "units-help",
                          "live-weights-about", "units-weights-about",
                          "search-input", "search-results", "keys-help",
                          "experiments", "experiments-title", "scrubber-run", "trainer"})
RESERVED_PREFIXES = ("chart-", "phase-", "experiment-", "trainer-")


def _reserved(name: str) -> bool:
    return name in RESERVED_IDS or name.startswith(RESERVED_PREFIXES)


@dataclass(frozen=True)
class Annotation:
    id: str
    code: str   # a fragment that must occur in the section's code
    text: str   # Markdown; may use run figures


@dataclass(frozen=True)
class CodeRef:
    file: str
    symbol: str | None = None
    marker: str | None = None
    lines: tuple[int, int] | None = None
    package: str = ""   # a package beside the subject (e.g. "runner"); "" is the subject


@dataclass(frozen=True)
class Section:
    path: Path      # the YAML file
    id: str
    number: int
    phase: int
    title: str
    subtitle: str
    code: CodeRef | None
    prose: str
    annotations: tuple[Annotation, ...]
    charts: tuple[str, ...]
    scrubber: tuple[str, ...] = ()   # panels of the training scrubber (panels.py)
    live_model: bool = False         # the trained model, live in the page
    units: bool = False              # the hidden-unit picker
    experiments: bool = False        # every experiment against the default (comparisons.py)
    trainer: bool = False            # the page's trainer: train the network in the browser

    @property
    def slug(self) -> str:
        return f"sections/{self.id}.html"


@dataclass(frozen=True)
class Phase:
    number: int
    title: str


@dataclass(frozen=True)
class Site:
    path: Path      # site.yaml
    title: str
    subtitle: str
    intro: str      # Markdown; may use run figures
    phases: tuple[Phase, ...]
    sections: tuple[Section, ...]   # ordered by number


# ---------------------------------------------------------------------------
# The schema: field -> (types accepted, required?)

SITE_FIELDS = {"title": (TEXT, True), "subtitle": (TEXT, True), "intro": (TEXT, True),
               "phases": (LIST, True)}
PHASE_FIELDS = {"number": (NUMBER, True), "title": (TEXT, True)}
SECTION_FIELDS = {
    "id": (TEXT, True), "number": (NUMBER, True), "phase": (NUMBER, True),
    "title": (TEXT, True), "subtitle": (TEXT, True),
    "file": (TEXT, False), "package": (TEXT, False), "symbol": (TEXT, False), "marker": (TEXT, False),
    "lines": (LIST, False),
    "prose": (TEXT, False), "annotations": (LIST, False), "charts": (LIST, False),
    "scrubber": (LIST, False), "live_model": (FLAG, False), "units": (FLAG, False),
    "experiments": (FLAG, False), "trainer": (FLAG, False),
}
ANNOTATION_FIELDS = {"id": (TEXT, True), "code": (TEXT, True), "text": (TEXT, True)}


def load_site(site_src: Path, charts: frozenset[str]) -> Site:
    """site.yaml and every sections/*.yaml, validated; raises BuildError listing all problems."""
    problems: list[Problem] = []
    site_file = site_src / "site.yaml"
    data = read_yaml(site_file, problems)
    if data is not None:
        check_fields(data, SITE_FIELDS, site_file, None, "site.yaml", problems)
    phases = _phases(data, site_file, problems) if data is not None else ()
    # Without a readable site.yaml the phases are unknown: do not blame every section.
    known = {p.number for p in phases} if data is not None else None
    sections = []
    for path in sorted((site_src / "sections").glob("*.yaml")):
        section = _section(path, known, charts, problems)
        if section is not None:
            sections.append(section)
    _check_unique(sections, problems)
    if problems:
        raise BuildError(problems)
    return Site(site_file, data["title"], data["subtitle"], data["intro"], phases,
                tuple(sorted(sections, key=lambda s: s.number)))


def _phases(data: dict, path: Path, problems: list[Problem]) -> tuple[Phase, ...]:
    phases = []
    for i, item in enumerate(data.get("phases") or []):
        if not isinstance(item, dict):
            problems.append(Problem(shown(path), f"phases item {i + 1} must be a mapping",
                                    "write '- number: 0' and 'title: ...'"))
        elif check_fields(item, PHASE_FIELDS, path, None, f"phases item {i + 1}", problems):
            phases.append(Phase(item["number"], item["title"]))
    return tuple(phases)


def _section(path: Path, phases: set[int] | None, charts: frozenset[str],
             problems: list[Problem]) -> Section | None:
    data = read_yaml(path, problems)
    if data is None:
        return None
    sid = data.get("id") if isinstance(data.get("id"), str) else None
    before = len(problems)
    check_fields(data, SECTION_FIELDS, path, sid, "the section", problems)
    if len(problems) > before:
        return None

    def fail(message: str, hint: str) -> None:
        problems.append(Problem(shown(path), message, hint, sid))

    if not SLUG.match(sid):
        fail(f"id {quote(sid)} is not a slug", "use lower-case words joined by '-', "
             "e.g. 'generating-the-corpus'")
    elif _reserved(sid):
        fail(f"id {quote(sid)} is reserved for the pages themselves", "choose another id")
    if not 0 <= data["number"] <= 99:
        fail(f"number {quote(data['number'])} is out of range", "use 0 to 99")
    if phases is not None and data["phase"] not in phases:
        fail(f"phase {quote(data['phase'])} is not listed in site.yaml",
             "use one of: " + ", ".join(map(str, sorted(phases))))
    code = _code_ref(data, fail)
    annotations = _annotations(data.get("annotations") or [], path, sid, problems)
    if annotations and code is None:
        fail("annotations need code to point at", "add 'file:' and 'symbol:' (or marker/lines)")
    chart_names, panels = data.get("charts") or [], data.get("scrubber") or []
    _check_views(chart_names, panels, charts, fail)
    if len(problems) > before:
        return None
    return Section(path, sid, data["number"], data["phase"], data["title"], data["subtitle"],
                   code, data.get("prose") or "", annotations, tuple(chart_names),
                   tuple(panels), bool(data.get("live_model")), bool(data.get("units")),
                   bool(data.get("experiments")), bool(data.get("trainer")))


def _check_views(chart_names: list, panels: list, charts: frozenset[str],
                 fail: Callable[[str, str], None]) -> None:
    """Every chart and scrubber panel a section lists is known, and listed once."""
    for name in chart_names:
        if not isinstance(name, str):
            fail(f"chart {quote(name)} must be a name", "list chart names, e.g. 'charts: [loss]'")
        elif name not in charts:
            close = difflib.get_close_matches(name[:100], charts, n=1)
            fail(f"unknown chart {quote(name)}", f"did you mean '{close[0]}'?" if close else
                 "use one of: " + ", ".join(sorted(charts)))
    if _repeats(chart_names):
        fail("a chart is listed twice", "list each chart once")
    for name in panels:
        if not isinstance(name, str) or name not in PANELS:
            close = difflib.get_close_matches(quote(name, 100), PANELS, n=1)
            fail(f"unknown scrubber panel {quote(name)}",
                 f"did you mean '{close[0]}'?" if close else "use one of: " + ", ".join(PANELS))
    if _repeats(panels):
        fail("a scrubber panel is listed twice", "list each panel once")


def _repeats(names: list) -> bool:
    text = [name for name in names if isinstance(name, str)]   # the rest is reported already
    return len(set(text)) != len(text)


def _code_ref(data: dict, fail) -> CodeRef | None:
    ways = [k for k in ("symbol", "marker", "lines") if k in data]
    if "file" not in data:
        if ways:
            fail(f"'{ways[0]}' needs a 'file'", "add 'file:' naming a file in the package")
        return None
    if len(ways) != 1:
        fail("'file' needs exactly one of symbol, marker, lines" +
             (f" (got {', '.join(ways)})" if ways else ""),
             "name the code by 'symbol:' (best), 'marker:', or 'lines: [first, last]'")
        return None
    lines = data.get("lines")
    if lines is not None:
        if len(lines) != 2 or not all(isinstance(n, int) and not isinstance(n, bool)
                                      for n in lines):
            fail(f"lines {quote(lines)} must be two whole numbers", "write 'lines: [first, last]'")
            return None
        lines = (lines[0], lines[1])
    package = data.get("package", "")
    if package and not PACKAGE_NAME.match(package):
        fail(f"package {quote(package)} is not a package name",
             "name a folder beside the subject package, e.g. 'runner'")
        return None
    return CodeRef(data["file"], data.get("symbol"), data.get("marker"), lines, package)


def _annotations(items: list[Any], path: Path, sid: str | None,
                 problems: list[Problem]) -> tuple[Annotation, ...]:
    annotations, seen = [], set()
    for i, item in enumerate(items):
        what = f"annotation {i + 1}"
        if not isinstance(item, dict):
            problems.append(Problem(shown(path), f"{what} must be a mapping",
                                    "write '- id: ...', 'code: ...', 'text: ...'", sid))
            continue
        if not check_fields(item, ANNOTATION_FIELDS, path, sid, what, problems):
            continue
        aid = item["id"]
        if not SLUG.match(aid):
            problems.append(Problem(shown(path), f"annotation id {quote(aid)} is not a slug",
                                    "use lower-case words joined by '-'", sid))
        elif _reserved(aid) or aid == sid:
            problems.append(Problem(shown(path), f"annotation id {quote(aid)} is reserved "
                                    "(the section id, or an id the pages use)",
                                    "choose another id", sid))
        elif aid in seen:
            problems.append(Problem(shown(path), f"duplicate annotation id {quote(aid)}",
                                    "give every annotation of a section its own id", sid))
        elif not item["code"].strip():
            problems.append(Problem(shown(path), f"annotation {quote(aid)} has empty code",
                                    "quote the code the annotation explains", sid))
        else:
            annotations.append(Annotation(aid, item["code"], item["text"]))
        seen.add(aid)
    return tuple(annotations)


def _check_unique(sections: list[Section], problems: list[Problem]) -> None:
    for attribute in ("id", "number"):
        first_seen: dict[Any, Section] = {}
        for section in sections:
            value = getattr(section, attribute)
            if value in first_seen:
                other = shown(first_seen[value].path)
                problems.append(Problem(shown(section.path),
                                        f"duplicate section {attribute} {quote(value)} "
                                        f"(also in {other})",
                                        f"give each section its own {attribute}", section.id))
            else:
                first_seen[value] = section
