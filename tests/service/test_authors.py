"""The author behind a comment, as moderators see and restrict them, on a real Redis (single and
cluster): their record found through the reader index, premoderate / suspend / ban / lift with
their audit entries, a ban that decides their held comments, and what readers' export and
erasure do with all of it."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime

import pytest
import redis
from babel.dates import format_datetime
from click.testing import CliRunner

from hakam.service.cli import main
from hakam.service.policy import SitePolicy
from hakam.service.store import keys
from hakam.service.validation import SiteRules
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster

LAILA = "laila@example.com"


@pytest.fixture
def config(config):
    """One reader posts many comments here: WordPress's flood rule would stop the second."""
    return dataclasses.replace(config, flood_seconds=0)


@pytest.fixture
def post(client, site_headers, scorer):
    """POST a comment of the reader with `email`; "سيء" in it is held for abuse."""
    scorer.will_score("سيء", abuse=0.8)

    def send(text: str, email: str = LAILA, **fields) -> dict:
        body = a_comment(comment=text, email=email, author="ليلى", **fields)
        response = client.post("/v1/comments", json=body, headers=site_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return send


def act(client, headers, comment_id: str, **body):
    return client.post(f"/v1/review/{comment_id}/author/actions", json=body, headers=headers)


def test_the_record_counts_the_authors_comments_and_lists_the_last_ten(
        client, post, moderator_headers, store):
    long = "عن الانتخابات في المدينة اليوم وغدا وبعد غد وفي الأسبوع المقبل أيضا"
    mine = [post(f"تعليق رقم {i} {long}") for i in range(11)]
    held = post("تعليق سيء جدا")
    post("تعليق قارئ آخر", email="other@example.com")
    assert all(comment["status"] == "approved" for comment in mine)

    response = client.get(f"/v1/review/{held['id']}/author", headers=moderator_headers)

    assert response.status_code == 200
    record = response.get_json()
    assert record["counts"] == {"pending": 1, "approved": 11, "rejected": 0, "spam": 0}
    assert record["total"] == 12
    assert len(record["recent"]) == 10
    newest = record["recent"][0]
    assert newest["id"] == held["id"] and newest["this_comment"] is True
    assert newest["status"] == "pending" and newest["hold_reason"] == "abuse_score"
    assert newest["first_words"] == "تعليق سيء جدا"
    assert record["recent"][1]["first_words"].startswith("تعليق رقم 10 عن الانتخابات")
    assert record["recent"][1]["first_words"].endswith("…")
    assert record["restriction"] is None and record["actions"] == []
    assert LAILA not in response.get_data(as_text=True)


def test_a_comment_without_an_email_has_no_author_record(client, store, post,
                                                         moderator_headers):
    store.configure_site("akhbar", rules=SiteRules(require_name_email=False))
    anonymous = post("تعليق سيء بلا بريد", email="")

    record = client.get(f"/v1/review/{anonymous['id']}/author",
                        headers={**moderator_headers, "Accept-Language": "ar"})
    action = act(client, moderator_headers, anonymous["id"], action="ban")

    assert record.status_code == 404 and action.status_code == 404
    assert record.get_json()["error"] == "no_author_record"
    assert "بريد" in record.get_json()["message"]


def test_the_author_routes_need_a_moderator(client, post, site_headers):
    held = post("تعليق سيء")
    assert client.get(f"/v1/review/{held['id']}/author").status_code == 401
    assert act(client, site_headers, held["id"], action="ban").status_code == 401


@pytest.mark.parametrize("body, field, lang, expected", [
    ({"action": "suspend"}, "days", "ar", "هذا الحقل مطلوب."),
    ({"action": "suspend"}, "days", "en", "This field is required."),
    ({"action": "lift", "days": 3}, "days", "en", "This field does not apply to this request."),
    ({"action": "premoderate", "decide_held": "spam"}, "decide_held", "en",
     "This field does not apply to this request."),
    ({"action": "mute"}, "action", "en", "Choose one of"),
    ({"action": "suspend", "days": 0}, "days", "en", "no smaller than 1"),
    ({"action": "ban", "days": 2.5}, "days", "en", "Enter a whole number."),
])
def test_an_action_that_does_not_hold_together_is_refused_field_by_field(
        client, post, moderator_headers, body, field, lang, expected):
    held = post("تعليق سيء")
    response = act(client, {**moderator_headers, "Accept-Language": lang}, held["id"], **body)
    assert response.status_code == 422
    assert expected in " ".join(response.get_json()["errors"][field])


def test_each_action_is_an_audit_entry_and_shows_on_the_record(client, post,
                                                               moderator_headers):
    held = post("تعليق سيء")

    suspended = act(client, moderator_headers, held["id"], action="suspend", days=7,
                    reason="شتائم متكررة")
    lifted = act(client, moderator_headers, held["id"], action="lift")
    again = act(client, moderator_headers, held["id"], action="lift")

    assert suspended.status_code == 200
    answer = suspended.get_json()
    assert answer["restriction"]["kind"] == "suspended"
    assert answer["until"] == pytest.approx(answer["at"] + 7 * 86400)
    assert lifted.status_code == 200 and lifted.get_json()["restriction"] is None
    assert lifted.get_json()["previous"]["kind"] == "suspended"
    assert again.status_code == 409 and again.get_json()["error"] == "nothing_to_lift"
    audit = client.get("/v1/review/audit", headers=moderator_headers).get_json()["decisions"]
    assert [(e["action"], e["moderator"], e["reason"], e["comment_id"]) for e in audit] == [
        ("lift", "salma", "", held["id"]), ("suspend", "salma", "شتائم متكررة", held["id"])]
    record = client.get(f"/v1/review/{held['id']}/author", headers=moderator_headers).get_json()
    assert record["restriction"] is None
    assert [a["action"] for a in record["actions"]] == ["lift", "suspend"]


def test_a_ban_can_decide_every_held_comment_of_the_author_each_on_its_own(
        client, store, post, moderator_headers):
    store.configure_site("akhbar", webhook_url="http://127.0.0.1:9/hook")
    held = [post(f"تعليق سيء رقم {i}") for i in range(3)]
    published = post("تعليق لطيف")
    other = post("تعليق سيء من غيرها", email="other@example.com")

    response = act(client, moderator_headers, held[0]["id"], action="ban", decide_held="spam",
                   reason="حملة")

    assert response.status_code == 200
    outcome = response.get_json()["held"]
    assert sorted(outcome["decided"]) == sorted(c["id"] for c in held)
    assert outcome["skipped"] == []
    for comment in held:
        assert store.get_comment(comment["id"])["status"] == "spam"
    assert store.get_comment(published["id"])["status"] == "approved"
    assert store.get_comment(other["id"])["status"] == "pending"
    audit = client.get("/v1/review/audit", headers=moderator_headers).get_json()["decisions"]
    assert sorted(e.get("decision") or e["action"] for e in audit) == ["ban", "spam", "spam",
                                                                       "spam"]
    labels = store.site_labels("akhbar")
    assert len([label for label in labels if label["task"] == "spam"]) == 3
    assert store.r.zcard(keys.webhook_due("akhbar")) == 3
    queue = client.get("/v1/review/queue", headers=moderator_headers).get_json()
    assert [c["id"] for c in queue["comments"]] == [other["id"]]


def _metric(text: str, line: str) -> float:
    return float(text.split(line)[1].split()[0]) if line in text else 0.0


def test_a_bans_decisions_count_in_metrics_as_any_moderators_decision_does(
        client, post, moderator_headers):
    """The decisions a ban makes on held comments are moderators' decisions: counted by status
    and with their wait in the queue-health histogram, as the decision route counts them."""
    held = [post(f"تعليق سيء رقم {i}") for i in range(2)]
    waits = 'hakam_decision_latency_seconds_count{site="akhbar"}'
    spam = 'hakam_decisions_total{source="moderator",status="spam"}'
    before = client.get("/metrics").text

    response = act(client, moderator_headers, held[0]["id"], action="ban", decide_held="spam")

    assert sorted(response.get_json()["held"]["decided"]) == sorted(c["id"] for c in held)
    after = client.get("/metrics").text
    assert _metric(after, waits) == _metric(before, waits) + 2
    assert _metric(after, spam) == _metric(before, spam) + 2


def test_a_ban_leaves_a_comment_another_moderator_holds(client, store, post,
                                                       moderator_headers):
    first, second = post("تعليق سيء أول"), post("تعليق سيء ثان")
    store.claim("huda", limit=1, site="akhbar")  # huda leases the oldest

    response = act(client, moderator_headers, second["id"], action="ban", decide_held="reject")

    held = response.get_json()["held"]
    assert held["decided"] == [second["id"]]
    assert held["skipped"] == [{"id": first["id"], "error": "claimed_by_other"}]
    assert store.get_comment(first["id"])["status"] == "pending"


def test_the_readers_export_lists_the_actions_on_them(client, post, site_headers,
                                                     moderator_headers):
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="premoderate", reason="تحت المراقبة")
    act(client, moderator_headers, held["id"], action="ban", days=30)

    export = client.post("/v1/readers/export", json={"email": LAILA.upper()},
                         headers=site_headers).get_json()

    assert [(a["action"], a["by"], a["reason"]) for a in export["moderator_actions"]] == [
        ("premoderate", "salma", "تحت المراقبة"), ("ban", "salma", "")]
    assert export["restriction"]["kind"] == "banned"
    assert export["restriction"]["until"] == pytest.approx(
        export["moderator_actions"][1]["at"] + 30 * 86400)


