#!/usr/bin/env python3
"""Time what an author waits for after editing the taught code under --serve.

    python bench/bench_code_edit.py              # the default matrix
    python bench/bench_code_edit.py --steps 3000 # every run shorter

In a copy of the project (charrnn/, runner/, site_src/, build.py; the engine is the
repository's own), with the build's cache copied in when the
repository has one:

1. a plain `build.py`, which trains whatever is not cached yet;
2. `build.py --serve`, then a one-line change to a taught function
   (train.py's divergence check), timed from the moment the file is saved:
   - to the first reload: the walked run retrained and its pages published,
     marked as a preview (goal: under 20 s on an idle 2-core machine);
   - to the complete site: every run of the matrix retrained.

The server's /__version is what the pages poll to reload, so it is what this
measures. Exit status 1 when the goal is missed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"first_reload_seconds": 20.0}
EDIT = ("recent = recorder.mean_recent_loss(DIVERGENCE_WINDOW)",
        "recent = recorder.mean_recent_loss(DIVERGENCE_WINDOW + 0)")


def version(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__version", timeout=5) as answer:
            return int(answer.read())
    except OSError:   # not listening yet
        return -1


def wait_for(port: int, at_least: int, seconds: float) -> float:
    """Seconds until the server's version reaches ``at_least``."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if version(port) >= at_least:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"bench_code_edit: no version {at_least} after {seconds:g} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_project(work: Path) -> None:
    for name in ("charrnn", "runner", "site_src"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", work / "build.py")
    if (ROOT / ".cache" / "sweep").is_dir():
        shutil.copytree(ROOT / ".cache" / "sweep", work / ".cache" / "sweep")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, help="train every run this many steps")
    args = parser.parse_args()
    steps = ["--steps", str(args.steps)] if args.steps else []
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_project(work)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}   # walkthrough/; charrnn/ and runner/ are the copies
        started = time.perf_counter()
        subprocess.run([sys.executable, "build.py", *steps], cwd=work, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results["first_build_seconds"] = time.perf_counter() - started
        port = free_port()
        with (work / "serve.log").open("w") as log:
            server = subprocess.Popen([sys.executable, "build.py", "--serve", "--port", str(port),
                                       *steps], cwd=work, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_for(port, 1, 600)
                train = work / "charrnn" / "train.py"
                train.write_text(train.read_text().replace(*EDIT), encoding="utf-8")
                results["first_reload_seconds"] = wait_for(port, 2, 600)
                results["complete_site_seconds"] = results["first_reload_seconds"] + wait_for(
                    port, 3, 1800)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    for name, value in results.items():
        target = TARGETS.get(name)
        ratio = "" if target is None else f"  ratio to target {value / target:.2f}"
        print(f"{name:24} {value:9.2f}{ratio}")
    missed = [name for name, target in TARGETS.items() if results[name] > target]
    for name in missed:
        print(f"target missed: {name} {results[name]:.2f} (target {TARGETS[name]})", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
