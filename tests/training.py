"""Train a short run and write it as a run directory, as `charrnn train` does."""
from __future__ import annotations

from pathlib import Path

from charrnn.config import TrainConfig
from charrnn.train import train
from runner.console import Console
from runner.runfiles import write_run


def train_into(path: Path, cfg: TrainConfig, console: Console | None = None) -> dict:
    """Train ``cfg`` quietly (or through ``console``) into ``path``; returns the summary."""
    console = console or Console("quiet")
    trained = train(cfg, console)
    write_run(path, trained, console.text)
    return trained.summary
