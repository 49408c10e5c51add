"""Build problems, worded for the author who has to fix them."""
from __future__ import annotations

import errno
import os
import reprlib
from dataclasses import dataclass
from pathlib import Path

QUOTE_LIMIT = 60   # characters of an author's value that a message repeats
MAX_SHOWN = 50     # problems a failed build lists


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
            # Problems are labelled with the id before it is validated: it may be anything.
            where += f": section {quote(self.section)}"
        text = f"{where}: {self.message}"
        return f"{text}\n  fix: {self.hint}" if self.hint else text


class Refusal(Exception):
    """What is wrong and the fix, found where the file it is in is not known (a
    chart function, the Markdown renderer, the sandbox). The caller that knows
    the file turns it into a Problem with ``at``. Each stage raises a subclass of
    its own, so a caller catches only the refusals of the stage it called."""

    default_hint = ""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint or self.default_hint

    def at(self, file: str, section: str | None = None, what: str = "") -> Problem:
        return Problem(file, f"{what}: {self.message}" if what else self.message,
                       self.hint, section)


class BuildError(Exception):
    """The build cannot go on; carries every problem found at the failing stage."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = list(problems)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"... and {len(self.problems) - MAX_SHOWN:,} more problems")
        return "\n".join(lines)


class UsageError(BuildError):
    """A command-line value the build refuses before doing any work (an output
    folder it must not replace, a port out of range): build.py prints it on one
    line and exits 2, as argparse does for the values it checks itself."""

    def __init__(self, problem: Problem):
        super().__init__([problem])
        self.problem = problem

    def line(self) -> str:
        p = self.problem
        return f"{p.file}: {p.message}" + (f"; {p.hint}" if p.hint else "")


def shown(path: Path) -> str:
    """A path as the author knows it: relative to the working directory when possible."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):   # elsewhere, or unresolvable (a NUL byte, a loop)
        return Path(path).as_posix()


_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = _repr.maxlong = QUOTE_LIMIT
_repr.maxlevel = 2


def clip(text: str, limit: int = 200) -> str:
    """``text`` on one line (runs of whitespace, newlines too, become one space;
    other invisible characters an escape such as ``\\x00``), cut to at most
    ``limit`` characters. Only the start of a long text is read."""
    one_line = " ".join(text[:limit * 4].split())
    one_line = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in one_line)
    if len(one_line) > limit or len(text) > limit * 4:
        one_line = one_line[:limit - 3] + "..."
    return one_line


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """An author's value as every message repeats it: on one line and at most about
    ``limit`` characters, so that a huge or hostile value (a megabyte of text, a
    deeply nested list) can neither flood the terminal nor take long to print.
    Text is shown in single quotes, anything else as a shortened repr."""
    if isinstance(value, str):
        return f"'{clip(value, limit)}'"
    try:
        text = _repr.repr(value)
    except Exception:   # a value whose repr fails: say what it is, not what is in it
        text = f"<{type(value).__name__}>"
    return clip(text, limit)


# What to do about an operating-system error, by its errno.
_OS_FIXES = {
    errno.ENOSPC: "free some space on that disk, or build somewhere else",
    errno.EDQUOT: "free some space within your disk quota, or build somewhere else",
    errno.EACCES: "make it readable and writable for you, or use another location",
    errno.EPERM: "make it readable and writable for you, or use another location",
    errno.EROFS: "the file system is read-only: use a location on a writable one",
    errno.ENOTDIR: "a file stands where the path needs a folder: move that file away",
    errno.EEXIST: "a file stands where the path needs a folder: move that file away",
    errno.EISDIR: "a folder stands where the path needs a file: move that folder away",
    errno.ENOENT: "check the path: a file or folder it names does not exist",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.ELOOP: "the path runs through a loop of symbolic links: fix the links",
    errno.EMFILE: "too many files are open: close other programs and try again",
}


def file_problem(error: OSError | UnicodeError, path: Path | None,
                 doing: str = "read it") -> Problem:
    """A Problem for a file the build could not ``doing`` ("read it", "write the site"...):
    an operating-system error, or bytes that are not UTF-8 text. It names ``path``
    (by default the file the error names) and what to do, never a traceback."""
    if isinstance(error, UnicodeDecodeError) and path is not None:
        data = error.object
        line = data.count(b"\n", 0, error.start) + 1
        return Problem(shown(path), f"is not UTF-8 text (byte 0x{data[error.start]:02x} "
                       f"at line {line})", "save the file as UTF-8", line=line)
    named = getattr(error, "filename", None)
    culprit = Path(os.fsdecode(named)) if isinstance(named, (str, bytes, os.PathLike)) else None
    where = path or culprit
    if where is None:
        return Problem("(unknown file)", f"cannot {doing}: {quote(str(error), 200)}",
                       "check the files the build reads and writes")
    if not isinstance(error, OSError):
        return Problem(shown(where), f"cannot {doing}: {quote(str(error), 200)}",
                       "check the file")
    detail = f" ({shown(culprit)})" if culprit is not None and culprit != Path(where) else ""
    hint = _OS_FIXES.get(error.errno, "check the path and its permissions, then build again")
    return Problem(shown(where), f"cannot {doing}: {error.strerror or error}{detail}", hint)
