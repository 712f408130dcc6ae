"""What rules per post and per section cost comment intake: POST /v1/comments on a site with
none against the same on a site with many (1,000 post rules, 50 sections, every comment under a
section that closes its posts some days after their first comment, so the intake script checks
and records each post's start), in one run, interleaved rounds, one real Redis (a throwaway
redis-server) and the Flask app in-process with a scripted scorer, so that the model's time does
not hide the difference. Prints microseconds per comment (median and p95 of the rounds'
medians), their ratio, and the Redis round trips a comment costs on each site (counted at the
client's socket: a pipeline is one).

    python bench/post_rules_intake.py [--comments 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from round_trips import ROUND_TRIPS  # noqa: E402  (bench/, beside this script)

from hakam.service import create_app  # noqa: E402
from hakam.service.config import Config  # noqa: E402
from hakam.service.discussion import PostRule, SectionRule  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402
from tests.service.scripted_scorer import ScriptedScorer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = ThrowawayRedis().start()
    try:
        app = create_app(Config(redis_url=server.url, data_dir="/tmp/hakam-bench-rules",
                                flood_seconds=0, audit_rate=0.0),
                         scorer=ScriptedScorer(), start_workers=False)
        store = app.extensions["hakam.store"]
        keys = {name: store.create_site(name)[0] for name in ("plain", "ruled")}
        for post in range(1, 1001):
            store.configure_post("ruled", str(10_000 + post), PostRule(premoderation=True))
        for section in range(50):
            store.configure_section("ruled", SectionRule(
                f"https://akhbar.example/s{section}/", close_after_days=30))
        client = app.test_client()
        timings: dict[str, list[float]] = {"plain": [], "ruled": []}
        trips: dict[str, list[float]] = {"plain": [], "ruled": []}
        serial = 0
        for _round in range(args.rounds):
            for name in ("plain", "ruled"):
                headers = {"Authorization": f"Bearer {keys[name]}"}
                each = []
                ROUND_TRIPS.reset()
                for n in range(args.comments):
                    serial += 1
                    body = {"comment": f"تعليق عادي رقم {serial}", "author": f"قارئ {serial}",
                            "email": f"r{serial}@example.com", "comment_post_ID": n % 97 + 1,
                            "post_url": f"https://akhbar.example/s{n % 50}/story-{n % 97}"}
                    started = time.perf_counter()
                    answer = client.post("/v1/comments", json=body, headers=headers)
                    each.append(time.perf_counter() - started)
                    assert answer.status_code == 201, answer.get_json()
                timings[name].append(statistics.median(each) * 1e6)
                trips[name].append(ROUND_TRIPS.count / args.comments)
        plain, ruled = (statistics.median(timings[n]) for n in ("plain", "ruled"))
        for name in ("plain", "ruled"):
            rounds = sorted(timings[name])
            p95 = rounds[min(len(rounds) - 1, int(round(0.95 * (len(rounds) - 1))))]
            print(f"{name:6s} median {statistics.median(rounds):7.0f} µs/comment "
                  f"(p95 of rounds {p95:7.0f}), Redis round trips per comment "
                  f"{statistics.median(trips[name]):.2f}")
        print(f"ratio ruled / plain: {ruled / plain:.3f} "
              f"({args.comments} comments × {args.rounds} rounds per site, interleaved)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
