"""How the store reaches Redis: the client (one Redis or a Redis Cluster), the Lua scripts,
waiting for replicas, and Redis errors as 503s.

Nothing outside the store package imports this module.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ClusterError,
    MovedError,
    NoScriptError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisClusterException,
    TryAgainError,
)
from redis.retry import Retry

from ..errors import ReplicaUnconfirmed, StoreUnavailable

log = logging.getLogger("hakam.store")
T = TypeVar("T")
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
# What Redis or redis-py raise while a node is down, a failover is under way or the cluster
# map is being rebuilt: each means "not now", a 503 with Retry-After, never a stack trace.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError,
               ClusterDownError, TryAgainError, ReadOnlyError, ClusterError,
               RedisClusterException)
# Seconds Redis has to answer one command. A healthy Redis answers in well under a
# millisecond, and even an AOF fsync stall is shorter (Redis postpones writes past 2 s): a
# longer wait only holds a worker that other requests queue behind.
COMMAND_TIMEOUT = 2
# After a command timed out, the store answers 503 at once for this long rather than have
# every request wait out a stalled Redis in turn; then the next request tries again.
STALL_PAUSE = 2.0


def refuses_writes(error: redis.ResponseError) -> bool:
    """Redis refusing a write it could not keep: its AOF or RDB cannot be written (a full
    disk: MISCONF), or it reached maxmemory under noeviction (OOM). Nothing was stored."""
    return isinstance(error, OutOfMemoryError) or "MISCONF" in str(error) \
        or "OOM command not allowed" in str(error)


def lua(name: str) -> str:
    """The text of one of the store's Lua scripts (service/store/lua/<name>.lua)."""
    return resources.files(__package__).joinpath("lua", f"{name}.lua").read_text("utf-8")


def is_cluster_url(url: str) -> bool:
    return urlsplit(url).scheme in CLUSTER_SCHEMES


def client_from_url(url: str) -> redis.Redis | RedisCluster:
    """`redis://`, `rediss://`, `unix://`: one Redis. `redis+cluster://host:port[,host:port…]`
    (`rediss+cluster://` for TLS): a Redis Cluster, found from any node that answers."""
    common = {"decode_responses": True, "socket_timeout": COMMAND_TIMEOUT,
              "socket_connect_timeout": 2}
    if not is_cluster_url(url):
        return redis.Redis.from_url(url, health_check_interval=30, **common)
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    nodes = []
    for host_port in hosts.split(","):
        host, _, port = host_port.strip().rpartition(":")
        nodes.append((host.strip("[]") or "localhost", int(port or 6379)))
    first_host, first_port = nodes[0]
    first = (f"{CLUSTER_SCHEMES[parts.scheme]}://{credentials + '@' if credentials else ''}"
             f"{first_host}:{first_port}/{'?' + parts.query if parts.query else ''}")
    # A few quick retries, each after the cluster map is read again: a failover is over in
    # seconds, and a request meanwhile should get its 503 fast rather than hang.
    return RedisCluster.from_url(
        first, startup_nodes=[ClusterNode(host, port) for host, port in nodes[1:]],
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2), **common)


def _translating(store, call: Callable[..., T], *args, **kwargs) -> T:
    """`call(*args, **kwargs)`, with Redis away, stalled or full raised as StoreUnavailable."""
    if time.monotonic() < getattr(store, "_stalled_until", 0.0):
        raise StoreUnavailable("Redis did not answer in time a moment ago")
    try:
        return call(*args, **kwargs)
    except ReplicaUnconfirmed:
        raise
    except redis.TimeoutError as error:
        store._stalled_until = time.monotonic() + STALL_PAUSE
        raise StoreUnavailable(f"Redis did not answer in {COMMAND_TIMEOUT} s") from error
    except UNAVAILABLE as error:
        raise StoreUnavailable(f"the comment store is unreachable ({error})") from error
    except redis.ResponseError as error:
        if refuses_writes(error):
            raise StoreUnavailable(f"Redis refused the write ({error})") from error
        raise


def unavailable_on_redis_errors(method: Callable[..., T]) -> Callable[..., T]:
    if inspect.isgeneratorfunction(method):
        # a generator's body runs as it is iterated, not when it is called: each step is
        # translated, so an export that loses Redis half-way says so as any call does
        @functools.wraps(method)
        def iterate(store, *args, **kwargs):
            items, done = method(store, *args, **kwargs), object()
            while (item := _translating(store, next, items, done)) is not done:
                yield item

        return iterate

    @functools.wraps(method)
    def wrapper(store, *args, **kwargs):
        return _translating(store, method, store, *args, **kwargs)

    return wrapper


