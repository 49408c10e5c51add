"""Everything a page shows, as plain data: the run's figures are filled in, the
Markdown is HTML, the code is highlighted and the charts are SVG. Templates
only arrange it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .annotate import Placed
from .charts import CHARTS
from .errors import BuildError, Problem, shown
from .figures import FigureError, Figures, fill
from .highlight import highlight_lines
from .markup import MarkupError, to_html
from .panels import PANELS
from .run import Run
from .sections import Phase, Section, Site
from .vega import ChartError, render_svg, scope_ids


@dataclass(frozen=True)
class Link:
    id: str
    href: str       # relative to the site root
    number: str     # "07"
    title: str
    subtitle: str


@dataclass(frozen=True)
class Note:
    id: str
    html: str
    first: int
    last: int


@dataclass(frozen=True)
class Line:
    number: int
    html: str
    noted: bool     # some annotation explains this line


@dataclass(frozen=True)
class Row:
    """Code lines and the notes that start on its first line, shown side by side."""
    notes: tuple[Note, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Figure:
    name: str
    caption: str
    svg: str


@dataclass(frozen=True)
class Panel:
    """One panel of the training scrubber; scrubber.js draws its SVG."""
    name: str
    caption: str


@dataclass(frozen=True)
class SectionPage:
    path: str
    id: str
    number: str
    phase: Phase
    title: str
    subtitle: str
    label: str | None    # "charrnn/corpus.py:154-161"
    prose: str
    rows: tuple[Row, ...]
    figures: tuple[Figure, ...]
    prev: Link | None
    next: Link | None
    scrubber: tuple[Panel, ...] = ()   # empty: no scrubber on this page
    live_model: bool = False


@dataclass(frozen=True)
class PhaseMap:
    phase: Phase
    sections: tuple[Link, ...]


@dataclass(frozen=True)
class IndexPage:
    path: str
    title: str
    subtitle: str
    intro: str
    run: Figures
    phases: tuple[PhaseMap, ...]
    first: Link | None


ChartRenderer = Callable[[str, Run], str]


def make_pages(site: Site, placed: dict[str, Placed], run: Run, figures: Figures,
               draw: ChartRenderer, package: str) -> tuple[IndexPage, list[SectionPage]]:
    """All pages; raises BuildError listing every figure, Markdown or chart problem."""
    problems: list[Problem] = []
    links = [link_to(s) for s in site.sections]
    sections = [section_page(section, site, placed.get(section.id), run, figures, draw,
                             package, problems,
                             links[i - 1] if i > 0 else None,
                             links[i + 1] if i + 1 < len(links) else None)
                for i, section in enumerate(site.sections)]
    index = index_page(site, links, figures, problems)
    if problems:
        raise BuildError(problems)
    return index, sections


def link_to(section: Section) -> Link:
    return Link(section.id, section.slug, f"{section.number:02d}", section.title, section.subtitle)


def section_page(section: Section, site: Site, placed: Placed | None, run: Run,
                 figures: Figures, draw: ChartRenderer, package: str, problems: list[Problem],
                 prev_link: Link | None, next_link: Link | None) -> SectionPage:
    text = _Text(section.path, section.id, figures, problems)
    return SectionPage(
        path=section.slug, id=section.id, number=f"{section.number:02d}",
        phase=phase_of(site, section.phase), title=section.title, subtitle=section.subtitle,
        label=placed.excerpt.label(package) if placed else None,
        prose=text.block("prose", section.prose),
        rows=rows(section, placed, text),
        figures=tuple(_figure(name, section, run, draw, problems) for name in section.charts),
        prev=prev_link, next=next_link,
        scrubber=tuple(Panel(name, PANELS[name]) for name in section.scrubber),
        live_model=section.live_model)


def phase_of(site: Site, number: int) -> Phase:
    return next(phase for phase in site.phases if phase.number == number)


def index_page(site: Site, links: list[Link], figures: Figures,
               problems: list[Problem]) -> IndexPage:
    by_phase = tuple(PhaseMap(phase, tuple(link for section, link
                                           in zip(site.sections, links, strict=True)
                                           if section.phase == phase.number))
                     for phase in site.phases)
    return IndexPage(path="index.html", title=site.title, subtitle=site.subtitle,
                     intro=_Text(site.path, None, figures, problems).block("intro", site.intro),
                     run=figures, phases=by_phase, first=links[0] if links else None)


class _Text:
    """Fills run figures into author text and renders its Markdown, recording problems."""

    def __init__(self, path: Path, section: str | None, figures: Figures,
                 problems: list[Problem]):
        self.path, self.section, self.figures, self.problems = path, section, figures, problems

    def block(self, what: str, text: str) -> str:
        try:
            return to_html(fill(text, self.figures))
        except (FigureError, MarkupError) as error:
            self.problems.append(Problem(shown(self.path), f"{what}: {error.message}",
                                         error.hint, self.section))
            return ""


def rows(section: Section, placed: Placed | None, text: _Text) -> tuple[Row, ...]:
    """The section's code cut into rows at the first line of each annotation."""
    if placed is None:
        return ()
    excerpt, spans = placed.excerpt, placed.spans
    notes = sorted((Note(a.id, text.block(f"annotation '{a.id}'", a.text), *spans[a.id])
                    for a in section.annotations), key=lambda n: (n.first, n.last))
    noted = {n for note in notes for n in range(note.first, note.last + 1)}
    lines = [Line(number, html, number in noted)
             for number, html in zip(excerpt.numbers, highlight_lines(excerpt.code),
                                     strict=True)]
    starts = sorted({excerpt.first} | {note.first for note in notes})
    ends = starts[1:] + [excerpt.last + 1]
    return tuple(Row(tuple(n for n in notes if n.first == start),
                     tuple(line for line in lines if start <= line.number < end))
                 for start, end in zip(starts, ends, strict=True))


def _figure(name: str, section: Section, run: Run, draw: ChartRenderer,
            problems: list[Problem]) -> Figure:
    try:
        svg = draw(name, run)
    except ChartError as error:
        problems.append(Problem(shown(section.path), f"chart '{name}': {error.message}",
                                error.hint, section.id))
        svg = ""
    except (KeyError, IndexError, ValueError, TypeError) as error:
        problems.append(Problem(shown(section.path),
                                f"chart '{name}' failed on this run: {type(error).__name__}: "
                                f"{error}", "the run lacks data the chart needs: check "
                                "walkthrough/charts.py against docs/run-format.md", section.id))
        svg = ""
    return Figure(name, CHARTS[name].caption, svg)


def chart_renderer(theme: dict, cache: Path,
                   warn: Callable[[str], None] = lambda message: None) -> ChartRenderer:
    """Draw a registered chart for a run as inline SVG, through the SVG cache
    (``warn`` hears of damaged cache entries, which are drawn again)."""
    def draw(name: str, run: Run) -> str:
        return scope_ids(render_svg(CHARTS[name].spec(run), theme, cache, warn), name)
    return draw
