"""Why a head scored as it did: the n-grams that pushed it most, named as spans of the text.

Owns `Reason`, choosing the top pushes (every head's at once, `top_features`) and finding the
words of the original text that hold them. The scorer computes the pushes' ingredients;
nothing here scores.

A comment may be explained for every head (six in the shipped model), and at a few hundred
n-grams the cost is the count of numpy calls and Python operations, not arithmetic: so the top
pushes of all heads, character and word n-grams alike, come from one matrix, a row per head,
by three argmaxes over all its rows at once, and what naming words costs (which words
hold an n-gram, as a bit mask; a named word's span in the original text) is found once per
comment and shared by every head's reason (`WordPlaces`); the heads' top n-grams overlap a lot.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from .attributes import explanation_code
from .features import padded_words, word_spans
from .normalize import is_word_char

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


MESSAGES = {
    "spam": "These words and signs often appear in spam: {terms}.",
    "abuse": "These words often appear in abusive comments: {terms}.",
    "identity_attack": "These words often appear in attacks on a group of people: {terms}.",
    "insult": "These words often appear in insults: {terms}.",
    "profanity": "These words are often profane: {terms}.",
    "threat": "These words often appear in threats: {terms}.",
}


def top_features(ngrams, heads: list[int]) -> dict[int, list[tuple[int, float]]]:
    """For each of these heads (0 spam, 1 abuse, then the attribute heads: the columns of
    `ngrams.rows` after the idf), the TOP_TERMS n-grams that pushed it up most, as (feature
    index, push) pairs, strongest first; a head nothing pushed up is left out. Equal pushes are
    taken by feature index (character n-grams before word n-grams).

    Every head's n-grams are chosen together, by a handful of numpy calls whatever the number
    of heads: a matrix of pushes (a row per head, a column per n-gram), and TOP_TERMS times
    every row's largest push (`argmax` takes the first of equals, and the n-grams are in
    feature order), which is then struck out. A comment has a few hundred n-grams, and at that
    size the cost is per numpy call and per cache line: a partition of each head's pushes and
    a search for those at or above its third largest cost a third more (26.7 against 19.2 µs
    a comment on average with every head explained, then 15.7 with the argmax along rows),
    most of it on longer comments. With a site's columns the rows hold the site's weights,
    so the pushes are the site's."""
    # a row per column of the table, the idf's too (a product of whole rows costs half what
    # one of a slice does), written row by row: each argmax then reads one contiguous row (a
    # third faster than down the columns of the untransposed product)
    pushes = np.multiply(ngrams.rows.T, ngrams.values, order="C")
    count = pushes.shape[1]
    flat = pushes.reshape(-1)
    starts = _ROWS[:len(pushes)] * count  # where each row starts in `flat`
    steps = min(TOP_TERMS, count)
    found = []  # each step's (feature index, push) of every row
    for step in range(steps):
        best = pushes.argmax(axis=1)
        features = ngrams.indexes.take(best).tolist()
        best += starts  # now each row's largest push's place in `flat`
        found.append((features, flat.take(best).tolist()))
        if step + 1 < steps:
            flat[best] = -np.inf
    tops = {}
    for head in heads:
        row = head + 1
        # a head is explained by what pushed it up
        pairs = [(features[row], pushed[row]) for features, pushed in found if pushed[row] > 0.0]
        if pairs:
            tops[head] = pairs
    return tops


_ROWS = np.arange(64)  # more than a model has heads


