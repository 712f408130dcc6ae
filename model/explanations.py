"""Why a head scored as it did: the n-grams that pushed it most, named as spans of the text.

Owns `Reason`, choosing the top pushes (character n-grams for all heads at once, word
n-grams in plain Python) and finding the words of the original text that hold them. The
scorer computes the pushes' ingredients; nothing here scores.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

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


HEADS = np.arange(2)


def char_tops(char) -> tuple[list[tuple[int, float]], ...]:
    """For each head (spam, abuse), the TOP_TERMS character n-grams that pushed it most and
    their pushes, found for both heads at once (the cost is per numpy call). With a site's
    columns the rows hold the site's weights, so the pushes are the site's."""
    # whole rows: a product of contiguous arrays costs half one of a two-column slice
    pushes = (char.rows * char.values[:, None])[:, 1:]
    if len(pushes) > TOP_TERMS:
        top = pushes.argpartition(-TOP_TERMS, axis=0)[-TOP_TERMS:]
        pushes = pushes[top, HEADS]
        indexes = char.indexes.take(top).tolist()
    else:
        indexes = [[index, index] for index in char.indexes.tolist()]
    scale = char.scale
    tops = ([], [])
    for pair, push in zip(indexes, pushes.tolist(), strict=True):
        tops[0].append((pair[0], push[0] * scale))
        tops[1].append((pair[1], push[1] * scale))
    return tops


def attribute_pushes(column: int, pieces) -> list[tuple[int, float]]:
    """The TOP_TERMS features that pushed attribute head `column` up most, strongest first."""
    candidates = []
    for indexes, values, rows in pieces:
        pushes = values * rows[:, column]
        for position in np.argsort(-pushes, kind="stable")[:TOP_TERMS].tolist():
            if pushes[position] > 0:
                candidates.append((int(indexes[position]), float(pushes[position])))
    candidates.sort(key=itemgetter(1), reverse=True)
    return candidates[:TOP_TERMS]


def top_pushes(column: int, char_top: list[tuple[int, float]],
                words: list[tuple[int, float, float]]) -> list[tuple[int, float]]:
    """The TOP_TERMS features that pushed a head (0 spam, 1 abuse) up most, strongest first."""
    push = column + 1
    candidates = [pair for pair in char_top if pair[1] > 0]
    candidates += [(word[0], word[push]) for word in words if word[push] > 0]
    candidates.sort(key=itemgetter(1), reverse=True)  # stable, like sorting by -push
    return candidates[:TOP_TERMS]


class WordPlaces(NamedTuple):
    """A comment's whitespace-separated words, to name the ones holding an n-gram: `joined` is
    the folded words, each padded with a space, laid end to end (as their n-grams were cut),
    and `spans[k]` is word k's [start, end) in the normalised text (folding never moves a
    space, so the words line up)."""

    joined: str
    spans: list[tuple[int, int]]


def word_places(normalized: str, folded: str) -> WordPlaces:
    return WordPlaces(padded_words(folded.split()), word_spans(normalized))


def holding(joined: str, needles: list[str], limit: int = MAX_SPANS) -> list[int]:
    """The first `limit` words (their positions, ascending) of `WordPlaces.joined` holding any
    of these n-grams or words: one search of the joined words per needle, where testing every
    padded word cost a search per word. A needle found there lies inside one padded word,
    since crossing into the next would take two spaces in a row, which no n-gram of a
    vocabulary holds; and the padded word it starts in is the last one starting at or before
    it (found by bisection: counting the two spaces between words up to each find made a word
    repeated throughout a long comment cost quadratic time). Each needle is looked for until
    it has named `limit` words: the first `limit` of all are among those."""
    holding: set[int] = set()
    starts = None
    for needle in needles:
        at = joined.find(needle)
        if at >= 0 and starts is None:
            # padded word k starts where the k-th pair of spaces ends (word 0 at 0)
            starts = [0, *(match.end() - 1 for match in _TWO_SPACES.finditer(joined))]
        named: set[int] = set()
        while at >= 0 and len(named) < limit:
            word = bisect_right(starts, at) - 1
            named.add(word)
            # the rest of this padded word can name no other word
            at = joined.find(needle, max(at + 1, starts[word + 1] if word + 1 < len(starts)
                                         else len(joined)))
        holding |= named
    return sorted(holding)[:limit]


_TWO_SPACES = re.compile("  ")




def reason(task: str, chosen: list[tuple[int, float]], text: str, norm, places: WordPlaces,
           vocabulary: list[str], char_size: int) -> Reason:
    """The reason naming the words of `text` that hold the `chosen` features (indexes into
    `vocabulary`, character n-grams below `char_size`, then word n-grams)."""
    needles = []  # what a word must hold to be named: an n-gram, or either word of a bigram
    for index, _ in chosen:
        term = vocabulary[index]
        if index < char_size:
            needles.append(term)
        else:
            needles.extend(term.split(" ", 1))
    spans = places.spans
    merged = merge([norm.original_span(*spans[word])
                    for word in holding(places.joined, needles)
                    if word < len(spans)])
    terms = ", ".join(f"“{text[s:e]}”" for s, e in merged) or "(signals without words)"
    return Reason(code=explanation_code(task), message=MESSAGES[task].format(terms=terms),
                  spans=merged, task=task, weight=round(sum(w for _, w in chosen), 4))
