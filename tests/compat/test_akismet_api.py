"""Akismet's API answered by Hakam: form fields in, text/plain answers and Akismet's headers
out, the site's spam rules and thresholds applied, labels from submit-spam / submit-ham, and
nothing of the reader's email or IP kept anywhere."""

from __future__ import annotations

import pytest
import redis

from hakam.service.policy import SitePolicy

CLEAN = "شكرا على هذا التقرير المفصل، نتمنى متابعة القضية"
ABUSIVE = "يا حمار انت ما تفهم شي، اسكت احسن لك"
PRIZE_SPAM = "اربح الآن جوائز مجانية! تواصل واتساب 0555123456 www.example-prize.com"
EMAIL = "laila.reader@example.com"
IP = "203.0.113.77"


@pytest.fixture
def form(site_key) -> dict:
    return {"api_key": site_key, "blog": "https://news.example", "user_ip": IP,
            "user_agent": "Mozilla/5.0", "comment_type": "comment", "comment_author": "ليلى",
            "comment_author_email": EMAIL, "permalink": "https://news.example/2026/story"}


def check(client, form, text, **fields):
    return client.post("/1.1/comment-check", data={**form, "comment_content": text, **fields})


def verdict(answer) -> str:
    assert answer.status_code == 200
    assert answer.content_type == "text/plain; charset=utf-8"
    body = answer.get_data(as_text=True)
    assert body in ("true", "false"), (body, answer.headers)
    if body == "false":
        return "ham"
    return "discard" if answer.headers.get("X-akismet-pro-tip") == "discard" else "spam"


# -- verify-key --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["key", "api_key"])
def test_a_site_key_verifies(client, site_key, field):
    answer = client.post("/1.1/verify-key", data={field: site_key, "blog": "https://a.example"})
    assert answer.get_data(as_text=True) == "valid"
    assert answer.content_type == "text/plain; charset=utf-8"
    assert "X-akismet-debug-help" not in answer.headers


@pytest.mark.parametrize("data, help_text", [
    ({"key": "hk_site_wrong", "blog": "https://a.example"},
     "The API key is not a Hakam site key, or it was revoked."),
    ({"blog": "https://a.example"}, 'Empty "key" value'),
    ({"key": "{site_key}"}, "Missing required field: blog."),
])
def test_a_bad_verification_is_invalid_with_debug_help(client, site_key, data, help_text):
    data = {name: value.format(site_key=site_key) for name, value in data.items()}
    answer = client.post("/1.1/verify-key", data=data)

    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == "invalid"
    assert answer.headers["X-akismet-debug-help"] == help_text


def test_a_revoked_key_is_invalid(client, store, site_key):
    store.revoke_site("akhbar")
    answer = client.post("/1.1/verify-key", data={"key": site_key, "blog": "https://a"})
    assert answer.get_data(as_text=True) == "invalid"


# -- comment-check -----------------------------------------------------------------------------


def test_a_clean_comment_is_not_spam_and_the_check_is_named(client, form):
    answer = check(client, form, CLEAN)

    assert verdict(answer) == "ham"
    assert len(answer.headers["X-akismet-guid"]) == 32
    assert check(client, form, CLEAN).headers["X-akismet-guid"] != answer.headers[
        "X-akismet-guid"]


def test_blatant_spam_is_spam_to_discard(client, form):
    assert verdict(check(client, form, PRIZE_SPAM)) == "discard"


def test_an_abusive_comment_is_not_akismets_question(client, form):
    assert verdict(check(client, form, ABUSIVE)) == "ham"


def test_the_sites_spam_thresholds_decide(client, store, form):
    store.configure_site("akhbar", policy=SitePolicy(spam_hold=0.0, spam_reject=1.0))
    assert verdict(check(client, form, CLEAN)) == "spam"  # over hold, under rejection

    store.configure_site("akhbar", policy=SitePolicy(spam_hold=0.0, spam_reject=0.0))
    assert verdict(check(client, form, CLEAN)) == "discard"


@pytest.mark.parametrize("field", ["comment_content", "comment_author", "comment_author_email",
                                   "comment_author_url", "user_agent"])
def test_a_disallowed_word_in_any_field_is_spam_to_discard(client, store, form, field):
    store.configure_site("akhbar", policy=SitePolicy(disallowed_words=("casino",)))
    fields = {"comment_content": CLEAN, field: "best casino online"}
    if field == "comment_author_url":
        fields[field] = "https://casino.example"
    assert verdict(client.post("/1.1/comment-check", data={**form, **fields})) == "discard"


