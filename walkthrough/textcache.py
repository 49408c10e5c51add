"""Rendered text, cached: after a prose edit, only the edited text is rendered again.

Filling run figures into an author's text, turning its Markdown into HTML and
highlighting the code are most of what a warm build does. Each result depends
on its input, on the run's figures and on the engine code that renders it, so
it is kept in .cache/text.json under a hash of the three. The file carries the
SHA-256 of its entries: a damaged one is discarded with a one-line warning and
everything is rendered again. Only the entries a build used are written back,
so the file never holds more than one site's worth.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import BuildError, file_problem, shown
from .files import unseal, write_sealed

# The engine code whose output is cached: a change to any of it renders anew.
RENDERERS = ("figures.py", "markup.py", "mathtext.py", "sandbox.py", "highlight.py")


class TextCache:
    def __init__(self, path: Path, figures: Any, warn: Callable[[str], None]):
        self.path, self.warn = path, warn
        code = b"".join((Path(__file__).with_name(name)).read_bytes() for name in RENDERERS)
        context = json.dumps(figures, sort_keys=True, default=str).encode()
        self.salt = hashlib.sha256(code + b"\0" + context).hexdigest()
        self.old = self._load()
        self.used: dict[str, Any] = {}

    def get(self, kind: str, source: str, make: Callable[[str], Any]) -> Any:
        """``make(source)``, or what it gave for the same source, figures and code."""
        key = hashlib.sha256(f"{self.salt}\0{kind}\0{source}".encode()).hexdigest()
        if key not in self.used:
            self.used[key] = self.old[key] if key in self.old else make(source)
        return self.used[key]

    def save(self) -> None:
        if self.used.keys() == self.old.keys():
            return
        body = json.dumps(self.used, sort_keys=True, separators=(",", ":")).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_sealed(self.path, body)
        except OSError as error:
            raise BuildError([file_problem(error, self.path, "write the text cache")]) from None

    def _load(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise BuildError([file_problem(error, self.path, "read the text cache")]) from None
        body, damage = unseal(data)
        try:
            if body is None:
                raise ValueError(damage)
            entries = json.loads(body)
            if not isinstance(entries, dict):
                raise ValueError("it is not a mapping")
        except ValueError as error:
            self.warn(f"{shown(self.path)}: damaged text cache ({error}): discarded, "
                      "rendering every text again")
            return {}
        return entries
