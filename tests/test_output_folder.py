"""Nothing of the user's is ever deleted: a folder is replaced only when it is
empty, missing, or something this program wrote, recognised by its own mark (a
site's `.charrnn-walkthrough`, a run's manifest), never by a file name such as
index.html. Anything else is refused before any work, in one line that says
what would have been deleted, with exit status 2."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_fixtures import REPO, make_trainable_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner import rundir
from runner.cli import main as charrnn_main
from walkthrough import output
from walkthrough.errors import UsageError, shown


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as their target's name), by relative path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


def everything(folder: Path) -> set[str]:
    """The relative path of every file, folder and link under ``folder``."""
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def one_line_refusal(result: subprocess.CompletedProcess, folder: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 400, result.stderr
    assert lines[0].startswith(f"build.py: error: {folder}: will not replace it: "), lines[0]
    assert "choose a new or empty folder for --out" in lines[0]
    return lines[0]


# ---------------------------------------------------------------------------
# build.py --out

def test_a_users_folder_with_an_index_html_is_refused_before_anything_trains(tmp_path, fake_run,
                                                                             chart_cache):
    project = make_trainable_project(tmp_path / "project", fake_run, chart_cache)
    mydocs = project.root / "mydocs"
    mydocs.mkdir()
    (mydocs / "index.html").write_text("<h1>my notes</h1>")
    (mydocs / "notes.txt").write_text("precious")
    result = subprocess.run(project.command("--out", "mydocs", fake_run=False), cwd=project.root,
                            capture_output=True, text=True, timeout=300)
    line = one_line_refusal(result, "mydocs")
    assert "holds 2 files (index.html, notes.txt)" in line and "no .charrnn-walkthrough mark" in line
    assert tree(mydocs) == {"index.html": b"<h1>my notes</h1>", "notes.txt": b"precious"}
    assert not (project.root / ".cache" / "sweep").exists()     # refused before the sweep


def test_a_site_it_wrote_is_replaced_but_not_once_a_file_of_the_users_is_in_it(project):
    project.build()
    published = project.files()
    assert output.MARK in published
    project.build()                               # its own site: replaced
    assert project.files() == published
    (project.out / "static" / "mine.css").write_text("body { color: red }")
    line = one_line_refusal(project.cli(), "_site")
    assert "holds 1 file (static/mine.css) that this build did not write" in line
    assert (project.out / "static" / "mine.css").read_text() == "body { color: red }"


def test_an_empty_or_missing_folder_is_used(project):
    (project.root / "empty").mkdir()
    for out in (project.root / "empty", project.root / "new" / "site"):
        project.build(out=out)
        assert (out / "index.html").is_file() and (out / output.MARK).is_file()


def test_a_mark_that_is_not_the_builds_is_no_mark(project):
    out = project.root / "mine"
    out.mkdir()
    (out / output.MARK).write_text("not json")
    (out / "index.html").write_text("mine")
    line = one_line_refusal(project.cli("--out", "mine"), "mine")
    assert "no .charrnn-walkthrough mark" in line and "2 files" in line


def test_a_file_that_appears_while_the_build_works_is_not_deleted(tmp_path):
    """The folder is checked again under the lock, just before it is replaced."""
    out = tmp_path / "site"
    output.write_site(out, {"index.html": b"<p>site", "static/app.css": b""})
    (out / "notes.txt").write_text("written during the build")
    with pytest.raises(UsageError) as caught:
        output.write_site(out, {"index.html": b"<p>new site"})
    assert "notes.txt" in caught.value.line() and "\n" not in caught.value.line()
    assert (out / "notes.txt").read_text() == "written during the build"
    assert (out / "index.html").read_bytes() == b"<p>site"


# ---------------------------------------------------------------------------
# Generated: random trees of user files in the output folder

NAMES = st.sampled_from(["index.html", "notes.txt", "static", "sections", "data", "a", "b.md",
                         output.MARK, ".hidden", "ünï cødé.txt", "squares.html",
                         "two\nlines", "x" * 200])
ENTRY = st.tuples(st.lists(NAMES, min_size=1, max_size=3),
                  st.sampled_from(["file", "empty folder", "link"]))


def plant(out: Path, parts: list[str], kind: str, outside: Path) -> None:
    """Put one entry of the user's at ``out/parts``, unless something is in the way."""
    path = out.joinpath(*parts)
    try:
        if any(p.exists() and not p.is_dir() for p in path.parents if out in p.parents):
            return
        if path.exists() or path.is_symlink():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "file":
            path.write_bytes(os.urandom(8))
        elif kind == "empty folder":
            path.mkdir()
        else:
            path.symlink_to(outside)
    except OSError:   # a name that is a file one level up: skip it
        return