def test_too_many_links_is_spam_but_links_to_trusted_sources_do_not_count(client, store,
                                                                            form):
    store.configure_site("akhbar", policy=SitePolicy(max_links=1,
                                                     trusted_domains=("bbc.com",)))
    two_links = f"{CLEAN} https://one.example/a https://two.example/b"
    cited = f"{CLEAN} https://www.bbc.com/a https://news.example/2026/other"

    assert verdict(check(client, form, two_links)) == "spam"
    # bbc.com is trusted, news.example is the post's own site (from the permalink)
    assert verdict(check(client, form, cited)) == "ham"


def test_a_filled_honeypot_is_spam_to_discard(client, form):
    filled = check(client, form, CLEAN, honeypot_field_name="hp_url", hp_url="x")
    empty = check(client, form, CLEAN, honeypot_field_name="hp_url", hp_url="")

    assert verdict(filled) == "discard"
    assert verdict(empty) == "ham"


def test_an_administrators_comment_is_never_spam(client, form):
    assert verdict(check(client, form, PRIZE_SPAM, user_role="administrator")) == "ham"


@pytest.mark.parametrize("missing", ["blog", "user_ip"])
def test_a_missing_required_field_is_invalid_naming_it(client, form, missing):
    form.pop(missing)
    answer = check(client, form, CLEAN)

    assert answer.get_data(as_text=True) == "invalid"
    assert answer.headers["X-akismet-debug-help"] == f"Missing required field: {missing}."


def test_a_wrong_or_missing_key_is_invalid(client, form):
    wrong = check(client, {**form, "api_key": "hk_site_nope"}, CLEAN)
    form.pop("api_key")
    missing = check(client, form, CLEAN)

    assert wrong.get_data(as_text=True) == missing.get_data(as_text=True) == "invalid"
    assert missing.headers["X-akismet-debug-help"] == 'Empty "api_key" value'


@pytest.mark.parametrize("case", [str, str.lower])
def test_the_key_may_be_the_first_label_of_the_host_name(client, form, site_key, case):
    host_key = case(site_key)
    form.pop("api_key")
    answer = client.post("/1.1/comment-check", data={**form, "comment_content": PRIZE_SPAM},
                         headers={"Host": f"{host_key}.hakam.example"})

    assert verdict(answer) == "discard"


def test_a_host_name_that_is_not_a_key_leaves_the_key_to_the_form(client, form):
    answer = client.post("/1.1/comment-check", data={**form, "comment_content": CLEAN},
                         headers={"Host": "rest.akismet.com"})
    assert verdict(answer) == "ham"


def test_a_wrong_key_in_the_host_name_is_invalid(client, form):
    form.pop("api_key")
    answer = client.post("/1.1/comment-check", data={**form, "comment_content": CLEAN},
                         headers={"Host": "hk_site_nothing.hakam.example"})
    assert answer.get_data(as_text=True) == "invalid"


def test_comment_check_keeps_nothing_and_never_answers_the_email_or_ip(client, form,
                                                                         redis_url, store):
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    before = {key: r.type(key) for key in r.keys("*")}

    answers = [check(client, form, text) for text in (CLEAN, PRIZE_SPAM)]

    assert {key: r.type(key) for key in r.keys("*")} == before
    assert list(store.labels()) == []
    for answer in answers:
        said = answer.get_data(as_text=True) + str(answer.headers)
        assert EMAIL not in said and IP not in said


# -- submit-spam / submit-ham -----------------------------------------------------------------


def test_submitted_spam_and_ham_become_akismet_labels_of_the_text_alone(client, form,
                                                                        redis_url, store):
    spam = client.post("/1.1/submit-spam", data={**form, "comment_content": PRIZE_SPAM})
    ham = client.post("/1.1/submit-ham", data={**form, "comment_content": CLEAN})

    for answer in (spam, ham):
        assert answer.get_data(as_text=True) == "Thanks for making the web a better place."
        assert answer.content_type == "text/plain; charset=utf-8"
    assert [label for label in store.labels()] == [
        {"text": PRIZE_SPAM, "task": "spam", "label": 1, "source": "akismet", "site": "akhbar"},
        {"text": CLEAN, "task": "spam", "label": 0, "source": "akismet", "site": "akhbar"}]
    everything = str(redis.Redis.from_url(redis_url).xrange("hakam:{akhbar}:labels"))
    assert EMAIL not in everything and IP not in everything and "ليلى" not in everything


