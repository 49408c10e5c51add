"""Code extraction follows the code: symbols and markers, not line numbers."""
from __future__ import annotations

from engine_fixtures import DEMO

from walkthrough.source import extract, locate


def test_symbol_takes_decorators_and_the_comments_above(project):
    excerpt = extract(project.package, "demo.py", symbol="square")
    lines = DEMO.splitlines()
    assert lines[excerpt.first - 1] == "# Squares a number."
    assert lines[excerpt.last - 1] == "    return x * x"
    assert excerpt.code.splitlines()[2] == "@cached"
    assert excerpt.label("charrnn") == f"charrnn/demo.py:{excerpt.first}-{excerpt.last}"


def test_method_is_dedented_with_real_line_numbers(project):
    excerpt = extract(project.package, "demo.py", symbol="Model.forward")
    assert excerpt.code.startswith("def forward(self, x):")
    assert DEMO.splitlines()[excerpt.first - 1].strip() == "def forward(self, x):"
    assert excerpt.last - excerpt.first == excerpt.code.count("\n")


def test_module_level_assignment_is_a_symbol(project):
    excerpt = extract(project.package, "demo.py", symbol="LIMITS")
    assert excerpt.code == 'LIMITS = {"low": 0, "high": 10}'


def test_marker_shows_the_lines_between(project):
    excerpt = extract(project.package, "demo.py", marker="loop")
    assert excerpt.code == "for i in range(3):\n    print(math.pi * i)"


def test_lines(project):
    excerpt = extract(project.package, "demo.py", lines=(5, 6))
    assert (excerpt.first, excerpt.last) == (5, 6)
    assert excerpt.code.startswith("def helper")


def test_symbol_follows_the_code_when_lines_are_inserted_above(project):
    before = extract(project.package, "demo.py", symbol="Model.forward")
    project.source(DEMO.replace("import math\n", "import math\nimport os\n\nX = 1\n"))
    after = extract(project.package, "demo.py", symbol="Model.forward")
    assert after.code == before.code
    assert (after.first, after.last) == (before.first + 3, before.last + 3)


def test_pages_follow_the_code_when_lines_are_inserted_above(project):
    project.build()
    page = (project.out / "sections" / "forward-pass.html").read_text()
    first = extract(project.package, "demo.py", symbol="Model.forward").first
    assert f'id="L{first}"' in page and f"charrnn/demo.py:{first}-" in page

    project.source("# one\n# two\n\n" + DEMO)
    project.build()
    page = (project.out / "sections" / "forward-pass.html").read_text()
    assert f'id="L{first + 3}"' in page and f"charrnn/demo.py:{first + 3}-" in page
    assert f'data-first="{first + 3 + 2}"' in page     # the annotated loop moved too
    assert f'id="L{first}"' not in page


def test_locate_spans_lines_and_ignores_indentation():
    code = "def f(x):\n    for i in x:\n        y = i\n    return y"
    assert locate(code, "for i in x:\n    y = i") == (1, 2)
    assert locate(code, "return y") == (3, 3)
    assert locate(code, "return z") is None
    assert locate(code, "   ") is None


def test_marker_lines_are_never_shown_and_numbers_skip_them(project):
    before = extract(project.package, "demo.py", symbol="Model.forward")
    project.source(DEMO.replace(
        "        for i in range(self.n):\n            total += x * i\n",
        "        # region inner\n        for i in range(self.n):\n"
        "            total += x * i\n        # endregion inner\n"))
    after = extract(project.package, "demo.py", symbol="Model.forward")
    assert after.code == before.code and "region" not in after.code
    assert after.numbers[2] == before.numbers[2] + 1       # the "for" line moved down one
    assert after.numbers[-1] == before.numbers[-1] + 2     # and both markers are skipped
    inner = extract(project.package, "demo.py", marker="inner")
    assert inner.code == "for i in range(self.n):\n    total += x * i"


def test_markers_added_inside_a_section_do_not_count_as_a_change(project):
    project.build(accept=True)
    project.source(DEMO.replace("        total = 0\n", "        # region setup\n"
                                "        total = 0\n        # endregion setup\n"))
    assert project.build(strict=True).warnings == []