class WordPlaces:
    """A comment's whitespace-separated words, to name the ones holding the n-grams behind a
    head's score (`reason`), with what naming them costs found once for all of the comment's
    reasons (the heads' top n-grams overlap a lot): the words holding each n-gram, as a bit
    mask over word positions, and each set of words' spans in the original text and quoted
    text. `joined` is the folded words, each padded with a space, laid end to end (as their
    n-grams were cut); word k's [start, end) in the normalised text is
    `word_spans(norm.text)[k]` (folding never moves a space, so the words line up)."""

    def __init__(self, text: str, norm, folded: str, vocabulary: list[str],
                 char_size: int) -> None:
        self.text = text
        self.norm = norm
        self.folded = folded
        words = folded.split()
        self.joined = padded_words(words)
        # where padded word k starts in `joined`, and one past the end
        self._starts = list(accumulate([len(word) + 2 for word in words], initial=0))
        self._vocabulary = vocabulary
        self._char_size = char_size
        self._spans: list[tuple[int, int]] | None = None  # each word's, in the normal form
        self._places: list[tuple[int, int] | None] = []  # each word's in the original text
        self._holding: dict[int, int] = {}  # feature index -> mask of the words holding it
        self._named: dict[int, tuple[tuple[tuple[int, int], ...], str]] = {}

    def reason(self, task: str, chosen: list[tuple[int, float]]) -> Reason:
        """The reason naming the words that hold the `chosen` features (feature indexes, with
        their pushes): a character n-gram is held by the words it was cut from, a word n-gram
        by the words holding either of its words."""
        holding = self._holding
        mask = 0
        weight = 0.0
        for index, push in chosen:
            words = holding.get(index)
            if words is None:
                words = holding[index] = self._words_holding(index)
            mask |= words
            weight += push
        named = self._named.get(mask)
        if named is None:
            named = self._named[mask] = self._name(mask)
        spans, terms = named
        code, before, after = _WORDING[task]
        return Reason(code=code, message=before + (terms or _NO_WORDS) + after, spans=spans,
                      task=task, weight=round(weight, 4))

    def _words_holding(self, index: int) -> int:
        term = self._vocabulary[index]
        if index < self._char_size:
            return self._find(term)
        # a word n-gram's words are tokens (`word_grams`): "يا" is held by «يا», not by «لياتي»,
        # and "ام" by «ام», not by «الكلام»
        first, _, second = term.partition(" ")
        mask = self._find(first, token=True)
        return mask | self._find(second, token=True) if second else mask

    def _find(self, needle: str, token: bool = False, limit: int = MAX_SPANS) -> int:
        """The first `limit` words holding this n-gram, or with `token` this token (a whole
        run of word characters, as `word_grams` cuts them), as a mask: one search of the
        joined words, where testing every padded word cost a search per word. A needle found
        there lies inside one padded word, since crossing into the next would take two spaces
        in a row, which no n-gram of a vocabulary holds; and the padded word it starts in is
        the last one starting at or before it (found by bisection: counting the two spaces
        between words up to each find made a word repeated throughout a long comment cost
        quadratic time). The first `limit` words of several needles together are among the
        first `limit` of each."""
        joined = self.joined
        at = joined.find(needle)
        mask = 0
        found = 0
        starts = self._starts
        size = len(needle)
        while at >= 0 and found < limit:
            # a token's neighbours are no word characters (the joined words begin and end
            # with a space, so both exist); inside a longer run, look further in this word
            if token and (is_word_char(joined[at - 1]) or is_word_char(joined[at + size])):
                at = joined.find(needle, at + 1)
                continue
            word = bisect_right(starts, at) - 1
            mask |= 1 << word
            found += 1
            # the rest of this padded word can name no other word
            at = joined.find(needle, starts[word + 1])
        return mask

    def _name(self, mask: int) -> tuple[tuple[tuple[int, int], ...], str]:
        """The first MAX_SPANS words of this mask: their merged spans in the original text, and
        the text of each span, quoted (each text once)."""
        places = self._places
        spans = self._spans
        if spans is None:
            spans = self._spans = self._normal_spans()
            places.extend([None] * len(spans))
        norm = self.norm
        offsets, ends = norm.offsets, norm.ends
        # a word's place in the original text runs from its first character's offset to its
        # last one's end; found when a reason first names it: a long comment has tens of
        # thousands of words, and its reasons name a few hundred
        mapped = len(ends) == len(offsets) == len(norm.text)
        # merged as they come: words come in text order, and so do their spans (normalising
        # keeps the order of what it maps), so a span overlaps or touches only the last one
        merged: list[tuple[int, int]] = []
        count = 0
        words = len(places)
        while mask and count < MAX_SPANS:
            lowest = mask & -mask
            mask ^= lowest
            word = lowest.bit_length() - 1
            if word >= words:
                break
            count += 1
            place = places[word]
            if place is None:
                start, end = spans[word]
                place = places[word] = ((offsets[start], ends[end - 1]) if mapped
                                        else norm.original_span(start, end))
            start, end = place
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return tuple(merged), ", ".join(quoted_words(self.text, merged))

    def _normal_spans(self) -> list[tuple[int, int]]:
        """Each word's [start, end) in the normal form. When folding changed nothing and the
        words are one whitespace character apart, they follow from where each padded word
        starts in `joined` (two characters of padding per word before it, where the text has
        one), without searching the text (a third of the cost)."""
        text = self.norm.text
        starts = self._starts
        count = len(starts) - 1
        if len(self.joined) == len(text) + count + 1 and self.folded == text:
            return [(starts[word] - word, starts[word + 1] - word - 2) for word in range(count)]
        return word_spans(text)


def quoted_words(text: str, spans) -> list[str]:
    """The text of each span, quoted, for a message naming them: every place a word stands is
    a span, but a word the comment repeats is quoted once ("“يا”, “لقد”, “هذا”", not
    "“يا”, “لقد”, “هذا”, “يا”"), where it first appears. Every message naming a reason's words
    quotes them so (the model's in English, the service's in the reader's language)."""
    return list(dict.fromkeys([f"“{text[start:end]}”" for start, end in spans]))


# each head's reason code, and its message's words before and after the terms
_WORDING = {task: (explanation_code(task), *message.split("{terms}"))
            for task, message in MESSAGES.items()}
_NO_WORDS = "(signals without words)"
