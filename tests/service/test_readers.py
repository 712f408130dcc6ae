"""Readers' rights through the API: a site exports or erases what Hakam holds about one of its
readers, on a real Redis, and the erased reader is nowhere in it afterwards (every key and value
searched)."""

from __future__ import annotations

import contextlib
import json
import logging

import pytest

from hakam.service.store import keys
from tests.factories import a_comment
from tests.redis_harness import everything_stored

pytestmark = pytest.mark.single_and_cluster

READER = "Laila.Haddad@Example.com"
READER_NAME = "ليلى حداد"
READER_SITE = "https://laila-haddad.example/blog"
OTHER = "omar@example.net"
IP = "198.51.100.23"


@contextlib.contextmanager
def posted_long_ago(store):
    """Comments posted in here count as posted long before the next: no flood interval."""
    flood, store.flood_seconds = store.flood_seconds, 0
    try:
        yield
    finally:
        store.flood_seconds = flood


@pytest.fixture
def sites(store):
    """Two sites with webhooks (deliveries stay queued: no deliverer runs in these tests)."""
    akhbar, _ = store.create_site("akhbar", webhook_url="https://akhbar.example/hook")
    jarida, _ = store.create_site("jarida", webhook_url="https://jarida.example/hook",
                                  language="en")
    return {"akhbar": {"Authorization": f"Bearer {akhbar}"},
            "jarida": {"Authorization": f"Bearer {jarida}"}}


