"""A site's moderators teach Hakam their line: decisions made through the API become the site's
labels, its adapter is fitted (in the background, or by `hakam sites adapt`), and the site's
comments are scored with it, other sites' not."""

from __future__ import annotations

import json
import threading
import time

import joblib
import pytest
import redis
from click.testing import CliRunner

from hakam.model import Scorer
from hakam.model.adapter import Adapter
from hakam.service import create_app
from hakam.service.cli import main
from hakam.service.policy import SitePolicy
from hakam.service.store import keys
from hakam.training.train import Pipeline
from tests.adapter_reference import scikit_learn_probability
from tests.site_fixture import WORD, site_comments


@pytest.fixture(scope="module")
def shipped() -> Scorer:
    return Scorer.load()


@pytest.fixture
def app(config, shipped):
    app = create_app(config, scorer=shipped, start_workers=False)
    yield app
    _wait_for_fits(app.extensions["hakam.store"])  # no fit outlives its test


def _wait_for_fits(store, site: str = "tunis", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while store.r.exists(keys.adapt_lock(site)) and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture
def sites(store, moderator_headers):
    """Two sites: "tunis", whose moderators see every published comment (audit rate 1), and
    "akhbar", which never taught Hakam anything."""
    tunis, _ = store.create_site("tunis")
    akhbar, _ = store.create_site("akhbar")
    store.configure_site("tunis", policy=SitePolicy(audit_rate=1.0))
    return {"tunis": {"Authorization": f"Bearer {tunis}"},
            "akhbar": {"Authorization": f"Bearer {akhbar}"}}


def _post(client, headers, text: str, n: int) -> dict:
    response = client.post("/v1/comments", headers=headers, json={
        "comment": text, "author": f"قارئ {n}", "email": f"reader{n}@example.com",
        "comment_post_ID": "7"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _moderate(client, sites, moderator_headers, comments, start: int = 0) -> None:
    """The site's readers post; its moderators claim what reaches them and decide by the site's
    line; its editors report a few published comments through /feedback."""
    verdicts = {}
    for n, (text, abusive) in enumerate(comments, start=start):
        answer = _post(client, sites["tunis"], text, n)
        verdicts[answer["id"]] = abusive
    while True:
        claimed = client.post("/v1/review/claim", headers=moderator_headers,
                              json={"limit": 50, "site": "tunis"}).get_json()["comments"]
        if not claimed:
            break
        for item in claimed:
            decision = "reject" if verdicts[item["id"]] else "approve"
            response = client.post(f"/v1/review/{item['id']}/decision",
                                   headers=moderator_headers, json={"decision": decision})
            assert response.status_code == 200
    for comment_id in list(verdicts)[:10]:
        client.post(f"/v1/comments/{comment_id}/feedback", headers=sites["tunis"],
                    json={"label": "abuse" if verdicts[comment_id] else "ok"})


def _adapter_in_force(client, store, sites, moderator_headers, *, seed: int, probe: int):
    """Teach "tunis" its line through the API, fit it, and see its comments scored with it."""
    _moderate(client, sites, moderator_headers, site_comments(160, seed=seed))
    _wait_for_fits(store)
    assert _adapt("tunis")["active"]
    time.sleep(2.1)  # a worker looks again within two seconds
    assert "+tunis." in _post(client, sites["tunis"], "تعليق", probe)["model_version"]


def _adapt(*args: str):
    result = CliRunner().invoke(main, ["sites", "adapt", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def env(redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HAKAM_MODEL", raising=False)


def test_decisions_through_the_api_teach_the_site_its_word_and_no_other_site(
        app, client, store, sites, moderator_headers, shipped, env):
    _moderate(client, sites, moderator_headers, site_comments(160, seed=21))
    _wait_for_fits(store)

    report = _adapt("tunis")

    assert report["active"] is True
    assert report["model_version"].startswith(f"{shipped.version}+tunis.")
    assert report["labels"]["abuse"] >= 150
    # the shipped model reads "يا <word>" as a likely insult whatever the word (0.82 on this
    # site's comments since issue 23's model); the site's own line is what lifts it past 0.95
    assert report["roc_auc"]["adapted"] > 0.95 > report["roc_auc"]["base"] + 0.1
    assert report["heads"]["abuse"]["labels"]["sources"] == {"moderator": 150, "site": 10}
    time.sleep(2.1)  # a worker looks again within two seconds
    insult = f"التحليل جيد لكن الكاتب {WORD}"
    here = _post(client, sites["tunis"], insult, 9001)
    elsewhere = _post(client, sites["akhbar"], insult, 9002)
    assert here["status"] == "pending"
    assert here["model_version"] == report["model_version"]
    named = [r for r in here["reasons"] if r["code"] == "abuse_terms"]
    assert named and WORD in named[0]["message"]
    assert elsewhere["status"] == "approved"
    assert elsewhere["model_version"] == shipped.version
    # the column the scorer compiled equals the adapter computed with scikit-learn
    generation, text = store.adapter_text("tunis", shipped.version)
    adapter = Adapter.from_text(text)
    columns = shipped.compile_adapter(adapter)
    pipeline = Pipeline.from_compiled(joblib.load(shipped.path))
    for probe in (insult, "مقال جيد شكرا", "يا حمار اسكت", *(t for t, _ in site_comments(8))):
        expected = scikit_learn_probability(pipeline, probe, "abuse", adapter.heads["abuse"],
                                            shipped.feature_count)
        assert abs(shipped.score(probe, site=columns).abuse - expected) <= 1e-6


def test_the_adapter_is_refitted_in_the_background_after_fifty_labels(
        app, client, store, sites, moderator_headers, shipped):
    _moderate(client, sites, moderator_headers, site_comments(120, seed=22))
    deadline = time.monotonic() + 90
    answer = None
    while time.monotonic() < deadline:
        answer = _post(client, sites["tunis"], f"والله الخبر واضح يا {WORD}",
                       int(time.monotonic() * 1000))
        if "+tunis." in answer["model_version"]:
            break
        time.sleep(0.5)
    assert answer is not None and "+tunis." in answer["model_version"]
    assert answer["status"] == "pending"
    fits = store.recent_fits("tunis")
    assert fits and all(fit["by"] == "background" for fit in fits)
    assert store.adapt_state("tunis", shipped.version).new_labels < 50 + 2 * 50


def test_a_sites_adapter_holds_what_it_alone_scores_as_outright_spam(app, client, store,
                                                                    sites, shipped):
    from hakam.training.adapt import SiteLabel, fit_site

    # a site whose moderators marked every comment with its word as spam
    labels = [SiteLabel(text, "spam", label, at=float(i))
              for i, (text, label) in enumerate(site_comments(300, seed=41))]
    adapter, report = fit_site(shipped, "tunis", labels, generation=1)
    assert report["heads"]["spam"]["active"]
    token = store.take_fit_lock("tunis", 30)
    assert store.store_adapter("tunis", shipped.version, token, generation=1,
                               adapter_text=adapter.to_text(), report=report,
                               labels_at_start=0, record={})
    text = f"{WORD} {WORD} {WORD} {WORD}"
    assert shipped.score(text).spam < shipped.thresholds.spam_reject

    answer = _post(client, sites["tunis"], text, 9300)

    assert answer["model_version"] == adapter.version
    assert answer["scores"]["spam"] > shipped.thresholds.spam_reject  # the adapter's score
    assert answer["status"] == "pending"  # held for a moderator, not rejected unseen
    assert answer["reasons"][0]["code"] == "spam_score"


def test_a_site_with_adapting_off_keeps_the_shipped_model(app, client, store, sites,
                                                          moderator_headers, shipped, env):
    _moderate(client, sites, moderator_headers, site_comments(160, seed=23))
    _wait_for_fits(store)
    store.configure_site("tunis", policy=SitePolicy(audit_rate=1.0, adapt=False))

    report = _adapt("tunis")

    assert report["active"] is False and "--no-adapt" in report["reason"]
    time.sleep(2.1)
    answer = _post(client, sites["tunis"], f"التحليل جيد لكن الكاتب {WORD}", 9100)
    assert answer["model_version"] == shipped.version and answer["status"] == "approved"


def test_reset_drops_the_adapter_and_the_shipped_model_scores_the_site_again(
        app, client, store, sites, moderator_headers, shipped, env):
    _adapter_in_force(client, store, sites, moderator_headers, seed=24, probe=9200)

    assert _adapt("tunis", "--reset") == {"site": "tunis", "reset": True, "active": False}

    time.sleep(2.1)
    answer = _post(client, sites["tunis"], f"التحليل جيد لكن الكاتب {WORD}", 9201)
    assert answer["model_version"] == shipped.version and answer["status"] == "approved"
    assert store.adapt_state("tunis", shipped.version).new_labels == 0  # not refitted at once


def test_the_sites_own_abuse_hold_wins_over_the_adapters(app, client, store, sites,
                                                         moderator_headers, env):
    _moderate(client, sites, moderator_headers, site_comments(160, seed=25))
    _wait_for_fits(store)
    store.configure_site("tunis", policy=SitePolicy(audit_rate=1.0, abuse_hold=0.999999))
    report = _adapt("tunis")

    assert report["threshold"] == {"abuse_hold": 0.999999, "chosen_by": "the site's --abuse-hold"}
    time.sleep(2.1)
    answer = _post(client, sites["tunis"], f"الخبر واضح يا {WORD}", 9300)
    assert "+tunis." in answer["model_version"] and answer["status"] == "approved"


def test_an_adapter_of_another_base_model_is_not_used_and_the_site_is_refitted(
        app, client, store, sites, moderator_headers, shipped, config, env, tmp_path):
    _moderate(client, sites, moderator_headers, site_comments(160, seed=26))
    _wait_for_fits(store)
    assert _adapt("tunis")["active"]
    # the same weights in another file: a retrained base model, as far as adapters go
    model = joblib.load(shipped.path)
    model["metadata"] = {**model["metadata"], "note": "retrained"}
    joblib.dump(model, tmp_path / "model.joblib", compress=3)
    retrained = Scorer.load(tmp_path)
    assert retrained.version != shipped.version
    other = create_app(config, scorer=retrained, start_workers=False).test_client()

    answer = _post(other, sites["tunis"], f"الخبر واضح يا {WORD}", 9400)

    assert answer["model_version"] == retrained.version  # the old adapter means nothing here
    # and that worker, seeing the site's labels unfitted on its model, fits them for it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not store.adapter_text("tunis", retrained.version)[1]:
        time.sleep(0.2)
    assert store.adapter_text("tunis", retrained.version)[1]
    assert store.adapter_text("tunis", shipped.version)[1]  # the old one stays for the old model


def test_a_fit_holds_the_sites_lock_and_a_second_one_waits(store, sites, redis_url):
    first = store.take_fit_lock("tunis", 30)
    assert first is not None
    assert store.take_fit_lock("tunis", 30) is None
    assert store.renew_fit_lock("tunis", first, 30)
    store.release_fit_lock("tunis", first)
    second = store.take_fit_lock("tunis", 30)
    assert second is not None and second > first  # fencing tokens only grow
    # the stale holder can neither renew nor store
    assert not store.renew_fit_lock("tunis", first, 30)
    assert not store.store_adapter("tunis", "base", first, generation=1, adapter_text="x",
                                   report={}, labels_at_start=0, record={})
    assert redis.Redis.from_url(redis_url).hget(keys.adapt("tunis"), "adapter:base") is None
    store.release_fit_lock("tunis", second)


_SLOW_START = """
import sys, time
from hakam.model import Scorer
from hakam.service.adapting import run_fit
from hakam.service.store import Store

class SlowImports:  # importing scipy and scikit-learn on a busy host: longer than the lock
    def find_spec(self, name, path=None, target=None):
        if name == "hakam.training.adapt":
            time.sleep(4)
        return None

store = Store.from_url(sys.argv[1])
scorer = Scorer.load()
sys.meta_path.insert(0, SlowImports())
token = store.take_fit_lock("tunis", 3)
print(run_fit(store, scorer, "tunis", token, lock_seconds=3, by="command")["stored"])
"""


def test_a_fit_holds_its_lock_from_the_moment_it_takes_it(store, sites, redis_url):
    """However long a fit takes to get going, its lock does not run out under it."""
    import subprocess
    import sys

    for text, label in site_comments(120, seed=34):
        store.record_label(text, "abuse", label, "moderator", site="tunis")
    fit = subprocess.run([sys.executable, "-c", _SLOW_START, redis_url], capture_output=True,
                         text=True, timeout=120)
    assert fit.returncode == 0, fit.stderr
    assert fit.stdout.split() == ["True"], fit.stdout  # stored
    assert store.recent_fits("tunis")[0]["by"] == "command"


def test_the_worker_holds_a_background_fits_lock_while_its_process_lives(store, sites,
                                                                        shipped, redis_url):
    """The fit's process needs seconds to start before its own heartbeat runs; the worker that
    took the lock holds it meanwhile, and stops once the process is gone (killed: the lock
    runs out)."""
    import subprocess
    import sys

    from hakam.service.adapting import SiteAdapters

    adapters = SiteAdapters(store, shipped, redis_url=redis_url, lock_seconds=1)
    token = store.take_fit_lock("tunis", 1)
    starting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    holder = threading.Thread(target=adapters._hold_while_running,
                              args=("tunis", token, starting))
    holder.start()
    try:
        time.sleep(3)  # three lock lengths
        assert store.r.get(keys.adapt_lock("tunis")) == str(token)
    finally:
        starting.kill()
    holder.join(10)
    assert not holder.is_alive()
    time.sleep(1.5)
    assert not store.r.exists(keys.adapt_lock("tunis"))  # ran out
    token = store.take_fit_lock("tunis", 30)
    assert token is not None
    store.release_fit_lock("tunis", token)  # the app's teardown waits for a held lock


def test_a_reset_stops_a_running_fit_from_storing_and_no_second_fit_starts_beside_it(
        store, sites, redis_url):
    running = store.take_fit_lock("tunis", 30)
    store.reset_adapter("tunis", refit=True)  # a reader's erasure, while the fit works

    assert store.take_fit_lock("tunis", 30) is None  # that fit still runs: none beside it
    assert not store.renew_fit_lock("tunis", running, 30)
    assert not store.store_adapter("tunis", "base", running, generation=1, adapter_text="x",
                                   report={}, labels_at_start=0, record={})
    assert redis.Redis.from_url(redis_url).hget(keys.adapt("tunis"), "adapter:base") is None
    store.release_fit_lock("tunis", running)  # it ends, having stored nothing
    refit = store.take_fit_lock("tunis", 30)
    assert refit is not None  # the refit without the erased labels
    store.release_fit_lock("tunis", refit)  # the app's teardown waits for a held lock


def test_of_many_workers_racing_for_a_sites_fit_exactly_one_wins(store, sites, redis_url):
    import threading

    from hakam.service.store import Store

    contenders = [Store.from_url(redis_url) for _ in range(12)]  # a connection each
    for _round in range(10):
        start = threading.Barrier(len(contenders))
        tokens: list[int | None] = []

        def contend(contender, start=start, tokens=tokens):
            start.wait()
            tokens.append(contender.take_fit_lock("tunis", 30))

        threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [token for token in tokens if token is not None]
        assert len(winners) == 1, tokens
        store.release_fit_lock("tunis", winners[0])


def test_metrics_export_each_sites_adapter(app, client, store, sites, moderator_headers, env):
    _moderate(client, sites, moderator_headers, site_comments(160, seed=27))
    _wait_for_fits(store)
    report = _adapt("tunis")

    metrics = client.get("/metrics").text

    assert 'hakam_adapter_active{site="tunis"} 1.0' in metrics
    assert 'hakam_adapter_active{site="akhbar"} 0.0' in metrics
    assert f'hakam_adapter_labels{{site="tunis"}} {float(report["labels"]["abuse"])}' in metrics
    assert (f'hakam_adapter_roc_auc{{model="adapted",site="tunis"}} '
            f'{report["roc_auc"]["adapted"]}') in metrics
    assert 'hakam_adapter_fitting{site="tunis"} 0.0' in metrics


def test_erasing_a_reader_drops_what_the_adapter_learned_and_fits_it_again(
        app, client, store, sites, moderator_headers, shipped, env):
    _adapter_in_force(client, store, sites, moderator_headers, seed=28, probe=9500)

    erased = client.post("/v1/readers/erase", headers=sites["tunis"],
                         json={"email": "reader3@example.com"})

    assert erased.get_json()["labels"] >= 1
    assert store.adapter_text("tunis", shipped.version)[1] is None  # dropped at once
    assert store.adapt_state("tunis", shipped.version).new_labels >= 50  # and due again
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not store.adapter_text("tunis", shipped.version)[1]:
        _post(client, sites["tunis"], "تعليق آخر", int(time.monotonic() * 1000))
        time.sleep(0.5)
    refitted = store.recent_fits("tunis")[0]
    assert refitted["by"] == "background" and refitted["labels"] < 300
    assert all("reader3" not in json.dumps(fit) for fit in store.recent_fits("tunis"))



def _cut_short(raw: bytes) -> bytes:  # a partial restore
    return raw[:len(raw) // 2]


def _one_byte_changed(raw: bytes) -> bytes:  # a bit flipped on disk
    middle = len(raw) // 2
    return raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1:]


@pytest.mark.parametrize("damage", [_cut_short, _one_byte_changed, lambda raw: b""])
def test_a_damaged_adapter_record_scores_the_site_with_the_shipped_model(
        app, client, store, sites, shipped, damage):
    import base64

    import numpy as np

    from hakam.model.adapter import HeadAdapter

    indexes = np.arange(0, 4000, 7, dtype=np.int64)
    adapter = Adapter(site="tunis", base_version=shipped.version, generation=3, heads={
        "abuse": HeadAdapter(alpha=0.1, beta=1.0, indexes=indexes,
                             weights=np.linspace(-1, 1, len(indexes)))})
    raw = base64.b64decode(adapter.to_text())
    store.r.hset(keys.adapt("tunis"), mapping={
        f"generation:{shipped.version}": 3,
        f"adapter:{shipped.version}": base64.b64encode(damage(raw)).decode() or "="})

    for n in range(2):
        answer = _post(client, sites["tunis"], "شكرا على هذا التقرير المفصل", 9600 + n)
        assert answer["model_version"] == shipped.version