COUNTER = itertools.count()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.sampled_from(["absent", "empty", "built site"]),
       entries=st.lists(ENTRY, max_size=6))
def test_any_tree_of_user_files_is_refused_in_one_line_or_there_was_none(project, start, entries):
    """The invariant: the build refuses in one short line, or the folder held
    nothing of the user's; no file of the user's is ever lost, never a traceback."""
    out = project.root / "outs" / f"site-{next(COUNTER)}"
    outside = project.root / "outside.txt"
    outside.write_text("the link's target")
    if start == "built site":
        output.write_site(out, {"index.html": b"<p>", "sections/squares.html": b"<p>",
                                "static/site.css": b""})
    elif start == "empty":
        out.mkdir(parents=True)
    built = (tree(out), everything(out)) if out.exists() else ({}, set())
    for parts, kind in entries:
        plant(out, parts, kind, outside)
    now = tree(out) if out.exists() else {}
    users = everything(out) - built[1] if out.exists() else set()
    users |= {name for name, data in now.items() if built[0].get(name) != data}
    try:
        project.build(out=out)
    except UsageError as error:
        line = error.line()
        assert "\n" not in line and len(line) < 400 + len(shown(out)), line
        assert line.startswith(f"{shown(out)}: will not replace it: "), line
        assert tree(out) == now                       # nothing touched
        assert outside.read_text() == "the link's target"
        return
    assert not users, users                         # replaced: nothing in it was theirs
    assert (out / output.MARK).is_file()


# ---------------------------------------------------------------------------
# The runner: `charrnn train --out` and the sweep's run folders

def test_train_never_replaces_a_folder_that_only_shares_names_with_a_run(tmp_path, capsys):
    """A folder holding a config.json of its own is not a run."""
    mine = tmp_path / "project"
    mine.mkdir()
    (mine / "config.json").write_text('{"mine": true}')
    (mine / "notes.txt").write_text("precious")
    status = charrnn_main(["train", "--steps", "20", "--hidden-size", "8", "--out", str(mine),
                           "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and str(mine) in err[0], err
    assert "is not a run (it has no manifest.json) and holds 2 files (config.json, notes.txt)" in err[0]
    assert tree(mine) == {"config.json": b'{"mine": true}', "notes.txt": b"precious"}


def test_train_never_replaces_a_run_that_holds_a_file_of_the_users(tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", "--steps", "20", "--hidden-size", "8", "--out", str(run), "--quiet"]
    assert charrnn_main(args) == 0
    (run / "notes.txt").write_text("about this run")
    capsys.readouterr()
    assert charrnn_main(args) == 2
    err = capsys.readouterr().err
    assert "holds 1 file (notes.txt) that no run writes" in err and err.count("\n") == 1
    assert (run / "notes.txt").read_text() == "about this run"


def test_a_sweep_never_overwrites_an_index_json_of_the_users(tmp_path, capsys):
    experiments = tmp_path / "experiments.yaml"
    experiments.write_text("seeds: [1]\ndefaults: {steps: 20, hidden_size: 8, num_sentences: 40}\n"
                           "variants: [{name: default}]\n")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.json").write_text('{"pages": []}')
    status = charrnn_main(["sweep", str(experiments), "--out", str(mine), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and "index.json, which is not a sweep's index" in err[0]
    assert tree(mine) == {"index.json": b'{"pages": []}'}


def test_a_damaged_run_holding_a_users_file_is_reported_not_deleted(tmp_path):
    from runner import experiments
    from runner.sweep import run_sweep
    path = tmp_path / "experiments.yaml"
    path.write_text("seeds: [1]\ndefaults: {steps: 20, hidden_size: 8, num_sentences: 40}\n"
                    "variants: [{name: default}]\n")
    plan = experiments.load(path)
    out = tmp_path / "out"
    run_sweep(plan, out, workers=1, say=lambda line: None, warn=lambda line: None)
    run = out / rundir.read_index(out)["runs"][0]["dir"]
    (run / "curves.npz").write_bytes(b"")                # damaged: would be trained again
    (run / "notes.txt").write_text("mine")
    warnings: list[str] = []
    index = run_sweep(plan, out, workers=1, say=lambda line: None, warn=warnings.append)
    assert (run / "notes.txt").read_text() == "mine"
    assert len(index["missing"]) == 1 and "notes.txt" in index["missing"][0]["error"]
    assert len(warnings) == 1 and "move them away" in warnings[0], warnings


def test_the_sweep_command_refuses_in_one_line(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.json").write_text("[]")
    result = subprocess.run([sys.executable, "-m", "charrnn", "sweep",
                             str(REPO / "tests" / "experiments_small.yaml"), "--out", str(mine)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert (mine / "index.json").read_text() == "[]"
