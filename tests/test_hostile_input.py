"""Hostile and random input: the build either succeeds or reports problems that
each read as one short line (and a fix), never a traceback and never a hang.

First the known attacks (an alias bomb, a huge file, templates that loop or
allocate without end), then property-based tests: Hypothesis writes section
files, site.yaml and lock files, structured after the schema
(walkthrough/sections.py) with random values in every field, or as raw text
made of YAML's syntax, and feeds them to the loader and to a full
``build.py --check`` on the fake run.
"""
from __future__ import annotations

import json
import os
import signal
import textwrap
from contextlib import contextmanager

import pytest
import yaml
from case_counts import record
from engine_fixtures import DEMO, SECTION, make_project
from fake_run import write_fake_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from walkthrough.charts import CHARTS
from walkthrough.errors import BuildError, Problem
from walkthrough.panels import PANELS
from walkthrough.schema import MAX_BYTES
from walkthrough.sections import SECTION_FIELDS, load_site

HANG = 60   # seconds after which an example counts as hung (far above any real one)


@contextmanager
def no_hang(seconds: float = HANG):
    """Fail, rather than wait forever, if the body does not return in time."""
    def hung(signum, frame):
        raise AssertionError(f"no answer after {seconds} s: the build hangs")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_short(problems: list[Problem]) -> None:
    """Each problem renders as one line (bounded) and at most one line of fix."""
    assert problems
    for problem in problems:
        lines = str(problem).split("\n")
        assert len(lines) <= 2, str(problem)
        assert len(lines[0]) < 500, lines[0]
        assert len(lines) == 1 or (lines[1].startswith("  fix: ") and len(lines[1]) < 700)


def outcome_of(action) -> str:
    """Run ``action``; "ok", or "problems" after checking that they read well."""
    with no_hang():
        try:
            action()
        except BuildError as error:
            assert_short(error.problems)
            assert len(str(error).splitlines()) <= 2 * 50 + 1   # at most 50 are listed
            return "problems"
    return "ok"


# ---------------------------------------------------------------------------
# Known attacks

def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntitle: *lol{levels - 1}\n"


@pytest.mark.parametrize("text, says", [
    (billion_laughs(), "alias"),
    ("id: &a [*a]\n", "alias"),
    ("[" * 5_000 + "]" * 5_000, "invalid YAML"),
    ("number: " + "9" * 5_000 + "\n", "a value cannot be read"),
    ("number: 2001-02-30\n", "a value cannot be read"),
    ("title: \"a\\0b\"\nid: 'x\x01'\n", "control characters are not allowed"),
    ("? [a, b]\n: 1\n", "found a mapping where text was expected"),
    ("id: x\nid: y\n", "the key 'id' is given twice"),
    ("- just\n- a list\n", "must hold a mapping"),
    ("".join(f"key{n}: {n}\n" for n in range(5_000)), "unknown field"),
])
def test_hostile_yaml_is_refused_in_one_line(project, text, says):
    (project.site_src / "sections" / "01-squares.yaml").write_text(text, encoding="utf-8")
    with no_hang(30), pytest.raises(BuildError) as caught:
        project.build()
    assert says in str(caught.value)
    assert_short(caught.value.problems)
    assert len(str(caught.value).splitlines()) <= 2 * 50 + 1


def test_an_alias_bomb_costs_no_time(project):
    (project.site_src / "sections" / "01-squares.yaml").write_text(
        textwrap.dedent(SECTION) + billion_laughs().replace("title:", "subtitle2:"))
    with no_hang(10):
        message = project.fail()
    assert "an alias ('*name') repeats an anchored value" in message


