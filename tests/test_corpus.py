import json
import math
from collections import Counter

import pytest

from charrnn.corpus import (
    CATEGORIES,
    DETERMINERS,
    KNOWN_WORDS,
    TEMPLATES,
    WORD_CATEGORY,
    corpus_stats,
    entropy_floor,
    generate_corpus,
    parse_sentences,
    sentence_distribution,
    sentence_entropy,
    template_probabilities,
    third_person,
)

ANIMATE = set(CATEGORIES["NOUN_HUMAN"]) | set(CATEGORIES["NOUN_ANIMAL"])


@pytest.fixture(scope="module")
def big_corpus():
    return generate_corpus(num_sentences=20_000, seed=7)


def test_same_seed_same_text_and_different_seed_different_text():
    assert generate_corpus(600, seed=42).text == generate_corpus(600, seed=42).text
    assert generate_corpus(600, seed=42).text != generate_corpus(600, seed=43).text


def test_default_corpus_has_the_reference_vocabulary():
    chars = set(generate_corpus().text)
    assert len(chars) == 24
    assert chars == set("abcdefghijklmnopqrstuvwxyz ") - set("jxz")


def test_sentences_are_joined_by_single_spaces_only():
    corpus = generate_corpus(50, seed=3)
    assert corpus.text == " ".join(corpus.sentences)
    assert "  " not in corpus.text and corpus.text == corpus.text.strip()
    assert set(corpus.text) <= set("abcdefghijklmnopqrstuvwxyz ")
    assert len(corpus.sentences) == len(corpus.template_ids) == 50


def test_rejects_an_empty_corpus():
    with pytest.raises(ValueError, match="num_sentences"):
        generate_corpus(0)


def test_sixteen_templates_half_with_human_subjects():
    assert len(TEMPLATES) == 16
    subjects = Counter(t.slots[0].label for t in TEMPLATES)
    assert subjects == {"NOUN_HUMAN": 8, "NOUN_ANIMAL": 8}
    assert len({t.text for t in TEMPLATES}) == 16  # display names are unique keys


def test_human_subject_templates_are_drawn_twice_as_often(big_corpus):
    probs = template_probabilities()
    human = [i for i, t in enumerate(TEMPLATES) if t.slots[0].label == "NOUN_HUMAN"]
    assert probs[human[0]] == pytest.approx(2 * probs[8])
    share = sum(big_corpus.template_ids.count(i) for i in human) / len(big_corpus.template_ids)
    assert share == pytest.approx(2 / 3, abs=0.015)


def test_verbs_are_third_person_singular():
    assert [third_person(v) for v in ("sleep", "chase", "watch", "wash", "fix", "kiss")] == [
        "sleeps", "chases", "watches", "washes", "fixes", "kisses"]
    verbs = {w for w, c in WORD_CATEGORY.items() if c.startswith("VERB")}
    assert verbs == {"sleeps", "walks", "thinks", "swims", "chases", "eats", "sees", "breaks",
                     "reads", "moves", "smells", "hears", "watches"}


def test_every_noun_has_a_determiner_and_every_sentence_has_a_verb():
    for sentence in sentence_distribution():
        words = sentence.split()
        assert len(words) in (3, 5)
        assert words[0] in DETERMINERS and WORD_CATEGORY[words[1]].startswith("NOUN")
        assert WORD_CATEGORY[words[2]].startswith("VERB")
        if len(words) == 5:
            assert words[3] in DETERMINERS and WORD_CATEGORY[words[4]].startswith("NOUN")


def test_each_verb_has_one_valency():
    lengths: dict[str, set[int]] = {}
    for sentence in sentence_distribution():
        words = sentence.split()
        lengths.setdefault(words[2], set()).add(len(words))
    assert all(len(v) == 1 for v in lengths.values()), lengths
    for verb, (length,) in lengths.items():
        assert (length == 3) == (WORD_CATEGORY[verb] == "VERB_INTRAN")


def test_semantics():
    for sentence in sentence_distribution():
        words = sentence.split()
        assert words[1] in ANIMATE  # subjects are alive
        if len(words) == 3:
            continue
        verb, obj = words[2], words[4]
        if WORD_CATEGORY[verb] == "VERB_PERCEPT" or verb == "chases":
            assert obj in ANIMATE
        if verb == "eats":
            assert WORD_CATEGORY[obj] == "NOUN_FOOD"
        if verb == "reads":
            assert obj == "book"
        if verb in ("reads", "breaks"):
            assert WORD_CATEGORY[words[1]] == "NOUN_HUMAN"


def test_every_word_of_the_lexicon_is_used(big_corpus):
    assert set(big_corpus.text.split()) == KNOWN_WORDS


def test_sentence_distribution_is_exact():
    distribution = sentence_distribution()
    assert math.fsum(distribution.values()) == pytest.approx(1.0, abs=1e-12)
    # P(template) * P(subject phrase) * P(verb): 2/24 * 1/12 * 1/4
    assert distribution["the boy sleeps"] == pytest.approx(2 / 24 / 12 / 4, rel=1e-12)
    assert "a cat reads the book" not in distribution
    assert set(generate_corpus().sentences) <= set(distribution)


def test_entropy_floor_matches_the_template_decomposition():
    # H(S) = H(template) + sum over templates of P(t) * ln(number of ways to fill it),
    # since the fills are uniform and no two templates share a sentence.
    probs = template_probabilities()
    entropy = -sum(p * math.log(p) for p in probs)
    entropy += sum(p * sum(math.log(len(s.phrases)) for s in t.slots)
                   for t, p in zip(TEMPLATES, probs, strict=True))
    mean_length = sum(p * (len(s) + 1) for s, p in sentence_distribution().items())
    assert sentence_entropy() == pytest.approx(entropy, rel=1e-12)
    assert entropy_floor() == pytest.approx(entropy / mean_length, rel=1e-12)
    assert 0.3 < entropy_floor() < math.log(24)


def test_corpus_stats_are_consistent_and_json_able():
    corpus = generate_corpus()
    stats = corpus_stats(corpus)
    json.dumps(stats)
    assert stats["num_sentences"] == 600 and stats["num_chars"] == len(corpus.text)
    assert list(stats["template_counts"]) == [t.text for t in TEMPLATES]
    assert sum(stats["template_counts"].values()) == 600
    assert "NOUN_HUMAN VERB_TRAN(eat) NOUN_FOOD" in stats["template_counts"]
    counts = list(stats["word_counts"].items())
    assert counts == sorted(counts, key=lambda kv: (-kv[1], kv[0]))
    assert sum(stats["word_counts"].values()) == len(corpus.text.split())
    assert list(stats["char_counts"]) == sorted(stats["char_counts"])
    assert sum(stats["char_counts"].values()) == len(corpus.text)


def test_parse_accepts_generated_text(big_corpus):
    words = big_corpus.text.split()
    assert parse_sentences(words) == [True] * len(big_corpus.sentences)


def test_parse_rejects_broken_text_and_recovers():
    # One verdict per attempt; a failed attempt resumes at the next determiner.
    assert parse_sentences("the boy sleeps the cake".split()) == [True, False]
    assert parse_sentences("a cat reads the book the dog walks".split()) == [False, False, True]
    assert parse_sentences("the king eats a rock".split()) == [False, False]
    assert parse_sentences("the boy slepps a girl swims".split()) == [False, True]
    # text before the first determiner is skipped
    assert parse_sentences("swims the boy sleeps".split()) == [True]


def test_parse_ignores_an_unfinished_last_sentence():
    assert parse_sentences("the boy sleeps a girl hears the".split()) == [True]
    assert parse_sentences([]) == []
