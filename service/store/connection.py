"""How the store reaches Redis: the client, the Lua scripts, and Redis errors as 503s.

Nothing outside the store package imports this module.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from importlib import resources
from typing import TypeVar

import redis

from ..errors import StoreUnavailable

T = TypeVar("T")


def lua(name: str) -> str:
    """The text of one of the store's Lua scripts (service/store/lua/<name>.lua)."""
    return resources.files(__package__).joinpath("lua", f"{name}.lua").read_text("utf-8")


def client_from_url(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2,
        health_check_interval=30,
    )


def unavailable_on_redis_errors(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as error:
            raise StoreUnavailable("the comment store is unreachable") from error

    return wrapper


class DirectScript:
    """A Lua script run on a connection of its own in each process and thread, past the pool.

    For the one script on the hot path, comment intake: redis-py's command path (pool checkout
    with a readiness poll, a retry wrapper, observability hooks) cost about as much CPU as the
    round trip itself, and a POST makes just this one call. What the pool does that matters here
    is kept: a connection the server closed is replaced before use, a flushed script cache is
    reloaded, and the pool's settings (timeouts, health checks) are used.

    Unlike the pool's retries, nothing is sent twice once it may have run: a connection that
    fails while the answer is awaited is dropped and the error raised (the caller answers 503),
    since a blind resend could store a comment twice.
    """

    def __init__(self, client: redis.Redis, script: str) -> None:
        self._script = client.register_script(script)
        self._pool = client.connection_pool
        self._local = threading.local()

    def _connection(self):
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # never a connection from before a fork
            local.connection, local.pid = self._pool.make_connection(), os.getpid()
        connection = local.connection
        try:
            if connection.can_read(timeout=0):  # idle yet readable: the server closed it
                connection.disconnect()
        except (redis.ConnectionError, OSError):
            connection.disconnect()
        return connection

    def __call__(self, *, keys: list, args: list):
        connection = self._connection()
        for attempt in range(2):
            try:
                connection.send_command("EVALSHA", self._script.sha, len(keys), *keys, *args)
            except (redis.ConnectionError, redis.TimeoutError):
                connection.disconnect()  # not sent, so nothing ran: once more, reconnected
                if attempt:
                    raise
                continue
            try:
                return connection.read_response()
            except redis.exceptions.NoScriptError:  # Redis restarted or its scripts were flushed
                if attempt:
                    raise
                # same script, same SHA1: loading it again is all that is needed
                self._script.registered_client.script_load(self._script.script)
            except (redis.ConnectionError, redis.TimeoutError):
                connection.disconnect()
                raise
        raise AssertionError("unreachable")
