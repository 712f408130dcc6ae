"""Which words of a comment an explanation names for an n-gram: a character n-gram is held by
every word it was cut from, a word n-gram only by the words holding its words as tokens (as
`word_grams` cuts them), so "يا" (the vocative) never underlines «لياتي», nor "ام" «الكلام»."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from hakam.model.explanations import WordPlaces
from hakam.model.features import fold_repeats
from hakam.model.normalize import is_word_char, normalize


def reason(text: str, vocabulary: list[str], char_size: int, index: int):
    """The explanation of feature `index` of this vocabulary."""
    norm = normalize(text)
    places = WordPlaces(text, norm, fold_repeats(norm.text), vocabulary, char_size)
    return places.reason("abuse", [(index, 1.0)])


def named(text: str, vocabulary: list[str], char_size: int, index: int) -> list[str]:
    """The words an explanation names for feature `index` of this vocabulary."""
    return [text[start:end] for start, end in reason(text, vocabulary, char_size, index).spans]


def test_a_word_is_named_for_a_word_ngram_only_where_it_is_a_whole_token():
    text = "يا من لياتي يا"
    # the same string as a word n-gram (index 0 of a vocabulary without character n-grams)
    assert named(text, ["يا"], 0, 0) == ["يا", "يا"]
    # every place it stands is a span; the message quotes it once
    assert reason(text, ["يا"], 0, 0).message == \
        "These words often appear in abusive comments: “يا”."
    # and as a character n-gram: every word it was cut from
    assert named(text, ["يا"], 1, 0) == ["يا", "لياتي", "يا"]


def test_a_token_beside_punctuation_is_named_and_one_inside_a_longer_token_is_not():
    text = "the article, (articles) and article_x"
    assert named(text, ["article"], 0, 0) == ["article,"]
    # a bigram names the words holding either of its tokens
    assert named(text, ["and articles"], 0, 0) == ["(articles)", "and"]


@given(st.characters())
@example("_")
@example("٣")  # an Arabic-Indic digit
@example("ـ")  # the tatweel, a letter modifier
@example("\u200c")  # zero-width non-joiner
def test_a_word_character_is_what_the_token_pattern_calls_one(character):
    assert is_word_char(character) == bool(re.fullmatch(r"\w", character))
