#!/usr/bin/env python3
"""Time the site build and measure what it produces.

    python bench/bench_build.py [--run DIR]

1. a cold build from a finished run: an empty chart cache (every chart drawn);
2. a rebuild after editing one annotation (what an author waits for);
3. the size of the site and of its largest page (shared assets excluded).

It builds from a copy of site_src/ against the real charrnn/ sources, into a
temporary folder, so the repository is left as it was. The runs are --run DIR
(a run or a sweep folder), else the build's cached sweep (.cache/sweep), else a
fake run (tests/fake_run.py: random numbers, same format), since training is not
what is measured here: bench/bench_sweep.py times the experiment matrix.
Exit status 1 when a target is missed.
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
sys.path.insert(0, str(ROOT))

TARGETS = {"rebuild_seconds": 2.0, "site_bytes": 5_000_000, "largest_page_bytes": 400_000}

BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from walkthrough.site import Options, build
build(Options(out=Path({out!r}), site_src=Path({site_src!r}), package=Path({package!r}),
              cache=Path({cache!r}), run={run}), log=lambda message: None)
"""


def timed_build(**paths: str) -> float:
    started = time.perf_counter()
    given = paths.pop("run", "")
    run = f"Path({given!r})" if given else "None"
    subprocess.run([sys.executable, "-c", BUILD.format(root=str(ROOT), run=run, **paths)], check=True)
    return time.perf_counter() - started


def edit_one_annotation(site_src: Path) -> None:
    path = next(p for p in sorted((site_src / "sections").glob("*.yaml"))
                if "\n    text: |\n" in p.read_text())
    text = path.read_text()
    path.write_text(text.replace("\n    text: |\n", "\n    text: |\n      Edited.\n", 1))


def find_run(given: Path | None, work: Path) -> tuple[Path, str]:
    if given:
        return given, "given"
    cached = ROOT / ".cache" / "sweep"
    if (cached / "index.json").is_file():
        return cached, "the build's cached sweep"
    sys.path.insert(0, str(ROOT / "tests"))
    from fake_run import write_fake_run
    return write_fake_run(work / "fake-run", steps=30_000, hidden=64, seq_len=25), \
        "fake run (no cached real run yet)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, help="a finished run directory or sweep folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site_src = work / "site_src"
        shutil.copytree(ROOT / "site_src", site_src)
        run, which = find_run(args.run, work)
        paths = dict(out=str(work / "_site"), site_src=str(site_src),
                     package=str(ROOT / "charrnn"), cache=str(work / "cache"), run=str(run))
        cold = timed_build(**paths)
        edit_one_annotation(site_src)
        rebuild = timed_build(**paths)

        out = work / "_site"
        files = [p for p in out.rglob("*") if p.is_file()]
        pages = {p.relative_to(out).as_posix(): p.stat().st_size
                 for p in files if p.suffix == ".html"}
        largest = max(pages, key=pages.get)
        results = {"run": which, "cold_seconds": round(cold, 2),
                   "rebuild_seconds": round(rebuild, 2),
                   "site_bytes": sum(p.stat().st_size for p in files),
                   "pages": len(pages), "largest_page": largest,
                   "largest_page_bytes": pages[largest]}
    print(json.dumps(results, indent=1))
    missed = [f"{k} {results[k]} > {limit}" for k, limit in TARGETS.items()
              if results[k] is not None and results[k] > limit]
    for k, limit in TARGETS.items():
        if results[k] is not None:
            print(f"{k:28} {results[k]:>12,} ratio to target {results[k] / limit:.2f}")
    for miss in missed:
        print(f"target missed: {miss}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
