"""Unintended-bias figures and the training levers against dataset bias, on made-up rows."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse

from hakam.training import bias, datasets, train
from hakam.training.datasets import Example


def test_bpsn_is_low_when_clean_comments_naming_a_group_score_like_abuse():
    # 40 rows naming Kurds (half abusive), 40 naming no group (half abusive)
    texts = ["الاكراد"] * 40 + ["الطقس"] * 40
    labels = np.array([1, 0] * 40)
    fair = np.where(labels == 1, 0.9, 0.1)
    biased = fair.copy()
    biased[:40][labels[:40] == 0] = 0.95  # clean mentions of the group above every abuse
    assert bias.unintended_bias(texts, labels, fair)["ar:kurds"]["bpsn_auc"] == 1.0
    report = bias.unintended_bias(texts, labels, biased)["ar:kurds"]
    assert report["bpsn_auc"] < 0.6
    assert report["bnsp_auc"] == 1.0  # abuse naming the group still outranks clean comments
    assert report["rows"] == 40 and report["positives"] == 20


def test_a_term_with_too_few_rows_of_a_label_is_not_reported():
    texts = ["الاكراد"] * 10 + ["الطقس"] * 40
    labels = np.array([1, 0] * 25)
    assert "ar:kurds" not in bias.unintended_bias(texts, labels, np.random.rand(50))


def test_neutral_mentions_count_what_the_threshold_holds():
    every = bias.neutral_sentences()
    held = bias.neutral_mentions(lambda texts: [0.9 if "Kurds" in t else 0.1 for t in texts],
                                 threshold=0.5)
    assert held["sentences"] == len(every)
    assert held["terms"]["en:kurds"] == 1.0 and held["terms"]["ar:kurds"] == 0.0
    assert held["held"] == len(bias.TEMPLATES["en"])


def _rows(dataset: str, positives: int, negatives: int, part: str = "") -> list[Example]:
    return ([Example(f"{dataset} {i}", "abuse", 1, dataset, part=part) for i in range(positives)]
            + [Example(f"{dataset} c{i}", "abuse", 0, dataset, part=part)
               for i in range(negatives)])


def test_even_nb_counts_weigh_each_datasets_classes_alike():
    rows = _rows("mubarak2017-aljazeera-comments", 80, 20) + _rows("osact2020", 20, 80)
    rows += _rows("arabic-spam-tweets", 0, 10, part=datasets.IDENTITY_NEUTRAL)
    assert train.nb_count_weights(rows) is None  # rows count 1 each by default
    weights = train.nb_count_weights(rows, even=1.0)
    labels = np.array([r.label for r in rows])
    for name in ("mubarak2017-aljazeera-comments", "osact2020"):
        mask = np.array([r.dataset == name for r in rows])
        assert weights[mask & (labels == 1)].sum() == weights[mask & (labels == 0)].sum() == 50
    assert (weights[-10:] == 1.0).all()  # identity-neutral rows count as they are
    half = train.nb_count_weights(rows, even=0.5)
    aljazeera_positive = half[0]
    assert 1.0 > aljazeera_positive > weights[0]  # part of the way


def test_dataset_intercepts_leave_identity_neutral_rows_without_one():
    rows = _rows("a", 3, 3) + _rows("b", 2, 2) + _rows("c", 0, 2, part=datasets.IDENTITY_NEUTRAL)
    assert train.site_bias_columns(rows, 1.0) == ([], None)  # no extras: no column by default
    sources, matrix = train.site_bias_columns(rows, 1.0, datasets_too=True)
    assert sources == ["a", "b"]
    dense = matrix.toarray()
    assert dense[:6, 0].sum() == 6 and dense[6:10, 1].sum() == 4
    assert dense[10:].sum() == 0
    # nor when a dataset's parts share one column: the neutral rows of "a" stay out of it
    rows += _rows("a", 0, 3, part=datasets.IDENTITY_NEUTRAL)
    sources, matrix = train.site_bias_columns(rows, 1.0, datasets_too=True, by_part=False)
    assert sources == ["a", "b"]
    assert matrix.toarray()[12:].sum() == 0


def test_the_gate_compares_an_intercept_head_per_dataset_not_pooled():
    from types import SimpleNamespace

    from hakam.training import promote

    candidate = SimpleNamespace(metadata={"recipe": {"bias": {"dataset_intercepts": ["abuse"]}}})
    left_out = promote.pooled_slices_left_out(candidate)
    assert left_out == {"abuse"}
    entry = {"model": {"n": 100, "roc_auc": 0.9}}
    report = {"slices": {"abuse/ar": entry, "abuse/dataset:l-hsab-levantine": entry,
                         "spam/ar": entry}}
    assert set(promote._small(report, left_out)["slices"]) == {
        "abuse/dataset:l-hsab-levantine", "spam/ar"}
    assert set(promote._small(report)["slices"]) == set(report["slices"])


def test_the_gate_refuses_a_candidate_missing_a_held_out_figure_the_active_model_has(
        monkeypatch):
    from hakam.training import promote

    figures = {"active": {"levantine": {"model": {"abuse": {"roc_auc": 0.7},
                                                  "spam": {"genuine_rejected": 0.0}}}},
               "candidate": {"levantine": {"model": {"abuse": {"roc_auc": 0.71}}}}}
    monkeypatch.setattr(promote, "cross_source_figures", lambda scorer: figures[scorer])
    problems = promote.cross_source_problems("candidate", "active", 0.005)
    assert problems == ["held-out levantine: the candidate has no spam figures (hakam evaluate "
                        "--holdout-source GROUP --record) and the active model has"]


def test_within_datasets_a_term_is_judged_by_its_own_datasets_pairs_only():
    """Two datasets on different scales (one scored high throughout, as a model without the
    datasets' base rates may): pooled, clean mentions of the group in the high one outrank the
    other's abuse and BPSN reads bias; ranked within each dataset there is none."""
    texts = (["الاكراد"] * 20 + ["الطقس"] * 20) * 2 + (["الطقس"] * 40) * 2
    labels = np.array(([0] * 40 + [1] * 40) + [0, 1] * 40)
    sources = np.array(["high"] * 80 + ["low"] * 80)
    # high dataset: clean rows 0.6, abusive 0.9; low dataset: clean 0.1, abusive 0.4
    scores = np.where(sources == "high", 0.6, 0.1) + 0.3 * labels
    report = bias.unintended_bias(texts, labels, scores, sources)["ar:kurds"]
    assert report["bpsn_auc"] < 0.8  # the high dataset's clean mentions above the low's abuse
    assert report["within_dataset"]["bpsn_auc"] == 1.0
    summary = bias.summary({"ar:kurds": report})
    assert summary["bpsn_auc_within_dataset"]["min"] == 1.0


def test_a_dataset_of_one_label_can_be_left_without_an_intercept():
    # "lent" holds only clean rows (an abuse dataset lending its texts as not spam): its own
    # column would absorb what it teaches
    rows = _rows("mixed", 3, 3) + _rows("lent", 0, 4) + _rows("spam-only", 5, 0)
    sources, _ = train.site_bias_columns(rows, 1.0, datasets_too=True)
    assert sources == ["lent", "mixed", "spam-only"]  # the default: every dataset has one
    sources, matrix = train.site_bias_columns(rows, 1.0, datasets_too=True,
                                              single_label=False)
    assert sources == ["mixed"]
    assert matrix.toarray()[:6, 0].sum() == 6 and matrix.toarray()[6:].sum() == 0
    recipe = {"bias": {"dataset_intercepts": ["abuse"], "single_label_intercepts": False}}
    y = np.array([r.label for r in rows])
    X = sparse.csr_matrix(np.random.default_rng(0).random((len(rows), 3)))
    member = train._fit_member(X, y, X, rows, recipe, "abuse", {"C": 2.0})
    assert set(member.dataset_bias) == {"mixed"}


def test_a_one_label_dataset_can_share_a_mixed_datasets_intercept():
    # "reddit" holds only clean comments; with its own column it would explain its rows by
    # their base rate; sharing "youtube"'s it has that comment section's base rate instead
    rows = _rows("youtube", 3, 3) + _rows("reddit", 0, 4) + _rows("sms", 2, 2)
    rows += _rows("youtube", 0, 2, part=datasets.IDENTITY_NEUTRAL)
    default = train.site_bias_columns(rows, 1.0, datasets_too=True)
    assert default[0] == ["reddit", "sms", "youtube"]
    same = train.site_bias_columns(rows, 1.0, datasets_too=True, shared={})
    assert same[0] == default[0] and (same[1] != default[1]).nnz == 0
    sources, matrix = train.site_bias_columns(rows, 1.0, datasets_too=True,
                                              shared={"reddit": "youtube"})
    assert sources == ["sms", "youtube"]
    dense = matrix.toarray()
    assert dense[:10, 1].sum() == 10 and dense[:10, 0].sum() == 0  # youtube's and reddit's
    assert dense[10:14, 0].sum() == 4 and dense[14:].sum() == 0  # neutral rows: still none
    # the shared column has both labels, so it stays when one-label datasets get none
    sources, _ = train.site_bias_columns(rows, 1.0, datasets_too=True, single_label=False,
                                         shared={"reddit": "youtube"})
    assert sources == ["sms", "youtube"]
    recipe = {"bias": {"dataset_intercepts": ["spam"],
                       "shared_intercepts": {"reddit": "youtube"}}}
    y = np.array([r.label for r in rows])
    X = sparse.csr_matrix(np.random.default_rng(0).random((len(rows), 3)))
    member = train._fit_member(X, y, X, rows, recipe, "spam", {"C": 2.0})
    assert set(member.dataset_bias) == {"sms", "youtube"}
    assert member.regression.coef_.shape == (1, 3)


def test_intercepts_per_dataset_give_a_collections_parts_one_column():
    rows = _rows("vanetik", 2, 2, part="ID4") + _rows("vanetik", 1, 3, part="ID11")
    sources, _ = train.site_bias_columns(rows, 1.0, datasets_too=True)
    assert sources == ["vanetik/ID11", "vanetik/ID4"]
    sources, matrix = train.site_bias_columns(rows, 1.0, datasets_too=True, by_part=False)
    assert sources == ["vanetik"] and matrix.toarray().sum() == 8


def test_a_member_can_be_fitted_without_the_heads_dataset_intercepts():
    import pytest

    rows = _rows("a", 30, 10) + _rows("b", 10, 30)
    y = np.array([r.label for r in rows])
    rng = np.random.default_rng(0)
    X = sparse.csr_matrix(rng.random((len(rows), 5)))
    recipe = {"bias": {"dataset_intercepts": ["abuse"]}}
    with_them = train._fit_member(X, y, X, rows, recipe, "abuse", {"C": 2.0})
    assert set(with_them.dataset_bias) == {"a", "b"}
    without = train._fit_member(X, y, X, rows, recipe, "abuse",
                                {"C": 2.0, "dataset_intercepts": False})
    assert without.dataset_bias == {}
    misspelt = {"bias": {"dataset_intercepts": ["abuse"], "intercepts_by": "sources"}}
    with pytest.raises(datasets.DatasetError, match="intercepts_by"):
        train._fit_member(X, y, X, rows, misspelt, "abuse", {"C": 2.0})
