"""Which code made the figures, held against the code the pages show.

Every run records the key of the code that trained it and of the code that
analysed it (runner.rundir: the manifest's ``made_by``). The pages print the
subject package's code as it is now. When the two differ, a figure would sit
beside code that did not make it, so the build refuses; an author who means to
publish anyway says so (``--allow-other-code``), and then every page says it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner import rundir

from .errors import BuildError, Problem, shown
from .run import Entry, Sweep


@dataclass(frozen=True)
class Provenance:
    code_key: str                 # the code the pages show: the package's syntax trees
    run_key: str | None           # the run the sections walk through (None: not recorded)
    made_by: tuple[str, ...]      # every key of code that made a run behind the figures

    @property
    def other_code(self) -> bool:
        """Some figure comes from code other than the code shown (or from code
        that no run recorded)."""
        return self.made_by != (self.code_key,)


def provenance(package: Path, sweep: Sweep, allow_other_code: bool = False) -> Provenance:
    """The keys behind the pages; BuildError when a run was made by other code
    than ``package`` holds now, unless ``allow_other_code``."""
    code = rundir.code_key(package)
    keys: set[str] = set()
    for entry in (e for variant in sweep.variants for e in variant.entries):
        made_by = _made_by(entry)
        keys.update(made_by.values() or ["unrecorded"])
        if set(made_by.values()) != {code} and not allow_other_code:
            raise BuildError([_other_code(entry, made_by, code, package)])
    # The key the sweep names a run by: the code that trained it and its settings.
    trained_by = _made_by(sweep.walked).get("train")
    run_key = rundir.run_key(trained_by, sweep.walked.config) if trained_by else None
    return Provenance(code, run_key, tuple(sorted(keys)))


def _made_by(entry: Entry) -> dict[str, str]:
    try:
        return rundir.made_by(entry.path)
    except rundir.RunError as error:
        raise BuildError([Problem(shown(error.path), error.problem, error.fix)]) from None


def _other_code(entry: Entry, made_by: dict[str, str], code: str, package: Path) -> Problem:
    made = (", ".join(f"{key} ({step})" for step, key in made_by.items()) if made_by
            else "code it does not record (it predates runs recording it)")
    return Problem(
        shown(entry.path),
        f"its figures come from other code than the pages show: the run was made by {made}, "
        f"and {shown(package)} is now code {code}",
        "train and analyse it again from this code (`python build.py` without --run does), "
        "or pass --allow-other-code to publish it anyway, saying so on every page")
