"""Run figures inside author text: ``{{ run.params | thousands }}``.

Prose, annotations and the overview intro are Jinja templates rendered in a
sandbox with one variable, ``run``. ``run.<name>`` is any field of summary.json,
config.json, corpus.json or analysis.json (summary wins where names repeat);
``run.summary.<name>``, ``run.config.<name>``, ``run.corpus.<name>`` and
``run.analysis.<name>`` name one file explicitly; ``run.vocab`` and
``run.console`` are vocab.json's characters and the console output of the run.
An unknown name is an error.
"""
from __future__ import annotations

import difflib
from typing import Any

import jinja2

from .errors import clip
from .run import Run
from .sandbox import BudgetedSandbox, OverBudget

NAMESPACES = ("config", "corpus", "analysis", "summary")   # later ones win when flattened


class Figures(dict):
    """A dict that knows its dotted name, so an unknown key can be reported as ``run.x.y``."""

    def __init__(self, name: str, values: dict):
        super().__init__({k: _wrap(f"{name}.{k}", v) for k, v in values.items()})
        self.name = name


def _wrap(name: str, value: Any) -> Any:
    return Figures(name, value) if isinstance(value, dict) else value


def figures_of(run: Run) -> Figures:
    files = {"config": run.config, "corpus": run.corpus, "analysis": run.analysis,
             "summary": run.summary}
    flat: dict[str, Any] = {}
    for namespace in NAMESPACES:
        flat.update(files[namespace])
    flat.update(files)
    flat["vocab"] = run.vocab
    flat["console"] = run.console
    return Figures("run", flat)


class FigureError(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


class _Unknown(jinja2.StrictUndefined):
    """StrictUndefined whose message names the figure and the closest known ones."""

    @property
    def _undefined_message(self) -> str:
        owner = self._undefined_obj
        if isinstance(owner, Figures):
            return f"unknown run figure '{owner.name}.{self._undefined_name}'"
        return super()._undefined_message


# Formatting filters, shared by the prose sandbox and the page templates.
def _number(value) -> float:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()   # report the unknown figure, not a format error
    return value


def thousands(value: float) -> str:
    """7256 -> '7,256'."""
    value = _number(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.0f}"


def fixed(value: float, digits: int = 3) -> str:
    """A float with a fixed number of decimals: 1.1 -> '1.100'."""
    return f"{_number(value):.{digits}f}"


def percent(value: float, digits: int = 0) -> str:
    """0.876 -> '88%'."""
    return f"{100 * _number(value):.{digits}f}%"


def duration(seconds: float) -> str:
    """372.4 -> '6 min 12 s'."""
    seconds = round(_number(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else \
        f"{minutes // 60} h {minutes % 60} min"


FILTERS = {"thousands": thousands, "fixed": fixed, "percent": percent, "duration": duration}

_sandbox = BudgetedSandbox(FILTERS, undefined=_Unknown, autoescape=False,
                           keep_trailing_newline=True)


def fill(text: str, figures: Figures) -> str:
    """Render ``text`` with ``run`` = ``figures``; raises FigureError on any mistake."""
    if "{" not in text:
        return text
    try:
        return _sandbox.render(text, run=figures)
    except OverBudget as error:
        raise FigureError(error.message, error.hint) from None
    except jinja2.TemplateSyntaxError as error:
        raise FigureError(f"template syntax error on line {error.lineno} of the text: "
                          f"{clip(error.message or '')}",
                          "write figures as {{ run.name }}; use {% raw %}...{% endraw %} "
                          "around literal braces") from None
    except jinja2.UndefinedError as error:
        raise FigureError(clip(str(error)), _suggest(str(error), figures)) from None
    except jinja2.TemplateError as error:   # sandbox refusals, bad filter use
        raise FigureError(f"template error: {clip(str(error))}",
                          "use only run figures and the filters "
                          "round, thousands, fixed, percent, duration") from None
    except (TypeError, ValueError) as error:
        raise FigureError(f"a filter failed: {clip(str(error))}",
                          "check that the figure is a number where a filter expects one") from None
    except Exception as error:   # the text is code: it can fail as any Python code can
        raise FigureError(f"the text failed: {type(error).__name__}: {clip(str(error))}",
                          "check the expressions in the text") from None


def _suggest(message: str, figures: Figures) -> str:
    name = message.rsplit("'", 2)[-2] if message.count("'") >= 2 else ""
    owner: Any = figures
    parts = name.split(".")[1:]
    for part in parts[:-1]:
        owner = owner.get(part, {}) if isinstance(owner, dict) else {}
    known = sorted(owner) if isinstance(owner, dict) else []
    close = difflib.get_close_matches(parts[-1] if parts else name, known, n=3)
    if close:
        return "did you mean " + " or ".join(f"'{owner.name}.{c}'" for c in close) + "?"
    return "known figures: " + ", ".join(known) if known else \
        "the figure must be in summary/config/corpus/analysis.json of the run"
