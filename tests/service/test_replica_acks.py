"""Replica acknowledgements (HAKAM_REPLICA_ACKS): a comment or decision is answered only once a
replica has it, on a real Redis master with a real replica. A replica that stops answering
(SIGSTOP, as a stalled machine does) makes WAIT time out."""

from __future__ import annotations

import os
import signal
import time

import pytest
import redis

from hakam.service import create_app
from hakam.service.config import Config
from tests.factories import a_comment
from tests.redis_harness import ThrowawayRedis


@pytest.fixture(scope="module")
def master_and_replica():
    master = ThrowawayRedis().start()
    replica = ThrowawayRedis("--replicaof", "127.0.0.1", str(master.port)).start()
    client = redis.Redis.from_url(master.url)
    deadline = time.monotonic() + 10
    while int(client.info("replication")["connected_slaves"]) < 1:
        assert time.monotonic() < deadline, "the replica did not connect"
        time.sleep(0.05)
    yield master, replica
    replica.stop()
    master.stop()


@pytest.fixture
def stalled(master_and_replica):
    """Stops the replica for the duration of the `with` block."""
    _master, replica = master_and_replica

    class Stall:
        def __enter__(self):
            os.kill(replica.process.pid, signal.SIGSTOP)

        def __exit__(self, *exc):
            os.kill(replica.process.pid, signal.SIGCONT)

    yield Stall()
    os.kill(replica.process.pid, signal.SIGCONT)


def service(master_and_replica, tmp_path, scorer, **settings):
    master, _replica = master_and_replica
    redis.Redis.from_url(master.url).flushall()
    config = Config(redis_url=master.url, data_dir=str(tmp_path), testing=True,
                    flood_seconds=0, **{"replica_timeout_ms": 200, **settings})
    app = create_app(config, scorer=scorer, start_workers=False)
    store = app.extensions["hakam.store"]
    key, _ = store.create_site("akhbar")
    return app.test_client(), store, {"Authorization": f"Bearer {key}"}


def until_answered(send, seconds=10.0):
    """What a client does with a 503 and Retry-After: sends again. A replica woken from SIGSTOP
    takes a moment (longer on a loaded machine) to reconnect and catch up before WAIT sees it."""
    deadline = time.monotonic() + seconds
    while True:
        answer = send()
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_a_redis_with_a_replica_waits_for_it_by_default(master_and_replica, tmp_path, scorer):
    _client, store, _headers = service(master_and_replica, tmp_path, scorer)
    assert store.replica_acks == 1


def test_without_a_replicas_ack_the_comment_gets_503_and_its_retry_stores_it_once(
        master_and_replica, stalled, tmp_path, scorer):
    client, store, headers = service(master_and_replica, tmp_path, scorer)
    comment = a_comment()
    retry_safe = {**headers, "Idempotency-Key": "wp-comment-77"}

    with stalled:
        unconfirmed = client.post("/v1/comments", json=comment, headers=retry_safe)
        assert unconfirmed.status_code == 503
        assert unconfirmed.headers["Retry-After"]
        assert "status" not in unconfirmed.get_json()
        again = client.post("/v1/comments", json=comment, headers=retry_safe)
        assert again.status_code == 503  # the first answer is not promised before a replica has it
    retried = until_answered(lambda: client.post("/v1/comments", json=comment, headers=retry_safe))

    assert retried.status_code == 201
    assert store.get_comment(retried.get_json()["id"], site="akhbar")["text"] == \
        comment["comment"]
    assert store.counts("akhbar")["approved"] == 1  # stored once, whatever the retries


def test_without_a_replicas_ack_a_decision_gets_503_and_stands_once_it_is_there(
        master_and_replica, stalled, tmp_path, scorer):
    client, store, headers = service(master_and_replica, tmp_path, scorer)
    scorer.will_score("سيء", abuse=0.9)
    held = client.post("/v1/comments", json=a_comment(comment="تعليق سيء"),
                       headers=headers).get_json()["id"]
    moderator = {"Authorization": f"Bearer {store.create_moderator('salma')}"}

    with stalled:
        unconfirmed = client.post(f"/v1/review/{held}/decision", json={"decision": "reject"},
                                  headers=moderator)
        assert unconfirmed.status_code == 503 and unconfirmed.headers["Retry-After"]
    retried = until_answered(lambda: client.post(
        f"/v1/review/{held}/decision", json={"decision": "reject"}, headers=moderator))

    assert retried.status_code == 200  # the decision made, confirmed now a replica has it
    assert retried.get_json()["moderator"] == "salma"
    assert retried.get_json()["decision"] == "reject"
    assert store.get_comment(held)["status"] == "rejected"
    assert [a["comment_id"] for a in store.audit()] == [held]


def test_replica_acks_0_answers_without_waiting(master_and_replica, stalled, tmp_path, scorer):
    # A WAIT would take the whole 5 s timeout: far from the bound below, even on a loaded machine.
    client, store, headers = service(master_and_replica, tmp_path, scorer, replica_acks=0,
                                     replica_timeout_ms=5000)
    with stalled:
        started = time.monotonic()
        answered = client.post("/v1/comments", json=a_comment(), headers=headers)
        took = time.monotonic() - started
    assert answered.status_code == 201
    assert took < 2.5  # no WAIT for the stalled replica
