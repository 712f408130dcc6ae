"""Scoring latency with and without a site adapter: the compiled scorer on the same comments,
shipped model alone against the shipped model with a site's columns, measured in one run
(interleaved rounds, so that the machine's drift hits both alike).

The adapter is fitted here on a site's labels (2,000 Stormfront sentences when the dataset
folder is present, else made-up labels over the fallback comments), for the abuse head as the
replayed sites have it (their decisions hold no spam); `--both-heads` adapts spam too, on labels
made up from the abuse ones. Also prints the memory a compiled site takes. The default path
explains a head only at its hold threshold, so an adapter that moves scores moves how many
comments are explained; the "explained" rows (both heads always) compare equal work.

    python bench/adapter_latency.py [--comments 2000] [--rounds 3] [--labels 2000] [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.score_latency import FALLBACK, comments, default_data, percentiles, time_each  # noqa: E402,I001
from hakam.model import Scorer  # noqa: E402
from hakam.model.adapter import Adapter, HeadAdapter  # noqa: E402
from hakam.training import adapt  # noqa: E402


def site_labels(data: Path, count: int) -> list[adapt.SiteLabel]:
    rows: list[tuple[str, int]] = []
    if (data / "stormfront-hate-speech").is_dir():
        from hakam.training import datasets

        prepared = datasets.prepare(datasets.load_dataset(data, "stormfront-hate-speech"))
        rows = [(row.text, row.label) for row in prepared]
        random.Random(0).shuffle(rows)
    if not rows:
        rng = random.Random(0)
        rows = [(f"{text} {n}", rng.randrange(2)) for n, text in
                enumerate(FALLBACK * (count // len(FALLBACK) + 1))]
    return [adapt.SiteLabel(text, task, label if task == "abuse" else 1 - label, at=float(n))
            for n, (text, label) in enumerate(rows[:count]) for task in ("abuse", "spam")]


def fitted_adapter(scorer: Scorer, labels: list[adapt.SiteLabel],
                   tasks: tuple[str, ...]) -> tuple[Adapter, float]:
    started = time.perf_counter()
    heads = {}
    for task in tasks:
        data = adapt.design(scorer, adapt.latest_labels(labels, task), task)
        fit = adapt.fit_residual(data.X, data.z, data.y, 3.0)
        text = data.columns < scorer.feature_count
        heads[task] = HeadAdapter(fit.alpha, fit.beta, data.columns[text], fit.w[text],
                                  tuple(fit.w[~text]) if task == "spam" else ())
    return Adapter("bench", scorer.version, 1, heads), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--labels", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--both-heads", action="store_true")
    args = parser.parse_args()

    scorer = Scorer.load()
    texts = comments(args.data, args.comments)
    tasks = ("abuse", "spam") if args.both_heads else ("abuse",)
    adapter, fit_seconds = fitted_adapter(scorer, site_labels(args.data, args.labels), tasks)
    started = time.perf_counter()
    site = scorer.compile_adapter(adapter)
    compile_ms = (time.perf_counter() - started) * 1000
    samples: dict[str, list[float]] = {"shipped": [], "adapted": [], "shipped explained": [],
                                       "adapted explained": []}
    for _ in range(args.rounds):  # interleaved: both see the same state of the machine
        samples["shipped"] += time_each(scorer.score, texts, 1)
        samples["adapted"] += time_each(lambda text: scorer.score(text, site=site), texts, 1)
        samples["shipped explained"] += time_each(
            lambda text: scorer.score(text, explain_all=True), texts, 1)
        samples["adapted explained"] += time_each(
            lambda text: scorer.score(text, explain_all=True, site=site), texts, 1)
    weights = sum(len(head.indexes) for head in adapter.heads.values())
    memory = site.table.nbytes  # its word n-grams are rows of the table like the rest
    print(f"model {scorer.version}; adapter of {'+'.join(tasks)} fitted on {args.labels} "
          f"labels per head in "
          f"{fit_seconds:.2f} s, {weights} weights; compiled in {compile_ms:.0f} ms, "
          f"{memory / 1e6:.1f} MB per site per worker")
    print(f"comments: {len(texts)}, rounds: {args.rounds}")
    p50 = {}
    for name, values in samples.items():
        p50[name], p99 = percentiles(values)
        print(f"{name:18} p50 {p50[name]:8.1f} µs   p99 {p99:8.1f} µs")
    print(f"ratio adapted / shipped: p50 {p50['adapted'] / p50['shipped']:.3f}; "
          f"explaining both heads: p50 "
          f"{p50['adapted explained'] / p50['shipped explained']:.3f}")


if __name__ == "__main__":
    main()
