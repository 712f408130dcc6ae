"""Upgrading in place: a store written by the layout-1 Hakam (tests/service/layout1/store.json,
dumped from what that version's own store code wrote) is moved to layout 3 by `hakam migrate`
or by the first start, and the service carries on where it left off."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from hakam.service import create_app
from hakam.service.cli import main
from hakam.service.config import Config
from hakam.service.store import Store, keys
from hakam.service.store.migrate import Migration
from tests.redis_harness import ThrowawayRedis

LAYOUT1 = json.loads((Path(__file__).parent / "layout1" / "store.json").read_text("utf-8"))
IDS = LAYOUT1["comment_ids"]  # see make_fixture.py for what happened to each
GLOBAL_KEYS = ("hakam:pepper", "hakam:sites", "hakam:site:", "hakam:sitekey:",
               "hakam:moderator:", "hakam:modtoken:", "hakam:labels:unassigned",
               "hakam:layout")


def load_layout1_store(url: str) -> None:
    """Write the layout-1 keys back, as if written just now: the one lease (five minutes long
    when the fixture was made) is moved forward by the fixture's age, so it still holds."""
    client = Store.from_url(url).r  # one Redis, or a cluster (each command has one key)
    age = time.time() - LAYOUT1["written_at"]
    for item in LAYOUT1["keys"]:
        key, kind, value = item["key"], item["type"], item["value"]
        if kind == "string":
            client.set(key, value)
        elif kind == "hash":
            if "lease_expires_at" in value:
                value = {**value, "lease_expires_at": str(float(value["lease_expires_at"]) + age)}
            client.hset(key, mapping=value)
        elif kind == "list":
            client.rpush(key, *value)
        elif kind == "set":
            client.sadd(key, *value)
        elif kind == "zset":
            shift = age if key == "hakam:leases" else 0
            client.zadd(key, {member: score + shift for member, score in value})
        elif kind == "stream":
            for entry_id, fields in value:
                client.xadd(key, fields, id=entry_id)
        if item["ttl_ms"]:
            client.pexpire(key, item["ttl_ms"])


