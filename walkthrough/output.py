"""Write the site beside the output folder, then swap it in.

A failing build never touches the published folder. A finished one writes the
new site into a hidden folder beside it and exchanges the two in one step
(Linux's renameat2 with RENAME_EXCHANGE; two quick renames elsewhere), so a
reader or a static server sees the old site or the new one, never half of each.

One build at a time publishes into a folder: the others wait on a lock file
beside it (``.<name>.lock``, taken with ``filelock``; the system releases it
when its holder dies). Waiting, rather than failing, is right here: the lock is
held only while files are written and swapped, a second or so, and the build
that waited then publishes the newer site. Each build starts by clearing, under
the same lock, what killed builds left behind: half-written ``.<name>.new-*``
folders and old sites that were not yet deleted.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from runner import rundir
from runner.atomic import write_folder

from .errors import BuildError, Problem, UsageError, file_problem, shown

LOCK_WAIT = 120   # seconds a build waits for another one to finish publishing


# Every site this build writes holds this file, listing the files it wrote: the
# one sign that a folder may be replaced. An index.html is no such sign: many
# folders of a user's have one.
MARK = ".charrnn-walkthrough"
FIX = "choose a new or empty folder for --out, or move those files away yourself"


def mark_bytes(names) -> bytes:
    return (json.dumps({"written_by": "build.py (charrnn walkthrough)", "format": 1,
                        "files": sorted(names)}, indent=1) + "\n").encode()


def written(out: Path) -> set[str] | None:
    """The files that the mark in ``out`` says this build wrote (the mark included);
    None when there is no readable mark."""
    try:
        files = json.loads((out / MARK).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return None
    return {*files, MARK}


def refusal(out: Path, keep: list[Path]) -> str | None:
    """Why ``out`` must not be replaced, or None. Replacing deletes the folder, so
    it must be absent, empty, or a site this build wrote holding nothing else."""
    try:
        out = out.resolve()
        keep = [path.resolve() for path in keep]
    except (OSError, RuntimeError) as error:   # RuntimeError: a loop of symbolic links
        return f"cannot be resolved: {error}"
    if out == Path(out.anchor) or out == Path.home().resolve():
        return "is the root or the home folder"
    for path in keep:
        if path == out or out in path.parents or path in out.parents:
            return f"overlaps {shown(path)}, which the build needs"
    if out.exists() and not out.is_dir():
        return "is a file"
    return not_ours(out) if out.is_dir() else None


def not_ours(out: Path) -> str | None:
    """What in the folder ``out`` this build did not write (what replacing it would
    delete), as a reason to refuse; None when there is nothing."""
    try:
        known = written(out)
        found = rundir.strays(out, known or set())
    except OSError as error:
        return f"cannot be read to see what is in it ({error.strerror or error})"
    if not found:
        return None
    if known is None:
        return (f"is not a site this build wrote (it has no {MARK} mark) and holds "
                f"{rundir.listing(found)}; replacing it would delete {rundir.them(found)}")
    return (f"holds {rundir.listing(found)} that this build did not write; "
            f"replacing the site would delete {rundir.them(found)}")


def refused(out: Path, reason: str) -> UsageError:
    return UsageError(Problem(shown(out), f"will not replace it: {reason}", FIX))


def write_site(out: Path, files: dict[str, bytes],
               log: Callable[[str], None] = lambda message: None) -> None:
    """Replace the folder ``out`` with exactly ``files`` (relative POSIX path -> content)
    and the mark. Raises BuildError, naming the folder and what to do, if it cannot,
    and UsageError if something of someone else's came into it since the build began."""
    out = out.resolve()
    files = {**files, MARK: mark_bytes(files)}
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _holding(out, log):
            reason = not_ours(out) if out.is_dir() else None
            if reason:   # checked again under the lock: the build may have taken minutes
                raise refused(out, reason)
            write_folder(out, dict(sorted(files.items())), tag="new")
    except OSError as error:
        raise BuildError([file_problem(error, out, "write the site")]) from None


def clean_stale(out: Path, log: Callable[[str], None] = lambda message: None) -> None:
    """Delete what killed builds left beside ``out``: half-written new folders and
    old sites not yet deleted. If a build died between the two renames of the
    fallback swap, ``out`` is missing and the newest old folder is the last
    published site: that one is put back instead. Raises BuildError if it cannot."""
    out = out.resolve()
    if not out.parent.is_dir():
        return
    try:
        with _holding(out, log):   # then no other build is using any of these folders
            _clean(out)
    except OSError as error:
        raise BuildError([file_problem(error, out, "write the site")]) from None


@contextmanager
def _holding(out: Path, log: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of ``out``, waiting up to LOCK_WAIT seconds for another build."""
    lock = FileLock(out.with_name(f".{out.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log(f"waiting: another build is writing {shown(out)}")
        try:
            lock.acquire(timeout=LOCK_WAIT)
        except Timeout:
            raise BuildError([Problem(
                shown(out), f"another build has been writing it for {LOCK_WAIT} s",
                f"let that build finish, or stop it; its lock is {shown(Path(lock.lock_file))}"
            )]) from None
    try:
        yield
    finally:
        lock.release()


def _leftovers(out: Path) -> list[Path]:
    prefixes = (f".{out.name}.new-", f".{out.name}.old-")
    return [path for path in out.parent.iterdir() if path.name.startswith(prefixes)]


def _clean(out: Path) -> None:
    leftovers = _leftovers(out)
    old = sorted((p for p in leftovers if p.name.startswith(f".{out.name}.old-")),
                 key=lambda p: p.lstat().st_mtime)
    if old and not out.exists():
        old[-1].rename(out)
        leftovers.remove(old[-1])
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
