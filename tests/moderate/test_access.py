"""Sign-in, sessions, CSRF, headers and the page's JSON endpoints, through Flask's test client.

The browser tests (test_moderator_page.py) show the page working; these pin down the rules a
browser cannot easily show: cookie flags, expiry, rotation, redirects, filters.
"""

from __future__ import annotations

import re
import time

import pytest

from hakam.service import create_app
from hakam.service.policy import SitePolicy
from tests.factories import a_comment


def csrf_from(response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert found, "the page has no CSRF field"
    return found.group(1)


def page_csrf(client) -> str:
    page = client.get("/moderate/")
    return re.search(r'"csrf_token":\s*"([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, token: str, **headers):
    form = client.get("/moderate/sign-in", headers=headers)
    return client.post("/moderate/sign-in", headers=headers,
                       data={"token": token, "csrf_token": csrf_from(form)})


@pytest.fixture
def held(client, store, site_headers, scorer):
    """Three held comments: two for abuse (with the insult as the span), one premoderated."""
    scorer.will_score("حمار", abuse=0.95)
    ids = []
    for text in ("يا حمار", "أنت حمار فعلا"):
        response = client.post("/v1/comments", json=a_comment(comment=text), headers=site_headers)
        assert response.get_json()["status"] == "pending"
        ids.append(response.get_json()["id"])
    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
    response = client.post("/v1/comments", json=a_comment(comment="تعليق عادي"),
                           headers=site_headers)
    ids.append(response.get_json()["id"])
    return ids


def test_signing_in_sets_a_strict_httponly_cookie_that_holds_no_token(client, moderator_token):
    response = sign_in(client, moderator_token)

    assert response.status_code == 302 and response.headers["Location"] == "/moderate/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    with client.session_transaction("/moderate/") as session:
        assert session["moderator"] == "salma"
        assert moderator_token not in repr(dict(session))
    assert client.get("/moderate/").status_code == 200


def test_behind_https_the_session_cookie_is_secure(config, scorer, moderator_token):
    client = create_app(config.with_(secure_cookies=True), scorer=scorer,
                        start_workers=False).test_client()
    assert "; Secure" in sign_in(client, moderator_token).headers["Set-Cookie"]


def test_a_wrong_token_is_refused_in_the_moderators_language(client, moderator_token):
    response = sign_in(client, "hk_mod_wrong", **{"Accept-Language": "ar"})

    assert response.status_code == 401
    assert "رمز المشرف هذا غير صالح." in response.get_data(as_text=True)
    assert client.get("/moderate/").status_code == 302


def test_signing_out_ends_the_session(client, moderator_token):
    sign_in(client, moderator_token)
    token = page_csrf(client)
    response = client.post("/moderate/sign-out", data={"csrf_token": token})

    assert response.status_code == 302
    assert client.get("/moderate/").headers["Location"].startswith("/moderate/sign-in")


def test_rotating_a_moderators_token_ends_their_sessions(client, store, moderator_token):
    sign_in(client, moderator_token)
    store.create_moderator("salma")  # `hakam moderators add salma` again

    assert client.get("/moderate/").status_code == 302


def test_a_session_older_than_its_lifetime_has_ended(client, app, moderator_token):
    sign_in(client, moderator_token)
    token = page_csrf(client)
    lifetime = app.permanent_session_lifetime.total_seconds()
    with client.session_transaction("/moderate/") as session:
        session["signed_in_at"] = time.time() - lifetime - 1

    response = client.post("/moderate/api/claim", json={"limit": 10},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 401 and response.get_json()["error"] == "signed_out"
    assert client.get("/moderate/").status_code == 302


def test_the_page_api_needs_a_session_and_says_so_in_json(client):
    with client.session_transaction("/moderate/") as session:
        session["csrf_token"] = "x"
    response = client.get("/moderate/api/counts")
    assert response.status_code == 401 and response.get_json()["error"] == "signed_out"


def test_posts_without_a_valid_csrf_token_are_refused_but_the_bearer_api_is_not(
        client, moderator_token, moderator_headers, held):
    sign_in(client, moderator_token)

    assert client.post("/moderate/api/claim", json={"limit": 10}).status_code == 400
    assert client.post("/moderate/api/claim", json={"limit": 10},
                       headers={"X-CSRFToken": "forged"}).status_code == 400
    assert client.post("/moderate/sign-out").status_code == 400
    assert client.post("/moderate/language", data={"locale": "en"}).status_code == 400
    assert client.post("/v1/review/claim", json={"limit": 1},
                       headers=moderator_headers).status_code == 200


@pytest.mark.parametrize("path", ["/moderate/sign-in", "/moderate/static/moderate.js",
                                  "/moderate/api/counts"])
def test_every_moderate_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "default-src 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("target", ["https://evil.example/moderate/", "//evil.example/moderate/",
                                    "/v1/comments", "/\\evil.example/moderate/"])
def test_redirects_never_leave_the_moderator_page(client, moderator_token, target):
    form = client.get(f"/moderate/sign-in?next={target}")
    response = client.post("/moderate/sign-in", data={
        "token": moderator_token, "csrf_token": csrf_from(form), "next": target})
    assert response.headers["Location"] == "/moderate/"
    response = client.post("/moderate/language", data={
        "locale": "en", "csrf_token": page_csrf(client), "next": target})
    assert response.headers["Location"] == "/moderate/"


def test_the_language_switch_outranks_the_browsers_language(client, moderator_token):
    arabic = {"Accept-Language": "ar"}
    sign_in(client, moderator_token, **arabic)
    assert '<html lang="ar" dir="rtl">' in client.get("/moderate/", headers=arabic).text

    client.post("/moderate/language", headers=arabic,
                data={"locale": "en", "csrf_token": page_csrf(client), "next": "/moderate/"})

    page = client.get("/moderate/", headers=arabic).text
    assert '<html lang="en" dir="ltr">' in page and "Sign out" in page


def test_claiming_filters_by_reason_and_shows_the_words_behind_the_score(
        client, moderator_token, held):
    sign_in(client, moderator_token)
    token = page_csrf(client)

    response = client.post("/moderate/api/claim", headers={"X-CSRFToken": token},
                           json={"limit": 10, "reason": "abuse_score"})

    comments = response.get_json()["comments"]
    assert [c["id"] for c in comments] == held[:2]
    assert [s["text"] for s in comments[1]["segments"] if s["highlight"]] == ["حمار"]
    assert "".join(s["text"] for s in comments[1]["segments"]) == "أنت حمار فعلا"
    assert response.get_json()["counts"]["pending"] == 3


@pytest.mark.parametrize("body", [{"site": ["akhbar"]}, {"site": {"name": "akhbar"}},
                                  {"reason": ["abuse_score"]}, {"site": 7}])
def test_a_claim_whose_filters_are_not_names_is_a_400_in_json(client, moderator_token, body):
    sign_in(client, moderator_token)
    response = client.post("/moderate/api/claim", headers={"X-CSRFToken": page_csrf(client)},
                           json={"limit": 10, **body})
    assert response.status_code == 400 and response.is_json


def test_a_reloaded_page_gets_its_own_batch_back_and_never_anothers(
        app, client, store, moderator_token, held):
    store.claim("omar", limit=1)  # the oldest held comment is omar's
    sign_in(client, moderator_token)
    token = page_csrf(client)

    def claim():
        response = client.post("/moderate/api/claim", headers={"X-CSRFToken": token},
                               json={"limit": 10})
        return [c["id"] for c in response.get_json()["comments"]]

    assert claim() == held[1:]
    assert claim() == held[1:]


def test_deciding_through_the_page_is_final_and_conflicts_are_409(
        client, store, moderator_token, held):
    sign_in(client, moderator_token)
    token = page_csrf(client)
    client.post("/moderate/api/claim", headers={"X-CSRFToken": token}, json={"limit": 5})
    url = f"/moderate/api/comments/{held[0]}/decision"

    first = client.post(url, headers={"X-CSRFToken": token},
                        json={"decision": "reject", "reason": "insult"})
    again = client.post(url, headers={"X-CSRFToken": token}, json={"decision": "approve"})
    unknown_reason = client.post(f"/moderate/api/comments/{held[1]}/decision",
                                 headers={"X-CSRFToken": token},
                                 json={"decision": "reject", "reason": "<script>"})

    assert first.status_code == 200 and first.get_json()["status"] == "rejected"
    assert again.status_code == 409 and again.get_json()["error"] == "already_decided"
    assert unknown_reason.status_code == 400
    assert store.get_comment(held[0])["decision"]["reason"] == "insult"
    assert store.audit(limit=5)[0]["moderator"] == "salma"


def test_the_history_lists_recent_decisions_with_who_and_what(client, store, moderator_token,
                                                               held):
    store.decide(held[0], "omar", "spam", "advertising")
    store.decide(held[1], "omar", "reject", "\u202e<script>alert(1)</script>")  # /v1 free text
    sign_in(client, moderator_token, **{"Accept-Language": "en"})

    page = client.get("/moderate/history", headers={"Accept-Language": "en"}).text
    rows = page.split('<tr class="decision-row">')[1:]
    assert len(rows) == 2  # newest first
    assert "<bdi>omar</bdi>" in rows[1] and "Spam" in rows[1] and "Advertising" in rows[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows[0] and "\u202e" not in rows[0]
    assert "<script>alert" not in page


def test_the_session_cookie_stays_on_the_moderator_page(client, moderator_token, site_headers):
    cookie = sign_in(client, moderator_token).headers["Set-Cookie"]
    assert "Path=/moderate" in cookie  # never sent along with API calls
    answer = client.post("/v1/comments", json=a_comment(), headers=site_headers)
    assert answer.status_code == 201 and "Set-Cookie" not in answer.headers
