"""Queue health on a real Redis (single and cluster): the oldest held comment's age and the
wait from arrival to decision, in /metrics and kept per site for the Sites page."""

from __future__ import annotations

import re
import time

import pytest

from hakam.service import queue_health
from hakam.service.policy import SitePolicy
from hakam.service.store import Store
from tests.factories import a_comment

pytestmark = pytest.mark.single_and_cluster


def _metric(text: str, name: str, site: str) -> float:
    found = re.search(rf'^{name}{{site="{site}"}} (\S+)$', text, re.M)
    assert found, f"{name} for {site} missing"
    return float(found[1])


def _post_held(client, site_headers, scorer) -> str:
    scorer.will_score("سيء", abuse=0.8)
    response = client.post("/v1/comments", json=a_comment(comment="تعليق سيء"),
                           headers=site_headers)
    assert response.get_json()["status"] == "pending"
    return response.get_json()["id"]


def test_metrics_give_the_age_of_the_oldest_held_comment_and_zero_for_an_empty_queue(
        client, store, site_headers, scorer, moderator_headers):
    store.create_site("quiet")
    store.configure_site("akhbar", policy=SitePolicy(audit_rate=1.0))
    audit_item = client.post("/v1/comments", json=a_comment(), headers=site_headers).get_json()
    assert audit_item["status"] == "approved"  # queued for audit, ahead of the held one
    time.sleep(0.5)
    held = _post_held(client, site_headers, scorer)
    time.sleep(1.1)

    metrics = client.get("/metrics").text
    age = _metric(metrics, "hakam_queue_oldest_seconds", "akhbar")
    assert 1.0 <= age < 1.5  # the held comment's age: the audit item kept no reader waiting
    assert _metric(metrics, "hakam_queue_oldest_seconds", "quiet") == 0.0

    client.post(f"/v1/review/{held}/decision", json={"decision": "approve"},
                headers=moderator_headers)
    assert _metric(client.get("/metrics").text, "hakam_queue_oldest_seconds", "akhbar") == 0.0


def test_a_decision_adds_its_wait_to_the_sites_latency_histogram(
        client, site_headers, scorer, moderator_headers):
    before = client.get("/metrics").text
    count_line = 'hakam_decision_latency_seconds_count{site="akhbar"}'
    counted_before = float(before.split(count_line)[1].split()[0]) if count_line in before else 0
    held = _post_held(client, site_headers, scorer)
    time.sleep(0.3)

    client.post(f"/v1/review/{held}/decision", json={"decision": "reject"},
                headers=moderator_headers)

    metrics = client.get("/metrics").text
    assert float(metrics.split(count_line)[1].split()[0]) == counted_before + 1
    assert 'hakam_decision_latency_seconds_bucket{le="10.0",site="akhbar"}' in metrics


def test_waits_are_kept_per_site_in_redis_so_any_instance_reads_every_instances_decisions(
        redis_url, store, site_key, client, site_headers, scorer):
    other_instance = Store.from_url(redis_url)
    ids = [_post_held(client, site_headers, scorer) for _ in range(4)]
    time.sleep(1.2)
    store.decide(ids[0], "salma", "approve")
    store.decide(ids[1], "salma", "reject")
    other_instance.decide(ids[2], "omar", "approve")
    other_instance.decide(ids[3], "omar", "spam")

    for reader in (store, other_instance):
        waits = reader.decision_waits("akhbar")
        assert sum(waits.values()) == 4
        p50 = queue_health.percentile(waits, 0.5)
        assert 1.0 < p50 < 2.0


def test_waits_older_than_the_window_are_left_out_and_expire(store, site_key):
    now = time.time()
    store.record_decision_wait("akhbar", 600, now - 8 * 86400)
    store.record_decision_wait("akhbar", 30, now - 6 * 86400)
    store.record_decision_wait("akhbar", 60, now)

    assert sum(store.decision_waits("akhbar", now=now).values()) == 2
    day_key = "hakam:{akhbar}:decision-waits:" + str(int(now // 86400))
    assert 7 * 86400 < store.r.ttl(day_key) <= 8 * 86400
