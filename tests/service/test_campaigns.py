"""Campaigns on a real Redis (single and cluster): near-duplicate comments from at least three
authors form one group, the queue shows it once, one decision decides it, a site may hold
further members, and erasing a reader takes their comments out of it."""

from __future__ import annotations

import json
import time

import pytest

from hakam.service.config import Config
from hakam.service.policy import SitePolicy
from hakam.service.site_settings import SiteRules
from hakam.service.store import keys
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster

CAMPAIGN = "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع"
# the same text as campaigns post it: letter forms, elongation, diacritics, punctuation
VARIANTS = [
    CAMPAIGN,
    "قاطعوا منتجات الشركة الان وشاركوا هذا المنشور مع اصدقائكم قبل ان يحذفوه من الموقع!!",
    "قاطعــــوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع",
    "قاطِعوا مُنتجات الشركة الآن، وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع.",
    "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع #قاطعوا",
]


@pytest.fixture
def config(redis_url, tmp_path) -> Config:
    """Campaign authors post again within seconds: no flood interval here."""
    return Config(redis_url=redis_url, data_dir=str(tmp_path), testing=True, flood_seconds=0,
                  audit_rate=0.0)


@pytest.fixture
def premoderated(store, site_key):
    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))


def _post(client, site_headers, text: str, author: int, **extra) -> dict:
    body = a_comment(comment=text, author=f"قارئ {author}", email=f"reader{author}@example.com",
                     **extra)
    response = client.post("/v1/comments", json=body, headers=site_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _queue(client, headers) -> list[dict]:
    return client.get("/v1/review/queue?limit=50", headers=headers).get_json()["comments"]


def test_near_duplicates_from_three_authors_show_once_in_the_queue_as_a_campaign(
        client, site_headers, moderator_headers, premoderated):
    other = _post(client, site_headers, "شكرا على هذا التقرير المفصل عن الانتخابات", 99)
    posted = [_post(client, site_headers, text, author)
              for text, author in zip(VARIANTS, [1, 2, 2, 3, 4], strict=True)]

    held = _queue(client, moderator_headers)

    assert [c["id"] for c in held] == [other["id"], posted[0]["id"]]
    assert held[0]["campaign"] is None
    campaign = held[1]["campaign"]
    assert (campaign["size"], campaign["authors"]) == (5, 4)
    assert campaign["first_at"] <= campaign["last_at"]
    claimed = client.post("/v1/review/claim", json={"limit": 10},
                          headers=moderator_headers).get_json()["comments"]
    assert [c["id"] for c in claimed] == [other["id"], posted[0]["id"]]
    assert claimed[1]["campaign"]["id"] == campaign["id"]


def test_two_authors_are_no_campaign_and_a_text_half_alike_joins_none(
        client, site_headers, moderator_headers, premoderated):
    first = _post(client, site_headers, VARIANTS[0], 1)
    second = _post(client, site_headers, VARIANTS[1], 2)
    half = _post(client, site_headers, "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور ثم اقرأوا "
                 "التقرير الكامل عن الاقتصاد والسياسة في بلادنا", 3)

    held = _queue(client, moderator_headers)

    assert [c["id"] for c in held] == [first["id"], second["id"], half["id"]]
    assert [c["campaign"] for c in held] == [None, None, None]


def test_comments_without_an_email_each_count_as_an_author(
        client, store, site_headers, moderator_headers, premoderated):
    store.configure_site("akhbar", rules=SiteRules(require_name_email=False))
    for text in VARIANTS[:3]:
        body = a_comment(comment=text, author="مجهول")
        del body["email"]
        assert client.post("/v1/comments", json=body, headers=site_headers).status_code == 201

    [shown] = _queue(client, moderator_headers)

    assert (shown["campaign"]["size"], shown["campaign"]["authors"]) == (3, 3)


def test_one_decision_on_the_group_decides_every_held_member_each_on_its_own(
        client, store, site_headers, moderator_headers, premoderated):
    store.configure_site("akhbar", webhook_url="http://127.0.0.1:9/nothing-listens-here")
    posted = [_post(client, site_headers, text, author)["id"]
              for text, author in zip(VARIANTS, [1, 2, 3, 4, 5], strict=True)]
    assert [c["id"] for c in store.claim("omar", limit=1, site="akhbar")] == [posted[0]]
    store.decide(posted[0], "omar", "approve")  # omar published the first one already ...
    store.claim("omar", limit=1)  # ... and holds the next

    response = client.post(f"/v1/review/{posted[2]}/decision", headers=moderator_headers,
                           json={"decision": "spam", "reason": "campaign", "group": True})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["comment_id"], body["status"]) == (posted[2], "spam")
    assert body["group"]["campaign"]
    results = {r["id"]: r for r in body["group"]["results"]}
    assert set(results) == {posted[1], posted[3], posted[4]}  # the held ones, itself apart
    assert results[posted[1]]["status"] == 409
    assert results[posted[1]]["error"]["error"] == "claimed_by_other"
    assert results[posted[3]]["status"] == results[posted[4]]["status"] == 200
    statuses = [store.get_comment(c)["status"] for c in posted]
    assert statuses == ["approved", "pending", "spam", "spam", "spam"]
    salma = sorted(a["comment_id"] for a in store.audit(limit=20) if a["moderator"] == "salma")
    assert salma == sorted(posted[2:])
    labels = [f["comment_id"] for _id, f in store.r.xrange(keys.labels("akhbar"))]
    assert sorted(c for c in labels if c in posted[2:]) == sorted(posted[2:])
    assert store.r.zcard(keys.webhook_due("akhbar")) == 4  # omar's and three of salma's


