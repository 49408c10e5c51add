"""`charrnn sweep`: the same runs, bit for bit, serially, on local processes
(joblib) and on a Dask cluster; resumable after an interruption; refusing bad
input before anything trains."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from runner import experiments, rundir
from runner.sweep import run_sweep

REPO = Path(__file__).resolve().parent.parent
MATRIX = """\
seeds: [42, 7]
defaults: {steps: 150, hidden_size: 12, num_sentences: 60, val_every: 50}
variants:
  - name: default
    about: The reference.
  - name: clip-1
    about: Tighter clipping.
    settings: {clip: 1.0}
"""
# Everything a run holds but how long it took (timing.json and the console's clock).
TIMELESS = sorted(set(rundir.FILES) - {"timing.json", "console.txt"})


def plan(tmp_path: Path, text: str = MATRIX):
    path = tmp_path / "experiments.yaml"
    path.write_text(text, encoding="utf-8")
    return experiments.load(path)


def contents(out: Path) -> dict:
    """(variant, seed) -> the bytes of every timeless file of its run."""
    index = rundir.read_index(out)
    assert not index["missing"]
    return {(r["variant"], r["seed"]): {name: rundir.read_bytes(out / r["dir"], name)
                                        for name in TIMELESS}
            for r in index["runs"]}


def quiet(line: str) -> None:
    pass


@pytest.fixture(scope="module")
def serial_out(tmp_path_factory) -> Path:
    """The matrix swept serially, in this process: the reference the others must equal."""
    tmp = tmp_path_factory.mktemp("serial")
    run_sweep(plan(tmp), tmp / "out", workers=1, say=quiet, warn=quiet)
    return tmp / "out"


@pytest.fixture(scope="module")
def serial(serial_out) -> dict:
    return contents(serial_out)


def copy_of(serial_out: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(serial_out, out)
    return out


def test_serial_sweep_runs_every_variant_and_seed(serial, tmp_path):
    assert sorted(serial) == [("clip-1", 7), ("clip-1", 42), ("default", 7), ("default", 42)]
    summaries = {k: json.loads(v["summary.json"]) for k, v in serial.items()}
    assert summaries["default", 42] != summaries["default", 7]          # seeds differ
    assert summaries["clip-1", 42]["clipped_share"] >= summaries["default", 42]["clipped_share"]


def test_joblib_workers_give_bit_identical_runs(serial, tmp_path):
    run_sweep(plan(tmp_path), tmp_path / "out", workers=2, say=quiet, warn=quiet)
    assert contents(tmp_path / "out") == serial


def test_a_dask_cluster_gives_bit_identical_runs(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, local_directory=str(tmp_path / "dask"),
                                  silence_logs=50) as cluster:
        run_sweep(plan(tmp_path), tmp_path / "out", scheduler=cluster.scheduler_address,
                  say=quiet, warn=quiet)
    assert contents(tmp_path / "out") == serial


def test_a_finished_sweep_trains_nothing_and_loads_no_torch(serial_out, serial, tmp_path):
    path = tmp_path / "experiments.yaml"
    path.write_text(MATRIX)
    out = copy_of(serial_out, tmp_path)
    sweep = [sys.executable, "-m", "charrnn", "sweep", str(path), "--out", str(out), "--workers", "1"]
    probe = ("import sys, runpy; sys.argv = " + repr(["charrnn", *sweep[3:]]) +
             "\ntry:\n    runpy.run_module('charrnn', run_name='__main__')\nexcept SystemExit as e:\n"
             "    print('EXIT', e.code)\nprint('TORCH', 'torch' in sys.modules)")
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           cwd=REPO, timeout=120)
    assert "EXIT 0" in again.stdout and "TORCH False" in again.stdout, again.stderr
    assert "4 already done, 0 to train" in again.stderr
    assert contents(out) == serial


def test_an_interrupted_sweep_keeps_what_finished_and_resumes(tmp_path):
    path = tmp_path / "experiments.yaml"
    path.write_text(MATRIX)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "charrnn", "sweep", str(path), "--out", str(out),
               "--workers", "1", "--progress", "lines"]
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:   # wait until the first run is written
        runs = out / "runs"
        if runs.is_dir() and any(rundir.is_complete(p) for p in runs.iterdir()):
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130 and "Traceback" not in err, err
    finished = {p.name: p.stat().st_mtime_ns for p in (out / "runs").iterdir()
                if not p.name.startswith(".")}
    assert 1 <= len(finished) < 4
    assert all(rundir.is_complete(out / "runs" / name) for name in finished)

    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{len(finished)} already done, {4 - len(finished)} to train" in again.stderr
    index = rundir.read_index(out)
    assert len(index["runs"]) == 4 and not index["missing"]
    for name, mtime in finished.items():                 # the finished runs were kept as they were
        assert (out / "runs" / name).stat().st_mtime_ns == mtime


def test_a_second_sweep_into_the_same_folder_waits_then_finds_the_runs_done(tmp_path, serial_out):
    path = tmp_path / "experiments.yaml"
    path.write_text(MATRIX)
    out = tmp_path / "out"
    shutil.copytree(serial_out, out)
    command = [sys.executable, "-m", "charrnn", "sweep", str(path), "--out", str(out),
               "--progress", "lines"]
    with FileLock(out / ".sweep.lock"):   # another sweep is writing
        process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
        first = process.stderr.readline()
        assert first.startswith("sweep: waiting for another sweep that is writing"), first
        assert process.poll() is None
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 0, rest
    assert "4 already done, 0 to train" in rest


@pytest.mark.parametrize("text,message", [
    (MATRIX.replace("about: Tighter clipping.", "about: Tighter clipping.\n    setting: {}"),
     "variant 'clip-1': unknown field 'setting' (did you mean 'settings'?)"),
    (MATRIX.replace("{clip: 1.0}", "{clip: -1.0}"), "variant 'clip-1': settings: clip must be"),
    (MATRIX.replace("name: clip-1", "name: default"), "variant 'default': the name is used twice"),
])
def test_bad_input_is_refused_before_anything_trains(tmp_path, text, message):
    path = tmp_path / "experiments.yaml"
    path.write_text(text)
    result = subprocess.run([sys.executable, "-m", "charrnn", "sweep", str(path), "--out",
                             str(tmp_path / "out")], capture_output=True, text=True, cwd=REPO,
                            timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_a_damaged_run_is_trained_again_with_a_warning(serial_out, serial, tmp_path):
    out = copy_of(serial_out, tmp_path)
    victim = out / rundir.read_index(out)["runs"][0]["dir"]
    (victim / "curves.npz").write_bytes(b"")
    warnings: list[str] = []
    run_sweep(plan(tmp_path), out, workers=1, say=quiet, warn=warnings.append)
    assert len(warnings) == 1 and str(victim) in warnings[0] and "curves.npz" in warnings[0]
    assert contents(out) == serial


def test_a_failing_run_is_reported_and_the_others_finish(serial_out, tmp_path, monkeypatch):
    import runner.sweep as sweep_module
    out = copy_of(serial_out, tmp_path)
    index = rundir.read_index(out)
    victim = next(r for r in index["runs"] if (r["variant"], r["seed"]) == ("clip-1", 7))
    shutil.rmtree(out / victim["dir"])
    real = sweep_module.execute

    def flaky(config):
        if config["clip"] == 1.0 and config["seed"] == 7:
            raise RuntimeError("the worker ran out of memory")
        return real(config)

    monkeypatch.setattr(sweep_module, "execute", flaky)
    warnings: list[str] = []
    index = run_sweep(plan(tmp_path), out, workers=1, say=quiet, warn=warnings.append)
    assert len(index["runs"]) == 3 and len(index["missing"]) == 1
    assert index["missing"][0]["error"] == "RuntimeError: the worker ran out of memory"
    assert warnings == ["sweep: clip-1 seed 7 failed: RuntimeError: the worker ran out of memory"]


def test_a_memo_of_another_format_is_not_used(serial_out, serial, tmp_path):
    """The sweep's memo of parsed sources must never make its code key differ from
    the one a worker computes without it."""
    import runner.sweep as sweep_module
    out = copy_of(serial_out, tmp_path)
    memo = out / sweep_module.MEMO
    truth = rundir.code_key(sweep_module.PACKAGE)
    for saved in ({"python": sys.version, "format": 1, "digests": {}}, "not json", [1, 2]):
        memo.write_text(json.dumps(saved) if not isinstance(saved, str) else saved)
        assert sweep_module._code_key(out) == truth
        assert json.loads(memo.read_text())["format"] == rundir.CODE_KEY_FORMAT


def simulate(matrix: list[tuple[int, int, int, float]], workers: int, estimate) -> tuple[float, float]:
    """Run a matrix of (steps, seq_len, hidden_size, true seconds) longest first on
    ``workers`` simulated workers; returns (the first estimate of the time left,
    the time really left then)."""
    from runner.sweep import Progress, _cost
    tasks = sorted(matrix, key=lambda m: _cost(_task(m)), reverse=True)
    free = [0.0] * workers
    ends = []
    for m in tasks:                                  # greedy: the next run to the first free worker
        w = free.index(min(free))
        free[w] += m[3]
        ends.append((free[w], m))
    ends.sort()
    progress = Progress([_cost(_task(m)) for m in tasks], workers, "none", lambda line: None)
    first_end, first = ends[0]
    progress.advance("first", _cost(_task(first)), (first[3] - 1.0, 1.0))
    return estimate(progress, first_end), max(end for end, _ in ends) - first_end


def _task(m):
    from runner.experiments import Task
    return Task("v", 0, {}, {"steps": m[0], "seq_len": m[1], "hidden_size": m[2]}, "key")


# This machine's seconds per run of the default matrix (train + analysis, 2 workers busy).
DEFAULT_MATRIX = ([(30_000, 25, 128, 17.4)] * 5 + [(30_000, 50, 64, 14.1)] * 5
          + [(30_000, 25, 64, 9.5)] * 55 + [(30_000, 25, 16, 7.0)] * 5)


def test_the_first_estimate_of_the_time_left_is_within_a_factor_of_two():
    from runner.sweep import Progress
    first, truth = simulate(DEFAULT_MATRIX, 2, Progress.left)
    assert 0.5 < first / truth < 2, (first, truth)
    # the plain pace (time so far per run done), which this replaced, is not
    plain, truth = simulate(DEFAULT_MATRIX, 2, lambda p, elapsed: elapsed / p.done * (p.total - p.done))
    assert not 0.5 < plain / truth < 2, (plain, truth)
