"""Pages to HTML: one Jinja environment, one render function per page type.

The templates live in site_src/templates/ and extend ``base.html``. Every link
and asset reference is relative (``root`` is "" or "../"), so the site works
from file:// and under any path of any static host.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import jinja2

from .errors import BuildError, Problem, file_problem, shown
from .figures import FILTERS
from .files import unseal, write_sealed
from .pages import IndexPage, SectionPage
from .provenance import Provenance


class _Unreadable(Exception):
    def __init__(self, template: str, cause: OSError | UnicodeDecodeError):
        super().__init__(template)
        self.template, self.cause = template, cause


class _Loader(jinja2.FileSystemLoader):
    """A FileSystemLoader that says which template it could not read (a page
    template includes others, so the page alone does not tell)."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise
        except (OSError, UnicodeDecodeError) as error:
            raise _Unreadable(template, error) from None


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept between builds the way the other caches
    are: each entry starts with the SHA-256 of what follows, so a damaged one
    (truncated, garbage, one byte changed) is compiled again with a warning,
    never run. An entry that cannot be written is simply not kept."""

    def __init__(self, directory: Path, warn: Callable[[str], None]):
        self.directory, self.warn = directory, warn

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.directory / f"{bucket.key}.bin"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self._path(bucket)
        try:
            body, damage = unseal(path.read_bytes())
        except OSError:
            return   # not compiled yet
        if body is None:
            self.warn(f"{shown(path)}: damaged compiled template ({damage}): compiled again")
            return
        bucket.bytecode_from_string(body)   # Jinja still checks it against the source

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        body = bucket.bytecode_to_string()
        # A full or read-only cache folder keeps nothing: the next build compiles again.
        with contextlib.suppress(OSError):
            write_sealed(self._path(bucket), body)


def environment(templates: Path, site_title: str, compiled: Path | None = None,
                warn: Callable[[str], None] = print,
                retraining: tuple[int, int] | None = None,
                provenance: Provenance | None = None) -> jinja2.Environment:
    """The page templates' environment; ``compiled`` keeps their compiled form
    between builds (Jinja checks it against each template's source). ``retraining``
    (done, total): the pages are a preview from the walked run alone, and the rest
    of the matrix is still training. ``provenance``: the keys of the code shown and
    of the code behind the figures, for every page's footer."""
    cache = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            cache = _CompiledTemplates(compiled, warn)
        except OSError:
            cache = None   # no folder for it: every build compiles the templates
    env = jinja2.Environment(loader=_Loader(templates), bytecode_cache=cache,
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    env.globals["site_title"] = site_title
    env.globals["retraining"] = retraining
    env.globals["provenance"] = provenance
    return env


def render_index(env: jinja2.Environment, page: IndexPage) -> str:
    return _render(env, "index.html", page.path, page=page)


def render_section(env: jinja2.Environment, page: SectionPage) -> str:
    return _render(env, "section.html", page.path, page=page)


def _render(env: jinja2.Environment, template: str, path: str, **context) -> str:
    root = "../" * path.count("/")
    try:
        return env.get_template(template).render(root=root, **context)
    except jinja2.TemplateNotFound as error:
        where = Path(env.loader.searchpath[0]) / (error.name or template)
        raise BuildError([Problem(shown(where), "template not found",
                                  "restore it from version control")]) from None
    except _Unreadable as error:
        where = Path(env.loader.searchpath[0]) / error.template
        raise BuildError([file_problem(error.cause, where)]) from None
    except jinja2.TemplateSyntaxError as error:
        where = Path(env.loader.searchpath[0]) / (error.name or template)
        raise BuildError([Problem(shown(where), f"template syntax error: {error.message}",
                                  "fix the template", line=error.lineno)]) from None
    except jinja2.UndefinedError as error:
        where = Path(env.loader.searchpath[0]) / template
        raise BuildError([Problem(shown(where), f"while rendering {path}: {error}",
                                  "use only fields the page has (walkthrough/pages.py) "
                                  "and figures the run has")]) from None

