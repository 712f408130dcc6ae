"""Perspective's analyze call against POST /v1/comments, on the same `hakam serve`, in one run.

Coral Talk calls comments:analyze for every new comment; Perspective's default quota was one
request per second. This starts `hakam serve` once (real model, a throwaway Redis), drives it
with wrk twice, with the same comments and settings: POST /v1/comments
(bench/post_comments.lua: validate, score, decide, store) and POST
/v1alpha1/comments:analyze as Coral sends it (bench/analyze_comments.lua: TOXICITY and SPAM,
key in the query string; it scores and stores nothing). It prints requests/s, p50, p99 and the
ratio analyze / comments, which holds whatever the machine, and analyze's rate as a multiple
of Perspective's one request per second. Needs `wrk` (Debian package).

    python bench/perspective_throughput.py [--workers N] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wrk_runs import hakam_serving, print_results, wrk  # noqa: E402
from hakam.service.cli import default_workers  # noqa: E402
from hakam.service.store import Store  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402

PERSPECTIVE_DEFAULT_QPS = 1.0
ROUTES = (("comments", "post_comments.lua"), ("analyze", "analyze_comments.lua"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn workers (default: hakam serve's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="hakam-bench-"))
    redis_server = ThrowawayRedis().start()
    results = {}
    try:
        key, _secret = Store.from_url(redis_server.url).create_site("bench", language="ar")
        with hakam_serving(redis_server.url, work, args.workers) as base:
            for name, script in ROUTES:
                wrk(base, 2, args.connections, key, script)  # warm-up
                results[name] = wrk(base, args.seconds, args.connections, key, script)
    finally:
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"workers={args.workers} connections={args.connections} seconds={args.seconds}")
    print_results("route", results, [name for name, _script in ROUTES])
    ratio = results["analyze"]["rps"] / results["comments"]["rps"]
    print(f"ratio analyze/comments (req/s): {ratio:.3f}")
    print(f"analyze vs Perspective's default quota of {PERSPECTIVE_DEFAULT_QPS:g} request/s: "
          f"{results['analyze']['rps'] / PERSPECTIVE_DEFAULT_QPS:.0f}x")


if __name__ == "__main__":
    main()
