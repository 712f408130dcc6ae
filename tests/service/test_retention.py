"""A site's retention period: decided comments lose their text and their author's personal
fields after N days, swept by the threads the service already runs; held comments never."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from click.testing import CliRunner

from hakam.service.cli import main
from hakam.service.retention import RetentionSweeper
from hakam.service.store import Store, keys
from hakam.service.webhooks import Deliverer
from tests.factories import a_comment
from tests.hakam_server import HakamServer
from tests.redis_harness import everything_stored

pytestmark = pytest.mark.single_and_cluster

DAY = 86400
READER = "salwa@example.org"
NAME = "سلوى"
WEBSITE = "https://salwa.example"


@pytest.fixture
def hakam(redis_url, monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def comments(client, store, site_headers, moderator_headers, scorer, hakam):
    """On a site keeping comments 30 days: one published, one held and rejected, one held
    still, one published with an Idempotency-Key, all by the same reader."""
    configured = hakam("sites", "configure", "akhbar", "--retention-days", "30")
    assert '"retention_days": 30' in configured.stdout
    scorer.will_score("سيء", abuse=0.8)
    store.flood_seconds = 0
    posted = {}
    for name, text, headers in (
            ("published", "شكرا على التغطية الممتازة للانتخابات", {}),
            ("rejected", "رد سيء على كاتب المقال", {}),
            ("held", "سؤال سيء عن مواعيد الحافلات", {}),
            ("idempotent", "تعليق أرسلته الإضافة مرتين", {"Idempotency-Key": "wp-77"})):
        response = client.post("/v1/comments", headers={**site_headers, **headers},
                               json=a_comment(comment=text, email=READER, author=NAME,
                                              url=WEBSITE))
        posted[name] = response.get_json()["id"]
    client.post(f"/v1/review/{posted['rejected']}/decision", headers=moderator_headers,
                json={"decision": "reject", "reason": "إساءة"})
    return posted


def _swept_after(store, days: float) -> int:
    return store.sweep_retention("akhbar", 30, now=time.time() + days * DAY)


def test_nothing_is_dropped_before_the_retention_period_is_over(store, comments):
    before = everything_stored(store.r)
    assert _swept_after(store, 29) == 0
    assert everything_stored(store.r) == before


def test_decided_comments_lose_their_text_and_personal_fields_after_n_days(
        client, store, site_headers, comments):
    assert _swept_after(store, 31) == 3

    for name in ("published", "rejected", "idempotent"):
        comment = store.get_comment(comments[name])
        assert (comment["text"], comment["author"], comment["url"]) == ("", "", None)
        assert not store.r.hexists(keys.comment("akhbar", comments[name]), "author_key")
        assert not store.r.hexists(keys.comment("akhbar", comments[name]), "campaign_sig")
        assert all(r["message"] == "" and r["spans"] == [] for r in comment["reasons"])
        # still a decided comment to its site: status, scores, history
        answer = client.get(f"/v1/comments/{comments[name]}", headers=site_headers)
        assert answer.status_code == 200
    rejected = store.get_comment(comments["rejected"])
    assert rejected["status"] == "rejected" and rejected["scores"]["abuse"] == 0.8
    assert [e["status"] for e in rejected["history"]] == ["pending", "rejected"]
    assert rejected["reasons"][0]["code"] == "abuse_score"


def test_held_comments_are_never_touched(store, comments):
    _swept_after(store, 400)

    held = store.get_comment(comments["held"])
    assert (held["text"], held["author"], held["url"]) == ("سؤال سيء عن مواعيد الحافلات", NAME,
                                                           WEBSITE)
    assert [c["id"] for c in store.queue(site="akhbar")] == [comments["held"]]
    assert any("“سيء”" in r["message"] for r in held["reasons"])


def test_labels_keep_the_text_and_the_label_but_never_the_name_or_hash(store, comments):
    _swept_after(store, 31)

    assert [(x["text"], x["task"], x["label"]) for x in store.labels()] == [
        ("رد سيء على كاتب المقال", "abuse", 1)]
    labels = store.r.xrange(keys.labels("akhbar"))
    assert not any(NAME in v or store.private_key(READER) in v
                   for _id, fields in labels for v in fields.values())


def test_afterwards_the_reader_is_found_only_by_the_comments_still_held(client, store,
                                                                        site_headers,
                                                                        comments):
    _swept_after(store, 31)

    exported = client.post("/v1/readers/export", headers=site_headers,
                           json={"email": READER}).get_json()["comments"]
    assert [c["id"] for c in exported] == [comments["held"]]
    stored = everything_stored(store.r)
    for line in stored.splitlines():  # name, website and hash only with the held comment
        if NAME in line or WEBSITE in line or store.private_key(READER) in line:
            assert comments["held"] in line, line
    markers = [line for line in stored.splitlines()
               if line.startswith(("hakam:{akhbar}:dup:", "hakam:{akhbar}:idem:"))]
    assert len(markers) == 1 and comments["held"] in markers[0]  # the swept ones' are gone


def test_the_same_text_is_no_duplicate_once_its_comment_was_swept(client, store, site_headers,
                                                                  comments):
    again = a_comment(comment="شكرا على التغطية الممتازة للانتخابات", email=READER,
                      author=NAME)
    assert client.post("/v1/comments", headers=site_headers, json=again).status_code == 409
    _swept_after(store, 31)
    assert client.post("/v1/comments", headers=site_headers, json=again).status_code == 201


def test_a_site_without_retention_keeps_everything(store, comments, hakam):
    assert '"retention_days": null' in hakam("sites", "configure", "akhbar",
                                             "--retention-days", "0").stdout
    sweeper = RetentionSweeper(store, clock=lambda: time.time() + 400 * DAY)
    assert sweeper.run_if_due() == 0
    assert store.get_comment(comments["published"])["text"]


def test_the_webhook_thread_sweeps_with_no_process_of_its_own(store, comments):
    sweeper = RetentionSweeper(store, interval=0.05, clock=lambda: time.time() + 31 * DAY)
    deliverer = Deliverer(store, idle_wait=0.05, chores=(sweeper.run_if_due,))
    deliverer.start()
    try:
        deadline = time.monotonic() + 10
        while store.get_comment(comments["published"])["text"]:
            assert time.monotonic() < deadline, "the sweep never ran"
            time.sleep(0.05)
    finally:
        deliverer.stop()
    assert store.get_comment(comments["held"])["text"]


SWEEP_SECONDS = 2  # HAKAM_RETENTION_SWEEP_SECONDS of the served test (60 in production)


def test_hakam_serve_sweeps_a_comment_past_its_sites_retention_within_the_interval(
        redis_url, tmp_path, hakam):
    """What an operator runs: `hakam serve` (gunicorn, forked workers), a site configured with
    `--retention-days`, and no other process."""
    store = Store.from_url(redis_url)
    key, _secret = store.create_site("akhbar")
    assert '"retention_days": 30' in hakam("sites", "configure", "akhbar",
                                           "--retention-days", "30").stdout
    server = HakamServer(redis_url, tmp_path, HAKAM_RETENTION_SWEEP_SECONDS=str(SWEEP_SECONDS))
    server.start()
    try:
        posted = {}
        for name in ("old", "recent"):
            answer = requests.post(f"{server.url}/v1/comments", timeout=10,
                                   headers={"Authorization": f"Bearer {key}"},
                                   json=a_comment(email=READER, author=NAME, url=WEBSITE))
            assert answer.json()["status"] == "approved", answer.text
            posted[name] = answer.json()["id"]
        # The old one arrived 31 days ago: its arrival as the sweep reads it.
        store.r.zadd(keys.retention("akhbar"), {posted["old"]: time.time() - 31 * DAY},
                     xx=True)
        aged_at = time.monotonic()
        while store.get_comment(posted["old"])["text"]:
            assert time.monotonic() - aged_at < 2 * SWEEP_SECONDS + 10, \
                "hakam serve never swept the comment past its retention"
            time.sleep(0.1)
        took = time.monotonic() - aged_at
    finally:
        server.stop()
    print(f"swept {took:.2f} s after the comment was past its retention "
          f"(sweep interval {SWEEP_SECONDS} s)")
    old = store.get_comment(posted["old"])
    assert (old["text"], old["author"], old["url"], old["status"]) == ("", "", None, "approved")
    assert not store.r.hexists(keys.comment("akhbar", posted["old"]), "author_key")
    recent = store.get_comment(posted["recent"])
    assert (recent["author"], recent["url"]) == (NAME, WEBSITE) and recent["text"]


def test_one_worker_sweeps_a_site_at_a_time(store, comments, redis_url):
    later = lambda: time.time() + 31 * DAY  # noqa: E731
    workers = [RetentionSweeper(Store.from_url(redis_url), clock=later) for _ in range(3)]
    assert [w.run_if_due() for w in workers] == [3, 0, 0]


def test_workers_sweeping_at_once_drop_each_comment_exactly_once(client, store, site_headers,
                                                                 redis_url):
    store.configure_site("akhbar", retention_days=1)
    store.flood_seconds = 0
    for _n in range(120):
        client.post("/v1/comments", headers=site_headers, json=a_comment())
    swept: list[int] = []

    def sweep() -> None:
        own = Store.from_url(redis_url)
        while done := own.sweep_retention("akhbar", 1, now=time.time() + 2 * DAY, batch=7):
            swept.append(done)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(swept) == 120
    assert store.r.zcard(keys.retention("akhbar")) == 0


def test_a_label_filed_under_its_reader_keeps_its_text_but_loses_the_link(client, store,
                                                                         site_headers):
    store.configure_site("akhbar", retention_days=30)
    reader = store.private_key(READER)
    store.record_label("اربح جوائز الآن", "spam", 1, "akismet", site="akhbar",
                       reader_key=reader)
    assert _swept_after(store, 29) == 0

    assert _swept_after(store, 31) == 1

    assert [x["text"] for x in store.labels()] == ["اربح جوائز الآن"]
    assert client.post("/v1/readers/export", headers=site_headers,
                       json={"email": READER}).get_json()["labels"] == []
    assert reader not in everything_stored(store.r)
