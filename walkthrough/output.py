"""Write the site beside the output folder, then swap it in.

A failing build never touches the published folder; a finished one replaces it
with two renames, so a reader or a static server sees the old site or the new
one, never half of each.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def refusal(out: Path, keep: list[Path]) -> str | None:
    """Why ``out`` must not be replaced, or None. Replacing deletes the folder, so
    it must be a site this tool built (or absent), and hold nothing we need."""
    out = out.resolve()
    if out == Path(out.anchor) or out == Path.home().resolve():
        return f"{out} is the root or the home folder"
    for path in map(Path.resolve, keep):
        if path == out or out in path.parents or path in out.parents:
            return f"{out} overlaps {path}, which the build needs"
    if out.exists() and not out.is_dir():
        return f"{out} is a file"
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        return f"{out} is not empty and has no index.html: it does not look like a built site"
    return None


def write_site(out: Path, files: dict[str, bytes]) -> None:
    """Replace the folder ``out`` with exactly ``files`` (relative POSIX path -> content)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    moved = False
    try:
        for name, content in sorted(files.items()):
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        for folder in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)   # mkdtemp makes 0700: a web server must read it
        if out.exists():
            out.rename(old)
            moved = True
        tmp.rename(out)
    except BaseException:
        if moved and not out.exists():
            old.rename(out)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
