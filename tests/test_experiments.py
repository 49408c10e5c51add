"""Experiment files: read, resolved into runs, and refused in one line when wrong."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from charrnn.config import TrainConfig
from runner import experiments
from runner.experiments import ExperimentError

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
seeds: [42, 1]
defaults: {steps: 200}
variants:
  - name: default
    about: The reference.
    settings: {}
  - name: clip-1
    about: Tighter.
    settings: {clip: 1.0}
    seeds: [42]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "experiments.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_resolves_into_runs(tmp_path):
    plan = experiments.load(write(tmp_path, GOOD))
    assert [v.name for v in plan.variants] == ["default", "clip-1"]
    assert plan.walk == ("default", 42)
    runs = experiments.tasks(plan, "code")
    assert [(t.variant, t.seed) for t in runs] == [("default", 42), ("default", 1), ("clip-1", 42)]
    assert runs[2].config == TrainConfig(steps=200, clip=1.0, seed=42).to_dict()
    assert len({t.key for t in runs}) == 3
    assert experiments.tasks(plan, "code") == runs                 # stable
    assert {t.key for t in experiments.tasks(plan, "other")}.isdisjoint({t.key for t in runs})


def test_overrides_replace_the_defaults_but_not_a_variants_own_settings(tmp_path):
    plan = experiments.load(write(tmp_path, GOOD), {"steps": 50, "clip": 2.0})
    by = {(t.variant, t.seed): t.config for t in experiments.tasks(plan, "c")}
    assert by["default", 42]["steps"] == 50 and by["default", 42]["clip"] == 2.0
    assert by["clip-1", 42]["clip"] == 1.0


def test_the_same_settings_declared_twice_share_a_key(tmp_path):
    plan = experiments.load(write(tmp_path, GOOD.replace("settings: {clip: 1.0}",
                                                         "settings: {clip: 5.0}")))
    keys = {(t.variant, t.seed): t.key for t in experiments.tasks(plan, "c")}
    assert keys["clip-1", 42] == keys["default", 42]    # clip 5.0 is the default


def test_the_sites_experiment_file_is_valid_and_covers_the_reference_list():
    plan = experiments.load(REPO / "site_src" / "experiments.yaml")
    settings = [v.settings for v in plan.variants]
    for wanted in ({"hidden_size": 16}, {"hidden_size": 128}, {"seq_len": 50}, {"clip": 1.0},
                   {"lr": 0.001}, {"init": "xavier"}, {"init": "random"}, {"freeze_whh": True},
                   {"activation": "relu"}, {"activation": "sigmoid"}):
        assert wanted in settings, wanted
    assert any("embedding_dim" in s for s in settings)
    assert plan.walk == ("default", 42) and len(plan.variant("default").seeds) >= 5


BAD = [
    ("seeds: [42]\nvariants: []\n", "'variants' must be a non-empty list"),
    ("variants: [{name: a, settings: {}}]\n", "'seeds' must be a non-empty list"),
    ("seeds: [42, 42]\nvariants: [{name: a}]\n", "'seeds' lists a seed twice"),
    ("seeds: [-1]\nvariants: [{name: a}]\n", "-1 is not a seed"),
    ("seeds: [1]\nvariant: []\n", "unknown field 'variant' (did you mean 'variants'?)"),
    ("seeds: [1]\nvariants: [{name: a, setings: {}}]\n",
     "variant 'a': unknown field 'setings' (did you mean 'settings'?)"),
    ("seeds: [1]\nvariants: [{name: a}, {name: a}]\n", "variant 'a': the name is used twice"),
    ("seeds: [1]\nvariants: [{name: a, settings: {lr: -1}}]\n",
     "variant 'a': settings: lr must be a finite number above 0"),
    ("seeds: [1]\nvariants: [{name: a, settings: {lr: .nan}}]\n",
     "variant 'a': settings: lr must be a finite number above 0"),
    ("seeds: [1]\nvariants: [{name: a, settings: {lr_decay: -5}}]\n",
     "variant 'a': settings: lr_decay must be above 0 and at most 1"),
    ("seeds: [1]\nvariants: [{name: a, settings: {hiden_size: 3}}]\n",
     "variant 'a': settings: unknown setting 'hiden_size' (did you mean 'hidden_size'?)"),
    ("seeds: [1]\nvariants: [{name: a, settings: {steps: 1.5}}]\n",
     "variant 'a': settings: steps must be a whole number"),
    ("seeds: [1]\nvariants: [{name: a, settings: {seed: 3}}]\n", "may not set 'seed'"),
    ("seeds: [1]\ndefaults: {clip: -1}\nvariants: [{name: a}]\n", "'defaults': clip must be"),
    ("seeds: [1]\nvariants: [{name: Bad Name}]\n", "'name' must be a short lower-case name"),
    ("seeds: [1]\nvariants: [{name: a, switcher: true}]\n", "unknown field 'switcher'"),
    ("seeds: [1]\nwalk: {variant: b, seed: 1}\nvariants: [{name: a}]\n", "names variant 'b'"),
    ("seeds: [1]\nwalk: {variant: a, seed: 7}\nvariants: [{name: a}]\n", "names seed 7"),
    ("seeds: [1]\nvariants: [{name: a, settings: &s {}}, {name: b, settings: *s}]\n",
     "anchors and aliases"),
    ("seeds: [1\n", "invalid YAML"),
    ("- just a list\n", "must hold a mapping"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_a_bad_file_is_one_line_naming_what_is_wrong(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ExperimentError) as caught:
        experiments.load(path)
    error = str(caught.value)
    assert "\n" not in error and error.startswith(str(path)) and message in error, error


def test_unreadable_and_oversized_files(tmp_path):
    path = tmp_path / "experiments.yaml"
    path.write_bytes(b"seeds: [1]\nvariants: [{name: \xff}]\n")
    with pytest.raises(ExperimentError, match="not UTF-8"):
        experiments.load(path)
    path.write_text("# " + "x" * experiments.MAX_BYTES + "\n")
    with pytest.raises(ExperimentError, match="too large"):
        experiments.load(path)
    with pytest.raises(ExperimentError, match="cannot be read"):
        experiments.load(tmp_path / "missing.yaml")
