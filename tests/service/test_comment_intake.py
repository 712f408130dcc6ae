"""POST /v1/comments and GET /v1/comments/{id} as an integrating site sees them."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from hakam.service import create_app
from hakam.service.config import Config
from hakam.service.store import Store
from tests.factories import a_comment
from tests.redis_harness import ThrowawayRedis

pytestmark = pytest.mark.single_and_cluster


def test_an_ordinary_arabic_comment_is_published(client, site_headers):
    response = client.post("/v1/comments", json=a_comment(), headers=site_headers)

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "approved"
    assert set(body) == {"id", "status", "scores", "reasons", "model_version"}
    # the attributes are answered beside spam and abuse, null where unmeasured
    assert set(body["scores"]) == {"spam", "abuse", "identity_attack", "insult", "profanity",
                                   "threat"}
    assert body["model_version"] == "scripted-1"
    assert body["reasons"][0]["code"] == "below_thresholds"
    assert response.headers["Location"] == f"/v1/comments/{body['id']}"


def test_the_wordpress_comment_form_encoding_is_accepted(client, site_headers):
    form = a_comment(comment="تعليق من نموذج ووردبريس", comment_parent="0", url="https://مثال.com")
    response = client.post(
        "/v1/comments", data=urlencode(form),
        headers={**site_headers, "Content-Type": "application/x-www-form-urlencoded"})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "approved"


def test_an_abusive_comment_is_held_with_the_words_behind_the_score(client, site_headers,
                                                                     scorer):
    scorer.will_score("حمار", abuse=0.97)
    text = "يا حمار اسكت"
    response = client.post("/v1/comments", json=a_comment(comment=text), headers=site_headers)

    body = response.get_json()
    assert body["status"] == "pending"
    codes = [r["code"] for r in body["reasons"]]
    assert codes[0] == "abuse_score"
    start, end = body["reasons"][0]["spans"][0]
    assert text[start:end] == "حمار"


def test_reasons_are_written_in_the_answer_language(client, site_headers, scorer):
    scorer.will_score("حمار", abuse=0.97)
    text = "يا حمار اسكت"

    def reasons(language: str) -> dict[str, str]:
        answer = client.post("/v1/comments", json=a_comment(comment=text),
                             headers={**site_headers, "Accept-Language": language}).get_json()
        return {r["code"]: r["message"] for r in answer["reasons"]}

    arabic, english = reasons("ar"), reasons("en")
    assert arabic["abuse_score"] == "درجة الإساءة 0.97 أعلى من حد الحجز 0.50."
    assert arabic["abuse_terms"] == "هذه الكلمات كثيرًا ما تظهر في التعليقات المسيئة: “حمار”."
    assert english["abuse_score"] == "Abuse score 0.97 is above the hold threshold 0.50."
    assert english["abuse_terms"] == "These words often appear in abusive comments: “حمار”."


def test_without_accept_language_reasons_follow_the_sites_language(client, store, scorer):
    english_key, _ = store.create_site("gazette", language="en")
    arabic_key, _ = store.create_site("jarida", language="ar")
    links = "see http://a.example http://b.example http://c.example"

    def reason(key: str) -> str:
        answer = client.post("/v1/comments", json=a_comment(comment=links),
                             headers={"Authorization": f"Bearer {key}"}).get_json()
        return next(r["message"] for r in answer["reasons"] if r["code"] == "too_many_links")

    assert reason(english_key) == "The comment has 3 links; the site holds more than 2."
    assert reason(arabic_key) == "في التعليق 3 روابط، والموقع يحجز ما زاد على 2."


def test_a_very_spammy_comment_is_rejected_as_spam(client, site_headers, scorer):
    scorer.will_score("casino", spam=0.99)
    response = client.post("/v1/comments", json=a_comment(comment="best casino bonus here"),
                           headers=site_headers)
    assert response.get_json()["status"] == "spam"
    assert response.get_json()["reasons"][0]["code"] == "spam_score"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer hk_site_not-a-real-key"}, {"Authorization": "Basic abc"},
])
def test_a_request_without_a_valid_site_key_is_refused(client, headers):
    response = client.post("/v1/comments", json=a_comment(), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_site_key_stops_working(client, store, site_key, site_headers):
    store.revoke_site("akhbar")
    assert client.post("/v1/comments", json=a_comment(), headers=site_headers).status_code == 401


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x",
                                          "application/xml", None])
def test_other_media_types_get_415(client, site_headers, content_type):
    headers = dict(site_headers)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/v1/comments", data=b"comment=hi", headers=headers)
    assert response.status_code == 415
    assert response.get_json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize("body, content_type", [
    (b'{"comment": "unterminated', "application/json"),
    (b'["a", "list"]', "application/json"),
    (b'{"comment": "\xff\xfe bad bytes"}', "application/json"),
    (b"comment=%FF%FE&author=x", "application/x-www-form-urlencoded"),
    (b"comment=\xd8", "application/x-www-form-urlencoded"),
])
def test_malformed_bodies_and_invalid_utf8_get_400(client, site_headers, body, content_type):
    response = client.post("/v1/comments", data=body,
                           headers={**site_headers, "Content-Type": content_type})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_a_body_over_the_limit_gets_413(client, site_headers, config):
    huge = a_comment(comment="ب" * config.max_body_bytes)
    response = client.post("/v1/comments", json=huge, headers=site_headers)
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_same_text_from_the_same_author_on_the_same_post_is_a_409(client, site_headers):
    comment = a_comment()
    first = client.post("/v1/comments", json=comment, headers=site_headers).get_json()
    again = client.post("/v1/comments", json={**comment, "author_ip": "198.51.100.9"},
                        headers=site_headers)
    assert again.status_code == 409
    assert again.get_json()["first_id"] == first["id"]


def test_a_second_comment_within_15_seconds_is_flood_limited(client, site_headers):
    first = a_comment()
    assert client.post("/v1/comments", json=first, headers=site_headers).status_code == 201
    same_author = a_comment(email=first["email"], author_ip="198.51.100.1")
    same_ip = a_comment(author_ip=first["author_ip"])

    for flood in (same_author, same_ip):
        response = client.post("/v1/comments", json=flood, headers=site_headers)
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 15

    someone_else = a_comment()
    assert client.post("/v1/comments", json=someone_else, headers=site_headers).status_code == 201


def test_a_replayed_idempotency_key_returns_the_first_answer_and_stores_one_comment(
        client, site_headers, store):
    headers = {**site_headers, "Idempotency-Key": "wp-comment-1234"}
    first = client.post("/v1/comments", json=a_comment(), headers=headers)
    # A retry after a timeout may even carry a different body: the key wins.
    replay = client.post("/v1/comments", json=a_comment(), headers=headers)

    assert replay.status_code == 201
    assert replay.get_json() == first.get_json()
    assert store.counts("akhbar")["approved"] == 1


def test_a_site_reads_its_comment_with_its_history(client, site_headers):
    created = client.post("/v1/comments", json=a_comment(), headers=site_headers).get_json()
    response = client.get(f"/v1/comments/{created['id']}", headers=site_headers)

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "approved"
    assert body["scores"] == created["scores"]
    assert [h["status"] for h in body["history"]] == ["approved"]


def test_a_site_cannot_read_another_sites_comment(client, store, site_headers):
    created = client.post("/v1/comments", json=a_comment(), headers=site_headers).get_json()
    other_key, _ = store.create_site("other")
    response = client.get(f"/v1/comments/{created['id']}",
                          headers={"Authorization": f"Bearer {other_key}"})
    assert response.status_code == 404


def test_the_readers_email_and_ip_are_never_answered_nor_stored(client, site_headers, redis_url,
                                                                 scorer):
    scorer.will_score("غبي", abuse=0.9)
    comment = a_comment(comment="انت غبي", email="secret.reader@example.org",
                        author_ip="192.0.2.77")
    created = client.post("/v1/comments", json=comment, headers=site_headers)
    fetched = client.get(f"/v1/comments/{created.get_json()['id']}", headers=site_headers)

    for response in (created, fetched):
        assert "secret.reader" not in response.get_data(as_text=True)
        assert "192.0.2.77" not in response.get_data(as_text=True)
    dump = json.dumps({k: str(v) for k, v in _everything_in(redis_url).items()},
                      ensure_ascii=False)
    assert "secret.reader" not in dump
    assert "192.0.2.77" not in dump


def _everything_in(redis_url: str) -> dict:
    client = Store.from_url(redis_url).r  # a single Redis or every node of the cluster
    values = {}
    for key in client.scan_iter("*"):
        kind = client.type(key)
        if kind == "hash":
            values[key] = client.hgetall(key)
        elif kind == "string":
            values[key] = client.get(key)
        elif kind == "list":
            values[key] = client.lrange(key, 0, -1)
        elif kind == "stream":
            values[key] = client.xrange(key)
        elif kind == "zset":
            values[key] = client.zrange(key, 0, -1)
    return values


def test_with_redis_down_intake_answers_503_and_never_claims_to_have_stored(tmp_path, scorer):
    server = ThrowawayRedis().start()
    app = create_app(Config(redis_url=server.url, data_dir=str(tmp_path), testing=True),
                     scorer=scorer, start_workers=False)
    key, _ = app.extensions["hakam.store"].create_site("akhbar")
    server.stop()

    response = app.test_client().post("/v1/comments", json=a_comment(),
                                      headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "status" not in response.get_json()


def test_intake_carries_on_when_redis_drops_its_connections_and_scripts(client, site_headers,
                                                                         store):
    """What a Redis restart does to a running worker: its connections are closed and the
    server no longer knows the intake script."""
    first = client.post("/v1/comments", json=a_comment(), headers=site_headers)
    assert first.status_code == 201
    store.r.script_flush()
    store.r.client_kill_filter(_type="normal", skipme=True)

    second = client.post("/v1/comments", json=a_comment(comment="تعليق بعد إعادة التشغيل"),
                         headers=site_headers)

    assert second.status_code == 201, second.get_json()
    stored = client.get(f"/v1/comments/{second.get_json()['id']}", headers=site_headers)
    assert stored.get_json()["status"] == second.get_json()["status"]
    assert store.counts("akhbar")["approved"] == 2


def test_health_readiness_and_metrics(client, site_headers):
    client.post("/v1/comments", json=a_comment(), headers=site_headers)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json()["checks"] == {"redis": True, "redis_writes": True,
                                                          "model": True}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'hakam_requests_total{endpoint="/v1/comments",status="201"}' in metrics
    assert 'hakam_decisions_total{source="policy",status="approved"}' in metrics
    assert "hakam_scoring_seconds_bucket" in metrics
    assert 'hakam_queue_depth{site="akhbar"}' in metrics


def test_an_unexpected_error_is_a_500_with_an_id_and_no_stack_trace(client, site_headers,
                                                                    scorer):
    def explode(text):
        raise RuntimeError("internal detail that must not leak")

    scorer.score = explode
    response = client.post("/v1/comments", json=a_comment(), headers=site_headers)
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "internal detail" not in text and "Traceback" not in text
    assert response.get_json()["error_id"]
