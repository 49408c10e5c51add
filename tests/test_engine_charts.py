"""Charts come from the run's arrays and are inlined as lean, static SVG, drawn
for the reading column and for a phone, in one visual language with the
scrubber's panels."""
from __future__ import annotations

import base64
import io
import json
import re
import sys

import numpy as np
import pytest
from engine_fixtures import REPO
from PIL import Image

from walkthrough.charts import CHARTS, FRAMES, NARROW, WIDE, as_panels, binned, changes
from walkthrough.charts.chart import Chart, catalogue
from walkthrough.charts.heat import LEVELS, png_data_url, shade, shade_codes
from walkthrough.charts.style import BLUE, ORANGE, outside_unit_circle
from walkthrough.pages import chart_renderer
from walkthrough.run import load_run
from walkthrough.vega import render_svg, scope_ids


@pytest.fixture(scope="module")
def theme():
    return json.loads((REPO / "site_src" / "chart-theme.json").read_text())


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_renders_small_static_svg(name, fake_run, chart_cache, theme):
    drawings = chart_renderer(theme, chart_cache)(CHARTS[name], load_run(fake_run))
    assert {d.frame for d in drawings} in ({"any"}, {"wide", "narrow"})
    for drawing in drawings:
        assert drawing.svgs
        for svg in drawing.svgs:
            assert svg.startswith("<svg") and svg.endswith("</svg>")
            assert len(svg) < 60_000
            assert "http" not in svg and "<script" not in svg
            ids = re.findall(r' id="([^"]+)"', svg)
            assert all(i.startswith(f"{name}-{drawing.frame}-") for i in ids), ids


def font_sizes(spec) -> list[float]:
    """Every font size a spec sets itself (the theme's are checked separately)."""
    if isinstance(spec, dict):
        found = [v for k, v in spec.items() if k.lower().endswith("fontsize")
                 and isinstance(v, int | float)]
        return found + [s for v in spec.values() for s in font_sizes(v)]
    if isinstance(spec, list):
        return [s for v in spec for s in font_sizes(v)]
    return []


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.name)
def test_no_spec_asks_for_text_below_11_px(fake_run, theme, frame):
    run = load_run(fake_run)
    assert min(font_sizes(theme)) >= 11
    small = {name: sizes for name, chart in CHARTS.items()
             if (sizes := [s for s in font_sizes(chart.spec(run, frame)) if s < 11])}
    assert not small


def svg_width(svg: str) -> float:
    return float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))


def test_drawings_fit_their_column(fake_run, chart_cache, theme):
    """A wide drawing fits the 736 px reading column; a phone's (or one drawn for
    both) fits the 335 px column of a 375 px screen, give or take 5 %: so that
    neither has to shrink its 11 px text below 10 px."""
    run = load_run(fake_run)
    draw = chart_renderer(theme, chart_cache)
    limits = {"wide": 736, "narrow": 335 * 1.05, "any": 335 * 1.05}
    too_wide = {f"{name} ({d.frame})": svg_width(svg)
                for name in CHARTS for d in draw(CHARTS[name], run) for svg in d.svgs
                if svg_width(svg) > limits[d.frame]}
    assert not too_wide


def test_small_multiples_are_drawn_once_for_both_frames(fake_run, chart_cache, theme):
    draw = chart_renderer(theme, chart_cache)
    drawings = draw(CHARTS["eigenvalues"], load_run(fake_run))
    assert [d.frame for d in drawings] == ["any"] and len(drawings[0].svgs) >= 2
    assert [d.frame for d in draw(CHARTS["loss"], load_run(fake_run))] == ["wide", "narrow"]


def test_loss_chart_data_come_from_the_run(fake_run):
    run = load_run(fake_run)
    spec = CHARTS["loss"].spec(run, WIDE)
    rows = spec["layer"][0]["data"]["values"]
    validation = [r["loss"] for r in rows if r["series"] == "validation"]
    assert validation == pytest.approx(run.curves["val_loss"].tolist(), rel=1e-3)
    assert spec["layer"][1]["data"]["values"][0]["floor"] == run.summary["entropy_floor"]


def test_learning_rate_chart_keeps_only_the_changes(fake_run):
    run = load_run(fake_run)
    rows = CHARTS["learning-rate"].spec(run, WIDE)["data"]["values"]
    assert rows[0]["step"] == 1 and rows[-1]["step"] == int(run.curves["step"][-1])
    assert len(rows) < 20


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f.name)
def test_template_chart_counts_every_template(fake_run, frame):
    run = load_run(fake_run)
    rows = CHARTS["corpus-templates"].spec(run, frame)["data"]["values"]
    assert {r["template"]: r["count"] for r in rows} == run.corpus["template_counts"]


