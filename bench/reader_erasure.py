"""Erasing one reader: Hakam's indexed erasure against the cheapest lookup an index-free store
could do, measured in the same run on the same throwaway Redis.

    python bench/reader_erasure.py [--others N] [--reader-comments N,N,...] [--rounds R]

A site holds `--others` comments of other readers (each decided by a moderator, so each has
history, labels, an audit entry and a webhook delivery), and one reader with each of the given
numbers of comments, decided the same way. For each size it times:

- erase: `Store.erase_reader`, everything of the reader removed (comments, history, labels,
  audit links, deliveries, markers), batch by batch;
- scan: finding the same reader without an index, SCAN over the comment keys and one pipelined
  HGET of each comment's author hash: only the lookup, none of the deletions.

It prints both in milliseconds and their ratio; erase stays flat as the store grows, the scan
grows with it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hakam.service.store import Store, keys  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402


def add_comments(store: Store, site: str, author_key: str, count: int, tag: str) -> None:
    ids = []
    for n in range(count):
        comment_id, _ = store.accept(
            site=site, comment={"text": f"تعليق {tag} رقم {n}", "author": tag, "url": "",
                                "post_id": "7", "author_key": author_key,
                                "scores": {"spam": 0.1, "abuse": 0.7}, "reasons": []},
            status="pending", answer=lambda cid: {"id": cid}, duplicate_of=f"{tag}\0{n}",
            author_key=author_key, ip_key=None, idempotency_key=None)
        ids.append(comment_id)
    for comment_id in ids:
        store.decide(comment_id, "salma", "reject", site=site)


def scan_for_reader(store: Store, site: str, author_key: str) -> list[str]:
    prefix = keys.comment(site, "")
    found = []
    batch = []

    def check() -> None:
        pipe = store.r.pipeline(transaction=False)
        for key in batch:
            pipe.hget(key, "author_key")
        found.extend(k for k, a in zip(batch, pipe.execute(), strict=True) if a == author_key)
        batch.clear()

    for key in store.r.scan_iter(prefix + "*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            check()
    check()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=20000)
    parser.add_argument("--reader-comments", default="1,10,100,1000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.reader_comments.split(",")]

    server = ThrowawayRedis().start()
    try:
        store = Store.from_url(server.url, flood_seconds=0)
        store.create_site("akhbar", webhook_url="https://akhbar.example/hook")
        started = time.perf_counter()
        add_comments(store, "akhbar", store.private_key("others@example.com"), args.others,
                     "others")
        print(f"store: {args.others} other comments, decided, with labels and deliveries "
              f"({time.perf_counter() - started:.1f} s to build)")
        print(f"{'reader comments':>16} {'erase ms':>10} {'scan ms':>10} {'scan/erase':>11}")
        for size in sizes:
            erase_ms, scan_ms = [], []
            for round_number in range(args.rounds):
                email = f"reader{size}-{round_number}@example.com"
                author_key = store.private_key(email)
                add_comments(store, "akhbar", author_key, size, f"r{size}-{round_number}")
                began = time.perf_counter()
                assert len(scan_for_reader(store, "akhbar", author_key)) == size
                scan_ms.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                erased = store.erase_reader("akhbar", author_key)
                erase_ms.append((time.perf_counter() - began) * 1000)
                assert erased.comments == size and erased.labels == size, erased
            erase, scan = statistics.median(erase_ms), statistics.median(scan_ms)
            print(f"{size:>16} {erase:>10.2f} {scan:>10.2f} {scan / erase:>10.1f}x")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