def test_a_group_decision_on_a_comment_in_no_campaign_decides_it_alone(
        client, site_headers, moderator_headers, premoderated):
    lone = _post(client, site_headers, CAMPAIGN, 1)["id"]
    response = client.post(f"/v1/review/{lone}/decision", headers=moderator_headers,
                           json={"decision": "reject", "group": True})
    assert response.status_code == 200
    assert response.get_json()["group"] == {"campaign": None, "results": []}


def test_a_site_holding_campaigns_holds_every_member_once_the_group_has_n_authors(
        client, store, site_headers, moderator_headers):
    store.configure_site("akhbar", policy=SitePolicy(campaign_hold=3))
    answers = [_post(client, site_headers, text, author, **{"comment_post_ID": "7"})
               for text, author in zip(VARIANTS, [1, 2, 3, 4, 4], strict=True)]

    assert [a["status"] for a in answers] == [
        "approved", "approved", "approved", "pending", "pending"]
    reason = answers[3]["reasons"][0]
    assert reason["code"] == "campaign"
    assert "3" in reason["message"] and "24" in reason["message"]
    assert "حملة" in reason["message"]  # in the site's language, Arabic
    [shown] = _queue(client, moderator_headers)
    assert shown["id"] == answers[3]["id"]
    assert (shown["campaign"]["size"], shown["campaign"]["authors"]) == (5, 4)


def test_campaign_keys_are_the_sites_and_expire_within_a_day(
        client, store, site_headers, premoderated):
    for author, text in enumerate(VARIANTS[:3]):
        _post(client, site_headers, text, author)
    names = [keys.campaign_bands("akhbar"), keys.campaign_band_times("akhbar"),
             keys.campaigns("akhbar"), keys.campaign_members("akhbar"),
             keys.campaign_authors("akhbar"), keys.campaign_times("akhbar")]
    for name in names:
        assert name.startswith("hakam:{akhbar}:")
        assert 0 < store.r.ttl(name) <= 24 * 3600


def test_a_group_quiet_for_a_day_is_joined_no_more(client, store, site_headers,
                                                    moderator_headers, premoderated):
    first = [_post(client, site_headers, text, author)["id"]
             for author, text in enumerate(VARIANTS[:3])]
    [group_id] = store.r.hkeys(keys.campaigns("akhbar"))
    group = json.loads(store.r.hget(keys.campaigns("akhbar"), group_id))
    group["last_at"] -= 25 * 3600  # as if its last member had come yesterday
    store.r.hset(keys.campaigns("akhbar"), group_id, json.dumps(group))

    late = _post(client, site_headers, VARIANTS[3], 7)["id"]

    assert store.r.hget(keys.comment("akhbar", late), "campaign") == late  # a group of its own
    assert [c["id"] for c in _queue(client, moderator_headers)][:1] == first[:1]


