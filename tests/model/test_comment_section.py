"""What a news site's readers write, as issue 23 tried it on the shipped model: comments about
other comments are not spam, adverts still are, and the attribute heads read their kind of
abuse. (Neutral mentions of groups are measured per term in the model card and by `hakam
evaluate`, on sentences the model never trained on.)"""

from __future__ import annotations

import pytest

from hakam.model import Scorer


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    return Scorer.load()


@pytest.mark.parametrize("comment", [
    "Your comment made me rethink my view, thank you",
    "I agree with this comment.",
    "Thank you for this article, very informative.",
])
def test_a_comment_about_another_comment_or_the_article_is_published(shipped, comment):
    # The first two were held as spam (0.78 and 0.68) until GoEmotions' Reddit comments
    # shared YouTube's intercept in the spam head: with a column of their own, their being
    # ham was learned by it, not by their words, and "your comment" kept what YouTube's
    # self-promotion ("check out this comment") taught it.
    assert shipped.score(comment).spam <= shipped.thresholds.spam_hold


def test_a_pharmacy_advert_with_a_link_is_held_as_spam(shipped):
    score = shipped.score("Cheap meds online, no prescription, order now www.pills-shop.example")
    assert score.spam > shipped.thresholds.spam_hold


def test_recommending_something_in_a_comment_is_not_rejected_outright(shipped):
    score = shipped.score("Good article, subscribe to their podcast too, it is great")
    assert score.spam <= shipped.thresholds.spam_reject


def test_a_service_advert_with_a_whatsapp_number_is_still_spam(shipped):
    score = shipped.score("نقل عفش بالرياض مع الفك والتركيب بأسعار مناسبة للتواصل واتساب "
                          "0501234567")
    assert score.spam > shipped.thresholds.spam_hold


def test_the_attribute_heads_tell_an_attack_on_a_group_from_an_insult(shipped):
    attack = shipped.score("All Muslims are terrorists and should be deported").attributes
    insult = shipped.score("You are a stupid idiot").attributes
    assert attack["identity_attack"] > insult["identity_attack"]
    assert insult["insult"] > attack["insult"]
    arabic = shipped.score("يا حمار يا كلب يا حقير").attributes
    assert arabic["insult"] > shipped.thresholds.attribute_hold["insult"]
    assert arabic["threat"] is None  # English only
