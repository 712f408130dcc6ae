"""Decisions reach the site's webhook, signed, retried, and never carrying the reader's email."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import logging
import threading
import time

import pytest

from hakam.service.store import Store
from hakam.service.webhooks import SIGNATURE_HEADER, Deliverer
from tests.factories import a_comment
from tests.redis_harness import ThrowawayRedis

pytestmark = pytest.mark.single_and_cluster


class _Receiver(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        status = type(self).answers.pop(0) if type(self).answers else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.answers, _Receiver.received = [], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, _Receiver
    server.shutdown()


@pytest.fixture
def webhook_site(store, receiver, scorer):
    server, _ = receiver
    url = f"http://127.0.0.1:{server.server_address[1]}/hakam-webhook"
    key, secret = store.create_site("wp", webhook_url=url)
    scorer.will_score("سيء", abuse=0.8)
    return {"Authorization": f"Bearer {key}"}, secret


def _deliver_until(deliverer: Deliverer, condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "webhook not delivered in time"
        if not deliverer.deliver_one():
            time.sleep(0.05)


def test_a_decision_is_posted_to_the_site_signed_with_its_secret(client, store, receiver,
                                                                 webhook_site,
                                                                 moderator_headers):
    headers, secret = webhook_site
    comment = a_comment(comment="تعليق سيء", email="hidden.reader@example.com")
    comment_id = client.post("/v1/comments", json=comment, headers=headers).get_json()["id"]
    client.post(f"/v1/review/{comment_id}/decision", json={"decision": "reject"},
                headers=moderator_headers)

    _, handler = receiver
    _deliver_until(Deliverer(store), lambda: handler.received)
    sent_headers, body = handler.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert sent_headers[SIGNATURE_HEADER] == expected
    payload = json.loads(body)
    assert payload["comment_id"] == comment_id
    assert payload["status"] == "rejected"
    assert payload["event"] == "comment.decided"
    assert b"hidden.reader" not in body


def test_a_failing_webhook_is_retried_until_it_succeeds(client, store, receiver, webhook_site,
                                                        moderator_headers, monkeypatch):
    headers, _ = webhook_site
    _, handler = receiver
    handler.answers = [500, 503]  # two failures, then 200
    monkeypatch.setattr("hakam.service.webhooks.backoff_seconds", lambda attempts: 0.05)
    comment_id = client.post("/v1/comments", json=a_comment(comment="تعليق سيء"),
                             headers=headers).get_json()["id"]
    client.post(f"/v1/review/{comment_id}/decision", json={"decision": "approve"},
                headers=moderator_headers)

    deliverer = Deliverer(store)
    _deliver_until(deliverer, lambda: len(handler.received) == 3)
    assert deliverer.deliver_one() is False  # delivered: nothing left to do
    assert [json.loads(b)["comment_id"] for _, b in handler.received] == [comment_id] * 3


def test_a_webhook_that_never_answers_is_dead_lettered_after_its_attempts(
        client, store, webhook_site, moderator_headers, monkeypatch):
    headers, _ = webhook_site
    store.configure_site("wp", webhook_url="http://127.0.0.1:9/nothing-listens-here")
    monkeypatch.setattr("hakam.service.webhooks.backoff_seconds", lambda attempts: 0.0)
    comment_id = client.post("/v1/comments", json=a_comment(comment="تعليق سيء"),
                             headers=headers).get_json()["id"]
    client.post(f"/v1/review/{comment_id}/decision", json={"decision": "approve"},
                headers=moderator_headers)

    deliverer = Deliverer(store, timeout=1.0, max_attempts=3)
    _deliver_until(deliverer, lambda: store.dead_deliveries())
    [dead] = store.dead_deliveries()
    assert dead["attempts"] == "3"
    assert json.loads(dead["body"])["comment_id"] == comment_id


def test_many_instances_deliver_each_decision_exactly_once(client, store, receiver,
                                                           webhook_site, moderator_headers,
                                                           redis_url):
    headers, _ = webhook_site
    _, handler = receiver
    decided = []
    for n in range(12):
        comment_id = client.post("/v1/comments", json=a_comment(comment=f"تعليق سيء {n}"),
                                 headers=headers).get_json()["id"]
        client.post(f"/v1/review/{comment_id}/decision", json={"decision": "approve"},
                    headers=moderator_headers)
        decided.append(comment_id)
    # four instances, each with its own connections, all polling the same outbox
    deliverers = [Deliverer(Store.from_url(redis_url), idle_wait=0.01) for _ in range(4)]
    for deliverer in deliverers:
        deliverer.start()
    deadline = time.monotonic() + 15
    while len(handler.received) < len(decided) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # time for a second, wrong delivery to show up
    for deliverer in deliverers:
        deliverer.stop()

    sent = [json.loads(body)["comment_id"] for _, body in handler.received]
    assert sorted(sent) == sorted(decided)


def test_a_delivery_left_by_an_instance_that_died_is_sent_by_another(
        client, store, receiver, webhook_site, moderator_headers, redis_url):
    headers, _ = webhook_site
    _, handler = receiver
    comment_id = client.post("/v1/comments", json=a_comment(comment="تعليق سيء"),
                             headers=headers).get_json()["id"]
    client.post(f"/v1/review/{comment_id}/decision", json={"decision": "spam"},
                headers=moderator_headers)

    # A lease long enough that a loaded machine still asks the survivor before it runs out.
    lease_seconds = 3
    leased_until = time.monotonic() + lease_seconds
    died = Store.from_url(redis_url).take_delivery(lease_seconds=lease_seconds)  # never finished
    assert died is not None
    survivor = Deliverer(Store.from_url(redis_url))
    assert survivor.deliver_one() is False  # not while the dead instance's lease runs
    time.sleep(max(0.0, leased_until - time.monotonic()) + 0.1)
    _deliver_until(survivor, lambda: handler.received)

    assert [json.loads(body)["comment_id"] for _, body in handler.received] == [comment_id]


def test_a_redis_outage_is_logged_once_not_at_every_look(caplog):
    redis_server = ThrowawayRedis().start()
    store = Store.from_url(redis_server.url)
    deliverer = Deliverer(store, idle_wait=0.02)
    redis_server.stop()  # gone before the first look: every look finds it away
    with caplog.at_level(logging.INFO, logger="hakam.webhooks"):
        deliverer.start()
        time.sleep(1.0)  # dozens of looks
        deliverer.stop()

    waits = [r for r in caplog.records if "waits for Redis" in r.getMessage()]
    assert len(waits) == 1
