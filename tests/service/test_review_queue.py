"""The review queue as moderators use it, on a real Redis: leases, disjoint claims, one decision."""

from __future__ import annotations

import threading
import time

import pytest

from hakam.service.errors import AlreadyDecided, ClaimedByOther
from hakam.service.policy import SitePolicy
from hakam.service.store import Store
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster


@pytest.fixture
def held(client, site_headers, scorer):
    """Post n comments that the model holds for abuse; returns their ids, oldest first."""
    scorer.will_score("سيء", abuse=0.8)

    def post(n: int) -> list[str]:
        ids = []
        for i in range(n):
            body = a_comment(comment=f"تعليق سيء رقم {i}")
            response = client.post("/v1/comments", json=body, headers=site_headers)
            assert response.get_json()["status"] == "pending"
            ids.append(response.get_json()["id"])
        return ids

    return post


def test_the_queue_lists_held_comments_oldest_first(client, held, moderator_headers):
    ids = held(3)
    response = client.get("/v1/review/queue?limit=10", headers=moderator_headers)

    assert response.status_code == 200
    body = response.get_json()
    assert [c["id"] for c in body["comments"]] == ids
    assert body["depth"] == 3
    assert all("email" not in c for c in body["comments"])


def test_the_queue_filters_by_site(client, held, moderator_headers, store):
    held(2)
    other_key, _ = store.create_site("other")
    client.post("/v1/comments", json=a_comment(comment="تعليق سيء آخر"),
                headers={"Authorization": f"Bearer {other_key}"})

    only_other = client.get("/v1/review/queue?site=other", headers=moderator_headers).get_json()
    assert [c["site"] for c in only_other["comments"]] == ["other"]


def test_the_review_api_needs_a_moderator_token(client, held, site_headers):
    held(1)
    assert client.get("/v1/review/queue").status_code == 401
    assert client.get("/v1/review/queue", headers=site_headers).status_code == 401