def _post(client, headers, text, *, email=READER, author=READER_NAME, **extra) -> str:
    response = client.post("/v1/comments", headers=headers,
                           json=a_comment(comment=text, email=email, author=author, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _decide(client, moderator_headers, comment_id, decision, reason="") -> None:
    response = client.post(f"/v1/review/{comment_id}/decision", headers=moderator_headers,
                           json={"decision": decision, "reason": reason})
    assert response.status_code == 200, response.get_json()


def _feedback(client, headers, comment_id, label) -> None:
    response = client.post(f"/v1/comments/{comment_id}/feedback", headers=headers,
                           json={"label": label})
    assert response.status_code == 201


@pytest.fixture
def readers(client, store, scorer, sites, moderator_headers):
    """Laila comments on both sites (published, held then rejected, approved by a moderator,
    still held and claimed, given the site's feedback); Omar comments on akhbar too."""
    scorer.will_score("سيء", abuse=0.8)
    akhbar, jarida = sites["akhbar"], sites["jarida"]
    laila, omar = {}, {}
    with posted_long_ago(store):
        laila["published"] = _post(client, akhbar, "مقال رائع عن الزعفران البلدي",
                                   url=READER_SITE, comment_post_ID="17")
        laila["rejected"] = _post(client, akhbar, "كلام سيء عن الجيران الطيبين",
                                  comment_parent="5")
        laila["approved"] = _post(client, akhbar, "رأي سيء لكنه نقد مقبول للبلدية")
        laila["on_jarida"] = _post(client, jarida, "تقرير جيد عن السوق القديم")
        omar["held"] = _post(client, akhbar, "رد سيء من عمر على المقال", email=OTHER,
                             author="عمر")
        omar["published"] = _post(client, akhbar, "عمر يشكر الكاتب على المتابعة",
                                  email=OTHER, author="عمر")
    # the last one within the flood interval: its flood markers (author and IP) are live
    laila["held"] = _post(client, akhbar, "سؤال سيء عن موعد افتتاح المكتبة",
                          author_ip=IP)
    response = client.post("/v1/comments", headers={**akhbar, "Idempotency-Key": "wp-9001"},
                           json=a_comment(comment="تعليق بمفتاح تكرار آمن", email=READER,
                                          author=READER_NAME))
    assert response.status_code == 429  # the flood rule saw her: her markers exist
    _decide(client, moderator_headers, laila["rejected"], "reject", "شتائم للجيران")
    _decide(client, moderator_headers, laila["approved"], "approve")
    _decide(client, moderator_headers, omar["held"], "approve", "مقبول")
    claimed = client.post("/v1/review/claim", headers=moderator_headers,
                          json={"limit": 5, "site": "akhbar"}).get_json()["comments"]
    assert [c["id"] for c in claimed] == [laila["held"]]
    _feedback(client, akhbar, laila["published"], "spam")
    _feedback(client, jarida, laila["on_jarida"], "ham")
    _feedback(client, akhbar, omar["published"], "ok")
    # one delivery fails for good: dead-lettered deliveries carry the comment too
    delivery = store.take_delivery()
    store.delivery_failed(delivery, None, "connection refused")
    return laila, omar


def _with_idempotency_key(client, store, sites) -> str:
    with posted_long_ago(store):
        response = client.post(
            "/v1/comments", headers={**sites["akhbar"], "Idempotency-Key": "wp-9002"},
            json=a_comment(comment="تعليق بمفتاح تكرار آمن", email=READER, author=READER_NAME))
    assert response.status_code == 201
    return response.get_json()["id"]


def _export(client, headers, email=READER):
    return client.post("/v1/readers/export", headers=headers, json={"email": email})


def _erase(client, headers, email=READER):
    return client.post("/v1/readers/erase", headers=headers, json={"email": email})


def _traces(store, texts: list[str], ids: list[str]) -> list[str]:
    """The reader's data as it could appear in Redis: ids, texts (as stored, and as JSON would
    escape them), name, website, keyed hashes of her email and IP."""
    markers = [*ids, READER_NAME, READER_SITE, store.private_key(READER),
               store.private_key(IP), READER, READER.lower()]
    for text in texts:
        markers += [text, json.dumps(text)[1:-1]]
    return markers


def _found(store, markers: list[str]) -> list[str]:
    stored = everything_stored(store.r)
    return [marker for marker in markers if marker in stored]


# -- export ---------------------------------------------------------------------------------


def test_export_holds_exactly_the_readers_comments_on_that_site(client, store, sites,
                                                               readers):
    laila, _omar = readers
    response = _export(client, sites["akhbar"])

    assert response.status_code == 200
    body = response.get_json()
    assert body["site"] == "akhbar"
    exported = {c["id"]: c for c in body["comments"]}
    assert list(exported) == [laila[k] for k in ("published", "rejected", "approved", "held")]
    published = exported[laila["published"]]
    assert (published["text"], published["author"], published["url"], published["post_id"],
            published["status"]) == ("مقال رائع عن الزعفران البلدي", READER_NAME, READER_SITE,
                                     "17", "approved")
    assert published["labels"] == [{"task": "spam", "label": 1, "source": "site",
                                    "at": pytest.approx(published["created_at"], abs=60)}]
    rejected = exported[laila["rejected"]]
    assert rejected["parent_id"] == "5"
    assert [(e["status"], e["by"], e["reason"]) for e in rejected["history"]] == [
        ("pending", "hakam", ""), ("rejected", "salma", "شتائم للجيران")]
    assert all(e["at"] >= rejected["created_at"] for e in rejected["history"])
    assert [(x["task"], x["label"], x["source"]) for x in rejected["labels"]] == [
        ("abuse", 1, "moderator")]
    # every attribute too: null, since the scripted model scored none
    assert rejected["scores"] == {"spam": 0.0, "abuse": 0.8, "identity_attack": None,
                                  "insult": None, "profanity": None, "threat": None}
    assert rejected["reasons"][0]["code"] == "abuse_score"
    assert exported[laila["held"]]["status"] == "pending"
    # nothing else that Hakam holds is hers: no email or IP, which it never stored
    assert READER.lower() not in response.get_data(as_text=True).lower()
    assert IP not in response.get_data(as_text=True)


def test_the_email_spelled_another_way_finds_the_same_reader(client, sites, readers):
    first = _export(client, sites["akhbar"]).get_json()
    for spelling in ("laila.haddad@example.com", "  LAILA.HADDAD@EXAMPLE.COM ",
                     "Laila.Haddad@EXAMPLE.com"):
        assert _export(client, sites["akhbar"], spelling).get_json() == first
        assert _export(client, sites["akhbar"], spelling).get_json()["comments"]


def test_each_site_exports_only_its_own_comments_of_the_reader(client, sites, readers):
    laila, _omar = readers
    on_jarida = _export(client, sites["jarida"]).get_json()
    assert [c["id"] for c in on_jarida["comments"]] == [laila["on_jarida"]]
    assert on_jarida["comments"][0]["labels"][0]["source"] == "site"


def test_an_unknown_reader_has_nothing_to_export(client, sites, readers):
    response = _export(client, sites["akhbar"], "nobody@example.org")
    assert response.status_code == 200
    assert response.get_json() == {"site": "akhbar", "comments": [], "labels": []}


# -- erasure --------------------------------------------------------------------------------


def test_erasure_leaves_nothing_of_the_reader_on_that_site_anywhere_in_redis(
        client, store, sites, readers):
    laila, _omar = readers
    erased_ids = [laila[k] for k in ("published", "rejected", "approved", "held")]
    erased_texts = [store.get_comment(i)["text"] for i in erased_ids]
    markers = _traces(store, erased_texts, erased_ids)
    # before: all of it is there (her email and IP never are, only their keyed hashes)
    assert set(_found(store, markers)) >= {*erased_ids, *erased_texts, READER_NAME,
                                           READER_SITE, store.private_key(READER),
                                           store.private_key(IP)}

    response = _erase(client, sites["akhbar"])

    assert response.status_code == 200
    assert response.get_json() == {"erased": 4, "labels": 4}
    left = _found(store, markers)
    # the same name and website are still on jarida, where she was not erased
    assert set(left) <= {READER_NAME, store.private_key(READER)}
    stored = everything_stored(store.r)
    for line in stored.splitlines():
        if READER_NAME in line or store.private_key(READER) in line:
            assert line.startswith("hakam:{jarida}:"), line


def test_erased_comments_are_gone_from_the_api_the_queue_and_the_leases(
        client, store, sites, readers, moderator_headers):
    laila, omar = readers
    _erase(client, sites["akhbar"])

    for comment_id in (laila["published"], laila["held"], laila["rejected"]):
        assert client.get(f"/v1/comments/{comment_id}",
                          headers=sites["akhbar"]).status_code == 404
        assert client.post(f"/v1/comments/{comment_id}/feedback", headers=sites["akhbar"],
                           json={"label": "spam"}).status_code == 404
    assert store.queue(site="akhbar") == []
    assert store.r.zcard(keys.leases("akhbar")) == 0
    decided = client.post(f"/v1/review/{laila['held']}/decision", headers=moderator_headers,
                          json={"decision": "approve"})
    assert decided.status_code == 404
    assert store.claim("salma", site="akhbar") == []
    # counts are what is stored: Omar's two approved comments
    assert store.counts("akhbar") == {"pending": 0, "approved": 2, "spam": 0, "rejected": 0}
    assert store.get_comment(omar["held"])["status"] == "approved"


def test_erasure_keeps_other_readers_and_the_same_reader_on_another_site(
        client, store, sites, readers):
    laila, omar = readers
    _erase(client, sites["akhbar"])

    assert [c["id"] for c in _export(client, sites["akhbar"], OTHER).get_json()["comments"]] \
        == [omar["held"], omar["published"]]
    assert [c["id"] for c in _export(client, sites["jarida"]).get_json()["comments"]] == [
        laila["on_jarida"]]
    texts = {(label["site"], label["text"]) for label in store.labels()}
    assert texts == {("akhbar", "رد سيء من عمر على المقال"),
                     ("akhbar", "عمر يشكر الكاتب على المتابعة"),
                     ("jarida", "تقرير جيد عن السوق القديم")}
    assert store.approved_before("jarida", store.private_key(READER))
    assert not store.approved_before("akhbar", store.private_key(READER))
    assert store.approved_before("akhbar", store.private_key(OTHER))


def test_the_audit_keeps_who_decided_what_and_when_but_not_the_comment(
        client, store, sites, readers):
    laila, omar = readers
    before = {record["comment_id"]: record for record in store.audit(site="akhbar")}
    _erase(client, sites["akhbar"])

    after = store.audit(site="akhbar")
    assert [(r["decision"], r["moderator"], r["at"]) for r in after] == [
        (before[c]["decision"], "salma", before[c]["at"])
        for c in (omar["held"], laila["approved"], laila["rejected"])]
    erased = [r for r in after if r.get("erased")]
    assert [(r["comment_id"], r["reason"], r["scores"]) for r in erased] == [
        (None, "", None), (None, "", None)]
    assert after[0]["comment_id"] == omar["held"] and after[0]["reason"] == "مقبول"


def test_pending_webhook_deliveries_of_the_erased_comments_are_dropped(
        client, store, sites, readers):
    laila, omar = readers
    _erase(client, sites["akhbar"])

    due = store.r.zrange(keys.webhook_due("akhbar"), 0, -1)
    bodies = [json.loads(store.r.hget(keys.webhook_delivery("akhbar", d), "body")) for d in due]
    assert [b["comment_id"] for b in bodies] == [omar["held"]]
    assert store.dead_deliveries() == []
    assert store.take_delivery()["id"] == due[0]


def test_a_delivery_failing_after_its_comment_was_erased_stays_gone(
        client, store, sites, readers):
    laila, _omar = readers
    delivery = store.take_delivery()  # taken for an attempt, erased meanwhile
    _erase(client, sites["akhbar"])
    _erase(client, sites["akhbar"], OTHER)

    store.delivery_failed(delivery, retry_at=0, error="timed out")

    assert store.take_delivery() is None
    assert not store.r.exists(delivery["key"])


def test_idempotency_and_duplicate_markers_go_with_the_comment(client, store, sites):
    first = _with_idempotency_key(client, store, sites)
    _erase(client, sites["akhbar"])

    assert _found(store, [first, "تعليق بمفتاح تكرار آمن"]) == []
    # the same key and text are new again: neither replayed nor refused as a duplicate
    again = _with_idempotency_key(client, store, sites)
    assert again != first


def test_erasing_twice_is_harmless(client, store, sites, readers):
    _erase(client, sites["akhbar"])
    stored = everything_stored(store.r)

    response = _erase(client, sites["akhbar"])

    assert response.status_code == 200
    assert response.get_json() == {"erased": 0, "labels": 0}
    assert everything_stored(store.r) == stored


def test_a_moderator_token_is_not_a_site_key(client, store, sites, readers, moderator_headers):
    for route in ("/v1/readers/export", "/v1/readers/erase"):
        response = client.post(route, headers=moderator_headers, json={"email": READER})
        assert response.status_code == 401
        assert client.post(route, json={"email": READER}).status_code == 401
    assert len(_export(client, sites["akhbar"]).get_json()["comments"]) == 4


@pytest.mark.parametrize("body, language, status, expected", [
    ({}, "ar", 422, {"email": ["من فضلك أدخل بريدك الإلكتروني."]}),
    ({"email": "   "}, "en", 422, {"email": ["Please enter your email address."]}),
    ({"email": "laila"}, "en", 422, {"email": ["Please enter a valid email address."]}),
    ({"email": 7}, "en", 422, None),
    ("laila@example.com", "en", 400, None),
])
def test_a_bad_request_is_refused_clearly_and_erases_nothing(client, store, sites, readers,
                                                              body, language, status, expected):
    response = client.post("/v1/readers/erase", json=body,
                           headers={**sites["akhbar"], "Accept-Language": language})
    assert response.status_code == status
    if expected is not None:
        assert response.get_json()["errors"] == expected
    assert len(_export(client, sites["akhbar"]).get_json()["comments"]) == 4


def test_no_email_or_ip_reaches_a_log_line_or_an_answer(client, store, sites, readers, caplog):
    with caplog.at_level(logging.DEBUG):
        answers = [_export(client, sites["akhbar"]), _erase(client, sites["akhbar"]),
                   _erase(client, sites["akhbar"], "not an email")]
    said = caplog.text.lower() + " ".join(a.get_data(as_text=True) for a in answers).lower()
    assert "reader erasure site=akhbar comments=4" in caplog.text
    assert READER.lower() not in said
    assert "laila.haddad@" not in said and "example.com" not in said
    assert IP not in said


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def hakam(redis_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from hakam.service.cli import main

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def _everything_of(client, sites, email=READER) -> dict[str, list[str]]:
    return {name: [c["id"] for c in _export(client, headers, email).get_json()["comments"]]
            for name, headers in sites.items()}


def test_readers_erase_without_a_site_erases_the_reader_everywhere(hakam, client, sites,
                                                                   readers):
    laila, omar = readers
    result = hakam("readers", "erase", READER.upper(), "--yes")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "akhbar\terased 4 comments, 4 labels, 2 webhook deliveries; 2 audit entries no longer "
        "name a comment",
        "jarida\terased 1 comment, 1 label, 0 webhook deliveries; 0 audit entries no longer "
        "name a comment"]
    assert _everything_of(client, sites) == {"akhbar": [], "jarida": []}
    assert _everything_of(client, sites, OTHER)["akhbar"] == [omar["held"], omar["published"]]
    assert READER.lower() not in result.output.lower()


def test_readers_erase_asks_first_and_a_no_erases_nothing(hakam, client, sites, readers):
    before = _everything_of(client, sites)
    refused = hakam("readers", "erase", READER, input="n\n")

    assert refused.exit_code == 1
    assert "4 on 'akhbar', 1 on 'jarida'" in refused.stderr
    assert _everything_of(client, sites) == before

    agreed = hakam("readers", "erase", READER, input="y\n")
    assert agreed.exit_code == 0
    assert _everything_of(client, sites) == {"akhbar": [], "jarida": []}


def test_readers_erase_on_one_site_keeps_the_others_and_running_it_again_is_harmless(
        hakam, client, sites, readers):
    laila, _omar = readers
    first = hakam("readers", "erase", READER, "--site", "jarida", "--yes")
    again = hakam("readers", "erase", READER, "--site", "jarida", "--yes")

    assert first.stdout.startswith("jarida\terased 1 comment, 1 label")
    assert again.exit_code == 0
    assert again.stdout == ("jarida\terased 0 comments, 0 labels, 0 webhook deliveries; "
                            "0 audit entries no longer name a comment\n")
    assert _everything_of(client, sites) == {
        "akhbar": [laila[k] for k in ("published", "rejected", "approved", "held")],
        "jarida": []}


def test_readers_export_prints_what_the_api_exports_for_every_site(hakam, client, sites,
                                                                   readers):
    result = hakam("readers", "export", " laila.haddad@EXAMPLE.com")

    assert result.exit_code == 0
    printed = json.loads(result.stdout)["sites"]
    assert printed == {name: {key: _export(client, headers).get_json()[key]
                              for key in ("comments", "labels")}
                       for name, headers in sites.items()}
    assert "5 comments of this reader on 2 sites" in result.stderr
    one = json.loads(hakam("readers", "export", READER, "--site", "jarida").stdout)
    assert list(one["sites"]) == ["jarida"]


@pytest.mark.parametrize("args, complaint", [
    (("readers", "erase", READER, "--site", "nosuch", "--yes"), "no site named 'nosuch'"),
    (("readers", "export", "laila-at-example"), "not an email address"),
])
def test_readers_commands_refuse_what_they_cannot_do(hakam, client, sites, readers, args,
                                                     complaint):
    result = hakam(*args)
    assert result.exit_code != 0
    assert complaint in result.stderr
    assert len(_everything_of(client, sites)["akhbar"]) == 4


def test_after_erasure_the_label_export_holds_none_of_the_erased_texts(hakam, client, store,
                                                                       sites, readers):
    laila, _omar = readers
    erased = [store.get_comment(laila[k])["text"] for k in ("published", "rejected",
                                                               "approved")]
    before = [json.loads(line)["text"] for line in hakam("labels", "export").stdout.split("\n")
              if line]
    assert set(erased) <= set(before)

    hakam("readers", "erase", READER, "--site", "akhbar", "--yes")

    after = [json.loads(line)["text"] for line in hakam("labels", "export").stdout.split("\n")
             if line]
    assert not set(erased) & set(after)
    assert sorted(after) == sorted(t for t in before if t not in erased)


def test_intake_akismet_the_api_and_the_command_line_know_a_reader_by_one_key(
        hakam, client, store, sites):
    """Each way in spells the email its own way; all four file and find one reader."""
    key = sites["akhbar"]["Authorization"].removeprefix("Bearer ")
    with posted_long_ago(store):
        comment = _post(client, sites["akhbar"], "مقال رائع عن الزعفران البلدي",
                        email="Laila.Haddad@Example.COM")
    akismet = client.post("/1.1/submit-spam", data={
        "api_key": key, "blog": "https://akhbar.example", "user_ip": IP,
        "comment_content": "اربح جوائز الآن", "comment_author_email": " LAILA.HADDAD@example.com"})
    assert akismet.status_code == 200

    exported = _export(client, sites["akhbar"], "laila.haddad@EXAMPLE.com ").get_json()
    assert [c["id"] for c in exported["comments"]] == [comment]
    assert [label["text"] for label in exported["labels"]] == ["اربح جوائز الآن"]
    printed = json.loads(hakam("readers", "export", "LAILA.haddad@example.com").stdout)
    assert printed["sites"] == {"akhbar": {"comments": exported["comments"],
                                           "labels": exported["labels"]}}
