"""build.py's command line: every bad value is one line and exit status 2, as
argparse does for the values it checks itself, found before any work; a run
that was never analysed is one line that says how to analyse it."""
from __future__ import annotations

import pytest
from fake_run import write_fake_run


def refused_as_usage(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("build.py: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (["--serve", "--port", "70000"], "argument --port: must be a port from 1 to 65535, got 70000"),
    (["--serve", "--port", "-1"], "argument --port: must be a port from 1 to 65535, got -1"),
    (["--serve", "--port", "http"], "argument --port: must be a whole number, got 'http'"),
    (["--steps", "0"], "argument --steps: must be a whole number from 1 to 10,000,000, got 0"),
    (["--hidden-size", "-3"], "argument --hidden-size: must be a whole number from 1 to 4,096"),
    (["--lr", "nan"], "argument --lr: must be a finite number above 0 (at most 1e6), got nan"),
    (["--seq-len", "1e9"], "argument --seq-len: invalid int value: '1e9'"),
    (["--num-sentences", "0"], "argument --num-sentences: must be a whole number from 1"),
    (["--run", "no/such/run"], "no/such/run: no such run directory"),
    (["--experiments", "no/such.yaml"], "no/such.yaml: no such experiment file"),
])
def test_every_bad_command_line_value_exits_2_in_one_line(project, args, says):
    line = refused_as_usage(project.cli(*args))
    assert says in line, line
    assert not project.out.exists()
    assert not (project.root / ".cache" / "sweep").exists()


def test_an_output_path_that_is_a_file_exits_2(project):
    (project.root / "site.txt").write_text("mine")
    line = refused_as_usage(project.cli("--out", "site.txt"))
    assert "site.txt: will not replace it: is a file" in line
    assert (project.root / "site.txt").read_text() == "mine"


def test_a_run_never_analysed_is_one_line_saying_how_to_analyse_it(project, tmp_path):
    run = write_fake_run(tmp_path / "raw", with_analysis=False)
    line = refused_as_usage(project.cli("--run", str(run)))
    assert "the run was never analysed" in line
    assert line.endswith("analyse it first: charrnn analyze raw")   # relative to the cwd
    assert not project.out.exists()
