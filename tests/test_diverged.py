"""A matrix with a failed run still builds, honestly: a run that diverged is a
result, which the results table and section 20 show with the step it stopped
at; no comparison chart needs a run that is not there; and a walked run that
diverges is refused in one problem. The real sections and templates, with
experiment files of very short runs (a shared cache, so each run trains once)."""
from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from walkthrough.errors import BuildError
from walkthrough.site import Options, build

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = {"steps": 40, "hidden_size": 4, "num_sentences": 20, "val_every": 20}
DIVERGES = {"lr": 80.0, "clip": 0}


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """One cache for every build of this module: a run trains once, whatever file lists it."""
    return tmp_path_factory.mktemp("diverged")


COUNTER = itertools.count()


def build_matrix(shared: Path, matrix: dict):
    """Build the real site from ``matrix``, an experiment file whose variants may
    also say how the site shows them (compare, switcher): those go to the
    site's variants.yaml, as an author would write them."""
    n = next(COUNTER)
    site_src = shared / "site_src"
    if not site_src.exists():
        shutil.copytree(ROOT / "site_src", site_src)
    views = {v["name"]: {key: v.pop(key) for key in ("compare", "switcher") if key in v}
             for v in matrix["variants"]}
    (site_src / "variants.yaml").write_text(json.dumps(views), encoding="utf-8")
    experiments = shared / f"experiments-{n}.yaml"
    experiments.write_text(json.dumps(matrix), encoding="utf-8")   # YAML reads JSON
    out = shared / f"site-{n}"
    options = Options(out=out, site_src=site_src, package=ROOT / "charrnn",
                      cache=shared / "cache", experiments=experiments, workers=1)
    return out, build(options, log=lambda line: None)


def text_of(page: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())


def test_a_variant_that_diverges_is_shown_as_diverged_where_it_stopped(shared):
    matrix = {"seeds": [42], "defaults": DEFAULTS, "variants": [
        {"name": "default", "about": "The reference."},
        {"name": "wild", "about": "A huge step.", "settings": DIVERGES,
         "compare": ["clipped-share", "radius-over-training", "loss-against-size"],
         "switcher": True}]}
    out, outcome = build_matrix(shared, matrix)
    assert outcome.pages > 1
    page = text_of(out / "sections" / "run-it-yourself.html")
    stopped = re.search(r"wild 0 \(1 diverged: seed 42 at step ([\d,]+)\)", page)
    assert stopped, page[:3000]                                          # the results table
    assert f"Every run of this variant diverged (seed 42 at step {stopped.group(1)})" in page
    html = (out / "sections" / "run-it-yourself.html").read_text(encoding="utf-8")
    section = html[html.index('id="experiment-wild"'):]
    assert "<svg" not in section[:section.index("</section>")]          # nothing to draw


def test_a_walked_run_that_diverges_is_one_problem(shared):
    matrix = {"seeds": [42], "defaults": {**DEFAULTS, **DIVERGES},
              "variants": [{"name": "default"}]}
    with pytest.raises(BuildError) as caught:
        build_matrix(shared, matrix)
    message = str(caught.value)
    assert len(caught.value.problems) == 1 and len(message.splitlines()) == 2, message
    assert "the run the walkthrough reads diverged at step" in message


SETTINGS = st.sampled_from([DIVERGES, {"lr": 50.0, "clip": 0, "init": "random"}, {"clip": 1.0},
                            {"init": "random"}, {"hidden_size": 6}, {"lr": 0.5, "clip": 0}])
VARIANT = st.fixed_dictionaries({
    "settings": SETTINGS,
    "compare": st.lists(st.sampled_from(["clipped-share", "radius-over-training",
                                         "loss-against-size"]), unique=True, max_size=3),
    "switcher": st.booleans()})


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seeds=st.sampled_from([[42], [42, 1]]), walked_diverges=st.booleans(),
       variants=st.lists(VARIANT, min_size=1, max_size=3))
def test_any_matrix_builds_cleanly_or_is_one_short_problem(shared, seeds, walked_diverges,
                                                          variants):
    default = {"name": "default", "about": "The reference."}
    if walked_diverges:
        default["settings"] = DIVERGES
    matrix = {"seeds": seeds, "defaults": DEFAULTS, "walk": {"variant": "default", "seed": 42},
              "variants": [default] + [{"name": f"v{i}", "about": "A variant.", **v}
                                       for i, v in enumerate(variants)]}
    try:
        out, _ = build_matrix(shared, matrix)
    except BuildError as error:   # anything else is a traceback, and fails the test
        message = str(error)
        assert len(error.problems) == 1 and len(message.splitlines()) <= 2, message
        assert all(len(line) < 300 for line in message.splitlines()), message
        assert walked_diverges and "diverged" in message, message
        return
    assert not walked_diverges
    page = text_of(out / "sections" / "run-it-yourself.html")
    for i, variant in enumerate(variants):
        if variant["settings"] == DIVERGES:
            assert re.search(rf"v{i} 0 \({len(seeds)} diverged: seed 42 at step [\d,]+", page)
