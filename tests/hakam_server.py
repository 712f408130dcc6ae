"""`hakam serve` as a real process for the tests that need a real gunicorn: started on a free
port, stoppable and restartable, its log kept in a file the test can read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.redis_harness import free_port, wait_for_http


class HakamServer:
    def __init__(self, redis_url: str | None, data_dir: Path, *, workers: int = 2,
                 log_name: str = "hakam.log", args: tuple[str, ...] = (), **env: str) -> None:
        """`redis_url=None` leaves REDIS_URL unset: the service starts its embedded Redis.
        `args` are more `hakam serve` options. Extra keyword arguments become environment
        variables (flood checks and audit items are off unless HAKAM_FLOOD_SECONDS and
        HAKAM_AUDIT_RATE say otherwise)."""
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        # flood checks and audit items off unless the test's variables say otherwise
        self.env.update(HAKAM_DATA_DIR=str(data_dir), HAKAM_FLOOD_SECONDS="0",
                        HAKAM_AUDIT_RATE="0")
        self.env.update(env)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.log_path = data_dir / log_name
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str = "/healthz") -> HakamServer:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hakam.service.cli", "serve", "--port", str(self.port),
                 "--workers", str(self.workers), *self.args], env=self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_http(self.url + ready_path, process=self.process)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                             text=True).stdout
        return [int(pid) for pid in out.split()]

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (the master's other child may be the embedded Redis)."""
        return [pid for pid in self.children() if b"redis-server" not in _cmdline(pid)]

    def redis_pids(self) -> list[int]:
        """The embedded Redis, when this server started it."""
        return [pid for pid in self.children() if b"redis-server" in _cmdline(pid)]

    def wait_for_workers(self, count: int | None = None, *, without: tuple[int, ...] = (),
                         timeout: float = 30.0) -> list[int]:
        """Wait until `count` workers (default: as many as started) run, none of them in
        `without`; returns their pids."""
        count = self.workers if count is None else count
        deadline = time.monotonic() + timeout
        while True:
            pids = self.worker_pids()
            if len(pids) == count and not set(pids) & set(without):
                return pids
            if time.monotonic() > deadline:
                raise TimeoutError(f"workers are {pids}, expected {count} without {without}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        except ProcessLookupError:
            pass
        self.process = None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
