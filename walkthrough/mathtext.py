"""A formula as one line of readable text, for search snippets.

The text inside MathML runs together once the markup is gone: the Jacobian
product of section 19 reads "∂LT∂hT−k=(JTJT−1⋯JT−k+1)⊤". ``linear`` keeps the
structure in the way people type maths in plain text: subscripts after ``_``,
superscripts after ``^`` (digits and the transpose as superscript characters),
fractions with ``/``, and parentheses around a script or a fraction part that
holds more than one term:

    ∂L_T/∂h_(T−k) = (J_T J_(T−1) ⋯ J_(T−k+1))ᵀ ∂L_T/∂h_T

It reads the element tree that latex2mathml builds (see markup.py), after the
entity references in its text nodes have been decoded.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

RELATIONS = frozenset("=≠<>≤≥≈≡∼∝←→↦∈∉⊂⊆⇒⇔∣")
BINARY = frozenset("+−-±∓·×⊙∘⊗")
OPENING, CLOSING = frozenset("([{⟨⌊⌈"), frozenset(")]}⟩⌋⌉")
PREFIX = frozenset("∂∇√¬")                     # glued to what follows: ∂L, ∇f
SPACED = frozenset("⋯…∑∏∫")                    # stand apart like a term
PRIMES = frozenset("′″‴")
SUPERSCRIPT = str.maketrans("0123456789+−()⊤", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᵀ")
ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "¯": "\u0304", "~": "\u0303", "˜": "\u0303",
           "˙": "\u0307", "→": "\u20d7"}
SEPARATORS = frozenset(" +−-=,/·<>≤≥←→∈")      # a part with one of these is several terms


def linear(element: ET.Element) -> str:
    """The formula of a MathML ``element`` as one line of text."""
    return " ".join(_text(element).split())


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _text(element: ET.Element) -> str:
    tag, children = _tag(element), list(element)
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return (element.text or "").replace("\xa0", " ")
    if tag == "mspace":
        width = element.get("width", "")
        return "" if width.startswith("-") or width.startswith("negative") else " "
    if tag == "mphantom":
        return ""
    if tag == "msub" and len(children) == 2:
        return _text(children[0]) + "_" + _script(children[1])
    if tag == "msup" and len(children) == 2:
        return _text(children[0]) + _superscript(children[1])
    if tag == "msubsup" and len(children) == 3:
        return _text(children[0]) + "_" + _script(children[1]) + _superscript(children[2])
    if tag == "munder" and len(children) == 2:
        return _text(children[0]) + "_" + _script(children[1])
    if tag == "munderover" and len(children) == 3:
        return _text(children[0]) + "_" + _script(children[1]) + _superscript(children[2])
    if tag == "mover" and len(children) == 2:
        return _accented(children[0], children[1])
    if tag == "mfrac" and len(children) == 2:
        return _grouped(_text(children[0])) + "/" + _grouped(_text(children[1]))
    if tag == "msqrt":
        return "√" + _grouped(_row(children), always=len(children) > 1)
    if tag == "mroot" and len(children) == 2:
        return _superscript(children[1]) + "√" + _grouped(_text(children[0]))
    if tag == "mtable":
        return "; ".join(_text(row) for row in children)
    if tag == "mtr":
        return ", ".join(_text(cell) for cell in children)
    return _row(children)


def _script(element: ET.Element) -> str:
    """A sub- or superscript, written tight: h_(t−1), ∑_(t=1), p_(t,c_t)."""
    text = "".join(_text(element).split())
    return f"({text})" if _splits(text) or "_" in text or "^" in text else text


def _superscript(element: ET.Element) -> str:
    text = "".join(_text(element).split())
    if text and all(c in PRIMES for c in text):
        return text
    raised = text.translate(SUPERSCRIPT)
    if text and raised != text and len(raised) == len(text) and \
            all(c != r for c, r in zip(text, raised, strict=True)):
        return raised                                   # h_t², W_hhᵀ
    return "^" + _script(element)


def _accented(base: ET.Element, over: ET.Element) -> str:
    text, mark = _text(base), _text(over).strip()
    if len(text) == 1 and mark in ACCENTS:
        return text + ACCENTS[mark]                     # x̂, ȳ
    return _text(base) + _superscript(over)


def _grouped(text: str, always: bool = False) -> str:
    """``text`` in parentheses if it holds more than one term at its top level."""
    if always or _splits(text):
        return f"({text})"
    return text


def _splits(text: str) -> bool:
    depth = 0
    for i, c in enumerate(text):
        if c in OPENING:
            depth += 1
        elif c in CLOSING:
            depth -= 1
        elif depth == 0 and c in SEPARATORS and i > 0:
            return True
    return False


def _row(children: list[ET.Element]) -> str:
    """Children side by side, spaced the way the operators between them ask."""
    out, previous = "", None
    for child in children:
        text = _text(child)
        if not text:
            continue
        kind = _kind(child, first=True)
        if kind == "binary" and previous in (None, "opening", "relation", "comma", "binary",
                                             "unary", "prefix", "spaced"):
            kind = "unary"                              # −1, not − 1
        if previous is not None and _spaced(previous, kind):
            out += " "
        out += text
        previous = "unary" if kind == "unary" else _kind(child, first=False)
    return out


def _kind(element: ET.Element, first: bool) -> str:
    """How the ``first`` (or last) end of an element behaves in a row: relation,
    binary, opening, closing, comma, period, slash, prefix, spaced, fence, word,
    letter, term or space."""
    tag = _tag(element)
    if tag == "mspace":
        return "space"
    if tag in ("msub", "msup", "msubsup", "munder", "munderover") and len(element):
        base = _kind(element[0], first=True)
        if not first:                                   # max_i |λ|, ∑_t x_t: as the base
            return base if base in ("word", "spaced") else "term"
        return "term" if base == "letter" else base     # ‖W‖_2 and (…)ᵀ close like ‖ and )
    if tag in ("mrow", "mstyle", "mpadded"):
        ends = [child for child in element if _text(child)]
        return _kind(ends[0 if first else -1], first) if ends else "term"
    if tag not in ("mo", "mi", "mn", "mtext"):
        return "term"
    text = (element.text or "").strip()
    if tag == "mo" or text in BINARY or text in RELATIONS:   # latex2mathml: \pm is an <mi>
        if text == ".":
            return "period"
        if text == "/":
            return "slash"
        for kind, chars in (("relation", RELATIONS), ("binary", BINARY), ("opening", OPENING),
                            ("closing", CLOSING), ("prefix", PREFIX), ("spaced", SPACED)):
            if text in chars:
                return kind
        if text in (",", ";"):
            return "comma"
        if text in ("|", "‖"):
            return "fence"
        return "word" if len(text) > 1 else "letter"   # \operatorname{diag}
    if tag == "mi" and len(text) > 1:
        return "word"                                   # log, tanh, max
    return "letter" if len(text) == 1 else "term"


def _spaced(a: str, b: str) -> bool:
    """Whether a space goes between neighbours of kinds ``a`` and ``b``."""
    if "space" in (a, b) or "slash" in (a, b) or a == "unary" or \
            b in ("closing", "comma", "period"):
        return False                                    # the mspace is the space; x/y; x, y.
    if a in ("relation", "comma", "period", "spaced", "binary") or \
            b in ("relation", "spaced", "binary"):
        return True
    if a == "word" and b != "opening":
        return True                                     # log p, max_i |λ_i|, but tanh(a)
    if a in ("opening", "prefix", "fence", "unary") or b in ("fence", "opening", "unary"):
        return False                                    # (x), ∂L, |S|, f(x), −1
    return not (a == "letter" and b == "letter")        # 2HV, but W_xh x_t
