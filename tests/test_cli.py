"""The command line: real subprocesses, as a user would run them."""
import argparse
import json
import subprocess
import sys

import pytest

from runner.cli import build_parser, main


def charrnn(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "charrnn", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args,message", [
    (["train", "--steps", "0"], "steps must be a whole number from 1 to 10,000,000, got 0"),
    (["train", "--hidden-size", "-3"], "hidden_size must be a whole number from 1 to 4,096, got -3"),
    (["train", "--init", "he"], "init must be one of orthogonal, xavier, random, got 'he'"),
    (["train", "--activation", "gelu"], "activation must be one of tanh, relu, sigmoid, got 'gelu'"),
    (["train", "--lr", "inf"], "lr must be a finite number above 0 (at most 1e6), got inf"),
    (["train", "--clip", "nan"], "clip must be a finite number, at least 0 (0 disables clipping), got nan"),
    (["train", "--lr-decay", "-5"], "lr_decay must be above 0 and at most 1 (1: no decay), got -5.0"),
    (["train", "--corpus", "no/such/file.txt"], "corpus file not found: no/such/file.txt"),
    (["train", "--steps", "many"], "invalid int value: 'many'"),
    (["sample", "no/such/run", "--temperature", "0"], "temperature must be a finite number above 0"),
    (["sample", "no/such/run"], "no/such/run: no such run directory or checkpoint"),
])
def test_bad_values_get_one_line_and_status_2(args, message, capsys):
    try:
        status = main(args)
    except SystemExit as exit:  # argparse's own errors exit directly
        status = exit.code
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err


def test_a_real_process_exits_2_without_traceback():
    result = charrnn("train", "--steps", "-1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == \
        "charrnn train: error: steps must be a whole number from 1 to 10,000,000, got -1"


@pytest.mark.parametrize("command", ["corpus", "train", "analyze", "sample", "explore", "sweep"])
def test_help_everywhere(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0 and "usage: charrnn " + command in capsys.readouterr().out


def test_every_sample_option_says_what_it_does():
    subcommands = next(a for a in build_parser()._actions
                       if isinstance(a, argparse._SubParsersAction))
    sample = subcommands.choices["sample"]
    assert {flag for a in sample._actions for flag in a.option_strings} >= \
        {"--length", "--temperature", "--seed"}
    assert all(action.help for action in sample._actions)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    result = charrnn("train", "--steps", "200", "--hidden-size", "16", "--num-sentences", "80",
                     "--val-every", "100", "--sample-every", "100", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event"] == "header" and events[-1]["event"] == "footer"
    assert any(e["event"] == "sample" for e in events)
    return out


def test_train_writes_a_run_and_console_transcript(run_dir):
    transcript = (run_dir / "console.txt").read_text()
    assert transcript.startswith("corpus ") and "sample at step 100" in transcript
    assert "done        200 steps" in transcript


def test_quiet_prints_nothing(tmp_path):
    result = charrnn("train", "--steps", "30", "--hidden-size", "8", "--num-sentences", "40",
                     "--quiet", "--out", str(tmp_path / "q"))
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_sample_and_explore(run_dir):
    out = charrnn("sample", str(run_dir), "--prefix", "the dog ", "--length", "40", "--seed", "3")
    assert out.returncode == 0 and out.stdout.startswith("the dog ") and len(out.stdout.strip()) == 48
    again = charrnn("sample", str(run_dir), "--prefix", "the dog ", "--length", "40", "--seed", "3")
    assert again.stdout == out.stdout
    bad = charrnn("sample", str(run_dir), "--prefix", "the zebra")
    assert bad.returncode == 2 and "'z' at position 4" in bad.stderr

    session = charrnn("explore", str(run_dir), "--top", "3", stdin="the ca\nzz\n\n")
    assert session.returncode == 0
    rows = [line for line in session.stdout.splitlines() if line.startswith("  '")]
    assert len(rows) == 3  # one prefix, three characters shown
    assert "'z' at position 0" in session.stdout


def test_corpus_command(tmp_path):
    path = tmp_path / "corpus.txt"
    assert main(["corpus", "--num-sentences", "10", "--seed", "1", "--out", str(path)]) == 0
    text = path.read_text().strip()
    assert len(text.split()) >= 20 and text == text.lower()
    stats = charrnn("corpus", "--num-sentences", "10", "--seed", "1", "--stats")
    assert json.loads(stats.stdout)["num_chars"] == len(text)


def test_train_on_a_corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    main(["corpus", "--num-sentences", "60", "--out", str(path)])
    result = charrnn("train", "--corpus", str(path), "--steps", "20", "--hidden-size", "8",
                     "--quiet", "--out", str(tmp_path / "r"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["entropy_floor"] is None and summary["corpus_chars"] == len(path.read_text().strip())


def test_analyze_prints_headline(run_dir):
    result = charrnn("analyze", str(run_dir))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert 0 <= printed["vocab_hit_rate"] <= 1 and printed["vocab_hit_rate_sd"] >= 0
    assert 0 <= printed["units_tracked"] <= 5
    assert (run_dir / "analysis.json").exists()


def test_capitals_and_runs_of_spaces_read_as_the_training_text_does(run_dir):
    lower = charrnn("sample", str(run_dir), "--prefix", "the dog ", "--length", "30", "--seed", "1")
    upper = charrnn("sample", str(run_dir), "--prefix", "The  DOG ", "--length", "30", "--seed", "1")
    assert upper.returncode == 0 and upper.stdout == lower.stdout


@pytest.mark.parametrize("command", ["sample", "explore"])
@pytest.mark.parametrize("damage", ["truncate", "delete-manifest"])
def test_a_damaged_run_is_one_line_and_status_2(run_dir, tmp_path, command, damage):
    import shutil
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    if damage == "truncate":
        checkpoint = copy / "checkpoint.npz"
        checkpoint.write_bytes(checkpoint.read_bytes()[:200])
    else:
        (copy / "manifest.json").unlink()
    result = charrnn(command, str(copy), stdin="the \n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and str(copy) in result.stderr
    assert ("damaged run: checkpoint.npz" if damage == "truncate" else "not a finished run") \
        in result.stderr


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize("target", ["a file", "under a file", "a folder of other files"])
def test_out_never_replaces_what_is_not_a_run(tmp_path, capsys, command, target):
    (tmp_path / "notes.txt").write_text("precious")
    out = {"a file": tmp_path / "notes.txt", "under a file": tmp_path / "notes.txt" / "run",
           "a folder of other files": tmp_path}[target]
    experiments = tmp_path.parent / "experiments.yaml"
    experiments.write_text("seeds: [1]\ndefaults: {steps: 20, hidden_size: 8, num_sentences: 60}\n"
                           "variants: [{name: default, settings: {}}]\n")
    args = ["train", "--steps", "20"] if command == "train" else ["sweep", str(experiments)]
    status = main([*args, "--out", str(out), "--quiet"])
    lines = capsys.readouterr().err.strip().splitlines()
    if command == "sweep" and target == "a folder of other files":
        assert status == 0   # a sweep only adds its index and runs beside them
    else:
        assert status == 2 and len(lines) == 1 and str(out) in lines[0], lines
        assert "choose" in lines[0]
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_out_replaces_an_earlier_run(tmp_path):
    again = tmp_path / "run"
    assert main(["train", "--steps", "20", "--hidden-size", "8", "--out", str(again), "--quiet"]) == 0
    assert main(["train", "--steps", "30", "--hidden-size", "8", "--out", str(again), "--quiet"]) == 0
    assert json.loads((again / "summary.json").read_text())["steps"] == 30
