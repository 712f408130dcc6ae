"""What reading the author's record costs comment intake: POST /v1/comments with the check on
against the same with it off, in one run, interleaved rounds, one real Redis (a throwaway
redis-server) and the Flask app in-process with a scripted scorer, so that the model's time
does not hide the difference. "On" is intake as it runs: the script reads what moderators put
on the author (ban, suspension, premoderation) and their run of rejected comments, on a site
with `--hold-after-rejections 3`, where every author already has a record (one rejected
comment behind them, so the read finds data). "Off" is the same code told the comments have no
author record (as for one sent without an email): the script skips the author's key. Prints
microseconds per comment (median of the rounds' medians), the difference and ratio, and the
Redis round trips per comment.

    python bench/author_check.py [--comments 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from round_trips import ROUND_TRIPS  # noqa: E402  (bench/, beside this script)

from hakam.service import create_app  # noqa: E402
from hakam.service.config import Config  # noqa: E402
from hakam.service.site_settings import SitePolicy  # noqa: E402
from hakam.service.store import keys as store_keys  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402
from tests.service.scripted_scorer import ScriptedScorer  # noqa: E402

WORDS = ("الحكومة الشعب الحرب المدينة الأخبار الصحفي المقال الرئيس البرلمان القرار السوق "
         "الأسعار المدرسة المستشفى الطريق الماء الكهرباء الشباب المستقبل الحقيقة").split()
AUTHORS = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = ThrowawayRedis().start()
    try:
        app = create_app(Config(redis_url=server.url, data_dir="/tmp/hakam-bench-authors",
                                flood_seconds=0, audit_rate=0.0),
                         scorer=ScriptedScorer(), start_workers=False)
        store = app.extensions["hakam.store"]
        keys = {name: store.create_site(name)[0] for name in ("off", "on")}
        for name in keys:
            store.configure_site(name, policy=SitePolicy(hold_after_rejections=3))
            for n in range(AUTHORS):  # every author has a record: one refused comment behind
                store.r.hset(store_keys.author(name, store.private_key(f"r{n}@example.com")),
                             "rejected_streak", 1)
        accept = store.accept
        client = app.test_client()
        timings: dict[str, list[float]] = {"off": [], "on": []}
        trips: dict[str, list[float]] = {"off": [], "on": []}
        serial = 0
        rng = random.Random(7)
        for _round in range(args.rounds):
            for name in ("off", "on"):
                store.accept = accept if name == "on" else (
                    lambda **kw: accept(**{**kw, "author_recorded": False}))
                headers = {"Authorization": f"Bearer {keys[name]}"}
                each = []
                ROUND_TRIPS.reset()
                for _ in range(args.comments):
                    serial += 1
                    author = rng.randrange(AUTHORS)
                    body = {"comment": " ".join(rng.choice(WORDS) for _ in range(12))
                            + f" {serial}", "author": f"قارئ {author}",
                            "email": f"r{author}@example.com", "comment_post_ID": serial % 97 + 1}
                    started = time.perf_counter()
                    answer = client.post("/v1/comments", json=body, headers=headers)
                    each.append(time.perf_counter() - started)
                    assert answer.status_code == 201, answer.get_json()
                timings[name].append(statistics.median(each) * 1e6)
                trips[name].append(ROUND_TRIPS.count / args.comments)
        store.accept = accept
        off, on = (statistics.median(timings[n]) for n in ("off", "on"))
        for name in ("off", "on"):
            print(f"author check {name:3s} median {statistics.median(timings[name]):7.0f} "
                  f"µs/comment, Redis round trips per comment {statistics.median(trips[name]):.2f}")
        print(f"the author check costs {on - off:.0f} µs per comment; ratio on / off: "
              f"{on / off:.3f} ({args.comments} comments × {args.rounds} rounds per site, "
              f"interleaved; {AUTHORS} authors, each with a record)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
