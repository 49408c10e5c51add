"""Text from YAML can never inject markup or script; math renders offline."""
from __future__ import annotations

import re

import pytest

from walkthrough.figures import FigureError, Figures, fill
from walkthrough.markup import to_html

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src='javascript:alert(1)'></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    r"$\text{<script>alert(1)</script>}$",
    r"$$\text{<img src=x onerror=alert(1)>}$$",
]


def assert_inert(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<style" not in lowered
    assert "<img" not in lowered
    assert "javascript:" not in lowered.replace("&lt;", "<") or "href=\"javascript" not in lowered
    assert not re.search(r"<[^>]+\son\w+\s*=", lowered), "an event handler attribute survived"
    assert 'href="javascript' not in lowered and 'href="data' not in lowered


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_output_is_inert(attack):
    assert_inert(to_html(f"Some text {attack} more text."))


def test_raw_html_is_shown_as_text():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in to_html("<script>alert(1)</script>")


def test_javascript_link_loses_its_target():
    html = to_html("[click](javascript:alert(1)) and [ok](#anchor)")
    assert "<a>click</a>" in html and '<a href="#anchor">ok</a>' in html


def test_math_becomes_mathml():
    html = to_html(r"Inline $h_t = \tanh(a_t)$ and display $$\sum_t x_t$$")
    assert '<math display="inline">' in html and '<math display="block" tabindex="0">' in html
    assert "<msub><mi>h</mi><mi>t</mi></msub>" in html
    assert "xmlns" not in html and "http" not in html


def test_dollar_amounts_and_code_spans_are_not_math():
    html = to_html("It costs $5 and $10, see `$x$`, and \\$y\\$.")
    assert "<math" not in html and "<code>$x$</code>" in html


def test_math_text_is_escaped():
    html = to_html(r"$\text{<b>bold</b>}$")
    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_injection_from_every_yaml_field_is_escaped(project):
    attack = "<script>alert('x')</script>"
    project.section("01-squares", f'''\
        id: squares
        number: 1
        phase: 0
        title: "Squares {attack}"
        subtitle: "Sub {attack}"
        file: demo.py
        symbol: square
        prose: |
          Prose {attack} [link](javascript:alert(1)) <img src=x onerror=alert(1)>
        annotations:
          - id: the-product
            code: return x * x
            text: "Note {attack} [l](javascript:alert(2))"
        ''')
    project.build()
    for page in (project.out / "sections" / "squares.html", project.out / "index.html"):
        html = page.read_text()
        assert "<script>alert" not in html
        assert "javascript:" not in html
        assert "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
        assert "&lt;script&gt;alert(" in html


def test_figures_are_sandboxed():
    figures = Figures("run", {"params": 7256, "loss": 1.23456})
    assert fill("{{ run.params | thousands }} / {{ run.loss | round(2) }}", figures) == \
        "7,256 / 1.23"
    with pytest.raises(FigureError):
        fill("{{ run.__class__.__mro__ }}", figures)
    with pytest.raises(FigureError):
        fill("{{ ''.__class__.__mro__[1].__subclasses__() }}", figures)
    with pytest.raises(FigureError, match=r"unknown run figure 'run\.nope'"):
        fill("{{ run.nope }}", figures)
