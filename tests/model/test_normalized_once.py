"""Intake normalises a comment once and hands the Normalized to the scorer
(`Scorer.score(normalized=...)`): the score, its reasons and spans, and the links read as
citations must be exactly those the scorer finds normalising the text itself."""

from __future__ import annotations

import pytest

from hakam.model import Scorer
from hakam.model.normalize import normalize, trusted_set
from hakam.model.scorer import ARTIFACT_DIR

TRUSTED = ("bbc.com", "news.example.com")


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    return Scorer.load(ARTIFACT_DIR)


@pytest.mark.parametrize("text", [
    "يا حمار يا كلب اسكت، انت غبي",
    "اربح الآن! زوروا www.cheap-deals.xyz واتصلوا على 0123456789",
    "حسب المصدر https://www.bbc.com/arabic/articles/123 القرار صحيح",
    "You are an idiot, read https://news.example.com/story and f u c k off",
    "مقال جميل، شكرا للكاتب",
])
@pytest.mark.parametrize("explain_all", [False, True])
def test_a_comment_normalised_by_the_caller_scores_exactly_as_one_normalised_here(
        shipped, text, explain_all):
    normalized = normalize(text, trusted_domains=trusted_set(TRUSTED))

    handed = shipped.score(text, trusted_domains=TRUSTED, explain_all=explain_all,
                           normalized=normalized)

    assert handed == shipped.score(text, trusted_domains=TRUSTED, explain_all=explain_all)
