"""The hidden units on the page: the two static charts drawn from
analysis.json["units"], and the unit picker's data (data/units.js), written and
loaded only for a section with ``units: true``."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from engine_fixtures import REPO, SECTION
from fake_run import write_fake_run
from test_engine_exports import read_global

from charrnn import train
from runner import rundir
from walkthrough import exports
from walkthrough.charts import CHARTS, WIDE
from walkthrough.charts.units import COLUMNS, PHONE_WIDTH, wrap
from walkthrough.pages import chart_renderer
from walkthrough.run import load_run

UNITS = SECTION + "units: true\n"


# --- the picker's data ------------------------------------------------------------

def test_the_unit_data_is_written_and_loaded_only_for_a_section_that_asks(project):
    project.build()
    assert not (project.out / "data" / "units.js").exists()
    assert "units.js" not in (project.out / "sections" / "squares.html").read_text()
    project.section("01-squares", UNITS)
    project.build()
    page = (project.out / "sections" / "squares.html").read_text()
    for needed in ('src="../data/units.js"', 'src="../static/units.js"',
                   'href="../static/units.css"'):
        assert needed in page
    assert re.search(r"<section[^>]*data-units[^>]* hidden", page)   # revealed by units.js
    other = (project.out / "sections" / "forward-pass.html").read_text()
    assert "units.js" not in other and "units.css" not in other


def test_the_unit_data_is_the_run_s_excerpt_in_hundredths(project, fake_run):
    project.section("01-squares", UNITS)
    project.build()
    data = read_global(project.out / "data" / "units.js", "charrnnUnits")
    units = json.loads((fake_run / "analysis.json").read_text())["units"]
    excerpt = units["excerpt"]
    assert data["text"] == excerpt["text"] and data["hiddenSize"] == units["hidden_size"]
    for network in ("trained", "untrained"):
        shown = np.array(data[network])
        assert shown.dtype.kind == "i" and shown.shape == (units["hidden_size"], len(data["text"]))
        assert np.abs(shown - np.array(excerpt[network]) * 100).max() <= 0.5
    assert [f["name"] for f in data["features"]] == units["feature_order"]
    for f in data["features"]:
        assert f["bestUnit"] == units["features"][f["name"]]["best_unit"]
        assert np.abs(np.array(f["trained"]) - np.array(units["features"][f["name"]]["trained"])
                      * 100).max() <= 0.5


def test_the_unit_data_holds_what_the_analysis_read_before_the_excerpt(project, tmp_path):
    """The page runs the reader's network over the context, then the excerpt, to
    colour the excerpt by its units: the context must be the characters that the
    analysis read before the excerpt, from the VAL_CONTEXT training characters
    before the validation text on."""
    run = write_fake_run(tmp_path / "run")
    text = (run / "corpus.txt").read_text(encoding="utf-8")
    analysis = json.loads((run / "analysis.json").read_text())
    units = analysis["units"]
    cut = len(text) - units["val_chars"]
    offset = text.index(" ", cut + 10) + 1 - cut         # a word's start in the validation text
    units["excerpt"]["start"] = offset
    units["excerpt"]["text"] = text[cut + offset:cut + offset + 50]
    rundir.add(run, {"analysis.json": rundir.json_bytes(analysis)})
    project.section("01-squares", UNITS)
    project.build(run=run)
    data = read_global(project.out / "data" / "units.js", "charrnnUnits")
    assert data["context"] == text[cut - train.VAL_CONTEXT:cut + offset]
    assert text.index(data["context"] + data["text"]) == cut - train.VAL_CONTEXT


def test_without_the_excerpt_in_the_run_s_text_there_is_no_context(project, fake_run):
    # the fake run's excerpt is a sentence of its own, not a piece of its corpus.txt
    project.section("01-squares", UNITS)
    project.build()
    assert read_global(project.out / "data" / "units.js", "charrnnUnits")["context"] is None


def test_the_engine_keeps_train_pys_validation_context():
    assert exports.VAL_CONTEXT == train.VAL_CONTEXT


@pytest.mark.parametrize("value", ["'yes'", "1"])
def test_units_must_be_true_or_false(project, value):
    project.section("01-squares", SECTION + f"units: {value}\n")
    assert "field 'units' in the section must be true or false" in project.fail()


def test_a_run_analysed_before_units_existed_gets_a_clear_error(project, tmp_path):
    run = write_fake_run(tmp_path / "old-run")
    analysis = json.loads((run / "analysis.json").read_text())
    del analysis["units"]
    rundir.add(run, {"analysis.json": rundir.json_bytes(analysis)})   # as an older analyze wrote it
    project.section("01-squares", UNITS)
    message = project.fail(run=run)
    assert "01-squares.yaml" in message and "no 'units'" in message
    assert "charrnn analyze" in message


# --- the static charts ---------------------------------------------------------

def test_wrapping_keeps_every_character_and_the_width():
    text = "a king reads a book a fish smells the queen the mouse sees the bread"
    lines = wrap(text, 20)
    assert "".join(lines) == text
    assert all(len(line) <= 20 for line in lines)
    assert all(line.endswith(" ") for line in lines[:-1])    # broken after a space


def test_the_coloured_text_shows_each_fact_s_best_unit(fake_run):
    run = load_run(fake_run)
    units = run.analysis["units"]
    spec = CHARTS["unit-text"].spec(run, WIDE)
    assert len(spec["vconcat"]) == len(units["feature_order"])
    for panel, name in zip(spec["vconcat"], units["feature_order"], strict=True):
        feature = units["features"][name]
        cells = panel["data"]["values"]
        assert "".join(c["char"] for c in cells) == units["excerpt"]["text"][:len(cells)]
        expected = units["excerpt"]["trained"][feature["best_unit"] - 1][:len(cells)]
        assert [c["h"] for c in cells] == expected
        assert max(c["col"] for c in cells) < COLUMNS
        assert f"unit {feature['best_unit']}" in panel["title"]["text"]
        assert feature["label"] in panel["title"]["text"]


def test_the_strength_chart_plots_the_best_trained_unit_against_the_null_bar(fake_run):
    run = load_run(fake_run)
    units = run.analysis["units"]
    spec = CHARTS["unit-strength"].spec(run, WIDE)
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    shown = {(r["fact"], r["series"]): r["value"] for r in points["data"]["values"]}
    for feature in units["features"].values():
        assert shown[(feature["label"], "trained")] == feature["best"]
        assert shown[(feature["label"], "untrained networks (bar)")] == feature["null_bar"]


@pytest.mark.parametrize("verdict", ["learned", "untrained-too", "none"])
@pytest.mark.parametrize("name", ["unit-text", "unit-strength"])
def test_the_unit_charts_fit_a_phone_at_their_natural_size(name, verdict, fake_run, chart_cache):
    run = load_run(fake_run)
    for feature in run.analysis["units"]["features"].values():
        feature["verdict"] = verdict          # the verdicts' words differ in length
    theme = json.loads((REPO / "site_src" / "chart-theme.json").read_text())
    drawings = chart_renderer(theme, chart_cache)(CHARTS[name], run)
    assert [d.frame for d in drawings] == ["any"]     # one drawing serves every screen
    (svg,) = drawings[0].svgs
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    assert width <= PHONE_WIDTH
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 11
