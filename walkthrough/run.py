"""A finished training run, read from its directory (docs/run-format.md).

JSON files are read at once; the NumPy archives only when a chart asks for them,
so a rebuild whose charts are all cached never touches them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .errors import BuildError, Problem, shown

REQUIRED = ("summary.json", "config.json", "corpus.json", "vocab.json")


@dataclass
class Run:
    path: Path
    summary: dict
    config: dict
    corpus: dict
    analysis: dict   # empty until `charrnn analyze` has written analysis.json
    vocab: list[str]

    @cached_property
    def curves(self) -> dict[str, np.ndarray]:
        return self._arrays("curves.npz")

    @cached_property
    def snapshots(self) -> dict[str, np.ndarray]:
        return self._arrays("snapshots.npz")

    @cached_property
    def jacobians(self) -> dict[str, np.ndarray]:
        return self._arrays("jacobians.npz")

    @cached_property
    def weights(self) -> dict[str, np.ndarray]:
        return self._arrays("weights.npz")

    @cached_property
    def snapshot_info(self) -> dict:
        return _json(self.path / "snapshots.json")

    @cached_property
    def console(self) -> str:
        path = self.path / "console.txt"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def _arrays(self, name: str) -> dict[str, np.ndarray]:
        with np.load(self.path / name, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}


def load_run(path: Path) -> Run:
    missing = [name for name in REQUIRED if not (path / name).is_file()]
    if missing:
        raise BuildError([Problem(shown(path), "not a finished run directory: missing " +
                                  ", ".join(missing),
                                  "point at a directory written by `charrnn train`, or delete "
                                  "it so the build trains again")])
    analysis = path / "analysis.json"
    return Run(path=path, summary=_json(path / "summary.json"),
               config=_json(path / "config.json"), corpus=_json(path / "corpus.json"),
               analysis=_json(analysis) if analysis.is_file() else {},
               vocab=_json(path / "vocab.json")["chars"])


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
