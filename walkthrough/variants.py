"""site_src/variants.yaml: how the site shows each variant of the experiments.

Which comparison charts section 20 draws for a variant, and whether the
training scrubber's run menu offers it, are the site's choices, kept beside the
content rather than in the experiment file the runner reads, so that changing
them redraws pages and retrains nothing.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from .errors import BuildError, Problem, quote, shown
from .run import Sweep
from .schema import FLAG, LIST, check_fields, read_yaml

FIELDS = {"compare": (LIST, False), "switcher": (FLAG, False)}


def apply_views(sweep: Sweep, path: Path, comparisons: frozenset[str], strict: bool) -> None:
    """Set each variant's ``compare`` and ``switcher`` from ``path`` (a missing file
    shows every variant with its loss bands only). ``strict``: a variant the sweep
    lacks is an error (the site's own matrix); otherwise it is skipped (a sweep
    given with --run may hold other variants). Raises BuildError."""
    if not path.is_file():
        return
    problems: list[Problem] = []
    data = read_yaml(path, problems) or {}
    known = {v.name: v for v in sweep.variants}
    for name, view in data.items():
        where = f"variant {quote(name)}"
        if name not in known:
            if strict:
                close = difflib.get_close_matches(str(name), known, n=1)
                problems.append(Problem(shown(path), f"{where} is not in the experiments",
                                        f"did you mean '{close[0]}'?" if close else
                                        "name a variant of experiments.yaml"))
            continue
        if not isinstance(view, dict):
            problems.append(Problem(shown(path), f"{where} must be a mapping",
                                    "write 'name: {compare: [...], switcher: true}'"))
            continue
        if not check_fields(view, FIELDS, path, None, where, problems):
            continue
        unknown = [c for c in view.get("compare", []) if c not in comparisons]
        if unknown:
            problems.append(Problem(shown(path), f"{where} asks for the comparison chart "
                                    f"{quote(unknown[0])}, which does not exist",
                                    "use one of: " + ", ".join(sorted(comparisons))))
            continue
        known[name].compare = list(view.get("compare", []))
        known[name].switcher = bool(view.get("switcher", False))
    if problems:
        raise BuildError(problems)
