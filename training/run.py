"""One training run, start to finish: gather the data, fit every head (train.fit), compile
and write the model folder, evaluate it (evaluation split, attribute heads, bias per identity
term, HateCheck, ordinary comments, the replaced model's figures for before → after, and the
cross-source groups), and write evaluation.json, evaluation.md and MODEL_CARD.md.

Owns the order of a run and what the folder holds. Fitting is train.py's and holding groups
out crosssource.py's; this module is the one that uses both (so neither imports the other).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import joblib
import numpy as np

from hakam.model import Scorer
from hakam.model.attributes import ATTRIBUTE_LANGUAGES, ATTRIBUTES
from hakam.model.scorer import MODEL_FILE

from . import bias, crosssource, diagnostics, evaluate, report
from .datasets import Example
from .train import (
    HEADS,
    PIPELINE_FILE,
    compile_model,
    fit,
    gather,
    load_recipe,
    normalize_all,
    train_baseline,
)


def train(data_dir, out, recipe_path=None, extras=(), quiet=False, *,
          cross_source: bool | None = None, ordinary_comments=None, jobs: int = 1) -> dict:
    """Train, evaluate and write a model folder: model.joblib (compiled), pipeline.joblib,
    evaluation.json, evaluation.md, MODEL_CARD.md. Returns the evaluation report.

    The report also holds HateCheck pass rates (when the data folder has the suites), the
    ordinary-comments diagnostic (when `ordinary_comments` names the fixture) and, when
    `cross_source` (default: the recipe's `[cross_source] enabled`), the figures of the
    recipe and the baseline trained without each source group (one more training per group:
    this multiplies the time a training takes)."""
    recipe = load_recipe(recipe_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if quiet else (lambda m: print(m, file=sys.stderr))

    examples = gather(data_dir, recipe, extras, quiet)
    normalized = normalize_all(examples, quiet)
    heads = tuple(task for task in HEADS if any(e.task == task for e in examples))
    fitted = fit(examples, normalized, recipe, quiet, tasks=heads)
    pipeline, thresholds, threshold_notes = (fitted.pipeline, fitted.thresholds,
                                             fitted.threshold_notes)
    train_rows = [e for e in examples if e.split == "train"]
    features = recipe.get("features", {})
    say(f"thresholds: {thresholds.as_dict()}")

    baseline = None
    if recipe.get("baseline", {}).get("enabled", True):
        say("fitting the plain baseline")
        baseline = train_baseline(train_rows, features, quiet)

    metadata = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "recipe": recipe,
        "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
        "extras": [str(Path(p).resolve()) for p in extras],
        "sizes": _sizes(examples),
        # what each site's labels taught as its own intercept, left out of the model
        "site_bias": {task: {source: round(float(np.mean(
            [member.site_bias.get(source, 0.0) for member in members])), 4)
            for source in sorted({s for m in members for s in m.site_bias})}
            for task, members in pipeline.heads.items()},
        "thresholds_chosen_on": "calibration split",
        "threshold_notes": threshold_notes,
        "promotion": None,
    }
    # an attribute head reads the languages its labels came in (of those the product allows)
    languages = {task: sorted({e.language for e in examples if e.task == task}
                              & ATTRIBUTE_LANGUAGES[task]) for task in heads
                 if task in ATTRIBUTES}
    model = compile_model(pipeline, thresholds, metadata, languages)
    joblib.dump(model, out / MODEL_FILE, compress=3)
    joblib.dump(pipeline, out / PIPELINE_FILE, compress=3)
    if baseline is not None:
        joblib.dump(baseline, out / "baseline.joblib", compress=3)

    say("evaluating on the evaluation split")
    scorer = Scorer.load(out)
    evaluation_rows = [e for e in examples if e.split == "evaluation"]
    result = evaluate.evaluate(scorer, evaluation_rows, baseline=baseline, quiet=quiet)
    result["attributes"] = evaluate.attributes(scorer, evaluation_rows, quiet=quiet)
    result["bias"] = bias.report(scorer, evaluation_rows, normalized)
    result["thresholds"] = thresholds.as_dict()
    result["language_offset"] = model.get("language_offset", {})
    result["threshold_notes"] = threshold_notes
    result["sizes"] = metadata["sizes"]
    result["model_version"] = scorer.version
    if data_dir:
        result["hatecheck"] = diagnostics.hatecheck(scorer, data_dir)
    if ordinary_comments:
        result["ordinary_comments"] = diagnostics.ordinary_comments(scorer, ordinary_comments)
    result["previous"] = _previous_figures(evaluation_rows, normalized, ordinary_comments)
    if cross_source is None:
        cross_source = bool(recipe.get("cross_source", {}).get("enabled", False))
    if cross_source and data_dir:
        say("cross-source: training once per held-out source group")
        result["cross_source"] = crosssource.holdout_all(
            data_dir, recipe, examples=examples, normalized=normalized, jobs=jobs, quiet=quiet,
            baseline=bool(recipe.get("cross_source", {}).get("baseline", True)))
    (out / "evaluation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False),
                                        encoding="utf-8")
    (out / "evaluation.md").write_text(report.evaluation_markdown(result), encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(
        report.model_card(result, recipe, data_dir, result["previous"]), encoding="utf-8")
    return result


def _previous_figures(evaluation_rows, normalized, ordinary_comments) -> dict | None:
    """The model this one would replace (the active one, else the shipped one), measured on
    the same bias sentences, evaluation rows and ordinary comments: the card's "before"."""
    try:
        previous = Scorer.load()
    except (FileNotFoundError, ValueError):
        return None
    figures = {"version": previous.version,
               "bias": bias.report(previous, evaluation_rows, normalized)}
    if ordinary_comments:
        figures["ordinary_comments"] = {
            key: {k: v for k, v in entry.items() if not k.endswith("_texts")}
            for key, entry in diagnostics.ordinary_comments(previous, ordinary_comments).items()}
    return figures


def _sizes(examples: list[Example]) -> dict:
    sizes: dict = defaultdict(lambda: defaultdict(Counter))
    for e in examples:
        sizes[e.task][e.dataset][f"{e.split}_{'positive' if e.label else 'negative'}"] += 1
    return {task: {name: dict(counts) for name, counts in by_name.items()}
            for task, by_name in sizes.items()}