def test_concurrent_claims_never_hand_out_the_same_comment(held, redis_url, store):
    ids = held(40)
    results: dict[str, list[str]] = {}

    def claim_all(moderator: str) -> None:
        own_store = Store.from_url(redis_url)  # its own connection, as another worker has
        got = []
        while batch := own_store.claim(moderator, limit=3):
            got += [c["id"] for c in batch]
        results[moderator] = got

    threads = [threading.Thread(target=claim_all, args=(f"mod{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    claimed = [cid for got in results.values() for cid in got]
    assert sorted(claimed) == sorted(ids)  # everything handed out, nothing twice
    assert len(set(claimed)) == len(claimed)


def test_an_expired_lease_returns_the_comment_to_the_queue(held, store):
    [comment_id] = held(1)
    assert [c["id"] for c in store.claim("salma", limit=5, lease_seconds=1)] == [comment_id]
    assert store.claim("omar", limit=5) == []

    time.sleep(1.2)
    again = store.claim("omar", limit=5)
    assert [c["id"] for c in again] == [comment_id]
    assert again[0]["lease"]["moderator"] == "omar"


def test_a_pick_another_moderator_takes_first_is_made_up_from_the_next_oldest(
        client, held, store, monkeypatch):
    held(2)
    other_key, _ = store.create_site("other")
    for i in range(2):
        client.post("/v1/comments", json=a_comment(comment=f"تعليق سيء آخر {i}"),
                    headers={"Authorization": f"Bearer {other_key}"})
    taken_by_omar: list[str] = []
    lease = store._lease

    def omar_first(site, moderator, limit, **how):
        if how.get("only") and not taken_by_omar:  # between salma's look and her lease
            taken_by_omar.extend(c["id"] for c in store.claim("omar", limit=1, site=site))
        return lease(site, moderator, limit, **how)

    monkeypatch.setattr(store, "_lease", omar_first)
    # as the moderator page claims: across sites, its own leases handed back too
    got = store.claim("salma", limit=3, include_own=True)

    assert len(taken_by_omar) == 1
    assert len(got) == 3 and taken_by_omar[0] not in {c["id"] for c in got}
    assert {c["lease"]["moderator"] for c in got} == {"salma"}


def test_claiming_over_http_leases_comments_to_that_moderator(client, held, moderator_headers):
    ids = held(3)
    response = client.post("/v1/review/claim", json={"limit": 2}, headers=moderator_headers)

    body = response.get_json()
    assert [c["id"] for c in body["comments"]] == ids[:2]
    assert {c["lease"]["moderator"] for c in body["comments"]} == {"salma"}
    assert body["lease_seconds"] == 300


def test_a_decision_is_final_and_a_second_one_gets_409_with_the_first(client, held,
                                                                      moderator_headers):
    [comment_id] = held(1)
    first = client.post(f"/v1/review/{comment_id}/decision",
                        json={"decision": "approve", "reason": "نقد مقبول"},
                        headers=moderator_headers)
    second = client.post(f"/v1/review/{comment_id}/decision", json={"decision": "spam"},
                         headers=moderator_headers)

    assert first.status_code == 200
    assert first.get_json()["status"] == "approved"
    assert second.status_code == 409
    assert second.get_json()["first"]["decision"] == "approve"
    assert second.get_json()["first"]["moderator"] == "salma"


def test_the_same_decision_sent_again_by_its_moderator_is_answered_as_made_and_kept_once(
        client, held, store, moderator_headers):
    [comment_id] = held(1)
    decide = {"decision": "reject", "reason": "شتيمة"}
    first = client.post(f"/v1/review/{comment_id}/decision", json=decide,
                        headers=moderator_headers)
    retried = client.post(f"/v1/review/{comment_id}/decision", json=decide,
                          headers=moderator_headers)
    omar = {"Authorization": f"Bearer {store.create_moderator('omar')}"}
    by_another = client.post(f"/v1/review/{comment_id}/decision", json=decide, headers=omar)

    assert first.status_code == 200 and retried.status_code == 200
    assert retried.get_json() == first.get_json()
    assert by_another.status_code == 409  # the same verdict, but not this moderator's decision
    assert [a["comment_id"] for a in store.audit()] == [comment_id]
    assert store.counts("akhbar")["rejected"] == 1
    history = store.get_comment(comment_id)["history"]
    assert [h["status"] for h in history] == ["pending", "rejected"]  # decided once


def test_simultaneous_decisions_record_exactly_one(held, redis_url):
    [comment_id] = held(1)
    outcomes = []

    def decide(decision: str) -> None:
        try:
            Store.from_url(redis_url).decide(comment_id, f"mod-{decision}", decision)
            outcomes.append("won")
        except AlreadyDecided:
            outcomes.append("409")

    threads = [threading.Thread(target=decide, args=(d,)) for d in ("approve", "reject", "spam")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "409", "won"]


def test_a_comment_leased_to_another_moderator_cannot_be_decided(held, store):
    [comment_id] = held(1)
    store.claim("omar", limit=1)
    with pytest.raises(ClaimedByOther) as raised:
        store.decide(comment_id, "salma", "approve")
    assert raised.value.moderator == "omar"


def test_decisions_are_audited_and_become_labels(client, held, moderator_headers, store):
    approved, rejected, spam = held(3)
    for comment_id, decision in ((approved, "approve"), (rejected, "reject"), (spam, "spam")):
        client.post(f"/v1/review/{comment_id}/decision", json={"decision": decision},
                    headers=moderator_headers)

    audit = store.audit(limit=10)
    assert [a["decision"] for a in audit] == ["spam", "reject", "approve"]  # newest first
    assert all(a["moderator"] == "salma" and a["scores"]["abuse"] == 0.8 for a in audit)
    labels = {(lbl["text"][-1], lbl["task"], lbl["label"]) for lbl in store.labels()}
    assert labels == {("0", "spam", 0), ("0", "abuse", 0), ("1", "abuse", 1), ("2", "spam", 1)}
    assert {lbl["source"] for lbl in store.labels()} == {"moderator"}
    assert store.counts("akhbar") == {"pending": 0, "approved": 1, "spam": 1, "rejected": 1}


def test_a_decided_comment_shows_the_moderators_decision_to_its_site(client, held,
                                                                     moderator_headers,
                                                                     site_headers):
    [comment_id] = held(1)
    client.post(f"/v1/review/{comment_id}/decision", json={"decision": "reject"},
                headers=moderator_headers)
    body = client.get(f"/v1/comments/{comment_id}", headers=site_headers).get_json()
    assert body["status"] == "rejected"
    assert [(h["status"], h["by"]) for h in body["history"]] == [
        ("pending", "hakam"), ("rejected", "salma")]


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {}, {"decision": "approve",
                                                                "reason": "x" * 5000}])
def test_a_malformed_decision_is_a_422(client, held, moderator_headers, body):
    [comment_id] = held(1)
    response = client.post(f"/v1/review/{comment_id}/decision", json=body,
                           headers=moderator_headers)
    assert response.status_code == 422


def test_deciding_an_unknown_comment_is_a_404(client, moderator_headers):
    response = client.post("/v1/review/nope/decision", json={"decision": "approve"},
                           headers=moderator_headers)
    assert response.status_code == 404


def test_a_site_holding_first_time_authors_publishes_them_once_a_moderator_approved_one(
        client, site_headers, moderator_headers, store):
    store.configure_site("akhbar", policy=SitePolicy(previously_approved=True))
    store.flood_seconds = 0  # the same reader posts again at once
    reader = {"email": "Layla@Example.com", "author": "ليلى"}

    first = client.post("/v1/comments", json=a_comment(**reader), headers=site_headers)
    stranger = client.post("/v1/comments", json=a_comment(), headers=site_headers)
    assert first.get_json()["status"] == "pending"
    assert first.get_json()["reasons"][0]["code"] == "first_comment"
    assert stranger.get_json()["status"] == "pending"

    client.post(f"/v1/review/{first.get_json()['id']}/decision",
                json={"decision": "approve"}, headers=moderator_headers)
    # the same reader (matched by keyed email hash, whatever the case) is now known
    again = client.post("/v1/comments", json=a_comment(email="layla@example.com",
                                                       author="ليلى"), headers=site_headers)
    still_unknown = client.post("/v1/comments", json=a_comment(), headers=site_headers)
    assert again.get_json()["status"] == "approved"
    assert still_unknown.get_json()["status"] == "pending"


def test_a_comment_approved_at_intake_also_makes_its_author_known(client, site_headers, store):
    store.flood_seconds = 0  # the same reader posts again at once
    reader = {"email": "omar@example.com"}
    assert client.post("/v1/comments", json=a_comment(**reader),
                       headers=site_headers).get_json()["status"] == "approved"
    store.configure_site("akhbar", policy=SitePolicy(previously_approved=True))

    later = client.post("/v1/comments", json=a_comment(**reader), headers=site_headers)
    assert later.get_json()["status"] == "approved"
