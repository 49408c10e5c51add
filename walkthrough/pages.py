"""Everything a page shows, as plain data: the run's figures are filled in, the
Markdown is HTML, the code is highlighted and the charts are SVG. Templates
only arrange it.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .annotate import Placed
from .charts import CHARTS, COMPARISONS, FRAMES, Chart, as_panels
from .errors import BuildError, Problem, Refusal, shown
from .figures import Figures, fill
from .highlight import highlight_lines
from .markup import to_html
from .over_seeds import Comparison, aggregate, all_comparisons
from .panels import PANELS
from .run import Run, Sweep, VariantRuns
from .sections import Phase, Section, Site
from .textcache import TextCache
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
    indent: int     # leading spaces: a wrapped line's continuation hangs past them
    noted: bool     # some annotation explains this line


@dataclass(frozen=True)
class Segment:
    """A stretch of the code and the notes that start on its first line.

    The page writes each segment's notes just before its lines, so the notes
    are in reading order without CSS; on a wide screen they float beside the
    code, which stays one block."""
    notes: tuple[Note, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Drawing:
    """A chart drawn for one frame: ``frame`` is "wide", "narrow" (the CSS shows
    the one that suits the screen) or "any" (both frames gave the same picture);
    small multiples have one SVG per panel."""
    frame: str
    svgs: tuple[str, ...]


@dataclass(frozen=True)
class ChartOnPage:
    name: str
    caption: str
    drawings: tuple[Drawing, ...]
    twin: str | None = None      # the scrubber panel that takes this chart's place


@dataclass(frozen=True)
class Panel:
    """One panel of the training scrubber; scrubber.js draws its SVG."""
    name: str
    caption: str


@dataclass(frozen=True)
class RunChoice:
    """A run the training scrubber can switch to (data/runs/<name>.js)."""
    name: str
    settings: str     # what the variant changes, e.g. "init xavier"


@dataclass(frozen=True)
class VariantResult:
    """One experiment against the default: its figures over seeds, the measured
    differences, and its comparison charts."""
    name: str
    about: str                         # HTML, from the experiment file's Markdown
    settings: dict
    stats: dict                        # experiments.aggregate of the variant
    comparisons: dict[str, Comparison]
    figures: tuple[ChartOnPage, ...]


@dataclass(frozen=True)
class ResultsTable:
    default: dict                      # experiments.aggregate of the walked-through variant
    variants: tuple[VariantResult, ...]
    tested: int                        # verdicts on the page, corrected together (Holm)


@dataclass(frozen=True)
class ViewPages:
    """The sections that hold the trainer, the live model and the unit picker (None:
    no section has it), so that the trainer can hand its weights to the other two
    and they can link back to it."""
    trainer: Link | None = None
    live_model: Link | None = None
    units: Link | None = None


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
    segments: tuple[Segment, ...]   # the code, cut where notes start; empty: no code
    code_columns: int                # characters in the longest code line
    figures: tuple[ChartOnPage, ...]
    prev: Link | None
    next: Link | None
    scrubber: tuple[Panel, ...] = ()   # empty: no scrubber on this page
    runs: tuple[RunChoice, ...] = ()   # what the scrubber can switch to besides the walked run
    walked: str = ""                   # "default, seed 42": the run the sections read
    live_model: bool = False
    experiments: ResultsTable | None = None
    units: bool = False                # the hidden-unit picker
    trainer: bool = False              # the page's trainer (trainer.py, trainpanel.js)
    view_pages: ViewPages = ViewPages()

    @property
    def notes(self) -> tuple[Note, ...]:
        """Every note of the page, in the order of the code."""
        return tuple(note for segment in self.segments for note in segment.notes)

    def wants(self, panel: str) -> bool:
        """Whether this page's scrubber shows ``panel``."""
        return any(p.name == panel for p in self.scrubber)


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


# (chart, its inputs..., id=...) -> the chart drawn for every frame
ChartRenderer = Callable[..., tuple[Drawing, ...]]


def make_pages(site: Site, placed: dict[str, Placed], run: Run, figures: Figures,
               draw: ChartRenderer, package: str, sweep: Sweep | None = None,
               texts: TextCache | None = None) -> tuple[IndexPage, list[SectionPage]]:
    """All pages; raises BuildError listing every figure, Markdown or chart problem."""
    problems: list[Problem] = []
    links = [link_to(s) for s in site.sections]
    sections = [section_page(section, site, placed.get(section.id), run, figures, draw,
                             package, problems,
                             links[i - 1] if i > 0 else None,
                             links[i + 1] if i + 1 < len(links) else None, texts)
                for i, section in enumerate(site.sections)]
    def holding(view: str) -> Link | None:
        return next((link for section, link in zip(site.sections, links, strict=True)
                     if getattr(section, view)), None)
    view_pages = ViewPages(holding("trainer"), holding("live_model"), holding("units"))
    for i, section in enumerate(site.sections):
        if section.trainer or section.live_model or section.units:
            sections[i] = replace(sections[i], view_pages=view_pages)
        if section.experiments and sweep is not None:
            sections[i] = replace(sections[i],
                                  experiments=experiments_of(section, sweep, draw, problems))
        if section.scrubber and sweep is not None:
            sections[i] = replace(sections[i], runs=switchable(sweep),
                                  walked=f"{sweep.walk[0]}, seed {sweep.walk[1]}")
    index = index_page(site, links, figures, problems, texts)
    if problems:
        raise BuildError(problems)
    return index, sections