def test_a_file_over_the_size_limit_is_refused_unread(project):
    path = project.site_src / "sections" / "01-squares.yaml"
    path.write_text(textwrap.dedent(SECTION) + "# padding\n" * (MAX_BYTES // 10), encoding="utf-8")
    message = project.fail()
    assert f"more than the {MAX_BYTES:,} a YAML file of the site may have" in message


def test_a_huge_value_is_quoted_short(project):
    project.section("01-squares", SECTION.replace("id: squares", "id: " + "Z" * 200_000))
    message = project.fail()
    assert "id 'ZZZZ" in message and "...'" in message and len(message) < 1_000


HOSTILE_TEMPLATES = {
    "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}"
                    "{% endfor %}",
    "repeating": "{{ 'x' * 10**10 }}",
    "a printf width": "{{ '%999999999d' % 1 }}",
    "a format width": "{{ '%999999999d' | format(1) }}",
    "a str.format width": "{{ '{:999999999}'.format(1) }}",
    "a filter width": "{{ 'x' | center(999999999) }}",
    "a method width": "{{ 'x'.ljust(999999999) }}",
    "indenting by a long text": "{{ ('a\n' * 50000) | indent('x' * 50000) }}",
    "joining with a long text": "{{ range(100000) | join('x' * 100000) }}",
    "joining a generator": "{{ range(100000) | map('string') | join('x' * 100000) }}",
    "joining a long generator": "{{ range(10000000) | map('string') | join(',') }}",
    "doubling": "{% set a = 'x' * 60000 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c }}",
    "doubling in a loop": "{% set ns = namespace(s='xx') %}{% for i in range(64) %}"
                          "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
    "a big number": "{{ 7 ** 999999999 }}",
    "recursion": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "a captured flood": "{% set x %}{% for i in range(100000) %}" + "y" * 500 +
                        "{% endfor %}{% endset %}{{ x | length }}",
    "a list of references": "{% set b = 'x' * 90000 %}{{ [b, b, b, b, b, b, b, b, b, b] }}",
    "lipsum": "{{ lipsum(999999999) }}",
    "padding a batch": "{{ [1] | batch(999999999, 'x') | list }}",
    "include": "{% include 'x.html' %}",
    "recursive loop": "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
    "division by zero": "{{ 1 / 0 }}",
    "a missing key": "{{ '%(a)s' % {} }}",
}


@pytest.mark.parametrize("name", HOSTILE_TEMPLATES)
def test_prose_that_loops_or_allocates_is_stopped(project, name):
    project.section("01-squares", SECTION.replace(
        "The run had {{ run.params | thousands }} parameters.",
        json.dumps(HOSTILE_TEMPLATES[name])))
    with no_hang(30), pytest.raises(BuildError) as caught:
        project.build()
    assert len(caught.value.problems) == 1
    assert_short(caught.value.problems)
    assert "01-squares.yaml: section 'squares': prose: " in str(caught.value)


# Markdown that Python-Markdown would read in quadratic time (minutes at this size).
SLOW_MARKDOWN = {"open brackets": "[" * 19_000, "images": "![" * 9_000, "links": "[a" * 9_000,
                 "empty links": "[](" * 6_000, "dollars": "$x " * 6_000,
                 "display math": "$$x " * 4_000}


@pytest.mark.parametrize("name", SLOW_MARKDOWN)
def test_markdown_that_would_take_minutes_is_bounded(project, name):
    project.section("01-squares", SECTION.replace(
        "The run had {{ run.params | thousands }} parameters.", json.dumps(SLOW_MARKDOWN[name])))
    with no_hang(30):
        project.build()
    assert (project.out / "sections" / "squares.html").is_file()


def test_a_text_too_long_for_markdown_is_refused(project):
    project.section("01-squares", SECTION.replace(
        "The run had {{ run.params | thousands }} parameters.",
        "{{ run.console * 1000 }}"))
    with no_hang(30), pytest.raises(BuildError) as caught:
        project.build()
    assert_short(caught.value.problems)
    assert "more than the 20,000 one prose or note may have" in str(caught.value)


def test_ordinary_prose_still_renders(project):
    project.section("01-squares", SECTION.replace(
        "The run had {{ run.params | thousands }} parameters.",
        "{% for name, value in run.config.items() if name in ['lr', 'seed'] %}{{ name }}="
        "{{ value }} {% endfor %}{{ run.vocab | join('') | length }} characters, "
        "{{ '%.2f' % run.final_loss }}, {{ (run.params * 2) | thousands }}, "
        "{{ run.console | trim | indent(2) | length > 0 }}"))
    project.build()
    page = (project.out / "sections" / "squares.html").read_text()
    assert "lr=0.01 seed=42 22 characters" in page and "892" in page


# ---------------------------------------------------------------------------
# Property-based: random YAML in every field

# Hypothesis explores anew on each run locally; under CI it replays a fixed set.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SLUGS = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,5}){0,2}", fullmatch=True)
ODD_TEXT = st.sampled_from([
    "", " ", "08", "²", "٣", "-1", "1e9", "yes", "null", "~", "square", "Model.forward",
    "Model..forward", "loop", "demo.py", "charrnn/demo.py", "../demo.py", "/etc/passwd",
    "C:\\x.py", "de\0mo.py", "demo.py\n", "x" * 300, "{{ run.params }}", "'", '"', "\t",
    "\u202e", "\ufeff", "\U0001f600", "<script>alert(1)</script>", "$x$", "&a", "*a"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-5, 120),
                    st.floats(), st.text(max_size=30), ODD_TEXT)
ANY = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) |
                   st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)

