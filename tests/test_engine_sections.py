"""Schema errors: each kind fails the build with one clear message naming the
YAML file, the section id, the offending value and what to do."""
from __future__ import annotations

import pytest
from engine_fixtures import SECTION


def broken(project, text: str) -> str:
    project.section("01-squares", text)
    message = project.fail()
    assert "01-squares.yaml" in message
    assert "fix:" in message
    return message


def test_valid_sections_build(project):
    outcome = project.build()
    assert outcome.pages == 3


def test_unknown_field_suggests_the_right_one(project):
    message = broken(project, SECTION.replace("subtitle:", "subtitel:"))
    assert "section 'squares'" in message
    assert "unknown field 'subtitel'" in message
    assert "did you mean 'subtitle'?" in message


def test_missing_field(project):
    message = broken(project, SECTION.replace("title: Squares\n", ""))
    assert "section 'squares'" in message and "missing field 'title'" in message


def test_wrong_type(project):
    message = broken(project, SECTION.replace("number: 1", "number: one"))
    assert "field 'number' in the section must be a whole number, got str 'one'" in message


def test_number_with_leading_zero_is_accepted(project):
    project.section("01-squares", SECTION.replace("number: 1", "number: 08"))
    project.build()


def test_bad_yaml_names_the_line(project):
    message = broken(project, SECTION.replace("title: Squares", "title: [Squares"))
    assert "01-squares.yaml:" in message and "invalid YAML" in message
    line = int(message.split("01-squares.yaml:")[1].split(":")[0])
    assert 4 <= line <= 6


def test_code_ending_in_a_colon_gets_a_quoting_hint(project):
    message = broken(project, SECTION.replace("code: return x * x", "code: def square(x):"))
    assert "invalid YAML" in message and "must be quoted ('for x in y:')" in message


def test_key_given_twice(project):
    message = broken(project, SECTION + "title: Again\n")
    assert "the key 'title' is given twice" in message


@pytest.mark.parametrize("value, expected", [
    ("/etc/passwd.py", "file '/etc/passwd.py' is an absolute path"),
    ("../build.py", "file '../build.py' leaves the charrnn/ package"),
    ("sub/../../x.py", "leaves the charrnn/ package"),
    ("charrnn/demo.py", "repeats the package name"),
    ("nope.py", "file 'nope.py' does not exist in charrnn/"),
])
def test_file_outside_the_package_or_missing(project, value, expected):
    message = broken(project, SECTION.replace("file: demo.py", f"file: {value}"))
    assert "section 'squares'" in message and expected in message


def test_symlink_out_of_the_package(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.py"
    outside.write_text("def square(x):\n    return x * x\n")
    (project.package / "link.py").symlink_to(outside)
    message = broken(project, SECTION.replace("file: demo.py", "file: link.py"))
    assert "resolves outside the charrnn/ package" in message


def test_symbol_not_found_lists_what_exists(project):
    message = broken(project, SECTION.replace("symbol: square", "symbol: Model.backward"))
    assert "symbol 'Model.backward' not found: 'backward' is not defined in Model" in message
    assert "__init__, forward" in message


def test_lines_outside_the_file(project):
    message = broken(project, SECTION.replace("symbol: square", "lines: [30, 400]"))
    assert "lines 30-400 are outside the file, which has" in message


def test_marker_missing(project):
    message = broken(project, SECTION.replace("symbol: square", "marker: nowhere"))
    assert "marker 'nowhere': no '# region nowhere' line(s)" in message


def test_two_ways_to_name_the_code(project):
    message = broken(project, SECTION.replace("symbol: square", "symbol: square\nlines: [1, 2]"))
    assert "exactly one of symbol, marker, lines (got symbol, lines)" in message


def test_annotations_need_code(project):
    message = broken(project, SECTION.replace("file: demo.py\nsymbol: square\n", ""))
    assert "annotations need code to point at" in message


def test_stale_annotation_fails_the_build(project):
    message = broken(project, SECTION.replace("code: return x * x", "code: return x ** 2"))
    assert "annotation 'the-product' is stale" in message
    assert "'return x ** 2'" in message and "charrnn/demo.py:" in message


def test_duplicate_annotation_ids(project):
    again = "  - id: the-product\n    code: x\n    text: again\ncharts:"
    message = broken(project, SECTION.replace("charts:", again))
    assert "duplicate annotation id 'the-product'" in message


def test_duplicate_section_ids_across_files(project):
    project.section("03-copy", SECTION.replace("number: 1", "number: 3"))
    message = project.fail()
    assert "duplicate section id 'squares'" in message and "01-squares.yaml" in message


def test_duplicate_section_numbers(project):
    project.section("03-copy", SECTION.replace("id: squares", "id: squares-again"))
    assert "duplicate section number 1" in project.fail()


def test_reserved_annotation_id(project):
    message = broken(project, SECTION.replace("id: the-product", "id: code"))
    assert "annotation id 'code' is reserved" in message


def test_unknown_chart(project):
    message = broken(project, SECTION.replace("charts: [loss]", "charts: [los]"))
    assert "unknown chart 'los'" in message and "did you mean 'loss'?" in message


def test_unknown_phase(project):
    message = broken(project, SECTION.replace("phase: 0", "phase: 9"))
    assert "phase 9 is not listed in site.yaml" in message


def test_unknown_run_figure_names_file_and_section(project):
    message = broken(project, SECTION.replace("run.params", "run.parmas"))
    assert "section 'squares'" in message
    assert "prose: unknown run figure 'run.parmas'" in message
    assert "did you mean 'run.params'?" in message


def test_unknown_nested_run_figure_in_an_annotation(project):
    message = broken(project, SECTION.replace("Multiply $x$ by itself.",
                                              "'{{ run.config.hiden_size }}'"))
    assert "annotation 'the-product': unknown run figure 'run.config.hiden_size'" in message


def test_unquoted_braces_in_yaml_are_explained(project):
    message = broken(project, SECTION.replace("Multiply $x$ by itself.", "{{ run.params }}"))
    assert "invalid YAML" in message and "must be quoted" in message


@pytest.mark.parametrize("tex", [r"x^", r"\frac", r"\unknowncmd{x}"])
def test_bad_math_is_reported(project, tex):
    message = broken(project, SECTION.replace("Multiply $x$", f"Multiply ${tex}$"))
    assert "annotation 'the-product': cannot render the math" in message


def test_all_problems_are_reported_together(project):
    project.section("02-forward", SECTION.replace("id: squares", "id: other")
                    .replace("number: 1", "number: 2").replace("symbol: square", "symbol: cube"))
    project.section("01-squares", SECTION.replace("subtitle:", "subtitel:"))
    message = project.fail()
    assert "subtitel" in message
    # the symbol check runs after the schema check, on valid files only
    assert "cube" not in message
