"""Phase 4, continued: what single hidden units do.

Karpathy's "The Unreasonable Effectiveness of Recurrent Neural Networks"
coloured text by the activation of one hidden unit and found a few units that
track something a person can name: a quote being open, the position in a line.
This module asks the same question of our network, and measures the answer.

For every character t of the validation text we write down a few facts a
reader can name (is it inside a word? which letter of its word is it? ...).
Each fact describes the hidden state h_t, the state *after* reading character
t, so a fact about t is something the network could know at that moment or be
preparing for. Then, for every unit and every fact, one number says how
closely the unit's activation follows the fact across the validation text.

A unit that follows a fact is not yet a unit that *learned* it. An untrained
network already reacts to its input: a random column of W_xh can make a unit
jump at every space, and among 64 random units the best one follows almost
any fact a little. So the same statistic is taken from many untrained networks
of the same shape (NULL_NETWORKS initialisations, each with its own seed), and
a fact counts as learned only when the trained network's best unit beats what
the best untrained unit reaches in 95% of them. When no unit passes, the
analysis says so.

`units_section` does it all and returns the dict stored as analysis.json["units"].
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from .corpus import DETERMINERS, KNOWN_WORDS, TEMPLATES, Corpus

# The verdict's rule. A fact is learned when the trained network's best unit
# beats the NULL_QUANTILE of the best units of untrained networks: a network
# that learned nothing would pass by luck one time in twenty. STRENGTH only
# names a unit that follows a fact closely (|r| = 0.5: the fact accounts for a
# quarter of its variance); it decides between the two ways of failing.
STRENGTH = 0.5
NULL_QUANTILE = 0.95
TOP_UNITS = 3              # the best units listed per fact
EXCERPT_CHARS = 200        # the coloured excerpt: whole sentences, at least this long
SUBJECT, VERB, OBJECT = range(3)
ROLES = ("subject", "verb", "object")   # the names of the codes above


# --- the facts, one value per character ----------------------------------------------

@dataclass(frozen=True)
class Feature:
    name: str                 # its key in analysis.json
    label: str                # what a reader calls it
    kind: str                 # "binary", "ordinal" or "categorical": decides the statistic
    levels: tuple[str, ...]   # what each value means, value 0 first


FEATURES = (
    Feature("in_word", "inside a word", "binary", ("space", "letter")),
    Feature("word_position", "position in a word", "ordinal",
            tuple(f"letter {k}" for k in range(1, max(map(len, KNOWN_WORDS)) + 1))),
    Feature("after_determiner", "just after a determiner", "binary",
            ("space after another word", "space after the or a")),
    Feature("sentence_role", "role in the sentence", "categorical", ROLES),
    Feature("ends_in_s", "a word that ends in s", "binary",
            ("letter of another word", "letter of a word ending in s")),
)


def word_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every word; the stream has exactly one space between words."""
    return [m.span() for m in re.finditer(r"\S+", text)]


def character_features(corpus: Corpus) -> dict[str, np.ndarray]:
    """Each fact of FEATURES for every character of the corpus, as floats; NaN
    where the fact is not defined for that character.

    - in_word: 1 for a letter, 0 for a space.
    - word_position: at a letter, its place in its word, counting from 0; at a
      space, undefined: whether a space is "in" a word is what in_word asks.
    - after_determiner: at a space, 1 if the word it ends is "the" or "a" (so a
      noun must come next), 0 if it ends another word; at a letter, undefined.
      Comparing spaces with spaces leaves out the easy part, that the input is
      a space, and keeps what the state remembers of the word before it.
    - sentence_role: SUBJECT, VERB or OBJECT (0, 1, 2). A letter has the role of the
      noun phrase or verb its word belongs to ("the" in "the dog" is part of
      the subject); a space has the role of the word it ends.
    - ends_in_s: at a letter, 1 if its word ends in "s" (every verb, and
      "glass"), 0 otherwise; at a space, undefined. At the first letter of a
      verb the s is still to come: a unit can know it only from the syntax.
    """
    text = corpus.text
    n = len(text)
    in_word = np.array([c != " " for c in text], dtype=np.float64)
    position = np.full(n, np.nan)
    after_determiner = np.full(n, np.nan)
    ends_in_s = np.full(n, np.nan)
    role = np.full(n, np.nan)
    roles = word_roles(corpus)
    spans = word_spans(text)
    if len(roles) != len(spans):
        raise ValueError(f"the corpus has {len(spans)} words but its templates account "
                         f"for {len(roles)}: its text and sentences disagree")
    for (start, end), word_role in zip(spans, roles, strict=True):
        word = text[start:end]
        position[start:end] = np.arange(end - start)
        ends_in_s[start:end] = word.endswith("s")
        role[start:end + 1] = word_role          # the word and the space that ends it
        if end < n:
            after_determiner[end] = word in DETERMINERS
    return {"in_word": in_word, "word_position": position,
            "after_determiner": after_determiner, "sentence_role": role,
            "ends_in_s": ends_in_s}


