"""The annotated code and the overview's figures, measured in the browser.

On a phone every code line is whole on screen: a line too long for the width
wraps, its continuation hangs past its indent beside an arrow, and its real
line number stays on its first visual line. On a desk the code of a section is
one block, whatever its notes' length: the notes stack in their own column,
each level with its first line or below the note above it. Without JavaScript
every note is still on the page, just before the lines it explains. The
figure cards never cut a value in two.
"""
from __future__ import annotations

import re
from itertools import pairwise

import pytest
from browser_support import REPO, assert_clean, expected_pages

SECTIONS = [p for p in expected_pages() if p != "index.html"]
BPTT = "sections/backpropagation-through-time.html"

# Every code line: its number, its text, where its box and its text lie, how
# many visual lines it takes, and the gutter marks drawn beside it.
LINES = """() => [...document.querySelectorAll(".line")].map((line) => {
  const probe = document.createElement("span");
  probe.textContent = "0".repeat(20);
  line.append(probe);
  const ch = probe.getBoundingClientRect().width / 20;
  probe.remove();
  const code = line.closest(".code").getBoundingClientRect();
  const box = line.getBoundingClientRect();
  // the boxes of its visible characters (a space that wraps hangs past the edge, unseen)
  const text = [];
  const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      text.push(...[...range.getClientRects()].filter((r) => r.width > 0));
    }
  }
  const style = getComputedStyle(line);
  const number = getComputedStyle(line, "::before");
  return {
    n: Number(line.dataset.n), id: line.id, text: line.textContent.replace(/\\n$/, ""),
    top: box.top, bottom: box.bottom, left: box.left, right: box.right,
    codeLeft: code.left, codeRight: code.right,
    textLeft: Math.min(...text.map((r) => r.left)), textRight: Math.max(...text.map((r) => r.right)),
    rows: [...new Set(text.map((r) => Math.round(r.top)))].sort((a, b) => a - b),
    rowLefts: text.map((r) => [Math.round(r.top), r.left]),
    lineHeight: parseFloat(style.lineHeight), ch,
    number: number.content, numberTop: number.top, numberPosition: number.position,
    cue: getComputedStyle(line, "::after").content,
  };
})"""

CODE_BLOCKS = """() => [...document.querySelectorAll(".code")].map((pre) => ({
  scroll: pre.scrollWidth, client: pre.clientWidth, overflow: getComputedStyle(pre).overflowX,
  right: pre.getBoundingClientRect().right}))"""


def source_of(page) -> list[str]:
    """The lines of the file the section's label names (<package>/<file>:<first>-<last>,
    the package being charrnn or, for section 20's command line, runner)."""
    label = page.locator(".source-label code").inner_text()
    match = re.fullmatch(r"((?:charrnn|runner)/.+):\d+-\d+", label)
    assert match, f"the source label {label!r} names no file of charrnn/ or runner/"
    return (REPO / match.group(1)).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("rel", SECTIONS)
def test_on_a_phone_every_code_line_is_whole_with_its_real_number(open_page, rel):
    page = open_page(rel, width=375, height=812)
    lines = page.evaluate(LINES)
    if not lines:
        return                                   # a section without code
    source = source_of(page)
    for block in page.evaluate(CODE_BLOCKS):
        assert block["scroll"] <= block["client"], f"{rel}: a code block scrolls sideways"
        assert block["right"] <= 375
    for line in lines:
        where = f"{rel} line {line['n']}"
        # the real line number, and the real line: the text is the file's, whole
        assert line["id"] == f"L{line['n']}" and line["number"] == f'"{line["n"]}"', where
        assert line["text"].strip() == source[line["n"] - 1].strip(), where
        assert line["numberPosition"] == "absolute" and line["numberTop"] == "0px", where
        if line["text"].strip():
            # every character inside the code block and on the screen
            assert line["codeLeft"] - 0.5 <= line["textLeft"], where
            assert line["textRight"] <= min(line["codeRight"], 375) + 0.5, where
            # the code starts beside its number, not one line down after a bare indent
            assert line["rows"][0] - line["top"] < line["lineHeight"] / 2, where
        rows = max(1, len(line["rows"]))   # a blank line has no text, still one line
        assert abs((line["bottom"] - line["top"]) - rows * line["lineHeight"]) < 2, where
        if rows > 1:
            # wrapped: an arrow beside each continuation, which hangs past the indent
            assert "\u21aa" in line["cue"], where
            start = min(left for top, left in line["rowLefts"] if top == line["rows"][0])
            for top, left in line["rowLefts"]:
                if top != line["rows"][0]:   # its first visible character: past the indent
                    assert left >= start + line["ch"] - 0.5, \
                        f"{where}: the continuation does not hang past the indent"
    assert_clean(page)


