"""Throughput of POST /v1/comments against a bare Flask endpoint, under the same gunicorn.

Starts gunicorn twice with the same settings (service/server.py's, workers included), once
serving bench/bare_app.py (fixed JSON) and once serving Hakam (`hakam serve`, real model, a
throwaway Redis), drives both with the same wrk script (bench/post_comments.lua: realistic
Arabic and English comments) and prints requests/s, p50, p99 and the ratio Hakam/bare. Both
runs happen in this one invocation, so the ratio holds whatever the machine. Needs `wrk`
(Debian package).

    python bench/throughput.py [--workers N] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hakam.service.cli import default_workers  # noqa: E402
from hakam.service.store import Store  # noqa: E402
from tests.redis_harness import ThrowawayRedis, free_port, wait_for_http  # noqa: E402


def _start(command: list[str], env: dict, log: Path, health: str) -> subprocess.Popen:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT, start_new_session=True)
    wait_for_http(health, timeout=60, process=process)
    return process


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


_runs = iter(range(1, 1000))


def _wrk(base: str, seconds: int, connections: int, key: str) -> dict:
    env = {**os.environ, "HAKAM_BENCH_KEY": key, "HAKAM_BENCH_RUN": str(next(_runs))}
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(ROOT / "bench" / "post_comments.lua"), base],
        env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn workers for both servers (default: hakam serve's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="hakam-bench-"))
    redis_server = ThrowawayRedis().start()
    results = {}
    try:
        port = free_port()
        bare = _start([sys.executable, str(ROOT / "bench" / "bare_app.py"), "--port", str(port),
                       "--workers", str(args.workers)],
                      dict(os.environ), work / "bare.log", f"http://127.0.0.1:{port}/healthz")
        try:
            _wrk(f"http://127.0.0.1:{port}", 2, args.connections, "warm-up")
            results["bare"] = _wrk(f"http://127.0.0.1:{port}", args.seconds, args.connections,
                                   "none")
        finally:
            _stop(bare)

        store = Store.from_url(redis_server.url)
        key, _secret = store.create_site("bench", language="ar")
        port = free_port()
        env = {**os.environ, "REDIS_URL": redis_server.url, "HAKAM_DATA_DIR": str(work),
               "HAKAM_FLOOD_SECONDS": "0"}
        hakam = _start([sys.executable, "-m", "hakam.service.cli", "serve", "--port", str(port),
                        "--workers", str(args.workers)], env, work / "hakam.log",
                       f"http://127.0.0.1:{port}/readyz")
        try:
            _wrk(f"http://127.0.0.1:{port}", 2, args.connections, key)
            results["hakam"] = _wrk(f"http://127.0.0.1:{port}", args.seconds, args.connections,
                                    key)
        finally:
            _stop(hakam)
    finally:
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"workers={args.workers} connections={args.connections} seconds={args.seconds}")
    print(f"{'server':8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name in ("bare", "hakam"):
        r = results[name]
        print(f"{name:8} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['errors']:7d}")
    print(f"ratio hakam/bare (req/s): {results['hakam']['rps'] / results['bare']['rps']:.3f}")


if __name__ == "__main__":
    main()
