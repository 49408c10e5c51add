"""Training speed, recording overhead, run size and peak memory.

    python bench/bench_train.py [--steps 30000]

Prints ratios against the targets (default run under 15 s with recording,
run directory under 20 MB, peak memory under 500 MB): a ratio below 1.0
meets the target.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from charrnn.record import Recorder
from charrnn.train import TrainConfig, train
from runner.console import Console
from runner.runfiles import write_run

TARGET_SECONDS, TARGET_MB, TARGET_PEAK_MB = 15.0, 20.0, 500.0


def timed_run(steps: int, record: bool, out: Path) -> float:
    original = Recorder.wants_snapshot
    if not record:
        Recorder.wants_snapshot = lambda self, step: False
    try:
        start = time.perf_counter()
        console = Console("quiet")
        write_run(out, train(TrainConfig(steps=steps), console), console.text)
        return time.perf_counter() - start
    finally:
        Recorder.wants_snapshot = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = timed_run(args.steps, False, Path(tmp) / "bare")
        full = timed_run(args.steps, True, Path(tmp) / "full")
        size_mb = sum(p.stat().st_size for p in (Path(tmp) / "full").iterdir()) / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scale = 30_000 / args.steps
    print(f"steps                {args.steps:,}")
    print(f"steps/s, no records  {args.steps / bare:,.0f}")
    print(f"steps/s, recording   {args.steps / full:,.0f}")
    print(f"recording overhead   {full / bare - 1:+.1%}")
    print(f"30k-step run         {full * scale:.1f} s   "
          f"ratio to {TARGET_SECONDS:.0f} s target: {full * scale / TARGET_SECONDS:.2f}")
    print(f"run directory        {size_mb:.2f} MB  "
          f"ratio to {TARGET_MB:.0f} MB target: {size_mb / TARGET_MB:.2f}")
    print(f"peak memory          {peak_mb:.0f} MB  "
          f"ratio to {TARGET_PEAK_MB:.0f} MB target: {peak_mb / TARGET_PEAK_MB:.2f}")


if __name__ == "__main__":
    main()
