"""The run cache: the experiment matrix, trained only where the code or the
settings changed.

The engine never imports the training code. It starts `python -m charrnn sweep`
as a process, from the folder that holds the subject package, so the runs come
from exactly the code the pages show, and reads what the sweep leaves in
``.cache/sweep/``: ``index.json`` and ``runs/<key>/``. A run's key covers the
package's code (as syntax trees, so comment-only edits keep it) and its
resolved settings; when every run is cached the sweep only checks the runs'
manifests and writes the index, in a fraction of a second, without loading
PyTorch.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import BuildError, Problem, shown

# The build's training options, each the name of a TrainConfig field; given on the
# command line they replace the experiment file's defaults for every variant.
SETTINGS = ("steps", "hidden_size", "seq_len", "lr", "num_sentences")


def sweep_folder(cache: Path) -> Path:
    return cache / "sweep"


def sweep_in_cache(package: Path, experiments: Path, cache: Path, *, settings: Mapping[str, object],
              workers: int | None = None, scheduler: str | None = None, cached_only: bool = False,
              only_walked: bool = False, log: Callable[[str], None] = print) -> Path:
    """Bring the sweep of ``experiments`` up to date in ``cache``; returns its folder.
    Raises BuildError with the sweep's own one-line message when it fails."""
    out = sweep_folder(cache).resolve()
    command = [sys.executable, "-m", package.name, "sweep", str(experiments.resolve()),
               "--out", str(out), "--progress", "lines", "--errors", "json"]
    command += [f"--set={name}={value}" for name, value in sorted(settings.items())]
    if workers is not None:   # the sweep refuses a count below 1 itself
        command += ["--workers", str(workers)]
    if scheduler:
        command += ["--scheduler", scheduler]
    if cached_only:
        command += ["--cached-only"]
    if only_walked:
        command += ["--only-walked"]
    root = str(package.resolve().parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    lines: deque[str] = deque(maxlen=50)
    try:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
    except OSError as error:
        raise BuildError([Problem(shown(package), f"cannot start the sweep: {error.strerror}",
                                  "check that Python can run the package")]) from None
    with process:
        for line in process.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            log(line)
    if process.returncode != 0:
        raise BuildError([_failure(process.returncode, lines, package, experiments, out)])
    return out


def _failure(status: int, lines: deque[str], package: Path, experiments: Path,
             out: Path) -> Problem:
    """The sweep's own account of its failure (its last JSON line, ``--errors
    json``), as a Problem pinned on the file or folder to fix."""
    error = next(filter(None, map(_error_of, reversed(lines))), None)
    if error is None:   # it died before it could say (killed, out of memory)
        last = lines[-1].strip() if lines else f"exit status {status}"
        return Problem(shown(package), f"the experiment sweep stopped: {last}",
                       f"`python -m {package.name} sweep {shown(experiments)} --out DIR` "
                       "shows the whole story")
    where = Path(error["path"]).resolve() if error.get("path") else None
    if where == out:   # the cache folder itself is in the way
        return Problem(shown(out), error["problem"], "move it away: the build keeps its trained runs there")
    if where == experiments.resolve() or status == 2:
        return Problem(shown(experiments), error["problem"],
                       error.get("fix") or "fix the experiment file or the build's settings")
    return Problem(shown(package), f"the experiment sweep failed: {error['problem']}",
                   f"`python -m {package.name} sweep {shown(experiments)} --out DIR` shows the "
                   "whole story; fix the package or the settings")


def _error_of(line: str) -> dict | None:
    """The error a line of the sweep's output reports as data, or None."""
    if not line.startswith('{"error"'):
        return None
    try:
        error = json.loads(line)["error"]
    except (ValueError, KeyError, TypeError):
        return None
    return error if isinstance(error, dict) and isinstance(error.get("problem"), str) else None
