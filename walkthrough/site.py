"""The build, start to end: options -> experiment sweep (cached) -> pages -> output."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import lock
from .annotate import Placed, place_all
from .cache import sweep_folder, sweep_in_cache
from .charts import CHARTS, COMPARISONS
from .errors import BuildError, Problem, UsageError, shown
from .exports import data_files
from .figures import figures_of
from .files import read_json
from .output import clean_stale, refusal, refused, write_site
from .pages import chart_renderer, make_pages, switchable
from .provenance import provenance
from .render import environment, render_index, render_section
from .run import Run, Sweep, VariantRuns, load_sweep, single_run_sweep
from .sections import Site, load_site
from .textcache import TextCache
from .variants import apply_views


@dataclass(frozen=True)
class Options:
    out: Path                  # the folder the site replaces
    site_src: Path             # site.yaml, sections/, templates/, static/, walkthrough.lock
    package: Path              # the subject program's source: charrnn/
    cache: Path                # .cache/: sweep/ (index.json, runs/<key>/) and charts/<hash>.svg
    experiments: Path | None = None   # the experiment matrix (default: site_src/experiments.yaml)
    settings: dict = field(default_factory=dict)   # TrainConfig fields given on the command line
    workers: int | None = None        # sweep processes on this machine (default: one per core)
    scheduler: str | None = None      # or a Dask scheduler's address
    run: Path | None = None    # use this run (or sweep) directory instead of the cache
    check: bool = False        # validate only, write nothing (trains nothing)
    strict: bool = False       # code changed since the lock: an error, not a warning
    accept: bool = False       # record the current code hashes in the lock
    walked_first: bool = False # when the matrix must retrain: publish the walked run's pages first
    allow_other_code: bool = False   # publish runs made by other code, saying so on every page


@dataclass(frozen=True)
class Outcome:
    pages: int                 # pages rendered (0 when --check found runs missing)
    warnings: list[str]
    run: Path | None           # the run the sections walk through


def build(options: Options, log: Callable[[str], None] = print) -> Outcome:
    """Build the site; raises BuildError, leaving the previous output untouched
    (UsageError for a bad command-line value, found before any work)."""
    _check_paths(options)
    _check_out(options, log)
    site = load_site(options.site_src, frozenset(CHARTS))
    placed = place_all(site.sections, options.package)
    hashes = {sid: lock.code_hash(p.excerpt.code) for sid, p in placed.items()}
    warnings = [] if options.accept else _drift(options, hashes)

    if options.walked_first and options.run is None and not options.check:
        preview = _walked_alone(options, log)
        if preview is not None:   # the rest must train: show the walked run's pages meanwhile
            sweep, retraining = preview
            outcome = _pages(options, site, placed, sweep, list(warnings), log, retraining)
            log(f"built {outcome.pages} pages into {shown(options.out)} (a preview: "
                f"{retraining[1] - retraining[0]} other runs to train)")
    sweep = _sweep(options, log)
    if sweep is None:
        return Outcome(0, warnings + ["some runs of the experiments are not cached, so run figures "
                                      "and charts were not checked; build once to train"], None)
    outcome = _pages(options, site, placed, sweep, warnings, log)
    if options.accept:
        lock.write(options.site_src / "walkthrough.lock", hashes)
    return outcome


def _pages(options: Options, site: Site, placed: dict[str, Placed], sweep: Sweep,
           warnings: list[str], log: Callable[[str], None],
           retraining: tuple[int, int] | None = None) -> Outcome:
    """Every page from ``sweep``, written to the output (unless --check)."""
    walked = sweep.walked
    if walked.diverged:
        raise BuildError([Problem(shown(walked.path), "the run the walkthrough reads diverged at step "
                                  f"{walked.summary['diverged']:,}: {walked.summary.get('diverged_reason')}",
                                  "lower the learning rate or the clipping threshold")])
    run = walked.run
    _check_analysed(walked.path, run, given=options.run is not None)
    origin = provenance(options.package, sweep, options.allow_other_code)
    if options.run is None:   # said only of a run the build found for itself
        log(f"the sections read {shown(run.path)} ({walked.variant}, seed {walked.seed})")
    theme = read_json(options.site_src / "chart-theme.json", "fix the JSON syntax of the theme")
    draw = chart_renderer(theme, options.cache / "charts", warnings.append)
    figures = figures_of(run, sweep)
    texts = TextCache(options.cache / "text.json", figures, warnings.append)
    index, sections = make_pages(site, placed, run, figures, draw, options.package.name,
                                 sweep, texts)
    if not options.check:
        texts.save()

    env = environment(options.site_src / "templates", site.title, options.cache / "templates",
                      warnings.append, retraining, origin)
    files = {page.path: render_section(env, page).encode() for page in sections}
    files[index.path] = render_index(env, index).encode()
    others = {choice.name: sweep.variant(choice.name).entry(sweep.walk[1]).run
              for choice in switchable(sweep)}
    files.update(data_files(run, index, sections, others, sweep))
    files.update(_static(options.site_src / "static"))
    if not options.check:   # last: the output changes only when all else succeeded
        write_site(options.out, files, log)
    return Outcome(len(sections) + 1, warnings, run.path)


def _walked_alone(options: Options, log: Callable[[str], None]) -> tuple[Sweep, tuple[int, int]] | None:
    """Train the walked run alone (seconds) and return it as a sweep of one run,
    with how many of the matrix's runs are done; None when none is left to train."""
    experiments = options.experiments or options.site_src / "experiments.yaml"
    folder = sweep_in_cache(options.package, experiments, options.cache, settings=options.settings,
                       workers=options.workers, scheduler=options.scheduler, only_walked=True,
                       log=log)
    sweep = load_sweep(folder)
    if not sweep.missing:
        return None
    apply_views(sweep, options.site_src / "variants.yaml", frozenset(COMPARISONS), strict=False)
    walked, variant = sweep.walked, sweep.walked_variant
    alone = Sweep(sweep.path, [VariantRuns(variant.name, variant.about, variant.settings,
                                       [walked.seed], [walked])], sweep.walk, [])
    total = sum(len(v.entries) for v in sweep.variants) + len(sweep.missing)
    return alone, (total - len(sweep.missing), total)


