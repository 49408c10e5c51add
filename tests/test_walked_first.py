"""`build.py --walked-first` (what --serve does): after an edit that retrains the
matrix, the walked run trains first and its pages are published as a preview
that says the rest is retraining; then the whole site replaces it."""
from __future__ import annotations

import re
from pathlib import Path

from walkthrough.site import Options, build

ROOT = Path(__file__).resolve().parents[1]
NOTICE = "The rest of the experiment matrix is retraining"


def test_the_walked_runs_pages_come_first_then_the_whole_site(tmp_path):
    options = Options(out=tmp_path / "site", site_src=ROOT / "site_src", package=ROOT / "charrnn",
                      cache=tmp_path / "cache", experiments=ROOT / "tests" / "experiments_small.yaml",
                      settings={"steps": 200}, walked_first=True)
    said, preview = [], {}

    def log(message: str) -> None:
        said.append(message)
        if "(a preview:" in message:   # the preview is published: read it before it is replaced
            preview["index"] = (options.out / "index.html").read_text()
            preview["runs"] = list((options.cache / "sweep" / "runs").iterdir())

    outcome = build(options, log)
    assert outcome.pages > 1
    assert "index" in preview, said
    assert NOTICE in preview["index"]
    assert re.search(r"<span data-runs-done>1</span> of\s+6 runs done", preview["index"])
    assert "Over 1 training seed<" in preview["index"]
    assert len(preview["runs"]) == 1            # only the walked run had trained by then
    final = (options.out / "index.html").read_text()
    assert NOTICE not in final and "Over 2 training seeds<" in final
    assert len(list((options.cache / "sweep" / "runs").iterdir())) == 6


def test_nothing_is_previewed_when_the_matrix_is_cached(real_site, tmp_path):
    site, _ = real_site
    cache = site.parent / "cache"
    said: list[str] = []
    options = Options(out=tmp_path / "site", site_src=ROOT / "site_src", package=ROOT / "charrnn",
                      cache=cache, experiments=ROOT / "tests" / "experiments_small.yaml",
                      settings={"steps": 300}, walked_first=True)
    build(options, said.append)
    assert not any("(a preview:" in line for line in said), said
    assert NOTICE not in (options.out / "index.html").read_text()
