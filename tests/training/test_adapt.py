"""A site's adapter, fitted on the shipped model's own features: the fit is the optimum
scikit-learn finds, the compiled column scores what scikit-learn computes for it, and the gate
lets through what a site's labels really teach and nothing else."""

from __future__ import annotations

import random

import joblib
import numpy as np
import pytest
import scipy.sparse as sparse
from sklearn.linear_model import LogisticRegression

from hakam.model import Scorer
from hakam.model.adapter import Adapter, HeadAdapter
from hakam.training import adapt
from hakam.training.train import Pipeline
from tests.adapter_reference import scikit_learn_probability
from tests.site_fixture import WORD, site_comments


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    return Scorer.load()


@pytest.fixture(scope="module")
def pipeline(shipped) -> Pipeline:
    return Pipeline.from_compiled(joblib.load(shipped.path))


def _labels(comments, task="abuse") -> list[adapt.SiteLabel]:
    return [adapt.SiteLabel(text, task, label, at=float(i)) for i, (text, label) in
            enumerate(comments)]


def test_the_fit_is_the_optimum_scikit_learn_finds_with_the_shipped_logit_left_unpenalised(
        shipped):
    data = adapt.design(shipped, _labels(site_comments(160, seed=1)), "abuse")
    C = 2.0
    ours = adapt.fit_residual(data.X, data.z, data.y, C)
    # scikit-learn penalises every coefficient; the shipped logit's column scaled by 1e4 makes
    # its coefficient's penalty (beta / 1e4)² / 2 nothing next to the loss. Its intercept is
    # never penalised, as alpha is not. (Its L-BFGS stops short on a column scaled so; its
    # Newton solver does not.)
    scale = 1e4
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=1000, solver="newton-cholesky").fit(
        sparse.hstack([data.z[:, None] * scale, data.X], format="csr"), data.y)
    assert abs(ours.alpha - reference.intercept_[0]) < 1e-6
    assert abs(ours.beta - reference.coef_[0, 0] * scale) < 1e-6
    assert np.abs(ours.w - reference.coef_[0, 1:]).max() < 1e-6
    ours_logits = ours.logit(data.X, data.z)
    their_logits = reference.decision_function(
        sparse.hstack([data.z[:, None] * scale, data.X], format="csr"))
    assert np.abs(ours_logits - their_logits).max() < 1e-6


def _fitted_head(shipped, labels, task: str, C: float = 3.0) -> HeadAdapter:
    data = adapt.design(shipped, labels, task)
    fit = adapt.fit_residual(data.X, data.z, data.y, C)
    text = data.columns < shipped.feature_count
    return HeadAdapter(fit.alpha, fit.beta, data.columns[text], fit.w[text],
                       tuple(fit.w[~text]) if task == "spam" else ())


def test_the_compiled_column_scores_what_scikit_learn_computes_for_the_adapter(shipped,
                                                                              pipeline):
    comments = site_comments(120, seed=2)
    rng = random.Random(3)
    # a spam head too, with the side signals: links and shouting are this site's spam
    spam = [(text + (" www.prix-bas.com !!!" if rng.random() < 0.4 else ""), 0)
            for text, _ in comments]
    spam = [(text, int("www." in text)) for text, _ in spam]
    heads = {"abuse": _fitted_head(shipped, _labels(comments), "abuse"),
             "spam": _fitted_head(shipped, _labels(spam, "spam"), "spam")}
    adapter = Adapter("akhbar", shipped.version, 1, heads)
    site = shipped.compile_adapter(Adapter.from_text(adapter.to_text()))
    probes = [text for text, _ in comments[:20]] + [text for text, _ in spam[:20]] + [
        "يا حمار انت ما تفهم شي، اسكت احسن لك", "مقال رائع شكرا للكاتب",
        f"{WORD} {WORD} {WORD}", "Check out my channel http://bit.ly/free !!!", "",
        "تعليق فيه كلمات لم يرها النموذج قط: زقزلوف برشمقان"]
    worst = 0.0
    for text in probes:
        score = shipped.score(text, site=site)
        for task in ("spam", "abuse"):
            expected = scikit_learn_probability(pipeline, text, task, heads[task],
                                                shipped.feature_count)
            worst = max(worst, abs(getattr(score, task) - expected))
    assert worst <= 1e-6


