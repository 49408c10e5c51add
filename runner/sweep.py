"""Run an experiment matrix: every (variant, seed) of an experiment file that is
not finished yet, in parallel, each into its own run directory.

    charrnn sweep site_src/experiments.yaml --out runs/sweep             # local cores
    charrnn sweep site_src/experiments.yaml --out runs/sweep --scheduler tcp://host:8786

A run lives in DIR/runs/<key>/, where the key names the code that trains it and
its resolved settings (rundir.run_key). A complete run is never trained again,
so an interrupted sweep continues where it stopped, and experiment files that
share a run share its directory. At the end DIR/index.json lists every run of
the file with its summary.

Every run is checked against its manifest before it is trusted. The index
remembers the size and modification time of each file it checked, so a sweep
with nothing to do reads no run again unless one of its files has changed, and
DIR/code-memo.json remembers each source file's syntax-tree digest, so only an
edited file is parsed again: when everything is cached, a sweep takes a
fraction of a second.

Locally the runs go to a pool of processes (joblib); with --scheduler, to a Dask
distributed cluster. Either way a run is trained and analysed in a scratch
folder on the worker and comes back to this process as bytes, which writes it:
the workers need no shared filesystem.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

import charrnn
from charrnn.config import TrainConfig

from . import rundir
from .experiments import Experiments, Task, tasks

PACKAGE = Path(charrnn.__file__).resolve().parent   # the code whose key names each run


def execute(config: dict) -> dict:
    """Train and analyse one run in a scratch folder; return its files, and the keys
    of the code that made them (rundir.made_by). This runs on a worker."""
    from charrnn.train import train

    from .console import Console
    from .runfiles import analyze_run, write_run
    with tempfile.TemporaryDirectory(prefix="charrnn-run-") as scratch:
        run_dir = Path(scratch) / "run"
        console = Console("quiet", stream=io.StringIO())
        trained = train(TrainConfig(**config), console)
        write_run(run_dir, trained, console.text)
        if trained.summary["diverged"] is None:   # a diverged run's records are kept, not analysed
            analyze_run(run_dir)
        return {"made_by": rundir.made_by(run_dir), "files": rundir.read_all(run_dir)}


def _guarded(config: dict) -> dict:
    """`execute`, with a failure returned rather than raised, so that one broken
    run does not stop the others."""
    try:
        return execute(config)
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def run_sweep(experiments: Experiments, out: Path, *, workers: int | None = None,
              scheduler: str | None = None, cached_only: bool = False, only_walked: bool = False,
              say: Callable[[str], None] = print, warn: Callable[[str], None] = print,
              progress: str = "lines") -> dict:
    """Bring every run of ``experiments`` up to date under ``out`` and write its
    index. Returns the index; its ``failed`` and ``missing`` lists say what is not done.
    ``only_walked`` trains the walked run alone (the rest is indexed as missing):
    an author's preview, seconds instead of minutes."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _one_sweep_at_a_time(out, say):
        return _bring_up_to_date(experiments, out, workers, scheduler, cached_only, only_walked,
                                 say, warn, progress)


