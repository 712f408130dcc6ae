"""Every parser of what a client sends, over generated input: bodies (JSON, forms, anything),
query strings and headers. Whatever arrives, the answer is one of the route's documented
statuses with a JSON body, never a 500, and a JSON body means what the client wrote."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hakam.service import jsonio

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
_FIELDS = ["comment", "author", "email", "url", "comment_post_ID", "comment_parent", "post_url",
           "author_ip", "user_agent", "language", "other"]
_SUBMISSIONS = st.dictionaries(st.sampled_from(_FIELDS), _JSON_VALUES | st.text(max_size=40),
                               max_size=len(_FIELDS))
_HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                              exclude_characters="\x7f"), max_size=60)
_MEDIA_TYPES = st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                "application/json; charset=latin-1", "text/plain", "",
                                "application/x-www-form-urlencoded; charset=utf-8"])
COMMENT_STATUSES = {201, 400, 409, 413, 415, 422, 429}


def _raw(text: str) -> str:
    return "".join(quote(c) if c in "%&=+" else c for c in text)


def _is_json_error(response) -> bool:
    body = response.get_json(silent=True)
    return isinstance(body, dict) and ("error" in body or "errors" in body)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80) | _JSON_VALUES.map(json.dumps))
def test_a_request_body_parses_or_raises_a_value_error(text):
    try:
        jsonio.loads_request(text)
    except ValueError:
        pass


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_a_json_body_reaches_validation_as_the_client_wrote_it(value):
    assert jsonio.loads_request(json.dumps(value)) == value


@given(st.integers(min_value=4_301, max_value=20_000))
def test_an_integer_too_long_for_python_is_read_as_a_decimal(digits):
    assert jsonio.loads_request("1" * digits) == Decimal("1" * digits)


@FUZZ
@given(st.binary(max_size=300), _MEDIA_TYPES)
def test_any_bytes_as_a_comment_get_a_documented_json_answer(client, site_headers, body,
                                                             media_type):
    response = client.post("/v1/comments", data=body,
                           headers={**site_headers, "Content-Type": media_type})
    assert response.status_code in COMMENT_STATUSES
    assert response.status_code == 201 or _is_json_error(response)


@FUZZ
@given(_SUBMISSIONS)
def test_any_json_object_as_a_comment_is_accepted_or_refused_field_by_field(
        client, site_headers, submission):
    response = client.post("/v1/comments", data=json.dumps(submission), headers={
        **site_headers, "Content-Type": "application/json"})
    assert response.status_code in {201, 409, 422, 429}, response.get_data(as_text=True)
    if response.status_code == 422:
        # every complaint names a submitted field, or a required one that was left out
        named = set(response.get_json()["errors"])
        assert named <= set(submission) | {"comment", "author", "email", "comment_post_ID"}


@FUZZ
@given(st.dictionaries(st.sampled_from(_FIELDS), st.text(max_size=40), max_size=8),
       st.booleans())
def test_any_form_as_a_comment_is_accepted_or_refused_field_by_field(client, site_headers,
                                                                     fields, percent_encoded):
    if percent_encoded:
        body = urlencode(fields).encode()
    else:  # raw UTF-8, as curl --data sends it; only % & = + need escaping to mean themselves
        body = "&".join(f"{_raw(k)}={_raw(v)}" for k, v in fields.items()).encode()
    response = client.post("/v1/comments", data=body, headers={
        **site_headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in {201, 400, 409, 422, 429}, response.get_data(as_text=True)


@FUZZ
@given(_JSON_VALUES, st.sampled_from(["/v1/review/claim", "/v1/review/none/decision"]))
def test_any_json_as_a_review_body_gets_a_documented_json_answer(client, moderator_headers,
                                                                 value, path):
    response = client.post(path, data=json.dumps(value), headers={
        **moderator_headers, "Content-Type": "application/json"})
    allowed = {200, 400, 422} if path.endswith("claim") else {400, 404, 422}
    assert response.status_code in allowed, response.get_data(as_text=True)
    assert response.status_code == 200 or _is_json_error(response)


@FUZZ
@given(st.dictionaries(st.sampled_from(["limit", "site", "other"]), _HEADER_TEXT, max_size=3),
       st.sampled_from(["/v1/review/queue", "/v1/review/audit"]))
def test_any_query_string_gets_a_documented_json_answer(client, moderator_headers, query, path):
    response = client.get(path, query_string=query, headers=moderator_headers)
    assert response.status_code in {200, 400}
    assert response.status_code == 200 or _is_json_error(response)


@FUZZ
@given(_HEADER_TEXT, _HEADER_TEXT, _HEADER_TEXT)
def test_any_header_values_get_a_documented_json_answer(client, site_headers, authorization,
                                                        language, idempotency_key):
    for credentials in (authorization, site_headers["Authorization"]):
        response = client.post("/v1/comments", json={"comment": "x"}, headers={
            "Authorization": credentials, "Accept-Language": language,
            "Idempotency-Key": idempotency_key})
        assert response.status_code in {401, 422}, response.get_data(as_text=True)
        assert _is_json_error(response)