def test_erasure_keeps_of_a_ban_in_force_only_its_kind_and_end_date(
        client, store, post, site_headers, moderator_headers):
    held = post("تعليق سيء")
    author_key = store.private_key(LAILA)
    act(client, moderator_headers, held["id"], action="ban", days=30, reason="شتائم")

    erased = client.post("/v1/readers/erase", json={"email": LAILA}, headers=site_headers)

    assert erased.status_code == 200
    kept = store.r.hgetall(keys.author("akhbar", author_key))
    assert set(kept) == {"restriction", "until"} and kept["restriction"] == "banned"
    audit = client.get("/v1/review/audit", headers=moderator_headers).get_json()["decisions"]
    assert audit == [{"comment_id": None, "site": "akhbar", "action": "ban",
                      "moderator": "salma", "reason": "", "at": audit[0]["at"],
                      "until": audit[0]["until"], "erased": True}]
    export = client.post("/v1/readers/export", json={"email": LAILA},
                         headers=site_headers).get_json()
    # the reader's own actions are gone; the ban in force is still theirs to see
    assert export["comments"] == [] and export["moderator_actions"] == []
    assert export["restriction"]["kind"] == "banned"


def test_erasure_keeps_nothing_of_a_lifted_restriction(client, store, post, site_headers,
                                                       moderator_headers):
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="suspend", days=3)
    act(client, moderator_headers, held["id"], action="lift")

    client.post("/v1/readers/erase", json={"email": LAILA}, headers=site_headers)

    assert store.r.exists(keys.author("akhbar", store.private_key(LAILA))) == 0


