"""What the wrk benchmarks share: starting a server process (`hakam serve` among them), stopping
it, one wrk run of a script under bench/ that prints a RESULT line (requests, seconds, errors,
p50 and p99), and the table of results."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.redis_harness import free_port, wait_for_http

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

_runs = iter(range(1, 1000))


def start(command: list[str], env: dict, log: Path, health: str) -> subprocess.Popen:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=ROOT, start_new_session=True)
    wait_for_http(health, timeout=60, process=process)
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def wrk(base: str, seconds: int, connections: int, key: str,
        script: str = "post_comments.lua") -> dict:
    """One wrk run of bench/<script>; each run numbers its comments apart from the others'
    (HAKAM_BENCH_RUN), so that no comment is a duplicate of an earlier run's."""
    env = {**os.environ, "HAKAM_BENCH_KEY": key, "HAKAM_BENCH_RUN": str(next(_runs)),
           "HAKAM_BENCH_DIR": str(BENCH)}
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(BENCH / script), base],
        env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


@contextlib.contextmanager
def hakam_serving(redis_url: str, work: Path, workers: int, log_name: str = "hakam.log",
                  **env: str) -> Iterator[str]:
    """`hakam serve` (the real model) on this Redis, flood checks off; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "REDIS_URL": redis_url, "HAKAM_DATA_DIR": str(work),
           "HAKAM_FLOOD_SECONDS": "0", **env}
    hakam = start([sys.executable, "-m", "hakam.service.cli", "serve", "--port", str(port),
                   "--workers", str(workers)], env, work / log_name, f"{base}/readyz")
    try:
        yield base
    finally:
        stop(hakam)


def print_results(column: str, results: dict[str, dict], names) -> None:
    width = max(len(column), *map(len, names))
    print(f"{column:{width}} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name in names:
        r = results[name]
        print(f"{name:{width}} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
              f"{r['errors']:7d}")
