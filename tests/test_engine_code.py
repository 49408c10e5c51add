"""The annotated code as the engine writes it: highlighted lines that keep their
text, and notes written just before the lines they explain (the browser suite,
tests/browser/test_layout.py, checks how it looks)."""
from __future__ import annotations

import html
import re
import textwrap

from engine_fixtures import METHOD_SECTION

from walkthrough.highlight import highlight_lines

SOURCE = textwrap.dedent('''\
    def forward(self, x):
        """Sum it up.

        Twice."""
        total = self.arrays["W"].dot(x)  # a comment. with (dots
        for i in range(self.n):
            total += x * i
        return {"a.b": [total]}
    ''').rstrip("\n")


def text_of(line_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", line_html))


def test_highlighted_lines_keep_their_exact_text():
    lines = highlight_lines(SOURCE)
    assert [text_of(line) for line in lines] == SOURCE.split("\n")


def test_the_indent_is_one_span_of_its_own_even_in_a_docstring():
    lines = highlight_lines(SOURCE)
    assert not lines[0].startswith('<span class="ind">')
    for number in (1, 3, 4, 5, 6, 7):
        indent = len(SOURCE.split("\n")[number]) - len(SOURCE.split("\n")[number].lstrip())
        assert lines[number].startswith(f'<span class="ind">{" " * indent}</span>'), number
    assert lines[2] == ""                                    # a blank line stays empty
    assert "<wbr>" not in lines[1] + lines[3]                # nothing inside the docstring


def test_a_long_line_may_break_after_a_bracket_and_before_a_dot_in_code_only():
    line = highlight_lines(SOURCE)[4]
    code, comment = line.split('<span class="c1">')
    assert code.count("<wbr>") == 4                         # self|.arrays[|"W"]|.dot(|x)
    assert '<span class="o"><wbr>.</span><span class="n">dot</span>' in code
    assert '<span class="p">(<wbr></span>' in code
    assert "<wbr>" not in comment
    assert "<wbr>" not in highlight_lines(SOURCE)[7].split('<span class="s2">')[1].split("</span>")[0]


# The demo method's section, with notes that start on shared and nested lines.
PAGE_SECTION = METHOD_SECTION.split("annotations:")[0] + '''\
annotations:
  - id: whole
    code: "def forward(self, x):"
    text: The whole method.
  - id: the-loop
    code: |
      for i in range(self.n):
          total += x * i
    text: A loop.
  - id: the-sum
    code: total += x * i
    text: One term.
  - id: also-the-loop
    code: "for i in range(self.n):"
    text: The loop again, a second note on its first line.
'''


def test_each_note_comes_just_before_the_code_it_starts_on(project):
    project.section("02-forward", PAGE_SECTION)
    project.build()
    page = (project.out / "sections" / "forward-pass.html").read_text(encoding="utf-8")
    annotated = page[page.index('<div class="annotated">'):page.index("</section>")]
    parts = re.findall(r'<aside class="note" id="([^"]+)" data-first="(\d+)"|'
                       r'<pre class="code"><code>(.*?)</code></pre>', annotated, re.S)
    order, shown = [], []
    for note, first, code in parts:
        if note:
            order.append(("note", note, int(first)))
        else:
            numbers = [int(n) for n in re.findall(r'data-n="(\d+)"', code)]
            order.append(("code", numbers[0], numbers[-1]))
            shown += numbers
    source = (project.package / "demo.py").read_text().splitlines()
    first = next(i for i, line in enumerate(source, 1) if "def forward" in line)
    assert shown == list(range(first, first + 5))           # every line once, in order
    assert [kind for kind, *_ in order] == ["note", "code", "note", "note", "code",
                                            "note", "code"]
    # a note is followed by notes on the same line, then by the code starting there
    for i, (kind, _note, line) in enumerate(order):
        if kind == "note":
            after = next(part for part in order[i + 1:] if part[0] == "code")
            assert after[1] == line
    assert [note for kind, note, _ in order if kind == "note"] == \
        ["whole", "also-the-loop", "the-loop", "the-sum"]       # by first, then last line
    # each line says how deep its indent is; the section, how wide its longest line
    indents = dict(re.findall(r'data-n="(\d+)" style="--indent: (\d+)"', annotated))
    assert indents == {str(first + n): str(spaces) for n, spaces in ((1, 4), (2, 4), (3, 8), (4, 4))}
    widest = max(len(line) - 4 for line in source[first - 1:first + 4])
    assert f'style="--code-columns: {widest}"' in page
