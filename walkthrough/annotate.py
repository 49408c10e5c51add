"""Cut each section's code and pin every annotation to the lines it explains.

Everything here is checked before any training starts, so a typo in a symbol or
a stale annotation fails the build in a second, not after a long run.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, Problem, quote, shown
from .sections import Section
from .source import Excerpt, SourceError, extract, locate


@dataclass(frozen=True)
class Placed:
    excerpt: Excerpt
    spans: dict[str, tuple[int, int]]   # annotation id -> first, last line in the file
    package: str = "charrnn"            # the folder the excerpt's file is in


def place_all(sections: tuple[Section, ...], package: Path) -> dict[str, Placed]:
    """Placed code for every section that shows code; raises BuildError listing all problems."""
    placed, problems = {}, []
    for section in sections:
        if section.code is None:
            continue
        try:
            placed[section.id] = place(section, package)
        except SourceError as error:
            problems.append(error.at(shown(section.path), section.id))
        except _Stale as error:
            problems.extend(error.problems)
    if problems:
        raise BuildError(problems)
    return placed


class _Stale(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def place(section: Section, subject: Path) -> Placed:
    """The section's excerpt, from the subject package or (``package:``) a
    package beside it, with the lines of each note."""
    ref = section.code
    package = subject.parent / ref.package if ref.package else subject
    excerpt = extract(package, ref.file, symbol=ref.symbol, marker=ref.marker, lines=ref.lines)
    spans, problems = {}, []
    for note in section.annotations:
        found = locate(excerpt.code, note.code)
        if found is None:
            problems.append(Problem(
                shown(section.path),
                f"annotation '{note.id}' is stale: its code {quote(note.code)} does not occur "
                f"in {package.name}/{excerpt.file}:{excerpt.first}-{excerpt.last}",
                "the code changed: update the annotation's 'code:' (and re-read its text), "
                "or remove the annotation", section.id))
        else:
            spans[note.id] = (excerpt.numbers[found[0]], excerpt.numbers[found[1]])
    if problems:
        raise _Stale(problems)
    return Placed(excerpt, spans, package.name)

