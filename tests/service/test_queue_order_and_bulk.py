"""Working the queue by a score, and one decision on several comments, on a real Redis (single
and cluster): each comment keeps its own outcome, audit entry and label."""

from __future__ import annotations

import pytest

from hakam.service.store import keys
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster


@pytest.fixture
def held_with(client, site_headers, scorer):
    """Post one held comment per (word, spam, abuse); returns their ids in posting order."""

    def post(*scripted: tuple[str, float, float], headers=None) -> list[str]:
        ids = []
        for word, spam, abuse in scripted:
            scorer.will_score(word, spam=spam, abuse=abuse)
            response = client.post("/v1/comments", json=a_comment(comment=f"تعليق فيه {word}"),
                                   headers=headers or site_headers)
            assert response.get_json()["status"] == "pending", response.get_json()
            ids.append(response.get_json()["id"])
        return ids

    return post


def _queue(client, headers, query: str) -> list[str]:
    response = client.get(f"/v1/review/queue?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [c["id"] for c in response.get_json()["comments"]]


def test_the_queue_is_sorted_by_arrival_or_by_either_score_highest_first(
        client, held_with, moderator_headers):
    mild, worst, spammy, middling = held_with(
        ("خفيف", 0.1, 0.55), ("شتيمة", 0.0, 0.99), ("اعلان", 0.88, 0.2), ("وسط", 0.6, 0.7))

    assert _queue(client, moderator_headers, "") == [mild, worst, spammy, middling]
    assert _queue(client, moderator_headers, "sort=arrival") == [mild, worst, spammy, middling]
    assert _queue(client, moderator_headers, "sort=abuse") == [worst, middling, mild, spammy]
    assert _queue(client, moderator_headers, "sort=spam&limit=2") == [spammy, middling]


def test_a_sort_that_is_not_one_of_the_three_is_a_400_in_the_moderators_language(
        client, moderator_headers):
    response = client.get("/v1/review/queue?sort=score",
                          headers={**moderator_headers, "Accept-Language": "ar"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"
    assert "arrival, abuse, spam" in response.get_json()["message"]
    claimed = client.post("/v1/review/claim", json={"sort": "newest"}, headers=moderator_headers)
    assert claimed.status_code == 422
    assert "sort" in claimed.get_json()["errors"]


def test_a_claim_by_abuse_leases_the_most_abusive_first_across_sites(
        client, store, held_with, moderator_headers):
    other_key, _ = store.create_site("other", language="ar")
    [mild] = held_with(("خفيف", 0.0, 0.55))
    [worst_elsewhere] = held_with(("شتيمة", 0.0, 0.99),
                                  headers={"Authorization": f"Bearer {other_key}"})
    [middling] = held_with(("وسط", 0.0, 0.8))

    first = client.post("/v1/review/claim", json={"limit": 2, "sort": "abuse"},
                        headers=moderator_headers).get_json()["comments"]
    assert [c["id"] for c in first] == [worst_elsewhere, middling]
    rest = store.claim("omar", limit=5, sort="abuse")
    assert [c["id"] for c in rest] == [mild]


def test_one_bulk_decision_answers_each_comment_its_own_outcome(
        client, store, held_with, moderator_headers):
    ok_one, taken_by_omar, decided_before, ok_two = held_with(
        ("أولى", 0, 0.8), ("ثانية", 0, 0.8), ("ثالثة", 0, 0.8), ("رابعة", 0, 0.8))
    assert [c["id"] for c in store.claim("omar", limit=1, site="akhbar",
                                         reason=None)] == [ok_one]
    store.decide(ok_one, "omar", "approve")  # omar decides his pick ...
    assert [c["id"] for c in store.claim("omar", limit=1)] == [taken_by_omar]  # ... takes one
    store.decide(decided_before, "layla", "approve")

    response = client.post("/v1/review/decisions", headers=moderator_headers, json={
        "ids": [ok_one, taken_by_omar, decided_before, ok_two, "no-such-comment", ok_two],
        "decision": "reject", "reason": "insult"})

    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (ok_one, 409), (taken_by_omar, 409), (decided_before, 409), (ok_two, 200),
        ("no-such-comment", 404)]
    assert results[0]["error"]["error"] == "already_decided"
    assert results[0]["error"]["first"]["moderator"] == "omar"
    assert results[1]["error"]["error"] == "claimed_by_other"
    assert results[1]["error"]["moderator"] == "omar"
    assert results[3]["record"]["status"] == "rejected"
    assert results[3]["record"]["moderator"] == "salma"
    assert store.get_comment(ok_two)["status"] == "rejected"
    assert store.get_comment(taken_by_omar)["status"] == "pending"
    salma = [a for a in store.audit(limit=10) if a["moderator"] == "salma"]
    assert [(a["comment_id"], a["reason"]) for a in salma] == [(ok_two, "insult")]


def test_every_comment_of_a_bulk_decision_gets_its_own_audit_entry_label_and_webhook(
        client, store, held_with, moderator_headers, redis_url):
    store.configure_site("akhbar", webhook_url="http://127.0.0.1:9/nothing-listens-here")
    ids = held_with(("أولى", 0, 0.8), ("ثانية", 0, 0.8), ("ثالثة", 0, 0.8))

    response = client.post("/v1/review/decisions", headers=moderator_headers,
                           json={"ids": ids, "decision": "spam"})

    assert [r["status"] for r in response.get_json()["results"]] == [200, 200, 200]
    assert sorted(a["comment_id"] for a in store.audit(limit=10)) == sorted(ids)
    labels = store.r.xrange(keys.labels("akhbar"))
    assert sorted(fields["comment_id"] for _id, fields in labels) == sorted(ids)
    assert store.r.zcard(keys.webhook_due("akhbar")) == 3
    # sent again (a retry after a lost answer): each answered as made, nothing made twice
    again = client.post("/v1/review/decisions", headers=moderator_headers,
                        json={"ids": ids, "decision": "spam"})
    assert [r["status"] for r in again.get_json()["results"]] == [200, 200, 200]
    assert len(store.audit(limit=10)) == 3


@pytest.mark.parametrize("body", [{"ids": [], "decision": "approve"},
                                  {"ids": ["a"] * 101, "decision": "approve"},
                                  {"ids": ["a"], "decision": "publish"},
                                  {"ids": "a", "decision": "approve"}])
def test_a_malformed_bulk_decision_is_refused_whole_with_field_errors(
        client, moderator_headers, body):
    response = client.post("/v1/review/decisions", headers=moderator_headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_bulk_decisions_need_a_moderator(client, site_headers):
    response = client.post("/v1/review/decisions", headers=site_headers,
                           json={"ids": ["a"], "decision": "approve"})
    assert response.status_code == 401
