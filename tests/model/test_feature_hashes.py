"""The character n-gram hashes the compiled scorer looks up stand for exactly the n-grams
training counted: same n-grams, same multiplicity, whatever the script, length or spacing."""

from __future__ import annotations

from collections import Counter

import pytest

from hakam.model.features import (
    candidate_hashes,
    char_gram_hashes,
    char_grams,
    fold_repeats,
    term_hashes,
    word_char_gram_hashes,
)

TEXTS = [
    "",
    " ",
    "a",
    "ok",
    "انت كلب وابن كلب",
    "الله   يلعنك\tيا\nحقير",
    "gooood  morning  to you",
    "FREE iPhone!!! click here http://bit.ly/win-now",
    "😂😂 ههههه 😂",
    "كلام " * 1200,  # longer than the windows made once at import
]


@pytest.mark.parametrize("text", TEXTS)
def test_char_gram_hashes_are_the_hashes_of_char_grams(text):
    assert Counter(char_gram_hashes(text).tolist()) == \
        Counter(term_hashes(char_grams(text)).tolist())


@pytest.mark.parametrize("text", TEXTS)
def test_candidates_hold_every_char_gram_and_nothing_else_a_vocabulary_could(text):
    grams = Counter(term_hashes(char_grams(text)).tolist())
    candidates = Counter(candidate_hashes(fold_repeats(text)).tolist())
    assert not grams - candidates
    # the extra candidates are n-grams holding two spaces: no vocabulary n-gram is among them
    vocabulary = set(term_hashes(sorted({g for t in TEXTS for g in char_grams(t)})).tolist())
    assert not (set((candidates - grams).elements()) & vocabulary)


def test_word_hashes_are_grouped_by_word():
    words = ["كلب", "a", "idiot", "مية", "xz"]
    hashes, owners = word_char_gram_hashes(words)
    for position, word in enumerate(words):
        assert Counter(hashes[owners == position].tolist()) == \
            Counter(term_hashes(char_grams(word)).tolist())
    assert word_char_gram_hashes([])[0].size == 0


def test_distinct_short_terms_hash_apart():
    terms = sorted({g for t in TEXTS for g in char_grams(t)})
    assert len(set(term_hashes(terms).tolist())) == len(terms)
