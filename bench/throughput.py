"""Throughput of POST /v1/comments against a bare Flask endpoint, under the same gunicorn.

Starts gunicorn twice with the same settings (service/server.py's, workers included), once
serving bench/bare_app.py (fixed JSON) and once serving Hakam (`hakam serve`, real model, a
throwaway Redis), drives both with the same wrk script (bench/post_comments.lua: realistic
Arabic and English comments) and prints requests/s, p50, p99 and the ratio Hakam/bare. Both
runs happen in this one invocation, so the ratio holds whatever the machine. Needs `wrk`
(Debian package).

`--cluster` measures Hakam on a Redis Cluster instead (three masters, three replicas, started
here like the tests' one), with replica acknowledgements (WAIT 1 after each comment) and
without, against Hakam on one Redis with the same persistence (AOF, fsync every second), all
in this run, comments spread over three sites whose keys live on the three masters. It also
times the store's intake call alone, in one thread, on each: the difference between the
cluster with and without acknowledgements is what WAIT costs a request.

    python bench/throughput.py [--workers N] [--seconds 10] [--connections 16] [--cluster]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wrk_runs import hakam_serving, print_results, start, stop, wrk  # noqa: E402
from hakam.service.cli import default_workers  # noqa: E402
from hakam.service.store import Store  # noqa: E402
from tests.redis_harness import ThrowawayRedis, ThrowawayRedisCluster, free_port  # noqa: E402

CLUSTER_SITES = ("akhbar", "bench", "gazette")  # hash slots on the three masters' ranges


def _hakam(redis_url: str, key: str, work: Path, args, name: str, **env: str) -> dict:
    """`hakam serve` on this Redis, warmed up, then measured with wrk."""
    with hakam_serving(redis_url, work, args.workers, f"{name}.log", **env) as base:
        wrk(base, 2, args.connections, key)
        return wrk(base, args.seconds, args.connections, key)


def _intake_call_us(store: Store, calls: int) -> float:
    """Mean microseconds of one store.accept (the POST's one Redis call), in one thread."""
    started = time.perf_counter()
    for n in range(calls):
        site = CLUSTER_SITES[n % len(CLUSTER_SITES)]
        store.accept(site=site, comment={"text": f"timing {n}"}, status="approved",
                     answer=lambda cid: {"id": cid}, duplicate_of=f"timing {n} {time.time()}",
                     author_key=f"a{n}", ip_key=None, idempotency_key=None)
    return (time.perf_counter() - started) / calls * 1e6


def cluster_main(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="hakam-bench-"))
    single = ThrowawayRedis("--appendonly", "yes", "--appendfsync", "everysec").start()
    cluster = ThrowawayRedisCluster().start()
    results, intake_us = {}, {}
    try:
        for name, url in (("single", single.url), ("cluster", cluster.url)):
            store = Store.from_url(url, flood_seconds=0)
            keys = ",".join(store.create_site(site)[0] for site in CLUSTER_SITES)
            runs = [("single", {})] if name == "single" else [
                ("cluster+acks", {"HAKAM_REPLICA_ACKS": "1"}),
                ("cluster", {"HAKAM_REPLICA_ACKS": "0"})]
            for run, env in runs:
                results[run] = _hakam(url, keys, work, args, run, **env)
                acks = int(env.get("HAKAM_REPLICA_ACKS", "0"))
                timed = Store.from_url(url, flood_seconds=0, replica_acks=acks)
                _intake_call_us(timed, 200)  # warm-up: connections, script cache
                intake_us[run] = _intake_call_us(timed, args.calls)
    finally:
        cluster.stop()
        single.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"workers={args.workers} connections={args.connections} seconds={args.seconds} "
          f"sites={len(CLUSTER_SITES)} intake calls timed={args.calls}")
    print(f"{'redis':13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'mean ms':>8} {'intake µs':>10}")
    for name in ("single", "cluster", "cluster+acks"):
        r = results[name]
        mean_ms = args.connections / r["rps"] * 1000  # Little's law at this concurrency
        r["mean_ms"] = mean_ms
        print(f"{name:13} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
              f"{r['errors']:7d} {mean_ms:8.2f} {intake_us[name]:10.0f}")
    rps = {name: r["rps"] for name, r in results.items()}
    print(f"ratio cluster/single (req/s): {rps['cluster'] / rps['single']:.3f}")
    print(f"ratio cluster+acks/single (req/s): {rps['cluster+acks'] / rps['single']:.3f}")
    print(f"ratio cluster+acks/cluster (req/s): {rps['cluster+acks'] / rps['cluster']:.3f}")
    acked, plain = results["cluster+acks"], results["cluster"]
    print(f"WAIT per request: {intake_us['cluster+acks'] - intake_us['cluster']:.0f} µs on the "
          f"intake call alone, {acked['mean_ms'] - plain['mean_ms']:.2f} ms of mean latency "
          f"under load, {acked['p50_ms'] - plain['p50_ms']:.2f} ms at p50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn workers for both servers (default: hakam serve's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cluster", action="store_true",
                        help="Hakam on a Redis Cluster, with and without replica acks, "
                             "against Hakam on one Redis")
    parser.add_argument("--calls", type=int, default=2000,
                        help="intake calls timed alone per Redis (--cluster)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    if args.cluster:
        cluster_main(args)
        return

    work = Path(tempfile.mkdtemp(prefix="hakam-bench-"))
    redis_server = ThrowawayRedis().start()
    results = {}
    try:
        port = free_port()
        bare = start([sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(port),
                      "--workers", str(args.workers)],
                     dict(os.environ), work / "bare.log", f"http://127.0.0.1:{port}/healthz")
        try:
            wrk(f"http://127.0.0.1:{port}", 2, args.connections, "warm-up")
            results["bare"] = wrk(f"http://127.0.0.1:{port}", args.seconds, args.connections,
                                  "none")
        finally:
            stop(bare)

        store = Store.from_url(redis_server.url)
        key, _secret = store.create_site("bench", language="ar")
        results["hakam"] = _hakam(redis_server.url, key, work, args, "hakam")
    finally:
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"workers={args.workers} connections={args.connections} seconds={args.seconds}")
    print_results("server", results, ("bare", "hakam"))
    print(f"ratio hakam/bare (req/s): {results['hakam']['rps'] / results['bare']['rps']:.3f}")


if __name__ == "__main__":
    main()
