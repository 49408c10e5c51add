"""The run cache: the build runs the experiment sweep as a process and trains
only what the code or the settings changed; comment-only edits keep every run."""
from __future__ import annotations

import subprocess
import sys

import pytest
from engine_fixtures import REPO, make_trainable_project

from runner import rundir


@pytest.fixture
def trainable(tmp_path, fake_run, chart_cache):
    return make_trainable_project(tmp_path / "project", fake_run, chart_cache)


def build_logged(project, **changes) -> list[str]:
    from walkthrough.site import build
    lines: list[str] = []
    build(project.options(run=None, **changes), log=lines.append)
    return lines


def trained(lines: list[str]) -> int:
    """How many runs the sweep said it would train."""
    line = next(line for line in lines if line.startswith("sweep: ") and " to train" in line)
    return int(line.split(", ")[-1].split()[0])


def test_trains_once_then_reuses_and_comment_edits_keep_the_run(trainable):
    assert trained(build_logged(trainable)) == 1
    lines = build_logged(trainable)
    assert trained(lines) == 0 and any("(default, seed 42)" in line for line in lines)

    model = trainable.package / "model.py"
    text = model.read_text()
    reworded = text.replace('"""Phase 2: a vanilla recurrent network',
                            '"""Phase 2: a plain recurrent network', 1)
    reworded = reworded.replace("# --- activations ---", "# --- activation functions ---", 1)
    assert reworded != text
    model.write_text(reworded + "\n# a closing comment\n")
    assert trained(build_logged(trainable)) == 0          # docstring and comments only

    train = trainable.package / "train.py"
    train.write_text(train.read_text().replace("FAR_ABOVE_UNIFORM = 2.0", "FAR_ABOVE_UNIFORM = 2.5"))
    assert trained(build_logged(trainable)) == 1          # code: trains again


def test_a_file_where_the_sweep_keeps_its_runs_is_named_with_its_fix(trainable):
    folder = trainable.root / ".cache" / "sweep"
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")
    message = trainable.fail(run=None)
    assert message.splitlines()[0].endswith(".cache/sweep: is a file, not a folder"), message
    assert "fix: move it away" in message and len(message.splitlines()) == 2
    assert folder.read_text() == "not a folder"


def test_a_bad_experiment_file_is_one_line_and_trains_nothing(trainable):
    path = trainable.site_src / "experiments.yaml"
    path.write_text(path.read_text().replace("settings: {}", "setings: {}"))
    message = trainable.fail(run=None)
    assert "experiments.yaml" in message and "variant 'default'" in message
    assert message.count("experiments.yaml") == 1          # named once, not twice
    assert "unknown field 'setings' (did you mean 'settings'?)" in message
    assert len(message.splitlines()) == 2                  # the problem and its fix
    assert not (trainable.root / ".cache" / "sweep" / "runs").exists()


def test_a_diverged_walked_run_keeps_its_records_and_is_refused(trainable):
    message = trainable.fail(run=None, settings={"lr": 1e6})
    assert "diverged at step" in message and "learning rate" in message
    (run_dir,) = (trainable.root / ".cache" / "sweep" / "runs").iterdir()
    rundir.check(run_dir)                                  # complete, and kept
    assert rundir.read_json(run_dir, "summary.json")["diverged"] is not None
    assert not trainable.out.exists()


def test_a_damaged_cached_run_is_discarded_with_a_warning_and_trained_again(trainable):
    build_logged(trainable)
    (run_dir,) = (trainable.root / ".cache" / "sweep" / "runs").iterdir()
    snapshots = run_dir / "snapshots.npz"
    snapshots.write_bytes(snapshots.read_bytes()[:100])
    lines = build_logged(trainable)
    warning = next(line for line in lines if line.startswith("warning:"))
    assert str(run_dir) in warning and "snapshots.npz" in warning and "training it again" in warning
    assert trained(lines) == 1
    rundir.check(run_dir)


def test_check_trains_nothing_and_says_the_figures_were_not_checked(trainable):
    from walkthrough.site import build
    outcome = build(trainable.options(run=None, check=True), log=lambda line: None)
    assert outcome.pages == 0 and "were not checked" in outcome.warnings[-1]
    assert not any((trainable.root / ".cache" / "sweep" / "runs").glob("*"))


def test_a_cached_build_loads_neither_torch_nor_the_training_code(trainable, tmp_path):
    build_logged(trainable)
    script = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
sys.path.insert(0, {str(REPO / "tests")!r})
from engine_fixtures import Project
from walkthrough.site import build
p = Project(Path({str(trainable.root)!r}), None, None)
build(p.options(run=None), log=print)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "sklearn")
               or m in ("charrnn.train", "charrnn.model", "charrnn.analysis"))
print("LOADED", heavy)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout and "0 to train" in result.stdout


def test_ctrl_c_during_the_sweep_is_one_line_and_leaves_the_site(trainable, tmp_path):
    """Interrupted while the sweep trains: the build says so in one line, exits 130,
    and the published site is the one that was there."""
    import signal
    import time
    build_logged(trainable)                                    # a site to keep
    published = trainable.files()
    experiments = trainable.site_src / "experiments.yaml"
    experiments.write_text(experiments.read_text().replace("steps: 120", "steps: 5000"))
    process = subprocess.Popen(trainable.command(fake_run=False), cwd=trainable.root, stderr=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    lines = []
    while time.monotonic() < deadline:                          # until the sweep has started
        line = process.stderr.readline()
        lines.append(line)
        if "to train" in line:
            break
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    err = "".join(lines) + err
    assert process.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("build interrupted:")
    assert trainable.files() == published
