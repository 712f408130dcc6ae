"""Which character n-grams a head's explanation names when pushes are equal: every head's top
n-grams come from one argpartition over all of them, and the choice among equal pushes at the
cut is each head's own from before they were chosen together (spam and abuse: argpartition's
pick on their column alone; the attribute heads: the first in feature order, a stable sort's)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hakam.model.explanations import TOP_TERMS, char_tops


class CharPart(NamedTuple):
    indexes: np.ndarray
    values: np.ndarray
    rows: np.ndarray
    scale: float


def char_part(weights: np.ndarray) -> CharPart:
    """Eight n-grams with tf × idf 1 and these weights (a row per n-gram, a column per head)."""
    count = len(weights)
    rows = np.column_stack([np.ones(count), weights])
    return CharPart(np.arange(100, 100 + count, dtype=np.uint64), np.ones(count), rows, 0.5)


# per head: 0.9, then 0.4 five times (a tie straddling the cut), then two lower pushes; the
# columns are shuffled differently, so that feature order and argpartition's order differ
TIED = np.array([0.9, 0.4, 0.4, 0.4, 0.4, 0.4, 0.1, -0.2])
SHUFFLES = [np.random.default_rng(seed).permutation(len(TIED)) for seed in range(6)]
WEIGHTS = np.column_stack([TIED[shuffle] for shuffle in SHUFFLES])


def test_attribute_heads_name_the_first_of_equal_pushes_in_feature_order():
    tops = char_tops(char_part(WEIGHTS), [2, 3, 4, 5])
    for head in (2, 3, 4, 5):
        column = WEIGHTS[:, head]
        expected = np.argsort(-column, kind="stable")[:TOP_TERMS]
        assert tops[head] == [(100 + int(k), column[k] * 0.5) for k in expected]


def test_spam_and_abuse_name_what_argpartition_picks_on_their_own_column():
    tops = char_tops(char_part(WEIGHTS), [0, 1])
    for head in (0, 1):
        column = WEIGHTS[:, head]
        picked = np.argpartition(column, -TOP_TERMS)[-TOP_TERMS:]
        assert tops[head] == [(100 + int(k), column[k] * 0.5) for k in picked]


def test_a_comment_of_few_n_grams_offers_them_all_in_feature_order():
    part = char_part(WEIGHTS[:TOP_TERMS])
    tops = char_tops(part, list(range(6)))
    for head in range(6):
        assert tops[head] == [(100 + k, WEIGHTS[k, head] * 0.5) for k in range(TOP_TERMS)]
