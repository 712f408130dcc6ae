"""A site's key revoked, or its settings changed, with `hakam sites …` takes effect at once in
every worker of every instance: no worker answers from what it remembered of the site."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from hakam.service.store import Store
from tests.factories import a_comment
from tests.hakam_server import HakamServer


def _hakam(redis_url: str, *args: str) -> str:
    env = {**os.environ, "REDIS_URL": redis_url}
    return subprocess.run([sys.executable, "-m", "hakam.service.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=True).stdout


@pytest.fixture
def two_instances(redis_url, tmp_path):
    """Two `hakam serve` of two workers each on one Redis, every worker having served the
    site (and so remembering it)."""
    key = Store.from_url(redis_url).create_site("akhbar")[0]
    servers = [HakamServer(redis_url, tmp_path / name, workers=2, log_name=f"{name}.log")
               for name in ("one", "two")]
    for server in servers:
        server.log_path.parent.mkdir()
        server.start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        for server in servers:
            for _ in range(10):  # round the workers: each one looks the key up
                assert requests.get(server.url + "/v1/comments/none", headers=headers,
                                    timeout=10).status_code == 404
        yield servers, headers
    finally:
        for server in servers:
            server.stop()


def test_a_revoked_key_is_refused_at_once_everywhere(two_instances, redis_url):
    servers, headers = two_instances
    replayed = {**headers, "Idempotency-Key": "wp-1"}
    first = requests.post(servers[0].url + "/v1/comments", json=a_comment(), headers=replayed,
                          timeout=10).json()["id"]

    _hakam(redis_url, "sites", "revoke", "akhbar")

    for server in servers:
        for _ in range(8):
            answer = requests.post(server.url + "/v1/comments", json=a_comment(),
                                   headers=headers, timeout=10)
            assert answer.status_code == 401, answer.text
        assert requests.post(server.url + "/v1/comments", json=a_comment(), headers=replayed,
                             timeout=10).status_code == 401  # not even a replay
        assert requests.get(f"{server.url}/v1/comments/{first}", headers=headers,
                            timeout=10).status_code == 401


def test_a_changed_setting_applies_to_the_next_comment_everywhere(two_instances, redis_url):
    servers, headers = two_instances
    _hakam(redis_url, "sites", "configure", "akhbar", "--premoderation")
    for server in servers:
        for _ in range(8):
            answer = requests.post(server.url + "/v1/comments", json=a_comment(),
                                   headers=headers, timeout=10)
            assert answer.status_code == 201 and answer.json()["status"] == "pending"