def link_to(section: Section) -> Link:
    return Link(section.id, section.slug, f"{section.number:02d}", section.title, section.subtitle)


def section_page(section: Section, site: Site, placed: Placed | None, run: Run,
                 figures: Figures, draw: ChartRenderer, package: str, problems: list[Problem],
                 prev_link: Link | None, next_link: Link | None,
                 texts: TextCache | None = None) -> SectionPage:
    text = _Renderer(section.path, section.id, figures, problems, texts)
    if section.units and "units" not in run.analysis:
        problems.append(Problem(shown(section.path), "'units: true' needs the hidden-unit "
                                "analysis, and the run's analysis.json has no 'units'",
                                f"analyse the run again: python -m charrnn analyze {run.path}",
                                section.id))
    if section.trainer and run.corpus_text is None:
        problems.append(Problem(shown(section.path), "'trainer: true' needs the text the run "
                                "read, and the run has no corpus.txt (it predates it)",
                                "train the run again with this version of charrnn", section.id))
    twins = {PANELS[name].twin: name for name in section.scrubber if PANELS[name].twin}
    return SectionPage(
        path=section.slug, id=section.id, number=f"{section.number:02d}",
        phase=phase_of(site, section.phase), title=section.title, subtitle=section.subtitle,
        label=placed.excerpt.label(placed.package) if placed else None,
        prose=text.block("prose", section.prose),
        segments=segments(section, placed, text),
        code_columns=max(map(len, placed.excerpt.code.split("\n"))) if placed else 0,
        figures=tuple(_figure(name, section, run, draw, problems, twins.get(name))
                      for name in section.charts),
        prev=prev_link, next=next_link,
        scrubber=tuple(Panel(name, PANELS[name].caption) for name in section.scrubber),
        live_model=section.live_model, units=section.units, trainer=section.trainer)


def phase_of(site: Site, number: int) -> Phase:
    return next(phase for phase in site.phases if phase.number == number)


def index_page(site: Site, links: list[Link], figures: Figures,
               problems: list[Problem],
               texts: TextCache | None = None) -> IndexPage:
    by_phase = tuple(PhaseMap(phase, tuple(link for section, link
                                           in zip(site.sections, links, strict=True)
                                           if section.phase == phase.number))
                     for phase in site.phases)
    return IndexPage(path="index.html", title=site.title, subtitle=site.subtitle,
                     intro=_Renderer(site.path, None, figures, problems, texts).block("intro", site.intro),
                     run=figures, phases=by_phase, first=links[0] if links else None)


class _Renderer:
    """Fills run figures into author text and renders its Markdown, recording
    problems; through ``cache``, a text rendered by an earlier build is reused."""

    def __init__(self, path: Path, section: str | None, figures: Figures,
                 problems: list[Problem], cache: TextCache | None = None):
        self.path, self.section, self.figures, self.problems = path, section, figures, problems
        self.cache = cache

    def block(self, what: str, text: str) -> str:
        try:
            if self.cache is None:
                return self._render(text)
            return self.cache.get("markdown", text, self._render)
        except Refusal as error:   # a figure, the Markdown, or the sandbox's budget
            self.problems.append(error.at(shown(self.path), self.section, what))
            return ""

    def _render(self, text: str) -> str:
        return to_html(fill(text, self.figures))

    def highlighted(self, code: str) -> list[str]:
        return highlight_lines(code) if self.cache is None else \
            self.cache.get("python", code, highlight_lines)


def segments(section: Section, placed: Placed | None, text: _Renderer) -> tuple[Segment, ...]:
    """The section's code, cut at the first line of each annotation."""
    if placed is None:
        return ()
    excerpt, spans = placed.excerpt, placed.spans
    notes = sorted((Note(a.id, text.block(f"annotation '{a.id}'", a.text), *spans[a.id])
                    for a in section.annotations), key=lambda n: (n.first, n.last))
    noted = {n for note in notes for n in range(note.first, note.last + 1)}
    lines = [Line(number, html, _indent(source), number in noted)
             for number, html, source in zip(excerpt.numbers, text.highlighted(excerpt.code),
                                             excerpt.code.split("\n"), strict=True)]
    starts = sorted({excerpt.first} | {note.first for note in notes})
    ends = starts[1:] + [excerpt.last + 1]
    return tuple(Segment(tuple(n for n in notes if n.first == start),
                         tuple(line for line in lines if start <= line.number < end))
                 for start, end in zip(starts, ends, strict=True))


