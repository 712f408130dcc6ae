"""Attribute heads trained beside spam and abuse, on the made-up corpus: an insult head from
the Aljazeera levels (Arabic only), with one intercept per dataset and identity-neutral rows."""

from __future__ import annotations

import json

import pytest

from hakam.model import ATTRIBUTES, Scorer

from .conftest import run_hakam
from .fixtures import ARABIC_ABUSIVE, ARABIC_CLEAN, make_more_sources, write_recipe

ATTRIBUTE_RECIPE = """
[heads.insult]
C = 4.0
nb = 1.0

[datasets.insult]
"mubarak2017-aljazeera-comments" = 1.0

[bias]
dataset_intercepts = ["abuse", "insult"]

[identity_negatives]
datasets = ["tsac-tunisian-sentiment"]
"""


@pytest.fixture(scope="module")
def attribute_model(tmp_path_factory, corpus):
    data = make_more_sources(corpus)
    recipe = write_recipe(tmp_path_factory.mktemp("recipe") / "attributes.toml",
                          more_sources=True)
    recipe.write_text(recipe.read_text(encoding="utf-8") + ATTRIBUTE_RECIPE, encoding="utf-8")
    out = tmp_path_factory.mktemp("attributes") / "model"
    result = run_hakam("train", "--recipe", str(recipe), "--data", str(data), "--out", str(out),
                       "--no-cross-source", "--quiet")
    assert result.exit_code == 0, result.output
    return out


def test_the_insult_head_scores_arabic_and_leaves_what_it_cannot_read_none(attribute_model):
    scorer = Scorer.load(attribute_model)
    assert scorer.attribute_heads == {"insult"}
    insulting = scorer.score(" ".join(ARABIC_ABUSIVE[:3] + ARABIC_CLEAN[:2]))
    clean = scorer.score(" ".join(ARABIC_CLEAN[:5]))
    assert tuple(insulting.attributes) == ATTRIBUTES
    assert insulting.attributes["insult"] > 0.5 > clean.attributes["insult"]
    assert insulting.attributes["threat"] is None  # no head
    # labels only in Arabic: an English comment is not read
    assert scorer.score("love this song great video").attributes["insult"] is None


def test_an_attribute_over_its_hold_line_names_its_words(attribute_model):
    scorer = Scorer.load(attribute_model)
    text = " ".join(ARABIC_ABUSIVE[:3] + ARABIC_CLEAN[:2])
    reasons = [r for r in scorer.score(text).reasons if r.task == "insult"]
    assert scorer.score(text).attributes["insult"] > scorer.thresholds.attribute_hold["insult"]
    assert len(reasons) == 1 and reasons[0].code == "insult_terms"
    named = {text[start:end] for start, end in reasons[0].spans}
    assert named & set(ARABIC_ABUSIVE[:3])


def test_the_report_measures_the_head_against_the_abuse_score_and_the_bias(attribute_model):
    report = json.loads((attribute_model / "evaluation.json").read_text(encoding="utf-8"))
    insult = report["attributes"]["insult"]["ar"]
    assert insult["head"]["roc_auc"] > 0.9 and "roc_auc" in insult["abuse_score"]
    assert report["bias"]["neutral_mentions"]["sentences"] > 0
    card = (attribute_model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## The attribute heads" in card and "| insult | ar |" in card
    assert "One intercept column per dataset source" in card
    assert "$" not in card.split("## Retraining")[0].replace("$ ", "")  # template filled
