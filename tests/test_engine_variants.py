"""site_src/variants.yaml: how the site shows each variant, checked and applied
to the sweep the build reads (walkthrough/variants.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from walkthrough.errors import BuildError
from walkthrough.run import Sweep, VariantRuns
from walkthrough.variants import apply_views

CHARTS = frozenset({"clipped-share", "radius-over-training"})


def sweep() -> Sweep:
    return Sweep(Path("sweep"), [VariantRuns(name, "", {}, [42]) for name in ("default", "clip-1")],
                 ("default", 42), [])


def views(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "variants.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_views_reach_their_variants_and_leave_the_others_plain(tmp_path):
    made = sweep()
    apply_views(made, views(tmp_path, "clip-1: {compare: [clipped-share], switcher: true}\n"),
                CHARTS, strict=True)
    assert made.variant("clip-1").compare == ["clipped-share"] and made.variant("clip-1").switcher
    assert made.variant("default").compare == [] and not made.variant("default").switcher


def test_no_file_shows_every_variant_plainly(tmp_path):
    made = sweep()
    apply_views(made, tmp_path / "absent.yaml", CHARTS, strict=True)
    assert all(v.compare == [] and not v.switcher for v in made.variants)


@pytest.mark.parametrize(("text", "message"), [
    ("clip-2: {switcher: true}\n", "variant 'clip-2' is not in the experiments"),
    ("clip-1: {compare: [nope]}\n", "comparison chart 'nope', which does not exist"),
    ("clip-1: {switcher: maybe}\n", "field 'switcher' in variant 'clip-1' must be true or false"),
    ("clip-1: {colour: red}\n", "unknown field 'colour'"),
    ("clip-1: [clipped-share]\n", "variant 'clip-1' must be a mapping"),
])
def test_a_mistake_is_one_problem_naming_the_file_and_the_variant(tmp_path, text, message):
    with pytest.raises(BuildError) as raised:
        apply_views(sweep(), views(tmp_path, text), CHARTS, strict=True)
    assert len(raised.value.problems) == 1
    problem = raised.value.problems[0]
    assert message in problem.message and problem.file.endswith("variants.yaml"), problem


def test_another_matrix_may_lack_the_sites_variants(tmp_path):
    made = sweep()
    apply_views(made, views(tmp_path, "hidden-16: {compare: [clipped-share]}\n"), CHARTS, strict=False)
    assert all(v.compare == [] for v in made.variants)