def word_roles(corpus: Corpus) -> list[int]:
    """The role (an index into ROLES) of every word of the corpus, in order.

    The corpus keeps the template of each sentence, so the roles are read off
    exactly: a verb slot is the verb, a noun slot before it the subject, a noun
    slot after it the object. A slot spans as many words as its phrases have
    ("the dog" is two words, "chases" one).
    """
    roles = []
    for sentence, template_id in zip(corpus.sentences, corpus.template_ids, strict=True):
        words = sentence.split()
        seen_verb, used = False, 0
        for slot in TEMPLATES[template_id].slots:
            is_verb = slot.label.startswith("VERB")
            seen_verb |= is_verb
            length = len(slot.phrases[0].split())
            if " ".join(words[used:used + length]) not in slot.phrases:
                raise ValueError(f"sentence {sentence!r} does not fit template "
                                 f"{template_id} ({TEMPLATES[template_id].text})")
            roles += [VERB if is_verb else (OBJECT if seen_verb else SUBJECT)] * length
            used += length
        if used != len(words):
            raise ValueError(f"sentence {sentence!r} is longer than template {template_id} "
                             f"({TEMPLATES[template_id].text})")
    return roles


# --- one number per unit and fact ------------------------------------------------------

def pearson(x: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Pearson's r between x (n,) and each column of states (n, H) at once.
    A unit that never changes follows nothing: its r is 0, not 0/0."""
    xc = x - x.mean()
    centred = states - states.mean(axis=0)
    spread = np.sqrt((xc @ xc) * np.einsum("ij,ij->j", centred, centred))
    return np.divide(xc @ centred, spread, out=np.zeros(states.shape[1]), where=spread > 0)


def correlation_ratio(codes: np.ndarray, states: np.ndarray) -> np.ndarray:
    """η per column: the square root of the share of a unit's variance that its
    mean in each category explains (between-category over total sum of squares).
    0 when the category tells nothing about the unit, 1 when it fixes it."""
    centred = states - states.mean(axis=0)
    total = np.einsum("ij,ij->j", centred, centred)
    between = np.zeros(states.shape[1])
    for code in np.unique(codes):
        members = centred[codes == code]
        between += len(members) * members.mean(axis=0) ** 2
    return np.sqrt(np.divide(between, total, out=np.zeros_like(total), where=total > 0))


def unit_statistics(values: np.ndarray, kind: str, states: np.ndarray) -> np.ndarray:
    """How closely each unit (column of states) follows the fact, over the
    characters where the fact is defined. One statistic per kind of fact:

    - binary: the point-biserial correlation, which is Pearson's r with a 0/1
      variable: signed, so it also says whether the unit rises or falls with it.
    - ordinal (the position in a word): Spearman's rank correlation. It asks only
      that the unit rise (or fall) steadily from letter to letter, not by equal
      steps: a tanh unit saturates, and a counter that flattens out is still one.
    - categorical (the role in a sentence): the correlation ratio η. Three roles
      have no order, so no signed correlation fits; η asks how much of the
      unit's variance the role explains, whatever the pattern. It is 0 to 1.
    """
    defined = ~np.isnan(values)
    x, h = values[defined], states[defined]
    if len(np.unique(x)) < 2:      # a fact that never changes here: nothing to follow
        return np.zeros(states.shape[1])
    if kind == "binary":
        return pearson(x, h)
    if kind == "ordinal":
        return pearson(rankdata(x), rankdata(h, axis=0))
    if kind == "categorical":
        return correlation_ratio(x.astype(np.int64), h)
    raise ValueError(f"unknown kind of feature {kind!r}")


def verdict(best: float, null_bar: float) -> str:
    """'learned': the best trained unit beats the null's bar; 'untrained-too': it
    follows the fact closely, but untrained networks often do as well, so the
    input alone explains it; 'none': no unit follows it closely or beats the bar."""
    if best > null_bar:
        return "learned"
    return "untrained-too" if best >= STRENGTH else "none"


def best_of(values: np.ndarray, kind: str, states: np.ndarray) -> float:
    """The largest |statistic| of any unit: the number the verdict compares."""
    return float(np.abs(unit_statistics(values, kind, states)).max())


def feature_report(feature: Feature, values: np.ndarray, trained: np.ndarray,
                   untrained: np.ndarray, null_states: list[np.ndarray]) -> dict:
    """Everything about one fact. Units are numbered from 1, as the pages show
    them: unit k is column k - 1 of the hidden state. ``untrained`` is this
    run's own network before training, the picture's control; ``null_states``
    are other untrained networks of the same shape, the verdict's null."""
    stats = unit_statistics(values, feature.kind, trained)
    control = unit_statistics(values, feature.kind, untrained)
    null = np.array([best_of(values, feature.kind, states) for states in null_states])
    bar = float(np.quantile(null, NULL_QUANTILE))
    order = np.argsort(-np.abs(stats), kind="stable")
    best_unit, control_unit = int(order[0]), int(np.argmax(np.abs(control)))
    best, control_best = float(abs(stats[best_unit])), float(abs(control[control_unit]))
    defined = ~np.isnan(values)
    levels = values[defined].astype(np.int64)
    column = trained[defined, best_unit]
    return {
        "label": feature.label,
        "kind": feature.kind,
        "statistic": {"binary": "point-biserial r", "ordinal": "Spearman rho",
                      "categorical": "correlation ratio eta"}[feature.kind],
        "levels": list(feature.levels),
        "defined_chars": int(defined.sum()),
        "trained": np.round(stats, 4),
        "untrained": np.round(control, 4),
        "best_unit": best_unit + 1,
        "best": best,
        "best_signed": float(stats[best_unit]),
        "top_units": [int(u) + 1 for u in order[:TOP_UNITS]],
        # the best unit's mean activation at each level of the fact (None: level absent)
        "best_means": [float(column[levels == k].mean()) if np.any(levels == k) else None
                       for k in range(len(feature.levels))],
        "control_best_unit": control_unit + 1,
        "control_best": control_best,
        "null_best": np.round(null, 4),   # the best unit of each untrained network
        "null_bar": bar,
        "margin": best - bar,
        "verdict": verdict(best, bar),
    }


# --- the section of analysis.json ---------------------------------------------------

def excerpt_span(corpus: Corpus, cut: int, length: int = EXCERPT_CHARS) -> tuple[int, int]:
    """[start, end) of the first whole sentences of the validation text (which
    begins at `cut`, maybe mid-sentence) that together reach `length` characters,
    or as many as there are. Without a whole sentence: all of the validation text."""
    starts = np.cumsum([0] + [len(s) + 1 for s in corpus.sentences])
    first = int(np.searchsorted(starts, cut))
    if first >= len(corpus.sentences):
        return cut, len(corpus.text)
    start = int(starts[first])
    for last in range(first, len(corpus.sentences)):
        end = int(starts[last]) + len(corpus.sentences[last])
        if end - start >= length:
            break
    return start, end


def units_section(corpus: Corpus, cut: int, trained: np.ndarray, untrained: np.ndarray,
                  null_states: list[np.ndarray]) -> dict:
    """analysis.json["units"]: every fact measured on the validation text
    (characters cut onwards) for every unit, the verdicts against the null,
    and an excerpt with every unit's activations for the pages to colour.

    Every array of states holds one network's hidden state after each
    character of the validation text, read the same way for all of them
    (analysis.validation_states): the trained network, its own initial
    weights, and the untrained networks of the null.
    """
    features = character_features(corpus)
    reports = {f.name: feature_report(f, features[f.name][cut:], trained, untrained, null_states)
               for f in FEATURES}
    start, end = excerpt_span(corpus, cut)
    return {
        "hidden_size": int(trained.shape[1]),
        "val_chars": len(corpus.text) - cut,
        "rule": {"strength": STRENGTH, "null_quantile": NULL_QUANTILE,
                 "null_networks": len(null_states)},
        "feature_order": [f.name for f in FEATURES],
        "features": reports,
        "tracked": sum(r["verdict"] == "learned" for r in reports.values()),
        "excerpt": {
            "start": start - cut,   # in the validation text
            "text": corpus.text[start:end],
            # (H, T): row k - 1 is unit k over the excerpt, to 2 decimals
            "trained": np.round(trained[start - cut:end - cut].T, 2),
            "untrained": np.round(untrained[start - cut:end - cut].T, 2),
        },
    }
