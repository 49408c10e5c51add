"""Finished runs, as the engine reads them: through runner.rundir, the run
format's one reader and writer (docs/run-format.md).

A `Run` is one run directory. JSON files are read at once; the NumPy archives
only when a chart asks for them, so a rebuild whose charts are all cached never
opens them. A `Sweep` is an experiment matrix that `charrnn sweep` left behind:
its index.json and the runs it lists, loaded as they are needed.

Damage never surfaces as a decoder's traceback: rundir checks every file
against the run's manifest and raises RunError, which becomes a BuildError
naming the folder and what to do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from runner import rundir

from .errors import BuildError, Problem, shown

FIX = "delete that folder; the next build trains it again"


def run_problem(error: rundir.RunError) -> BuildError:
    return BuildError([Problem(shown(error.path), error.problem, error.fix or FIX)])


@dataclass
class Run:
    path: Path
    summary: dict
    config: dict
    corpus: dict
    analysis: dict   # empty when the run was never analysed (or diverged)
    vocab: list[str]
    timing: dict

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
        return self._read(rundir.read_json, "snapshots.json")

    @cached_property
    def console(self) -> str:
        return self._read(rundir.read_text, "console.txt")

    @cached_property
    def corpus_text(self) -> str | None:
        """The text the run read (corpus.txt); None for a run made before it was kept."""
        if not rundir.has(self.path, "corpus.txt"):
            return None
        return self._read(rundir.read_text, "corpus.txt")

    @cached_property
    def checkpoint(self) -> rundir.Checkpoint:
        try:
            return rundir.read_checkpoint(self.path)
        except rundir.RunError as error:
            raise run_problem(error) from None

    def _arrays(self, name: str) -> dict[str, np.ndarray]:
        return self._read(rundir.read_arrays, name)

    def _read(self, reader, name: str):
        try:
            return reader(self.path, name)
        except rundir.RunError as error:
            raise run_problem(error) from None


def load_run(path: Path) -> Run:
    """A finished run directory, every file checked against its manifest (a few
    milliseconds for a run) and its JSON read; raises BuildError."""
    path = Path(path)
    try:
        rundir.check(path)
        analysis = rundir.read_json(path, "analysis.json") if rundir.has(path, "analysis.json") else {}
        return Run(path=path, summary=rundir.read_json(path, "summary.json"),
                   config=rundir.read_json(path, "config.json"),
                   corpus=rundir.read_json(path, "corpus.json"), analysis=analysis,
                   vocab=rundir.read_json(path, "vocab.json")["chars"],
                   timing=rundir.read_json(path, "timing.json"))
    except rundir.RunError as error:
        raise run_problem(error) from None
    except (KeyError, TypeError) as error:
        raise BuildError([Problem(shown(path), f"the run's vocab.json lacks its characters ({error})",
                                  FIX)]) from None


# ---------------------------------------------------------------------------
# An experiment matrix

@dataclass
class Entry:
    """One (variant, seed) run of a sweep, as its index lists it."""
    variant: str
    seed: int
    path: Path
    summary: dict
    timing: dict
    headline: dict | None          # the analysis's headline numbers (None: not analysed)
    _arrays: dict = field(default_factory=dict, repr=False)

    @property
    def diverged(self) -> bool:
        return self.summary.get("diverged") is not None

    @cached_property
    def run(self) -> Run:
        return load_run(self.path)

    @cached_property
    def config(self) -> dict:
        """The run's settings, without reading the rest of it."""
        try:
            return rundir.read_json(self.path, "config.json")
        except rundir.RunError as error:
            raise run_problem(error) from None

    def arrays(self, name: str, *keys: str) -> dict[str, np.ndarray]:
        """A few arrays of one of the run's archives (checked against its manifest),
        without loading the rest of the run: what a chart over many runs needs.
        Read once per build, however many charts draw them."""
        if (name, keys) not in self._arrays:
            try:
                self._arrays[name, keys] = rundir.read_arrays(self.path, name, keys or None)
            except rundir.RunError as error:
                raise run_problem(error) from None
        return self._arrays[name, keys]


@dataclass
class VariantRuns:
    name: str
    about: str
    settings: dict
    seeds: list[int]
    entries: list[Entry] = field(default_factory=list)   # in seed order of the file
    # How the site shows it (site_src/variants.yaml, walkthrough/variants.py):
    compare: list[str] = field(default_factory=list)     # comparison charts of section 20
    switcher: bool = False                               # offered by the scrubber's run menu

    def entry(self, seed: int) -> Entry | None:
        return next((e for e in self.entries if e.seed == seed), None)


@dataclass
class Sweep:
    path: Path                    # the folder holding index.json (or the single run)
    variants: list[VariantRuns]
    walk: tuple[str, int]         # (variant, seed) of the run the sections read
    missing: list[dict]           # runs the index lists as not done

    @property
    def walked_variant(self) -> VariantRuns:
        return self.variant(self.walk[0])

    @property
    def walked(self) -> Entry:
        entry = self.walked_variant.entry(self.walk[1])
        if entry is None:
            raise BuildError([Problem(shown(self.path), f"the sweep has no finished run of variant "
                                      f"'{self.walk[0]}' with seed {self.walk[1]}",
                                      "run the build again, so that the sweep trains it")])
        return entry

    def variant(self, name: str) -> VariantRuns:
        return next(v for v in self.variants if v.name == name)


def load_sweep(folder: Path) -> Sweep:
    """The sweep that `charrnn sweep --out folder` wrote; raises BuildError."""
    try:
        index = rundir.read_index(folder)
        variants = [VariantRuns(v["name"], v.get("about", ""), v.get("settings", {}), list(v["seeds"]))
                    for v in index["variants"]]
        by_name = {v.name: v for v in variants}
        for item in index["runs"]:
            by_name[item["variant"]].entries.append(
                Entry(item["variant"], item["seed"], Path(folder) / item["dir"], item["summary"],
                      item.get("timing", {}), item.get("headline")))
        walk = (index["walk"]["variant"], index["walk"]["seed"])
        return Sweep(Path(folder), variants, walk, list(index.get("missing", [])))
    except rundir.RunError as error:
        raise run_problem(error) from None
    except (KeyError, TypeError, StopIteration) as error:
        raise BuildError([Problem(shown(Path(folder) / rundir.INDEX),
                                  f"the sweep index is not in the expected shape ({error!r})",
                                  "delete it; the next build writes it again")]) from None


def single_run_sweep(path: Path) -> Sweep:
    """One run directory seen as a sweep of one variant and one seed (`build.py --run`)."""
    run = load_run(path)
    seed = int(run.config.get("seed", 0))
    entry = Entry("default", seed, Path(path), run.summary, run.timing,
                  run.analysis.get("headline"))
    variant = VariantRuns("default", "The run given with --run.", {}, [seed], [entry])
    return Sweep(Path(path), [variant], ("default", seed), [])
