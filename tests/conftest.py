"""Shared fixtures. The site engine's: a fake run and a throwaway project
(helpers in engine_fixtures.py)."""
from __future__ import annotations

from pathlib import Path

import case_counts
import pytest
from engine_fixtures import Project, make_project
from fake_run import write_fake_run


@pytest.fixture(scope="session")
def fake_run(tmp_path_factory) -> Path:
    """TEST FIXTURE: a run directory of random numbers in the documented format."""
    return write_fake_run(tmp_path_factory.mktemp("fake-run") / "run")


@pytest.fixture(scope="session")
def chart_cache(tmp_path_factory) -> Path:
    """Shared by all tests so vl_convert draws each chart once per session."""
    return tmp_path_factory.mktemp("chart-cache")


@pytest.fixture
def project(tmp_path, fake_run, chart_cache) -> Project:
    """A project with the real templates, one demo module and two valid sections."""
    return make_project(tmp_path, fake_run, chart_cache)


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """The real walkthrough, end to end: the real sections and templates, with a
    small experiment matrix (tests/experiments_small.yaml) trained from scratch in
    short runs (a cold cache), built into a temporary folder."""
    from walkthrough.site import Options, build
    tmp = tmp_path_factory.mktemp("real-site")
    options = Options(out=tmp / "site", site_src=ROOT / "site_src", package=ROOT / "charrnn",
                      cache=tmp / "cache", experiments=ROOT / "tests" / "experiments_small.yaml",
                      settings={"steps": 300})
    outcome = build(options, log=lambda message: None)
    return tmp / "site", outcome


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in case_counts.lines():
        terminalreporter.write_line(line)
