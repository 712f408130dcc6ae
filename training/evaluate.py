"""How good a model is on the fixed evaluation split, per task × dataset and task × language.

Owns the metrics (ROC-AUC, PR-AUC, precision and recall at the model's own thresholds) and the
slices they are reported on. Scores with the compiled `Scorer` — what the service runs — and,
when given, a baseline's decision values on the same rows. Never fits and never writes files.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from tqdm import tqdm

from hakam.model.attributes import ATTRIBUTES

from .datasets import TASKS, Example, is_identity_neutral


def _metrics(labels: np.ndarray, scores: np.ndarray) -> dict:
    result = {"n": int(len(labels)), "positives": int(labels.sum())}
    if 0 < labels.sum() < len(labels):
        result["roc_auc"] = round(float(roc_auc_score(labels, scores)), 4)
        result["pr_auc"] = round(float(average_precision_score(labels, scores)), 4)
    return result


def _at(labels: np.ndarray, probs: np.ndarray, threshold: float) -> dict:
    flagged = probs > threshold
    true_positives = int((flagged & (labels == 1)).sum())
    return {
        "threshold": round(threshold, 4),
        "flagged": int(flagged.sum()),
        "precision": round(true_positives / flagged.sum(), 4) if flagged.sum() else None,
        "recall": round(true_positives / labels.sum(), 4) if labels.sum() else None,
        "clean_flagged_share": round(float((flagged & (labels == 0)).sum() / (labels == 0).sum()),
                                     4) if (labels == 0).sum() else None,
    }


def slices(rows: list[Example]) -> dict[str, np.ndarray]:
    """Slice name ("abuse/ar", "abuse/dataset:...") -> row indexes. Tasks are separate rows."""
    found: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        found[f"{row.task}/{row.language}"].append(index)
        found[f"{row.task}/dataset:{row.dataset}"].append(index)
    return {name: np.array(indexes) for name, indexes in sorted(found.items())}


def score_rows(scorer, rows: list[Example], quiet: bool = False) -> dict[str, np.ndarray]:
    spam, abuse = [], []
    for row in tqdm(rows, desc="scoring", file=sys.stderr, disable=quiet, leave=False,
                    mininterval=0.5):
        score = scorer.score(row.text)
        spam.append(score.spam)
        abuse.append(score.abuse)
    return {"spam": np.array(spam), "abuse": np.array(abuse)}


def evaluate(scorer, rows: list[Example], baseline=None, quiet: bool = False) -> dict:
    """Metrics per slice for the scorer (and the baseline, when given) on `rows`."""
    # identity-neutral rows (clean headlines naming a group) train the abuse head; evaluated
    # they would flatter it (the bias figures measure what they are for)
    rows = [r for r in rows if r.task in TASKS and not is_identity_neutral(r)]
    scores = score_rows(scorer, rows, quiet)
    baseline_scores = baseline.predict([r.text for r in rows]) if baseline is not None else None
    labels = np.array([r.label for r in rows])
    own = np.array([scores[r.task][i] for i, r in enumerate(rows)])
    other = (np.array([baseline_scores[r.task][i] for i, r in enumerate(rows)])
             if baseline_scores is not None else None)
    thresholds = scorer.thresholds
    report: dict = {"slices": {}}
    for name, indexes in slices(rows).items():
        task = name.split("/")[0]
        entry = {"model": _metrics(labels[indexes], own[indexes])}
        if task == "spam":
            entry["at_spam_reject"] = _at(labels[indexes], own[indexes], thresholds.spam_reject)
            entry["at_spam_hold"] = _at(labels[indexes], own[indexes], thresholds.spam_hold)
        else:
            entry["at_abuse_hold"] = _at(labels[indexes], own[indexes], thresholds.abuse_hold)
        if other is not None:
            entry["baseline"] = _metrics(labels[indexes], other[indexes])
        report["slices"][name] = entry
    return report


def worse_slices(candidate: dict, active: dict, tolerance: float) -> list[str]:
    """Slices where the candidate's ROC-AUC or PR-AUC falls below the active model's by more
    than `tolerance`, as sentences naming the slice."""
    problems = []
    for name, entry in active["slices"].items():
        theirs = entry["model"]
        ours = candidate["slices"].get(name, {}).get("model", {})
        for metric in ("roc_auc", "pr_auc"):
            if metric in theirs and metric in ours and ours[metric] < theirs[metric] - tolerance:
                problems.append(f"{name}: {metric} {ours[metric]:.4f} < active "
                                f"{theirs[metric]:.4f} - {tolerance}")
    return problems


def attributes(scorer, rows: list[Example], quiet: bool = False) -> dict:
    """Each attribute head on its own labels in the evaluation split, per language: its
    ROC-AUC / PR-AUC beside the abuse score's on the same rows (the bar a head must clear to
    be worth having), and precision / recall at its hold line. Rows in a language the head
    does not read are counted as such and not scored."""
    report: dict = {}
    for name in ATTRIBUTES:
        mine = [r for r in rows if r.task == name]
        if not mine or name not in getattr(scorer, "attribute_heads", ()):
            continue
        scores = [scorer.score(r.text) for r in tqdm(
            mine, desc=f"scoring {name}", file=sys.stderr, disable=quiet, leave=False)]
        by_language: dict = {}
        for language in sorted({r.language for r in mine}):
            index = [i for i, r in enumerate(mine) if r.language == language
                     and scores[i].attributes[name] is not None]
            if not index:
                by_language[language] = {"n": sum(r.language == language for r in mine),
                                         "not_read": True}
                continue
            labels = np.array([mine[i].label for i in index])
            head = np.array([scores[i].attributes[name] for i in index])
            abuse = np.array([scores[i].abuse for i in index])
            by_language[language] = {
                "head": _metrics(labels, head), "abuse_score": _metrics(labels, abuse),
                "at_hold": _at(labels, head, scorer.thresholds.attribute_hold[name]),
                "datasets": sorted({mine[i].dataset for i in index})}
        report[name] = by_language
    return report
