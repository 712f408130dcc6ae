"""The decision policy as a table: scores and a site's WordPress-style rules in, decision out."""

from __future__ import annotations

import pytest

from hakam.model import ATTRIBUTES, Reason, Score, Thresholds
from hakam.service.policy import CommentFacts, SitePolicy, decide

DEFAULTS = Thresholds(spam_reject=0.9, spam_hold=0.5, abuse_hold=0.5)
CLEAN = Score(spam=0.05, abuse=0.05)


def codes(decision) -> list[str]:
    return [r["code"] for r in decision.reasons]


@pytest.mark.parametrize("score, policy, status, first_code", [
    (CLEAN, SitePolicy(), "approved", "below_thresholds"),
    (Score(spam=0.95, abuse=0.0), SitePolicy(), "spam", "spam_score"),
    (Score(spam=0.6, abuse=0.0), SitePolicy(), "pending", "spam_score"),
    (Score(spam=0.0, abuse=0.7), SitePolicy(), "pending", "abuse_score"),
    (CLEAN, SitePolicy(premoderation=True), "pending", "premoderation"),
    (CLEAN, SitePolicy(previously_approved=True), "pending", "first_comment"),
    # A site can tune its thresholds either way.
    (Score(spam=0.0, abuse=0.7), SitePolicy(abuse_hold=0.8), "approved", "below_thresholds"),
    (Score(spam=0.6, abuse=0.0), SitePolicy(spam_reject=0.55), "spam", "spam_score"),
])
def test_scores_and_site_options_decide(score, policy, status, first_code):
    decision = decide(score, policy, DEFAULTS, CommentFacts(text="نص"))
    assert decision.status == status
    assert codes(decision)[0] == first_code


@pytest.mark.parametrize("written", ["كلب", "كـلب", "كَلْب", "كـــلب"])
def test_disallowed_words_match_however_the_reader_decorates_them(written):
    policy = SitePolicy(disallowed_words=("كلب",))
    text = f"يا {written} اسكت"
    decision = decide(CLEAN, policy, DEFAULTS, CommentFacts(text=text))

    assert decision.status == "spam"
    assert codes(decision) == ["disallowed_word"]
    start, end = decision.reasons[0]["spans"][0]
    assert text[start:end] == written  # the span points at what the reader wrote


def test_a_disallowed_word_in_the_name_or_email_counts_but_is_not_quoted():
    policy = SitePolicy(disallowed_words=("casino",))
    decision = decide(CLEAN, policy, DEFAULTS,
                      CommentFacts(text="hello", author="Casino King", email="x@casino.example"))
    assert decision.status == "spam"
    assert "name" in decision.reasons[0]["message"]
    assert "casino.example" not in decision.reasons[0]["message"]


def test_moderation_words_hold_a_comment():
    policy = SitePolicy(moderation_words=("انتخابات",))
    decision = decide(CLEAN, policy, DEFAULTS, CommentFacts(text="عن الانتخابات القادمة"))
    assert decision.status == "pending"
    assert codes(decision) == ["moderation_word"]


@pytest.mark.parametrize("links, status", [(2, "approved"), (3, "pending")])
def test_more_links_than_the_site_allows_holds_a_comment(links, status):
    text = " ".join(f"https://example{i}.com/page" for i in range(links))
    decision = decide(CLEAN, SitePolicy(), DEFAULTS, CommentFacts(text=text))
    assert decision.status == status


def test_every_reason_for_holding_is_listed_with_the_models_spans():
    score = Score(spam=0.6, abuse=0.7, reasons=(
        Reason("abuse_terms", "", spans=((3, 7),), task="abuse"),
        Reason("spam_terms", "", spans=((10, 14),), task="spam")))
    decision = decide(score, SitePolicy(premoderation=True), DEFAULTS,
                      CommentFacts(text="x" * 20))
    assert codes(decision) == ["spam_score", "abuse_score", "premoderation"]
    assert decision.reasons[0]["spans"] == [[10, 14]]
    assert decision.reasons[1]["spans"] == [[3, 7]]


