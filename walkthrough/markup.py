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
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor


class MarkupError(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


# ---------------------------------------------------------------------------
# Math

# Bounded lengths: an unclosed '$' would otherwise be searched for its partner
# to the end of the line, for every '$' on it.
DISPLAY_MATH = r"(?<!\\)\$\$(.{1,4000}?)\$\$"
INLINE_MATH = r"(?<![\\$\w])\$(?=\S)(.{1,1000}?)(?<=[^\s\\])\$(?![\w$])"


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


# ---------------------------------------------------------------------------
# Links: bounded work

MAX_NESTING = 32      # brackets inside a link's text; deeper is not a link
MAX_TARGET = 2_000    # characters of a link's (target "title"); longer is not a link
BRACKET = re.compile(r"[\[\]]")


class _BoundedBrackets:
    """Python-Markdown looks for the ']' that closes a '[', and the ')' that closes
    the '(' after it, by reading on to the end of the text, once for every '[': a
    text of 50,000 '[' takes minutes. Here the search for ']' skips to the next
    bracket and gives up once brackets nest deeper than MAX_NESTING, and the one
    for ')' reads at most MAX_TARGET characters, which bounds the work by a
    constant times the length of the text."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        depth = 1
        for match in BRACKET.finditer(data, index):
            depth += 1 if match.group() == "[" else -1
            if depth == 0:
                return data[index:match.start()], match.end(), True
            if depth > MAX_NESTING:
                break
        return "", len(data), False

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        return super().getLink(data[:index + MAX_TARGET], index)


# Python-Markdown's own processors of bracketed syntax, under their own names.
BRACKETED = {
    "reference": (inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 170),
    "link": (inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE, 160),
    "image_link": (inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE, 150),
    "image_reference": (inlinepatterns.ImageReferenceInlineProcessor,
                        inlinepatterns.IMAGE_REFERENCE_RE, 140),
    "short_reference": (inlinepatterns.ShortReferenceInlineProcessor,
                        inlinepatterns.REFERENCE_RE, 130),
    "short_image_ref": (inlinepatterns.ShortImageReferenceInlineProcessor,
                        inlinepatterns.IMAGE_REFERENCE_RE, 125),
}


class _SafeMath(Extension):
    """No raw HTML; math before any other inline syntax except code spans; links
    found in bounded time."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.ESCAPED_CHARS.append("$")
        # Priorities: code spans are 190, backslash escapes 180.
        md.inlinePatterns.register(_Math(DISPLAY_MATH, md, "block"), "display_math", 186)
        md.inlinePatterns.register(_Math(INLINE_MATH, md, "inline"), "inline_math", 185)
        for name, (processor, pattern, priority) in BRACKETED.items():
            bounded = type(processor.__name__, (_BoundedBrackets, processor), {})
            md.inlinePatterns.register(bounded(pattern, md), name, priority)


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


MAX_TEXT = 20_000   # characters of one prose or note, figures filled in (the longest: ~4,000)


def to_html(text: str) -> str:
    """Markdown ``text`` as sanitised HTML (block level: paragraphs, lists...)."""
    if len(text) > MAX_TEXT:
        raise MarkupError(f"the text has {len(text):,} characters (figures filled in), more "
                          f"than the {MAX_TEXT:,} one prose or note may have",
                          "shorten it, or split it between sections")
    md = _markdown()
    md.reset()
    return SCROLLERS.sub(r'<\1 tabindex="0">', sanitize(md.convert(text)))

