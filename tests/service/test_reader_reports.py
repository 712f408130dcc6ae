"""Readers' reports (POST /v1/comments/{id}/reports): one per reader per comment counts, and the
report that reaches the site's threshold sends a published comment back to the queue, with the
site's webhook told exactly once."""

from __future__ import annotations

import threading

import pytest
import redis
from redis.cluster import RedisCluster

from hakam.service.policy import SitePolicy
from hakam.service.store import Store, keys
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster


@pytest.fixture
def webhook_site(store) -> dict[str, str]:
    api_key, _secret = store.create_site("jarida", language="ar")
    store.configure_site("jarida", webhook_url="https://news.example/hakam")
    return {"Authorization": f"Bearer {api_key}"}


def published(client, headers, **fields) -> str:
    answer = client.post("/v1/comments", json=a_comment(**fields), headers=headers)
    assert answer.get_json()["status"] == "approved"
    return answer.get_json()["id"]


def report(client, headers, comment_id, reporter, reason="abuse", note=None):
    body = {"reason": reason, "reporter": reporter}
    if note is not None:
        body["note"] = note
    return client.post(f"/v1/comments/{comment_id}/reports", json=body, headers=headers)


def deliveries(store: Store, site: str) -> list[dict]:
    due = store.r.zrange(keys.webhook_due(site), 0, -1)
    return [store.r.hgetall(keys.webhook_delivery(site, d)) for d in due]


def test_three_readers_send_a_published_comment_back_to_the_queue(
        client, store, webhook_site, moderator_headers):
    comment_id = published(client, webhook_site)

    answers = [report(client, webhook_site, comment_id, f"reader-{n}") for n in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.get_json()["status"] for a in answers] == ["approved", "approved", "pending"]
    assert answers[-1].get_json() == {"comment_id": comment_id, "counted": True, "reports": 3,
                                      "status": "pending"}
    held = client.get(f"/v1/comments/{comment_id}", headers=webhook_site).get_json()
    assert held["status"] == "pending"
    assert held["reasons"][0]["code"] == "reader_reports"
    assert held["reasons"][0]["message"] == \
        "أبلغ 3 قرّاء عن هذا التعليق المنشور؛ وهو بانتظار مشرف من جديد."
    assert held["history"][-1]["by"] == "readers"
    assert store.counts("jarida")["approved"] == 0 and store.counts("jarida")["pending"] == 1
    [told] = deliveries(store, "jarida")
    body = __import__("json").loads(told["body"])
    assert body["event"] == "comment.reported" and body["comment_id"] == comment_id
    assert body["status"] == "pending" and body["reason"] == "reader_reports"
    assert body["reports"] == 3 and body["post_id"] == "42"


def test_one_reader_counts_once(client, webhook_site):
    comment_id = published(client, webhook_site)

    first = report(client, webhook_site, comment_id, "reader-1")
    again = report(client, webhook_site, comment_id, "reader-1", reason="spam")
    other = report(client, webhook_site, comment_id, "READER-1 ")  # hashed as an email is

    assert first.status_code == 201
    assert again.status_code == 200 and again.get_json()["counted"] is False
    assert other.get_json() == {"comment_id": comment_id, "counted": False, "reports": 1,
                                "status": "approved"}


def test_reports_past_the_threshold_tell_the_site_nothing_more(client, store, webhook_site):
    comment_id = published(client, webhook_site)
    for n in range(6):
        report(client, webhook_site, comment_id, f"reader-{n}")

    assert len(deliveries(store, "jarida")) == 1
    assert store.queue_depth("jarida") == 1


def test_many_readers_at_once_cross_the_threshold_exactly_once(app, store, webhook_site):
    comment_id = published(app.test_client(), webhook_site)
    statuses: list[int] = []

    def reader(n: int) -> None:
        client = app.test_client()
        statuses.append(report(client, webhook_site, comment_id, f"crowd-{n}").status_code)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 24
    assert len(deliveries(store, "jarida")) == 1
    history = store.get_comment(comment_id, site="jarida")["history"]
    assert [event["by"] for event in history] == ["hakam", "readers"]
    assert store.counts("jarida") == {"approved": 0, "pending": 1, "spam": 0, "rejected": 0}
    assert int(store.r.hget(keys.comment("jarida", comment_id), "report_count")) == 24


def test_the_threshold_is_the_sites(client, store, webhook_site):
    store.configure_site("jarida", policy=SitePolicy(report_hold=1))
    comment_id = published(client, webhook_site)

    assert report(client, webhook_site, comment_id, "r").get_json()["status"] == "pending"


def test_reports_on_a_held_comment_show_on_its_card_and_do_not_requeue(
        client, store, site_headers, scorer, moderator_headers):
    scorer.will_score("حمار", abuse=0.97)
    held = client.post("/v1/comments", json=a_comment(comment="يا حمار"),
                       headers=site_headers).get_json()
    for n, reason in enumerate(["abuse", "abuse", "spam", "other"]):
        report(client, site_headers, held["id"], f"r{n}", reason=reason)

    [card] = client.get("/v1/review/queue", headers=moderator_headers).get_json()["comments"]
    assert card["reports"] == {"count": 4, "reasons": {"abuse": 2, "spam": 1, "other": 1}}
    assert [r["code"] for r in card["reasons"]][0] == "abuse_score"  # held for what it was
    assert store.get_comment(held["id"])["history"][-1]["by"] == "hakam"


