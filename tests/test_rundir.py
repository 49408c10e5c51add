"""The run directory contract (runner/rundir.py): atomic, verified, keyed, and
described by docs/run-format.md."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fake_run import write_fake_run

from runner import rundir

REPO = Path(__file__).resolve().parent.parent
DAMAGES = {
    "truncated": lambda data: data[: len(data) // 2],
    "emptied": lambda data: b"",
    "garbage": lambda data: bytes(255 - b for b in data),   # same size, other bytes
    "deleted": None,
}


@pytest.fixture
def run_dir(tmp_path) -> Path:
    return write_fake_run(tmp_path / "run")


def test_a_written_run_reads_back_byte_for_byte(run_dir, tmp_path):
    rundir.check(run_dir)
    files = rundir.read_all(run_dir)
    assert set(files) == set(rundir.FILES) and rundir.MANIFEST not in files
    copy = rundir.write(tmp_path / "copy", files)
    assert rundir.read_all(copy) == files
    assert rundir.read_json(copy, "summary.json") == rundir.read_json(run_dir, "summary.json")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_writing_again_replaces_the_run_whole(run_dir):
    files = rundir.read_all(run_dir)
    files["console.txt"] = b"second\n"
    rundir.write(run_dir, files)
    assert rundir.read_text(run_dir, "console.txt") == "second\n"
    rundir.check(run_dir)


def test_a_run_missing_a_documented_file_is_refused(tmp_path, run_dir):
    files = rundir.read_all(run_dir)
    del files["curves.npz"]
    with pytest.raises(ValueError, match=r"curves\.npz"):
        rundir.write(tmp_path / "incomplete", files)
    assert not (tmp_path / "incomplete").exists()


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("name", sorted(rundir.FILES))
def test_every_kind_of_damage_to_every_file_is_one_clear_error(run_dir, name, damage):
    path = run_dir / name
    if DAMAGES[damage] is None:
        path.unlink()
    else:
        path.write_bytes(DAMAGES[damage](path.read_bytes()))
    with pytest.raises(rundir.RunError) as caught:
        rundir.check(run_dir)
    message = str(caught.value)
    assert "\n" not in message and str(run_dir) in message and name in message
    assert "delete the folder" in message
    assert not rundir.is_complete(run_dir) or damage == "garbage"   # sizes alone miss garbage
    with pytest.raises(rundir.RunError):
        rundir.read_bytes(run_dir, name)


def test_a_run_without_its_manifest_is_unfinished(run_dir):
    (run_dir / rundir.MANIFEST).unlink()
    assert not rundir.is_complete(run_dir)
    with pytest.raises(rundir.RunError, match="not a finished run"):
        rundir.read_json(run_dir, "summary.json")
    (run_dir / rundir.MANIFEST).write_text("{not json")
    with pytest.raises(rundir.RunError, match=r"manifest\.json is damaged"):
        rundir.check(run_dir)


def test_adding_a_file_updates_the_manifest(run_dir):
    rundir.add(run_dir, {"analysis.json": rundir.json_bytes({"x": 1})})
    rundir.check(run_dir)
    assert rundir.read_json(run_dir, "analysis.json") == {"x": 1}
    with pytest.raises(ValueError, match="not a file of the run format"):
        rundir.add(run_dir, {"extra.txt": b""})


def test_an_interrupted_write_leaves_nothing_that_looks_complete(run_dir, tmp_path, monkeypatch):
    files = rundir.read_all(run_dir)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rundir, "_manifest", full_disk)   # the last thing written
    with pytest.raises(OSError):
        rundir.write(tmp_path / "new", files)
    with pytest.raises(OSError):
        rundir.write(run_dir, files)                     # replacing: the old run survives
    monkeypatch.undo()
    assert not (tmp_path / "new").exists()
    assert rundir.read_all(run_dir) == files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_stale_leftovers_of_dead_writers_are_cleaned(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = [tmp_path / f".abc.tmp-{dead}-x1y2", tmp_path / f".abc.old-{dead}"]
    mine = tmp_path / f".abc.tmp-{os.getpid()}-zz"
    for folder in [*stale, mine]:
        folder.mkdir()
    (tmp_path / "abc").mkdir()
    assert sorted(rundir.clean_stale(tmp_path)) == sorted(stale)
    assert mine.exists() and (tmp_path / "abc").exists()


def test_checkpoint_round_trip_and_damage(run_dir, tmp_path):
    ck = rundir.read_checkpoint(run_dir)
    path = tmp_path / "checkpoint.npz"
    path.write_bytes(rundir.checkpoint_bytes(ck))
    again = rundir.read_checkpoint(path)
    assert again.chars == ck.chars and again.hidden_size == ck.hidden_size
    assert all(np.array_equal(again.params[k], ck.params[k]) for k in ck.params)
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(rundir.RunError, match="not a readable NumPy archive"):
        rundir.read_checkpoint(path)


# --- keys ------------------------------------------------------------------

@pytest.fixture
def package(tmp_path) -> Path:
    copy = tmp_path / "charrnn"
    shutil.copytree(REPO / "charrnn", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_code_key_ignores_comments_docstrings_and_blank_lines(package):
    key = rundir.code_key(package)
    model = package / "model.py"
    text = model.read_text()
    edited = text.replace("# --- activations ---", "# --- the activation functions ---", 1)
    edited = edited.replace('"""Read one character;', '"""Read exactly one character;', 1)
    edited = edited.replace("\n\n\n", "\n\n\n\n", 1) + "\n# one more comment\n"
    assert edited != text
    model.write_text(edited)
    assert rundir.code_key(package) == key


def test_the_code_key_is_the_subject_package_and_nothing_else(package):
    runner = package.parent / "runner"
    shutil.copytree(REPO / "runner", runner, ignore=shutil.ignore_patterns("__pycache__"))
    key = rundir.code_key(package)
    train = package / "train.py"
    train.write_text(train.read_text().replace("DIVERGENCE_WINDOW = 100", "DIVERGENCE_WINDOW = 101"))
    changed = rundir.code_key(package)
    assert changed != key
    # the runner only starts runs and writes them down: its code is not in the key
    cli = runner / "cli.py"
    cli.write_text(cli.read_text().replace('help="print nothing but errors"', 'help="say nothing"'))
    files = runner / "rundir.py"
    files.write_text(files.read_text().replace("FORMAT = 1", "FORMAT = 1  # the same"))
    main = package / "__main__.py"
    main.write_text(main.read_text() + "print('hello')\n")
    assert rundir.code_key(package) == changed
    # ... but every module of the subject is, imported or not yet
    (package / "extra.py").write_text("X = 1\n")
    assert rundir.code_key(package) not in (key, changed)


def test_the_memo_gives_the_same_key_and_skips_unchanged_files(package, monkeypatch):
    memo: dict = {}
    key = rundir.code_key(package, memo)
    parsed = []
    monkeypatch.setattr(rundir, "_tree_digest", lambda *a: parsed.append(a) or "")
    assert rundir.code_key(package, memo) == key and parsed == []


def test_a_syntax_error_is_named(package):
    data = package / "data.py"
    lines = data.read_text().count("\n")
    data.write_text(data.read_text() + "def f(:\n")
    with pytest.raises(rundir.RunError, match=rf"data\.py:{lines + 1}: the file does not parse"):
        rundir.code_key(package)


def test_the_run_key_covers_every_setting_in_any_order():
    a = rundir.run_key("code", {"lr": 0.1, "steps": 10})
    assert a == rundir.run_key("code", {"steps": 10, "lr": 0.1})
    assert a != rundir.run_key("code", {"lr": 0.1, "steps": 11})
    assert a != rundir.run_key("other", {"lr": 0.1, "steps": 10})


# --- the documentation matches the module ---------------------------------------

def test_docs_describe_every_file_and_summary_field():
    doc = (REPO / "docs" / "run-format.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([a-z_]+\.(?:json|npz|txt))` \|", doc, flags=re.M))
    assert table == set(rundir.FILES) | {rundir.MANIFEST}
    for field in rundir.SUMMARY_FIELDS:
        assert f"`{field}`" in doc, field