def test_disallowed_words_beat_every_other_rule():
    decision = decide(Score(spam=0.0, abuse=0.99), SitePolicy(disallowed_words=("buy",),
                                                              premoderation=True),
                      DEFAULTS, CommentFacts(text="buy now"))
    assert decision.status == "spam"


def test_an_author_with_an_approved_comment_passes_the_previously_approved_rule():
    policy = SitePolicy(previously_approved=True)
    known = decide(CLEAN, policy, DEFAULTS, CommentFacts(text="نص", approved_before=True))
    # the rule only decides for itself: a known author's abusive comment is still held
    abusive = decide(Score(spam=0.0, abuse=0.7), policy, DEFAULTS,
                     CommentFacts(text="نص", approved_before=True))

    assert known.status == "approved"
    assert abusive.status == "pending" and codes(abusive) == ["abuse_score"]


def test_links_to_trusted_domains_do_not_count_toward_the_link_limit():
    policy = SitePolicy(max_links=1, trusted_domains=("bbc.com", "reuters.com"))
    text = ("the report https://www.bbc.com/news/a and https://reuters.com/b, "
            "also http://news.bbc.com/c")
    facts = CommentFacts(text=text, trusted_domains=policy.trusted_for(None))
    assert decide(CLEAN, policy, DEFAULTS, facts).status == "approved"

    untrusted = CommentFacts(text=text + " http://shop.example/x http://win.example/y",
                             trusted_domains=policy.trusted_for(None))
    decision = decide(CLEAN, policy, DEFAULTS, untrusted)
    assert decision.status == "pending" and codes(decision) == ["too_many_links"]
    held_links = [untrusted.text[start:end] for start, end in decision.reasons[0]["spans"]]
    assert held_links == ["http://", "http://"]


def test_the_posts_own_domain_is_trusted_without_configuring_it():
    trusted = SitePolicy().trusted_for("https://www.akhbar.example/2026/11/story")
    assert trusted == {"akhbar.example"}
    text = " ".join(f"https://akhbar.example/story-{i}" for i in range(4))
    facts = CommentFacts(text=text, trusted_domains=trusted)
    assert decide(CLEAN, SitePolicy(), DEFAULTS, facts).status == "approved"
    assert decide(CLEAN, SitePolicy(), DEFAULTS, CommentFacts(text=text)).status == "pending"


def test_a_citation_the_scorer_left_out_is_named_for_the_moderator():
    text = "المصدر https://www.bbc.com/arabic"
    facts = CommentFacts(text=text, cited=((6, len(text)),))
    decision = decide(CLEAN, SitePolicy(), DEFAULTS, facts)
    assert codes(decision) == ["below_thresholds", "trusted_links"]
    assert decision.reasons[1]["spans"] == [[6, len(text)]]


def test_trusted_domains_round_trip_through_the_stored_json():
    policy = SitePolicy(trusted_domains=("bbc.com", "aljazeera.net"))
    assert SitePolicy.from_dict(policy.to_dict()) == policy
    assert SitePolicy.from_dict({"max_links": 2}).trusted_domains == ()


def test_an_adapters_spam_score_rejects_only_where_the_shipped_models_would_too():
    adapted = Score(spam=0.95, abuse=0.0)  # over spam_reject (0.9) through the site's adapter

    kept = decide(adapted, SitePolicy(), DEFAULTS, CommentFacts(text="نص", shipped_spam=0.4))
    both = decide(adapted, SitePolicy(), DEFAULTS, CommentFacts(text="نص", shipped_spam=0.93))

    assert kept.status == "pending" and codes(kept)[0] == "spam_score"  # a moderator sees it
    assert both.status == "spam"


# -- holding on an attribute ------------------------------------------------------------------

def _attributed(**attributes) -> Score:
    return Score(spam=0.05, abuse=0.05, attributes={**dict.fromkeys(ATTRIBUTES), **attributes})


