"""A site replayed from a source of the shared datasets: what its adapter gains, label by label.

One source plays a site. Its comments, shuffled, are split into a test set (never labelled)
and a stream. The stream is POSTed to `hakam serve` (real model, real gunicorn, a throwaway
Redis); the site's moderators decide what reaches them (held comments, and audit items drawn at
`--audit-rate` from what was published) by the source's own labels, through the review API.
At each label count asked for, `hakam sites adapt` fits the site's adapter and the whole test
set is POSTed through `POST /v1/comments` (then erased, by its reader, so that it never enters
the queue or the labels); at the start the same is done with the shipped model alone.

Printed per label count: whether the adapter passed its gate, its out-of-fold ROC-AUC on the
site's labels, and on the test set, the shipped model against the adapter: ROC-AUC of the abuse
score, the share of clean comments held at the threshold that holds the recall target of the
abusive ones (a ranking figure: lower is better), and what the service's decisions delivered
(the share of abusive comments kept from publication and of clean ones held, at the threshold
in force), and the update time (the fit, and the whole command with the model load).

Sources: `stormfront` (forum sentences, hate / no hate: a source the shipped model never trained
on, whose line is not the offensive / clean line of its datasets) and `maghrebi` (Moroccan
comments, Vanetik ID11, only the rows outside the model's training split).

    python bench/site_replay.py [--source stormfront|maghrebi|all] [--labels 100,250,...]
        [--test 1500] [--audit-rate R] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import requests  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from bench.score_latency import default_data  # noqa: E402
from bench.wrk_runs import hakam_serving  # noqa: E402
from hakam.service.policy import SitePolicy  # noqa: E402
from hakam.service.store import Store  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402

SITE = "replay"
SOURCES = {
    # name: (dataset, source within it, whether its training-split rows may play too, audit
    # rate, test set size): rates and sizes that let the stream reach 2,000 decisions
    "stormfront": ("stormfront-hate-speech", "stormfront-hate-speech", True, 0.2, 1500),
    "maghrebi": ("vanetik-arabic-offensive-collection",
                 "vanetik-arabic-offensive-collection/ID11", False, 0.3, 1000),
}


def site_rows(data: Path, source: str) -> list[tuple[str, int]]:
    from hakam.training import datasets

    dataset, part, any_split, _audit, _test = SOURCES[source]
    rows = [row for row in datasets.prepare(datasets.load_dataset(data, dataset))
            if row.source == part and (any_split or row.split != "train")]
    random.Random(0).shuffle(rows)
    return [(row.text, row.label) for row in rows]


class Site:
    """The replayed site, seen from outside: its key, its moderator, a session per thread."""

    def __init__(self, base: str, key: str, moderator: str) -> None:
        self.base = base
        self.site = {"Authorization": f"Bearer {key}"}
        self.moderator = {"Authorization": f"Bearer {moderator}"}
        self.session = requests.Session()

    def post(self, text: str, email: str, n: int) -> dict:
        response = requests.post(f"{self.base}/v1/comments", headers=self.site, timeout=30,
                                 json={"comment": text, "author": f"reader {n}",
                                       "email": email, "comment_post_ID": "1"})
        response.raise_for_status()
        return response.json()

    def post_all(self, texts: list[str], email_of, start: int = 0) -> list[dict]:
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda item: self.post(item[1], email_of(item[0]), item[0]),
                                 enumerate(texts, start=start)))

    def claim(self) -> list[dict]:
        response = self.session.post(f"{self.base}/v1/review/claim", headers=self.moderator,
                                     json={"limit": 100, "site": SITE}, timeout=30)
        response.raise_for_status()
        return response.json()["comments"]

    def decide(self, comment_id: str, decision: str) -> None:
        self.session.post(f"{self.base}/v1/review/{comment_id}/decision",
                          headers=self.moderator, json={"decision": decision},
                          timeout=30).raise_for_status()

    def erase(self, email: str) -> None:
        requests.post(f"{self.base}/v1/readers/erase", headers=self.site,
                      json={"email": email}, timeout=300).raise_for_status()


def held_share(labels: np.ndarray, scores: np.ndarray, recall: float) -> float:
    """The share of clean comments scoring above the threshold that holds `recall` of the
    abusive ones."""
    abusive = np.sort(scores[labels == 1])[::-1]
    cut = abusive[max(int(np.ceil(recall * len(abusive))) - 1, 0)]
    return float(np.mean(scores[labels == 0] >= cut))


def evaluate(site: Site, test: list[tuple[str, int]], phase: str, recall: float) -> dict:
    email = f"eval-{phase}@bench.example"
    answers = site.post_all([text for text, _ in test], lambda _n: email)
    site.erase(email)  # out of the queue and the store: the test set is never labelled
    labels = np.array([label for _, label in test])
    scores = np.array([answer["scores"]["abuse"] for answer in answers])
    kept = np.array([answer["status"] != "approved" for answer in answers])
    return {"roc_auc": float(roc_auc_score(labels, scores)),
            "clean_held_at_target": held_share(labels, scores, recall),
            "abusive_kept": float(kept[labels == 1].mean()),
            "clean_held": float(kept[labels == 0].mean()),
            "versions": sorted({answer["model_version"] for answer in answers})}


def adapt(env: dict) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hakam.service.cli", "sites", "adapt", SITE],
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout), time.perf_counter() - started


def replay(source: str, data: Path, counts: list[int], test_size: int, audit_rate: float,
           recall: float, workers: int) -> list[dict]:
    rows = site_rows(data, source)
    test, stream = rows[:test_size], rows[test_size:]
    print(f"\n{source}: {len(rows)} comments ({sum(label for _, label in rows)} abusive): "
          f"{len(test)} to test, {len(stream)} to stream; audit rate {audit_rate}, recall "
          f"target {recall}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="hakam-replay-"))
    redis_server = ThrowawayRedis().start()
    try:
        store = Store.from_url(redis_server.url)
        key, _secret = store.create_site(SITE, language="en")
        moderator = store.create_moderator("replay")
        policy = SitePolicy(audit_rate=audit_rate, abuse_recall=recall, adapt=False)
        store.configure_site(SITE, policy=policy)
        env = {**os.environ, "REDIS_URL": redis_server.url, "HAKAM_DATA_DIR": str(work)}
        env.pop("HAKAM_MODEL", None)
        with hakam_serving(redis_server.url, work, workers, "replay.log") as base:
            site = Site(base, key, moderator)

            def switch(adapting: bool) -> None:
                store.configure_site(SITE, policy=SitePolicy(
                    audit_rate=audit_rate, abuse_recall=recall, adapt=adapting))
                time.sleep(2.2)  # every worker's view of the site is at most 2 s old

            results = [{"labels": 0, "shipped": evaluate(site, test, "shipped", recall)}]
            truth: dict[str, int] = {}
            decided, posted = 0, 0
            for count in counts:
                while decided < count:
                    if posted >= len(stream):
                        print(f"  the stream ran out at {decided} decisions", flush=True)
                        break
                    chunk = stream[posted:posted + 100]
                    answers = site.post_all([text for text, _ in chunk],
                                            lambda n: f"reader{n}@site.example", start=posted)
                    truth.update({a["id"]: label for a, (_, label) in zip(answers, chunk,
                                                                            strict=True)})
                    posted += len(chunk)
                    for item in site.claim():
                        if decided >= count:
                            break
                        site.decide(item["id"], "reject" if truth[item["id"]] else "approve")
                        decided += 1
                if decided < count:
                    break
                switch(True)
                report, wall = adapt(env)
                result = {"labels": decided, "posted": posted, "report": report,
                          "command_seconds": wall,
                          "adapted": evaluate(site, test, f"adapted-{count}", recall)}
                switch(False)
                results.append(result)
                print_row(result, results[0]["shipped"], flush=True)
        return results
    finally:
        redis_server.stop()


def print_row(result: dict, shipped: dict, flush: bool = False) -> None:
    report, adapted = result["report"], result["adapted"]
    auc = report.get("roc_auc") or {}
    print(f"  {result['labels']:5d} labels ({result['posted']} comments streamed): "
          f"{'ACTIVE' if report['active'] else 'refused'}"
          f"  out of fold {auc.get('base', float('nan')):.3f} -> "
          f"{auc.get('adapted', float('nan')):.3f}\n"
          f"        test ROC-AUC {shipped['roc_auc']:.3f} -> {adapted['roc_auc']:.3f};"
          f" clean held at the recall target {shipped['clean_held_at_target']:.3f} -> "
          f"{adapted['clean_held_at_target']:.3f}\n"
          f"        decisions: abusive kept {shipped['abusive_kept']:.3f} -> "
          f"{adapted['abusive_kept']:.3f}, clean held {shipped['clean_held']:.3f} -> "
          f"{adapted['clean_held']:.3f} (threshold {report['threshold']['abuse_hold']:.3f},"
          f" {report['threshold']['chosen_by']})\n"
          f"        update: fit {report['seconds']:.2f} s, whole command "
          f"{result['command_seconds']:.2f} s; versions {', '.join(adapted['versions'])}",
          flush=flush)
    if not report["active"]:
        print(f"        why: {report.get('reason', '')[:200]}", flush=flush)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=[*SOURCES, "all"], default="all")
    parser.add_argument("--labels", default="100,250,500,1000,2000",
                        help="label counts at which to fit and test, comma-separated")
    parser.add_argument("--test", type=int, default=None,
                        help="comments held out as the test (default: per source)")
    parser.add_argument("--audit-rate", type=float, default=None,
                        help="the site's audit rate (default: per source, see SOURCES)")
    parser.add_argument("--recall", type=float, default=0.85)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    counts = sorted(int(n) for n in args.labels.split(","))
    everything = {}
    for source in (list(SOURCES) if args.source == "all" else [args.source]):
        rate = args.audit_rate if args.audit_rate is not None else SOURCES[source][3]
        test = args.test if args.test is not None else SOURCES[source][4]
        everything[source] = replay(source, args.data, counts, test, rate, args.recall,
                                    args.workers)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
