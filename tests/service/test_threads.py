"""The thread on the moderator's card, on a real Redis (single and cluster): the site's own
comment ids, the parent a reply answers, the post's title; and what readers' export and erasure
do with them."""

from __future__ import annotations

import time

import pytest

from hakam.service.store import keys
from tests.factories import a_comment
from tests.redis_harness import everything_stored

pytestmark = pytest.mark.single_and_cluster

TITLE = "افتتاح مكتبة عامة جديدة في المدينة"


@pytest.fixture
def post(client, site_headers, scorer, store):
    """Posts a comment (held when its text holds «سيء») with no flood interval; its id."""
    scorer.will_score("سيء", abuse=0.8)
    store.flood_seconds = 0

    def send(text: str, **fields) -> str:
        response = client.post("/v1/comments", headers=site_headers,
                               json=a_comment(comment=text, **fields))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return send


def _queued(client, moderator_headers) -> dict[str, dict]:
    response = client.get("/v1/review/queue?site=akhbar", headers=moderator_headers)
    assert response.status_code == 200
    return {c["id"]: c for c in response.get_json()["comments"]}


def test_a_held_reply_carries_its_post_title_and_the_comment_it_answers(
        client, post, moderator_headers):
    parent = post("مقال رائع عن المكتبة", site_comment_id=101, author="ليلى",
                  post_title=TITLE)
    reply = post("رد سيء على ليلى", site_comment_id="102", comment_parent=101,
                 author="عمر", post_title=TITLE)

    item = _queued(client, moderator_headers)[reply]

    assert item["post_title"] == TITLE
    assert item["parent"] == {"id": parent, "text": "مقال رائع عن المكتبة",
                              "author": "ليلى", "status": "approved"}
    claimed = client.post("/v1/review/claim", headers=moderator_headers, json={"limit": 5})
    (held,) = claimed.get_json()["comments"]
    assert held["parent"]["id"] == parent and held["post_title"] == TITLE


def test_a_top_level_comment_has_no_parent_and_a_reply_to_a_comment_never_sent_says_so(
        client, post, moderator_headers):
    alone = post("تعليق سيء بلا رد")
    orphan = post("رد سيء على تعليق قديم", comment_parent=7)

    queued = _queued(client, moderator_headers)

    assert queued[alone]["parent"] is None and queued[alone]["post_title"] is None
    assert queued[orphan]["parent"] == {"id": None, "text": "", "author": "",
                                        "status": "unknown"}


def test_a_comment_numbered_by_the_site_after_it_asked_is_found_by_its_replies(
        client, site_headers, post, moderator_headers):
    # WordPress numbers a comment only once stored, after it asked Hakam: it links it then.
    parent = post("تعليق سيء قبل أن يُرقّم")
    linked = client.patch(f"/v1/comments/{parent}", headers=site_headers,
                          json={"site_comment_id": 555})
    reply = post("رد سيء عليه", comment_parent=555)

    assert linked.status_code == 200
    assert linked.get_json() == {"id": parent, "site_comment_id": "555"}
    assert _queued(client, moderator_headers)[reply]["parent"]["id"] == parent
    assert _queued(client, moderator_headers)[reply]["parent"]["status"] == "pending"


def test_a_reply_that_arrived_before_its_parent_was_linked_finds_it_later(
        client, site_headers, post, moderator_headers):
    parent = post("تعليق سيء يصل أولا")
    reply = post("رد سيء يصل قبل الربط", comment_parent=900)
    assert _queued(client, moderator_headers)[reply]["parent"]["status"] == "unknown"

    client.patch(f"/v1/comments/{parent}", headers=site_headers, json={"site_comment_id": "900"})

    assert _queued(client, moderator_headers)[reply]["parent"]["id"] == parent


def test_linking_another_sites_comment_or_none_is_404(client, store, post, site_headers):
    other_key, _ = store.create_site("jarida")
    theirs = client.post("/v1/comments", json=a_comment(),
                         headers={"Authorization": f"Bearer {other_key}"}).get_json()["id"]

    assert client.patch(f"/v1/comments/{theirs}", headers=site_headers,
                        json={"site_comment_id": 1}).status_code == 404
    assert client.patch("/v1/comments/no-such-comment", headers=site_headers,
                        json={"site_comment_id": 1}).status_code == 404
    assert store.r.hlen(keys.site_comments("akhbar")) == 0


@pytest.mark.parametrize("value", [0, -3, "", "  ", True, [1], "x" * 65])
def test_a_site_comment_id_that_names_no_comment_is_refused_in_arabic(
        client, site_headers, value):
    response = client.post("/v1/comments", headers={**site_headers, "Accept-Language": "ar"},
                           json=a_comment(site_comment_id=value))
    if value in ("", "  "):  # blank: absent, as for every optional field
        assert response.status_code == 201
        return
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["site_comment_id"]
    assert "معرّف التعليق" in response.get_json()["errors"]["site_comment_id"][0]


def test_a_post_date_that_is_no_date_is_refused_in_english_and_a_long_title_is_cut(
        client, site_headers, store):
    response = client.post("/v1/comments", headers={**site_headers, "Accept-Language": "en"},
                           json=a_comment(post_date="yesterday", post_title="ع" * 1001))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "post_date": ["The post date must be a date, or a date and time, such as "
                      "2026-03-01T09:30:00Z."]}

    taken = client.post("/v1/comments", headers=site_headers,
                        json=a_comment(post_date="2026-03-01", post_title="ع" * 1001))
    assert taken.status_code == 201
    assert store.get_comment(taken.get_json()["id"])["post_title"] == "ع" * 1000


def test_an_erased_parent_shows_as_removed_and_nothing_of_it_is_left(
        client, site_headers, post, moderator_headers, store):
    parent = post("تعليق ليلى الذي ستمحوه", site_comment_id=301, author="ليلى",
                  email="laila@example.com")
    reply = post("رد سيء من عمر", comment_parent=301, email="omar@example.com")

    erased = client.post("/v1/readers/erase", headers=site_headers,
                         json={"email": "laila@example.com"})

    assert erased.get_json()["erased"] == 1
    assert _queued(client, moderator_headers)[reply]["parent"] == {
        "id": None, "text": "", "author": "", "status": "removed"}
    stored = everything_stored(store.r)
    assert parent not in stored and "تعليق ليلى الذي ستمحوه" not in stored
    assert store.r.hget(keys.site_comments("akhbar"), "301") is None


def test_the_readers_export_lists_the_sites_ids_and_the_post_title(
        client, site_headers, post):
    post("تعليق للتصدير", site_comment_id=41, comment_parent=40, post_title=TITLE,
         email="laila@example.com")

    exported = client.post("/v1/readers/export", headers=site_headers,
                           json={"email": "laila@example.com"}).get_json()["comments"]

    assert [(c["site_comment_id"], c["parent_id"], c["post_title"]) for c in exported] == [
        ("41", "40", TITLE)]


def test_a_parent_past_the_sites_retention_keeps_its_status_but_not_its_words(
        client, post, moderator_headers, store):
    parent = post("تعليق قديم سيفقد نصه", site_comment_id=61, author="ليلى")
    reply = post("رد سيء على تعليق قديم", comment_parent=61)

    assert store.sweep_retention("akhbar", retention_days=30, now=time.time() + 31 * 86400) >= 1

    assert _queued(client, moderator_headers)[reply]["parent"] == {
        "id": parent, "text": "", "author": "", "status": "approved"}