@pytest.mark.parametrize("is_test", ["1", "true"])
def test_a_test_submission_keeps_no_label(client, form, store, is_test):
    answer = client.post("/1.1/submit-spam",
                         data={**form, "comment_content": PRIZE_SPAM, "is_test": is_test})
    assert answer.get_data(as_text=True) == "Thanks for making the web a better place."
    assert list(store.labels()) == []


def test_a_submission_with_a_wrong_key_is_invalid_and_keeps_nothing(client, form, store):
    answer = client.post("/1.1/submit-ham",
                         data={**form, "api_key": "hk_site_nope", "comment_content": CLEAN})
    assert answer.get_data(as_text=True) == "invalid"
    assert list(store.labels()) == []


# -- usage-limit, key-sites, errors ------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_usage_limit_says_there_is_no_limit(client, site_key, method):
    call = getattr(client, method)
    answer = (call(f"/1.2/usage-limit?api_key={site_key}") if method == "get"
              else call("/1.2/usage-limit", data={"api_key": site_key}))
    assert answer.get_json() == {"limit": "none", "usage": 0, "percentage": "0.00",
                                 "throttled": False}


def test_key_sites_lists_the_keys_site_in_akismets_shapes(client, site_key):
    as_json = client.get(f"/1.2/key-sites?api_key={site_key}&month=2026-11").get_json()
    as_csv = client.get(f"/1.2/key-sites?api_key={site_key}&month=2026-11&format=csv")
    no_key = client.get("/1.2/key-sites?month=2026-11").get_json()

    assert as_json["2026-11"][0]["site"] == "akhbar"
    assert set(as_json["2026-11"][0]) == {"site", "api_calls", "spam", "ham", "missed_spam",
                                          "false_positives", "is_revoked"}
    assert (as_json["limit"], as_json["offset"], as_json["total"]) == (500, 0, 1)
    lines = as_csv.get_data(as_text=True).splitlines()
    assert lines[1] == "Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked"
    assert lines[2].startswith("akhbar,") and site_key not in as_csv.get_data(as_text=True)
    assert no_key == {"2026-11": [], "limit": 500, "offset": 0, "total": 0}


@pytest.mark.parametrize("limit, shown_limit", [("٣", 3), ("²", 500), ("①", 500), ("-1", 500)])
def test_key_sites_takes_a_limit_in_any_decimal_digits_and_ignores_other_numbers(
        client, site_key, limit, shown_limit):
    # "²" and "①" are digits to str.isdigit but no number to int(): they were a 500
    answer = client.get("/1.2/key-sites", query_string={
        "api_key": site_key, "month": "2026-11", "limit": limit, "offset": limit})

    assert answer.status_code == 200
    assert answer.get_json()["limit"] == shown_limit


def test_a_route_akismet_never_had_is_plain_text_not_json_or_html(client):
    answer = client.post("/1.1/comment-check-all", data={})
    assert answer.status_code == 404
    assert answer.content_type == "text/plain; charset=utf-8"
    assert "<" not in answer.get_data(as_text=True)


def test_redis_away_is_a_plain_text_503(tmp_path, shipped_scorer):
    from hakam.service import create_app
    from hakam.service.config import Config
    from tests.redis_harness import free_port

    app = create_app(Config(redis_url=f"redis://127.0.0.1:{free_port()}/0",
                            data_dir=str(tmp_path), secret_key="s", testing=True),
                     scorer=shipped_scorer, start_workers=False)
    answer = app.test_client().post("/1.1/comment-check", data={
        "api_key": "hk_site_x", "blog": "https://a", "user_ip": IP, "comment_content": CLEAN})

    assert answer.status_code == 503
    assert answer.content_type == "text/plain; charset=utf-8"
    assert answer.headers["Retry-After"] == "5"


def test_a_revoked_key_no_longer_works_in_the_host_name_in_any_case(client, store, form,
                                                                     site_key):
    form.pop("api_key")
    store.revoke_site("akhbar")
    for host_key in (site_key, site_key.lower()):
        answer = client.post("/1.1/comment-check", data={**form, "comment_content": CLEAN},
                             headers={"Host": f"{host_key}.hakam.example"})
        assert answer.get_data(as_text=True) == "invalid"
