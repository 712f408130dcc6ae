"""Queue health and campaigns under a real `hakam serve` (two gunicorn workers): what one worker
counts or groups, /metrics and the queue show whichever worker answers."""

from __future__ import annotations

import re

import pytest
import requests

from hakam.service.policy import SitePolicy
from hakam.service.store import Store
from tests.factories import a_comment
from tests.hakam_server import HakamServer

TEXT = "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع"


@pytest.fixture
def served(redis_url, tmp_path):
    server = HakamServer(redis_url, tmp_path, log_name="serve.log").start()
    store = Store.from_url(redis_url)
    key, _ = store.create_site("akhbar")
    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
    try:
        yield server.url, store, {"Authorization": f"Bearer {key}"}, {
            "Authorization": f"Bearer {store.create_moderator('salma')}"}
    finally:
        server.stop()


def _post(base: str, headers: dict, **fields) -> dict:
    # a new connection each time: gunicorn hands them to either worker
    response = requests.post(f"{base}/v1/comments", json=a_comment(**fields), headers=headers,
                             timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_every_workers_decisions_count_in_the_latency_histogram_any_worker_serves(served):
    base, _store, site, moderator = served
    ids = [_post(base, site)["id"] for _ in range(6)]
    for comment_id in ids:
        answer = requests.post(f"{base}/v1/review/{comment_id}/decision", headers=moderator,
                               json={"decision": "approve"}, timeout=10)
        assert answer.status_code == 200
    _post(base, site)  # one left waiting

    for _scrape in range(4):  # whichever worker answers
        metrics = requests.get(f"{base}/metrics", timeout=10).text
        count = re.search(r'^hakam_decision_latency_seconds_count\{site="akhbar"\} (\S+)$',
                          metrics, re.M)
        assert count and float(count[1]) == 6.0, metrics[-2000:]
        assert re.search(r'^hakam_queue_oldest_seconds\{site="akhbar"\} \d', metrics, re.M)


def test_near_duplicates_sent_to_either_worker_form_one_campaign(served):
    base, _store, site, moderator = served
    posted = [_post(base, site, comment=TEXT + "!" * n)["id"] for n in range(6)]

    queue = requests.get(f"{base}/v1/review/queue", headers=moderator, timeout=10).json()

    assert [c["id"] for c in queue["comments"]] == [posted[0]]
    assert (queue["comments"][0]["campaign"]["size"],
            queue["comments"][0]["campaign"]["authors"]) == (6, 6)