def everything(url: str) -> dict:
    client = Store.from_url(url).r
    read = {"string": client.get, "hash": client.hgetall,
            "list": lambda k: client.lrange(k, 0, -1), "set": client.smembers,
            "zset": lambda k: client.zrange(k, 0, -1, withscores=True), "stream": client.xrange}
    return {key: read[client.type(key)](key) for key in client.scan_iter("*")
            if key != keys.LAYOUT}


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of this module's own: the session's has the moderator page's server on it,
    whose deliverers would take the migrated webhook deliveries before the test looks."""
    server = ThrowawayRedis().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(own_redis) -> str:
    redis.Redis.from_url(own_redis.url).flushall()
    return own_redis.url


@pytest.fixture
def layout1_store(redis_url) -> str:
    load_layout1_store(redis_url)
    return redis_url


def hakam_migrate(url: str, monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["migrate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stderr


EVERY_KIND_MOVED = (
    "moved 8 comments", "moved 8 comment histories", "moved 2 held comments (per-site queues)",
    "moved 1 leases", "moved 2 per-site count tables", "moved 3 idempotency answers",
    "moved 8 duplicate markers", "moved 4 audit entries", "moved 7 labels",
    "moved 1 labels of comments no longer stored", "moved 3 webhook deliveries",
    "moved 1 dead-lettered deliveries", "the store now uses layout 3")


def left_in_the_old_layout(url: str) -> list[str]:
    return [key for key in everything(url)
            if not key.startswith("hakam:{") and not key.startswith(GLOBAL_KEYS)]


def test_hakam_migrate_moves_every_old_key_and_says_what_it_did(layout1_store, monkeypatch,
                                                                 tmp_path):
    said = hakam_migrate(layout1_store, monkeypatch, tmp_path)

    for line in EVERY_KIND_MOVED:
        assert line in said, said
    assert left_in_the_old_layout(layout1_store) == []

    again = hakam_migrate(layout1_store, monkeypatch, tmp_path)
    assert "found no data in the old layout" in again


def test_the_first_start_migrates_and_the_service_carries_on_where_it_left_off(
        layout1_store, tmp_path, scorer, config):
    app = create_app(config, scorer=scorer, start_workers=False)  # the first start
    client, store = app.test_client(), app.extensions["hakam.store"]
    salma = {"Authorization": f"Bearer {LAYOUT1['moderator_tokens']['salma']}"}
    akhbar = {"Authorization": f"Bearer {LAYOUT1['api_keys']['akhbar']}"}
    gazette = {"Authorization": f"Bearer {LAYOUT1['api_keys']['gazette']}"}

    queue = client.get("/v1/review/queue", headers=salma).get_json()
    assert [(c["id"], c["site"]) for c in queue["comments"]] == [
        (IDS[5], "gazette"), (IDS[7], "akhbar")]  # oldest first across sites
    assert queue["depth"] == 2
    # omar's lease survived: salma is handed only the other one, and cannot decide his
    claimed = client.post("/v1/review/claim", json={"limit": 5}, headers=salma).get_json()
    assert [c["id"] for c in claimed["comments"]] == [IDS[7]]
    taken = client.post(f"/v1/review/{IDS[5]}/decision", json={"decision": "approve"},
                        headers=salma)
    assert taken.status_code == 409 and taken.get_json()["moderator"] == "omar"
    assert client.post(f"/v1/review/{IDS[7]}/decision", json={"decision": "spam"},
                       headers=salma).status_code == 200

    decided = client.get("/v1/review/audit", headers=salma).get_json()["decisions"]
    assert [(d["comment_id"], d["decision"]) for d in decided] == [
        (IDS[7], "spam"), (IDS[6], "approve"), (IDS[3], "spam"), (IDS[1], "reject"),
        (IDS[0], "approve")]
    rejected = client.get(f"/v1/comments/{IDS[1]}", headers=gazette).get_json()
    assert rejected["status"] == "rejected"
    assert [(h["status"], h["by"]) for h in rejected["history"]] == [
        ("pending", "hakam"), ("rejected", "salma")]
    assert client.get(f"/v1/comments/{IDS[1]}", headers=akhbar).status_code == 404
    assert store.counts("akhbar") == {"pending": 0, "approved": 3, "spam": 2, "rejected": 0}
    assert store.counts("gazette") == {"pending": 1, "approved": 0, "spam": 1, "rejected": 1}

    # The readers' markers moved with their keyed hashes (the pepper is kept as it was).
    replay = client.post("/v1/comments", json={"comment": "x"},
                         headers={**akhbar, "Idempotency-Key": "wp-0"})
    assert replay.status_code == 201 and replay.get_json()["id"] == IDS[0]
    reader2 = {"comment": "تعليق رقم 2", "author": "قارئ 2", "email": "reader2@example.com",
               "comment_post_ID": "7"}
    duplicate = client.post("/v1/comments", json=reader2, headers=akhbar)
    assert duplicate.status_code == 409 and duplicate.get_json()["first_id"] == IDS[2]
    flooded = client.post("/v1/comments", json={**reader2, "comment": "تعليق جديد"},
                          headers=akhbar)
    assert flooded.status_code == 429
    assert store.approved_before("akhbar", store.private_key("reader2@example.com"))

    labels = list(store.labels())
    assert {(lbl["text"], lbl["task"], lbl["label"], lbl["site"]) for lbl in labels} >= {
        ("تعليق رقم 0", "spam", 0, "akhbar"), ("تعليق رقم 1", "abuse", 1, "gazette"),
        ("تعليق رقم 2", "spam", 0, "akhbar"), ("نص قديم", "abuse", 1, None)}
    assert labels[-1]["text"] == "تعليق رقم 7"  # the decision made just now comes last

    delivery = store.take_delivery()
    assert delivery["site"] == "akhbar" and json.loads(delivery["body"])["comment_id"] in {
        IDS[3], IDS[6], IDS[7]}
    [dead] = store.dead_deliveries()
    assert dead["last_error"] == "connection refused"


def test_a_migration_cut_short_is_finished_by_running_it_again(redis_url, monkeypatch):
    load_layout1_store(redis_url)
    Store.from_url(redis_url).migrate()
    clean = everything(redis_url)

    redis.Redis.from_url(redis_url).flushall()
    load_layout1_store(redis_url)
    store = Store.from_url(redis_url)

    def power_cut(self, found, report):
        raise ConnectionError("power cut")

    with monkeypatch.context() as patched:  # cut after the queues, streams and markers moved
        patched.setattr(Migration, "_move_deliveries", power_cut)
        with pytest.raises(ConnectionError):
            store.migrate()
    assert redis.Redis.from_url(redis_url).get(keys.LAYOUT) is None
    store.migrate()

    def comparable(keyspace: dict) -> dict:  # the lease moved by each load's own clock
        return {k: v for k, v in keyspace.items() if "leases" not in k and "comment:" not in k}

    assert comparable(everything(redis_url)) == comparable(clean)
    assert {k for k in everything(redis_url)} == set(clean)


def test_a_layout1_store_imported_into_a_cluster_is_migrated_there(redis_cluster, scorer,
                                                                   tmp_path, monkeypatch):
    """As after `redis-cli --cluster import` of an old single Redis: the old keys are spread
    over the masters by their own names, and can only be copied, not renamed, across slots."""
    redis_cluster.flushall()
    load_layout1_store(redis_cluster.url)

    said = hakam_migrate(redis_cluster.url, monkeypatch, tmp_path)

    for line in EVERY_KIND_MOVED:
        assert line in said, said
    assert left_in_the_old_layout(redis_cluster.url) == []
    app = create_app(Config(redis_url=redis_cluster.url, data_dir=str(tmp_path), testing=True),
                     scorer=scorer, start_workers=False)
    salma = {"Authorization": f"Bearer {LAYOUT1['moderator_tokens']['salma']}"}
    queue = app.test_client().get("/v1/review/queue", headers=salma).get_json()
    assert [c["id"] for c in queue["comments"]] == [IDS[5], IDS[7]]
    store = app.extensions["hakam.store"]
    assert store.counts("gazette") == {"pending": 1, "approved": 0, "spam": 1, "rejected": 1}
    assert store.get_comment(IDS[1])["history"][-1]["status"] == "rejected"
    assert len(store.dead_deliveries()) == 1


def test_after_the_upgrade_a_reader_from_before_can_be_exported_and_erased(
        layout1_store, monkeypatch, tmp_path, scorer, config):
    from tests.redis_harness import everything_stored

    said = hakam_migrate(layout1_store, monkeypatch, tmp_path)
    for line in ("8 comments filed under their readers",
                 "4 audit entries split from their comment's id and reason",
                 "7 labels linked to their comments", "3 webhook deliveries linked"):
        assert line in said, said
    again = hakam_migrate(layout1_store, monkeypatch, tmp_path)
    assert "filed under" not in again and "linked" not in again  # nothing left to do

    app = create_app(config, scorer=scorer, start_workers=False)
    client, store = app.test_client(), app.extensions["hakam.store"]
    akhbar = {"Authorization": f"Bearer {LAYOUT1['api_keys']['akhbar']}"}
    exported = client.post("/v1/readers/export", headers=akhbar,
                           json={"email": "Reader0@Example.com"}).get_json()["comments"]
    assert [(c["id"], c["text"], [x["task"] for x in c["labels"]]) for c in exported] == [
        (IDS[0], "تعليق رقم 0", ["spam", "abuse"])]

    erased = client.post("/v1/readers/erase", headers=akhbar,
                         json={"email": "reader0@example.com"}).get_json()
    assert erased == {"erased": 1, "labels": 2}
    stored = everything_stored(store.r)
    assert IDS[0] not in stored and "تعليق رقم 0" not in stored
    assert store.private_key("reader0@example.com") not in stored
    assert store.dead_deliveries() == []
    salma = {"Authorization": f"Bearer {LAYOUT1['moderator_tokens']['salma']}"}
    decided = client.get("/v1/review/audit", headers=salma).get_json()["decisions"]
    assert [(d["comment_id"], d["decision"], d["moderator"]) for d in decided] == [
        (IDS[6], "approve", "salma"), (IDS[3], "spam", "salma"), (IDS[1], "reject", "salma"),
        (None, "approve", "salma")]
    assert decided[2]["reason"] == "insult"  # the others' reasons survived the split
