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

from .datasets import TASKS, Example


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
    rows = [r for r in rows if r.task in TASKS]
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
