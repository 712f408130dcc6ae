"""The `hakam` command as an operator uses it, against a throwaway Redis."""

from __future__ import annotations

import json
import time

import pytest
import redis
from click.testing import CliRunner

from hakam.service.cli import main
from hakam.service.store import Store, keys
from tests.factories import a_comment
from tests.redis_harness import ThrowawayRedis


@pytest.fixture
def hakam(redis_url, monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))

    def run(*args: str):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result

    return run


def test_sites_add_prints_only_the_key_and_the_key_works(hakam, client):
    result = hakam("sites", "add", "akhbar", "--webhook", "https://news.example/hook",
                   "--language", "ar")

    assert result.exit_code == 0
    key = result.stdout.strip()
    assert key.startswith("hk_site_") and "\n" not in key
    assert "webhook secret: hk_whsec_" in result.stderr
    response = client.post("/v1/comments", json=a_comment(),
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201


def test_keys_and_tokens_are_stored_only_as_hashes(hakam, redis_url):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    token = hakam("moderators", "add", "salma").stdout.strip()
    everything = " ".join(
        str(redis.Redis.from_url(redis_url, decode_responses=True).dump(k))
        for k in redis.Redis.from_url(redis_url, decode_responses=True).scan_iter("*"))
    assert key not in everything and token not in everything


def test_a_site_name_is_unique(hakam):
    hakam("sites", "add", "akhbar")
    again = hakam("sites", "add", "akhbar")
    assert again.exit_code != 0
    assert "already exists" in again.stderr


def test_a_site_whose_adding_was_cut_short_can_be_added_again(hakam, redis_url):
    # what an older `sites add` left when stopped between its writes: the name and no key
    stale = redis.Redis.from_url(redis_url, decode_responses=True)
    stale.sadd(keys.SITES, "akhbar")
    stale.hset(keys.site("akhbar"), "name", "akhbar")
    assert "akhbar" not in hakam("sites", "list").stdout

    added = hakam("sites", "add", "akhbar")

    assert added.exit_code == 0, added.stderr
    assert Store.from_url(redis_url).site_for_key(added.stdout.strip()).name == "akhbar"
    assert "akhbar" in hakam("sites", "list").stdout
    assert "already exists" in hakam("sites", "add", "akhbar").stderr


def test_sites_list_and_revoke(hakam, client):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    hakam("sites", "add", "sport", "--language", "en")
    assert [line.split("\t")[:3] for line in hakam("sites", "list").stdout.splitlines()] == [
        ["akhbar", "ar", "active"], ["sport", "en", "active"]]

    assert hakam("sites", "revoke", "akhbar").exit_code == 0
    assert "akhbar\tar\trevoked" in hakam("sites", "list").stdout
    response = client.post("/v1/comments", json=a_comment(),
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_sites_configure_turns_on_premoderation_and_word_lists(hakam, client):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    result = hakam("sites", "configure", "akhbar", "--premoderation",
                   "--disallowed-word", "كازينو", "--max-links", "1")
    settings = json.loads(result.stdout)
    assert settings["policy"]["premoderation"] is True
    assert settings["policy"]["disallowed_words"] == ["كازينو"]

    headers = {"Authorization": f"Bearer {key}"}
    held = client.post("/v1/comments", json=a_comment(), headers=headers).get_json()
    spam = client.post("/v1/comments", json=a_comment(comment="أفضل كـازينو"),
                       headers=headers).get_json()
    assert held["status"] == "pending"
    assert spam["status"] == "spam"


def test_sites_configure_holds_first_time_authors_on_request(hakam, client):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    settings = json.loads(hakam("sites", "configure", "akhbar", "--previously-approved").stdout)
    assert settings["policy"]["previously_approved"] is True

    answer = client.post("/v1/comments", json=a_comment(),
                         headers={"Authorization": f"Bearer {key}"}).get_json()
    assert answer["status"] == "pending"
    assert [r["code"] for r in answer["reasons"]] == ["first_comment"]


def test_sites_configure_turns_the_nudge_on_and_sets_the_report_threshold(hakam, client,
                                                                          scorer):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    scorer.will_score("حمار", abuse=0.97)
    before = client.post("/v1/comments", json=a_comment(comment="يا حمار"), headers=headers)
    assert before.status_code == 201  # off by default: held at once

    settings = json.loads(hakam("sites", "configure", "akhbar", "--nudge",
                                "--report-hold", "2").stdout)
    assert settings["policy"]["nudge"] is True and settings["policy"]["report_hold"] == 2
    nudged = client.post("/v1/comments", json=a_comment(comment="يا حمار"), headers=headers)
    assert nudged.status_code == 422 and nudged.get_json()["code"] == "nudge"
    published = client.post("/v1/comments", json=a_comment(), headers=headers).get_json()
    statuses = [client.post(f"/v1/comments/{published['id']}/reports", headers=headers,
                            json={"reason": "abuse", "reporter": who}).get_json()["status"]
                for who in ("a", "b")]
    assert statuses == ["approved", "pending"]
    assert hakam("sites", "configure", "akhbar", "--report-hold", "0").exit_code == 2

    settings = json.loads(hakam("sites", "configure", "akhbar", "--no-nudge").stdout)
    assert settings["policy"]["nudge"] is False


def test_sites_configure_holds_campaigns_from_n_authors_and_stops(hakam, client):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    settings = json.loads(hakam("sites", "configure", "akhbar", "--campaign-hold", "3").stdout)
    assert settings["policy"]["campaign_hold"] == 3
    text = "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع"
    statuses = [client.post("/v1/comments", json=a_comment(comment=text + "!" * n),
                            headers={"Authorization": f"Bearer {key}"}).get_json()["status"]
                for n in range(4)]
    assert statuses == ["approved", "approved", "approved", "pending"]
    assert hakam("sites", "configure", "akhbar", "--campaign-hold", "2").exit_code == 2

    settings = json.loads(hakam("sites", "configure", "akhbar", "--no-campaign-hold").stdout)
    assert settings["policy"]["campaign_hold"] is None
    again = client.post("/v1/comments", json=a_comment(comment=text + "؟"),
                        headers={"Authorization": f"Bearer {key}"}).get_json()
    assert again["status"] == "approved"


def test_sites_configure_can_make_name_and_email_optional(hakam, client):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    hakam("sites", "configure", "akhbar", "--no-require-name-email")
    response = client.post("/v1/comments", json={"comment": "تعليق بلا اسم",
                                                  "comment_post_ID": "1"},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201


def test_sites_configure_holds_on_an_attribute_shows_it_and_clears_it(hakam, client, scorer):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    scorer.will_score("ارحلوا", identity_attack=0.62, insult=0.4)
    assert client.post("/v1/comments", json=a_comment(comment="ارحلوا من هنا"),
                       headers=headers).get_json()["status"] == "approved"  # informs only

    result = hakam("sites", "configure", "akhbar", "--hold", "identity_attack=0.5",
                   "--hold", "threat=0.7")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["policy"]["attribute_hold"] == {
        "identity_attack": 0.5, "threat": 0.7}
    assert hakam("sites", "list").stdout.rstrip("\n").split("\t")[-1] == \
        "hold-on=identity_attack=0.5,threat=0.7"
    held = client.post("/v1/comments", json=a_comment(comment="ارحلوا من هنا الآن"),
                       headers=headers).get_json()
    assert held["status"] == "pending"
    assert held["reasons"][0]["code"] == "identity_attack_score"

    # other settings leave the holds alone; NAME=off clears one, the rest stay
    hakam("sites", "configure", "akhbar", "--max-links", "3")
    cleared = json.loads(hakam("sites", "configure", "akhbar", "--hold",
                               "identity_attack=off").stdout)
    assert cleared["policy"]["attribute_hold"] == {"threat": 0.7}
    assert cleared["policy"]["max_links"] == 3
    assert client.post("/v1/comments", json=a_comment(comment="ارحلوا يا هؤلاء"),
                       headers=headers).get_json()["status"] == "approved"


@pytest.mark.parametrize("given, complaint", [
    ("severe_toxicity=0.5", "'severe_toxicity' is no attribute"),
    ("insult", "give insult=SCORE"),
    ("insult=", "give insult=SCORE"),
    ("insult=1.5", "'1.5' is not a score from 0 to 1"),
    ("insult=nan", "'nan' is not a score from 0 to 1"),
    ("insult=high", "'high' is not a score from 0 to 1"),
])
def test_sites_configure_refuses_a_hold_it_cannot_read_and_changes_nothing(hakam, given,
                                                                           complaint):
    hakam("sites", "add", "akhbar")
    result = hakam("sites", "configure", "akhbar", "--hold", given)
    assert result.exit_code == 2
    assert complaint in result.stderr
    assert hakam("sites", "list").stdout.rstrip("\n").endswith("\thold-on=-")


def test_moderators_add_prints_a_working_token(hakam, client):
    token = hakam("moderators", "add", "salma").stdout.strip()
    assert token.startswith("hk_mod_")
    response = client.get("/v1/review/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_labels_export_writes_jsonl_of_every_site_oldest_first(hakam, store):
    store.create_site("akhbar")
    store.create_site("gazette", language="en")
    # Streams order entries by the millisecond; across two sites' streams, labels written in
    # the same millisecond have no order to keep, so these are a few milliseconds apart.
    for text, task, label, source, site in [("نص مسيء", "abuse", 1, "moderator", "akhbar"),
                                            ("buy now", "spam", 1, "site", "gazette"),
                                            ("تعليق عادي", "spam", 0, "site", "akhbar")]:
        store.record_label(text, task, label, source, site=site)
        time.sleep(0.003)
    result = hakam("labels", "export")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [
        {"text": "نص مسيء", "task": "abuse", "label": 1, "source": "moderator", "site": "akhbar"},
        {"text": "buy now", "task": "spam", "label": 1, "source": "site", "site": "gazette"},
        {"text": "تعليق عادي", "task": "spam", "label": 0, "source": "site", "site": "akhbar"},
    ]


@pytest.mark.parametrize("name", ["", "   ", "news{ar}", "a}b", "line\nbreak"])
def test_sites_add_refuses_a_name_that_cannot_tag_the_sites_keys(hakam, store, name):
    result = hakam("sites", "add", name)

    assert result.exit_code == 1
    assert "site name" in result.stderr
    assert result.stdout == ""  # no key printed
    assert store.list_sites() == []


@pytest.mark.parametrize("name", ["akhbar", "الأخبار", "news.example.com", "ar:sport",
                                  "Al Jarida 2"])
def test_site_names_of_letters_dots_colons_and_spaces_are_accepted(hakam, client, name):
    key = hakam("sites", "add", name).stdout.strip()
    response = client.post("/v1/comments", json=a_comment(),
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    assert hakam("sites", "list").stdout.startswith(f"{name}\t")


def test_sites_configure_trusts_the_sources_readers_cite(hakam, client):
    key = hakam("sites", "add", "akhbar").stdout.strip()
    result = hakam("sites", "configure", "akhbar", "--max-links", "0",
                   "--trusted-domain", "https://www.BBC.com/", "--trusted-domain", "reuters.com")
    assert json.loads(result.stdout)["policy"]["trusted_domains"] == ["bbc.com", "reuters.com"]

    headers = {"Authorization": f"Bearer {key}"}
    cited = client.post("/v1/comments", headers=headers, json=a_comment(
        comment="المصدر https://www.bbc.com/arabic/middleeast")).get_json()
    other = client.post("/v1/comments", headers=headers, json=a_comment(
        comment="المصدر http://shop.example/offer", email="other@example.com")).get_json()
    assert cited["status"] == "approved"
    assert "trusted_links" in [r["code"] for r in cited["reasons"]]
    assert other["status"] == "pending"
    assert [r["code"] for r in other["reasons"]] == ["too_many_links"]

    cleared = hakam("sites", "configure", "akhbar", "--no-trusted-domains")
    assert json.loads(cleared.stdout)["policy"]["trusted_domains"] == []


def test_a_trusted_domain_that_is_not_a_domain_is_refused(hakam):
    hakam("sites", "add", "akhbar")
    result = hakam("sites", "configure", "akhbar", "--trusted-domain", "not a domain")
    assert result.exit_code == 2
    assert "not a domain: 'not a domain'" in result.stderr


@pytest.mark.parametrize("command", [("sites", "list"), ("labels", "export"),
                                     ("readers", "export", "laila@example.com")])
def test_a_redis_that_is_away_is_one_clear_line_not_a_traceback(monkeypatch, tmp_path, command):
    away = ThrowawayRedis().start()
    away.stop()
    monkeypatch.setenv("REDIS_URL", away.url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))

    result = CliRunner().invoke(main, list(command))

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "the comment store is unreachable" in result.stderr
    assert "Traceback" not in result.output
