"""The attribute contract every model keeps: each name of ATTRIBUTES in every score, a
probability only where the model has that head and it reads the comment's language, None
elsewhere; and hold thresholds for every attribute whether the model ships them or not."""

from __future__ import annotations

import json

import pytest

from hakam.model import ATTRIBUTE_LANGUAGES, ATTRIBUTES, Scorer, Thresholds
from hakam.model.language import language_of

COMMENTS = [
    "الأكراد والعرب يعيشون معا في القامشلي منذ زمن",
    "يا حمار يا كلب يا حقير",
    "Refugees from Aleppo opened a bakery in our town",
    "You are a stupid idiot and I will find you",
]


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    return Scorer.load()


def test_the_attributes_and_their_languages():
    assert ATTRIBUTES == ("identity_attack", "insult", "profanity", "threat")
    assert set(ATTRIBUTE_LANGUAGES) == set(ATTRIBUTES)
    assert {name for name, langs in ATTRIBUTE_LANGUAGES.items() if "ar" in langs} == {
        "identity_attack", "insult", "profanity"}
    assert all("en" in langs for langs in ATTRIBUTE_LANGUAGES.values())


@pytest.mark.parametrize("text", COMMENTS)
def test_every_attribute_is_scored_where_its_head_reads_the_language_and_none_elsewhere(
        shipped, text):
    score = shipped.score(text)
    assert tuple(score.attributes) == ATTRIBUTES
    language = language_of(text)
    for name, value in score.attributes.items():
        if name in shipped.attribute_heads and language in ATTRIBUTE_LANGUAGES[name]:
            assert isinstance(value, float) and 0.0 <= value <= 1.0, (name, value)
        else:
            assert value is None, (name, value)


def test_threat_is_never_scored_on_arabic(shipped):
    assert shipped.score("سأقتلك وأحرق بيتك").attributes["threat"] is None


def test_a_model_without_attribute_lines_gets_a_default_for_each():
    thresholds = Thresholds(spam_reject=0.9, spam_hold=0.5, abuse_hold=0.5)
    assert set(thresholds.attribute_hold) == set(ATTRIBUTES)
    assert all(0.0 < line < 1.0 for line in thresholds.attribute_hold.values())


def test_a_model_shipping_some_attribute_lines_keeps_them_and_defaults_the_rest():
    thresholds = Thresholds(**{"spam_reject": 0.9, "spam_hold": 0.5, "abuse_hold": 0.5,
                               "attribute_hold": {"threat": 0.7}})
    assert thresholds.attribute_hold["threat"] == 0.7
    assert set(thresholds.attribute_hold) == set(ATTRIBUTES)
    # serialised with the rest and read back the same (the model file stores as_dict)
    assert Thresholds(**thresholds.as_dict()) == thresholds
    assert thresholds.as_dict()["attribute_hold"]["threat"] == 0.7


def test_a_line_for_an_attribute_the_product_does_not_know_is_refused():
    with pytest.raises(ValueError, match="severe_toxicity"):
        Thresholds(attribute_hold={"severe_toxicity": 0.5})


def test_the_shipped_thresholds_name_every_attribute(shipped):
    assert set(shipped.thresholds.as_dict()["attribute_hold"]) == set(ATTRIBUTES)


def test_hakam_score_prints_every_attribute_beside_spam_and_abuse(shipped, tmp_path,
                                                                  monkeypatch):
    from click.testing import CliRunner

    from hakam.service.cli import main

    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))  # the shipped model, not an active one
    lines = ['{"text": "سأقتلك يا حقير"}', '{"text": "I will hurt you, idiot"}']
    result = CliRunner().invoke(main, ["score"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    arabic, english = (json.loads(line) for line in result.stdout.splitlines())
    for answer, text in ((arabic, "سأقتلك يا حقير"), (english, "I will hurt you, idiot")):
        assert set(answer) >= {"spam", "abuse", *ATTRIBUTES}
        expected = shipped.score(text).attributes
        for name in ATTRIBUTES:
            if expected[name] is None:
                assert answer[name] is None  # printed as null
            else:
                assert answer[name] == pytest.approx(expected[name], abs=1e-6)
    assert arabic["threat"] is None
