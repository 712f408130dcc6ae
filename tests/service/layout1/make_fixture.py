"""Writes store.json: every key a layout-1 Hakam store held after a day's typical use.

Run once, from a checkout that has the layout-1 store in its history (commit 6c0a9a3):

    python tests/service/layout1/make_fixture.py

It loads that commit's `service/store.py` as a module of the installed package (so its
relative imports resolve), drives it on a throwaway Redis as the service did (two sites, held,
approved and spam comments, a lease, decisions with a webhook delivery, a dead delivery, site
feedback, idempotency, duplicate and flood markers) and dumps each key with its type, value and
time to live, stream entries with their ids.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
LAYOUT1_COMMIT = "6c0a9a3"

from tests.redis_harness import ThrowawayRedis  # noqa: E402


def layout1_store_module():
    source = subprocess.run(["git", "show", f"{LAYOUT1_COMMIT}:service/store.py"],
                            capture_output=True, text=True, check=True, cwd=HERE).stdout
    spec = importlib.util.spec_from_loader("hakam.service._layout1_store", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "hakam.service"
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, "layout1_store.py", "exec"), module.__dict__)
    return module


def answer_for(status: str):
    return lambda comment_id: {"id": comment_id, "status": status,
                               "scores": {"spam": 0.1, "abuse": 0.9}, "reasons": [],
                               "model_version": "layout1"}


def write_a_days_use(store) -> dict:
    """Returns what a test needs to use the store afterwards: the API keys and token (only
    their hashes are stored) and the comment ids with what happened to each."""
    api_keys = {"akhbar": store.create_site("akhbar", webhook_url="http://127.0.0.1:9/hook",
                                            language="ar")[0],
                "gazette": store.create_site("gazette", language="en")[0]}
    token = store.create_moderator("salma")
    posted = []
    for n, (site, status) in enumerate([
            ("akhbar", "pending"), ("gazette", "pending"), ("akhbar", "approved"),
            ("akhbar", "pending"), ("gazette", "spam"), ("gazette", "pending"),
            ("akhbar", "pending"), ("akhbar", "pending")]):
        author = store.private_key(f"reader{n}@example.com")
        comment = {"text": f"تعليق رقم {n}", "author": f"قارئ {n}", "url": "", "post_id": "7",
                   "parent_id": "", "post_url": "", "language": "", "author_key": author,
                   "scores": {"spam": 0.1, "abuse": 0.9},
                   "reasons": [{"code": "abuse_score" if n % 2 else "premoderation"}],
                   "model_version": "layout1"}
        comment_id, _body = store.accept(
            site=site, comment=comment, status=status, answer=answer_for(status),
            duplicate_of=f"7\0{author}\0{comment['text']}", author_key=author,
            ip_key=store.private_key(f"203.0.113.{n}"),
            idempotency_key=f"wp-{n}" if n < 3 else None)
        posted.append(comment_id)
        time.sleep(0.002)  # distinct arrival times, as real traffic has
    store.decide(posted[0], "salma", "approve", "نقد مقبول")  # a webhook delivery for akhbar
    store.decide(posted[1], "salma", "reject", "insult")
    store.decide(posted[3], "salma", "spam")
    store.claim("omar", limit=1, site="gazette")  # posted[5] stays leased to omar
    store.record_label("تعليق رقم 2", "spam", 0, "site", comment_id=posted[2])
    store.record_label("نص قديم", "abuse", 1, "site")  # from before labels named a comment
    delivery = store.take_delivery()
    store.delivery_failed(delivery, None, "connection refused")  # dead-lettered
    store.decide(posted[6], "salma", "approve")  # another delivery, still due
    return {"api_keys": api_keys, "moderator_tokens": {"salma": token}, "comment_ids": posted,
            "idempotency_keys": {"wp-0": posted[0], "wp-1": posted[1], "wp-2": posted[2]}}


def dump(client: redis.Redis) -> list[dict]:
    keys = []
    for key in sorted(client.scan_iter("*")):
        kind, ttl = client.type(key), client.pttl(key)
        if kind == "string":
            value = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(client.smembers(key))
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":
            value = client.xrange(key)
        else:
            raise ValueError(f"unexpected {kind} at {key}")
        keys.append({"key": key, "type": kind, "ttl_ms": ttl if ttl > 0 else None,
                     "value": value})
    return keys


def main() -> None:
    server = ThrowawayRedis().start()
    try:
        module = layout1_store_module()
        store = module.Store.from_url(server.url, flood_seconds=3600)
        used = write_a_days_use(store)
        written = dump(redis.Redis.from_url(server.url, decode_responses=True))
    finally:
        server.stop()
    fixture = {"made_by": f"{Path(__file__).name} with service/store.py of {LAYOUT1_COMMIT}",
               "written_at": time.time(), **used, "keys": written}
    (HERE / "store.json").write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(written)} keys to {HERE / 'store.json'}")


if __name__ == "__main__":
    main()
