"""Build problems, worded for the author who has to fix them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, what, and what to do about it."""

    file: str                   # as the author would type it, e.g. site_src/sections/x.yaml
    message: str                # what is wrong, quoting the offending value
    hint: str = ""              # what to do
    section: str | None = None  # the section id, when known
    line: int | None = None     # 1-based, when known

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.section:
            where += f": section '{self.section}'"
        text = f"{where}: {self.message}"
        return f"{text}\n  fix: {self.hint}" if self.hint else text


class BuildError(Exception):
    """The build cannot go on; carries every problem found at the failing stage."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def shown(path: Path) -> str:
    """A path as the author knows it: relative to the working directory when possible."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
