"""Redis going away under a real `hakam serve`: the embedded one killed mid-load comes back by
itself on the same AOF, the user's own one is waited for, and meanwhile nothing acknowledged is
lost or doubled, every refusal is a 503 the client may retry, and /readyz tells the truth."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from hakam.service import embedded
from hakam.service.store import Store
from tests.hakam_server import HakamServer
from tests.redis_harness import ThrowawayRedis


def _hakam(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hakam.service.cli", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=True)


class Load:
    """Clients posting distinct comments, each retrying its own with the same Idempotency-Key
    until it gets a 201, as the WordPress plugin does; records when each 201 came."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {key}"}
        self.answered: dict[str, str] = {}  # Idempotency-Key -> comment id
        self.acknowledged_at: list[float] = []
        self.refusals: list[int] = []
        self._lock = threading.Lock()

    def post(self, n: int) -> None:
        body = {"comment": f"تعليق رقم {n}، comment number {n}", "author": f"قارئ {n}",
                "email": f"r{n}@example.com", "comment_post_ID": "9"}
        with requests.Session() as session:
            for _attempt in range(200):
                try:
                    response = session.post(f"{self.base}/v1/comments", json=body, timeout=10,
                                            headers={**self.headers,
                                                     "Idempotency-Key": f"load-{n}"})
                except requests.ConnectionError:
                    time.sleep(0.05)
                    continue
                if response.status_code == 201:
                    with self._lock:
                        self.answered[f"load-{n}"] = response.json()["id"]
                        self.acknowledged_at.append(time.monotonic())
                    return
                with self._lock:
                    self.refusals.append(response.status_code)
                assert response.status_code == 503, response.text
                assert response.headers["Retry-After"]
                time.sleep(0.05)
        raise AssertionError(f"comment {n} never got its 201")


def test_the_embedded_redis_killed_under_load_is_back_in_seconds_and_loses_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(HAKAM_DATA_DIR=str(tmp_path), HAKAM_FLOOD_SECONDS="0")
    key = _hakam(env, "sites", "add", "akhbar").stdout.strip()
    server = HakamServer(None, tmp_path, workers=2).start("/readyz")
    total = 240
    load = Load(server.url, key)
    try:
        first_redis = server.redis_pids()
        assert len(first_redis) == 1
        with ThreadPoolExecutor(max_workers=6) as pool:
            posts = [pool.submit(load.post, n) for n in range(total)]
            while len(load.answered) < 60:
                time.sleep(0.01)
            os.kill(first_redis[0], signal.SIGKILL)
            killed_at = time.monotonic()
            for post in posts:
                post.result()
        back_in = min(t for t in load.acknowledged_at if t > killed_at) - killed_at
        print(f"from the kill to the first 201 again: {back_in:.2f} s")
        assert back_in < 5.0
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
        second_redis = server.redis_pids()
        assert len(second_redis) == 1 and second_redis != first_redis

        store = Store.from_url(f"unix://{tmp_path / 'redis.sock'}")
        assert len(load.answered) == total
        assert len(set(load.answered.values())) == total  # one comment per Idempotency-Key
        for comment_id in load.answered.values():  # every acknowledged one survived the kill
            assert store.get_comment(comment_id) is not None
        assert sum(store.counts("akhbar").values()) == total  # and nothing else was stored
        store.r.close()
    finally:
        server.stop()
    log = server.log()
    assert "the embedded Redis stopped (exit status -9); starting it again" in log
    assert "the embedded Redis is running again" in log
    assert not embedded._probe(tmp_path / "redis.sock") == "answering"  # stopped at the end


def test_the_users_own_redis_is_waited_for_and_intake_resumes_when_it_returns(tmp_path):
    own = ThrowawayRedis("--appendonly", "yes").start()
    try:
        key = Store.from_url(own.url).create_site("akhbar")[0]
        server = HakamServer(own.url, tmp_path, workers=2).start("/readyz")
        try:
            headers = {"Authorization": f"Bearer {key}"}

            def post(n: int) -> requests.Response:
                return requests.post(server.url + "/v1/comments", headers=headers, timeout=10,
                                     json={"comment": f"تعليق {n}", "author": "ليلى",
                                           "email": "laila@example.com", "comment_post_ID": n})

            assert post(1).status_code == 201
            own.kill()
            down = [post(n) for n in range(2, 6)]
            assert [r.status_code for r in down] == [503] * 4
            assert all(r.json()["error"] == "store_unavailable" for r in down)
            ready = requests.get(server.url + "/readyz", timeout=10)
            assert ready.status_code == 503 and ready.json()["checks"]["redis"] is False
            assert server.redis_pids() == []  # Hakam never starts a Redis of its own here

            own.start()
            deadline = time.monotonic() + 10
            while (answer := post(6)).status_code != 201:
                assert time.monotonic() < deadline, answer.text
                time.sleep(0.1)
            assert [post(n).status_code for n in range(7, 11)] == [201] * 4
            assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
        finally:
            server.stop()
    finally:
        own.stop()


def test_stopping_the_embedded_redis_is_quick_and_keeps_what_it_stored(tmp_path):
    server = embedded.start(tmp_path)
    with embedded._client(server.socket, 5) as client:
        client.set("kept", "yes")
    started = time.monotonic()
    server.stop()
    stopped_in = time.monotonic() - started
    assert stopped_in < 1.0, f"stopping took {stopped_in:.1f} s"  # SHUTDOWN took 4.3 s
    again = embedded.start(tmp_path)
    try:
        with embedded._client(again.socket, 5) as client:
            assert client.get("kept") == b"yes"
    finally:
        again.stop()


def test_a_command_that_starts_its_own_redis_takes_about_as_long_as_its_work(tmp_path,
                                                                            redis_url):
    """`hakam sites list` on the embedded Redis against the same command on a running Redis,
    in the same run: the difference is starting and stopping the embedded one."""
    embedded_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    embedded_env["HAKAM_DATA_DIR"] = str(tmp_path / "embedded")
    running_env = {**embedded_env, "REDIS_URL": redis_url}
    for env in (embedded_env, running_env):
        _hakam(env, "sites", "add", "akhbar")

    def seconds(env: dict) -> float:
        started = time.monotonic()
        assert "akhbar" in _hakam(env, "sites", "list").stdout
        return time.monotonic() - started

    extra = min(seconds(embedded_env) - seconds(running_env) for _ in range(2))
    # stopping it used to wait 4 s for a server already gone
    assert extra < 1.0, f"the embedded Redis added {extra:.1f} s"
    assert not (tmp_path / "embedded" / "redis.sock").exists()
