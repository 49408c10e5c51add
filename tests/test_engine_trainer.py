"""The page's trainer, as the engine writes it: ``trainer: true`` puts the panel on
its page and writes data/trainer.js (walkthrough/trainer.py) with the run's own
text and settings and the recorded bands; a run without corpus.txt is refused
for it; and the JavaScript keeps charrnn's constants and settings' names.
(tests/browser/test_trainer_*.py drive it in the browser.)"""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import numpy as np
from engine_fixtures import SECTION
from test_engine_exports import read_global

from charrnn import train
from charrnn.config import TrainConfig
from runner import rundir
from walkthrough.trainer import BINS, PANEL_SETTINGS, binned

STATIC = Path(__file__).resolve().parents[1] / "site_src" / "static"
TRAINER = SECTION + "trainer: true\n"


def test_the_data_hold_the_runs_text_settings_and_band(project, fake_run):
    project.section("01-squares", TRAINER)
    project.build()
    data = read_global(project.out / "data" / "trainer.js", "charrnnTrainerData")
    assert data["text"] == rundir.read_text(fake_run, "corpus.txt")
    assert data["vocab"] == rundir.read_json(fake_run, "vocab.json")["chars"]
    config = rundir.read_json(fake_run, "config.json")
    assert data["defaults"] == {name: config[name] for name in (*PANEL_SETTINGS, "val_fraction", "val_every")}
    assert data["bin"] == max(1, config["steps"] // BINS)
    (band,) = data["bands"]   # a single run: one band, of one seed
    assert band["name"] == "default" and band["seeds"] == [config["seed"]]
    loss = rundir.read_arrays(fake_run, "curves.npz")["loss"]
    expected = binned(loss, data["bin"])
    assert band["train"]["step"] == [data["bin"] * (k + 1) for k in range(len(expected))]
    assert np.allclose(band["train"]["mean"], expected, rtol=1e-3)
    assert set(band["train"]["sd"]) == {0.0}


def test_the_panel_is_hidden_without_javascript_and_its_scripts_load_in_order(project):
    project.section("01-squares", TRAINER)
    project.build()
    page = (project.out / "sections" / "squares.html").read_text()
    assert re.search(r"<section[^>]*data-trainer[^>]* hidden", page)
    assert "data-trainer-nojs>With JavaScript and Web Workers, this page would" in page
    order = ["static/svgchart.js", "static/rnn.js", "data/trainer.js", "static/eigen.js",
             "static/trainer.js", "static/trainworker.js", "static/trainviews.js",
             "static/trainsettings.js", "static/trainpanel.js"]
    at = [page.index(f'src="../{name}"') for name in order]
    assert at == sorted(at)
    assert 'href="../static/trainer.css"' in page
    other = (project.out / "sections" / "forward-pass.html").read_text()
    assert "trainer.js" not in other and "rnn.js" not in other


def test_a_run_without_its_text_cannot_have_a_trainer(project, fake_run, tmp_path):
    files = rundir.read_all(fake_run)
    del files["corpus.txt"]
    older = rundir.write(tmp_path / "older-run", files)
    project.section("01-squares", TRAINER)
    message = project.fail(run=older)
    assert "'trainer: true' needs the text the run read, and the run has no corpus.txt" in message


def test_the_javascript_keeps_train_pys_constants():
    source = (STATIC / "trainer.js").read_text(encoding="utf-8")
    constant = {name: float(value) for name, value in re.findall(r"const ([A-Z_]+) = ([\d.]+);", source)}
    assert constant["VAL_CONTEXT"] == train.VAL_CONTEXT
    assert constant["DIVERGENCE_WINDOW"] == train.DIVERGENCE_WINDOW
    assert constant["FAR_ABOVE_UNIFORM"] == train.FAR_ABOVE_UNIFORM


def test_the_panels_settings_are_trainconfigs():
    source = (STATIC / "trainsettings.js").read_text(encoding="utf-8")
    block = source[source.index("const SETTINGS = ["):source.index("];", source.index("const SETTINGS = ["))]
    names = re.findall(r'\{ name: "([a-z_]+)"', block)
    own = {"stop_val"}   # the page's own stopping rule
    assert set(names) - own == set(PANEL_SETTINGS)
    assert set(PANEL_SETTINGS) <= {f.name for f in fields(TrainConfig)}
