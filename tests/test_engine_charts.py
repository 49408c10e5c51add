"""Charts come from the run's arrays and are inlined as lean, static SVG."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from engine_fixtures import REPO

from walkthrough.charts import CHARTS, binned, changes
from walkthrough.pages import chart_renderer
from walkthrough.run import load_run
from walkthrough.vega import render_svg, scope_ids


@pytest.fixture(scope="module")
def theme():
    return json.loads((REPO / "site_src" / "chart-theme.json").read_text())


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_renders_small_static_svg(name, fake_run, chart_cache, theme):
    svg = chart_renderer(theme, chart_cache)(name, load_run(fake_run))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert len(svg) < 60_000
    assert "http" not in svg and "<script" not in svg
    assert 'id="' not in svg or f'id="{name}-' in svg     # ids scoped to the chart


def test_loss_chart_data_come_from_the_run(fake_run):
    run = load_run(fake_run)
    spec = CHARTS["loss"].spec(run)
    rows = spec["layer"][0]["data"]["values"]
    validation = [r["loss"] for r in rows if r["series"] == "validation"]
    assert validation == pytest.approx(run.curves["val_loss"].tolist(), rel=1e-3)
    assert spec["layer"][1]["data"]["values"][0]["floor"] == run.summary["entropy_floor"]


def test_learning_rate_chart_keeps_only_the_changes(fake_run):
    run = load_run(fake_run)
    rows = CHARTS["learning-rate"].spec(run)["data"]["values"]
    assert rows[0]["step"] == 1 and rows[-1]["step"] == int(run.curves["step"][-1])
    assert len(rows) < 20


def test_template_chart_counts_every_template(fake_run):
    run = load_run(fake_run)
    rows = CHARTS["corpus-templates"].spec(run)["data"]["values"]
    assert {r["template"]: r["count"] for r in rows} == run.corpus["template_counts"]


def test_a_cached_chart_does_not_start_vega(fake_run, chart_cache, theme, monkeypatch):
    spec = CHARTS["loss"].spec(load_run(fake_run))
    first = render_svg(spec, theme, chart_cache)
    monkeypatch.setitem(sys.modules, "vl_convert", None)   # importing it now would fail
    assert render_svg(spec, theme, chart_cache) == first


def test_helpers():
    x = np.arange(1, 1001)
    bx, by = binned(x, x.astype(float), bins=10)
    assert len(bx) == 10 and bx[-1] == 1000 and by[0] == pytest.approx(50.5)
    cx, cy = changes(x, np.repeat([3.0, 2.0], 500))
    assert cx.tolist() == [1, 501, 1000] and cy.tolist() == [3.0, 2.0, 2.0]


def test_scope_ids_renames_ids_and_references():
    svg = '<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"/><g id="clip10"/></svg>'
    assert scope_ids(svg, "loss") == (
        '<svg><clipPath id="loss-clip1"/><g clip-path="url(#loss-clip1)"/>'
        '<g id="loss-clip10"/></svg>')
