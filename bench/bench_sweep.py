#!/usr/bin/env python3
"""Time the experiment matrix and the builds that run it, on this machine.

    python bench/bench_sweep.py            # the default matrix (site_src/experiments.yaml)
    python bench/bench_sweep.py --steps 3000 --skip-serial

1. the default matrix swept serially (`--workers 1`), as the reference;
2. a cold default build, empty cache: the same matrix swept with `--workers 2`
   inside the build, then every page and chart drawn. The sweep's share of it is
   timed from the build's own log, so the speed-up compares the two sweeps
   measured in this one call (timings on a shared machine swing with its load,
   ratios much less);
3. a warm build after a prose edit in one section: the sweep finds every run
   in the cache and only the pages are written again.

It also prints what one run costs, from the cold cache's own timing.json files:
training and analysis (the test set, the units' null of untrained networks and
the baselines are analysis), as means over the runs, and writing (a few runs
written again through the run format's writer).

Everything happens in a temporary folder; the repository and its cache are
left alone. Prints each figure with its ratio to the target; exit status 1
when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The cold build's target grows with the matrix: 240 s was set for 43 runs.
SECONDS_PER_RUN = 240.0 / 43
TARGETS = {"speedup": 1.8, "warm_build_seconds": 2.0}

BUILD = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from walkthrough.site import Options, build
marks = []
def log(line):
    if line.startswith("sweep: "):
        marks.append(time.perf_counter())
started = time.perf_counter()
build(Options(out=Path({out!r}), site_src=Path({site_src!r}), package=Path({package!r}),
              cache=Path({cache!r}), settings={settings!r}, workers=2), log=log)
print("SWEEP", marks[-1] - started if marks else 0.0)
"""


def sweep_serially(experiments: Path, out: Path, settings: dict) -> float:
    command = [sys.executable, "-m", "charrnn", "sweep", str(experiments), "--out", str(out),
               "--workers", "1", "--quiet", *[f"--set={k}={v}" for k, v in settings.items()]]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    return time.perf_counter() - started


def build(work: Path, settings: dict) -> tuple[float, float]:
    """(the whole build, its sweep) in seconds, in a fresh process."""
    script = BUILD.format(root=str(ROOT), out=str(work / "_site"), site_src=str(work / "site_src"),
                          package=str(ROOT / "charrnn"), cache=str(work / "cache"), settings=settings)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                            capture_output=True, text=True)
    total = time.perf_counter() - started
    sweep = float(next(line.split()[1] for line in result.stdout.splitlines()
                       if line.startswith("SWEEP")))
    return total, sweep


def run_costs(cache: Path) -> dict[str, float]:
    """Mean training and analysis seconds per run, and how many runs there were."""
    timings = [json.loads(path.read_text()) for path in (cache / "sweep" / "runs").glob("*/timing.json")]
    if not timings:
        return {}
    mean = lambda key: sum(t.get(key) or 0.0 for t in timings) / len(timings)   # noqa: E731
    return {"runs": float(len(timings)), "train_seconds_per_run": mean("train_seconds"),
            "analysis_seconds_per_run": mean("analysis_seconds"),
            "write_seconds_per_run": write_seconds(cache)}


def write_seconds(cache: Path, how_many: int = 5) -> float:
    """What writing one run costs the sweep: a few of the cache's runs, read as the
    bytes a worker hands back and written again through the run format's writer
    (temporary folder, every file checked, the manifest, the rename)."""
    sys.path.insert(0, str(ROOT))
    from runner import rundir
    runs = sorted((cache / "sweep" / "runs").iterdir())[:how_many]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for i, run in enumerate(runs):
            rundir.write(Path(tmp) / str(i), rundir.read_all(run), made_by=rundir.made_by(run))
        return (time.perf_counter() - started) / len(runs)


def edit_prose(site_src: Path) -> None:
    path = site_src / "sections" / "12-the-training-loop.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Everything so far comes together here.",
                                 "Everything so far comes together here, at last.", 1),
                    encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, help="train every run this many steps (default: "
                                                  "the experiment file's, 30,000)")
    parser.add_argument("--skip-serial", action="store_true", help="no serial sweep, no speed-up")
    args = parser.parse_args()
    settings = {"steps": args.steps} if args.steps else {}
    experiments = ROOT / "site_src" / "experiments.yaml"
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "site_src", work / "site_src")
        serial = None if args.skip_serial else sweep_serially(experiments, work / "serial", settings)
        cold, sweep = build(work, settings)
        results.update(run_costs(work / "cache"))
        edit_prose(work / "site_src")
        warm, _ = build(work, settings)
    if serial is not None:
        results["serial_sweep_seconds"] = serial
        results["parallel_sweep_seconds"] = sweep
        results["speedup"] = serial / sweep
    results["cold_build_seconds"] = cold
    if "runs" in results and not args.steps:
        TARGETS["cold_build_seconds"] = SECONDS_PER_RUN * results["runs"]
    results["warm_build_seconds"] = warm
    for name, value in results.items():
        target = TARGETS.get(name)
        ratio = "" if target is None else f"  ratio to target {value / target:.2f}"
        print(f"{name:24} {value:9.2f}{ratio}")
    missed = [name for name, target in TARGETS.items() if name in results and (
        results[name] < target if name == "speedup" else results[name] > target)]
    for name in missed:
        print(f"target missed: {name} {results[name]:.2f} (target {TARGETS[name]})", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
