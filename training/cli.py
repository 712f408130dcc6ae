"""The model commands of `hakam`: score, train, evaluate, model promote.

`register(main)` adds them to the service's click group. This module imports only click and
hakam.model at import time: `hakam score` and every service command must work without loading
scikit-learn, so training modules are imported inside the commands that need them.

`hakam score` contract: one JSON line out per non-blank line in, in order, written and flushed
as each line is scored (it streams; memory stays flat however long the input). A line that is
not a JSON object with a string "text" gets `{"error": "..."}` in its place and the stream goes
on; the count of such lines is said on standard error and the exit status is then 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hakam.model import Scorer

# The held-out source groups (hakam.training.crosssource.GROUPS), named here so that `hakam`
# starts without importing scikit-learn; a test keeps the two lists equal.
GROUPS = ("arabic-news-comments", "arabic-tweets", "levantine", "maghrebi", "english-tweets",
          "english-comments")
TASKS = ("spam", "abuse")  # hakam.training.datasets.TASKS, named here for the same reason


def _say(message: str) -> None:
    click.echo(message, err=True)


def _load(path: str | None) -> Scorer:
    try:
        return Scorer.load(path)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot load the model: {error}") from None


def _reason(reason, explain: bool) -> dict:
    if not explain:
        return {"code": reason.code, "task": reason.task}
    return {"code": reason.code, "message": reason.message, "task": reason.task,
            "spans": [list(span) for span in reason.spans], "weight": reason.weight}


@click.command("score")
@click.option("--model", "model_path", type=click.Path(exists=True),
              help="A trained model folder or file (default: the active model).")
@click.option("--explain", is_flag=True,
              help="Explain every head (not only those over their hold threshold), with each "
                   "reason's message, spans and weight.")
def score_command(model_path: str | None, explain: bool) -> None:
    """Score JSONL {"text": ...} from standard input; one JSON line out per line in.

    Example:

    \b
        echo '{"text": "يا حمار"}' | hakam score --explain
    """
    scorer = _load(model_path)
    thresholds = scorer.thresholds
    failures = 0
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise ValueError('expected a JSON object with a string "text"')
        except ValueError as error:  # json.JSONDecodeError is a ValueError
            failures += 1
            out.write(json.dumps({"error": f"line {number}: {error}"}) + "\n")
            out.flush()
            continue
        score = scorer.score(text, explain_all=explain)
        out.write(json.dumps({
            "spam": round(score.spam, 6),
            "abuse": round(score.abuse, 6),
            # null: no head for this attribute reads the comment's language
            **{name: None if value is None else round(value, 6)
               for name, value in score.attributes.items()},
            "decision": thresholds.decide(score.spam, score.abuse),
            "reasons": [_reason(r, explain) for r in score.reasons],
        }, ensure_ascii=False) + "\n")
        out.flush()
    if failures:
        _say(f"{failures} line(s) could not be scored (see the error lines)")
        sys.exit(1)


@click.command("train")
@click.option("--recipe", type=click.Path(exists=True, dir_okay=False),
              help="Recipe TOML (default: training/recipes/default.toml).")
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
              help="Folder with the datasets the recipe names (layout of ../shared/datasets).")
@click.option("--extra", "extras", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="CSV or JSONL with text,task,label (e.g. `hakam labels export`); repeatable.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the model, evaluation and model card into.")
@click.option("--cross-source/--no-cross-source", default=None,
              help="Also train once per source group held out and report how the recipe and "
                   "the baseline do on it (default: the recipe's [cross_source] enabled). "
                   "Promotion compares these figures; each group is one more training.")
@click.option("--ordinary-comments", type=click.Path(exists=True, dir_okay=False),
              help="JSONL of ordinary reader comments (tests/model/ordinary_comments.jsonl) "
                   "to report how many the model would reject or hold.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Cross-source trainings run at once (each takes one core and ~3 GB).")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def train_command(recipe, data_dir, extras, out, cross_source, ordinary_comments, jobs,
                  quiet) -> None:
    """Train both heads, evaluate them and write the model folder.

    Example:

    \b
        hakam train --data ../shared/datasets --extra labels.jsonl --out runs/next
    """
    from . import datasets, run

    try:
        result = run.train(data_dir, out, recipe, extras, quiet=quiet,
                             cross_source=cross_source, ordinary_comments=ordinary_comments,
                             jobs=jobs)
    except datasets.DatasetError as error:
        raise click.ClickException(str(error)) from None
    _say(f"model {result['model_version']} written to {out} "
         f"(thresholds {result['thresholds']}); see {out}/evaluation.md")


@click.command("evaluate")
@click.option("--model", "model_path", type=click.Path(exists=True),
              help="A trained model folder or file (default: the active model).")
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--holdout-source", "holdout", multiple=True,
              type=click.Choice([*GROUPS, "all"]),
              help="Train the model's recipe without this source group and score the group "
                   "(recipe and baseline; repeatable, or all). Each group is one training.")
@click.option("--ordinary-comments", type=click.Path(exists=True, dir_okay=False),
              help="JSONL of ordinary reader comments to report rejections and holds on.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Held-out groups trained at once (each takes one core and ~3 GB).")
@click.option("--holdout-head", "holdout_heads", multiple=True, type=click.Choice(TASKS),
              help="Fit only this head per held-out group (repeatable; default both): the "
                   "abuse head alone takes about a third of the time.")
@click.option("--record", is_flag=True,
              help="Also add these figures to the report beside the model (evaluation.json, "
                   "evaluation.md, MODEL_CARD.md), where promotion reads them.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def evaluate_command(model_path, data_dir, holdout, ordinary_comments, jobs, holdout_heads,
                     record, as_json, quiet) -> None:
    """Per-dataset and per-language ROC-AUC, PR-AUC and precision/recall at the thresholds,
    on the fixed evaluation split of the datasets the model was trained on; each attribute
    head on its own labels; unintended bias per identity term (neutral mentions held, and
    subgroup / BPSN / BNSP AUC); HateCheck pass rates when the data folder holds the suites;
    cross-source figures on request.

    Example:

    \b
        hakam evaluate --model runs/next --data ../shared/datasets
        hakam evaluate --data ../shared/datasets --holdout-source arabic-news-comments
    """
    from . import bias, crosssource, datasets, diagnostics, evaluate, promote, report

    scorer = _load(model_path)
    try:
        rows = promote.evaluation_rows(data_dir, scorer)
    except datasets.DatasetError as error:
        raise click.ClickException(str(error)) from None
    if not rows:
        raise click.ClickException("no evaluation rows: the model names no dataset found there")
    result = evaluate.evaluate(scorer, rows, quiet=quiet)
    result["attributes"] = evaluate.attributes(scorer, rows, quiet=quiet)
    result["bias"] = bias.report(scorer, rows)
    result["thresholds"] = scorer.thresholds.as_dict()
    result["model_version"] = scorer.version
    result["hatecheck"] = diagnostics.hatecheck(scorer, data_dir)
    if ordinary_comments:
        result["ordinary_comments"] = diagnostics.ordinary_comments(scorer, ordinary_comments)
    if holdout:
        groups = list(GROUPS) if "all" in holdout else list(dict.fromkeys(holdout))
        recipe = scorer.metadata.get("recipe") or {}
        extras = [p for p in scorer.metadata.get("extras", []) if Path(p).is_file()]
        try:
            result["cross_source"] = crosssource.holdout_all(
                data_dir, recipe, groups, extras=extras, jobs=jobs, quiet=quiet,
                tasks=tuple(t for t in TASKS if t in holdout_heads) or TASKS,
                baseline=bool(recipe.get("cross_source", {}).get("baseline", True)))
        except datasets.DatasetError as error:
            raise click.ClickException(str(error)) from None
    if record:
        _record(scorer, result)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(f"model {scorer.version}, thresholds {result['thresholds']}")
        click.echo(report.evaluation_markdown(result))


def _record(scorer: Scorer, result: dict) -> None:
    """Add the diagnostics just measured to the report beside the model (evaluation.json, and
    evaluation.md and MODEL_CARD.md written again from it); training's own figures stay."""
    from . import report

    folder = Path(scorer.path).parent
    path = folder / "evaluation.json"
    if not path.is_file():
        raise click.ClickException(f"{path} does not exist: --record adds to a training's report")
    recorded = json.loads(path.read_text(encoding="utf-8"))
    if recorded.get("model_version") != scorer.version:
        raise click.ClickException(f"{path} reports another model than {scorer.path}")
    for key in ("hatecheck", "ordinary_comments", "attributes", "bias"):
        if result.get(key):
            recorded[key] = result[key]
    if result.get("cross_source"):  # groups measured now join (or replace) those recorded
        recorded["cross_source"] = {**(recorded.get("cross_source") or {}),
                                    **result["cross_source"]}
    path.write_text(json.dumps(recorded, indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / "evaluation.md").write_text(report.evaluation_markdown(recorded), encoding="utf-8")
    (folder / "MODEL_CARD.md").write_text(
        report.model_card(recorded, scorer.metadata.get("recipe") or {},
                          scorer.metadata.get("data_dir"), recorded.get("previous")),
        encoding="utf-8")
    _say(f"recorded in {path}, evaluation.md and MODEL_CARD.md")


@click.group("model")
def model_group() -> None:
    """The active model.

    Example:

    \b
        hakam model show
    """


@model_group.command("promote")
@click.argument("path", type=click.Path(exists=True))
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
              help="Dataset folder for the evaluation (default: the one the model trained on).")
