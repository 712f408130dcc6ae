"""The identity terms a comment names, in the spellings readers use."""

from __future__ import annotations

import pytest

from hakam.model import identity_terms


@pytest.mark.parametrize(("text", "expected"), [
    ("الأكراد والعرب يعيشون معا في القامشلي منذ زمن", {"ar:kurds", "ar:arabs"}),
    # hamza and alef forms, ta marbuta, clitics: و + ل + the article's alef dropped
    ("متى يعود النازحون إلى بيوتهم؟ وللاجئين حق العودة", {"ar:displaced", "ar:refugees"}),
    ("نتمنى عودة المسيحيين الى قراهم", {"ar:christians"}),
    ("Refugees from Aleppo opened a bakery in our town", {"en:refugees"}),
    ("My neighbours are Kurdish and Muslim", {"en:kurds", "en:muslims"}),
])
def test_a_comment_naming_groups_names_their_terms(text, expected):
    assert identity_terms.mentioned(text) == expected


@pytest.mark.parametrize("text", [
    "السنة القادمة ستكون أفضل",  # "next year": سنة is also the Sunni community, left out
    "The weather was lovely today",
    "شكرا على المقال الرائع",
])
def test_a_comment_naming_no_group_names_no_term(text):
    assert identity_terms.mentioned(text) == set()


def test_every_language_covers_every_kind_of_group():
    kinds = {"religion", "sect", "ethnicity", "nationality", "displaced", "gender"}
    for language in ("ar", "en"):
        assert {t.category for t in identity_terms.terms() if t.language == language} == kinds


def test_a_term_is_found_by_its_own_group_phrase():
    for term in identity_terms.terms():
        assert term.key in identity_terms.mentioned(term.group), term
