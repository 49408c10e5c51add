"""Text from YAML can never inject markup or script; math renders offline."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from walkthrough.figures import FigureError, Figures, fill
from walkthrough.markup import MarkupError, to_html

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


class _Tags(HTMLParser):
    """Every tag and attribute as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    tags = parser.tags
    assert not {tag for tag, _ in tags} & {"script", "iframe", "style", "img"}
    for tag, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")], \
            f"an event handler attribute survived on <{tag}>"
        for name in ("href", "src"):
            assert not (attrs.get(name) or "").lower().startswith(("javascript", "data")), \
                f"<{tag} {name}={attrs[name]!r}>"


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
    assert '<math display="inline" alttext="h_t = tanh(a_t)">' in html
    assert '<math display="block" tabindex="0" alttext="∑_t x_t">' in html
    assert "<msub><mi>h</mi><mi>t</mi></msub>" in html
    assert "xmlns" not in html and "http" not in html


@pytest.mark.parametrize("tex, text", [
    (r"\frac{\partial L_T}{\partial h_{T-k}} = \big(J_T J_{T-1} \cdots J_{T-k+1}\big)^{\top}"
     r" \frac{\partial L_T}{\partial h_T}",
     "∂L_T/∂h_(T−k) = (J_T J_(T−1) ⋯ J_(T−k+1))ᵀ ∂L_T/∂h_T"),
    (r"a_t = W_{xh} x_t + W_{hh} h_{t-1} + b_h", "a_t = W_xh x_t + W_hh h_(t−1) + b_h"),
    (r"p_{t,i} = \frac{e^{y_{t,i}}}{\sum_{j=1}^{V} e^{y_{t,j}}}",
     "p_(t,i) = e^(y_(t,i))/(∑_(j=1)^V e^(y_(t,j)))"),
    (r"L = -\sum_{t=1}^{T} \log p_{t,c_t}", "L = −∑_(t=1)^T log p_(t,c_t)"),
    (r"f'(a_t) = 1 - h_t^2", "f′(a_t) = 1 − h_t²"),
    (r"g \leftarrow g \cdot \min\!\left(1, \frac{\tau}{\lVert g \rVert}\right)",
     "g ← g · min(1, τ/‖g‖)"),
    (r"\rho(W_{hh}) = \max_i |\lambda_i|, \qquad (-1, 1)", "ρ(W_hh) = max_i |λ_i|, (−1, 1)"),
    (r"\operatorname{diag}\big(f'(a_t)\big)\, W_{hh}", "diag(f′(a_t)) W_hh"),
    (r"\mathbb{E}[\lvert S \rvert + 1]", "𝔼[|S| + 1]"),
    (r"\sqrt{6 / (n_\text{in} + n_\text{out})}", "√(6/(n_in + n_out))"),
])
def test_every_formula_has_a_readable_text_form(tex, text):
    html = to_html(f"$${tex}$$")
    assert re.search(r'alttext="([^"]*)"', html).group(1) == text


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


@pytest.mark.parametrize("seconds, text", [
    (0.34, "0.3 s"), (9.43, "9.4 s"), (9.96, "10 s"), (59.4, "59 s"), (372.4, "6 min 12 s"),
    (7300, "2 h 1 min"),
])
def test_durations_keep_a_decimal_only_while_it_matters(seconds, text):
    figures = Figures("run", {"t": seconds})
    assert fill("{{ run.t | duration }}", figures) == text


def test_an_unknown_figure_among_many_gets_a_short_fix():
    figures = Figures("run", {f"figure_number_{i}": i for i in range(200)})
    with pytest.raises(FigureError) as raised:
        fill("{{ run.zzz }}", figures)
    hint = raised.value.hint
    assert hint.startswith("known figures: figure_number_0, ") and len(hint) < 450
    assert hint.endswith(" more") and "figure_number_199" not in hint
    with pytest.raises(FigureError) as raised:
        fill("{{ run.figure_number_7x }}", figures)
    assert raised.value.hint.startswith("did you mean 'run.figure_number_7")


@pytest.mark.parametrize("text, expected", [
    ('after "the ", a noun', "after \u201cthe \u201d, a noun"),
    ('"**bold**" and "`code`" too',
     "\u201c<strong>bold</strong>\u201d and \u201c<code>code</code>\u201d too"),
    ("the network's 'own' guess", "the network\u2019s \u2018own\u2019 guess"),
    ('a "quote *across* inline" text', "a \u201cquote <em>across</em> inline\u201d text"),
    ('a straight \\" stays', 'a straight " stays'),
])
def test_quotes_pair_by_order_not_by_context(text, expected):
    assert to_html(text) == f"<p>{expected}</p>"


def test_quotes_in_code_stay_straight_and_each_paragraph_pairs_its_own():
    html = to_html('`"the "` and "a"\n\n"b" and `it\'s`')
    assert html == ('<p><code>"the "</code> and \u201ca\u201d</p>\n'
                    "<p>\u201cb\u201d and <code>it's</code></p>")


def test_an_unclosed_double_quote_is_an_error():
    with pytest.raises(MarkupError, match="never closed"):
        to_html('one "two three')


def test_punctuation_after_inline_math_stays_on_its_line():
    html = to_html("so $x$, then ($y$). And $z$ alone")
    assert re.search(r'<span class="nowrap"><math [^>]*>.*?</math>,</span>', html)
    assert re.search(r'<span class="nowrap">\(<math [^>]*>.*?</math>\)\.</span>', html)
    assert html.count("nowrap") == 2        # $z$ has nothing to hold on to


def test_an_aside_is_a_marked_block_and_nothing_else_is():
    html = to_html("The point.\n\n!!! aside\n    A remark about `speed`.\n")
    assert '<div class="admonition aside">\n<p>Aside</p>\n<p>A remark about <code>speed</code>.</p>' \
        in html
    with pytest.raises(MarkupError, match="unknown block '!!! note'"):
        to_html("!!! note\n    Text.\n")
