"""Which n-grams a head's explanation names: every head's top n-grams, character and word
n-grams together, come from one matrix of pushes; equal pushes are named by feature
index, the same for every head, so an explanation never depends on how a sort broke a tie."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hakam.model.explanations import TOP_TERMS, top_features


class NGrams(NamedTuple):
    indexes: np.ndarray
    values: np.ndarray
    rows: np.ndarray


def ngrams(weights: np.ndarray, value: float = 0.5) -> NGrams:
    """N-grams (features 100, 101, ...) with this tf × idf and these weights (a row per
    n-gram, a column per head)."""
    count = len(weights)
    rows = np.column_stack([np.ones(count), weights])
    return NGrams(np.arange(100, 100 + count, dtype=np.uint64), np.full(count, value), rows)


# per head: 0.9, then 0.4 five times (a tie straddling the cut), then two lower pushes; the
# columns are shuffled differently, so that each head's tie sits at other n-grams
TIED = np.array([0.9, 0.4, 0.4, 0.4, 0.4, 0.4, 0.1, -0.2])
SHUFFLES = [np.random.default_rng(seed).permutation(len(TIED)) for seed in range(6)]
WEIGHTS = np.column_stack([TIED[shuffle] for shuffle in SHUFFLES])


def test_every_head_names_the_first_of_equal_pushes_in_feature_order():
    tops = top_features(ngrams(WEIGHTS), list(range(6)))
    for head in range(6):
        column = WEIGHTS[:, head]
        expected = np.argsort(-column, kind="stable")[:TOP_TERMS]
        assert tops[head] == [(100 + int(k), column[k] * 0.5) for k in expected]


def test_a_subset_of_heads_is_named_as_when_all_are():
    every = top_features(ngrams(WEIGHTS), list(range(6)))
    some = top_features(ngrams(WEIGHTS), [1, 4])
    assert some == {1: every[1], 4: every[4]}


def test_a_word_pushing_harder_than_the_character_n_grams_is_named_first():
    # a word n-gram (the last feature) with a larger tf × idf than the character n-grams'
    weights = np.vstack([WEIGHTS, [0.0 if head == 3 else 0.5 for head in range(6)]])
    part = ngrams(weights)
    part.values[-1] = 2.0
    tops = top_features(part, list(range(6)))
    word = 100 + len(WEIGHTS)
    for head in range(6):
        if head == 3:  # the word did not push this head up: its character n-grams only
            assert all(index != word for index, _ in tops[head])
        else:
            assert tops[head][0] == (word, 1.0)
            assert len(tops[head]) == TOP_TERMS


def test_a_head_nothing_pushed_up_names_nothing():
    weights = WEIGHTS.copy()
    weights[:, 2] = -np.abs(weights[:, 2])
    tops = top_features(ngrams(weights), list(range(6)))
    assert 2 not in tops and set(tops) == {0, 1, 3, 4, 5}


def test_a_comment_of_few_n_grams_offers_those_that_pushed_up_strongest_first():
    tops = top_features(ngrams(WEIGHTS[:TOP_TERMS]), list(range(6)))
    for head in range(6):
        column = WEIGHTS[:TOP_TERMS, head]
        expected = [(100 + int(k), column[k] * 0.5)
                    for k in np.argsort(-column, kind="stable") if column[k] > 0]
        assert tops.get(head, []) == expected
