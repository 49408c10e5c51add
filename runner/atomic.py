"""Replacing a file or a folder so that a reader sees the old one or the new one,
never half of either, and a crash leaves only hidden siblings to clear.

The run format (rundir.py) and the site's output (walkthrough/output.py) both
publish this way; the temporary siblings are named ``.NAME.tmp-PID...`` and
``.NAME.old-PID-...``, so whoever cleans up can tell whose they were.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: written beside it, then renamed over it.
    Raises OSError, leaving no temporary behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):   # the first error is the one worth reporting
            tmp.unlink(missing_ok=True)
        raise


def write_folder(target: Path, files: Mapping[str, bytes], tag: str = "tmp") -> None:
    """Write ``files`` (relative path -> bytes, in that order) as the folder
    ``target``: into a hidden sibling ``.NAME.TAG-PID-...`` first, swapped in only
    once it is whole; the previous folder is deleted after. Raises OSError,
    leaving ``target`` as it was and no sibling behind."""
    target = Path(target)
    new = Path(tempfile.mkdtemp(prefix=f".{target.name}.{tag}-{os.getpid()}-", dir=target.parent))
    try:
        for name, content in files.items():
            path = new / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        for folder in [new, *(p for p in new.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)   # mkdtemp makes 0700: a web server must read it
        old = swap_folder(new, target)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def swap_folder(new: Path, target: Path) -> Path | None:
    """Put the folder ``new`` at ``target``; return where the previous ``target``
    now is, for the caller to delete (None if there was none). One step where
    the system can exchange two paths (Linux's renameat2), two renames elsewhere."""
    if not target.exists():
        new.rename(target)
        return None
    if _exchange(new, target):
        return new
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    target.rename(old)   # POSIX rename replaces the empty folder mkdtemp made
    try:
        new.rename(target)
    except BaseException:
        old.rename(target)
        raise
    return old


AT_FDCWD, RENAME_EXCHANGE = -100, 2


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    if sys.platform != "linux":
        return None
    return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
