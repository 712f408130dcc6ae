"""What a site (and, through it, a reader) is told when a submission is wrong: WordPress's rules,
every failing field at once, in Arabic or English."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import g
from flask_babel import ngettext, refresh
from openapi_spec_validator import validate as validate_openapi

from hakam.service import i18n, schemas
from hakam.service.validation import SiteRules
from tests.factories import a_comment

SOURCE = Path(i18n.__file__).parent
REPOSITORY = SOURCE.parent
REQUIRED = {
    "ar": {"comment": "من فضلك اكتب نص تعليقك.", "author": "من فضلك أدخل اسمك.",
           "email": "من فضلك أدخل بريدك الإلكتروني."},
    "en": {"comment": "Please type your comment text.", "author": "Please enter your name.",
           "email": "Please enter your email address."},
}
BAD_EMAIL = {"ar": "من فضلك أدخل عنوان بريد إلكتروني صحيحًا.",
             "en": "Please enter a valid email address."}
CONTROL = {"ar": "يحتوي هذا الحقل على محارف تحكّم غير مسموح بها (مثل NUL).",
           "en": "This field contains control characters (such as NUL) that are not allowed."}


def post(client, headers, body, lang=None, form=False):
    headers = dict(headers)
    if lang:
        headers["Accept-Language"] = lang
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return client.post("/v1/comments", data=urlencode(body), headers=headers)
    return client.post("/v1/comments", json=body, headers=headers)


def refused(response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]


def an_email_of(length: int) -> str:
    domain = "b" * (length - 64 - 1 - 4) + ".com"  # a local part may have 64 characters at most
    return "a" * 64 + "@" + domain


# -- required fields ------------------------------------------------------------------------

@pytest.mark.parametrize("field, lang, expected", [
    ("comment", "ar", "من فضلك اكتب نص تعليقك."),
    ("comment", "en", "Please type your comment text."),
    ("author", "ar", "من فضلك أدخل اسمك."),
    ("author", "en", "Please enter your name."),
    ("email", "ar", "من فضلك أدخل بريدك الإلكتروني."),
    ("email", "en", "Please enter your email address."),
])
def test_a_missing_required_field_is_named_in_the_readers_language(client, site_headers, field,
                                                                    lang, expected):
    comment = a_comment()
    del comment[field]
    assert refused(post(client, site_headers, comment, lang)) == {field: [expected]}


@pytest.mark.parametrize("blank, lang", [
    ("   ", "ar"), ("\n\t  \r\n", "en"), ("", "ar"), ("\u00a0\u2003", "en"),
])
def test_a_blank_comment_counts_as_missing(client, site_headers, blank, lang):
    errors = refused(post(client, site_headers, a_comment(comment=blank), lang))
    assert errors == {"comment": [REQUIRED[lang]["comment"]]}


def test_an_empty_form_field_counts_as_missing(client, site_headers):
    form = a_comment(author="", email="  ")
    errors = refused(post(client, site_headers, form, "en", form=True))
    assert errors == {"author": [REQUIRED["en"]["author"]], "email": [REQUIRED["en"]["email"]]}


def test_a_site_without_name_and_email_required_takes_anonymous_comments(
        client, store, site_key, site_headers):
    store.configure_site("akhbar", rules=SiteRules(require_name_email=False))
    anonymous = {"comment": "تعليق بلا اسم", "comment_post_ID": 42}
    assert post(client, site_headers, anonymous).status_code == 201
    # An address that is given must still be an address.
    errors = refused(post(client, site_headers, {**anonymous, "email": "no-at-sign"}, "ar"))
    assert errors == {"email": [BAD_EMAIL["ar"]]}


def test_every_failing_field_is_reported_at_once(client, site_headers):
    response = post(client, site_headers, {
        "comment": " ", "author": "ع" * 246, "email": "a@@b.com", "url": "ftp://example.com",
        "comment_post_ID": 0, "comment_parent": "first", "author_ip": "999.0.0.1",
        "language": "fr",
    }, "en")
    assert refused(response) == {
        "comment": ["Please type your comment text."],
        "author": ["Your name is too long: it may have at most 245 characters."],
        "email": ["Please enter a valid email address."],
        "url": ["Please enter a valid website address, such as https://example.com."],
        "comment_post_ID": ["The post ID must be a positive whole number or an identifier of "
                            "at most 64 characters."],
        "comment_parent": ["The parent comment must be given by its number (0 for none)."],
        "author_ip": ["The author's IP address is not a valid IPv4 or IPv6 address."],
        "language": ["The language must be “ar” or “en”."],
    }


# -- WordPress's length limits ----------------------------------------------------------------

ARABIC_COMMENT_AT_LIMIT = "ب" * 32_762 + "a"  # 65,525 bytes in 32,763 characters


@pytest.mark.parametrize("field, at_limit", [
    ("author", "ع" * 245),
    ("email", an_email_of(100)),
    ("url", "https://example.com/" + "a" * 180),
    ("comment", "a" * 65_525),
    ("comment", ARABIC_COMMENT_AT_LIMIT),
])
def test_a_value_at_the_limit_is_accepted(client, site_headers, field, at_limit):
    assert post(client, site_headers, a_comment(**{field: at_limit})).status_code == 201


@pytest.mark.parametrize("field, too_long, lang, expected", [
    ("author", "ع" * 246, "ar", "اسمك طويل جدًا: الحد الأقصى 245 حرفًا."),
    ("author", "a" * 246, "en", "Your name is too long: it may have at most 245 characters."),
    ("email", an_email_of(101), "ar", "عنوان بريدك الإلكتروني طويل جدًا: الحد الأقصى 100 حرف."),
    ("email", an_email_of(101), "en",
     "Your email address is too long: it may have at most 100 characters."),
    ("url", "https://example.com/" + "a" * 181, "ar",
     "عنوان موقعك طويل جدًا: الحد الأقصى 200 حرف."),
    ("url", "https://example.com/" + "a" * 181, "en",
     "Your website address is too long: it may have at most 200 characters."),
    # Bytes, not characters: 32,763 Arabic letters are 65,526 bytes.
    ("comment", "ب" * 32_763, "ar",
     "تعليقك طويل جدًا: الحد الأقصى 65525 بايتًا (يشغل الحرف العربي بايتين)."),
    ("comment", "a" * 65_526, "en",
     "Your comment is too long: it may take at most 65525 bytes "
     "(an Arabic letter takes two bytes)."),
    ("comment_post_ID", "p" * 65, "ar", "معرّف المقالة طويل جدًا: الحد الأقصى 64 حرفًا."),
])
def test_one_over_the_limit_is_refused_naming_the_limit(client, site_headers, field, too_long,
                                                        lang, expected):
    errors = refused(post(client, site_headers, a_comment(**{field: too_long}), lang))
    assert errors == {field: [expected]}


# -- email addresses --------------------------------------------------------------------------

@pytest.mark.parametrize("email, lang", [
    ("no-at-sign", "ar"), ("no-at-sign", "en"),
    ("a@b", "ar"), ("a@b", "en"),
    ("a@@b.com", "ar"), ("a@@b.com", "en"),
    ("a b@c.com", "ar"), ("a b@c.com", "en"),
])
def test_a_malformed_email_is_refused(client, site_headers, email, lang):
    errors = refused(post(client, site_headers, a_comment(email=email), lang))
    assert errors == {"email": [BAD_EMAIL[lang]]}


@pytest.mark.parametrize("email", [
    "ليلى@example.com", "user@bücher.de", "مستخدم@مثال.اختبار", "Reader@EXAMPLE.com",
])
def test_an_internationalised_email_is_accepted(client, site_headers, email):
    assert post(client, site_headers, a_comment(email=email)).status_code == 201


def test_emails_differing_only_in_the_domains_case_are_one_author_for_the_flood_limit(
        client, site_headers):
    assert post(client, site_headers, a_comment(email="Reader@example.com")).status_code == 201
    again = post(client, site_headers, a_comment(email="Reader@EXAMPLE.COM",
                                                 author_ip="198.51.100.20"))
    assert again.status_code == 429


# -- the other fields ---------------------------------------------------------------------------

@pytest.mark.parametrize("submitted, stored", [
    ("example.com/about", "http://example.com/about"),  # WordPress adds the scheme too
    ("مثال.com", "http://مثال.com"),
    ("example.com:8080", "http://example.com:8080"),
    ("https://example.com", "https://example.com"),
    ("", ""),
])
def test_a_website_without_a_scheme_gets_http(client, site_headers, store, submitted, stored):
    created = post(client, site_headers, a_comment(url=submitted), form=True).get_json()
    held = store.get_comment(created["id"])
    assert (held["url"] or "") == stored


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com", "mailto:a@b.com",
                                 "http://", "https://exa mple.com", "http://example.com:port"])
def test_a_website_that_is_not_http_is_refused(client, site_headers, url):
    errors = refused(post(client, site_headers, a_comment(url=url), "ar"))
    assert errors == {"url": ["من فضلك أدخل عنوان موقع صحيحًا، مثل https://example.com."]}


@pytest.mark.parametrize("post_id", [42, "42", "slug-42", "p" * 64])
def test_a_post_id_may_be_a_number_or_an_id_string(client, site_headers, post_id):
    assert post(client, site_headers, a_comment(comment_post_ID=post_id)).status_code == 201


@pytest.mark.parametrize("post_id, lang, expected", [
    (None, "en", "The post this comment belongs to is missing (comment_post_ID)."),
    ("", "ar", "لم تُحدَّد المقالة التي ينتمي إليها هذا التعليق (comment_post_ID)."),
    (0, "en", "The post ID must be a positive whole number or an identifier of at most "
              "64 characters."),
    ("-1", "en", None), (-1, "en", None), (True, "en", None), (4.5, "en", None),
    ({"id": 1}, "ar", "يجب أن يكون معرّف المقالة عددًا صحيحًا موجبًا أو معرّفًا لا يتجاوز "
                      "64 حرفًا."),
])
def test_a_missing_or_impossible_post_id_is_refused(client, site_headers, post_id, lang,
                                                     expected):
    comment = a_comment(comment_post_ID=post_id)
    errors = refused(post(client, site_headers, comment, lang))
    assert list(errors) == ["comment_post_ID"]
    if expected:
        assert errors["comment_post_ID"] == [expected]


@pytest.mark.parametrize("field, value, ok", [
    ("comment_parent", "0", True), ("comment_parent", 17, True), ("comment_parent", "", True),
    ("comment_parent", -1, False), ("comment_parent", "first", False),
    ("comment_parent", "٣", False),  # an Arabic-Indic digit is not what WordPress posts
    ("author_ip", "2001:db8::1", True), ("author_ip", "::ffff:192.0.2.1", True),
    ("author_ip", "192.0.2.300", False), ("author_ip", "localhost", False),
    ("post_url", "https://akhbar.example/2026/11/story", True),
    ("post_url", "akhbar.example/story", False), ("post_url", "file:///etc/passwd", False),
    ("language", "en", True), ("language", "ar", True), ("language", "fr", False),
    ("user_agent", "Mozilla/5.0 " + "x" * 400, True),  # cut to 254 as WordPress does
])
def test_the_optional_fields_are_checked_when_given(client, site_headers, field, value, ok):
    response = post(client, site_headers, a_comment(**{field: value}))
    if ok:
        assert response.status_code == 201, response.get_json()
    else:
        assert list(refused(response)) == [field]


@pytest.mark.parametrize("field, value, lang, expected", [
    ("comment", ["a", "list"], "en", "This field must be text."),
    ("author", {"first": "ليلى"}, "ar", "يجب أن يكون هذا الحقل نصًّا."),
    ("email", 12345, "en", "This field must be text."),
    ("url", False, "ar", "يجب أن يكون هذا الحقل نصًّا."),
])
def test_a_json_value_that_is_not_text_is_a_field_error(client, site_headers, field, value, lang,
                                                        expected):
    assert refused(post(client, site_headers, a_comment(**{field: value}), lang)) == {
        field: [expected]}


@pytest.mark.parametrize("field, value, lang, form", [
    ("comment", "قبل\x00بعد", "ar", False),
    ("author", "name\x00", "en", True),
    ("url", "https://example.com/\x1b[31m", "en", False),
    ("comment", "bell \x07 here", "ar", True),
])
def test_nul_bytes_and_control_characters_are_a_field_error(client, site_headers, field, value,
                                                            lang, form):
    errors = refused(post(client, site_headers, a_comment(**{field: value}), lang, form=form))
    assert errors == {field: [CONTROL[lang]]}


def test_tabs_and_newlines_are_ordinary_text(client, site_headers):
    comment = a_comment(comment="السطر الأول\r\nالسطر الثاني\tمع جدولة")
    assert post(client, site_headers, comment).status_code == 201


def test_the_refusal_never_echoes_the_submitted_email_or_ip(client, site_headers):
    response = post(client, site_headers, a_comment(
        comment="", email="secret reader@example.org", author_ip="192.0.2.999"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "secret reader" not in text and "192.0.2.999" not in text


# -- bodies that are not a submission at all --------------------------------------------------

@pytest.mark.parametrize("body, content_type, lang, expected", [
    (b'{"comment": "\xff\xfe"}', "application/json", "ar", "المحتوى ليس نصًّا صحيحًا بترميز UTF-8."),
    (b"comment=%FF%FE", "application/x-www-form-urlencoded", "en",
     "The body is not valid UTF-8."),
    (b'{"comment": ', "application/json", "en",
     "The body is not valid JSON (error at character 12)."),
    (b'["a"]', "application/json", "ar", "يجب أن يكون المحتوى كائن JSON."),
])
def test_a_malformed_body_is_a_400_in_the_readers_language(client, site_headers, body,
                                                           content_type, lang, expected):
    response = client.post("/v1/comments", data=body, headers={
        **site_headers, "Content-Type": content_type, "Accept-Language": lang})
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request", "message": expected}


@pytest.mark.parametrize("lang, expected", [
    ("ar", "حجم الطلب أكبر من المسموح به."), ("en", "The request is too large."),
])
def test_a_huge_body_is_a_413(client, site_headers, config, lang, expected):
    huge = a_comment(comment="ب" * config.max_body_bytes)
    response = post(client, site_headers, huge, lang)
    assert response.status_code == 413
    assert response.get_json()["message"] == expected


@pytest.mark.parametrize("lang, expected", [
    ("ar", "أرسل التعليق بصيغة application/json أو application/x-www-form-urlencoded، "
           "لا text/plain."),
    ("en", "Send the comment as application/json or application/x-www-form-urlencoded, "
           "not text/plain."),
])
def test_another_media_type_is_a_415(client, site_headers, lang, expected):
    response = client.post("/v1/comments", data="comment=hi", headers={
        **site_headers, "Content-Type": "text/plain", "Accept-Language": lang})
    assert response.status_code == 415
    assert response.get_json() == {"error": "unsupported_media_type", "message": expected}


# -- choosing the language ----------------------------------------------------------------------

@pytest.fixture
def english_site_headers(store) -> dict[str, str]:
    key, _ = store.create_site("gazette", language="en")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("site, accept_language, expected", [
    ("akhbar", None, "ar"),                       # the site's language
    ("gazette", None, "en"),
    ("gazette", "fr-FR, de;q=0.8", "en"),         # nothing we speak: still the site's
    ("akhbar", "en-GB,en;q=0.9", "en"),           # the reader's header wins
    ("gazette", "ar-EG", "ar"),
    ("gazette", "en;q=0.3, ar;q=0.9", "ar"),
])
def test_accept_language_picks_the_language_and_the_site_is_the_fallback(
        client, site_headers, english_site_headers, site, accept_language, expected):
    headers = site_headers if site == "akhbar" else english_site_headers
    errors = refused(post(client, headers, a_comment(comment=""), accept_language))
    assert errors == {"comment": [REQUIRED[expected]["comment"]]}


@pytest.mark.parametrize("lang, expected", [
    (None, "مفتاح الموقع هذا غير معروف أو أُلغي."),  # no site known yet: Arabic
    ("en", "This site key is unknown or was revoked."),
])
def test_an_unknown_key_is_refused_in_arabic_unless_asked_otherwise(client, lang, expected):
    response = post(client, {"Authorization": "Bearer hk_site_nope"}, a_comment(), lang)
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "message": expected}


@pytest.mark.parametrize("lang, expected", [
    ("ar", "اكتُشف تعليق مكرر: يبدو أنك قلت هذا من قبل."),
    ("en", "Duplicate comment detected: it looks as though you have already said that."),
])
def test_a_duplicate_is_explained_in_the_readers_language(client, site_headers, lang, expected):
    comment = a_comment()
    post(client, site_headers, comment)
    again = post(client, site_headers, {**comment, "author_ip": "198.51.100.9"}, lang)
    assert again.status_code == 409
    assert again.get_json()["message"] == expected


@pytest.mark.parametrize("lang, expected", [
    ("ar", "أنت تنشر التعليقات بسرعة كبيرة. تمهّل قليلًا."),
    ("en", "You are posting comments too quickly. Slow down."),
])
def test_a_flood_is_explained_in_the_readers_language(client, site_headers, lang, expected):
    first = a_comment()
    post(client, site_headers, first)
    again = post(client, site_headers, a_comment(email=first["email"]), lang)
    assert again.status_code == 429
    assert again.get_json()["message"] == expected


def test_a_view_may_choose_the_language_itself(app):
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        g.hakam_locale = "en"
        refresh()
        assert str(i18n.select_locale()) == "en"


@pytest.mark.parametrize("count, expected", [
    (1, "اسمك طويل جدًا: الحد الأقصى حرف واحد."),
    (2, "اسمك طويل جدًا: الحد الأقصى حرفان."),
    (7, "اسمك طويل جدًا: الحد الأقصى 7 أحرف."),
    (45, "اسمك طويل جدًا: الحد الأقصى 45 حرفًا."),
    (102, "اسمك طويل جدًا: الحد الأقصى 102 حرف."),
    (245, "اسمك طويل جدًا: الحد الأقصى 245 حرفًا."),
])
def test_arabic_counts_take_all_six_plural_forms(app, count, expected):
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert ngettext("Your name is too long: it may have at most %(num)d character.",
                        "Your name is too long: it may have at most %(num)d characters.",
                        count) == expected


# -- the review API's bodies ------------------------------------------------------------------

@pytest.mark.parametrize("path, body, lang, expected", [
    ("/v1/review/claim", {"limit": 0}, "en", {"limit": ["Enter a number no smaller than 1."]}),
    ("/v1/review/claim", {"limit": 500}, "ar", {"limit": ["أدخل عددًا لا يزيد على 100."]}),
    ("/v1/review/claim", {"limit": "many"}, "en", {"limit": ["Enter a whole number."]}),
    ("/v1/review/x1/decision", {"decision": "maybe"}, "en",
     {"decision": ["Choose one of: approve, reject, spam."]}),
    ("/v1/review/x1/decision", {}, "ar", {"decision": ["هذا الحقل مطلوب."]}),
    ("/v1/review/x1/decision", {"decision": "spam", "reason": "x" * 501}, "ar",
     {"reason": ["هذه القيمة طويلة جدًا: الحد الأقصى 500 حرف."]}),
    ("/v1/review/claim", [1, 2], "en", {"body": ["The body must be a JSON object."]}),
])
def test_review_bodies_get_localised_field_errors(client, moderator_headers, path, body, lang,
                                                  expected):
    response = client.post(path, json=body,
                           headers={**moderator_headers, "Accept-Language": lang})
    assert response.status_code == 422
    assert response.get_json() == {"errors": expected}


# -- /openapi.json ------------------------------------------------------------------------------

def _route_shape(path: str) -> str:
    return re.sub(r"<[^>]*>|\{[^}]*\}", "{}", path)


def test_openapi_lists_every_v1_route(app, client):
    document = client.get("/openapi.json").get_json()
    documented = {(_route_shape(path), method.upper())
                  for path, operations in document["paths"].items() for method in operations}
    served = {(_route_shape(rule.rule), method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}

    assert document["openapi"].startswith("3.1")
    assert served <= documented
    assert {("/v1/comments", "POST"), ("/v1/comments/{}", "GET"),
            ("/v1/comments/{}/feedback", "POST"), ("/v1/review/queue", "GET"),
            ("/v1/review/claim", "POST"), ("/v1/review/{}/decision", "POST"),
            ("/v1/review/audit", "GET")} <= documented
    assert set(document["components"]["securitySchemes"]) == {"siteKey", "moderatorToken"}
    assert document["paths"]["/v1/review/claim"]["post"]["security"] == [{"moderatorToken": []}]


def test_openapi_refs_all_resolve(client):
    document = client.get("/openapi.json").get_json()
    text = json.dumps(document)
    schemas = document["components"]["schemas"]
    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text):
        assert ref in schemas
    feedback = document["paths"]["/v1/comments/{comment_id}/feedback"]["post"]
    label = schemas["FeedbackRequest"]["properties"]["label"]
    assert feedback["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/FeedbackRequest")
    assert set(label["enum"]) == {"spam", "ham", "abuse", "ok"}
    answer = document["paths"]["/v1/comments"]["post"]["responses"]
    assert set(answer) >= {"201", "400", "401", "409", "413", "415", "422", "429", "503"}


@pytest.mark.parametrize("field, long_text", [
    ("author", lambda n: "ع" * n),
    ("email", an_email_of),
    ("url", lambda n: "https://example.com/" + "a" * (n - 20)),
    ("comment_post_ID", lambda n: "p" * n),
])
def test_the_documented_max_length_is_the_enforced_one(client, site_headers, field, long_text):
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["CommentSubmission"]
    property_ = schema["properties"][field]
    options = [property_, *property_.get("anyOf", [])]
    limit = max(option.get("maxLength", 0) for option in options)
    if not limit:  # counted once trimmed, so written into the field's pattern
        limit = {"author": schemas.AUTHOR_MAX_CHARS, "url": schemas.URL_MAX_CHARS,
                 "comment_post_ID": schemas.POST_ID_MAX_CHARS}[field]
        (pattern,) = [option["pattern"] for option in options
                      if "pattern" in option and option["pattern"] != schemas.BLANK]
        assert re.search(pattern, long_text(limit))
        assert not re.search(pattern, long_text(limit + 1))
        assert re.search(pattern, "  " + long_text(limit) + "\n")  # trimmed before it counts

    assert post(client, site_headers, a_comment(**{field: long_text(limit)})).status_code == 201
    errors = refused(post(client, site_headers, a_comment(**{field: long_text(limit + 1)}), "en"))
    assert str(limit) in errors[field][0]


def test_the_document_says_name_and_email_are_required_and_how_a_site_lifts_that(client):
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["CommentSubmission"]
    assert {"author", "email"} <= set(schema["required"])
    assert not re.search(schema["properties"]["author"]["pattern"], "   ")
    for field in ("author", "email"):
        assert "--no-require-name-email" in schema["properties"][field]["description"] \
            or "as for `author`" in schema["properties"][field]["description"]


def test_a_claim_may_leave_out_its_body_as_the_document_says(client, moderator_headers):
    claim = client.get("/openapi.json").get_json()["paths"]["/v1/review/claim"]["post"]
    assert claim["requestBody"]["required"] is False
    response = client.post("/v1/review/claim", headers=moderator_headers)
    assert response.status_code == 200 and response.get_json()["comments"] == []
    refused = client.post("/v1/review/claim", json=False, headers=moderator_headers)
    assert refused.status_code == 422


def test_a_form_body_is_documented_without_nulls_a_form_cannot_send(client):
    document = client.get("/openapi.json").get_json()
    content = document["paths"]["/v1/comments"]["post"]["requestBody"]["content"]
    form = content["application/x-www-form-urlencoded"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "null" not in json.dumps(document["components"]["schemas"][form])
    assert "null" in json.dumps(document["components"]["schemas"]["CommentSubmission"])


def test_the_documented_comment_byte_limit_is_the_enforced_one(client, site_headers):
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["CommentSubmission"]
    limit = schema["properties"]["comment"]["x-maxBytes"]
    assert set(schema["required"]) == {"comment", "author", "email", "comment_post_ID"}

    at_limit = "ب" * (limit // 2) + "a" * (limit % 2)
    assert post(client, site_headers, a_comment(comment=at_limit)).status_code == 201
    errors = refused(post(client, site_headers, a_comment(comment=at_limit + "a"), "en"))
    assert f"{limit} bytes" in errors["comment"][0]


# -- the catalogs ---------------------------------------------------------------------------

def _arabic_catalog():
    with (SOURCE / "translations/ar/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale="ar")


def test_every_message_in_the_code_has_an_arabic_translation():
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_": None,
                "_l": None, "lazy_ngettext": (1, 2)}
    catalog = _arabic_catalog()
    untranslated = []
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(SOURCE), method_map=method_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        strings = entry.string if entry else ""
        if not entry or "fuzzy" in entry.flags or not all(
                strings if isinstance(strings, tuple) else (strings,)):
            untranslated.append(msgid)
    assert untranslated == []


def test_the_arabic_catalog_has_the_six_arabic_plural_forms():
    catalog = _arabic_catalog()
    assert catalog.num_plurals == 6
    assert catalog.plural_expr.replace(" ", "") == (
        "(n==0?0:n==1?1:n==2?2:n%100>=3&&n%100<=10?3:n%100>=11?4:5)")


def test_catalogs_are_compiled_at_start_into_the_data_dir_not_the_source(app, config):
    compiled = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    assert compiled.is_relative_to(Path(config.data_dir).resolve())
    assert (compiled / "ar/LC_MESSAGES/messages.mo").stat().st_size > 0
    assert not list(SOURCE.glob("translations/**/*.mo"))


def test_workers_starting_together_compile_the_same_catalogs(tmp_path):
    folders, failures = [], []

    def compile_once():
        try:
            folders.append(i18n.compile_catalogs(i18n.CATALOG_DIR, tmp_path))
        except Exception as error:  # noqa: BLE001 -- reported below
            failures.append(error)

    workers = [threading.Thread(target=compile_once) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    assert len(set(folders)) == 1
    assert sorted(p.name for p in folders[0].glob("*/LC_MESSAGES/*")) == [
        "messages.mo", "messages.mo"]


def test_the_openapi_document_is_valid_openapi_3_1(client):
    validate_openapi(client.get("/openapi.json").get_json())


# -- deliverability (DNS is the one thing stood in for: the sandbox and CI have none) --------

@pytest.fixture
def dns_lookups(monkeypatch):
    """Record the domains email-validator would look up, answering each as `dns_lookups.answer`
    says: "deliverable" or "undeliverable"."""
    import email_validator.deliverability as deliverability
    from email_validator import EmailUndeliverableError

    class Lookups(list):
        answer = "deliverable"

    lookups = Lookups()

    def look_up(domain, domain_i18n, timeout=None, dns_resolver=None):
        lookups.append(domain)
        if lookups.answer == "undeliverable":
            raise EmailUndeliverableError(f"The domain name {domain_i18n} does not accept email.")
        return {"mx": [(10, f"mail.{domain}")], "mx_fallback_type": None}

    monkeypatch.setattr(deliverability, "validate_email_deliverability", look_up)
    return lookups


def test_no_dns_look_up_happens_unless_the_site_asks_for_it(client, site_headers, dns_lookups):
    assert post(client, site_headers, a_comment(email="reader@example.org")).status_code == 201
    assert dns_lookups == []


@pytest.mark.parametrize("answer, lang, expected", [
    ("deliverable", "ar", None),
    ("undeliverable", "ar", "نطاق عنوان البريد الإلكتروني هذا لا يستقبل الرسائل."),
    ("undeliverable", "en", "The domain of this email address does not receive email."),
])
def test_a_site_checking_deliverability_refuses_a_domain_without_mail(
        client, store, site_key, site_headers, dns_lookups, answer, lang, expected):
    store.configure_site("akhbar", rules=SiteRules(check_deliverability=True))
    dns_lookups.answer = answer
    response = post(client, site_headers, a_comment(email="reader@bücher.de"), lang)

    assert dns_lookups == ["xn--bcher-kva.de"]
    if expected is None:
        assert response.status_code == 201
    else:
        assert refused(response) == {"email": [expected]}


def _documented(model, body: dict) -> None:
    """`body` is what `model` documents: it validates, and has no field the model leaves out."""
    model.model_validate(body)
    assert set(body) <= {f.alias or name for name, f in model.model_fields.items()}


def test_the_answers_are_the_documented_shapes(client, site_headers, moderator_headers, scorer):
    scorer.will_score("حمار", abuse=0.97)
    created = post(client, site_headers, a_comment(comment="يا حمار"))
    _documented(schemas.CommentAnswer, created.get_json())
    comment_id = created.get_json()["id"]
    _documented(schemas.CommentRecord,
                client.get(f"/v1/comments/{comment_id}", headers=site_headers).get_json())
    _documented(schemas.QueuePage,
                client.get("/v1/review/queue", headers=moderator_headers).get_json())
    claimed = client.post("/v1/review/claim", json={"limit": 5}, headers=moderator_headers)
    _documented(schemas.ClaimAnswer, claimed.get_json())
    assert [c["id"] for c in claimed.get_json()["comments"]] == [comment_id]
    decided = client.post(f"/v1/review/{comment_id}/decision", json={"decision": "reject"},
                          headers=moderator_headers)
    _documented(schemas.DecisionRecord, decided.get_json())
    _documented(schemas.AuditPage,
                client.get("/v1/review/audit", headers=moderator_headers).get_json())
    again = client.post(f"/v1/review/{comment_id}/decision", json={"decision": "spam"},
                        headers=moderator_headers)
    assert again.status_code == 409
    _documented(schemas.ErrorBody, again.get_json())


def test_reasons_follow_a_language_switched_within_the_request(app):
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert i18n.translator().gettext("the comment") == "التعليق"
        g.hakam_locale = "en"
        refresh()
        assert i18n.translator().gettext("the comment") == "the comment"