def _check_paths(options: Options) -> None:
    """The folders and files named on the command line exist."""
    if options.run is not None and not options.run.is_dir():
        raise UsageError(Problem(shown(options.run), "no such run directory",
                                 "give a run (`charrnn train --out DIR`) or a sweep's folder "
                                 "(`charrnn sweep FILE --out DIR`)"))
    if options.experiments is not None and not options.experiments.is_file():
        raise UsageError(Problem(shown(options.experiments), "no such experiment file",
                                 "check the path given with --experiments"))


def _check_analysed(path: Path, run: Run, given: bool) -> None:
    """Half the pages read the run's analysis: without one, say that once."""
    if run.analysis:
        return
    problem = Problem(shown(path), "the run was never analysed, and the pages need its "
                      "analysis.json", f"analyse it first: charrnn analyze {shown(path)}")
    raise UsageError(problem) if given else BuildError([problem])


def _check_out(options: Options, log: Callable[[str], None]) -> None:
    needed = [options.site_src, options.package, options.cache, *filter(None, [options.run])]
    reason = None if options.check else refusal(options.out, needed)
    if reason:
        raise refused(options.out, reason)
    if not options.check:
        clean_stale(options.out, log)   # what killed builds left beside it


def _drift(options: Options, hashes: dict[str, str]) -> list[str]:
    path = options.site_src / "walkthrough.lock"
    problems = [Problem(shown(path), d.message, d.hint, d.section)
                for d in lock.compare(lock.read(path), hashes)]
    if problems and options.strict:
        raise BuildError(problems)
    return [str(p) for p in problems]


def _sweep(options: Options, log: Callable[[str], None]) -> Sweep | None:
    """The experiment matrix's runs: given with --run, or brought up to date by the
    sweep (which, with --check, trains nothing). None: --check found runs missing."""
    if options.run is not None:
        is_sweep = (options.run / "index.json").is_file()
        sweep = load_sweep(options.run) if is_sweep else single_run_sweep(options.run)
        apply_views(sweep, options.site_src / "variants.yaml", frozenset(COMPARISONS), strict=False)
        return sweep
    experiments = options.experiments or options.site_src / "experiments.yaml"
    folder = sweep_in_cache(options.package, experiments, options.cache, settings=options.settings,
                       workers=options.workers, scheduler=options.scheduler,
                       cached_only=options.check, log=log)
    sweep = load_sweep(folder)
    # Strict for the site's own matrix; another experiment file may hold other variants.
    apply_views(sweep, options.site_src / "variants.yaml", frozenset(COMPARISONS),
                strict=options.experiments is None)
    if sweep.missing:
        if options.check:
            return None
        raise BuildError([Problem(shown(sweep_folder(options.cache)),
                                  f"{len(sweep.missing)} run(s) of the experiments did not finish",
                                  "see the sweep's messages above")])
    return sweep


def _static(folder: Path) -> dict[str, bytes]:
    return {f"static/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
