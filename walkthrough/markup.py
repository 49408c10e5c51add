"""Author Markdown to safe HTML, with math rendered offline to MathML.

Three layers keep YAML text from injecting markup:
1. raw HTML is not HTML to this Markdown: ``<script>`` is shown as text;
2. the result goes through nh3 (the ammonia sanitiser) with a short allow-list:
   no script, style, iframe, img or event attributes; links only to relative
   targets, http(s) and mailto (so ``javascript:`` links lose their href);
3. ``$...$`` and ``$$...$$`` become MathML through latex2mathml, whose output is
   serialised here so that text inside it is escaped, then sanitised too.

Typography: double quotes are paired by order within a paragraph, not guessed
from context (see ``_Quotes``); punctuation that follows inline math stays on
its line; ``!!! aside`` opens an aside (Python-Markdown's admonition block),
the one place for engineering and performance remarks beside a teaching note.
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
from markdown.treeprocessors import Treeprocessor

from .errors import Refusal
from .mathtext import linear


class MarkupError(Refusal):
    """Markdown, maths or an admonition in an author's text that cannot be rendered."""


# ---------------------------------------------------------------------------
# Math

# Bounded lengths: an unclosed '$' would otherwise be searched for its partner
# to the end of the line, for every '$' on it.
DISPLAY_MATH = r"(?<!\\)\$\$(.{1,4000}?)\$\$"
# Inline math, with an opening bracket just before it and the punctuation just
# after it: they are kept on the same line as the formula.
INLINE_MATH = r"(?<![\\$\w])([(\[]?)\$(?=\S)(.{1,1000}?)(?<=[^\s\\])\$(?![\w$])([.,;:!?)\]]*)"


class _Math(InlineProcessor):
    def __init__(self, pattern: str, md: markdown.Markdown, display: str):
        super().__init__(pattern, md)
        self.display = display

    def handleMatch(self, m, data):
        before, tex, after = ("", m.group(1), "") if self.display == "block" else m.groups()
        tex = tex.strip()
        try:
            mathml = latex_to_mathml(tex, display=self.display)
        except Exception as error:   # latex2mathml raises many kinds, some without text
            reason = f"{type(error).__name__} {error}".strip()
            raise MarkupError(f"cannot render the math ${tex}$: {reason}",
                              "fix the LaTeX; escape a literal dollar as \\$") from None
        if before or after:
            # A formula is one unbreakable box, and a browser may break the line
            # on either side of it: "$x$," could leave the comma to start a line.
            mathml = (f'<span class="nowrap">{html.escape(before)}{mathml}'
                      f'{html.escape(after)}</span>')
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
    # The formula as one line of text (mathtext.py), for the search index.
    element.set("alttext", linear(element))
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
    """No raw HTML; math before any other inline syntax except code spans;
    quotes paired by order; links found in bounded time."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.ESCAPED_CHARS.extend(["$", '"', "'"])
        # Priorities: code spans are 190, backslash escapes 180.
        md.inlinePatterns.register(_Math(DISPLAY_MATH, md, "block"), "display_math", 186)
        md.inlinePatterns.register(_Math(INLINE_MATH, md, "inline"), "inline_math", 185)
        for name, (processor, pattern, priority) in BRACKETED.items():
            bounded = type(processor.__name__, (_BoundedBrackets, processor), {})
            md.inlinePatterns.register(bounded(pattern, md), name, priority)
        # After inline parsing (20) and smarty (6), before backslash escapes are
        # restored (0): an escaped quote stays straight.
        md.treeprocessors.register(_Quotes(md), "quotes", 5)


# ---------------------------------------------------------------------------
# Quotes

class _Quotes(Treeprocessor):
    """Curly quotes, with the double ones paired by order.

    Smarty guesses whether a straight double quote opens or closes from the
    characters beside it, and guesses wrong where the quoted text ends in a
    space (after "the ", ...) or next to a code span. Within one paragraph,
    list item or table cell, double quotes here simply alternate, open then
    close; an odd number of them is an error. A single quote after a letter,
    a digit or a closing mark is an apostrophe (or closes); otherwise it opens.
    Code is left alone, and so is a quote escaped with a backslash.
    """

    BLOCKS = frozenset({"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"})
    NESTED = BLOCKS | {"ul", "ol", "dl", "table", "div", "blockquote", "pre"}
    CODE = frozenset({"code", "pre", "kbd"})

    def run(self, root):
        for block in root.iter():
            if block.tag in self.BLOCKS:
                self._curl(block)

    def _curl(self, block) -> None:
        state = {"open": False, "last": " "}
        for node, attribute in list(self._texts(block, top=True)):
            text = getattr(node, attribute)
            setattr(node, attribute, type(text)(self._replace(text, state)))
        if state["open"]:
            words = " ".join("".join(block.itertext()).split())
            raise MarkupError(f"a double quote is never closed in: {words[:80]!r}",
                              'close every " that opens; write a straight one as \\"')

    def _texts(self, element, top=False):
        """(node, "text" or "tail") of every piece of this block's own text, in order."""
        if element.tag in self.CODE and not top:
            return
        if element.text:
            yield element, "text"
        for child in element:
            if child.tag not in self.NESTED:
                yield from self._texts(child)
            if child.tail:
                yield child, "tail"

    @staticmethod
    def _replace(text: str, state: dict) -> str:
        out = []
        for c in text:
            if c == '"':
                c = "\u201d" if state["open"] else "\u201c"
                state["open"] = not state["open"]
            elif c == "'":
                after_word = state["last"].isalnum() or state["last"] in ")]}.,;:!?\u2019\u201d"
                c = "\u2019" if after_word else "\u2018"
            out.append(c)
            state["last"] = c
        return "".join(out)


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
              **{tag: MATH_ATTRIBUTES for tag in MATH_TAGS},
              "math": MATH_ATTRIBUTES | {"alttext"}}


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=HTML_TAGS | MATH_TAGS, attributes=ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None,
                     strip_comments=True)


# ---------------------------------------------------------------------------

@functools.cache
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "codehilite", "sane_lists", "smarty", "admonition",
                    _SafeMath()],
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False},
                           "smarty": {"smart_quotes": False}},   # _Quotes does them
        output_format="html")


# What may scroll sideways on a phone must be reachable by keyboard to be
# scrolled (axe's scrollable-region-focusable): tables, code blocks, display math.
SCROLLERS = re.compile(r'<(table|pre|math display="block")(?=[\s>])')


# The one kind of admonition block an author may write.
BLOCK_KINDS = re.compile(r'<div class="admonition ([^"]*)">')


MAX_TEXT = 20_000   # characters of one prose or note, figures filled in (the longest: ~4,000)


def to_html(text: str) -> str:
    """Markdown ``text`` as sanitised HTML (block level: paragraphs, lists...)."""
    if len(text) > MAX_TEXT:
        raise MarkupError(f"the text has {len(text):,} characters (figures filled in), more "
                          f"than the {MAX_TEXT:,} one prose or note may have",
                          "shorten it, or split it between sections")
    md = _markdown()
    md.reset()
    out = md.convert(text)
    for kind in BLOCK_KINDS.findall(out):
        if kind != "aside":
            raise MarkupError(f"unknown block '!!! {kind}'",
                              "the one block is '!!! aside', for a remark beside the point")
    return SCROLLERS.sub(r'<\1 tabindex="0"', sanitize(out))