def test_erasing_a_reader_takes_their_comments_out_of_the_campaign(
        client, store, site_headers, moderator_headers, premoderated):
    posted = [_post(client, site_headers, text, author)["id"]
              for text, author in zip(VARIANTS, [1, 2, 3, 4, 1], strict=True)]
    [group_id] = store.r.hkeys(keys.campaigns("akhbar"))
    assert group_id == posted[0]  # the first comment names the group and gave its signature
    exported = client.post("/v1/readers/export", json={"email": "reader1@example.com"},
                           headers=site_headers).get_json()["comments"]
    assert [(c["id"], c["campaign"]) for c in exported] == [(posted[0], group_id),
                                                          (posted[4], group_id)]

    erased = client.post("/v1/readers/erase", json={"email": "reader1@example.com"},
                         headers=site_headers)
    assert erased.get_json()["erased"] == 2

    [shown] = _queue(client, moderator_headers)
    assert shown["id"] == posted[1]
    assert (shown["campaign"]["size"], shown["campaign"]["authors"]) == (3, 3)
    members = store.r.zrange(keys.campaign_members("akhbar"), 0, -1)
    authors = store.r.zrange(keys.campaign_authors("akhbar"), 0, -1)
    assert not any(posted[0] in m.split(":", 1)[1] or posted[4] in m for m in members)
    reader = store.r.hget(keys.comment("akhbar", posted[1]), "author_key")
    assert len(authors) == 3 and reader and f"{group_id}:{reader}" in authors
    group = json.loads(store.r.hget(keys.campaigns("akhbar"), group_id))
    # its signature is now the oldest remaining member's, not the erased first comment's
    assert group["sig"] == store.r.hget(keys.comment("akhbar", posted[1]), "campaign_sig")
    # and the group is still found by a new near-duplicate
    later = _post(client, site_headers, VARIANTS[2], 8)["id"]
    assert store.r.hget(keys.comment("akhbar", later), "campaign") == group_id


def test_a_bulk_decision_with_group_decides_the_named_comments_campaigns_too(
        client, store, site_headers, moderator_headers, premoderated):
    lone = _post(client, site_headers, "شكرا على هذا التقرير المفصل عن الانتخابات", 99)["id"]
    posted = [_post(client, site_headers, text, author)["id"]
              for text, author in zip(VARIANTS[:4], [1, 2, 3, 4], strict=True)]

    response = client.post("/v1/review/decisions", headers=moderator_headers, json={
        "ids": [lone, posted[0]], "decision": "reject", "group": True})

    results = response.get_json()["results"]
    assert [r["id"] for r in results] == [lone, posted[0], *posted[1:]]
    assert {r["status"] for r in results} == {200}
    assert [store.get_comment(c)["status"] for c in [lone, *posted]] == ["rejected"] * 5
    without = client.post("/v1/review/decisions", headers=moderator_headers, json={
        "ids": [posted[0]], "decision": "reject"}).get_json()["results"]
    assert [r["id"] for r in without] == [posted[0]]  # decided already, and alone


def test_a_decided_comment_past_its_sites_retention_leaves_its_campaign(
        client, store, site_headers, moderator_headers, premoderated):
    store.configure_site("akhbar", retention_days=30)
    posted = [_post(client, site_headers, text, author)["id"]
              for text, author in zip(VARIANTS[:4], [1, 2, 3, 4], strict=True)]
    client.post(f"/v1/review/{posted[1]}/decision", headers=moderator_headers,
                json={"decision": "reject"})
    reader = store.r.hget(keys.comment("akhbar", posted[1]), "author_key")

    assert store.sweep_retention("akhbar", 30, now=time.time() + 31 * 86400) == 1

    assert not store.r.hexists(keys.comment("akhbar", posted[1]), "campaign_sig")
    members = store.r.zrange(keys.campaign_members("akhbar"), 0, -1)
    authors = store.r.zrange(keys.campaign_authors("akhbar"), 0, -1)
    assert not any(posted[1] in member for member in members) and len(members) == 3
    assert not any(reader in author for author in authors)
    [shown] = _queue(client, moderator_headers)  # the three still held
    assert (shown["campaign"]["size"], shown["campaign"]["authors"]) == (3, 3)