# -- intake ---------------------------------------------------------------------------------


def test_a_banned_author_is_refused_in_their_language_and_nothing_is_kept(
        client, store, post, site_headers, moderator_headers):
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="ban")
    counts = store.counts("akhbar")

    refused = client.post("/v1/comments", json=a_comment(email=LAILA, author="ليلى"),
                          headers={**site_headers, "Accept-Language": "ar"})
    english = client.post("/v1/comments", json=a_comment(email=LAILA.upper()),
                          headers={**site_headers, "Accept-Language": "en"})
    other = post("تعليق قارئ آخر", email="other@example.com")

    assert refused.status_code == 403
    assert refused.get_json() == {"error": "author_banned", "until": None,
                                  "message": "أنت محظور من التعليق على هذا الموقع."}
    assert english.get_json()["message"] == "You are banned from commenting on this site."
    assert other["status"] == "approved"
    assert store.counts("akhbar") == {**counts, "approved": counts["approved"] + 1}
    assert store.reader_comment_count("akhbar", store.private_key(LAILA)) == 1


def test_a_suspended_author_is_told_the_end_date_in_their_language(
        client, store, post, site_headers, moderator_headers):
    held = post("تعليق سيء")
    until = act(client, moderator_headers, held["id"], action="suspend",
                days=3).get_json()["until"]
    moment = datetime.fromtimestamp(until, tz=UTC)

    arabic = client.post("/v1/comments", json=a_comment(email=LAILA),
                         headers={**site_headers, "Accept-Language": "ar"})
    english = client.post("/v1/comments", json=a_comment(email=LAILA),
                          headers={**site_headers, "Accept-Language": "en"})

    assert arabic.status_code == english.status_code == 403
    assert arabic.get_json()["error"] == "author_suspended"
    assert arabic.get_json()["until"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert arabic.get_json()["message"] == (
        "تعليقاتك على هذا الموقع موقوفة حتى "
        f"{format_datetime(moment, 'long', tzinfo=UTC, locale='ar')}.")
    assert english.get_json()["message"] == (
        "Your comments on this site are suspended until "
        f"{format_datetime(moment, 'long', tzinfo=UTC, locale='en')}.")


def test_a_suspension_that_has_ended_lets_the_author_comment_again(
        client, store, post, moderator_headers):
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="suspend", days=1)
    store.r.hset(keys.author("akhbar", store.private_key(LAILA)), "until", time.time() - 1)

    assert post("عدت بعد الإيقاف")["status"] == "approved"