def test_word_position_chart_shows_both_predictors_at_every_position(fake_run):
    run = load_run(fake_run)
    wp = run.analysis["word_position"]
    loss, error = as_panels(CHARTS["word-position"].spec(run, NARROW))
    rows = loss["data"]["values"]
    assert [r["loss"] for r in rows if r["who"] == "network"] == pytest.approx(wp["rnn_loss"])
    assert [r["loss"] for r in rows if r["who"] == "exact predictor"] == \
        pytest.approx(wp["optimal_loss"])
    assert [r["error"] for r in error["data"]["values"] if r["who"] == "network"] == \
        pytest.approx(wp["rnn_error"])
    labels = loss["encoding"]["x"]["sort"]
    assert len(labels) == len(wp["buckets"]) and labels[-1].startswith("\u2423|")
    assert [int(label.split("|")[1]) for label in labels] == wp["count"]


def test_the_eigenvalue_planes_count_with_a_margin(fake_run):
    run = load_run(fake_run)
    # An orthogonal matrix in float32: every modulus is 1 up to rounding.
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(64, 64)))
    eig = np.linalg.eigvals(q.astype(np.float32)).astype(np.complex64)
    assert np.any(np.abs(eig) > 1) and not outside_unit_circle(eig).any()
    assert outside_unit_circle(np.array([1.002, 0.5j, -1.0005])).tolist() == [True, False, False]
    panels = CHARTS["eigenvalues"].spec(run, WIDE)
    steps = run.snapshots["step"]
    for panel in panels:
        step = int(panel["title"]["text"].split()[1].replace(",", ""))
        ev = run.snapshots["eigenvalues"][int(np.flatnonzero(steps == step)[0])]
        expected = f"{int(outside_unit_circle(ev).sum())} of {len(ev)} outside"
        assert expected in panel["title"]["subtitle"]
        points = panel["layer"][-1]["data"]["values"]
        assert sum(p["where"] == "outside" for p in points) == int(outside_unit_circle(ev).sum())


def test_the_weights_chart_draws_each_matrix_as_its_codes(fake_run):
    run = load_run(fake_run)
    first, last = as_panels(CHARTS["weights"].spec(run, WIDE))
    assert first["title"]["text"] == f"step {int(run.weights['step'][0]):,}"
    for map_, name in zip(last["vconcat"], ("W_xh", "W_hh", "W_hy"), strict=True):
        url = map_["data"]["values"][0]["url"]
        image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA")
        codes, _ = shade_codes(run.weights[name][-1])
        assert image.size == codes.shape[::-1]
        pixels = np.array(image)
        expected = np.array([[shade(int(c)) for c in row] for row in codes])
        assert np.array_equal(pixels, expected), name


def test_shade_codes_are_proportional_to_the_weights():
    w = np.array([[-2.0, -1.0, 0.0], [0.14, 1.0, 2.0]])
    codes, largest = shade_codes(w)
    assert largest == 2.0 and codes.tolist() == [[-7, -4, 0], [0, 4, 7]]
    assert shade_codes(np.zeros((2, 2)))[0].tolist() == [[0, 0], [0, 0]]
    assert shade(-LEVELS)[:3] == tuple(int(BLUE[k:k + 2], 16) for k in (1, 3, 5))
    assert shade(LEVELS)[3] == 255 and shade(0)[3] == 0
    assert png_data_url(codes).startswith("data:image/png;base64,")


def test_the_palette_agrees_across_theme_css_and_specs(theme):
    """The static charts take their series colours from chart-theme.json, the
    scrubber's panels from charts.css, and the specs that must name a colour from
    style.py: the three must be the same two colours."""
    css = (REPO / "site_src" / "static" / "charts.css").read_text()
    assert theme["range"]["category"][:2] == [BLUE, ORANGE]
    assert re.search(r"--chart-blue:\s*([^;]+);", css).group(1).lower() == BLUE
    assert re.search(r"--chart-orange:\s*([^;]+);", css).group(1).lower() == ORANGE


def test_the_registry_lists_each_chart_once():
    chart = Chart("x", "An x.", lambda run, frame: {})
    assert catalogue(chart)["x"] is chart
    with pytest.raises(ValueError, match="'x' is listed twice"):
        catalogue(chart, chart)
    assert all(c.caption.endswith(".") and c.source == "run" for c in CHARTS.values())


def test_a_cached_chart_does_not_start_vega(fake_run, chart_cache, theme, monkeypatch):
    spec = CHARTS["loss"].spec(load_run(fake_run), WIDE)
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
