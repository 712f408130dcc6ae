"""How many queue items a moderator decides per action when a campaign hits a site: a replayed
stream of ordinary comments with three campaigns mixed in (the same texts, edited a little,
from many authors within the hour), POSTed to a premoderated site (every comment held, as a
newsroom covering a war does), then worked through the review API as a moderator would: claim
a batch, decide each card, with "group": true on a campaign's card. Prints the actions taken,
the comments decided, and decided per action, overall and for the campaigns' comments, against
one action per comment without grouping. One real Redis (a throwaway redis-server), the app
in-process with a scripted scorer (the decisions do not depend on scores here).

    python bench/campaign_replay.py [--ordinary 300] [--scale 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.campaign_grouping import CAMPAIGN_TEXTS, WORDS  # noqa: E402
from hakam.service import create_app  # noqa: E402
from hakam.service.config import Config  # noqa: E402
from hakam.service.policy import SitePolicy  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402
from tests.service.scripted_scorer import ScriptedScorer  # noqa: E402

# (comments, authors) of each campaign: a big one, a middling one, a small one
CAMPAIGNS = ((60, 45), (30, 20), (10, 8))


def edited(text: str, rng: random.Random) -> str:
    """A campaign's text as its accounts post it: a word added or dropped, elongation,
    punctuation or a hashtag."""
    words = text.split()
    roll = rng.random()
    if roll < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(WORDS))
    elif roll < 0.5:
        at = rng.randrange(len(words))
        words[at] = words[at][:1] + "ـــ" + words[at][1:]
    return " ".join(words) + rng.choice(("", "!!", ".", " #انشر", "؟"))


def stream(ordinary: int, scale: int, rng: random.Random) -> list[tuple[str, str, str | None]]:
    """(text, author email, campaign name or None), in arrival order."""
    posts = [(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))) + f" {n}",
              f"reader{n}@example.com", None) for n in range(ordinary * scale)]
    for index, ((count, authors), text) in enumerate(zip(CAMPAIGNS, CAMPAIGN_TEXTS,
                                                         strict=True)):
        for n in range(count * scale):
            author = n % (authors * scale)
            posts.append((edited(text, rng), f"acct{index}-{author}@example.com", f"c{index}"))
    rng.shuffle(posts)
    return posts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ordinary", type=int, default=300)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)
    server = ThrowawayRedis().start()
    try:
        app = create_app(Config(redis_url=server.url, data_dir="/tmp/hakam-bench-replay",
                                flood_seconds=0, audit_rate=0.0),
                         scorer=ScriptedScorer(), start_workers=False)
        store = app.extensions["hakam.store"]
        key, _ = store.create_site("akhbar")
        store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
        moderator = {"Authorization": f"Bearer {store.create_moderator('salma')}"}
        client = app.test_client()
        kind: dict[str, str | None] = {}
        for n, (text, email, campaign) in enumerate(stream(args.ordinary, args.scale, rng)):
            answer = client.post("/v1/comments", headers={"Authorization": f"Bearer {key}"},
                                 json={"comment": text, "author": email.split("@")[0],
                                       "email": email, "comment_post_ID": n % 20 + 1})
            if answer.status_code == 409:  # an account sent the same text to the same post
                continue  # again: Hakam keeps the first, as WordPress does
            assert answer.status_code == 201, answer.get_json()
            kind[answer.get_json()["id"]] = campaign
        held = len(kind)
        actions = {"ordinary": 0, "campaign": 0}
        decided = {"ordinary": 0, "campaign": 0}
        while batch := client.post("/v1/review/claim", json={"limit": args.batch},
                                   headers=moderator).get_json()["comments"]:
            for card in batch:
                group = card.get("campaign") is not None
                answer = client.post(f"/v1/review/{card['id']}/decision", headers=moderator,
                                     json={"decision": "spam" if group else "approve",
                                           "group": group}).get_json()
                what = "campaign" if kind[card["id"]] else "ordinary"
                actions[what] += 1
                decided[what] += 1 + sum(r["status"] == 200
                                         for r in (answer.get("group") or {}).get("results", []))
        assert store.queue_depth("akhbar") == 0
        assert sum(decided.values()) == held
        total_actions = sum(actions.values())
        campaign_comments = sum(1 for v in kind.values() if v)
        print(f"held {held} comments ({campaign_comments} from {len(CAMPAIGNS)} campaigns, "
              f"{held - campaign_comments} ordinary)")
        for what in ("ordinary", "campaign"):
            print(f"{what:8s} {actions[what]:5d} actions decided {decided[what]:5d} comments: "
                  f"{decided[what] / max(1, actions[what]):.2f} per action")
        print(f"all      {total_actions:5d} actions decided {held:5d} comments: "
              f"{held / total_actions:.2f} per action (one per comment without grouping: "
              f"{held / total_actions:.2f}x fewer actions)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