def test_a_premoderated_author_is_held_with_its_reason_until_lifted(
        client, store, post, moderator_headers, site_headers):
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="premoderate")

    kind = client.post("/v1/comments", json=a_comment(email=LAILA, comment="تعليق لطيف"),
                       headers={**site_headers, "Accept-Language": "ar"}).get_json()
    abusive = post("تعليق سيء آخر")
    act(client, moderator_headers, held["id"], action="lift")
    after = post("تعليق لطيف بعد رفع القيد")

    assert kind["status"] == "pending"
    assert kind["reasons"][0] == {"code": "author_premoderated", "spans": [],
                                  "message": "يحجز المشرفون كل تعليقات هذا الكاتب للمراجعة."}
    assert [r["code"] for r in kind["reasons"]] == ["author_premoderated"]
    assert [r["code"] for r in abusive["reasons"]][:2] == ["author_premoderated", "abuse_score"]
    assert store.get_comment(kind["id"])["reasons"][0]["code"] == "author_premoderated"
    assert after["status"] == "approved"


def test_an_author_whose_last_decided_comments_were_rejected_is_held(
        client, store, post, moderator_headers):
    store.configure_site("akhbar", policy=SitePolicy(hold_after_rejections=2))
    first, second = post("تعليق سيء أول"), post("تعليق سيء ثان")
    assert post("تعليق لطيف قبل القرار")["status"] == "approved"  # nothing decided yet
    store.decide(first["id"], "salma", "reject")
    # rejected, then approved: the streak starts again at the next rejection
    assert post("تعليق لطيف بعد رفض واحد")["status"] == "approved"
    third = post("تعليق سيء ثالث")
    store.decide(third["id"], "salma", "reject")
    store.decide(second["id"], "salma", "spam")

    held = post("تعليق لطيف بعد رفضين")
    store.decide(held["id"], "salma", "approve")
    after = post("تعليق لطيف بعد قبول")

    assert held["status"] == "pending"
    assert held["reasons"][0]["code"] == "author_history"
    assert after["status"] == "approved"
    record = client.get(f"/v1/review/{first['id']}/author", headers=moderator_headers)
    assert record.get_json()["rejected_in_a_row"] == 0


def test_the_author_check_adds_no_round_trip_to_intake(client, store, post, site_headers,
                                                       moderator_headers, monkeypatch):
    """A ban or suspension is read inside intake's one script: a comment whose author has a
    record (with an email) costs as many Redis round trips as one without (no email)."""
    store.configure_site("akhbar", policy=SitePolicy(hold_after_rejections=3),
                         rules=SiteRules(require_name_email=False))
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="suspend", days=1)
    sent = []
    real_send = redis.connection.AbstractConnection.send_packed_command

    def counted(connection, command, check_health=True):
        sent.append(command)
        return real_send(connection, command, check_health)

    def round_trips(body: dict) -> int:
        sent.clear()
        response = client.post("/v1/comments", json=body, headers=site_headers)
        assert response.status_code == 201
        return len(sent)

    client.post("/v1/comments", json=a_comment(), headers=site_headers)  # the site is cached
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    with_record = round_trips(a_comment(email="other@example.com"))
    without = round_trips(a_comment(email=""))

    assert with_record == without == 1


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def hakam(redis_url, monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))
    return lambda *args: CliRunner().invoke(main, list(args))