def test_a_site_whose_adapter_changes_no_head_scores_as_before(shipped):
    empty = shipped.compile_adapter(Adapter("akhbar", shipped.version, 1, {}))
    for text in ("مقال رائع شكرا للكاتب", "يا حمار انت ما تفهم شي"):
        site, shipped_score = shipped.score(text, site=empty), shipped.score(text)
        # the same sums, added by a wider product: equal to the last bits or nearly
        assert site.abuse == pytest.approx(shipped_score.abuse, abs=1e-12)
        assert site.spam == pytest.approx(shipped_score.spam, abs=1e-12)
        assert [r.spans for r in site.reasons] == [r.spans for r in shipped_score.reasons]


def test_an_adapter_fitted_on_another_model_is_refused(shipped):
    stale = Adapter("akhbar", "0123456789abcdef", 3, {})
    with pytest.raises(ValueError, match="0123456789abcdef"):
        shipped.compile_adapter(stale)


def test_an_adapter_survives_its_storage_form(shipped):
    head = _fitted_head(shipped, _labels(site_comments(60, seed=4)), "abuse")
    adapter = Adapter("akhbar", shipped.version, 7, {"abuse": head}, abuse_hold=0.42,
                      report={"labels": 60})
    again = Adapter.from_text(adapter.to_text())
    assert again.version == f"{shipped.version}+akhbar.7"
    assert again.abuse_hold == 0.42 and again.report == {"labels": 60}
    assert np.array_equal(again.heads["abuse"].indexes, head.indexes)
    assert np.array_equal(again.heads["abuse"].weights, head.weights)


# --- the gate --------------------------------------------------------------------------------

def test_the_sites_word_becomes_an_insult_for_that_site_and_is_named_as_the_reason(shipped):
    adapter, report = adapt.fit_site(shipped, "akhbar", _labels(site_comments(200, seed=5)),
                                     generation=1)

    assert report["active"] and adapter is not None
    figures = report["heads"]["abuse"]["roc_auc"]
    # the shipped model reads "يا <word>" as a likely insult whatever the word (0.83 on this
    # site's comments since issue 23's model); the site's own line lifts it past 0.95
    assert figures["adapted"] > 0.95 and figures["adapted"] > figures["base"] + 0.1
    site = shipped.compile_adapter(adapter)
    text = f"مقال جيد لكن الكاتب {WORD}"
    assert shipped.score(text).abuse < shipped.thresholds.abuse_hold  # nowhere else an insult
    adapted = shipped.score(text, site=site)
    assert adapted.abuse > shipped.thresholds.abuse_hold
    reason = next(r for r in adapted.reasons if r.task == "abuse")
    assert WORD in reason.message
    assert any(text[start:end] == WORD for start, end in reason.spans)


@pytest.mark.parametrize("seed", range(5))
def test_the_gate_refuses_an_adapter_trained_on_random_labels(shipped, seed):
    rng = random.Random(100 + seed)
    comments = [(text, int(rng.random() < 0.4)) for text, _ in site_comments(300, seed=seed)]

    adapter, report = adapt.fit_site(shipped, "akhbar", _labels(comments), generation=1)

    assert adapter is None and report["active"] is False
    assert "not a significant gain" in report["heads"]["abuse"]["reason"] or \
        "held out in time order" in report["heads"]["abuse"]["reason"]
    assert report["model_version"] == shipped.version


def test_ten_percent_label_noise_still_activates_a_useful_adapter(shipped):
    rng = random.Random(7)
    clean = site_comments(300, seed=8)
    noisy = [(text, 1 - label if rng.random() < 0.10 else label) for text, label in clean]

    adapter, report = adapt.fit_site(shipped, "akhbar", _labels(noisy), generation=1)

    assert report["active"], report
    site = shipped.compile_adapter(adapter)
    fresh = site_comments(400, seed=9)[300:]  # judged by the site's true line, not the noise
    adapted = [shipped.score(text, site=site).abuse for text, _ in fresh]
    truth = [label for _, label in fresh]
    assert adapt.delong(np.array(truth), np.array(adapted), np.array(adapted))[0] > 0.9


