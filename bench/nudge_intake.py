"""What the nudge costs comment intake, and how much of an abusive stream it would nudge.

1. Latency, in one run, interleaved rounds, one real Redis (a throwaway redis-server) and the
   Flask app in-process with a scripted scorer (so that the model's time does not hide the
   difference): POST /v1/comments on a site with the nudge off against one with it on, for
   ordinary comments (published on both), for insults (held on one, answered 422 `nudge` on the
   other) and for insults sent back with their nudge token (held). Prints microseconds per
   comment (median of the rounds' medians), the ratios, and the Redis round trips per comment
   (counted at the client's socket, and the scripts run past the pool).

2. Share nudged, with the shipped model and a site's default thresholds: the abusive comments
   (offensive or obscene) of Mubarak et al. 2017's deleted Aljazeera.net comments
   (/work/shared/datasets/mubarak2017-aljazeera-comments) that fall in the training recipe's
   evaluation split, so the model never learned them, each POSTed to a site with the nudge on;
   the clean comments of that split too, for the nudges an ordinary reader would see.

    python bench/nudge_intake.py [--comments 300] [--rounds 5] [--data ../shared/datasets]
"""

from __future__ import annotations

import argparse
import collections
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
from hakam.service.store.connection import DirectScript  # noqa: E402
from hakam.training.datasets import dedupe_key, load_dataset, split_of  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402
from tests.service.scripted_scorer import ScriptedScorer  # noqa: E402

_run = DirectScript.run


def _counted_run(self, **kwargs):
    ROUND_TRIPS.tick()  # the script (and its WAIT, when asked for) go out in one write
    return _run(self, **kwargs)


DirectScript.run = _counted_run


def latency(server_url: str, comments: int, rounds: int) -> None:
    scorer = ScriptedScorer()
    scorer.will_score("حمار", abuse=0.97)
    app = create_app(Config(redis_url=server_url, data_dir="/tmp/hakam-bench-nudge",
                            flood_seconds=0, audit_rate=0.0), scorer=scorer, start_workers=False)
    store = app.extensions["hakam.store"]
    keys = {name: store.create_site(name)[0] for name in ("off", "on")}
    store.configure_site("on", policy=SitePolicy(nudge=True))
    client = app.test_client()
    cases = ("ordinary", "insult", "resent")
    timings = {(site, case): [] for site in keys for case in cases}
    trips = {(site, case): [] for site in keys for case in cases}
    serial = 0
    for round_number in range(rounds):
        # each site first in every other round: the first to run after a pause runs slower
        for site in (("off", "on") if round_number % 2 == 0 else ("on", "off")):
            headers = {"Authorization": f"Bearer {keys[site]}"}
            tokens = []
            for case in cases:
                each = []
                ROUND_TRIPS.reset()
                for n in range(comments):
                    serial += 1
                    text = (f"تعليق عادي رقم {serial}" if case == "ordinary"
                            else f"يا حمار رقم {serial}")
                    body = {"comment": text, "author": f"قارئ {serial}",
                            "email": f"r{serial}@example.com", "comment_post_ID": n % 97 + 1}
                    if case == "resent" and site == "on":
                        body = {**tokens[n][0], "nudge_token": tokens[n][1]}
                    elif case == "resent":
                        body["comment"] += " مرة أخرى"
                    started = time.perf_counter()
                    answer = client.post("/v1/comments", json=body, headers=headers)
                    each.append(time.perf_counter() - started)
                    if case == "insult" and site == "on":
                        assert answer.status_code == 422, answer.get_json()
                        tokens.append((body, answer.get_json()["nudge_token"]))
                    else:
                        assert answer.status_code == 201, answer.get_json()
                timings[(site, case)].append(statistics.median(each) * 1e6)
                trips[(site, case)].append(ROUND_TRIPS.count / comments)
    print("POST /v1/comments, scripted scorer, one Redis; median µs per comment "
          f"({comments} comments × {rounds} rounds per case, interleaved)")
    for case, what in (("ordinary", "ordinary comment (published)"),
                       ("insult", "insult: held (off) / nudged, 422 (on)"),
                       ("resent", "insult: held (off) / resent with token, held (on)")):
        off, on = (statistics.median(timings[(site, case)]) for site in ("off", "on"))
        print(f"  {what:52s} off {off:6.0f}  on {on:6.0f}  on/off {on / off:.3f}  "
              f"round trips off {statistics.median(trips[('off', case)]):.2f} "
              f"on {statistics.median(trips[('on', case)]):.2f}")


def share_nudged(server_url: str, data: Path) -> None:
    app = create_app(Config(redis_url=server_url, data_dir="/tmp/hakam-bench-nudge-model",
                            flood_seconds=0, audit_rate=0.0), start_workers=False)
    store = app.extensions["hakam.store"]
    key, _secret = store.create_site("aljazeera", language="ar")
    store.configure_site("aljazeera", policy=SitePolicy(nudge=True, adapt=False))
    headers = {"Authorization": f"Bearer {key}"}
    client = app.test_client()
    examples = [e for e in load_dataset(data, "mubarak2017-aljazeera-comments")
                if e.task == "abuse" and split_of(dedupe_key(e.text)) == "evaluation"]
    print("\nShare nudged: Aljazeera.net comments (Mubarak et al. 2017), the evaluation split "
          "the shipped model never trained on; a site with --nudge and default thresholds")
    for label, name in ((1, "abusive (offensive or obscene)"), (0, "clean")):
        outcomes: collections.Counter[str] = collections.Counter()
        for n, example in enumerate(e for e in examples if e.label == label):
            answer = client.post("/v1/comments", headers=headers, json={
                "comment": example.text, "author": f"قارئ {label}-{n}",
                "email": f"r{label}-{n}@example.com", "comment_post_ID": "1"})
            body = answer.get_json()
            outcome = ("nudged" if answer.status_code == 422 and body.get("code") == "nudge"
                       else body.get("status") or f"http {answer.status_code}")
            outcomes[outcome] += 1
        total = sum(outcomes.values())
        shares = ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in outcomes.most_common())
        print(f"  {name}: {total} comments: {shares}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--skip-share", action="store_true")
    args = parser.parse_args()
    server = ThrowawayRedis().start()
    try:
        latency(server.url, args.comments, args.rounds)
        if not args.skip_share:
            share_nudged(server.url, args.data)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