def test_hakam_authors_acts_as_the_api_does_and_prints_its_answer(hakam, client, post,
                                                                  site_headers):
    held = post("تعليق سيء")

    suspended = hakam("authors", "suspend", "akhbar", held["id"], "--days", "2",
                      "--reason", "شتائم", "--by", "huda")
    refused = client.post("/v1/comments", json=a_comment(email=LAILA), headers=site_headers)
    lifted = hakam("authors", "lift", "akhbar", held["id"])
    again = hakam("authors", "lift", "akhbar", held["id"])

    assert suspended.exit_code == 0, suspended.output
    answer = json.loads(suspended.stdout)
    assert (answer["action"], answer["moderator"], answer["reason"]) == ("suspend", "huda",
                                                                         "شتائم")
    assert answer["until"] == pytest.approx(answer["at"] + 2 * 86400)
    assert refused.status_code == 403 and refused.get_json()["error"] == "author_suspended"
    assert lifted.exit_code == 0
    assert json.loads(lifted.stdout)["moderator"].startswith("cli:")
    assert again.exit_code == 1 and "nothing_to_lift" in again.output
    assert post("عدت")["status"] == "approved"


@pytest.mark.parametrize("args, complaint", [
    (("suspend", "akhbar", "{id}"), "--days"),
    (("lift", "akhbar", "{id}", "--days", "3"), "no number of days"),
    (("premoderate", "akhbar", "{id}", "--decide-held", "spam"), "only with ban"),
    (("ban", "jarida", "{id}"), "no site named 'jarida'"),
    (("ban", "akhbar", "no-such-comment"), "unknown_comment"),
])
def test_hakam_authors_says_what_is_wrong_in_one_line(hakam, post, args, complaint):
    held = post("تعليق سيء")
    result = hakam("authors", *(arg.format(id=held["id"]) for arg in args))
    assert result.exit_code != 0 and complaint in result.output
    assert "Traceback" not in result.output


def test_sites_configure_sets_hold_after_rejections(hakam, store, site_key):
    result = hakam("sites", "configure", "akhbar", "--hold-after-rejections", "3")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["policy"]["hold_after_rejections"] == 3
    assert store.get_site("akhbar").policy.hold_after_rejections == 3


def test_retention_keeps_of_a_ban_in_force_only_its_kind_and_end_date(client, store, post,
                                                                     moderator_headers):
    held = post("تعليق سيء")
    store.decide(held["id"], "salma", "reject")  # decided: retention applies to it
    act(client, moderator_headers, held["id"], action="ban", days=400, reason="شتائم")
    other = post("تعليق سيء من قارئ آخر", email="other@example.com")
    store.decide(other["id"], "salma", "spam")

    assert store.sweep_retention("akhbar", 30, now=time.time() + 31 * 86400) == 2

    kept = store.r.hgetall(keys.author("akhbar", store.private_key(LAILA)))
    assert set(kept) == {"restriction", "until"} and kept["restriction"] == "banned"
    assert store.r.exists(keys.author("akhbar", store.private_key("other@example.com"))) == 0


def test_a_banned_author_is_refused_not_nudged_on_a_site_that_nudges(client, store, post,
                                                                    site_headers,
                                                                    moderator_headers):
    held = post("تعليق سيء")
    act(client, moderator_headers, held["id"], action="ban", days=5)
    store.configure_site("akhbar", policy=SitePolicy(nudge=True))

    abusive = client.post("/v1/comments", json=a_comment(email=LAILA, comment="تعليق سيء آخر"),
                          headers=site_headers)
    other = client.post("/v1/comments", json=a_comment(comment="تعليق سيء من غيرها"),
                        headers=site_headers)

    assert abusive.status_code == 403 and abusive.get_json()["error"] == "author_banned"
    assert abusive.get_json()["until"] is not None
    assert other.status_code == 422 and other.get_json()["code"] == "nudge"
    assert store.r.zcard(keys.nudges("akhbar")) == 1  # hers was never filed
