"""The nudge (`hakam sites configure SITE --nudge`): a comment about to be held for abuse alone
is answered 422 `nudge`, nothing stored, until it is sent again with its token."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from redis.cluster import RedisCluster

from hakam.service import nudge
from hakam.service.nudge_sweep import AbandonedNudges
from hakam.service.policy import SitePolicy
from hakam.service.store.connection import DirectScript
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster

INSULT = "يا حمار انت ما تفهم شي"


@pytest.fixture
def nudging_site(store, scorer):
    """A site with the nudge on, named afresh per test: the metrics counters are the process's
    and outlive a test."""
    name = f"nudged-{uuid.uuid4().hex[:8]}"
    api_key, _secret = store.create_site(name, language="ar")
    store.configure_site(name, policy=SitePolicy(nudge=True))
    scorer.will_score("حمار", abuse=0.97)
    scorer.will_score("غبي", abuse=0.80)
    scorer.will_score("رابط", spam=0.97)
    return name, {"Authorization": f"Bearer {api_key}"}


def every_key(store) -> list[str]:
    if isinstance(store.r, RedisCluster):
        return list(store.r.scan_iter(target_nodes=RedisCluster.PRIMARIES))
    return list(store.r.scan_iter())


def nudges(client, site: str, outcome: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    found = re.search(
        rf'hakam_nudges_total\{{(?=[^}}]*outcome="{outcome}")(?=[^}}]*site="{site}")[^}}]*\}} '
        r"([0-9.e+]+)", text)
    return float(found.group(1)) if found else 0.0


def test_an_insult_is_nudged_in_arabic_with_its_words_and_nothing_is_stored(
        client, store, nudging_site):
    site, headers = nudging_site
    store.private_key("made first")  # the installation's pepper: once, whatever comes first
    keys_before = set(every_key(store))

    response = client.post("/v1/comments", json=a_comment(comment=INSULT), headers=headers)

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "nudge"
    assert "مشرف" in body["message"]  # in the site's language: Arabic
    assert [INSULT[start:end] for start, end in body["spans"]] == ["حمار"]
    assert body["nudge_token"]
    assert body["errors"] == {"comment": [body["message"]]}
    assert "scores" not in body
    # nothing about the comment: no comment, no reader, no flood or duplicate marker; only
    # the open nudge, named by its token's nonce
    added = set(every_key(store)) - keys_before
    assert added == {f"hakam:{{{site}}}:nudges"}
    assert store.queue_depth(site) == 0
    assert nudges(client, site, "shown") == 1


def test_the_nudge_speaks_english_to_an_english_reader(client, nudging_site):
    _site, headers = nudging_site
    response = client.post("/v1/comments", json=a_comment(comment="you stupid حمار"),
                           headers={**headers, "Accept-Language": "en"})

    assert response.get_json()["message"].startswith("Your comment may hurt other readers.")


def test_posted_anyway_the_comment_is_held_and_counted(client, store, nudging_site):
    site, headers = nudging_site
    comment = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=comment, headers=headers).get_json()["nudge_token"]

    again = client.post("/v1/comments", json={**comment, "nudge_token": token}, headers=headers)

    assert again.status_code == 201
    assert again.get_json()["status"] == "pending"
    assert store.queue_depth(site) == 1
    assert nudges(client, site, "posted_anyway") == 1
    assert nudges(client, site, "edited") == 0
    assert store.r.zcard(f"hakam:{{{site}}}:nudges") == 0


def test_edited_to_a_milder_word_it_is_counted_edited_and_held_if_still_over(
        client, store, nudging_site):
    site, headers = nudging_site
    comment = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=comment, headers=headers).get_json()["nudge_token"]

    edited = client.post("/v1/comments", headers=headers, json={
        **comment, "comment": "انت غبي ما تفهم شي", "nudge_token": token})

    assert edited.status_code == 201
    assert edited.get_json()["status"] == "pending"  # 0.80 is still over the threshold
    assert nudges(client, site, "edited") == 1
    assert nudges(client, site, "posted_anyway") == 0


def test_edited_into_a_civil_comment_it_is_published(client, nudging_site):
    site, headers = nudging_site
    comment = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=comment, headers=headers).get_json()["nudge_token"]

    civil = client.post("/v1/comments", headers=headers, json={
        **comment, "comment": "لا أتفق معك في هذا الرأي", "nudge_token": token})

    assert civil.get_json()["status"] == "approved"
    assert nudges(client, site, "edited") == 1


def test_a_token_sent_twice_counts_once(client, nudging_site):
    site, headers = nudging_site
    comment = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=comment, headers=headers).get_json()["nudge_token"]
    client.post("/v1/comments", json={**comment, "nudge_token": token}, headers=headers)

    other = a_comment(comment="يا حمار مرة ثانية")
    second = client.post("/v1/comments", json={**other, "nudge_token": token}, headers=headers)

    assert second.status_code == 201  # a valid token is taken as usual
    assert nudges(client, site, "posted_anyway") == 1


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "not-a-token",
    lambda token: "",
])
def test_a_forged_or_blank_token_is_no_token(client, store, nudging_site, forge):
    site, headers = nudging_site
    comment = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=comment, headers=headers).get_json()["nudge_token"]

    again = client.post("/v1/comments", json={**comment, "nudge_token": forge(token)},
                        headers=headers)

    assert again.status_code == 422 and again.get_json()["code"] == "nudge"
    assert store.queue_depth(site) == 0


def test_another_sites_token_is_no_token(client, store, nudging_site):
    _site, headers = nudging_site
    other_key, _ = store.create_site("other", language="ar")
    store.configure_site("other", policy=SitePolicy(nudge=True))
    other_headers = {"Authorization": f"Bearer {other_key}"}
    comment = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=comment, headers=headers).get_json()["nudge_token"]

    elsewhere = client.post("/v1/comments", json={**comment, "nudge_token": token},
                            headers=other_headers)

    assert elsewhere.get_json()["code"] == "nudge"


def test_spam_and_rule_holds_are_never_nudged(client, store, nudging_site):
    site, headers = nudging_site
    spam = client.post("/v1/comments", json=a_comment(comment="رابط رخيص"), headers=headers)
    assert spam.status_code == 201 and spam.get_json()["status"] == "spam"

    store.configure_site(site, policy=SitePolicy(nudge=True, moderation_words=("انتخابات",)))
    ruled = client.post("/v1/comments", headers=headers,
                        json=a_comment(comment="يا حمار الانتخابات مزورة"))
    assert ruled.status_code == 201 and ruled.get_json()["status"] == "pending"

    store.configure_site(site, policy=SitePolicy(nudge=True, premoderation=True))
    held = client.post("/v1/comments", json=a_comment(comment=INSULT), headers=headers)
    assert held.status_code == 201 and held.get_json()["status"] == "pending"
    assert nudges(client, site, "shown") == 0


@pytest.mark.parametrize("encode", ["json", "form"])
def test_a_client_that_cannot_show_a_nudge_says_so_and_the_comment_is_taken(
        client, store, nudging_site, encode):
    site, headers = nudging_site
    comment = a_comment(comment=INSULT, nudge=False if encode == "json" else "0")
    if encode == "json":
        answer = client.post("/v1/comments", json=comment, headers=headers)
    else:
        answer = client.post("/v1/comments", data=comment, headers=headers)

    assert answer.status_code == 201 and answer.get_json()["status"] == "pending"
    assert nudges(client, site, "shown") == 0


def test_without_the_setting_an_insult_is_held_at_once(client, store, site_headers, scorer):
    scorer.will_score("حمار", abuse=0.97)
    response = client.post("/v1/comments", json=a_comment(comment=INSULT), headers=site_headers)

    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"


def test_a_nudge_sets_no_flood_marker(client, nudging_site):
    _site, headers = nudging_site
    comment = a_comment(comment=INSULT)
    client.post("/v1/comments", json=comment, headers=headers)

    # the same author and IP, at once: no 429, since the nudge stored nothing
    civil = client.post("/v1/comments", headers=headers,
                        json={**comment, "comment": "رأي مخالف بكل احترام"})
    assert civil.status_code == 201


def test_unanswered_nudges_are_counted_abandoned_after_an_hour(client, store, nudging_site):
    site, headers = nudging_site
    for _ in range(3):
        client.post("/v1/comments", json=a_comment(comment=INSULT), headers=headers)
    answered = a_comment(comment=INSULT)
    token = client.post("/v1/comments", json=answered, headers=headers).get_json()["nudge_token"]
    client.post("/v1/comments", json={**answered, "nudge_token": token}, headers=headers)

    sweeper = AbandonedNudges(store, clock=lambda: time.time() + nudge.NUDGE_SECONDS + 1)
    assert AbandonedNudges(store).run_if_due() == 0  # none is an hour old yet
    assert sweeper.run_if_due() == 3
    assert sweeper.run_if_due() == 0  # not due again for a minute, and nothing left anyway
    assert nudges(client, site, "abandoned") == 3
    assert nudges(client, site, "shown") == 4
    assert nudges(client, site, "posted_anyway") == 1


def test_an_expired_token_is_no_token():
    key = b"k" * 32
    token, parts = nudge.issue(key, "akhbar", 0.9, now=1000.0)

    assert nudge.verify(key, token, "akhbar", now=1000.0 + 60) == parts
    assert nudge.verify(key, token, "akhbar", now=1000.0 + nudge.NUDGE_SECONDS + 1) is None
    assert nudge.verify(b"x" * 32, token, "akhbar", now=1000.0) is None


def test_a_nudged_post_costs_the_round_trips_a_stored_one_does(client, store, nudging_site,
                                                                 monkeypatch):
    """The nudge adds no Redis round trip: its one script call stands where intake's is."""
    _site, headers = nudging_site
    client.post("/v1/comments", json=a_comment(), headers=headers)  # warm: site, pepper
    calls: list[str] = []
    for cls, method in ((type(store.r), "execute_command"), (DirectScript, "run")):
        original = getattr(cls, method)

        def counting(self, *args, _original=original, _name=method, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, method, counting)

    def round_trips(body) -> int:
        calls.clear()
        client.post("/v1/comments", json=body, headers=headers)
        return len(calls)

    ordinary = round_trips(a_comment())
    nudged = round_trips(a_comment(comment=INSULT))
    assert ordinary == nudged == 1


def test_a_hold_on_an_abuse_attribute_is_nudged_with_its_words(client, store, nudging_site,
                                                                scorer):
    site, headers = nudging_site
    store.configure_site(site, policy=SitePolicy(nudge=True,
                                                 attribute_hold={"identity_attack": 0.5}))
    scorer.will_score("ارحلوا", identity_attack=0.62)
    text = "ارحلوا من هنا"

    nudged = client.post("/v1/comments", json=a_comment(comment=text), headers=headers)

    assert nudged.status_code == 422 and nudged.get_json()["code"] == "nudge"
    assert [text[start:end] for start, end in nudged.get_json()["spans"]] == ["ارحلوا"]
