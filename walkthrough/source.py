"""Cut the code a section shows out of the package's own source.

Three ways to name it, best first:

- by symbol: ``generate_corpus``, ``Template`` or ``CharRNN.forward``, found with
  ``ast``. The excerpt runs from the first decorator to the last line of the body,
  and takes in the comment lines directly above (no blank line in between), since
  those comments are about the symbol. A module-level assignment
  (``CATEGORIES = {...}``) is a symbol too.
- by marker: the lines between ``# region NAME`` and ``# endregion NAME``.
  Marker lines are never shown, also inside another section's excerpt: the
  line numbers simply skip them.
- by line numbers ``[first, last]``: a last resort, since any edit above breaks it.

Symbols and markers follow the code when lines are added elsewhere in the file.
"""
from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import Refusal, clip, quote

MARKER = re.compile(r"^\s*#\s*(region|endregion)\s+(\S+)\s*$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Excerpt:
    """Lines ``first``..``last`` (1-based, inclusive) of ``file``, dedented,
    without marker comments; ``numbers`` gives each shown line its line number."""

    file: str               # relative to the package, POSIX style: "corpus.py"
    first: int
    last: int
    code: str               # no trailing newline
    numbers: tuple[int, ...]

    def label(self, package: str) -> str:
        return f"{package}/{self.file}:{self.first}-{self.last}"


class SourceError(Refusal):
    """The excerpt a section names cannot be cut from the source."""


def resolve(package: Path, name: str) -> Path:
    """The file ``name`` inside ``package``, refusing anything that leaves it."""
    shown = quote(name)
    if CONTROL.search(name):
        raise SourceError(f"file {shown} has a control character (a NUL byte, a newline...) "
                          "in its name", "write the file name as plain text, e.g. 'model.py'")
    pure = PurePosixPath(name)
    if pure.is_absolute() or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise SourceError(f"file {shown} is an absolute path",
                          f"give the path relative to {package.name}/, e.g. 'corpus.py'")
    if ".." in pure.parts:
        raise SourceError(f"file {shown} leaves the {package.name}/ package",
                          f"give a path inside {package.name}/ without '..'")
    if pure.parts and pure.parts[0] == package.name:
        raise SourceError(f"file {shown} repeats the package name",
                          f"paths are relative to {package.name}/: write "
                          f"{quote(str(PurePosixPath(*pure.parts[1:])))}")
    try:
        path = (package / pure).resolve()
    except (OSError, RuntimeError):   # RuntimeError: a loop of symbolic links
        raise SourceError(f"file {shown} cannot be resolved",
                          "point at a real file inside the package") from None
    if not path.is_relative_to(package.resolve()):
        raise SourceError(f"file {shown} resolves outside the {package.name}/ package",
                          "point at a real file inside the package, not a link out of it")
    if pure.suffix != ".py":
        raise SourceError(f"file {shown} is not a Python file",
                          f"name a .py file of the {package.name}/ package")
    if not path.is_file():
        present = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py"))
        raise SourceError(f"file {shown} does not exist in {package.name}/",
                          "name one of: " + ", ".join(present) if present else
                          f"the {package.name}/ package has no Python files yet")
    return path


def extract(package: Path, file: str, *, symbol: str | None = None,
            marker: str | None = None, lines: tuple[int, int] | None = None) -> Excerpt:
    """The excerpt named by exactly one of ``symbol``, ``marker`` or ``lines``."""
    text = read_source(resolve(package, file), file)
    source_lines = text.splitlines()
    if symbol is not None:
        first, last = symbol_span(text, symbol)
    elif marker is not None:
        first, last = marker_span(source_lines, marker)
    elif lines is not None:
        first, last = line_span(source_lines, lines)
    else:
        raise SourceError("no code named", "add one of: symbol, marker, lines")
    shown = [(n, source_lines[n - 1]) for n in range(first, last + 1)
             if not MARKER.match(source_lines[n - 1])]
    if not "".join(line for _, line in shown).strip():
        raise SourceError(f"lines {first}-{last} hold no code", "name lines that hold code")
    code = textwrap.dedent("\n".join(line for _, line in shown)).rstrip()
    numbers = tuple(n for n, _ in shown[:code.count("\n") + 1])
    return Excerpt(file, numbers[0], numbers[-1], code, numbers)


def read_source(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = error.object.count(b"\n", 0, error.start) + 1
        raise SourceError(f"file {quote(name)} is not UTF-8 text (line {line})",
                          "save the source file as UTF-8") from None
    except OSError as error:
        raise SourceError(f"file {quote(name)} cannot be read: {error.strerror}",
                          "check that the file exists and is readable") from None


def symbol_span(text: str, symbol: str) -> tuple[int, int]:
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise SourceError(f"the file does not parse (line {error.lineno}: {error.msg})",
                          "fix the syntax error in the source") from None
    body, node, path = tree.body, None, []
    for part in symbol.split("."):
        named = {name: n for n in body for name in _names(n)}
        if part not in named:
            scope = ".".join(path) or "the module"
            raise SourceError(f"symbol {quote(symbol)} not found: {quote(part)} is not defined "
                              f"in {scope}",
                              "name one of: " + ", ".join(named) if named else
                              f"{scope} defines nothing that can be shown")
        node = named[part]
        body = getattr(node, "body", [])
        path.append(part)
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    source_lines = text.splitlines()
    while first > 1 and _is_comment(source_lines[first - 2]):
        first -= 1
    return first, node.end_lineno


def _names(node: ast.stmt) -> list[str]:
    """The names a statement defines that a section may show, in source order."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#") and not MARKER.match(line)


def marker_span(source_lines: list[str], name: str) -> tuple[int, int]:
    found: dict[str, list[int]] = {"region": [], "endregion": []}
    for number, line in enumerate(source_lines, start=1):
        match = MARKER.match(line)
        if match and match.group(2) == name:
            found[match.group(1)].append(number)
    for kind, where in found.items():
        if len(where) != 1:
            count = "no" if not where else f"{len(where)}"
            raise SourceError(f"marker {quote(name)}: {count} '# {kind} {clip(name, 60)}' "
                              "line(s) in the file",
                              f"put exactly one '# region {clip(name, 60)}' line above the "
                              f"code and one '# endregion {clip(name, 60)}' line below it")
    start, end = found["region"][0] + 1, found["endregion"][0] - 1
    while start <= end and not source_lines[start - 1].strip():
        start += 1
    while end >= start and not source_lines[end - 1].strip():
        end -= 1
    if start > end:
        raise SourceError(f"marker {quote(name)} encloses no code",
                          f"put the code between '# region {clip(name, 60)}' and "
                          f"'# endregion {clip(name, 60)}'")
    return start, end


def line_span(source_lines: list[str], lines: tuple[int, int]) -> tuple[int, int]:
    first, last = lines
    if not 1 <= first <= last <= len(source_lines):
        raise SourceError(f"lines {first}-{last} are outside the file, which has "
                          f"{len(source_lines)} lines",
                          "give [first, last] with 1 <= first <= last <= "
                          f"{len(source_lines)}; better, name a symbol or a marker")
    return first, last


def locate(code: str, fragment: str) -> tuple[int, int] | None:
    """The 0-based first and last line of ``code`` that the first occurrence of
    ``fragment`` covers, or None. Runs of whitespace match any whitespace, so a
    fragment may span lines and need not copy the indentation."""
    words = fragment.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), code)
    if match is None:
        return None
    return code.count("\n", 0, match.start()), code.count("\n", 0, match.end() - 1)
