"""Author Markdown to safe HTML, with math rendered offline to MathML.

Three layers keep YAML text from injecting markup:
1. raw HTML is not HTML to this Markdown: ``<script>`` is shown as text;
2. the result goes through nh3 (the ammonia sanitiser) with a short allow-list:
   no script, style, iframe, img or event attributes; links only to relative
   targets, http(s) and mailto (so ``javascript:`` links lose their href);
3. ``$...$`` and ``$$...$$`` become MathML through latex2mathml, whose output is
   serialised here so that text inside it is escaped, then sanitised too.
"""
from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET

import markdown
import nh3
from latex2mathml.converter import convert_to_element
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor


class MarkupError(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


# ---------------------------------------------------------------------------
# Math

DISPLAY_MATH = r"(?<!\\)\$\$(.+?)\$\$"
INLINE_MATH = r"(?<![\\$\w])\$(?=\S)(.+?)(?<=[^\s\\])\$(?![\w$])"


class _Math(InlineProcessor):
    def __init__(self, pattern: str, md: markdown.Markdown, display: str):
        super().__init__(pattern, md)
        self.display = display

    def handleMatch(self, m, data):
        tex = m.group(1).strip()
        try:
            mathml = latex_to_mathml(tex, display=self.display)
        except Exception as error:   # latex2mathml raises many kinds, some without text
            reason = f"{type(error).__name__} {error}".strip()
            raise MarkupError(f"cannot render the math ${tex}$: {reason}",
                              "fix the LaTeX; escape a literal dollar as \\$") from None
        return self.md.htmlStash.store(mathml), m.start(0), m.end(0)


def latex_to_mathml(tex: str, display: str) -> str:
    """MathML for ``tex``. latex2mathml's own ``convert`` un-escapes its whole output,
    which would let ``\\text{<b>}`` through as markup; we un-escape only the entity
    references it puts in text nodes, and let ElementTree escape the rest."""
    element = convert_to_element(tex, display=display)
    element.attrib.pop("xmlns", None)
    for node in element.iter():
        if node.text:
            node.text = html.unescape(node.text)
            if node.text.startswith("\\") and len(node.text) > 1:
                raise ValueError(f"unknown command {node.text}")
    return ET.tostring(element, encoding="unicode")


class _SafeMath(Extension):
    """No raw HTML; math before any other inline syntax except code spans."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.ESCAPED_CHARS.append("$")
        # Priorities: code spans are 190, backslash escapes 180.
        md.inlinePatterns.register(_Math(DISPLAY_MATH, md, "block"), "display_math", 186)
        md.inlinePatterns.register(_Math(INLINE_MATH, md, "inline"), "inline_math", 185)


# ---------------------------------------------------------------------------
# Sanitising

MATH_TAGS = {"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt",
             "mroot", "mstyle", "merror", "mpadded", "mphantom", "msub", "msup", "msubsup",
             "munder", "mover", "munderover", "mtable", "mtr", "mtd", "semantics",
             "annotation", "menclose"}
HTML_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "span", "div", "a", "ul", "ol",
             "li", "blockquote", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th",
             "td", "sup", "sub", "kbd", "abbr", "del"}
MATH_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "lspace",
                   "rspace", "form", "largeop", "movablelimits", "accent", "accentunder",
                   "linethickness", "width", "height", "depth", "displaystyle", "scriptlevel",
                   "columnalign", "rowspacing", "columnspacing", "notation", "minsize",
                   "maxsize", "symmetric"}
ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}, "div": {"class"},
              "code": {"class"}, "abbr": {"title"}, "ol": {"start"},
              **{tag: MATH_ATTRIBUTES for tag in MATH_TAGS}}


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=HTML_TAGS | MATH_TAGS, attributes=ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None,
                     strip_comments=True)


# ---------------------------------------------------------------------------

@functools.cache
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "codehilite", "sane_lists", "smarty", _SafeMath()],
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False}},
        output_format="html")


# What may scroll sideways on a phone must be reachable by keyboard to be
# scrolled (axe's scrollable-region-focusable): tables, code blocks, display math.
SCROLLERS = re.compile(r'<(table|pre|math display="block")>')


def to_html(text: str) -> str:
    """Markdown ``text`` as sanitised HTML (block level: paragraphs, lists...)."""
    md = _markdown()
    md.reset()
    return SCROLLERS.sub(r'<\1 tabindex="0">', sanitize(md.convert(text)))

