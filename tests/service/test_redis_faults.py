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
from pathlib import Path

import pytest
import redis
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


def test_a_stalled_redis_gets_quick_503s_and_the_workers_stay_free(redis_server, redis_url,
                                                                   tmp_path):
    """DEBUG SLEEP stalls Redis as a long fsync or a slow replica can: requests must not each
    wait out the stall (or pile up behind the ones that do)."""
    store = Store.from_url(redis_url)
    key = store.create_site("akhbar")[0]
    server = HakamServer(redis_server.url, tmp_path, workers=2).start()
    headers = {"Authorization": f"Bearer {key}"}

    def post(n: int) -> tuple[int, float, dict]:
        started = time.monotonic()
        answer = requests.post(server.url + "/v1/comments", headers=headers, timeout=60,
                               json={"comment": f"تعليق {n}", "author": "ليلى",
                                     "email": "laila@example.com", "comment_post_ID": n})
        return answer.status_code, time.monotonic() - started, dict(answer.headers)

    try:
        assert post(1)[0] == 201
        stall = threading.Thread(target=lambda: redis.Redis.from_url(
            redis_server.url, socket_timeout=30).execute_command("DEBUG", "SLEEP", "8"))
        stall.start()
        time.sleep(0.2)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post, range(2, 10)))
        everyone_answered_in = time.monotonic() - started
        healthz_started = time.monotonic()
        assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
        healthz_in = time.monotonic() - healthz_started
        stall.join()

        assert [status for status, _, _ in answers] == [503] * 8
        assert all(headers["Retry-After"] for _, _, headers in answers)
        assert max(seconds for _, seconds, _ in answers) < 4.0, answers
        assert everyone_answered_in < 5.0  # not 8 stalls one after another on 2 workers
        assert healthz_in < 1.0
        deadline = time.monotonic() + 10
        while (status := post(20)[0]) != 201:  # and intake resumes by itself
            assert status == 503 and time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        server.stop()


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs of its own: filling it fills the disk under the embedded Redis's AOF."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.fail(f"a full disk is made with a tmpfs, which needs root: {mounted.stderr}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_under_the_aof_gets_503s_never_a_201_it_did_not_keep(small_disk, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(HAKAM_DATA_DIR=str(small_disk), HAKAM_FLOOD_SECONDS="0")
    key = _hakam(env, "sites", "add", "akhbar").stdout.strip()
    # the service's own log stays off the full disk; its data (and the AOF) are on it
    server = HakamServer(None, tmp_path, workers=2, HAKAM_DATA_DIR=str(small_disk))
    server.start("/readyz")
    headers = {"Authorization": f"Bearer {key}"}
    acknowledged: dict[str, str] = {}

    def post(n: int) -> requests.Response:
        answer = requests.post(
            server.url + "/v1/comments", timeout=10,
            headers={**headers, "Idempotency-Key": f"disk-{n}"},
            json={"comment": f"تعليق رقم {n} " + "نص " * 300, "author": "ليلى",
                  "email": "laila@example.com", "comment_post_ID": n + 1})
        assert answer.status_code in (201, 503), answer.text
        if answer.status_code == 201:
            acknowledged[f"disk-{n}"] = answer.json()["id"]
        else:
            assert answer.headers["Retry-After"]
        return answer

    try:
        assert all(post(n).status_code == 201 for n in range(3))
        filler = _fill(small_disk)
        refused = []
        for n in range(3, 40):
            if post(n).status_code == 503:
                refused.append(n)
                if len(refused) >= 5:
                    break
            time.sleep(0.1)
        assert len(refused) >= 5, "a full disk never refused a comment"
        ready = requests.get(server.url + "/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["redis_writes"] is False
        for comment_id in acknowledged.values():  # what was answered 201 is there
            answer = requests.get(f"{server.url}/v1/comments/{comment_id}", headers=headers,
                                  timeout=10)
            assert answer.status_code == 200

        filler.unlink()  # the operator frees the disk: intake resumes by itself
        deadline = time.monotonic() + 15
        for n in refused:  # each client retrying its comment with its own key
            while post(n).status_code != 201:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
    finally:
        server.stop()

    again = HakamServer(None, tmp_path, workers=1, log_name="again.log",
                        HAKAM_DATA_DIR=str(small_disk)).start("/readyz")
    try:  # a restart replays the AOF: every acknowledged comment, each once
        for comment_id in acknowledged.values():
            assert requests.get(f"{again.url}/v1/comments/{comment_id}", headers=headers,
                                timeout=10).status_code == 200
        assert len(set(acknowledged.values())) == len(acknowledged)
        store = Store.from_url(f"unix://{small_disk / 'redis.sock'}")
        assert sum(store.counts("akhbar").values()) == len(acknowledged)
        store.r.close()
    finally:
        again.stop()
