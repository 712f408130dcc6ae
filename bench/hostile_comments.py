"""How long the slowest comments one can build take, against an ordinary comment of the same
size measured in the same run.

Each family of tests/hostile_text.py (a unit repeated: "@", ". ", "www.", a ligature that
folds into eighteen letters...) is posted through the real request path (the app with the
shipped model, a throwaway Redis, a site with word lists and trusted domains) at a quarter of
the comment limit and at the limit. Printed per family: milliseconds at the limit, the growth
from a quarter to the limit (linear: about 4; quadratic: 16) and the ratio to an ordinary
comment at the limit; then the slowest. The ratios hold on any machine; the milliseconds are
this machine's.

    python bench/hostile_comments.py [--rounds 3] [--families N]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hakam.model import Scorer  # noqa: E402
from hakam.service import create_app  # noqa: E402
from hakam.service.config import Config  # noqa: E402
from hakam.service.policy import SitePolicy  # noqa: E402
from hakam.service.schemas import COMMENT_MAX_BYTES  # noqa: E402
from tests.hostile_text import FAMILIES, ORDINARY, repeated  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs per size (the least counts)")
    parser.add_argument("--families", type=int, default=len(FAMILIES),
                        help="only the first N families")
    args = parser.parse_args()

    redis_server = ThrowawayRedis().start()
    try:
        config = Config(redis_url=redis_server.url, flood_seconds=0,
                        data_dir=tempfile.mkdtemp(prefix="hakam-bench-"))
        app = create_app(config, scorer=Scorer.load(), start_workers=False)
        store = app.extensions["hakam.store"]
        key, _ = store.create_site("bench")
        store.configure_site("bench", policy=SitePolicy(
            disallowed_words=("casino", "viagra"), moderation_words=("انتخابات", "a.com"),
            trusted_domains=("bbc.co.uk", "akhbar.example")))
        client = app.test_client()
        posts = itertools.count(1)

        def seconds(text: str) -> float:
            best = float("inf")
            for _ in range(args.rounds):
                body = {"comment": text, "author": "قارئ", "email": "reader@example.com",
                        "comment_post_ID": next(posts),
                        "post_url": "https://akhbar.example/2026/12/story"}
                gc.collect()
                started = time.perf_counter()
                response = client.post("/v1/comments", json=body,
                                       headers={"Authorization": f"Bearer {key}"})
                best = min(best, time.perf_counter() - started)
                if response.status_code != 201:
                    raise SystemExit(f"{response.status_code}: {response.get_data()[:200]}")
            return best

        ordinary = seconds(repeated(ORDINARY))
        print(f"comment limit {COMMENT_MAX_BYTES} bytes; an ordinary comment at the limit: "
              f"{ordinary * 1000:.1f} ms")
        print(f"{'family':32} {'ms':>8} {'growth':>7} {'x ordinary':>11}")
        rows = []
        for name, unit in list(FAMILIES.items())[:args.families]:
            full = seconds(repeated(unit))
            quarter = seconds(repeated(unit, COMMENT_MAX_BYTES // 4))
            rows.append((full, name))
            print(f"{name:32} {full * 1000:8.1f} {full / quarter:7.1f} {full / ordinary:11.1f}",
                  flush=True)
        slowest, name = max(rows)
        print(f"slowest: {name} ({FAMILIES[name]!r} repeated), {slowest * 1000:.1f} ms, "
              f"{slowest / ordinary:.1f}x an ordinary comment")
    finally:
        redis_server.stop()


if __name__ == "__main__":
    main()