FRAGMENTS = st.sampled_from([
    "{{ run.params }}", "{{ run.params | thousands }}", "{{ run.final_loss | fixed(2) }}",
    "{{ run.nope }}", "{{ run.config.nope }}", "{{ run.vocab | join(', ') }}", "{{", "}}",
    "{%", "%}", "{% if run.params > 100 %}", "{% else %}", "{% endif %}",
    "{% for x in run.vocab %}", "{% for i in range(100000) %}", "{% endfor %}",
    "{% raw %}", "{% endraw %}", "{{ 'x' * 10**9 }}", "{{ 1/0 }}", "{{ run.params | fixed('a') }}",
    "{{ run | percent }}", "$x$", "$$\\frac{a}{b}$$", "$\\nope$", "\\$", "`code`", "```\n",
    "<script>", "[a](javascript:alert(1))", "\n\n", "* ", "# ", "| a | b |\n|---|---|\n",
    "**", "_", "&amp;", "\\", "{#", "#}"])
PROSE = st.lists(FRAGMENTS | st.text(max_size=12), max_size=8).map("".join)
CODE = st.sampled_from([line.strip() for line in DEMO.splitlines() if line.strip()] +
                       ["return x * x", "not in the code", "", "   ", "for i in range(self.n):"])


def annotation() -> st.SearchStrategy:
    fields = {"id": SLUGS | ANY, "code": CODE | ANY, "text": PROSE | ANY}
    return st.fixed_dictionaries({}, optional={**fields, "extra": ANY}) | ANY


FIELD_VALUES = {
    "id": SLUGS | ODD_TEXT, "number": st.integers(-3, 120) | ODD_TEXT,
    "phase": st.integers(-1, 7), "title": st.text(max_size=40) | ODD_TEXT,
    "subtitle": st.text(max_size=40) | ODD_TEXT,
    "file": st.sampled_from(["demo.py", "nope.py", "demo.txt"]) | ODD_TEXT,
    "package": st.sampled_from(["", "nope", "demo", "Not A Name", "../up"]) | ODD_TEXT,
    "symbol": st.sampled_from(["square", "Model.forward", "LIMITS", "helper", "Model.nope"])
    | ODD_TEXT, "marker": st.sampled_from(["loop", "nope"]) | ODD_TEXT,
    "lines": st.lists(st.integers(-2, 80) | ODD_TEXT, max_size=3),
    "prose": PROSE, "annotations": st.lists(annotation(), max_size=3),
    "charts": st.lists(st.sampled_from(sorted(CHARTS)) | ODD_TEXT, max_size=3),
    "scrubber": st.lists(st.sampled_from(sorted(PANELS)) | ODD_TEXT, max_size=3),
    "live_model": st.booleans() | ODD_TEXT,
    "units": st.booleans() | ODD_TEXT,
    "experiments": st.booleans() | ODD_TEXT,
    "trainer": st.booleans() | ODD_TEXT,
}
assert set(FIELD_VALUES) == set(SECTION_FIELDS)   # every field of the schema is fuzzed

REQUIRED = {"id": SLUGS, "number": st.integers(0, 99), "phase": st.integers(0, 5),
            "title": st.text(max_size=40), "subtitle": st.text(max_size=40)}
OPTIONAL = {**{k: v | ANY for k, v in FIELD_VALUES.items()}, "unknown": ANY}
# Mostly sections with valid required fields, so the checks behind them run too.
SECTIONS = st.fixed_dictionaries(REQUIRED, optional={k: v for k, v in OPTIONAL.items()
                                                    if k not in REQUIRED}) | \
    st.fixed_dictionaries({}, optional=OPTIONAL)
PHASES = st.lists(st.fixed_dictionaries({"number": st.integers(-1, 7),
                                         "title": st.text(max_size=20)}), max_size=7)
PHASES = PHASES | PHASES.map(lambda more: [{"number": 0, "title": "Zero"},
                                           {"number": 1, "title": "One"}] + more)
