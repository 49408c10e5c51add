"""Python source to highlighted HTML, one string per line.

The whole excerpt is lexed at once (so a docstring spanning lines is still a
string), then cut at newlines so each line can carry its real line number and
its own marks. Token classes are Pygments' short names (``k``, ``nf``, ``s2``...),
coloured by site_src/static/code.css.

A line too long for a narrow screen wraps, so each line carries two hints for
the browser: its indentation is one span (``ind``) that never breaks, so a line
never wraps into nothing but its indent, and ``<wbr>`` marks where a programmer
would break it: after an opening bracket, before a dot.
"""
from __future__ import annotations

import functools
from html import escape

from pygments.lexers import PythonLexer
from pygments.token import STANDARD_TYPES


@functools.cache
def _lexer() -> PythonLexer:
    return PythonLexer(stripnl=False, ensurenl=False)


def _css_class(token) -> str:
    while token not in STANDARD_TYPES:
        token = token.parent
    return STANDARD_TYPES[token]


def highlight_lines(code: str) -> list[str]:
    """HTML for each line of ``code``; spans never cross a line break.

    Neighbouring tokens of one class share a span, and whitespace gets none,
    which keeps pages small."""
    lines: list[list[tuple[str, str]]] = [[]]
    for token, value in _lexer().get_tokens(code):
        css = _css_class(token)
        css = "" if css in ("", "w") else css
        for i, piece in enumerate(value.split("\n")):
            if i:
                lines.append([])
            if not piece:
                continue
            line = lines[-1]
            if line and line[-1][0] == css:
                line[-1] = (css, line[-1][1] + piece)
            else:
                line.append((css, piece))
    html = ["".join(_span(css, text) for css, text in _indent_apart(line)) for line in lines]
    expected = code.count("\n") + 1
    return html[:expected] + [""] * (expected - len(html))


def _indent_apart(line: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The line's leading spaces as a token of their own, even inside a docstring."""
    if not line:
        return line
    css, text = line[0]
    rest = text.lstrip(" ")
    if rest == text or (not rest and len(line) == 1):
        return line   # no indent, or a line of nothing but spaces
    indent = [("ind", text[:len(text) - len(rest)])]
    return indent + ([(css, rest)] if rest else []) + line[1:]


_BREAKS = {"(": "(<wbr>", "[": "[<wbr>", "{": "{<wbr>", ".": "<wbr>."}


def _span(css: str, text: str) -> str:
    text = escape(text, quote=False)
    if css in ("p", "o"):
        text = "".join(_BREAKS.get(ch, ch) for ch in text)
    return f'<span class="{css}">{text}</span>' if css else text
