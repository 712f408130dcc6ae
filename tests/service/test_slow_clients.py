"""Slow clients (slowloris) against the deployment the README recommends: HAProxy with the
shipped deploy/haproxy.cfg in front of a real `hakam serve` with two sync workers. Clients
sending their headers or their body a byte at a time, more of them than there are workers,
must not keep anyone else waiting; HAProxy drops them, with no HTML page on the way out, and
answers in JSON when no instance can take a request."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from hakam.service.store import Store
from tests.hakam_server import HakamServer
from tests.redis_harness import free_port, wait_for_http

ROOT = Path(__file__).resolve().parents[2]
# the shipped 10 s, shortened so that the test sees the slow clients dropped in seconds
REQUEST_SECONDS = 3


def _config(hakam_port: int, port: int) -> str:
    """deploy/haproxy.cfg as shipped, its backend pointed at this test's hakam serve."""
    lines = []
    for line in (ROOT / "deploy" / "haproxy.cfg").read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("bind "):
            line = f"    bind 127.0.0.1:{port}"
        elif stripped.startswith("server "):
            if lines[-1].strip().startswith("server "):
                continue
            line = f"    server hakam-1 127.0.0.1:{hakam_port} check inter 1s fall 2 rise 1"
        elif stripped.startswith("timeout http-request"):
            line = f"    timeout http-request {REQUEST_SECONDS}s"
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture
def behind_haproxy(redis_url, tmp_path):
    binary = shutil.which("haproxy")
    if binary is None:
        pytest.fail("haproxy is missing: apt-get install haproxy "
                    "(listed in scripts/tests-system-deps.txt)")
    key = Store.from_url(redis_url).create_site("akhbar")[0]
    server = HakamServer(redis_url, tmp_path, workers=2).start()
    port = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(_config(server.port, port))
    with open(tmp_path / "haproxy.log", "wb") as log:
        proxy = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log,
                                 stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/healthz", process=proxy)
        yield base, key, server
    finally:
        proxy.terminate()
        proxy.wait(10)
        server.stop()


class SlowClient(threading.Thread):
    """Sends a request a byte every half second: its headers, or (complete headers first) its
    body; keeps whatever answer comes before it gives up."""

    def __init__(self, port: int, body_only: bool) -> None:
        super().__init__(daemon=True)
        body = b'{"comment": "' + b"x" * 200 + b'"}'
        head = (b"POST /v1/comments HTTP/1.1\r\nHost: hakam\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        self.sent_at_once, self.trickled = (head, body) if body_only else (b"", head + body)
        self.port = port
        self.answer = b""

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(self.sent_at_once)
            try:
                for byte in self.trickled:
                    connection.sendall(bytes([byte]))
                    time.sleep(0.5)
            except OSError:  # dropped: read what was said on the way out
                pass
            try:
                while chunk := connection.recv(4096):
                    self.answer += chunk
            except OSError:
                pass


def test_slow_clients_behind_haproxy_keep_no_one_waiting_and_are_dropped(behind_haproxy):
    base, key, _server = behind_haproxy
    port = int(base.rsplit(":", 1)[1])
    slow = [SlowClient(port, body_only=n % 2 == 1) for n in range(12)]  # 6 of each, 2 workers
    for client in slow:
        client.start()
    time.sleep(1.0)  # every slow client is connected and trickling

    headers = {"Authorization": f"Bearer {key}"}
    waits = []
    for n in range(10):
        started = time.monotonic()
        answer = requests.post(base + "/v1/comments", headers=headers, timeout=10,
                               json={"comment": f"تعليق عادي {n}", "author": "ليلى",
                                     "email": "laila@example.com", "comment_post_ID": n + 1})
        waits.append(time.monotonic() - started)
        assert answer.status_code == 201, answer.text
    assert max(waits) < 1.5, waits  # no one queued behind the slow clients

    for client in slow:  # dropped once their time is up, without an answer (nor HTML)
        client.join(REQUEST_SECONDS + 10)
        assert not client.is_alive() and client.answer == b"", client.answer[:200]


def test_haproxy_answers_in_json_when_no_instance_can_take_a_request(behind_haproxy):
    base, _key, server = behind_haproxy
    assert requests.get(base + "/healthz", timeout=10).status_code == 200
    server.stop()  # the only instance gone: HAProxy answers itself, in Hakam's error shape
    deadline = time.monotonic() + 10
    while (answer := requests.get(base + "/healthz", timeout=10)).status_code == 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert answer.status_code in (502, 503)
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["message"]
