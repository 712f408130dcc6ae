"""Why a head scored as it did: the n-grams that pushed it most, named as spans of the text.

Owns `Reason`, choosing the top pushes (character n-grams for every head at once, word
n-grams in plain Python) and finding the words of the original text that hold them. The
scorer computes the pushes' ingredients; nothing here scores.

A comment may be explained for every head (six in the shipped model), and at a few hundred
n-grams the cost is the count of numpy calls and Python operations, not arithmetic: so the
character n-grams' top pushes of all heads come from two argpartitions (spam and abuse, the
attribute heads), and what naming words costs (where the words start, which words hold an
n-gram, their spans in the original text) is found once per comment and shared by every
head's reason (`WordPlaces`); the heads' top n-grams overlap a lot.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from .attributes import explanation_code
from .features import padded_words, word_spans

TOP_TERMS = 3  # n-grams named per head in an explanation
# Words named (and spans given) per explanation: a comment repeating one word throughout would
# otherwise get an answer, and a stored record, twenty times its own size.
MAX_SPANS = 100


@dataclass(frozen=True)
class Reason:
    """Why a head scored as it did: `spans` are [start, end) offsets into the original text."""

    code: str
    message: str
    spans: tuple[tuple[int, int], ...] = ()
    task: str = ""
    weight: float = 0.0


def merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


MESSAGES = {
    "spam": "These words and signs often appear in spam: {terms}.",
    "abuse": "These words often appear in abusive comments: {terms}.",
    "identity_attack": "These words often appear in attacks on a group of people: {terms}.",
    "insult": "These words often appear in insults: {terms}.",
    "profanity": "These words are often profane: {terms}.",
    "threat": "These words often appear in threats: {terms}.",
}

# Heads from this one on (the attribute heads) break ties between equal pushes by feature order
# (they were chosen with a stable sort); spam and abuse keep the argpartition's choice.
FIRST_STABLE_HEAD = 2


def char_tops(char, heads: list[int]) -> dict[int, list[tuple[int, float]]]:
    """For each of these heads (0 spam, 1 abuse, then the attribute heads: the columns of
    `char.rows` after the idf), the TOP_TERMS character n-grams that pushed it most and their
    pushes, in the order `top_pushes` takes them. Found for all heads at once, an argpartition
    for spam and abuse and one for the attribute heads (the cost is per numpy call, and each
    head on its own cost several). With a site's columns the rows hold the site's weights, so
    the pushes are the site's.

    Where equal pushes straddle the cut, which of them a head names is the one it named when
    every head chose on its own: spam and abuse keep argpartition's pick on their columns, the
    attribute heads (from `FIRST_STABLE_HEAD` on) the first in feature order, a stable sort's."""
    scale = char.scale
    indexes = char.indexes
    count = len(indexes)
    if count <= TOP_TERMS:  # every n-gram, in feature order
        pairs = list(zip(indexes.tolist(), (char.rows * char.values[:, None]).tolist(),
                         strict=True))
        return {head: [(index, push[head + 1] * scale) for index, push in pairs]
                for head in heads}
    # a row of pushes per column of the table (idf, then each head), each row contiguous:
    # argpartition along contiguous rows costs two thirds of what it does down columns
    pushes = np.multiply(char.rows.T, char.values, order="C")
    tops = {}
    if any(head < FIRST_STABLE_HEAD for head in heads):
        block = pushes[1:FIRST_STABLE_HEAD + 1]
        top = block.argpartition(-TOP_TERMS, axis=1)[:, -TOP_TERMS:]
        chosen = _by_row(indexes.take(top), block[np.arange(len(block))[:, None], top])
        for head in heads:
            if head < FIRST_STABLE_HEAD:
                tops[head] = [(index, push * scale) for index, push in chosen[head]]
    if any(head >= FIRST_STABLE_HEAD for head in heads):
        block = pushes[FIRST_STABLE_HEAD + 1:]
        # partitioned at the next push after the TOP_TERMS largest: when it equals the least of
        # them, a tie straddles the cut (a few comments in a thousand) and a stable sort
        # settles it. One place, not two: numpy's vectorised argpartition takes one (at two it
        # falls back to a generic one, dearer than the rest of the choice together).
        top = block.argpartition(count - TOP_TERMS - 1, axis=1)[:, -TOP_TERMS - 1:]
        values = block[np.arange(len(block))[:, None], top]
        next_largest = values[:, 0].tolist()
        chosen = _by_row(indexes.take(top[:, 1:]), values[:, 1:])
        for head in heads:
            if head < FIRST_STABLE_HEAD:
                continue
            row = head - FIRST_STABLE_HEAD
            # strongest first, equal pushes in feature order (a stable sort's order)
            pairs = sorted(chosen[row], key=_strongest_first)
            if 0 < pairs[-1][1] == next_largest[row]:
                order = np.argsort(-block[row], kind="stable")[:TOP_TERMS]
                pairs = list(zip(indexes.take(order).tolist(), block[row].take(order).tolist(),
                                 strict=True))
            tops[head] = [(index, push * scale) for index, push in pairs]
    return tops