@pytest.mark.parametrize("attributes, holds, status, held_on", [
    # attributes inform and never hold by themselves, however high
    ({"insult": 0.99, "threat": 0.99}, {}, "approved", []),
    ({"insult": 0.81}, {"insult": 0.8}, "pending", ["insult_score"]),
    ({"insult": 0.8}, {"insult": 0.8}, "approved", []),  # above the line, as every threshold
    ({"insult": 0.95}, {"threat": 0.5}, "approved", []),  # held on another attribute
    # None is not measured (threat on Arabic): never over any line, even a line of 0
    ({"threat": None}, {"threat": 0.0}, "approved", []),
    ({"identity_attack": 0.6, "profanity": 0.7, "threat": 0.9},
     {"identity_attack": 0.5, "profanity": 0.5, "threat": 0.5}, "pending",
     ["identity_attack_score", "profanity_score", "threat_score"]),
])
def test_a_site_holds_on_the_attributes_it_names_and_on_no_other(attributes, holds, status,
                                                                 held_on):
    decision = decide(_attributed(**attributes), SitePolicy(attribute_hold=holds), DEFAULTS,
                      CommentFacts(text="نص"))
    assert decision.status == status
    assert [code for code in codes(decision) if code.endswith("_score")] == held_on


def test_an_attribute_hold_names_the_attribute_its_score_the_line_and_the_words():
    text = "You idiot, go back where you came from"
    score = Score(spam=0.05, abuse=0.4, attributes={**dict.fromkeys(ATTRIBUTES),
                                                   "identity_attack": 0.7234, "insult": 0.9},
                  reasons=(Reason("identity_attack_terms", "", spans=((11, 18), (29, 38)),
                                  task="identity_attack"),
                           Reason("insult_terms", "", spans=((4, 9),), task="insult")))
    decision = decide(score, SitePolicy(attribute_hold={"identity_attack": 0.5}), DEFAULTS,
                      CommentFacts(text=text))
    assert decision.status == "pending"
    (reason,) = decision.reasons
    assert reason["code"] == "identity_attack_score"
    assert reason["spans"] == [[11, 18], [29, 38]]  # the identity head's words, not insult's
    assert reason["message"] == ("Identity attack score 0.72 is above the site's hold "
                                 "threshold 0.50: “go back” and “came from”.")


def test_an_attribute_hold_quotes_a_repeated_word_once_and_keeps_every_place_it_stands():
    text = "يا كلب يا ابن الكلب، كلب"
    score = Score(spam=0.05, abuse=0.9, attributes={**dict.fromkeys(ATTRIBUTES), "insult": 0.9},
                  reasons=(Reason("insult_terms", "", spans=((3, 6), (21, 24)),
                                  task="insult"),))
    decision = decide(score, SitePolicy(attribute_hold={"insult": 0.5}), DEFAULTS,
                      CommentFacts(text=text))
    (reason,) = [r for r in decision.reasons if r["code"] == "insult_score"]
    assert reason["spans"] == [[3, 6], [21, 24]]
    assert reason["message"] == "Insult score 0.90 is above the site's hold threshold 0.50: “كلب”."


def test_an_attribute_hold_without_words_still_names_the_attribute():
    decision = decide(_attributed(threat=0.66), SitePolicy(attribute_hold={"threat": 0.6}),
                      DEFAULTS, CommentFacts(text="x"))
    assert decision.reasons[0]["message"] == \
        "Threat score 0.66 is above the site's hold threshold 0.60."


def test_attribute_holds_are_kept_in_order_and_unknown_names_are_dropped_on_reading():
    policy = SitePolicy.from_dict({"attribute_hold": {"threat": 0.5, "insult": "0.8",
                                                      "severe_toxicity": 0.3}})
    assert list(policy.attribute_hold.items()) == [("insult", 0.8), ("threat", 0.5)]
    assert SitePolicy.from_dict(policy.to_dict()) == policy
    assert SitePolicy.from_dict({}).attribute_hold == {}  # a site stored before attributes
