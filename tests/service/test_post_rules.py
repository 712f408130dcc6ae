"""Rules per post and per section, set by the site (API) or an operator (CLI), as a reader meets
them: a closed post refuses comments in the reader's language and keeps nothing, a premoderated
post or section holds every comment, a section closes its posts some days after they start.
Real Redis, single and cluster."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from hakam.service.cli import main
from hakam.service.store import keys
from tests.factories import a_comment
from tests.redis_harness import everything_stored

pytestmark = pytest.mark.single_and_cluster

POLITICS = "https://akhbar.example/politics/"


@pytest.fixture
def send(client, site_headers, store):
    store.flood_seconds = 0

    def post(language: str = "ar", **fields):
        return client.post("/v1/comments", json=a_comment(**fields),
                           headers={**site_headers, "Accept-Language": language})

    return post


def _put_post(client, site_headers, post_id, **rules):
    response = client.put(f"/v1/posts/{post_id}", headers=site_headers, json=rules)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _put_section(client, site_headers, **rules):
    response = client.put("/v1/sections", headers=site_headers, json=rules)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_closed_post_refuses_comments_in_the_readers_language_and_keeps_nothing(
        client, site_headers, send, store):
    assert _put_post(client, site_headers, 17, closed=True) == {
        "post_id": "17", "premoderation": None, "closed": True}
    before = everything_stored(store.r)

    arabic = send("ar", comment_post_ID=17, comment="تعليق على مقالة مغلقة")
    english = send("en", comment_post_ID="17", comment="a comment on a closed post")

    assert arabic.status_code == english.status_code == 422
    assert arabic.get_json() == {"error": "comments_closed",
                                 "message": "التعليقات مغلقة على هذه المقالة."}
    assert english.get_json() == {"error": "comments_closed",
                                  "message": "Comments are closed on this post."}
    assert everything_stored(store.r) == before
    assert send(comment_post_ID=18).status_code == 201  # other posts take comments


def test_an_opened_post_takes_comments_again(client, site_headers, send):
    _put_post(client, site_headers, 17, closed=True)
    assert _put_post(client, site_headers, 17, closed=False)["closed"] is False

    assert send(comment_post_ID=17).status_code == 201


def test_a_premoderated_post_holds_every_comment_with_its_reason(client, site_headers, send):
    _put_post(client, site_headers, 17, premoderation=True)

    held = send("ar", comment_post_ID=17).get_json()
    published = send(comment_post_ID=18).get_json()

    assert held["status"] == "pending"
    assert [r["code"] for r in held["reasons"]] == ["post_premoderation"]
    assert held["reasons"][0]["message"] == "كل تعليق على هذه المقالة محجوز للمراجعة."
    assert published["status"] == "approved"


def test_a_premoderated_section_holds_the_comments_on_its_posts_and_a_longer_one_wins(
        client, site_headers, send):
    assert _put_section(client, site_headers, url_prefix="HTTPS://Akhbar.example/politics/",
                        premoderation=True) == {
        "url_prefix": POLITICS, "premoderation": True, "close_after_days": None}
    _put_section(client, site_headers, url_prefix=POLITICS + "sport-and-politics/",
                 premoderation=False)

    inside = send("en", post_url=POLITICS + "2026/elections", comment_post_ID=5).get_json()
    exempt = send(post_url=POLITICS + "sport-and-politics/match", comment_post_ID=6)
    outside = send(post_url="https://akhbar.example/culture/library", comment_post_ID=7)

    assert inside["status"] == "pending"
    assert inside["reasons"][0] == {
        "code": "post_premoderation", "spans": [],
        "message": f"Every comment on the posts under {POLITICS} is held for review."}
    assert exempt.get_json()["status"] == outside.get_json()["status"] == "approved"
    listed = client.get("/v1/sections", headers=site_headers).get_json()["sections"]
    assert [s["url_prefix"] for s in listed] == [POLITICS + "sport-and-politics/", POLITICS]


def test_a_post_with_no_premoderation_of_its_own_is_exempt_from_its_sections(
        client, site_headers, send):
    _put_section(client, site_headers, url_prefix=POLITICS, premoderation=True)
    _put_post(client, site_headers, 9, premoderation=False)

    assert send(post_url=POLITICS + "a", comment_post_ID=9).get_json()["status"] == "approved"


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def test_a_section_closes_a_post_some_days_after_its_post_date(client, site_headers, send):
    _put_section(client, site_headers, url_prefix=POLITICS, close_after_days=3)
    published = datetime.now(UTC) - timedelta(days=4)

    late = send("ar", post_url=POLITICS + "old", comment_post_ID=1,
                post_date=published.isoformat())
    recent = send(post_url=POLITICS + "new", comment_post_ID=2, post_date=_days_ago(2))

    assert late.status_code == 422
    assert late.get_json()["error"] == "comments_closed"
    assert late.get_json()["closed_at"] == pytest.approx(
        (published + timedelta(days=3)).timestamp())
    assert recent.status_code == 201


def test_a_section_closes_a_post_some_days_after_its_first_comment(
        client, site_headers, send, store):
    _put_section(client, site_headers, url_prefix=POLITICS, close_after_days=2)
    first = send(post_url=POLITICS + "story", comment_post_ID=3)
    assert first.status_code == 201
    started = store.post_started_at("akhbar", "3")
    assert started == pytest.approx(time.time(), abs=5)
    assert send(post_url=POLITICS + "story", comment_post_ID=3).status_code == 201

    # three days pass: the post's first comment is now that old
    store.r.hset(keys.post_starts("akhbar"), "3", repr(started - 3 * 86400))
    before = everything_stored(store.r)
    late = send("en", post_url=POLITICS + "story", comment_post_ID=3)

    assert late.status_code == 422
    assert late.get_json()["message"] == "Comments are closed on this post."
    assert everything_stored(store.r) == before
    # an editor opens it again: the post's own word wins over its section's
    _put_post(client, site_headers, 3, closed=False)
    assert send(post_url=POLITICS + "story", comment_post_ID=3).status_code == 201


def test_close_after_days_zero_keeps_a_sections_posts_open_under_a_shorter_one(
        client, site_headers, send, store):
    _put_section(client, site_headers, url_prefix="https://akhbar.example/", close_after_days=1)
    _put_section(client, site_headers, url_prefix=POLITICS, close_after_days=0)
    send(post_url=POLITICS + "x", comment_post_ID=4)
    store.r.hset(keys.post_starts("akhbar"), "4", repr(time.time() - 10 * 86400))

    assert send(post_url=POLITICS + "x", comment_post_ID=4).status_code == 201


def test_a_section_with_no_rules_left_is_removed(client, site_headers):
    _put_section(client, site_headers, url_prefix=POLITICS, premoderation=True)
    _put_section(client, site_headers, url_prefix=POLITICS)

    assert client.get("/v1/sections", headers=site_headers).get_json() == {"sections": []}


@pytest.mark.parametrize("path, body, field", [
    ("/v1/posts/0", {"closed": True}, "post_id"),
    ("/v1/posts/17", {"closed": "yes"}, "closed"),
    ("/v1/posts/17", {"shut": True}, "shut"),
    ("/v1/sections", {"url_prefix": "akhbar.example/politics", "premoderation": True},
     "url_prefix"),
    ("/v1/sections", {"url_prefix": POLITICS, "close_after_days": -1}, "close_after_days"),
])
def test_rules_that_make_no_sense_are_refused_field_by_field(client, site_headers, path, body,
                                                             field):
    response = client.put(path, headers={**site_headers, "Accept-Language": "ar"}, json=body)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_a_site_sets_only_its_own_rules(client, store, site_headers, send):
    other_key, _ = store.create_site("jarida")
    client.put("/v1/posts/17", headers={"Authorization": f"Bearer {other_key}"},
               json={"closed": True})

    assert send(comment_post_ID=17).status_code == 201
    assert client.put("/v1/posts/17", json={"closed": True}).status_code == 401


def test_the_cli_configures_posts_and_sections(redis_url, monkeypatch, tmp_path, store, send):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))

    def hakam(*args):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert hakam("posts", "configure", "akhbar", "17", "--premoderation") == {
        "post_id": "17", "premoderation": True, "closed": None}
    assert hakam("posts", "configure", "akhbar", "18", "--close") == {
        "post_id": "18", "premoderation": None, "closed": True}
    assert hakam("sections", "configure", "akhbar", POLITICS, "--premoderation",
                 "--close-after-days", "3") == {
        "url_prefix": POLITICS, "premoderation": True, "close_after_days": 3}

    assert send(comment_post_ID=17).get_json()["status"] == "pending"
    assert send(comment_post_ID=18).status_code == 422
    assert send(post_url=POLITICS + "a", comment_post_ID=19).get_json()["status"] == "pending"

    listed = CliRunner().invoke(main, ["sections", "list", "akhbar"], catch_exceptions=False)
    assert [json.loads(line) for line in listed.stdout.splitlines()] == [
        {"url_prefix": POLITICS, "premoderation": True, "close_after_days": 3}]

    assert hakam("posts", "configure", "akhbar", "18", "--open")["closed"] is False
    assert send(comment_post_ID=18).status_code == 201
    refused = CliRunner().invoke(main, ["sections", "configure", "akhbar", "politics/",
                                        "--premoderation"])
    assert refused.exit_code != 0 and "http(s) address" in refused.output