def test_the_reported_filter_lists_and_claims_only_reported_comments(
        client, store, site_headers, scorer, moderator_headers):
    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
    client.post("/v1/comments", json=a_comment(), headers=site_headers)  # held, not reported
    store.configure_site("akhbar", policy=SitePolicy())
    reported = published(client, site_headers)
    for n in range(3):
        report(client, site_headers, reported, f"r{n}")

    listed = client.get("/v1/review/queue?reason=reader_reports", headers=moderator_headers)
    assert [c["id"] for c in listed.get_json()["comments"]] == [reported]
    everything = client.get("/v1/review/queue", headers=moderator_headers).get_json()
    assert len(everything["comments"]) == 2

    claimed = client.post("/v1/review/claim", json={"reason": "reader_reports", "limit": 5},
                          headers=moderator_headers).get_json()["comments"]
    assert [c["id"] for c in claimed] == [reported]
    assert claimed[0]["reports"] == {"count": 3, "reasons": {"abuse": 3}}

    bad = client.get("/v1/review/queue?reason=rude", headers=moderator_headers)
    assert bad.status_code == 400


def test_a_moderators_decision_is_the_label_and_stands(client, store, webhook_site,
                                                       moderator_headers):
    comment_id = published(client, webhook_site)
    for n in range(3):
        report(client, webhook_site, comment_id, f"r{n}")
    labels_before = store.r.xlen(keys.labels("jarida"))
    assert labels_before == 0  # reports alone make no label

    decided = client.post(f"/v1/review/{comment_id}/decision", json={"decision": "approve"},
                          headers=moderator_headers)
    assert decided.status_code == 200
    assert store.r.xlen(keys.labels("jarida")) == 2  # spam 0, abuse 0: the moderator's

    # more reports after a moderator approved it: counted, not sent back again
    later = report(client, webhook_site, comment_id, "r9")
    assert later.get_json()["status"] == "approved"
    assert store.queue_depth("jarida") == 0


def test_an_unknown_or_other_sites_comment_is_404(client, store, site_headers, webhook_site):
    theirs = published(client, webhook_site)

    assert report(client, site_headers, theirs, "r").status_code == 404
    assert report(client, site_headers, "0" * 32, "r").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"reason": "rude", "reporter": "r"}, "reason"),
    ({"reason": "abuse"}, "reporter"),
    ({"reason": "abuse", "reporter": ""}, "reporter"),
    ({"reason": "abuse", "reporter": "r", "note": "x" * 1001}, "note"),
])
def test_a_bad_report_is_refused_field_by_field(client, webhook_site, body, field):
    comment_id = published(client, webhook_site)

    answer = client.post(f"/v1/comments/{comment_id}/reports", json=body, headers=webhook_site)

    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]


def every_key_and_value(store: Store) -> str:
    client = store.r
    if isinstance(client, RedisCluster):
        names = list(client.scan_iter(target_nodes=RedisCluster.PRIMARIES))
    else:
        names = list(client.scan_iter())
    dump = []
    for name in names:
        kind = client.type(name)
        if kind == "hash":
            dump += [name, repr(client.hgetall(name))]
        elif kind == "zset":
            dump += [name, repr(client.zrange(name, 0, -1))]
        elif kind == "list":
            dump += [name, repr(client.lrange(name, 0, -1))]
        elif kind == "string":
            dump += [name, repr(client.get(name))]
        else:
            dump.append(name)
    return "\n".join(dump)


def test_export_and_erasure_cover_reports_by_and_about_the_reader(client, store, webhook_site):
    laila = "laila@example.com"
    hers = published(client, webhook_site, email=laila)
    others = published(client, webhook_site)
    # Laila reports another comment (the site sends her email as her reporter id) ...
    report(client, webhook_site, others, laila, reason="spam", note="إعلان متكرر")
    # ... and two readers report hers
    report(client, webhook_site, hers, "reader-a", note="ليلى تسيء")
    report(client, webhook_site, hers, "reader-b", reason="other")

    exported = client.post("/v1/readers/export", json={"email": laila},
                           headers=webhook_site).get_json()
    assert [(r["comment_id"], r["reason"], r["note"]) for r in exported["reports"]] == \
        [(others, "spam", "إعلان متكرر")]
    [comment] = exported["comments"]
    assert [(r["reason"], r["note"]) for r in comment["reports"]] == \
        [("abuse", "ليلى تسيء"), ("other", "")]
    assert "reporter" not in str(comment["reports"])

    erased = client.post("/v1/readers/erase", json={"email": laila}, headers=webhook_site)
    assert erased.get_json() == {"erased": 1, "labels": 0}

    remaining = every_key_and_value(store)
    assert hers not in remaining
    assert "إعلان متكرر" not in remaining and "ليلى تسيء" not in remaining
    assert store.private_key(laila) not in remaining
    # the other comment keeps its count (a number naming no one), not Laila's report
    assert store.r.hget(keys.comment("jarida", others), "report_count") == "1"
    again = client.post("/v1/readers/export", json={"email": laila},
                        headers=webhook_site).get_json()
    assert "reports" not in again and again["comments"] == []
    assert isinstance(store.r, (redis.Redis, RedisCluster))


def test_retention_drops_the_reports_of_a_decided_comment_and_keeps_their_count(
        client, store, webhook_site):
    store.configure_site("jarida", retention_days=1)
    comment_id = published(client, webhook_site)
    report(client, webhook_site, comment_id, "reader-a", note="ملاحظة القارئ")

    store.sweep_retention("jarida", 1, now=__import__("time").time() + 2 * 86400)

    assert store.r.exists(keys.reports("jarida", comment_id)) == 0
    assert "ملاحظة القارئ" not in every_key_and_value(store)
    assert store.r.zcard(keys.reporter("jarida", store.private_key("reader-a"))) == 0
    assert store.r.hget(keys.comment("jarida", comment_id), "report_count") == "1"
