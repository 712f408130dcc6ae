"""Unintended bias per identity term: does naming a group, by itself, raise the abuse score?

Two measures, never trained on:
- Borkan et al. (2019), "Nuanced Metrics for Measuring Unintended Bias with Real Data for Text
  Classification": over labelled rows, per term, the *subgroup* AUC (rows naming the term
  only), *BPSN* AUC (background positives, subgroup negatives: low when clean comments naming
  the group score above abusive comments that do not) and *BNSP* AUC (background negatives,
  subgroup positives: low when abuse naming the group scores below clean comments that do
  not). A term is reported where its rows hold at least MIN_ROWS of each label. Each AUC is
  also given *within datasets* (`within_dataset`): only pairs of rows of one dataset are
  ranked. The model is trained with one intercept per dataset, so it no longer carries the
  datasets' base rates (Aljazeera's comments are four in five abusive, OSACT's tweets one in
  five); pooled over datasets, a term named mostly in one of them is judged partly by how far
  apart the datasets' scores sit, not by whether naming it raises the score.
- Neutral mentions: sentences written from templates (neutral or sympathetic, Arabic and
  English, in the manner of Dixon et al. 2018) with each term's group phrase; the share of
  them the abuse decision holds, per term and overall. The issue's target is at most one in
  ten.

Owns the templates and the figures; the terms are `hakam.model.identity_terms`'.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sklearn.metrics import roc_auc_score

from hakam.model import identity_terms
from hakam.model.normalize import normalize

from . import datasets
from .evaluate import within_strata_auc

MIN_ROWS = 20  # a term's rows of each label needed for its AUCs

# Neutral or sympathetic sentences naming a group: {group} is the term's group phrase.
TEMPLATES = {
    "ar": (
        "يعيش {group} في مدينتنا منذ سنوات طويلة",
        "التقيت بعائلة من {group} في السوق اليوم",
        "نتمنى أن يعود {group} إلى قراهم وبيوتهم قريبا",
        "كثير من {group} يعملون في الزراعة في هذه المنطقة",
        "قرأت مقالا جميلا عن تاريخ {group} في المنطقة",
        "جيراننا من {group} ساعدونا كثيرا أثناء الشتاء",
        "افتتح {group} مدرسة جديدة للأطفال في الحي",
        "هل هناك إحصاء لعدد {group} في البلد؟",
        "شارك {group} في الاحتفال بالعيد مع الجميع",
        "من حق {group} أن يعيشوا بأمان وكرامة",
    ),
    "en": (
        "{Group} have lived in our city for many years.",
        "I met a family of {group} at the market today.",
        "We hope the {group} can return to their villages soon.",
        "Many {group} work in farming in this region.",
        "I read a good article about the history of {group} in the region.",
        "Our neighbours are {group} and they helped us a lot this winter.",
        "{Group} opened a new school for the children of the neighbourhood.",
        "Is there a count of how many {group} live in the country?",
        "{Group} joined the festival with everyone else.",
        "{Group} have the right to live in safety and dignity.",
    ),
}


def neutral_sentences() -> list[tuple[str, str]]:
    """(term key, sentence) for every term and template of its language."""
    rows = []
    for term in identity_terms.terms():
        group = term.group
        for template in TEMPLATES[term.language]:
            rows.append((term.key, template.format(group=group,
                                                   Group=group[:1].upper() + group[1:])))
    return rows


def neutral_mentions(abuse_scores, threshold: float) -> dict:
    """Held share of neutral mentions per term and overall; `abuse_scores(texts)` gives the
    abuse probability of each text."""
    rows = neutral_sentences()
    scores = np.asarray(abuse_scores([text for _, text in rows]))
    held = scores > threshold
    per_term: dict[str, list[bool]] = defaultdict(list)
    for (key, _), one in zip(rows, held, strict=True):
        per_term[key].append(bool(one))
    by_language = defaultdict(list)
    for key, results in per_term.items():
        by_language[key.split(":")[0]].extend(results)
    return {
        "sentences": len(rows), "held": int(held.sum()),
        "held_share": round(float(held.mean()), 4),
        "by_language": {lang: round(float(np.mean(r)), 4) for lang, r in by_language.items()},
        "terms": {key: round(float(np.mean(results)), 4)
                  for key, results in sorted(per_term.items())},
        "held_texts": [text for (_, text), one in zip(rows, held, strict=True) if one],
    }


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    if not 0 < labels.sum() < len(labels):
        return None
    return round(float(roc_auc_score(labels, scores)), 4)


def unintended_bias(normalized_texts: list[str], labels, scores, sources=None) -> dict:
    """Per term: rows naming it, subgroup / BPSN / BNSP AUC (Borkan et al. 2019), where its rows
    hold MIN_ROWS of each label. `normalized_texts` are the rows' normal forms; `sources`, each
    row's dataset, adds the same AUCs ranked within datasets only (`within_dataset`)."""
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    strata = None if sources is None else np.asarray(sources)
    members: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(normalized_texts):
        for key in identity_terms.mentioned(text, normalized=True):
            members[key].append(index)
    report = {}
    for key in sorted(members):
        in_group = np.zeros(len(labels), dtype=bool)
        in_group[members[key]] = True
        positives = int(labels[in_group].sum())
        negatives = int(in_group.sum()) - positives
        if positives < MIN_ROWS or negatives < MIN_ROWS:
            continue
        bpsn = (in_group & (labels == 0)) | (~in_group & (labels == 1))
        bnsp = (in_group & (labels == 1)) | (~in_group & (labels == 0))
        report[key] = {"rows": int(in_group.sum()), "positives": positives,
                       "subgroup_auc": _auc(labels[in_group], scores[in_group]),
                       "bpsn_auc": _auc(labels[bpsn], scores[bpsn]),
                       "bnsp_auc": _auc(labels[bnsp], scores[bnsp])}
        if strata is not None:
            report[key]["within_dataset"] = {
                measure: within_strata_auc(labels[rows], scores[rows], strata[rows])
                for measure, rows in (("subgroup_auc", in_group), ("bpsn_auc", bpsn),
                                      ("bnsp_auc", bnsp))}
    return report


