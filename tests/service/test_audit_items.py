"""Audit items: a random share of published comments reaches moderators, so that what the model
let through gets labelled; deciding one changes the published comment only when it is taken down."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest

from hakam.service.policy import SitePolicy
from hakam.service.webhooks import Deliverer
from tests.factories import a_comment


def _published_comment(client, headers, **overrides) -> str:
    comment = a_comment(**overrides)
    comment.pop("author_ip")  # every author is new; no two share an IP's flood interval
    response = client.post("/v1/comments", json=comment, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "approved"
    return response.get_json()["id"]


def _audit_site(store, rate: float, webhook_url: str | None = None) -> dict[str, str]:
    key, _secret = store.create_site("akhbar", webhook_url=webhook_url)
    store.configure_site("akhbar", policy=SitePolicy(audit_rate=rate))
    return {"Authorization": f"Bearer {key}"}


def _queue(client, moderator_headers) -> list[dict]:
    return client.get("/v1/review/queue?limit=500", headers=moderator_headers).get_json()[
        "comments"]


def test_audit_items_appear_at_the_sites_rate_and_stay_published(client, store,
                                                                 moderator_headers):
    headers = _audit_site(store, 0.25)
    posted = [_published_comment(client, headers) for _ in range(400)]

    queued = _queue(client, moderator_headers)
    # 400 draws at 0.25: 100 expected, standard deviation 8.7; four of them either side
    assert 65 <= len(queued) <= 135
    assert all(item["audit"] and item["status"] == "approved" for item in queued)
    assert {item["id"] for item in queued} <= set(posted)
    for item in queued[:5]:
        answer = client.get(f"/v1/comments/{item['id']}", headers=headers).get_json()
        assert answer["status"] == "approved"


def test_a_site_with_audit_rate_zero_queues_nothing_it_published(client, store,
                                                                  moderator_headers):
    headers = _audit_site(store, 0.0)
    for _ in range(30):
        _published_comment(client, headers)
    assert _queue(client, moderator_headers) == []


def test_the_default_audit_rate_is_two_percent_and_hakam_audit_rate_sets_another():
    from hakam.service.config import Config, ConfigError

    assert SitePolicy().audit_rate is None  # a site without its own rate takes the service's
    assert Config.from_env({}).audit_rate == 0.02
    assert Config.from_env({"HAKAM_AUDIT_RATE": "0.1"}).audit_rate == 0.1
    with pytest.raises(ConfigError, match="HAKAM_AUDIT_RATE"):
        Config.from_env({"HAKAM_AUDIT_RATE": "2"})


def test_a_site_without_a_rate_of_its_own_takes_the_services(app, client, store,
                                                             moderator_headers):
    key, _secret = store.create_site("akhbar")
    app.config["HAKAM"] = app.config["HAKAM"].with_(audit_rate=1.0)
    _published_comment(client, {"Authorization": f"Bearer {key}"})
    assert len(_queue(client, moderator_headers)) == 1


def test_approving_an_audit_item_leaves_the_published_comment_alone_and_labels_it(
        client, store, moderator_headers):
    headers = _audit_site(store, 1.0)
    comment_id = _published_comment(client, headers, comment="تعليق منشور للتدقيق")

    decided = client.post(f"/v1/review/{comment_id}/decision", headers=moderator_headers,
                          json={"decision": "approve"})

    assert decided.status_code == 200
    assert decided.get_json()["audit"] is True
    answer = client.get(f"/v1/comments/{comment_id}", headers=headers).get_json()
    assert answer["status"] == "approved"
    assert _queue(client, moderator_headers) == []
    assert store.take_delivery() is None  # nothing changed, so nothing to tell the site
    assert store.counts("akhbar")["approved"] == 1
    labels = store.site_labels("akhbar")
    assert {(lbl["task"], lbl["label"], lbl["audit_rate"]) for lbl in labels} == {
        ("spam", 0, 1.0), ("abuse", 0, 1.0)}
    again = client.post(f"/v1/review/{comment_id}/decision", headers=moderator_headers,
                        json={"decision": "reject"})
    assert again.status_code == 409  # one decision per comment, audit items included


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        type(self).received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_url():
    _Receiver.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


@pytest.mark.parametrize("decision, status", [("reject", "rejected"), ("spam", "spam")])
def test_taking_down_an_audit_item_changes_its_status_and_tells_the_site(
        client, store, moderator_headers, webhook_url, decision, status):
    headers = _audit_site(store, 1.0, webhook_url=webhook_url)
    comment_id = _published_comment(client, headers, comment="تعليق نشر ثم تبين أنه مسيء")

    client.post(f"/v1/review/{comment_id}/decision", headers=moderator_headers,
                json={"decision": decision})

    answer = client.get(f"/v1/comments/{comment_id}", headers=headers).get_json()
    assert answer["status"] == status
    assert [event["status"] for event in answer["history"]] == ["approved", status]
    assert store.counts("akhbar")["approved"] == 0 and store.counts("akhbar")[status] == 1
    deliverer = Deliverer(store, timeout=2)
    deadline = time.monotonic() + 10
    while not _Receiver.received and time.monotonic() < deadline:
        if not deliverer.deliver_one():
            time.sleep(0.05)
    assert [(body["comment_id"], body["status"]) for body in _Receiver.received] == [
        (comment_id, status)]


def test_moderators_can_claim_only_the_audit_items(client, store, scorer, moderator_headers):
    headers = _audit_site(store, 1.0)
    scorer.will_score("غبي", abuse=0.9)
    audited = _published_comment(client, headers)
    held = client.post("/v1/comments", json=a_comment(comment="انت غبي"), headers=headers)
    assert held.get_json()["status"] == "pending"

    claimed = store.claim("salma", limit=10, reason="audit")
    assert [item["id"] for item in claimed] == [audited]


def test_erasing_a_reader_takes_their_audit_items_out_of_the_queue(client, store,
                                                                   moderator_headers):
    headers = _audit_site(store, 1.0)
    erased = _published_comment(client, headers, email="leila@example.com")
    kept = _published_comment(client, headers, email="omar@example.com")

    answer = client.post("/v1/readers/erase", headers=headers, json={"email": "leila@example.com"})

    assert answer.get_json()["erased"] == 1
    assert [item["id"] for item in _queue(client, moderator_headers)] == [kept]
    assert erased not in {item["id"] for item in store.claim("salma", limit=10)}
