"""Run figures inside author text: ``{{ run.params | thousands }}``.

Prose, annotations and the overview intro are Jinja templates rendered in a
sandbox with one variable, ``run``. ``run.<name>`` is any field of summary.json,
config.json, corpus.json, analysis.json or timing.json of the walked-through run
(summary wins where names repeat); ``run.summary.<name>``, ``run.config.<name>``,
``run.corpus.<name>``, ``run.analysis.<name>`` and ``run.timing.<name>`` name one
file explicitly; ``run.vocab`` and ``run.console`` are vocab.json's characters
and the console output of the run.

Over seeds (walkthrough/over_seeds.py): ``run.seeds.<metric>`` is a metric of
the walked-through variant over its training seeds ({mean, sd, min, max, n,
values, seeds, walked}), and ``run.experiments['<variant>'].<metric>`` the same
for any variant; ``{{ run.seeds.test_selected | pm(3) }}`` prints
"0.425 ± 0.006". ``run.evidence`` holds the tests behind every sentence that
compares two numbers (walkthrough/evidence.py). An unknown name is an error.
"""
from __future__ import annotations

import difflib
from typing import Any

import jinja2

from .errors import Refusal, clip
from .evidence import evidence
from .over_seeds import all_variants
from .run import Run, Sweep
from .sandbox import BudgetedSandbox

NAMESPACES = ("config", "corpus", "analysis", "timing", "summary")   # later ones win when flattened


class Figures(dict):
    """A dict that knows its dotted name, so an unknown key can be reported as ``run.x.y``."""

    def __init__(self, name: str, values: dict):
        super().__init__({k: _wrap(f"{name}.{k}", v) for k, v in values.items()})
        self.name = name


def _wrap(name: str, value: Any) -> Any:
    return Figures(name, value) if isinstance(value, dict) else value


def figures_of(run: Run, sweep: Sweep | None = None) -> Figures:
    files = {"config": run.config, "corpus": run.corpus, "analysis": run.analysis,
             "timing": run.timing, "summary": run.summary}
    flat: dict[str, Any] = {}
    for namespace in NAMESPACES:
        flat.update(files[namespace])
    flat.update(files)
    flat["vocab"] = run.vocab
    flat["console"] = run.console
    if sweep is not None:
        variants = all_variants(sweep)
        flat["seeds"] = variants[sweep.walk[0]]
        flat["experiments"] = variants
        flat["evidence"] = evidence(sweep)
    return Figures("run", flat)


class FigureError(Refusal):
    """A run figure or a condition in an author's text that cannot be filled in."""


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
    """372.4 -> '6 min 12 s'; under ten seconds one decimal is kept, so that a
    spread over seeds does not round to '± 0 s': 9.43 -> '9.4 s'."""
    if _number(seconds) < 9.95:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else \
        f"{minutes // 60} h {minutes % 60} min"


def pm(stats: dict, digits: int = 3) -> str:
    """A metric over seeds as 'mean ± sd': {mean: 0.4312, sd: 0.0061} -> '0.431 ± 0.006'.
    With one seed there is no spread to show, and only the value is printed."""
    mean, sd = _number(stats)["mean"], stats.get("sd")
    return f"{mean:.{digits}f}" if sd is None else f"{mean:.{digits}f} ± {sd:.{digits}f}"


def pm_percent(stats: dict, digits: int = 0) -> str:
    """The same as a percentage: {mean: 0.966, sd: 0.008} -> '96.6% ± 0.8%' (digits=1)."""
    mean, sd = _number(stats)["mean"], stats.get("sd")
    text = f"{100 * mean:.{digits}f}%"
    return text if sd is None else f"{text} ± {100 * sd:.{digits}f}%"


def pvalue(p: float) -> str:
    """A p-value as a sentence quotes it: 0.0123 -> 'p = 0.012', 2e-5 -> 'p < 0.001'."""
    p = _number(p)
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


FILTERS = {"thousands": thousands, "fixed": fixed, "percent": percent, "duration": duration,
           "pm": pm, "pm_percent": pm_percent, "pvalue": pvalue}

_sandbox = BudgetedSandbox(FILTERS, undefined=_Unknown, autoescape=False,
                           keep_trailing_newline=True)


def fill(text: str, figures: Figures) -> str:
    """Render ``text`` with ``run`` = ``figures``; raises FigureError on any mistake,
    OverBudget on text that would take too much to render."""
    if "{" not in text:
        return text
    try:
        return _sandbox.render(text, run=figures)
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
                          "round, thousands, fixed, percent, duration, pm, pm_percent, pvalue") from None
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
    if not known:
        return "the figure must be in summary/config/corpus/analysis.json of the run"
    return "known figures: " + _names_within(known, 400)


def _names_within(names: list[str], limit: int) -> str:
    """As many of ``names`` as fit in about ``limit`` characters, then how many more:
    a message stays one readable line however many figures a run has."""
    shown: list[str] = []
    for name in names:
        if sum(len(n) + 2 for n in shown) + len(name) > limit:
            return ", ".join(shown) + f" and {len(names) - len(shown)} more"
        shown.append(name)
    return ", ".join(shown)
