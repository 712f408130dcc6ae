"""The moderator page's view of what each site taught Hakam, in pure functions."""

from __future__ import annotations

import re
import time

import pytest

from hakam.service.moderate import learning
from tests.site_fixture import site_comments


def test_a_days_bar_splits_into_what_was_kept_and_what_was_taken_down():
    today = 20_000
    outcomes = {(today, "held", "approve"): 6, (today, "held", "reject"): 3,
                (today, "held", "spam"): 1, (today - 2, "audit", "approve"): 4,
                (today - 40, "held", "reject"): 9}  # older than the chart

    held = learning.bars(outcomes, "held", today)
    audit = learning.bars(outcomes, "audit", today)

    assert [(bar.decided, bar.taken_down) for bar in held] == [(10, 4)]
    assert held[0].share_taken_down == 0.4
    assert held[0].taken_down_height == 0.4 * learning.BAR_HEIGHT
    assert held[0].kept_height + held[0].taken_down_height == learning.BAR_HEIGHT
    assert held[0].x > audit[0].x  # today is right of two days ago
    assert [(bar.day, bar.taken_down) for bar in audit] == [("2024-10-02", 0)]  # day 19998


def _refused_fit(store, site: str, base: str, labels) -> dict:
    """What the site's last fit stored when the gate kept the shipped model."""
    from hakam.model import Scorer
    from hakam.training import adapt

    _adapter, report = adapt.fit_site(Scorer.load(), site, [
        adapt.SiteLabel(text, "abuse", label, at=float(n)) for n, (text, label) in
        enumerate(labels)], generation=1)
    assert report["active"] is False
    token = store.take_fit_lock(site, 30)
    assert store.store_adapter(site, base, token, generation=1, adapter_text=None,
                               report=report, labels_at_start=len(labels), record={})
    return report


@pytest.mark.parametrize("labels, arabic", [
    (site_comments(12, seed=10), "عدد القرارات 12"),  # too few
    ([(text, n % 2) for n, (text, _) in enumerate(site_comments(120, seed=3))],
     "لا يرتّب المُكيِّف التعليقات أفضل من النموذج الأصلي"),  # labels the text does not tell
])
def test_why_the_shipped_model_stays_is_said_in_the_moderators_language(
        client, store, scorer, site_key, moderator_token, labels, arabic):
    report = _refused_fit(store, "akhbar", scorer.version, labels)
    form = client.get("/moderate/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    client.post("/moderate/sign-in", data={"token": moderator_token, "csrf_token": csrf[1]})

    page = {lang: client.get("/moderate/sites", headers={"Accept-Language": lang})
            .get_data(as_text=True) for lang in ("ar", "en")}

    english = report["heads"]["abuse"]["reason"]
    assert arabic in page["ar"] and english.split(":")[0] not in page["ar"]
    assert "Abuse: " in page["en"]


def test_the_sites_page_shows_the_queues_oldest_wait_and_decision_time_percentiles(
        client, store, scorer, site_key, moderator_token):
    from hakam.service.policy import SitePolicy
    from tests.factories import a_comment

    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
    now = time.time()
    for minutes in [2] * 10 + [50] * 9 + [300]:  # decisions of the last days
        store.record_decision_wait("akhbar", minutes * 60, now - 86400)
    store.record_decision_wait("akhbar", 99 * 3600, now - 9 * 86400)  # out of the window
    posted = client.post("/v1/comments", json=a_comment(),
                         headers={"Authorization": f"Bearer {site_key}"})
    assert posted.get_json()["status"] == "pending"
    store.r.zadd("hakam:{akhbar}:pending", {posted.get_json()["id"]: now - 3 * 3600})
    form = client.get("/moderate/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    client.post("/moderate/sign-in", data={"token": moderator_token, "csrf_token": csrf[1]})

    page = client.get("/moderate/sites", headers={"Accept-Language": "ar"}).get_data(as_text=True)

    def cell(name: str) -> str:
        return re.search(rf'class="{name}">([^<]*)<', page)[1]

    assert "صحة الطابور" in page
    def minutes(text: str) -> int:
        number, unit = text.split()
        assert unit == "دقيقة"
        return int(number)

    assert cell("queue-oldest") == "3.0 ساعة"
    assert minutes(cell("latency-p50")) == 2
    assert abs(minutes(cell("latency-p95")) - 50) <= 50 * 0.05  # read back from its bucket
    assert cell("latency-count") == "20"