SITE_FIELDS = {"title": st.text(max_size=30), "subtitle": st.text(max_size=30),
               "intro": PROSE, "phases": PHASES}
SITES = st.fixed_dictionaries(SITE_FIELDS) | st.fixed_dictionaries(
    {}, optional={**{k: v | ANY for k, v in SITE_FIELDS.items()}, "extra": ANY,
                  "phases": st.lists(st.fixed_dictionaries(
                      {}, optional={"number": st.integers(-1, 7) | ANY,
                                    "title": st.text(max_size=20) | ANY}) | ANY, max_size=7)})
DIGESTS = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)
LOCKS = st.fixed_dictionaries({"sections": st.dictionaries(SLUGS | st.text(max_size=20),
                                                             DIGESTS | ANY)}) | ANY

YAML_SYNTAX = st.sampled_from([
    "id: ", "number: ", "title: ", "file: ", "annotations:\n", "  - ", "- ", ": ", ":", "\n",
    "  ", "\t", "|\n", ">\n", "'", '"', "&a ", "*a", "&b [*a, *a]", "!!binary ", "!!python/object ",
    "!!set ", "? ", "{", "}", "[", "]", ",", "#", "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n",
    "\\0", "\\x00", "\\u202e", "0x1F", "0o17", ".inf", "-.nan", "2001-12-14", "~", "null"])
RAW_YAML = st.lists(YAML_SYNTAX | st.text(max_size=6), max_size=30).map("".join)

@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory, chart_cache):
    root = tmp_path_factory.mktemp("fuzz")
    return make_project(root / "project", write_fake_run(root / "run"), chart_cache)


def write_section(project, data) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (project.site_src / "sections" / "01-squares.yaml").write_text(text, encoding="utf-8")


# FUZZ_EXAMPLES=5000 explores more (the numbers below keep the suite quick).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 200))
LOADER = settings(max_examples=EXAMPLES, deadline=5_000,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CHECK = settings(max_examples=max(EXAMPLES // 5, 1), deadline=20_000,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@LOADER
@given(data=SECTIONS)
def test_random_sections_load_or_fail_in_short_lines(fuzz_project, data):
    write_section(fuzz_project, data)
    record("sections", outcome_of(lambda: load_site(fuzz_project.site_src, frozenset(CHARTS))))


@LOADER
@given(text=RAW_YAML)
def test_random_yaml_text_loads_or_fails_in_short_lines(fuzz_project, text):
    (fuzz_project.site_src / "sections" / "01-squares.yaml").write_text(text, encoding="utf-8")
    record("raw yaml", outcome_of(lambda: load_site(fuzz_project.site_src, frozenset(CHARTS))))


@LOADER
@given(data=st.binary(max_size=300))
def test_random_bytes_load_or_fail_in_short_lines(fuzz_project, data):
    (fuzz_project.site_src / "sections" / "01-squares.yaml").write_bytes(data)
    record("raw bytes", outcome_of(lambda: load_site(fuzz_project.site_src, frozenset(CHARTS))))


@CHECK
@given(data=SITES)
def test_random_site_yaml_passes_or_fails_build_check_in_short_lines(fuzz_project, data):
    site = fuzz_project.site_src / "site.yaml"
    original = site.read_bytes()
    site.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    write_section(fuzz_project, yaml.safe_load(textwrap.dedent(SECTION)))
    try:
        record("site.yaml", outcome_of(lambda: fuzz_project.build(check=True)))
    finally:
        site.write_bytes(original)


@CHECK
@given(data=SECTIONS)
def test_random_sections_pass_or_fail_build_check_in_short_lines(fuzz_project, data):
    """The whole of ``build.py --check`` with the fake run: source, annotations,
    figures in the prose, Markdown, charts, templates."""
    write_section(fuzz_project, data)
    record("build --check", outcome_of(lambda: fuzz_project.build(check=True)))


@CHECK
@given(lock=LOCKS)
def test_random_lock_files_pass_or_fail_build_check_in_short_lines(fuzz_project, lock):
    path = fuzz_project.site_src / "walkthrough.lock"
    path.write_text(json.dumps(lock), encoding="utf-8")
    write_section(fuzz_project, yaml.safe_load(textwrap.dedent(SECTION)))
    try:
        record("lock file", outcome_of(lambda: fuzz_project.build(check=True)))
    finally:
        path.unlink()
