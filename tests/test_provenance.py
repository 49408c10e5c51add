"""Provenance: every run records the key of the code that made it, and no page
credits a figure to code that did not make it. A run trained and analysed by
one version of the taught code, built with `build.py --run` after a line of
that code changed, is refused naming both keys; `--allow-other-code` publishes
it with a warning on every page; the footer names the run and code keys."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_fixtures import make_trainable_project

from runner import rundir

TINY = ["--steps", "120", "--hidden-size", "8", "--num-sentences", "40", "--val-every", "60",
        "--quiet"]
WARNING = "These figures were not made by the code on"


def charrnn(project, *args: str) -> subprocess.CompletedProcess:
    """`python -m charrnn ...` with the project's own copy of the package."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(project.root), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "charrnn", *args], cwd=project.root, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory, fake_run, chart_cache):
    """A project whose package is a copy of charrnn, and a run it trained and analysed."""
    project = make_trainable_project(tmp_path_factory.mktemp("provenance") / "project",
                                     fake_run, chart_cache)
    run = project.root / "runs" / "mine"
    charrnn(project, "train", *TINY, "--out", str(run))
    charrnn(project, "analyze", str(run))
    return project, run


def build(project, run: Path, *extra: str) -> subprocess.CompletedProcess:
    command = project.command("--run", str(run), "--out", str(project.out), *extra,
                              fake_run=False)
    return subprocess.run(command, cwd=project.root, capture_output=True, text=True, timeout=300)


def pages(project) -> dict[str, str]:
    return {p.relative_to(project.out).as_posix(): p.read_text(encoding="utf-8")
            for p in project.out.rglob("*.html")}


def test_a_run_records_the_code_that_trained_and_analysed_it(trained):
    project, run = trained
    code = rundir.code_key(project.package)
    assert rundir.made_by(run) == {"train": code, "analysis": code}


def test_a_run_of_this_code_builds_and_the_footer_names_both_keys(trained):
    project, run = trained
    result = build(project, run)
    assert result.returncode == 0, result.stderr
    code = rundir.code_key(project.package)
    key = rundir.run_key(code, rundir.read_json(run, "config.json"))
    for name, html in pages(project).items():
        assert WARNING not in html, name
        assert f"Figures from run\n  <code>{key}</code>, made by\n  code <code>{code}</code>" in html, name
        assert f"code shown: <code>{code}</code> (the same)" in html, name


def test_a_changed_line_of_taught_code_is_refused_naming_both_keys(trained, tmp_path):
    project, run = trained
    before = rundir.code_key(project.package)
    train = project.package / "train.py"
    original = train.read_text()
    assert "DIVERGENCE_WINDOW = 100" in original
    train.write_text(original.replace("DIVERGENCE_WINDOW = 100", "DIVERGENCE_WINDOW = 101"))
    try:
        after = rundir.code_key(project.package)
        assert after != before
        published = pages(project)
        refused = build(project, run)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert before in refused.stderr and after in refused.stderr
        assert "--allow-other-code" in refused.stderr
        assert pages(project) == published          # the site already out is untouched

        allowed = build(project, run, "--allow-other-code")
        assert allowed.returncode == 0, allowed.stderr
        for name, html in pages(project).items():
            assert WARNING in html and f"<code>{before}</code>" in html, name
            assert f"code shown: <code>{after}</code>." in html, name
    finally:
        train.write_text(original)


def test_a_run_that_does_not_say_which_code_made_it_is_refused(trained, tmp_path):
    project, run = trained
    files = rundir.read_all(run)
    unrecorded = tmp_path / "unrecorded"
    rundir.write(unrecorded, files)                  # as runs were written before they said
    assert rundir.made_by(unrecorded) == {}
    refused = build(project, unrecorded)
    assert refused.returncode == 1, refused.stderr
    assert "does not record" in refused.stderr and "--allow-other-code" in refused.stderr
    allowed = build(project, unrecorded, "--allow-other-code")
    assert allowed.returncode == 0, allowed.stderr
    for name, html in pages(project).items():
        assert WARNING in html and "made by code the runs do not record;" in html, name
        assert "Figures made by\n  code the runs do not record;" in html, name   # no run key


def test_the_sweep_trains_again_a_cached_run_of_other_code(trained, tmp_path):
    from runner.sweep import _finished
    _, run = trained
    files, copy, warned = rundir.read_all(run), tmp_path / "run", []
    rundir.write(copy, files, made_by={"train": "aaaa", "analysis": "aaaa"})
    assert _finished(copy, "aaaa", warned.append)
    rundir.write(copy, files, made_by={"train": "aaaa", "analysis": "bbbb"})
    assert not _finished(copy, "aaaa", warned.append) and not copy.exists()
    assert "made by other code" in warned[-1] and "bbbb" in warned[-1]
