"""The build, start to end: options -> run (cached) -> pages -> output."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import lock
from .annotate import place_all
from .cache import cached_run, ensure_run, run_key
from .charts import CHARTS
from .errors import BuildError, Problem, shown
from .exports import data_files
from .figures import figures_of
from .files import read_json
from .output import clean_stale, refusal, write_site
from .pages import chart_renderer, make_pages
from .render import environment, render_index, render_section
from .run import load_run
from .sections import load_site


@dataclass(frozen=True)
class Options:
    out: Path                  # the folder the site replaces
    site_src: Path             # site.yaml, sections/, templates/, static/, walkthrough.lock
    package: Path              # the subject program's source: charrnn/
    cache: Path                # .cache/: runs/<key>/ and charts/<hash>.svg
    settings: dict = field(default_factory=dict)   # TrainConfig fields given on the command line
    run: Path | None = None    # use this run directory instead of the cache
    check: bool = False        # validate only, write nothing (trains nothing)
    strict: bool = False       # code changed since the lock: an error, not a warning
    accept: bool = False       # record the current code hashes in the lock


@dataclass(frozen=True)
class Outcome:
    pages: int                 # pages rendered (0 when --check found no cached run)
    warnings: list[str]
    run: Path | None


def build(options: Options, log: Callable[[str], None] = print) -> Outcome:
    """Build the site; raises BuildError, leaving the previous output untouched."""
    _check_out(options, log)
    site = load_site(options.site_src, frozenset(CHARTS))
    placed = place_all(site.sections, options.package)
    hashes = {sid: lock.code_hash(p.excerpt.code) for sid, p in placed.items()}
    warnings = [] if options.accept else _drift(options, hashes)

    run_dir = _run_dir(options, log)
    if run_dir is None:
        return Outcome(0, warnings + ["no cached run for these settings, so run figures "
                                      "and charts were not checked; build once to train"], None)
    run = load_run(run_dir)
    theme = read_json(options.site_src / "chart-theme.json", "fix the JSON syntax of the theme")
    draw = chart_renderer(theme, options.cache / "charts", warnings.append)
    index, sections = make_pages(site, placed, run, figures_of(run), draw, options.package.name)

    env = environment(options.site_src / "templates", site.title)
    files = {page.path: render_section(env, page).encode() for page in sections}
    files[index.path] = render_index(env, index).encode()
    files.update(data_files(run, index, sections))
    files.update(_static(options.site_src / "static"))
    if options.accept:
        lock.write(options.site_src / "walkthrough.lock", hashes)
    if not options.check:   # last: the output changes only when all else succeeded
        write_site(options.out, files, log)
    return Outcome(len(sections) + 1, warnings, run_dir)


def _check_out(options: Options, log: Callable[[str], None]) -> None:
    reason = None if options.check else \
        refusal(options.out, [options.site_src, options.package, options.cache])
    if reason:
        raise BuildError([Problem(shown(options.out), f"will not replace the output: {reason}",
                                  "choose another --out (it is deleted and rewritten)")])
    if not options.check:
        clean_stale(options.out, log)   # what killed builds left beside it


def _drift(options: Options, hashes: dict[str, str]) -> list[str]:
    path = options.site_src / "walkthrough.lock"
    problems = [Problem(shown(path), d.message, d.hint, d.section)
                for d in lock.compare(lock.read(path), hashes)]
    if problems and options.strict:
        raise BuildError(problems)
    return [str(p) for p in problems]


def _run_dir(options: Options, log: Callable[[str], None]) -> Path | None:
    if options.run is not None:
        return options.run
    if options.check:
        return cached_run(options.cache, run_key(options.package, options.settings))
    try:
        return ensure_run(options.package, options.settings, options.cache, log)
    except Exception as error:   # the subject program failed: say so in one line
        raise BuildError([Problem(shown(options.package),
                                  f"training failed: {type(error).__name__}: {error}",
                                  "fix the package or the settings; `python -m charrnn train` "
                                  "shows the full traceback")]) from error


def _static(folder: Path) -> dict[str, bytes]:
    return {f"static/{p.relative_to(folder).as_posix()}": p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