def test_too_few_labels_keep_the_shipped_model_and_say_why(shipped):
    adapter, report = adapt.fit_site(shipped, "akhbar", _labels(site_comments(12, seed=10)),
                                     generation=1)
    assert adapter is None
    assert "too few labels" in report["heads"]["abuse"]["reason"]


# --- the threshold ---------------------------------------------------------------------------

def test_until_a_hundred_abusive_labels_the_shipped_threshold_holds_at_least_as_much(shipped):
    comments = site_comments(200, seed=11)
    # some of this site's insults are ones the shipped model knows too
    comments += [(f"يا حمار {text}", 1) for text, _ in site_comments(30, seed=12)]
    adapter, report = adapt.fit_site(shipped, "akhbar", _labels(comments), generation=1)
    hold = report["abuse_hold"]
    assert report["heads"]["abuse"]["labels"]["positive"] < 100
    assert "fewer than the 100" in hold["chosen_on"]
    assert hold["threshold"] <= shipped.thresholds.abuse_hold
    assert adapter.abuse_hold == hold["threshold"]
    # never a smaller share of the site's abuse held than before it adapted
    assert hold["estimated_recall"] >= hold["estimated_recall_shipped"]


def test_the_threshold_is_chosen_on_out_of_fold_scores_for_the_recall_target(shipped):
    rng = random.Random(12)
    comments = [(text, 1 - label if rng.random() < 0.15 else label)
                for text, label in site_comments(500, seed=13)]
    adapter, report = adapt.fit_site(shipped, "akhbar", _labels(comments), generation=1,
                                     recall_target=0.85)
    threshold = report["abuse_hold"]["threshold"]
    assert threshold is not None and adapter.abuse_hold == threshold
    assert report["abuse_hold"]["chosen_on"] == "out-of-fold scores"
    # on comments the adapter never saw, it holds about the share it was asked for
    site = shipped.compile_adapter(adapter)
    fresh = [(text, label) for text, label in site_comments(1100, seed=13)[500:]]
    fresh = [(text, 1 - label if rng.random() < 0.15 else label) for text, label in fresh]
    abusive = [shipped.score(text, site=site).abuse for text, label in fresh if label]
    held = np.mean([score > threshold for score in abusive])
    assert 0.78 <= held <= 0.95


def test_audit_labels_weigh_as_many_published_comments_as_they_stand_for():
    y = np.array([1, 1, 1, 1, 0])
    scores = np.array([0.9, 0.8, 0.2, 0.1, 0.05])
    # two held abusive comments score high; two found by a 10% audit score low and stand
    # for ten each: holding above 0.5 holds 2 of 22, not 2 of 4
    weights = np.array([1.0, 1.0, 10.0, 10.0, 1.0])
    assert adapt.weighted_recall(y, scores, weights, 0.5) == pytest.approx(2 / 22)
    assert adapt.weighted_recall(y, scores, np.ones(5), 0.5) == pytest.approx(0.5)


def test_the_latest_label_of_a_comment_wins():
    labels = [adapt.SiteLabel("نص", "spam", 1, at=1.0, comment_id="c1"),
              adapt.SiteLabel("نص", "spam", 0, at=2.0, comment_id="c1"),
              adapt.SiteLabel("نص آخر", "spam", 1, at=3.0)]
    assert [(x.comment_id, x.label) for x in adapt.latest_labels(labels, "spam")] == [
        ("c1", 0), (None, 1)]


def test_delong_agrees_with_scikit_learns_roc_auc():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    first, second = rng.normal(size=300) + y, np.round(rng.normal(size=300), 1) + 0.3 * y
    auc_first, auc_second, p = adapt.delong(y, first, second)
    assert auc_first == pytest.approx(roc_auc_score(y, first))
    assert auc_second == pytest.approx(roc_auc_score(y, second))  # ties included
    assert p < 0.01
