"""Campaign fingerprints (pure): near-duplicates agree, the model's normaliser folds what
campaigns vary, unrelated or short texts do not, and the estimate follows the true Jaccard."""

from __future__ import annotations

import random

import pytest

from hakam.model.normalize import normalize, trusted_set
from hakam.service import campaigns

TEXT = "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع"


def _jaccard(first: str, second: str) -> float:
    a, b = campaigns.shingles(first), campaigns.shingles(second)
    return len(a & b) / len(a | b)


@pytest.mark.parametrize("copy", [
    "قاطعــــوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع",
    "قاطِعوا مُنتجات الشركة الآن، وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع.",
    "قاطعوا منتجات الشركه الان وشاركوا هذا المنشور مع اصدقائكم قبل ان يحذفوه من الموقع!!",
])
def test_what_the_normaliser_folds_leaves_the_same_fingerprint(copy):
    assert campaigns.fingerprint(copy) == campaigns.fingerprint(TEXT)


def test_a_word_added_keeps_a_copy_in_the_group_and_an_unrelated_text_is_far():
    added = TEXT.replace("هذا المنشور", "هذا المنشور المهم") + " #قاطعوا"
    unrelated = "شكرا على هذا التقرير المفصل عن الانتخابات في المنطقة"
    original = campaigns.fingerprint(TEXT)

    assert _jaccard(TEXT, added) >= campaigns.SIMILARITY
    assert original.similarity(campaigns.fingerprint(added)) >= campaigns.SIMILARITY
    assert set(original.bands) & set(campaigns.fingerprint(added).bands)
    assert original.similarity(campaigns.fingerprint(unrelated)) < 0.2


def test_texts_too_short_to_tell_from_ordinary_comments_get_no_fingerprint():
    assert campaigns.fingerprint("شكرا على المقال") is None
    assert campaigns.fingerprint("!!! ...") is None


def test_the_estimate_follows_the_true_jaccard_similarity():
    rng = random.Random(3)
    words = [f"كلمة{n}" for n in range(400)]
    errors = []
    for _ in range(200):
        first = rng.sample(words, 20)
        second = list(first)
        for _edit in range(rng.randint(0, 6)):
            second[rng.randrange(20)] = rng.choice(words)
        a, b = " ".join(first), " ".join(second)
        estimate = campaigns.fingerprint(a).similarity(campaigns.fingerprint(b))
        errors.append(estimate - _jaccard(a, b))
    mean = sum(errors) / len(errors)
    spread = (sum((e - mean) ** 2 for e in errors) / len(errors)) ** 0.5
    assert abs(mean) < 0.01 and spread < 0.05  # unbiased; 128 values: at most 0.045 expected


def test_a_stored_signature_gives_back_the_same_bands():
    made = campaigns.fingerprint(TEXT)
    assert campaigns.from_signature(made.signature) == made


@pytest.mark.parametrize("text, cites", [
    (TEXT, False),
    (TEXT + " www.spam-shop.xyz/deal", False),
    (TEXT + " المصدر https://www.bbc.com/arabic/123", True),
])
def test_intake_hands_over_the_scorers_normal_form_and_the_fingerprint_is_the_same(text, cites):
    # intake normalises once, with the post's trusted domains, for the scorer and the
    # fingerprint; a fingerprint must still not depend on which domains a site trusts
    scorers = normalize(text, trusted_domains=trusted_set(["bbc.com", "example.com"]))
    assert bool(scorers.cited) == cites

    assert campaigns.fingerprint(text, scorers) == campaigns.fingerprint(text)
