"""Making a trained model the active one, only when it is not worse than the active one.

Owns the promotion gate and where promoted models live: `promote` evaluates the candidate and
the active model on the same fixed evaluation rows; if the candidate's ROC-AUC or PR-AUC is
lower by more than the tolerance on any task × language or task × dataset slice (a head
trained with one intercept per dataset is compared per dataset, not pooled, and must then
hold no more neutral mentions of groups: `pooled_slices_left_out`), or its
cross-source figures (the `cross_source` section of the evaluation.json beside each model:
the recipe trained without a source group and scored on it) are worse on any held-out group,
it refuses and names them (unless forced). On success it copies the candidate into
`<data dir>/models/<version>/`, appends a line to `<data dir>/promotions.jsonl` (forced
promotions say so, with the slices they overrode) and points `<data dir>/active-model` at it,
which `Scorer.load()` honours. Never edits the shipped model or the candidate's folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hakam.model import Scorer
from hakam.model.scorer import ACTIVE_MODEL_FILE, MODEL_FILE, data_dir, resolve_model_path

from . import crosssource, datasets, evaluate

TOLERANCE = 0.005
MIN_SLICE_ROWS = 20  # smaller slices are too noisy to block a promotion
PROMOTION_LOG = "promotions.jsonl"


class PromotionRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Promotion:
    version: str
    path: Path
    forced: bool
    overridden: list[str] = field(default_factory=list)


def evaluation_rows(data: str | Path | None, *scorers: Scorer) -> list[datasets.Example]:
    """The evaluation split of every dataset (and extra file) any of the models trained on,
    gathered the way training gathered them."""
    heads: dict[str, dict] = {task: {} for task in datasets.HEADS}
    extras: dict[str, None] = {}
    for scorer in scorers:
        recipe = scorer.metadata.get("recipe", {})
        for task in datasets.HEADS:
            heads[task].update(recipe.get("datasets", {}).get(task, {}))
        extras.update(dict.fromkeys(p for p in scorer.metadata.get("extras", [])
                                    if Path(p).is_file()))
    rows = datasets.raw_examples(data, heads, list(extras))
    return [r for r in datasets.prepare(rows) if r.split == "evaluation"]


def cross_source_figures(scorer: Scorer) -> dict | None:
    """The cross-source section of the evaluation report beside a model, if it has one."""
    report = Path(scorer.path).parent / "evaluation.json" if scorer.path else None
    if report is None or not report.is_file():
        return None
    try:
        return json.loads(report.read_text(encoding="utf-8")).get("cross_source") or None
    except (OSError, ValueError):
        return None


def cross_source_problems(candidate: Scorer, active: Scorer, tolerance: float) -> list[str]:
    """How the candidate's recipe does worse than the active model's on held-out source
    groups (crosssource.worse_groups); a candidate without figures cannot replace an active
    model that has them."""
    theirs = cross_source_figures(active)
    if theirs is None:
        return []
    ours = cross_source_figures(candidate)
    if ours is None:
        return ["cross-source: the candidate has no cross-source figures (train it with "
                "--cross-source) and the active model has"]
    problems = []
    for group, entry in theirs.items():  # a figure the active model has and the candidate lacks
        mine = (ours.get(group) or {}).get("model", {})
        for task in ("abuse", "spam"):
            if task in entry.get("model", {}) and task not in mine:
                problems.append(f"held-out {group}: the candidate has no {task} figures "
                                "(hakam evaluate --holdout-source GROUP --record) and the "
                                "active model has")
    return problems + crosssource.worse_groups(ours, theirs, tolerance)


def _small(report: dict, pooled_left_out: frozenset[str] = frozenset()) -> dict:
    """The slices the gate compares: at least MIN_SLICE_ROWS rows; no pooled language slice
    of a head in `pooled_left_out`; and a dataset in two languages by each language alone
    (its pooled slice mixes two languages the model's language offset shifts apart)."""
    names = report["slices"]
    split_by_language = {name.rsplit("/", 1)[0] for name in names if name.count("/") == 2}
    return {"slices": {name: entry for name, entry in names.items()
                       if entry["model"]["n"] >= MIN_SLICE_ROWS
                       and name not in split_by_language
                       and not (name.split("/")[0] in pooled_left_out and "dataset:" not in name)}}


def pooled_slices_left_out(candidate: Scorer) -> frozenset[str]:
    """The heads whose pooled language slices (abuse/ar, abuse/en) the gate does not compare:
    those the candidate trained with one intercept per dataset (recipe `[bias]
    dataset_intercepts`). A pooled slice mixes datasets whose base rates differ (Aljazeera
    comments four in five abusive, OSACT's tweets one in five), and a model scores it higher
    the better it tells the datasets apart by their topic words: exactly what those intercepts
    take out of the model, and what made it hold comments for naming a group. Each dataset's
    own slice and every held-out group are still compared, and the bias figures must not get
    worse (`bias_problems`)."""
    recipe = candidate.metadata.get("recipe") or {}
    return frozenset(recipe.get("bias", {}).get("dataset_intercepts", ()))


def bias_problems(candidate: Scorer, active: Scorer, tolerance: float) -> list[str]:
    """When pooled slices are left out: the candidate must hold no larger share of neutral
    mentions of groups than the active model, on the same sentences."""
    from . import bias

    def held(scorer: Scorer) -> float:
        return bias.neutral_mentions(lambda texts: [scorer.score(t).abuse for t in texts],
                                     scorer.thresholds.abuse_hold)["held_share"]

    ours, theirs = held(candidate), held(active)
    if ours > theirs + tolerance:
        return [f"neutral mentions of groups held: {ours:.4f} vs active {theirs:.4f}"]
    return []


def _noise_check(measured, our_scores: dict, their_scores: dict, tolerance: float):
    """`within_noise(slice, metric)` for evaluate.worse_slices: a paired bootstrap of the
    slice's rows with both models' scores (evaluate.drop_within_noise). A drop beyond the
    tolerance that the slice's sampling noise could make does not refuse a model; one that it
    could not still does."""
    labels = np.array([row.label for row in measured])
    ours = np.array([our_scores[row.task][i] for i, row in enumerate(measured)])
    theirs = np.array([their_scores[row.task][i] for i, row in enumerate(measured)])
    indexes = evaluate.slices(measured)

    def within_noise(name: str, metric: str) -> bool:
        index = indexes[name]
        return evaluate.drop_within_noise(labels[index], ours[index], theirs[index], metric,
                                          tolerance)
    return within_noise


def promote(candidate_path: str | Path, data: str | Path | None = None, *, force: bool = False,
            tolerance: float = TOLERANCE, quiet: bool = True) -> Promotion:
    candidate = Scorer.load(candidate_path)
    try:
        active = Scorer.load(None)
    except FileNotFoundError:  # nothing active and nothing shipped: nothing to compare with
        active = candidate
    data = data or candidate.metadata.get("data_dir")
    problems: list[str] = []
    if candidate.version != active.version:
        try:
            rows = evaluation_rows(data, candidate, active)
        except datasets.DatasetError as error:
            rows, problems = [], [f"cannot evaluate: {error}"]
        if rows:
            measured = evaluate.evaluated_rows(rows)
            our_scores = evaluate.score_rows(candidate, measured, quiet)
            their_scores = evaluate.score_rows(active, measured, quiet)
            ours = evaluate.evaluate(candidate, rows, quiet=quiet, scores=our_scores)
            theirs = evaluate.evaluate(active, rows, quiet=quiet, scores=their_scores)
            left_out = pooled_slices_left_out(candidate)
            problems = evaluate.worse_slices(
                _small(ours, left_out), _small(theirs, left_out), tolerance,
                _noise_check(measured, our_scores, their_scores, tolerance))
            if left_out:
                problems += bias_problems(candidate, active, tolerance)
        elif not problems:
            problems = ["cannot evaluate: no evaluation rows"]
        problems += cross_source_problems(candidate, active, tolerance)
    if problems and not force:
        raise PromotionRefused(problems)

    home = data_dir()
    target = home / "models" / candidate.version
    target.mkdir(parents=True, exist_ok=True)
    source = resolve_model_path(candidate_path).parent
    for item in source.iterdir():
        if item.is_file() and item.suffix in (".joblib", ".md", ".json"):
            shutil.copy2(item, target / item.name)
    entry = {
        "promoted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": candidate.version,
        "from": str(source.resolve()),
        "previous": active.version,
        "forced": bool(force and problems),
        "overridden": problems if force else [],
    }
    (target / "promotion.json").write_text(json.dumps(entry, indent=2), encoding="utf-8")
    with open(home / PROMOTION_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
    pointer = home / ACTIVE_MODEL_FILE
    temporary = pointer.with_suffix(".tmp")
    temporary.write_text(str(target / MODEL_FILE) + "\n", encoding="utf-8")
    os.replace(temporary, pointer)  # atomic: a starting worker never reads half a path
    return Promotion(candidate.version, target, entry["forced"], entry["overridden"])