@contextmanager
def _one_sweep_at_a_time(out: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Two sweeps into one folder would train the same runs twice and race to
    rename them into place: the second waits, then finds them done."""
    lock = FileLock(out / ".sweep.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"sweep: waiting for another sweep that is writing {out}")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _bring_up_to_date(experiments: Experiments, out: Path, workers: int | None,
                      scheduler: str | None, cached_only: bool, only_walked: bool,
                      say: Callable[[str], None], warn: Callable[[str], None], progress: str) -> dict:
    runs = out / "runs"
    code = _code_key(out)
    todo = tasks(experiments, code)
    rundir.clean_stale(runs)
    checked = _previous_checks(out)
    failed: dict[str, str] = {}
    pending = []
    for task in _unique(todo):
        try:
            if not _finished(runs / task.key, code, warn, checked.get(task.key)):
                pending.append(task)
        except NotOurs as error:   # neither trusted nor deleted: reported as failed
            failed[task.key] = str(error)
            warn(f"sweep: {task.variant} seed {task.seed} failed: {error}")
    say(f"sweep: {len(todo)} runs, {len(todo) - len(pending) - len(failed)} already done, "
        f"{len(pending)} to {'find' if cached_only else 'train'}")
    if only_walked:
        pending = [task for task in pending if (task.variant, task.seed) == experiments.walk]
        say(f"sweep: training the walked run first ({len(pending)} of them), the rest later")
    if pending and not cached_only:
        # Longest first: with a few workers, a long run started last would
        # leave the others idle while it finishes.
        pending.sort(key=_cost, reverse=True)
        parallel = None if scheduler else min(workers or os.cpu_count() or 1, len(pending))
        bar = Progress([_cost(task) for task in pending], parallel, progress, say)

        def done(task: Task, result: dict) -> None:
            problem = result.get("error") or (
                None if set(result["made_by"].values()) == {code} else
                f"the worker ran different charrnn code ({_keys(result['made_by'])}, here {code}); "
                "start the workers from the same checkout")
            if problem:
                failed[task.key] = problem
                warn(f"sweep: {task.variant} seed {task.seed} failed: {problem}")
            else:
                rundir.write(runs / task.key, result["files"], made_by=result["made_by"])
            bar.advance(f"{task.variant} seed {task.seed}", _cost(task), _seconds(result))

        if scheduler:
            _on_cluster(scheduler, pending, done)
        else:
            _on_local_cores(workers or os.cpu_count() or 1, pending, done)
        bar.close()
    index = index_of(experiments, todo, runs, code, failed, checked)
    rundir.write_index(out, index)
    return index


MEMO = "code-memo.json"


def _code_key(out: Path) -> str:
    """rundir.code_key with its per-file memo kept in the sweep folder."""
    path = out / MEMO
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        same = (saved.get("python"), saved.get("format")) == (sys.version, rundir.CODE_KEY_FORMAT)
        memo = saved["digests"] if same else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        memo = {}
    known = dict(memo)
    code = rundir.code_key(PACKAGE, memo)
    if memo != known:
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"python": sys.version, "format": rundir.CODE_KEY_FORMAT,
                                    "digests": memo}), encoding="utf-8")
    return code


def _previous_checks(out: Path) -> dict[str, dict]:
    """The runs the last index listed, by key, with the file stats it checked them at."""
    try:
        return {entry["key"]: entry for entry in rundir.read_index(out)["runs"]
                if isinstance(entry, dict) and {"stats", "key", "made_by"} <= entry.keys()}
    except (rundir.RunError, TypeError, KeyError):
        return {}


def _unique(todo: list[Task]) -> list[Task]:
    """Two variants may resolve to the same settings: such a run is trained once."""
    seen: dict[str, Task] = {}
    for task in todo:
        seen.setdefault(task.key, task)
    return list(seen.values())


def _finished(run_dir: Path, code: str, warn: Callable[[str], None],
              checked: dict | None = None) -> bool:
    """A complete, undamaged run with its analysis (unless it diverged), made by
    the code whose key is ``code``. Any other is deleted, with a warning, so that
    it is trained again, unless it holds files that no run writes (NotOurs).
    ``checked`` is the last index's entry for it: when no file has changed
    since, it stands."""
    if not run_dir.exists():
        return False
    if checked is not None and rundir.file_stats(run_dir) == checked["stats"]:
        return True
    try:
        rundir.check(run_dir)
        made_by = rundir.made_by(run_dir)
        diverged = rundir.read_json(run_dir, "summary.json").get("diverged") is not None
        if set(made_by.values()) != {code}:
            problem = (f"it was made by other code ({_keys(made_by)}, here {code})" if made_by
                       else "it does not say which code made it")
        elif diverged or rundir.has(run_dir, "analysis.json"):
            return True
        else:
            problem = "it has no analysis.json"
    except rundir.RunError as error:
        problem = error.problem
    stray = rundir.not_a_run(run_dir)
    if stray:   # something of someone else's is in there: deleting the run would delete it
        raise NotOurs(f"{run_dir} {stray}; move them away, and the next sweep trains it again")
    warn(f"warning: {run_dir}: {problem}; training it again")
    shutil.rmtree(run_dir, ignore_errors=True)
    return False


def _keys(made_by: dict[str, str]) -> str:
    return ", ".join(f"{step} {key}" for step, key in made_by.items())


class NotOurs(Exception):
    """A run's folder that holds files no run writes: the sweep leaves it alone."""


def _cost(task: Task) -> float:
    """A rough relative cost of training: characters read, each costing a fixed
    overhead (NumPy's per-call floor, which dominates at the default size) plus
    the recurrent product's H^2. Fitted on this machine's runs of H 16, 64, 128."""
    c = task.config
    return c["steps"] * c["seq_len"] * (c["hidden_size"] ** 2 + 13_000)


def _seconds(result: dict) -> tuple[float, float] | None:
    """(training, analysis) seconds of a finished run, from its timing.json."""
    try:
        timing = json.loads(result["files"]["timing.json"])
        return float(timing["train_seconds"]), float(timing.get("analysis_seconds", 0.0))
    except (KeyError, TypeError, ValueError):
        return None


def _on_local_cores(workers: int, pending: list[Task], done: Callable[[Task, dict], None]) -> None:
    if workers == 1:
        for task in pending:
            done(task, _guarded(task.config))
        return
    from joblib import Parallel, delayed
    by_key = {task.key: task for task in pending}
    jobs = (delayed(_keyed)(task.key, task.config) for task in pending)
    for key, result in Parallel(n_jobs=workers, return_as="generator_unordered")(jobs):
        done(by_key[key], result)


def _keyed(key: str, config: dict) -> tuple[str, dict]:
    return key, _guarded(config)


def _on_cluster(address: str, pending: list[Task], done: Callable[[Task, dict], None]) -> None:
    from .cluster import ClusterError, run_all
    by_key = {task.key: task for task in pending}
    try:
        run_all(address, [(task.key, _guarded, (task.config,)) for task in pending],
                lambda key, result: done(by_key[key], result))
    except ClusterError as error:
        raise SweepError(str(error)) from None


class SweepError(RuntimeError):
    """The sweep could not run (not a problem with one of its runs)."""


def index_of(experiments: Experiments, todo: list[Task], runs: Path, code: str,
             failed: dict[str, str], checked: dict[str, dict] | None = None) -> dict:
    """DIR/index.json: the experiment as run, and one entry per (variant, seed)."""
    entries, missing = [], []
    for task in todo:
        entry = {"variant": task.variant, "seed": task.seed, "settings": task.settings,
                 "key": task.key, "dir": f"runs/{task.key}"}
        run_dir = runs / task.key
        stats = rundir.file_stats(run_dir)
        known = (checked or {}).get(task.key)
        if stats is not None and known is not None and known["stats"] == stats:
            entries.append({**entry, **{k: known[k] for k in ("summary", "timing", "headline",
                                                              "made_by")},
                            "stats": stats})
        elif stats is not None and rundir.is_complete(run_dir):
            entry["summary"] = rundir.read_json(run_dir, "summary.json")
            entry["timing"] = rundir.read_json(run_dir, "timing.json")
            entry["headline"] = (rundir.read_json(run_dir, "analysis.json").get("headline")
                                 if rundir.has(run_dir, "analysis.json") else None)
            entry["made_by"] = rundir.made_by(run_dir)
            entries.append({**entry, "stats": stats})
        else:
            missing.append({**entry, "error": failed.get(task.key)})
    return {
        "format": rundir.FORMAT,
        "code_key": code,
        "experiments": str(experiments.path),
        "seeds": list(experiments.seeds),
        "defaults": experiments.defaults,
        "walk": {"variant": experiments.walk[0], "seed": experiments.walk[1]},
        "variants": [{"name": v.name, "about": v.about, "settings": v.settings,
                      "seeds": list(v.seeds)}
                     for v in experiments.variants],
        "runs": entries,
        "missing": missing,
    }


class Progress:
    """Runs done out of the total, with an estimate of the time left: a tqdm bar on
    a terminal, one line per finished run otherwise, or nothing.

    The estimate is meant to be right from the first run on. Runs start longest
    first, so "the time so far per run done" would count the longest runs for
    all of them. Instead each finished run teaches the seconds of training per
    unit of cost (`_cost`) and the seconds of analysis, which predict every run;
    with ``parallel`` workers busy since the start, the time left is the
    predicted total over the workers, less the time gone. (On a Dask cluster,
    whose size is not known here, ``parallel`` is None: the predicted work left
    is scaled by the pace of the work done.)"""

    def __init__(self, costs: list[float], parallel: int | None, mode: str,
                 say: Callable[[str], None]):
        self.costs, self.parallel, self.say = costs, parallel, say
        self.total, self.done = len(costs), 0
        self.finished: list[tuple[float, float, float]] = []   # (cost, train s, analysis s)
        self.started = time.perf_counter()
        self.mode = ("bar" if sys.stderr.isatty() else "lines") if mode == "auto" else mode
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm
            self.bar = tqdm(total=self.total, unit="run", desc="sweep", file=sys.stderr)

    def advance(self, what: str, cost: float, seconds: tuple[float, float] | None) -> None:
        self.done += 1
        if seconds is not None:
            self.finished.append((cost, *seconds))
        if self.bar is not None:
            self.bar.set_postfix_str(what, refresh=False)
            self.bar.update(1)
        elif self.mode == "lines":
            elapsed = time.perf_counter() - self.started
            self.say(f"sweep: {self.done}/{self.total} runs done ({what}), "
                     f"{_clock(elapsed)} so far, about {_clock(self.left(elapsed))} left")

    def left(self, elapsed: float) -> float:
        """Seconds until the last run is done, as the finished runs predict it."""
        if not self.finished:   # every run failed so far: the plain pace
            return elapsed / self.done * (self.total - self.done)
        per_cost = sum(f[1] for f in self.finished) / sum(f[0] for f in self.finished)
        analysis = sum(f[2] for f in self.finished) / len(self.finished)
        predicted = [per_cost * cost + analysis for cost in self.costs]
        if self.parallel is None:
            done = sum(predicted[:self.done])   # roughly: the longest ran first
            return elapsed * (sum(predicted) - done) / done
        # at the tail fewer workers are busy than the formula assumes: never say 0
        return max(1.0 if self.done < self.total else 0.0, sum(predicted) / self.parallel - elapsed)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def parse_assignments(items: Iterable[str]) -> dict:
    """`--set steps=300 --set init=xavier` -> {"steps": 300, "init": "xavier"}; values
    are read as YAML scalars, so numbers and true/false get their types."""
    import yaml
    settings = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {item!r}: write NAME=VALUE, like --set steps=300")
        try:
            settings[name.strip().replace("-", "_")] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ValueError(f"--set {item!r}: the value is not a plain number, word or true/false") \
                from None
    return settings