def _by_row(indexes: np.ndarray, pushes: np.ndarray) -> list[list[tuple[int, float]]]:
    """(feature index, push) pairs per row of these equally shaped arrays."""
    return [list(zip(*row, strict=True))
            for row in zip(indexes.tolist(), pushes.tolist(), strict=True)]


def _strongest_first(pair: tuple[int, float]) -> tuple[float, int]:
    return (-pair[1], pair[0])


def top_pushes(char_top: list[tuple[int, float]], indexes, values, weights, scale: float
               ) -> list[tuple[int, float]]:
    """The TOP_TERMS features that pushed a head up most, strongest first: of its character
    n-grams' tops (`char_tops`) and its word n-grams (feature indexes, tf × idf, the head's
    weights and 1 / norm, in text order)."""
    candidates = [pair for pair in char_top if pair[1] > 0]
    # a word's push has its weight's sign (tf × idf and 1 / norm are positive): only the
    # words that push up cost a product
    candidates += [(index, value * weight * scale) for index, value, weight
                   in zip(indexes, values, weights, strict=True) if weight > 0]
    candidates.sort(key=itemgetter(1), reverse=True)  # stable, like sorting by -push
    return candidates[:TOP_TERMS]


_TWO_SPACES = re.compile("  ")


class WordPlaces:
    """A comment's whitespace-separated words, to name the ones holding an n-gram, with what
    naming them costs found once for all of the comment's reasons: `joined` is the folded
    words, each padded with a space, laid end to end (as their n-grams were cut), and
    `spans[k]` is word k's [start, end) in the normalised text (folding never moves a space, so
    the words line up)."""

    def __init__(self, text: str, norm, folded: str) -> None:
        self.text = text
        self.norm = norm
        self.joined = padded_words(folded.split())
        self.spans = word_spans(norm.text)
        self._starts: list[int] | None = None
        self._holding: dict[str, set[int]] = {}
        self._named: dict[tuple[int, ...], tuple[tuple[tuple[int, int], ...], str]] = {}
        self._original: dict[int, tuple[int, int]] = {}

    def holding(self, needles: list[str], limit: int = MAX_SPANS) -> list[int]:
        """The first `limit` words (their positions, ascending) holding any of these n-grams
        or words: one search of the joined words per needle, where testing every padded word
        cost a search per word. A needle found there lies inside one padded word, since
        crossing into the next would take two spaces in a row, which no n-gram of a
        vocabulary holds; and the padded word it starts in is the last one starting at or
        before it (found by bisection: counting the two spaces between words up to each find
        made a word repeated throughout a long comment cost quadratic time). Each needle is
        looked for until it has named `limit` words: the first `limit` of all are among
        those."""
        holding: set[int] = set()
        for needle in needles:
            named = self._holding.get(needle)
            if named is None:
                named = self._holding[needle] = self._words_holding(needle, limit)
            holding |= named
        return sorted(holding)[:limit]

    def _words_holding(self, needle: str, limit: int) -> set[int]:
        joined = self.joined
        at = joined.find(needle)
        named: set[int] = set()
        if at < 0:
            return named
        starts = self._starts
        if starts is None:
            # padded word k starts where the k-th pair of spaces ends (word 0 at 0)
            starts = self._starts = [0, *(match.end() - 1
                                          for match in _TWO_SPACES.finditer(joined))]
        while at >= 0 and len(named) < limit:
            word = bisect_right(starts, at) - 1
            named.add(word)
            # the rest of this padded word can name no other word
            at = joined.find(needle, max(at + 1, starts[word + 1] if word + 1 < len(starts)
                                         else len(joined)))
        return named

    def named(self, words: list[int]) -> tuple[tuple[tuple[int, int], ...], str]:
        """These words' merged spans in the original text, and the text of each, quoted."""
        key = tuple(words)
        found = self._named.get(key)
        if found is None:
            spans = self.spans
            original = self._original
            held = []
            for word in words:
                span = original.get(word)
                if span is None:
                    if word >= len(spans):
                        continue
                    span = original[word] = self.norm.original_span(*spans[word])
                held.append(span)
            merged = merge(held)
            text = self.text
            found = self._named[key] = (merged, ", ".join(f"“{text[s:e]}”" for s, e in merged))
        return found


_CODES = {task: explanation_code(task) for task in MESSAGES}


def reason(task: str, chosen: list[tuple[int, float]], places: WordPlaces,
           vocabulary: list[str], char_size: int) -> Reason:
    """The reason naming the words of the comment that hold the `chosen` features (indexes
    into `vocabulary`, character n-grams below `char_size`, then word n-grams)."""
    needles = []  # what a word must hold to be named: an n-gram, or either word of a bigram
    for index, _ in chosen:
        term = vocabulary[index]
        if index < char_size:
            needles.append(term)
        else:
            needles.extend(term.split(" ", 1))
    merged, terms = places.named(places.holding(needles))
    return Reason(code=_CODES.get(task) or explanation_code(task),
                  message=MESSAGES[task].format(terms=terms or "(signals without words)"),
                  spans=merged, task=task, weight=round(sum(map(itemgetter(1), chosen)), 4))