def summary(report: dict) -> dict:
    """The mean and the lowest of each AUC over the terms reported (lowest names its term),
    pooled and, where measured, within datasets (`<measure>_within_dataset`)."""
    figures: dict[str, dict[str, float]] = defaultdict(dict)  # name -> term -> AUC
    for term, entry in report.items():
        for measure in ("subgroup_auc", "bpsn_auc", "bnsp_auc"):
            for name, value in ((measure, entry[measure]),
                                (f"{measure}_within_dataset",
                                 entry.get("within_dataset", {}).get(measure))):
                if value is not None:
                    figures[name][term] = value
    out = {}
    for name in (f"{m}{kind}" for m in ("subgroup_auc", "bpsn_auc", "bnsp_auc")
                 for kind in ("", "_within_dataset")):
        values = figures.get(name)
        if values:
            worst = min(values, key=values.get)
            out[name] = {"mean": round(float(np.mean(list(values.values()))), 4),
                         "min": values[worst], "min_term": worst}
    return out


def report(scorer, rows, normalized: dict | None = None) -> dict:
    """The bias figures of a model: neutral mentions held (at its abuse_hold) and, per
    language, the Borkan AUCs per term on the abuse rows of `rows` (the evaluation split)."""
    threshold = scorer.thresholds.abuse_hold
    result = {"neutral_mentions": neutral_mentions(
        lambda texts: [scorer.score(text).abuse for text in texts], threshold)}
    abuse = [r for r in rows if r.task == "abuse" and r.part != datasets.IDENTITY_NEUTRAL]
    scores = [scorer.score(r.text).abuse for r in abuse]
    result["terms"] = {}
    for language in ("ar", "en"):
        index = [i for i, r in enumerate(abuse) if r.language == language]
        texts = [normalized[abuse[i].text] if normalized and abuse[i].text in normalized
                 else normalize(abuse[i].text).text for i in index]
        per_term = unintended_bias(texts, [abuse[i].label for i in index],
                                   [scores[i] for i in index],
                                   [abuse[i].dataset for i in index])
        result["terms"][language] = {"per_term": per_term, "summary": summary(per_term)}
    return result