def _indent(line: str) -> int:
    """Leading spaces of a source line; a blank line has none worth hanging from."""
    return len(line) - len(line.lstrip(" ")) if line.strip() else 0


def _figure(name: str, section: Section, run: Run, draw: ChartRenderer,
            problems: list[Problem], twin: str | None) -> ChartOnPage:
    try:
        drawings = draw(CHARTS[name], run)
    except ChartError as error:
        problems.append(error.at(shown(section.path), section.id, f"chart '{name}'"))
        drawings = ()
    except (KeyError, IndexError, ValueError, TypeError) as error:
        problems.append(Problem(shown(section.path),
                                f"chart '{name}' failed on this run: {type(error).__name__}: "
                                f"{error}", "the run lacks data the chart needs: check "
                                "walkthrough/charts/ against docs/run-format.md", section.id))
        drawings = ()
    return ChartOnPage(name, CHARTS[name].caption, drawings, twin)


def chart_renderer(theme: dict, cache: Path,
                   warn: Callable[[str], None] = lambda message: None) -> ChartRenderer:
    """Draw a chart as inline SVG through the SVG cache: once per frame, or once for
    both when the two frames give the same specs. ``inputs`` are what the chart's
    source says it draws: the run, or the sweep and a variant. ``warn`` hears of
    damaged cache entries, which are drawn again."""
    def draw(chart: Chart, *inputs, figure_id: str | None = None) -> tuple[Drawing, ...]:
        expected = {"run": 1, "experiment": 2}.get(chart.source)
        if expected != len(inputs):
            raise ChartError(f"the chart draws '{chart.source}', which this page does not "
                             "provide", "list it only where that source exists")
        specs = {frame.name: as_panels(chart.spec(*inputs, frame)) for frame in FRAMES}
        if len({_canonical(panels) for panels in specs.values()}) == 1:
            specs = {"any": next(iter(specs.values()))}
        prefix = figure_id or chart.name
        return tuple(Drawing(frame, tuple(
            scope_ids(render_svg(spec, theme, cache, warn), f"{prefix}-{frame}-{k}")
            for k, spec in enumerate(panels))) for frame, panels in specs.items())
    return draw


def _canonical(panels: list[dict]) -> str:
    return json.dumps(panels, sort_keys=True, default=str)


def switchable(sweep: Sweep) -> tuple[RunChoice, ...]:
    """The variants marked `switcher: true` that have a run with the walked seed that
    did not diverge (the scrubber redraws a whole training; a diverged one has no end)."""
    def usable(variant: VariantRuns) -> bool:
        entry = variant.entry(sweep.walk[1])
        return entry is not None and not entry.diverged
    return tuple(RunChoice(v.name, ", ".join(f"{k} {s}" for k, s in sorted(v.settings.items())))
                 for v in sweep.variants
                 if v.switcher and v.name != sweep.walk[0] and usable(v))


def experiments_of(section: Section, sweep: Sweep, draw: ChartRenderer,
                   problems: list[Problem]) -> ResultsTable:
    """Every variant but the walked-through one, against it (section 20)."""
    results, verdicts = [], all_comparisons(sweep)
    for variant in sweep.variants:
        if variant.name == sweep.walk[0] or not variant.entries:
            continue
        # A variant whose every run diverged has nothing to draw: the table and
        # the text say where each run stopped.
        charts = ("loss-bands", *variant.compare) if any(not e.diverged for e in variant.entries) \
            else ()
        figures = tuple(_comparison_figure(name, sweep, variant, draw, section, problems)
                        for name in charts)
        about = _Renderer(sweep.path, section.id, Figures("run", {}), problems).block(
            f"the 'about' of variant '{variant.name}'", variant.about)
        results.append(VariantResult(variant.name, about, variant.settings,
                                     aggregate(variant, sweep.walk[1]),
                                     verdicts.get(variant.name, {}), figures))
    tested = sum(c.test.p is not None for v in verdicts.values() for c in v.values())
    return ResultsTable(aggregate(sweep.walked_variant, sweep.walk[1]), tuple(results), tested)


def _comparison_figure(name: str, sweep: Sweep, variant: VariantRuns, draw: ChartRenderer,
                       section: Section, problems: list[Problem]) -> ChartOnPage:
    figure_id = f"{variant.name}-{name}"
    if name not in COMPARISONS:
        problems.append(Problem(shown(section.path), f"variant '{variant.name}' asks for the "
                                f"comparison chart '{name}', which does not exist",
                                "in the experiment file, use one of: " +
                                ", ".join(sorted(COMPARISONS)), section.id))
        return ChartOnPage(figure_id, "", ())
    try:
        drawings = draw(COMPARISONS[name], sweep, variant, figure_id=figure_id)
    except ChartError as error:
        problems.append(error.at(shown(section.path), section.id, f"comparison '{figure_id}'"))
        drawings = ()
    except BuildError as error:    # a damaged run, found while reading its curves
        problems.extend(error.problems)
        drawings = ()
    return ChartOnPage(figure_id, COMPARISONS[name].caption, drawings)