class DirectScript:
    """A Lua script run on a connection of its own in each process and thread, past the pool,
    followed on the same connection by `WAIT` when replica acknowledgements are asked for.

    For the scripts whose answer a client is promised durable (comment intake, the hot path,
    and decisions): redis-py's command path (pool checkout with a readiness poll, a retry
    wrapper, observability hooks) cost about as much CPU as the round trip itself, and a POST
    makes just this one call. The script and its WAIT go out in one write and come back in one
    read, so waiting for a replica costs no extra round trip, only the replica's delay; WAIT
    counts the writes of its own connection, which is why both must share one.

    In a cluster the connection is to the master of the keys' slot (all of a script's keys
    share one). An answer that says the script did not run (MOVED, ASK, TRYAGAIN, NOSCRIPT) is
    followed by one more try at the right place. Nothing is sent twice once it may have run: a
    connection that fails while the answer is awaited is dropped and the error raised (the
    caller answers 503), since a blind resend could store a comment twice; the client's retry
    with its Idempotency-Key is what makes that safe.
    """

    ATTEMPTS = 3

    def __init__(self, client: redis.Redis | RedisCluster, script: str, *,
                 replica_acks: int = 0, replica_timeout_ms: int = 250) -> None:
        self._client = client
        self._text = script
        self._sha = hashlib.sha1(script.encode("utf-8")).hexdigest()
        self._cluster = isinstance(client, RedisCluster)
        self.replica_acks = replica_acks
        self.replica_timeout_ms = replica_timeout_ms
        self._local = threading.local()
        self._map_stale = False

    # -- connections ----------------------------------------------------------------------

    def _pool(self, key: str, node_name: str | None):
        if not self._cluster:
            return "redis", self._client.connection_pool
        if self._map_stale:  # a node failed under us: read the cluster map again first
            self._map_stale = False
            try:
                self._client.nodes_manager.initialize()
            except (redis.RedisError, RedisClusterException) as error:
                raise StoreUnavailable(f"the Redis Cluster map is unavailable ({error})") \
                    from error
        node = (self._client.get_node(node_name=node_name) if node_name
                else self._client.get_node_from_key(key))
        if node is None:
            raise StoreUnavailable(f"no Redis Cluster node serves {node_name or key}")
        return node.name, self._client.get_redis_connection(node).connection_pool

    def _connection(self, key: str, node_name: str | None = None):
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # never a connection from before a fork
            local.connections, local.pid = {}, os.getpid()
        name, pool = self._pool(key, node_name)
        connection = local.connections.get(name)
        if connection is None:
            connection = local.connections[name] = pool.make_connection()
        try:
            if connection.can_read(timeout=0):  # idle yet readable: the server closed it
                connection.disconnect()
        except (redis.ConnectionError, OSError):
            connection.disconnect()
        return connection

    def _lost(self, connection) -> None:
        connection.disconnect()
        self._map_stale = self._cluster

    # -- running --------------------------------------------------------------------------

    def __call__(self, *, keys: list, args: list) -> Any:
        """The script's reply (replica acknowledgements not checked)."""
        return self.run(keys=keys, args=args)[0]

    def run(self, *, keys: list, args: list) -> tuple[Any, int | None]:
        """(the script's reply, how many replicas acknowledged its writes: None unless asked
        for). The caller decides whether a reply needed them; see `confirm`."""
        node_name, asking = None, False
        for attempt in range(self.ATTEMPTS):
            last = attempt == self.ATTEMPTS - 1
            connection = self._connection(keys[0], node_name)
            commands = [("EVALSHA", self._sha, len(keys), *keys, *args)]
            if asking:
                commands.insert(0, ("ASKING",))
            if self.replica_acks:
                commands.append(("WAIT", self.replica_acks, self.replica_timeout_ms))
            try:
                connection.send_packed_command(connection.pack_commands(commands))
            except (redis.ConnectionError, redis.TimeoutError):
                self._lost(connection)  # not sent, so nothing ran: once more, reconnected
                if last:
                    raise
                continue
            try:
                if asking:
                    connection.read_response()
                reply, error = self._read(connection)
                acked = None
                if self.replica_acks:  # WAIT's count; an error (a replica answering) is none
                    count = self._read(connection)[0]
                    acked = count if isinstance(count, int) else 0
            except (redis.ConnectionError, redis.TimeoutError):
                self._lost(connection)
                raise
            if error is None:
                return reply, acked
            node_name, asking = None, False
            if isinstance(error, NoScriptError):  # Redis restarted, or scripts were flushed
                self._load(connection)  # same script, same SHA1: loading it again suffices
            elif isinstance(error, MovedError):  # the slot has a new master: nothing ran
                self._map_stale = True
            elif isinstance(error, AskError):  # the slot is being moved: ask its new home
                node_name, asking = f"{error.host}:{error.port}", True
            elif isinstance(error, TryAgainError):
                time.sleep(0.05)
            elif isinstance(error, (ClusterDownError, ReadOnlyError)):
                self._map_stale = self._cluster
                raise error
            else:
                raise error
            if last:
                raise error
        raise AssertionError("unreachable")

    def confirm(self, acked: int | None) -> None:
        """Raise ReplicaUnconfirmed unless enough replicas acknowledged."""
        if self.replica_acks and (acked or 0) < self.replica_acks:
            raise ReplicaUnconfirmed(
                f"{acked or 0} of {self.replica_acks} replicas acknowledged the write within "
                f"{self.replica_timeout_ms} ms")

    @staticmethod
    def _read(connection) -> tuple[Any, redis.ResponseError | None]:
        try:
            return connection.read_response(), None
        except redis.ResponseError as error:  # the reply was an error; the next one still came
            return None, error

    def _load(self, connection) -> None:
        connection.send_command("SCRIPT", "LOAD", self._text)
        connection.read_response()
