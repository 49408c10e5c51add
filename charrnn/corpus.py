"""Phase 0: the toy language the network learns from.

Elman (1990) fed a small recurrent network one long stream of short sentences
built from a tiny lexicon, with nothing marking where a word or a sentence
ends. Everything the network knows about words, categories and sentences it
has to discover from the order of the symbols alone.

We do the same with characters. A sentence is drawn from one of 16 templates
("a human eats a food", "an animal chases a human", ...), each slot is filled
with a word of the right category, and the sentences are joined by single
spaces. Because the grammar is our own data, we can also compute exactly how
well *any* predictor could do on this stream (`entropy_floor`), which gives
the network's loss something honest to be compared with.
"""
from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------------
# Building blocks. A slot lists the phrases that may fill it, all equally
# likely; a template is a sequence of slots.

@dataclass(frozen=True)
class Slot:
    label: str                # e.g. "NOUN_FOOD" or "VERB_TRAN(eat)", for display
    phrases: tuple[str, ...]  # e.g. ("the bread", "a bread", ...) or ("eats",)


@dataclass(frozen=True)
class Template:
    slots: tuple[Slot, ...]

    @property
    def text(self) -> str:
        return " ".join(slot.label for slot in self.slots)


def noun(*categories: str, only: Sequence[str] = ()) -> Slot:
    """A noun phrase from one or more categories, optionally limited to some words.

    The determiner is part of the phrase, so "the" and "a" are drawn
    uniformly and independently of the noun.
    """
    words = list(only) or [w for c in categories for w in CATEGORIES[c]]
    assert all(any(w in CATEGORIES[c] for c in categories) for w in words)
    label = "|".join(categories) + (f"({'|'.join(only)})" if only else "")
    return Slot(label, tuple(f"{det} {word}" for word in words for det in DETERMINERS))


def verb(category: str, only: Sequence[str] = ()) -> Slot:
    """A verb from one category, optionally limited to some words, inflected."""
    words = list(only) or list(CATEGORIES[category])
    assert all(w in CATEGORIES[category] for w in words)
    label = category + (f"({'|'.join(only)})" if only else "")
    return Slot(label, tuple(third_person(word) for word in words))


def third_person(verb: str) -> str:
    """'sleep' -> 'sleeps', 'watch' -> 'watches'.

    Every subject is a single noun, so every verb agrees with "he/she/it".
    English adds "es" where a bare "s" could not be pronounced.
    """
    if verb.endswith(("ch", "sh", "s", "x")):
        return verb + "es"
    return verb + "s"


@dataclass
class Corpus:
    text: str                # the sentences joined by single spaces
    sentences: list[str]
    template_ids: list[int]  # which template produced each sentence


# ---------------------------------------------------------------------------
# The language: its words, its sentence templates, and how a corpus is drawn.

# region grammar
# The lexicon: seven categories, fixed facts of the language.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "NOUN_HUMAN": ("boy", "girl", "man", "woman", "king", "queen"),
    "NOUN_ANIMAL": ("cat", "dog", "lion", "bird", "fish", "mouse"),
    "NOUN_FOOD": ("bread", "cake", "apple", "milk", "cookie"),
    "NOUN_OBJECT": ("book", "rock", "glass", "plate", "ball"),
    "VERB_INTRAN": ("sleep", "walk", "think", "swim"),
    "VERB_TRAN": ("chase", "eat", "see", "break", "read", "move"),
    "VERB_PERCEPT": ("smell", "hear", "watch"),
}
DETERMINERS = ("the", "a")

HUMAN, ANIMAL = noun("NOUN_HUMAN"), noun("NOUN_ANIMAL")
FOOD, OBJECT = noun("NOUN_FOOD"), noun("NOUN_OBJECT")
INTRAN, PERCEPT = verb("VERB_INTRAN"), verb("VERB_PERCEPT")

# The semantics live here: intransitive verbs never take an object, perception
# verbs only take something alive, only food is eaten, only a book is read,
# and animals neither read nor break things.
#
# One rule keeps the stream unambiguous: each verb has the same valency in
# every template. Once a verb has been read, whether an object follows is
# settled, so the stream splits into sentences in exactly one way.
TEMPLATES: tuple[Template, ...] = (
    Template((HUMAN, INTRAN)),
    Template((HUMAN, verb("VERB_TRAN", only=["eat"]), FOOD)),
    Template((HUMAN, verb("VERB_TRAN", only=["chase"]), ANIMAL)),
    Template((HUMAN, PERCEPT, HUMAN)),
    Template((HUMAN, PERCEPT, ANIMAL)),
    Template((HUMAN, verb("VERB_TRAN", only=["break", "move"]), OBJECT)),
    Template((HUMAN, verb("VERB_TRAN", only=["read"]), noun("NOUN_OBJECT", only=["book"]))),
    Template((HUMAN, verb("VERB_TRAN", only=["see"]), noun("NOUN_OBJECT", "NOUN_FOOD"))),
    Template((ANIMAL, INTRAN)),
    Template((ANIMAL, verb("VERB_TRAN", only=["eat"]), FOOD)),
    Template((ANIMAL, verb("VERB_TRAN", only=["chase"]), ANIMAL)),
    Template((ANIMAL, verb("VERB_TRAN", only=["chase"]), HUMAN)),
    Template((ANIMAL, PERCEPT, HUMAN)),
    Template((ANIMAL, PERCEPT, ANIMAL)),
    Template((ANIMAL, verb("VERB_TRAN", only=["move"]), OBJECT)),
    Template((ANIMAL, verb("VERB_TRAN", only=["see"]), FOOD)),
)
HUMAN_SUBJECT_WEIGHT = 2.0  # human-subject templates are drawn twice as often


