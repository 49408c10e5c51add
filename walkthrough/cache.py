"""The run cache: train only when the code or the training settings changed.

A run lives in ``.cache/runs/<key>/``, where the key hashes every ``*.py`` file
of the package together with the settings given on the command line. Settings
left out take TrainConfig's defaults, which live in the hashed source, so a
changed default retrains too. The package is imported only on a miss: a build
that finds its run never loads the training code (nor torch).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# Command-line settings, each the name of a TrainConfig field.
SETTINGS = ("steps", "hidden_size", "seq_len", "lr", "seed", "num_sentences")


def run_key(package: Path, settings: Mapping[str, object]) -> str:
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    digest.update(json.dumps(dict(settings), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def cached_run(cache: Path, key: str) -> Path | None:
    """The finished run for ``key``, if there is one (summary.json is written last)."""
    run_dir = cache / "runs" / key
    return run_dir if (run_dir / "summary.json").is_file() else None


def ensure_run(package: Path, settings: Mapping[str, object], cache: Path,
               log: Callable[[str], None] = print) -> Path:
    """The run directory for these sources and settings, training it if needed."""
    key = run_key(package, settings)
    run_dir = cache / "runs" / key
    if cached_run(cache, key) is None:
        log(f"no cached run for these sources and settings (key {key}): training")
        train_run(package, settings, run_dir)
    if not (run_dir / "analysis.json").is_file():
        log("analysing the run")
        analyze_run(package, run_dir)
    return run_dir


class Diverged(Exception):
    """Training stopped on a NaN or infinite loss: there is nothing worth publishing."""


def train_run(package: Path, settings: Mapping[str, object], run_dir: Path) -> None:
    _importable(package)
    from charrnn.train import TrainConfig, train
    summary = train(TrainConfig(**settings), run_dir)
    if summary["diverged"] is not None:
        # Keep the records for inspection, but never under the cache key.
        kept = run_dir.with_name(run_dir.name + "-diverged")
        shutil.rmtree(kept, ignore_errors=True)
        run_dir.rename(kept)
        raise Diverged(f"training diverged at step {summary['diverged']:,}; its records are in {kept}")


def analyze_run(package: Path, run_dir: Path) -> None:
    _importable(package)
    from charrnn.analysis import analyze
    analyze(run_dir)


def _importable(package: Path) -> None:
    root = str(package.resolve().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