def test_a_phone_wraps_the_long_lines_of_the_backward_pass(open_page):
    """The check above is only as good as its wrapped lines: the backward pass has
    lines far wider than a phone, the recurrent step among them."""
    page = open_page(BPTT, width=375, height=812)
    lines = {line["text"].strip(): line for line in page.evaluate(LINES)}
    wrapped = [text for text, line in lines.items() if len(line["rows"]) > 1]
    assert len(wrapped) >= 5, wrapped
    recurrent = lines["dh[t - 1] += W_hh.T.dot(da[t])"]
    assert recurrent["textRight"] <= 375 and recurrent["textLeft"] >= 0


def test_on_a_desk_the_backward_pass_is_one_block_with_its_notes_beside_it(open_page):
    page = open_page(BPTT, width=1280)
    lines = page.evaluate(LINES)
    assert len(lines) > 30
    height = lines[0]["lineHeight"]
    # one block: one column, each line right under the one before, no gap
    assert len({round(line["left"]) for line in lines}) == 1
    gaps = [b["top"] - a["bottom"] for a, b in pairwise(lines)]
    assert max(gaps) < 0.5, f"largest gap in the code: {max(gaps):.1f} px"
    rows = sum(len(line["rows"]) or 1 for line in lines)
    assert lines[-1]["bottom"] - lines[0]["top"] == pytest.approx(rows * height, abs=2)
    # the notes: a column on the left, each no higher than its first line and
    # below the note before it, in the order of the code
    notes = page.eval_on_selector_all(".note", """(notes) => notes.map((n) => {
        const box = n.getBoundingClientRect();
        const text = n.querySelector(".note-lines").getBoundingClientRect();
        const line = document.getElementById("L" + n.dataset.first).getBoundingClientRect();
        return {id: n.id, top: box.top, bottom: box.bottom, right: box.right,
                textTop: text.top, lineTop: line.top};
      })""")
    assert len(notes) >= 3
    code_left = lines[0]["codeLeft"]
    for note in notes:
        assert note["right"] <= code_left, f"{note['id']} overlaps the code"
        assert note["textTop"] >= note["lineTop"] - 1, f"{note['id']} starts above its line"
    for before, note in pairwise(notes):
        assert note["top"] >= before["bottom"] - 0.5, f"{note['id']} overlaps {before['id']}"
    first = notes[0]
    assert first["textTop"] == pytest.approx(first["lineTop"], abs=4)   # nothing above: level
    assert_clean(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_without_javascript_every_note_comes_just_before_its_lines(open_page, width):
    page = open_page(BPTT, width=width, javascript=False)
    placed = page.eval_on_selector_all(".note", """(notes) => notes.map((n) => {
        const line = document.getElementById("L" + n.dataset.first);
        const code = line.closest(".code");
        return {id: n.id, height: n.getBoundingClientRect().height,
                before: Boolean(n.compareDocumentPosition(line) & Node.DOCUMENT_POSITION_FOLLOWING),
                next: n.nextElementSibling && (n.nextElementSibling === code ||
                      n.nextElementSibling.classList.contains("note")),
                first: code.querySelector(".line") === line};
      })""")
    assert placed
    for note in placed:
        assert note["height"] > 20, f"{note['id']} is not shown"
        assert note["before"] and note["next"] and note["first"], note


# --- the overview's figures ------------------------------------------------------

PHRASES = """() => [...document.querySelectorAll(
    ".figures .value, .figures .what, .figures .seed, .figures .nowrap")].map((phrase) => {
  const card = phrase.closest(".figures > div").getBoundingClientRect();
  const box = phrase.getBoundingClientRect();
  return {text: phrase.textContent, lines: phrase.getClientRects().length,
          inside: box.left >= card.left - 0.5 && box.right <= card.right + 0.5};
})"""

# The shape of the figures to come: mean ± sd over the seeds, the seed-42 run beside it.
FUTURE_CARD = """() => document.querySelector(".figures").insertAdjacentHTML("beforeend",
  '<div><dt>Validation loss, nats per character</dt>' +
  '<dd><span class="value">0.431 <span class="spread">± 0.006</span></span>' +
  '<span class="seed">seed 42: 0.425</span></dd>' +
  '<dd><span class="value">0.449 <span class="spread">± 0.011</span></span> ' +
  '<span class="what">validation</span><span class="seed">seed 42: 0.455</span></dd></div>')"""


@pytest.mark.parametrize("width", [1280, 375])
def test_no_figure_on_the_overview_is_cut_in_two(open_page, width):
    page = open_page("index.html", width=width)
    page.evaluate(FUTURE_CARD)
    phrases = page.evaluate(PHRASES)
    assert len(phrases) >= 10
    for phrase in phrases:
        assert phrase["lines"] == 1, f"'{phrase['text']}' wraps at {width} px"
        assert phrase["inside"], f"'{phrase['text']}' sticks out of its card at {width} px"
    width_of_page = page.evaluate("document.documentElement.scrollWidth")
    assert width_of_page <= width
    assert_clean(page)