def template_probabilities() -> np.ndarray:
    weights = np.array([HUMAN_SUBJECT_WEIGHT if t.slots[0] == HUMAN else 1.0 for t in TEMPLATES])
    return weights / weights.sum()


def generate_corpus(num_sentences: int = 600, seed: int = 42) -> Corpus:
    """Draw `num_sentences` independent sentences; the same seed gives the same text."""
    if num_sentences < 1:
        raise ValueError(f"num_sentences must be at least 1, got {num_sentences}")
    rng = np.random.default_rng(seed)
    template_ids = rng.choice(len(TEMPLATES), size=num_sentences, p=template_probabilities())
    sentences = [fill(TEMPLATES[i], rng) for i in template_ids]
    return Corpus(" ".join(sentences), sentences, [int(i) for i in template_ids])


def fill(template: Template, rng: np.random.Generator) -> str:
    """Pick one phrase per slot, uniformly."""
    return " ".join(slot.phrases[rng.integers(len(slot.phrases))] for slot in template.slots)
# endregion grammar


# Every surface word and the category it belongs to; the analysis uses this to
# label what the network's hidden states are doing at each word.
WORD_CATEGORY: dict[str, str] = {det: "DET" for det in DETERMINERS} | {
    (third_person(word) if category.startswith("VERB") else word): category
    for category, words in CATEGORIES.items()
    for word in words
}
KNOWN_WORDS: frozenset[str] = frozenset(WORD_CATEGORY)


def corpus_stats(corpus: Corpus) -> dict:
    """The counts the site charts for Phase 0, as plain JSON-able values."""
    templates = Counter(corpus.template_ids)
    words = Counter(corpus.text.split())
    chars = Counter(corpus.text)
    return {
        "num_sentences": len(corpus.sentences),
        "num_chars": len(corpus.text),
        "template_counts": {t.text: templates[i] for i, t in enumerate(TEMPLATES)},
        "word_counts": dict(sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))),
        "char_counts": dict(sorted(chars.items())),
    }


# ---------------------------------------------------------------------------
# What the grammar says exactly

def sentence_distribution() -> dict[str, float]:
    """Every sentence the grammar can produce, with its exact probability.

    P(sentence) = P(template) x (1 / number of choices) for each slot, summed
    over the templates that can produce it.
    """
    distribution: dict[str, float] = {}
    for template, p_template in zip(TEMPLATES, template_probabilities(), strict=True):
        p_each = p_template / math.prod(len(slot.phrases) for slot in template.slots)
        for phrases in itertools.product(*(slot.phrases for slot in template.slots)):
            sentence = " ".join(phrases)
            distribution[sentence] = distribution.get(sentence, 0.0) + float(p_each)
    return distribution


def entropy_floor() -> float:
    """The lowest loss any predictor can reach on the stream, in nats per character.

    Sentences are drawn independently, so each one carries H(S) nats of
    surprise on average, and it occupies len(S) + 1 characters of the stream
    (its letters plus the space that joins it to the next one). The stream's
    entropy rate is therefore H(S) / E[len(S) + 1].

    That division is only valid because the stream can be cut back into
    sentences in exactly one way: no sentence followed by its space is the
    beginning of a longer one, since a verb always has the same valency. If two
    different sentence sequences could spell the same characters, the
    characters would carry less information than the sentences, and this
    ratio would overstate the floor.
    """
    return sentence_entropy() / mean_sentence_chars()


def sentence_entropy() -> float:
    """H(S): the average surprise of one sentence, in nats."""
    return -sum(p * math.log(p) for p in sentence_distribution().values())


def mean_sentence_chars() -> float:
    """E[len(S) + 1]: the characters a sentence occupies, with its joining space."""
    return sum(p * (len(s) + 1) for s, p in sentence_distribution().items())


# ---------------------------------------------------------------------------
# Judging generated text

@functools.cache
def _grammatical_word_sequences() -> tuple[frozenset, frozenset, tuple[int, ...]]:
    """Every sentence as a tuple of words, every unfinished beginning of one, and
    the lengths (in words) a sentence can have, shortest first."""
    sentences = frozenset(tuple(s.split()) for s in sentence_distribution())
    beginnings = frozenset(words[:k] for words in sentences for k in range(1, len(words)))
    return sentences, beginnings, tuple(sorted({len(s) for s in sentences}))


def parse_sentences(words: Sequence[str]) -> list[bool]:
    """Read `words` left to right; one verdict per attempted sentence.

    Every sentence starts with a determiner, so an attempt starts at "the" or
    "a". If a grammatical sentence starts there we accept it and jump past
    it; otherwise we record one failure and resume at the next determiner, so
    a broken sentence costs exactly one verdict however many words it has. A
    grammatical beginning that runs into the end of the input is left out:
    it is unfinished, not wrong. Thanks to the fixed valencies at most one
    sentence can start at any position, so reading greedily never has to
    choose.
    """
    sentences, beginnings, lengths = _grammatical_word_sequences()
    verdicts: list[bool] = []
    start = next_determiner(words, 0)
    while start < len(words):
        length = next((n for n in lengths if tuple(words[start:start + n]) in sentences), 0)
        if length:
            verdicts.append(True)
            start += length
        elif tuple(words[start:]) in beginnings:
            break
        else:
            verdicts.append(False)
            start = next_determiner(words, start + 1)
    return verdicts


def next_determiner(words: Sequence[str], start: int) -> int:
    """Index of the first determiner at or after `start` (len(words) if none)."""
    return next((i for i in range(start, len(words)) if words[i] in DETERMINERS), len(words))