@click.option("--force", is_flag=True, help="Promote even if worse; recorded in the log.")
@click.option("--tolerance", default=0.005, show_default=True, type=click.FloatRange(0, 1),
              help="Largest allowed drop in ROC-AUC or PR-AUC on any slice.")
def promote_command(path, data_dir, force, tolerance) -> None:
    """Make a trained model the active one if it is not worse on any slice.

    Example:

    \b
        hakam model promote runs/next
    """
    from . import promote

    try:
        result = promote.promote(path, data_dir, force=force, tolerance=tolerance, quiet=False)
    except promote.PromotionRefused as refused:
        for problem in refused.problems:
            _say(f"worse on {problem}")
        raise click.ClickException(
            f"not promoted: worse than the active model on {len(refused.problems)} slice(s); "
            "use --force to override (it is recorded)") from None
    if result.forced:
        _say(f"forced over: {'; '.join(result.overridden)} (recorded)")
    _say(f"model {result.version} is now active ({result.path})")
    click.echo(result.version)


@model_group.command("show")
def show_command() -> None:
    """Print the active model's version, path and thresholds.

    Example:

    \b
        hakam model show
    """
    scorer = _load(None)
    click.echo(json.dumps({"version": scorer.version, "path": str(scorer.path),
                           "thresholds": scorer.thresholds.as_dict()}))


def register(main: click.Group) -> None:
    for command in (score_command, train_command, evaluate_command, model_group):
        main.add_command(command)
