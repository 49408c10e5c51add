"""Property-based tests (Hypothesis) of every training setting and every command-line
option: whatever the values, the result is a clean run of the code or one line that
names what is wrong, never a traceback and never a hang."""
from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from training import train_into

import runner.cli as cli
from charrnn.config import RULES, ConfigError, TrainConfig
from runner import rundir

FIELDS = [f.name for f in fields(TrainConfig)]

# Values of every kind a person (or a YAML file) could write.
ANY_VALUE = st.one_of(
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.0, 1.0, 1e-300, 1e300, float("nan"), float("inf"), 2**63]),
    st.booleans(), st.none(),
    st.text(max_size=12),
    st.sampled_from(["1e-3", "inf", "nan", "tanh", "relu", "orthogonal", "he", ""]),
    st.lists(st.integers(), max_size=2),
)
ONE_LINE = settings(max_examples=300, deadline=500,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@ONE_LINE
@given(st.dictionaries(st.sampled_from(FIELDS + ["hiden_size", "sed", "x"]), ANY_VALUE, max_size=5))
def test_any_settings_give_a_trainable_config_or_one_line_naming_the_setting(settings_):
    try:
        config = TrainConfig.from_settings(settings_)
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 300
        assert any(message.startswith(name) or f"'{name}'" in message for name in settings_)
        return
    config.validate()   # what passed is within every rule
    for name, (allowed, _) in RULES.items():
        assert allowed(getattr(config, name)), name
    for name in ("lr", "clip", "momentum", "lr_decay", "val_fraction"):
        assert math.isfinite(getattr(config, name))


OPTION_VALUE = st.one_of(
    st.integers(min_value=-10**15, max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "-1", "1e-3", "inf", "nan", "-inf", "1e309", "tanh", "xavier", ""]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=10),
)
TRAIN_FLAGS = ["--" + ("corpus" if f == "corpus_path" else f.replace("_", "-")) for f in FIELDS
               if f not in ("freeze_whh",)]


@pytest.fixture
def no_training(monkeypatch):
    """`charrnn train` checks its settings and stops there: the property is about the
    options, and a valid set of them would otherwise train for minutes."""
    import types

    import charrnn.train as train_module
    import runner.runfiles as runfiles_module
    seen = []

    def checked_only(cfg, console=None):
        cfg.validate()
        seen.append(cfg)
        return types.SimpleNamespace(summary={"diverged": None})

    monkeypatch.setattr(train_module, "train", checked_only)
    monkeypatch.setattr(runfiles_module, "write_run", lambda *args: None)
    return seen


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        status = cli.main(argv)
    except SystemExit as exit_:          # argparse's own refusals
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


@ONE_LINE
@given(st.lists(st.tuples(st.sampled_from(TRAIN_FLAGS), OPTION_VALUE), min_size=1, max_size=4))
def test_train_options_run_or_give_one_line(no_training, capsys, tmp_path_factory, options):
    argv = ["train", "--out", str(tmp_path_factory.mktemp("o") / "r")]
    for flag, value in options:
        argv += [f"{flag}={value}"]
    status, _, err = run_cli(argv, capsys)
    assert status in (0, 2), (argv, status, err)
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err and lines[0].startswith("charrnn"), err


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "run"
    train_into(out, TrainConfig(steps=60, hidden_size=8, num_sentences=40, val_every=30))
    return out


@settings(max_examples=200, deadline=10_000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(length=OPTION_VALUE | st.integers(1, 300).map(str),
       temperature=OPTION_VALUE | st.sampled_from(["0.5", "1", "2"]),
       seed=OPTION_VALUE | st.integers(0, 99).map(str),
       prefix=st.text(max_size=20) | st.sampled_from(["the ", "The Dog ", "a  cat", "zebra"]))
def test_sample_options_give_text_or_one_line(small_run, capsys, length, temperature, seed, prefix):
    argv = ["sample", str(small_run), f"--length={length}", f"--temperature={temperature}",
            f"--seed={seed}", f"--prefix={prefix}"]
    status, out, err = run_cli(argv, capsys)
    assert status in (0, 2), (argv, err)
    if status == 0:
        assert out.startswith(cli.prompt(prefix)) and len(out) - 1 == len(cli.prompt(prefix)) + int(length)
    else:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err


@settings(max_examples=150, deadline=3000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(assignments=st.lists(st.tuples(st.sampled_from(FIELDS + ["seed", "hidden-size", "nope"]),
                                      OPTION_VALUE).map(lambda kv: f"{kv[0]}={kv[1]}")
                            | st.text(max_size=15), max_size=3),
       workers=st.sampled_from([None, "1", "2", "0", "-3", "x"]))
def test_sweep_options_are_checked_before_anything_trains(tmp_path_factory, capsys, assignments, workers):
    folder = tmp_path_factory.mktemp("sweep")
    experiments = folder / "experiments.yaml"
    experiments.write_text("seeds: [42]\nvariants:\n  - name: default\n")
    argv = ["sweep", str(experiments), "--out", str(folder / "out"), "--cached-only", "--quiet"]
    argv += [f"--set={a}" for a in assignments]
    if workers is not None:
        argv += [f"--workers={workers}"]
    status, _, err = run_cli(argv, capsys)
    assert status in (0, 2), (argv, err)
    if status == 2:
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert not (folder / "out" / "runs").exists() or not any((folder / "out" / "runs").iterdir())
    else:
        assert rundir.read_index(folder / "out")["missing"]     # nothing was trained
