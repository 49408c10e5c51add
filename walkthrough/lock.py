"""site_src/walkthrough.lock: the code each section's notes were last reviewed against.

The lock maps a section id to a hash of the code the section shows: its content
only (dedented, trailing spaces ignored), so lines inserted above a symbol do
not change it, while any edit inside the shown code does. A build compares the
current hashes with the lock and reports each section whose code changed, or
that was never reviewed; ``build.py --accept`` records the current hashes once
the author has re-read the notes.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, Problem, file_problem, quote, shown
from .files import read_json, write_atomic

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
REPAIR = ("restore it from version control (`git checkout -- site_src/walkthrough.lock`), "
          "or run `python build.py --accept` after re-reading every section's notes")


def code_hash(code: str) -> str:
    normal = "\n".join(line.rstrip() for line in code.strip("\n").splitlines())
    return "sha256:" + hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Drift:
    section: str
    state: str   # "changed" or "unreviewed"

    @property
    def message(self) -> str:
        if self.state == "changed":
            return "its code changed since its notes were last reviewed"
        return "its notes were never reviewed (the section is not in the lock file)"

    hint = "re-read the section's prose and annotations, then run `python build.py --accept`"


def read(path: Path) -> dict[str, str]:
    """Section id -> code hash; an absent lock is empty, a damaged one a BuildError."""
    if not path.exists():
        return {}
    data = read_json(path, REPAIR)
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, dict):
        raise BuildError([Problem(shown(path), "is not a lock file: it must hold "
                                  '{"sections": {"<section id>": "sha256:..."}}', REPAIR)])
    for sid, digest in sections.items():
        if not isinstance(digest, str) or not DIGEST.match(digest):
            raise BuildError([Problem(shown(path), f"the entry of section {quote(sid)} is not "
                                      f"a code hash: {quote(digest)}", REPAIR)])
    return sections


def compare(locked: dict[str, str], current: dict[str, str]) -> list[Drift]:
    """Sections whose current hash differs from the lock, in id order."""
    return [Drift(sid, "changed" if sid in locked else "unreviewed")
            for sid, digest in sorted(current.items()) if locked.get(sid) != digest]


def write(path: Path, current: dict[str, str]) -> None:
    text = json.dumps({"sections": dict(sorted(current.items()))}, indent=1, sort_keys=True)
    try:
        write_atomic(path, (text + "\n").encode())
    except OSError as error:
        raise BuildError([file_problem(error, path, "record the reviewed code")]) from None
