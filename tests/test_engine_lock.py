"""The lock file says when the code under a section changed since its notes were reviewed."""
from __future__ import annotations

import json

from engine_fixtures import DEMO

from walkthrough.errors import BuildError


def lock_of(project) -> dict:
    return json.loads((project.site_src / "walkthrough.lock").read_text())["sections"]


def test_unreviewed_sections_are_reported(project):
    warnings = project.build().warnings
    assert len(warnings) == 2
    assert "section 'squares': its notes were never reviewed" in warnings[1]
    assert "--accept" in warnings[1]


def test_accept_records_sorted_content_hashes(project):
    project.build(accept=True)
    text = (project.site_src / "walkthrough.lock").read_text()
    assert list(lock_of(project)) == ["forward-pass", "squares"]
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True) + "\n"
    assert project.build().warnings == []


def test_changed_code_is_a_warning_by_default(project):
    project.build(accept=True)
    project.source(DEMO.replace('    """Square."""', '    """Square it."""'))
    warnings = project.build().warnings
    assert len(warnings) == 1
    assert "section 'squares': its code changed since its notes were last reviewed" in warnings[0]
    assert "walkthrough.lock" in warnings[0]


def test_changed_code_fails_with_strict_and_keeps_the_output(project):
    project.build(accept=True)
    before = project.files()
    project.source(DEMO.replace("total += x * i", "total += x * i * 2"))
    try:
        project.build(strict=True)
    except BuildError as error:
        assert "section 'forward-pass': its code changed" in str(error)
    else:
        raise AssertionError("--strict did not fail")
    assert project.files() == before


def test_accept_records_the_new_code(project):
    project.build(accept=True)
    old = lock_of(project)["squares"]
    project.source(DEMO.replace("return x * x", "return x * x  # squared"))
    project.build(accept=True)
    assert lock_of(project)["squares"] != old
    assert project.build(strict=True).warnings == []


def test_lines_inserted_above_do_not_count_as_a_change(project):
    project.build(accept=True)
    project.source("# a new first line\n\n" + DEMO)
    assert project.build(strict=True).warnings == []
