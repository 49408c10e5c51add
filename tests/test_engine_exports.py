"""The data the pages' scripts read (walkthrough/exports.py): data/*.js, written
once per site, loaded only by the pages that use them, deterministic, and the
section fields that ask for them (``scrubber:``, ``live_model:``)."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from engine_fixtures import SECTION

from walkthrough.charts.heat import shade_codes
from walkthrough.charts.style import outside_unit_circle
from walkthrough.exports import packed, plain, short
from walkthrough.markup import to_html
from walkthrough.panels import PANELS

INTERACTIVE = SECTION + "scrubber: [eigenvalues, spectral-radius, predictions]\nlive_model: true\n"


def unpacked(p: dict) -> np.ndarray:
    """A packed array read back as scrubber.js reads it: (code - zero) * scale."""
    raw = np.frombuffer(base64.b64decode(p["data"]), np.uint8)
    count = int(np.prod(p["shape"]))
    if p["bits"] == 4:
        codes = np.stack([raw >> 4, raw & 15], axis=1).ravel()[:count]
    elif p["bits"] == 8:
        codes = raw
    else:
        codes = raw.view("<u2")
    return ((codes.astype(np.int64) - p["zero"]) * p["scale"]).reshape(p["shape"])


def read_global(path, name: str):
    """The JSON a data/*.js file assigns to window.<name>."""
    text = path.read_text(encoding="ascii")
    match = re.fullmatch(rf"//[^\n]*\nwindow\.{name} = (.*);\n", text, flags=re.S)
    assert match, text[:200]
    return json.loads(match.group(1))


def test_only_the_search_index_without_interactive_sections(project):
    project.build()
    data = sorted(p.name for p in (project.out / "data").iterdir())
    assert data == ["search.js"]
    page = (project.out / "sections" / "squares.html").read_text()
    assert "snapshots.js" not in page and "model.js" not in page
    assert "scrubber.js" not in page and "livemodel.js" not in page
    assert "interactive.css" not in page
    assert "static/search.js" in page          # the header's search box, on every page


def test_interactive_data_is_written_once_and_loaded_only_where_used(project):
    project.section("01-squares", INTERACTIVE)
    project.build()
    assert sorted(p.name for p in (project.out / "data").iterdir()) == \
        ["model.js", "search.js", "snapshots.js"]
    page = (project.out / "sections" / "squares.html").read_text()
    for needed in ('src="../data/snapshots.js"', 'src="../static/scrubber.js"',
                   'src="../data/model.js"', 'src="../static/livemodel.js"',
                   'href="../static/interactive.css"'):
        assert needed in page
    other = (project.out / "sections" / "forward-pass.html").read_text()
    assert "snapshots.js" not in other and "model.js" not in other


def test_without_javascript_the_interactive_parts_are_hidden(project):
    project.section("01-squares", INTERACTIVE)
    project.build()
    page = (project.out / "sections" / "squares.html").read_text()
    assert re.search(r"<section[^>]*data-scrubber[^>]* hidden", page)
    assert re.search(r"<section[^>]*data-live-model[^>]* hidden", page)
    assert re.search(r'<form class="search"[^>]* hidden', page)
    for name in ("eigenvalues", "spectral-radius", "predictions"):
        assert f'data-scrub-panel="{name}"' in page
    assert 'data-scrub-panel="sample"' not in page
    assert "<svg" in page.split('id="charts"')[1]     # the static charts are still there


def test_model_weights_round_trip_exactly(project, fake_run):
    project.section("01-squares", INTERACTIVE)
    project.build()
    model = read_global(project.out / "data" / "model.js", "charrnnModel")
    with np.load(fake_run / "checkpoint.npz") as ck:
        assert model["vocab"] == [str(c) for c in ck["chars"]]
        for name in ("W_xh", "W_hh", "W_hy", "b_h", "b_y"):
            exported = np.array(model["params"][name], dtype=np.float64)
            assert exported.shape == ck[f"param_{name}"].shape
            assert np.array_equal(exported, ck[f"param_{name}"]), name   # bit for bit
    assert model["hiddenSize"] == len(model["params"]["W_hh"])
    assert model["activation"] == "tanh" and model["embeddingDim"] == 0


def test_snapshot_data_matches_the_run(project, fake_run):
    project.section("01-squares", INTERACTIVE)
    project.build()
    data = read_global(project.out / "data" / "snapshots.js", "charrnnSnapshots")
    with np.load(fake_run / "snapshots.npz") as s:
        S, T, V = s["probs"].shape
        assert data["steps"] == s["step"].tolist()
        assert np.allclose(data["radius"], s["spectral_radius"], rtol=1e-3)
        probs = unpacked(data["probs"])
        assert probs.shape == (S, T, V)
        assert np.allclose(probs, s["probs"], atol=0.5 / 255 + 1e-9)
        assert data["inputs"] == s["inputs"].tolist()
        assert np.array(data["stepGradNorms"]).shape == (S, T)
        eig = unpacked(data["eigenvalues"])
        eig = eig[..., 0] + 1j * eig[..., 1]
        for exported, recorded in zip(eig, s["eigenvalues"], strict=True):
            # the same values, largest modulus first
            apart = np.abs(exported[:, None] - recorded[None, :])
            assert apart.min(axis=0).max() < 1e-3 and apart.min(axis=1).max() < 1e-3
            assert np.all(np.diff(np.abs(exported)) < 1e-3)
        assert data["outside"] == outside_unit_circle(s["eigenvalues"]).sum(axis=1).tolist()
    assert len(data["samples"]) == S
    assert data["trajectory"]["steps"] and data["jacobians"]["distance"] == list(range(1, 11))


def test_weights_are_exported_as_the_heat_maps_codes_for_the_pages_that_draw_them(project,
                                                                                  fake_run):
    project.section("01-squares", INTERACTIVE)
    project.build()
    assert not (project.out / "data" / "weights.js").exists()      # no weights panel, no file
    assert "weights" not in read_global(project.out / "data" / "snapshots.js", "charrnnSnapshots")
    project.section("01-squares", INTERACTIVE.replace("predictions]", "predictions, weights]"))
    project.build()
    page = (project.out / "sections" / "squares.html").read_text()
    assert page.index('src="../data/weights.js"') < page.index('src="../static/scrubber.js"')
    weights = read_global(project.out / "data" / "weights.js", "charrnnWeights")
    with np.load(fake_run / "weights.npz") as w:
        assert weights["steps"] == w["step"].tolist()
        for name in ("W_xh", "W_hh", "W_hy"):
            codes = unpacked(weights["codes"][name])
            assert codes.shape == w[name].shape
            for k, matrix in enumerate(w[name]):
                expected, largest = shade_codes(matrix)
                assert np.array_equal(codes[k], expected)
                assert weights["largest"][name][k] == pytest.approx(largest, rel=1e-3)


@pytest.mark.parametrize("bits", [4, 8, 16])
def test_packed_arrays_read_back(bits):
    rng = np.random.default_rng(bits)
    zero = 2 ** (bits - 1)
    codes = rng.integers(-zero, zero, size=(3, 5, 7))     # an odd count, for 4 bits
    p = packed(codes * 0.25, bits, scale=0.25, zero=zero)
    assert p["shape"] == [3, 5, 7] and np.array_equal(unpacked(p), codes * 0.25)
    with pytest.raises(ValueError, match="out of the"):
        packed([2 ** bits], bits)


def test_numbers_are_short():
    assert short(np.float32(0.123456789)) == 0.1235
    assert short([[1234567.0, -2.0e-7]]) == [[1235000.0, -2e-07]]
    assert short(float("nan")) is None and short([np.inf]) == [None]


def test_search_index_has_sections_and_notes_as_plain_text(project):
    project.build()
    entries = read_global(project.out / "data" / "search.js", "charrnnSearch")
    by_url = {e["url"]: e for e in entries}
    assert by_url["sections/squares.html"]["title"] == "Squares"
    assert by_url["sections/squares.html"]["subtitle"] == "A function that squares its argument"
    note = by_url["sections/squares.html#the-product"]
    assert note["kind"] == "note" and note["text"].startswith("Multiply")
    assert "<" not in note["text"]
    assert "446" in by_url["sections/squares.html"]["text"]      # run figures filled in
    assert by_url["index.html"]["kind"] == "page"
    for entry in entries:                                           # every anchor exists
        path, _, anchor = entry["url"].partition("#")
        html = (project.out / path).read_text()
        assert not anchor or f'id="{anchor}"' in html


def test_plain_text_of_html():
    assert plain("<p>One <em>two</em></p><ul><li>three</li></ul>") == "One two three"
    assert plain("a &lt;b&gt; &amp; c") == "a <b> & c"


def test_search_text_gives_formulas_in_their_readable_form():
    html = to_html(r"The state $h_{t-1}$, then $$\frac{\partial L}{\partial h_t} = W_{hy}^\top \delta_t$$")
    assert plain(html) == "The state h_(t−1), then ∂L/∂h_t = W_hyᵀ δ_t"


def test_builds_are_byte_identical_with_the_data(project, tmp_path):
    project.section("01-squares", INTERACTIVE)
    project.build()
    first = project.files()
    project.build(out=tmp_path / "again")
    assert project.files(tmp_path / "again") == first


def test_data_files_are_small(project):
    project.section("01-squares", INTERACTIVE)
    project.build()
    assert (project.out / "data" / "snapshots.js").stat().st_size < 300_000


# --- the section fields ------------------------------------------------------

def test_unknown_scrubber_panel_suggests_one(project):
    project.section("01-squares", SECTION + "scrubber: [eigenvalue]\n")
    message = project.fail()
    assert "01-squares.yaml" in message and "unknown scrubber panel 'eigenvalue'" in message
    assert "did you mean 'eigenvalues'?" in message


def test_scrubber_panel_listed_twice(project):
    project.section("01-squares", SECTION + "scrubber: [sample, sample]\n")
    assert "a scrubber panel is listed twice" in project.fail()


@pytest.mark.parametrize("value", ["'yes please'", "1", "[true]"])
def test_live_model_must_be_true_or_false(project, value):
    project.section("01-squares", SECTION + f"live_model: {value}\n")
    assert "field 'live_model' in the section must be true or false" in project.fail()


def test_every_panel_has_a_caption_and_its_twin_is_a_chart():
    from walkthrough.charts import CHARTS
    assert PANELS and all(kind.caption.endswith(".") for kind in PANELS.values())
    assert all(kind.twin in CHARTS for kind in PANELS.values() if kind.twin)


def test_a_chart_with_a_scrubber_twin_is_marked_for_the_scrubber_to_replace(project):
    project.section("01-squares", SECTION.replace("charts: [loss]", "charts: [loss, eigenvalues]")
                    + "scrubber: [eigenvalues]\n")
    project.section("02-forward", SECTION.replace("id: squares", "id: other")
                    .replace("number: 1", "number: 3").replace("charts: [loss]",
                                                               "charts: [eigenvalues]"))
    project.build()
    page = (project.out / "sections" / "squares.html").read_text()
    assert re.search(r'<figure class="chart" id="chart-eigenvalues" data-scrub-twin="eigenvalues"',
                     page)
    assert re.search(r'<figure class="chart" id="chart-loss">', page)
    other = (project.out / "sections" / "other.html").read_text()
    assert "data-scrub-twin" not in other          # no scrubber there: the chart stays
