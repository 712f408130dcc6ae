"""Ordinary reader comments (tests/model/ordinary_comments.jsonl, written for Hakam: agreement,
thanks, disagreement, questions, "this comment", links to news sources, emoji, newsletter and
comment-section remarks, Arabic and English) are never rejected outright by the shipped model
at its shipped thresholds: a rejected reader never reaches a moderator."""

from __future__ import annotations

from pathlib import Path

import pytest

from hakam.model import Scorer
from hakam.model.scorer import ARTIFACT_DIR

FIXTURE = Path(__file__).with_name("ordinary_comments.jsonl")


@pytest.fixture(scope="module")
def outcomes():
    from hakam.training import diagnostics

    return diagnostics.ordinary_comments(Scorer.load(ARTIFACT_DIR), FIXTURE)


def test_the_fixture_covers_both_languages_and_every_kind():
    from hakam.training import diagnostics

    rows = diagnostics.read_comments(FIXTURE)
    assert {row["language"] for row in rows} == {"ar", "en"}
    kinds = {row["kind"] for row in rows}
    assert {"agreement", "thanks", "disagreement", "question", "this_comment", "this_article",
            "source_link", "emoji", "newsletter", "comment_section"} <= kinds
    assert "متى يعود النازحون إلى بيوتهم؟" in {row["text"] for row in rows}


def test_no_ordinary_comment_is_rejected_as_spam(outcomes):
    rejected = outcomes["all"]["rejected_texts"]
    assert rejected == [], rejected


def test_the_model_card_reports_how_many_are_held(outcomes):
    # held is a moderator's minute, not a lost reader: what the shipped model holds is said
    # in its card, as this very model scores the fixture
    import json

    recorded = json.loads((ARTIFACT_DIR / "evaluation.json").read_text(encoding="utf-8"))
    assert recorded["ordinary_comments"]["all"]["held_as_spam"] == outcomes["all"]["held_as_spam"]
    every = outcomes["all"]
    line = (f"| all | {every['comments']} | 0 | {every['held_as_spam']} "
            f"({every['held_as_spam_share']:.3f}) | {every['held_as_abuse']} |")
    assert line in (ARTIFACT_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_citing_a_trusted_source_is_published(outcomes):
    shipped = Scorer.load(ARTIFACT_DIR)
    for text, domain in [
        ("Here is the original report: https://www.reuters.com/world/ceasefire-talks",
         "reuters.com"),
        ("المصدر الأصلي للخبر: https://www.aljazeera.net/news/politics/2026/11/30/talks",
         "aljazeera.net"),
    ]:
        score = shipped.score(text, trusted_domains=[domain])
        assert shipped.thresholds.decide(score.spam, score.abuse) == "approved", (text, score)
