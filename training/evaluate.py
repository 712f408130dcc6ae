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


def within_strata_auc(labels, scores, strata) -> float | None:
    """ROC-AUC over the (positive, negative) pairs of one stratum only (a dataset, a source):
    each stratum's AUC weighed by its count of pairs. Pooled over strata whose base rates
    differ, an AUC also scores how far apart a model puts the strata, which a model trained
    with one intercept per dataset is meant not to learn."""
    labels, scores, strata = np.asarray(labels), np.asarray(scores), np.asarray(strata)
    total = weight = 0.0
    for stratum in np.unique(strata):
        inside = strata == stratum
        positives = int(labels[inside].sum())
        pairs = positives * (int(inside.sum()) - positives)
        if pairs:
            total += pairs * roc_auc_score(labels[inside], scores[inside])
            weight += pairs
    return round(total / weight, 4) if weight else None


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
    """Slice name ("abuse/ar", "abuse/dataset:...") -> row indexes. Tasks are separate rows.
    A dataset with rows in both languages (MLMA) is sliced per language too
    ("abuse/dataset:mlma-hate-speech/en"): the model's language offset moves one language's
    scores against the other's, which says nothing about how it ranks either."""
    languages: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        languages[(row.task, row.dataset)].add(row.language)
    found: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        found[f"{row.task}/{row.language}"].append(index)
        found[f"{row.task}/dataset:{row.dataset}"].append(index)
        if len(languages[(row.task, row.dataset)]) > 1:
            found[f"{row.task}/dataset:{row.dataset}/{row.language}"].append(index)
    return {name: np.array(indexes) for name, indexes in sorted(found.items())}


def score_rows(scorer, rows: list[Example], quiet: bool = False) -> dict[str, np.ndarray]:
    spam, abuse = [], []
    for row in tqdm(rows, desc="scoring", file=sys.stderr, disable=quiet, leave=False,
                    mininterval=0.5):
        score = scorer.score(row.text)
        spam.append(score.spam)
        abuse.append(score.abuse)
    return {"spam": np.array(spam), "abuse": np.array(abuse)}


def evaluated_rows(rows: list[Example]) -> list[Example]:
    """The rows `evaluate` measures: identity-neutral rows (clean headlines naming a group)
    train the abuse head; evaluated they would flatter it (the bias figures measure what they
    are for)."""
    return [r for r in rows if r.task in TASKS and not is_identity_neutral(r)]


def evaluate(scorer, rows: list[Example], baseline=None, quiet: bool = False,
             scores: dict | None = None) -> dict:
    """Metrics per slice for the scorer (and the baseline, when given) on `rows`; `scores`:
    `score_rows(scorer, evaluated_rows(rows))` when the caller has them already."""
    rows = evaluated_rows(rows)
    scores = scores if scores is not None else score_rows(scorer, rows, quiet)
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


def worse_slices(candidate: dict, active: dict, tolerance: float,
                 within_noise=None) -> list[str]:
    """Slices where the candidate's ROC-AUC or PR-AUC falls below the active model's by more
    than `tolerance`, as sentences naming the slice. `within_noise(name, metric)`, when given,
    says whether such a drop is one the slice's own sampling noise could make
    (`drop_within_noise`): those are not counted."""
    problems = []
    for name, entry in active["slices"].items():
        theirs = entry["model"]
        ours = candidate["slices"].get(name, {}).get("model", {})
        for metric in ("roc_auc", "pr_auc"):
            if metric in theirs and metric in ours and ours[metric] < theirs[metric] - tolerance:
                if within_noise is not None and within_noise(name, metric):
                    continue
                problems.append(f"{name}: {metric} {ours[metric]:.4f} < active "
                                f"{theirs[metric]:.4f} - {tolerance}")
    return problems


BOOTSTRAP_RESAMPLES = 500
NOISE_SHARE = 0.05  # a drop seen in fewer resamples than this is beyond the slice's noise
# A bootstrap of fewer rows misstates its own spread (a handful of misranked pairs is in or
# out of a resample): below this the tolerance alone decides, as it always did.
BOOTSTRAP_MIN_ROWS = 200


def drop_within_noise(labels: np.ndarray, ours: np.ndarray, theirs: np.ndarray, metric: str,
                      tolerance: float, seed: int = 0) -> bool:
    """Whether the candidate's drop on a slice could be sampling noise: in a paired bootstrap
    of the slice's rows (both models scored on each resample), the candidate's metric is no
    more than `tolerance` below the active model's in at least NOISE_SHARE of the resamples.
    A slice of a few hundred rows (Fox News' comments) moves by ±0.03 between resamples."""
    if len(labels) < BOOTSTRAP_MIN_ROWS:
        return False
    measure = roc_auc_score if metric == "roc_auc" else average_precision_score
    rng = np.random.default_rng(seed)
    kept = 0
    usable = 0
    for _ in range(BOOTSTRAP_RESAMPLES):
        sample = rng.integers(0, len(labels), len(labels))
        if not 0 < labels[sample].sum() < len(sample):
            continue
        usable += 1
        kept += measure(labels[sample], ours[sample]) >= (
            measure(labels[sample], theirs[sample]) - tolerance)
    return usable > 0 and kept / usable >= NOISE_SHARE


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
