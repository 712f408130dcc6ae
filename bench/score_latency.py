"""Latency of scoring one comment at a time: the compiled scorer (what the service runs: every
head, spam, abuse and the attribute heads the model has, normalisation included, explanations
for the heads over their hold threshold; also shown with every head always explained) against
the scikit-learn pipeline it was compiled from (every head's probability, no explanations),
measured in the same run.

    python bench/score_latency.py [--model DIR] [--baseline DIR] [--comments N] [--data DIR]

`--baseline DIR` also times another model (an earlier one, say the model a budget was set
with) on the same comments in the same run, and prints this model's p50s as ratios of its:
the budget's microseconds hold on the machine they were measured on, a ratio on any.

Comments come from the evaluation split of the Arabic news comments and YouTube/SMS data when
the dataset folder is present (HAKAM_DATASETS, default ../shared/datasets beside the
repository), else from a
fixed list of made-up comments. The scikit-learn pipeline is rebuilt exactly from the compiled
model, so no second copy of the model needs to be shipped.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from pathlib import Path

from hakam.model import Scorer
from hakam.model.normalize import normalize
from hakam.training.train import Pipeline

REPOSITORY = Path(__file__).resolve().parents[1]
BUDGET_P50 = 250  # µs per comment, every head with explanation (issues 4 and 23)
FALLBACK = [
    "مقال رائع شكرا للكاتب على هذا التحليل الدقيق للوضع الاقتصادي في المنطقة",
    "انت حقير وكلب ولا تفهم شيئا في السياسة يا جاهل",
    "الله يحفظ بلادنا من كل شر، والحكومة يجب ان تتحمل مسؤوليتها تجاه المواطنين",
    "Check out my channel for free giftcards!!! http://bit.ly/free-stuff subscribe",
    "This song brings back so many memories, love it",
    "you are a stupid idiot and everyone knows it",
    "ربح مضمون من البيت تواصل واتساب 0501234567",
    "والله كلام صحيح مية بالمية",
]


def default_data() -> Path:
    """HAKAM_DATASETS, else ../shared/datasets beside the clone (or beside a worktree's parent)."""
    if os.environ.get("HAKAM_DATASETS"):
        return Path(os.environ["HAKAM_DATASETS"])
    candidates = [REPOSITORY.parent / "shared" / "datasets",
                  REPOSITORY.parent.parent / "shared" / "datasets"]
    return next((path for path in candidates if path.is_dir()), candidates[0])


def comments(data: Path, count: int) -> list[str]:
    if not data.is_dir():
        return (FALLBACK * (count // len(FALLBACK) + 1))[:count]
    from hakam.training import datasets

    rows = []
    for name in ("mubarak2017-aljazeera-comments", "youtube-spam", "sms-spam-collection"):
        if (data / name).is_dir():
            rows.extend(datasets.load_dataset(data, name))
    prepared = [r.text for r in datasets.prepare(rows) if r.split == "evaluation"]
    # mostly news comments, like the first site's traffic
    news = [r for r in prepared if datasets.language_of(r) == "ar"]
    other = [r for r in prepared if datasets.language_of(r) != "ar"]
    mixed = news[: int(count * 0.7)] + other[: count - int(count * 0.7)]
    return mixed or FALLBACK


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def time_each(function, texts: list[str], rounds: int) -> list[float]:
    for text in texts[:50]:  # warm caches
        function(text)
    samples = []
    gc.disable()
    try:
        for _ in range(rounds):
            for text in texts:
                start = time.perf_counter_ns()
                function(text)
                samples.append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.enable()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model folder (default: the shipped one)")
    parser.add_argument("--baseline", default=None,
                        help="another model folder, timed in the same run for ratios")
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", type=Path, default=default_data())
    args = parser.parse_args()

    started = time.perf_counter()
    scorer = Scorer.load(args.model)
    load_seconds = time.perf_counter() - started
    import joblib

    pipeline = Pipeline.from_compiled(joblib.load(scorer.path))
    texts = comments(args.data, args.comments)

    compiled = time_each(scorer.score, texts, args.rounds)
    explained = time_each(lambda text: scorer.score(text, explain_all=True), texts, args.rounds)
    normalizing = time_each(normalize, texts, 1)
    sklearn = time_each(lambda text: pipeline.predict([text]), texts, 1)
    compiled_p50, compiled_p99 = percentiles(compiled)
    sklearn_p50, sklearn_p99 = percentiles(sklearn)
    explained_p50, explained_p99 = percentiles(explained)
    normalize_p50, _ = percentiles(normalizing)
    size = scorer.path.stat().st_size / 1e6
    print(f"model {scorer.version}: {size:.1f} MB, loaded in {load_seconds * 1000:.0f} ms; "
          f"heads: spam, abuse{''.join(', ' + name for name in sorted(scorer.attribute_heads))}")
    print(f"comments: {len(texts)} (median {statistics.median(map(len, texts)):.0f} characters)")
    print(f"compiled scorer      p50 {compiled_p50:8.1f} µs   p99 {compiled_p99:8.1f} µs")
    print(f"  (explaining every head of every comment: p50 {explained_p50:8.1f} µs   "
          f"p99 {explained_p99:8.1f} µs)")
    print(f"scikit-learn pipeline p50 {sklearn_p50:8.1f} µs   p99 {sklearn_p99:8.1f} µs")
    print(f"ratio (scikit-learn / compiled): p50 {sklearn_p50 / compiled_p50:.1f}x, "
          f"p99 {sklearn_p99 / compiled_p99:.1f}x; explaining every head: "
          f"p50 {sklearn_p50 / explained_p50:.1f}x, p99 {sklearn_p99 / explained_p99:.1f}x")
    print(f"of which normalisation alone: p50 {normalize_p50:.1f} µs "
          f"({normalize_p50 / compiled_p50:.0%} of the compiled p50)")
    print(f"budget (every head explained, p50 <= {BUDGET_P50} µs): "
          f"{'met' if explained_p50 <= BUDGET_P50 else 'NOT met'}")
    if args.baseline:
        compare_with_baseline(scorer, Scorer.load(args.baseline), texts, args.rounds)


def compare_with_baseline(scorer: Scorer, baseline: Scorer, texts: list[str],
                          rounds: int) -> None:
    """Both models timed round by round in turns (a machine's drift then falls on both)."""
    samples: dict[tuple[str, bool], list[float]] = {}
    for _ in range(rounds):
        for name, model in (("this", scorer), ("baseline", baseline)):
            for explain in (False, True):
                samples.setdefault((name, explain), []).extend(time_each(
                    lambda text, model=model, explain=explain: model.score(
                        text, explain_all=explain), texts, 1))
    p50 = {key: percentiles(values)[0] for key, values in samples.items()}
    heads = 2 + len(baseline.attribute_heads)
    print(f"baseline model {baseline.version} ({heads} heads), timed in turns with this one: "
          f"compiled p50 {p50['baseline', False]:.1f} µs (this {p50['this', False]:.1f}), "
          f"every head explained p50 {p50['baseline', True]:.1f} µs "
          f"(this {p50['this', True]:.1f})")
    print(f"ratio (this model / baseline): compiled "
          f"{p50['this', False] / p50['baseline', False]:.2f}x, every head explained "
          f"{p50['this', True] / p50['baseline', True]:.2f}x")


if __name__ == "__main__":
    main()
