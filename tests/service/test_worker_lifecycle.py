"""Workers come and go under a real `hakam serve`: one stopped by a signal, all replaced by a
reload (SIGHUP), recycled after --max-requests. Whatever leaves, the workers that replace it
answer every request as before, /healthz and /metrics included."""

from __future__ import annotations

import os
import signal
from collections import Counter

import pytest
import requests

from hakam.service.store import Store
from tests.factories import a_comment
from tests.hakam_server import HakamServer


def statuses(server: HakamServer, key: str, count: int = 40) -> Counter:
    """Status of `count` rounds of a comment POST, /healthz and /metrics."""
    seen: Counter = Counter()
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(count):
        seen[requests.post(server.url + "/v1/comments", json=a_comment(), headers=headers,
                           timeout=10).status_code] += 1
        seen[requests.get(server.url + "/healthz", timeout=10).status_code] += 1
        seen[requests.get(server.url + "/metrics", timeout=10).status_code] += 1
    return seen


@pytest.fixture
def served(redis_url, tmp_path):
    server = HakamServer(redis_url, tmp_path, workers=2).start()
    try:
        yield server, Store.from_url(redis_url).create_site("akhbar")[0]
    finally:
        server.stop()


# SIGABRT is what gunicorn's master sends a worker that timed out.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGQUIT, signal.SIGINT,
                                    signal.SIGABRT, signal.SIGKILL],
                         ids=lambda s: signal.Signals(s).name)
def test_one_worker_leaving_leaves_every_answer_good(served, signum):
    server, key = served
    victim = server.worker_pids()[0]
    os.kill(victim, signum)
    server.wait_for_workers(without=(victim,))
    assert statuses(server, key) == Counter({201: 40, 200: 80})


def test_a_reload_with_sighup_replaces_every_worker_and_every_answer_stays_good(served):
    server, key = served
    before = server.worker_pids()
    os.kill(server.process.pid, signal.SIGHUP)
    server.wait_for_workers(without=tuple(before))
    assert statuses(server, key) == Counter({201: 40, 200: 80})
    # a second reload, as an operator rolling out twice would
    again = server.worker_pids()
    os.kill(server.process.pid, signal.SIGHUP)
    server.wait_for_workers(without=tuple(again))
    assert statuses(server, key, count=10) == Counter({201: 10, 200: 20})


def test_workers_recycled_after_max_requests_keep_answering(redis_url, tmp_path):
    server = HakamServer(redis_url, tmp_path, workers=2, args=("--max-requests", "12")).start()
    try:
        key = Store.from_url(redis_url).create_site("akhbar")[0]
        first = server.worker_pids()
        assert statuses(server, key, count=12) == Counter({201: 12, 200: 24})
        server.wait_for_workers(without=tuple(first))  # 36 requests: each worker recycled
        assert statuses(server, key, count=5) == Counter({201: 5, 200: 10})
    finally:
        server.stop()
    assert "Autorestarting worker" in server.log()


def test_a_worker_leaving_does_not_stop_the_embedded_redis(tmp_path):
    server = HakamServer(None, tmp_path, workers=2)
    key = _site_key_on_embedded(server)
    server.start("/readyz")
    try:
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGTERM)
        server.wait_for_workers(without=(victim,))
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
        assert statuses(server, key, count=10) == Counter({201: 10, 200: 20})
        assert "stopping the embedded Redis" not in server.log()
    finally:
        server.stop()
    assert server.log().count("stopping the embedded Redis") == 1  # the master, at the end


def _site_key_on_embedded(server: HakamServer) -> str:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "hakam.service.cli", "sites", "add", "akhbar"],
                          env=server.env, capture_output=True, text=True, timeout=60,
                          check=True).stdout.strip()

