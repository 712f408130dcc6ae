"""Properties of every text entry point of the model, over generated text: each accepts any
string without raising, and each pattern rewritten to run in linear time finds exactly what the
pattern the shipped model was trained with finds (checked here on short texts, where the old
patterns' backtracking is still affordable)."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hakam.model import Scorer, features
from hakam.model.explanations import WordPlaces
from hakam.model.normalize import (
    count_links,
    host_at,
    is_trusted,
    link_host,
    normalize,
    trusted_key,
    trusted_set,
)

# What the side signals counted when the shipped model was trained: \S+@\S+\.\w+ (cubic).
TRAINED_EMAIL = re.compile(r"\S+@\S+\.\w+")

_PIECES = st.sampled_from([
    "a", "b", "_", "1", "é", "ب", "@", ".", "..", " ", "\t", "\u00a0", "\n", "-", "/", ":", "?",
    "#", "www", "http://", "com", "co.uk", "bbc", "x", "ﷺ", "١", "\u200b", "\u0640", "аbc",
])
_TEXT = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=16).map("".join))
_HOSTS = st.lists(st.sampled_from(["a", "b", "bbc", "co", "uk", "", "x-y", "١"]), min_size=1,
                  max_size=6).map(".".join)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_the_side_signals_count_addresses_as_the_trained_pattern_did(text):
    expected = min(len(TRAINED_EMAIL.findall(text)), 3) / 3.0 if "@" in text else 0.0
    assert features.side_signals(text)[SIDE_EMAILS] == expected


SIDE_EMAILS = features.SIDE_SIGNALS.index("emails")
SIDE_LINKS = features.SIDE_SIGNALS.index("links")
# What the side signals count as links (the shipped model was trained with it), once per word
# that holds one; the scorer clears most texts with a cheaper search first, which must never
# miss one
TRAINED_LINK = re.compile(r"https?://|hxxps?://|www\.|\b\w+\.(?:com|net|org|ly|info|biz|me|co|io)\b",
                          re.IGNORECASE)
_LINKISH = st.lists(st.sampled_from([
    "a", "x", " ", ".", ":", "//", "www", "WWW", "http", "HTTPS", "hxxp", "s", "com", "COM", "Co",
    "net", "org", "ly", "info", "biz", "me", "io", "\u0130", "\u0131", "\u017f", "\u212a", "ب",
    "é", "_", "1", "-",
]), max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_LINKISH)
@example("see x.\u0131nfo")  # dotless i: IGNORECASE's i, which lower-casing leaves alone
@example("see x.B\u0130Z now")
@example("x.\u0131o, WWW.A.CO and httpſ://b")
def test_the_side_signals_count_links_as_the_trained_pattern_did(text):
    # each whitespace-separated word holding a link counts once ("https://www.x.com" is one)
    holding = sum(1 for word in text.split() if TRAINED_LINK.search(word))
    expected = min(holding, 5) / 5.0 if "." in text or ":" in text else 0.0
    assert features.side_signals(text)[SIDE_LINKS] == expected
    # models of format 3 and before were trained counting every match
    legacy = min(len(TRAINED_LINK.findall(text)), 5) / 5.0 if "." in text or ":" in text \
        else 0.0
    assert features.side_signals(text, links_per_word=False)[SIDE_LINKS] == legacy


def test_a_cited_source_is_one_link_however_its_address_is_written():
    written = ["see bbc.com/news", "see www.bbc.com/news", "see https://www.bbc.com/news"]
    assert {features.side_signals(text)[SIDE_LINKS] for text in written} == {0.2}
    assert [features.side_signals(text, links_per_word=False)[SIDE_LINKS]
            for text in written] == [0.2, 0.4, 0.6]


@settings(max_examples=500, deadline=None)
@given(_HOSTS, st.lists(_HOSTS, max_size=4))
def test_a_host_is_trusted_exactly_when_it_or_a_parent_domain_is_listed(host, listed):
    trusted = frozenset(listed)
    parts = host.split(".")
    # the definition, spelled out: the host or a suffix after a dot, holding a dot itself
    expected = any(".".join(parts[i:]) in trusted for i in range(len(parts) - 1))
    assert is_trusted(host, trusted) == expected


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.integers(min_value=0, max_value=80))
def test_the_host_read_in_place_is_the_host_of_the_address_there(text, position):
    normalized = normalize(text, placeholders=False).text
    position = min(position, len(normalized))
    if normalized[position:position + 1].isspace():
        return  # an address starts at a non-space character (link_host strips the others)
    assert host_at(normalized, position) == link_host(normalized[position:])


def test_a_host_longer_than_any_domain_name_is_no_host():
    assert host_at("http://" + "a" * 254 + ".com/", 0) == ""
    assert host_at("http://" + "a" * 240 + ".com/", 0) == "a" * 240 + ".com"


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.sampled_from(["bbc.co.uk", "https://www.bbc.com/", "t.co", "x"]),
                       max_size=3))
def test_every_normalising_entry_point_takes_any_text(text, domains):
    trusted = trusted_set(domains)
    for options in ({}, {"placeholders": False}, {"link_words": False},
                    {"trusted_domains": trusted}):
        normalized = normalize(text, **options)
        assert all(0 <= start < end <= len(text) for start, end in normalized.cited)
    assert count_links(text) >= 0
    assert isinstance(trusted_key(text), str)
    assert isinstance(link_host(text), str)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_the_feature_functions_take_any_text_and_agree_with_each_other(text):
    signals = features.side_signals(text)
    assert len(signals) == len(features.SIDE_SIGNALS)
    assert all(0.0 <= value <= 1.5 for value in signals)
    folded = features.fold_repeats(text)
    assert features.fold_repeats(folded) == folded
    grams = features.char_grams(text)
    assert Counter(features.char_gram_hashes(text).tolist()) == \
        Counter(features.term_hashes(grams).tolist())
    assert features.word_grams(text) == features.folded_word_grams(folded)


_SCORER = None


def _scorer() -> Scorer:
    global _SCORER
    if _SCORER is None:
        _SCORER = Scorer.load()
    return _SCORER


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_the_scorer_takes_any_text_and_its_spans_lie_in_it(text):
    score = _scorer().score(text, explain_all=True, trusted_domains=("bbc.co.uk",))
    assert 0.0 <= score.spam <= 1.0 and 0.0 <= score.abuse <= 1.0
    for reason in score.reasons:
        assert all(0 <= start <= end <= len(text) for start, end in reason.spans)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_TEXT, st.lists(st.sampled_from(["ab", "كلب", "aaa", " ", "  ", "\t", "\n",
                                                  "\u00a0", "x"]), max_size=12).map("".join)))
@example("one two three")  # one space apart and nothing folded: the shortcut
@example("one  two")  # two spaces: searched
@example("cooool one")  # folding shortens a word: searched
def test_the_words_named_lie_where_a_search_of_the_normal_form_finds_them(text):
    """Explanations find words in the normal form without a search when folding changed
    nothing and the words are one whitespace character apart; that shortcut must give the
    spans the search does."""
    norm = normalize(text)
    folded = features.fold_repeats(norm.text)
    places = WordPlaces(text, norm, folded, [], 0)
    assert places._normal_spans() == features.word_spans(norm.text)
