"""Bodies built to break the parser rather than to say anything: each gets the usual 4xx JSON
answer for what is wrong with it, never a 500, and the service keeps answering."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.factories import a_comment
from tests.moderate.test_access import page_csrf, sign_in

# Both under the 256 KB body limit, both past the standard parser's recursion limit.
NESTINGS = {"arrays": "[" * 100_000, "objects": '{"a":' * 40_000}
TOO_DEEP = {"ar": "المحتوى ليس JSON صحيحًا: فيه مصفوفات أو كائنات متداخلة أعمق مما ينبغي.",
            "en": "The body is not valid JSON: it nests arrays or objects too deeply."}
LONG_NUMBER = "1" * 5_000  # past Python's 4,300-digit limit for int()


@pytest.fixture
def held_comment(client, site_headers, store) -> str:
    from hakam.service.policy import SitePolicy

    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
    response = client.post("/v1/comments", json=a_comment(), headers=site_headers)
    return response.get_json()["id"]


@pytest.mark.parametrize("nesting", NESTINGS.values(), ids=NESTINGS.keys())
@pytest.mark.parametrize("route", ["comments", "feedback", "claim", "decision"])
def test_deeply_nested_json_is_a_400_on_every_json_route(client, site_headers, moderator_headers,
                                                         held_comment, route, nesting):
    path, headers = {
        "comments": ("/v1/comments", site_headers),
        "feedback": (f"/v1/comments/{held_comment}/feedback", site_headers),
        "claim": ("/v1/review/claim", moderator_headers),
        "decision": (f"/v1/review/{held_comment}/decision", moderator_headers),
    }[route]
    response = client.post(path, data=nesting, headers={
        **headers, "Content-Type": "application/json", "Accept-Language": "en"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"] == "bad_request"
    # and the comment was neither decided nor labelled by the refused request
    assert client.get(f"/v1/comments/{held_comment}",
                      headers=site_headers).get_json()["status"] == "pending"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_deeply_nested_json_is_explained_in_the_readers_language(client, site_headers, lang):
    response = client.post("/v1/comments", data=NESTINGS["arrays"], headers={
        **site_headers, "Content-Type": "application/json", "Accept-Language": lang})
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request", "message": TOO_DEEP[lang]}


@pytest.mark.parametrize("nesting", NESTINGS.values(), ids=NESTINGS.keys())
def test_deeply_nested_json_is_a_400_on_the_moderator_pages_api(client, moderator_token,
                                                                nesting):
    sign_in(client, moderator_token)
    response = client.post("/moderate/api/claim", data=nesting, headers={
        "Content-Type": "application/json", "X-CSRFToken": page_csrf(client)})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


@pytest.mark.parametrize("field, lang, expected", [
    ("comment_post_ID", "en", "The post ID must be a positive whole number or an identifier "
                              "of at most 64 characters."),
    ("comment_parent", "en", "The parent comment must be given by its number (0 for none)."),
    ("comment_parent", "ar", "يجب تحديد التعليق الأصلي برقمه (0 إن لم يكن التعليق ردًّا)."),
])
def test_a_json_number_too_long_for_python_is_a_field_error(client, site_headers, field, lang,
                                                            expected):
    body = json.dumps(a_comment(**{field: 7}))
    body = body.replace(f'"{field}": 7', f'"{field}": {LONG_NUMBER}')
    assert LONG_NUMBER in body
    response = client.post("/v1/comments", data=body, headers={
        **site_headers, "Content-Type": "application/json", "Accept-Language": lang})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json() == {"errors": {field: [expected]}}


def test_a_form_number_too_long_for_python_is_a_field_error(client, site_headers):
    form = a_comment(comment_parent=LONG_NUMBER)
    response = client.post("/v1/comments", data=form, headers={
        **site_headers, "Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"comment_parent": [
        "The parent comment must be given by its number (0 for none)."]}}


@pytest.mark.parametrize("route", ["claim", "decision"])
def test_a_review_number_too_long_for_python_is_a_field_error(client, moderator_headers,
                                                              held_comment, route):
    path, body = {"claim": ("/v1/review/claim", f'{{"limit": {LONG_NUMBER}}}'),
                  "decision": (f"/v1/review/{held_comment}/decision",
                               f'{{"decision": {LONG_NUMBER}}}')}[route]
    response = client.post(path, data=body, headers={
        **moderator_headers, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"limit" if route == "claim" else "decision"}


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: text, id="raw UTF-8"),
    pytest.param(quote, id="percent-encoded"),
])
def test_a_form_in_utf8_is_read_whether_or_not_it_is_percent_encoded(client, site_headers,
                                                                     store, encode):
    fields = {"comment": "شكرا على هذا التقرير المفصل", "author": "ليلى",
              "email": "laila@example.com", "comment_post_ID": "17"}
    body = "&".join(f"{name}={encode(value)}" for name, value in fields.items())
    response = client.post("/v1/comments", data=body.encode("utf-8"), headers={
        **site_headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 201, response.get_data(as_text=True)
    stored = store.get_comment(response.get_json()["id"])
    assert (stored["text"], stored["author"]) == (fields["comment"], fields["author"])


def test_a_form_that_is_not_utf8_is_still_refused(client, site_headers):
    body = b"comment=" + "مرحبا".encode("cp1256") + b"&author=a&email=a@b.co"
    response = client.post("/v1/comments", data=body, headers={
        **site_headers, "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "The body is not valid UTF-8."
