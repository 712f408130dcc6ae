"""Adapters under real load: several gunicorn workers in two instances share one Redis, each may
decide a site is due a fit, and still one fit runs at a time; a fit killed on the way leaves
the site's adapter as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from hakam.model import Scorer
from hakam.service.policy import SitePolicy
from hakam.service.store import Store, keys
from tests.hakam_server import HakamServer
from tests.site_fixture import WORD, site_comments


def _post(base: str, key: str, text: str, n: int) -> dict:
    response = requests.post(f"{base}/v1/comments", headers={"Authorization": f"Bearer {key}"},
                             json={"comment": text, "author": f"قارئ {n}",
                                   "email": f"r{n}@example.com", "comment_post_ID": "3"},
                             timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def _decide_all(bases: list[str], token: str, verdicts: dict[str, int]) -> None:
    """Moderators on both instances claim and decide, four at a time."""
    headers = {"Authorization": f"Bearer {token}"}

    def work(base: str) -> None:
        while True:
            claimed = requests.post(f"{base}/v1/review/claim", headers=headers,
                                    json={"limit": 10, "site": "tunis"}, timeout=10).json()
            if not claimed["comments"]:
                return
            for item in claimed["comments"]:
                decision = "reject" if verdicts[item["id"]] else "approve"
                requests.post(f"{base}/v1/review/{item['id']}/decision", headers=headers,
                              json={"decision": decision}, timeout=10)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, bases * 2))


def _settled(store: Store, base_version: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = store.adapt_state("tunis", base_version)
        if not state.fitting and state.new_labels < 50:
            return
        time.sleep(0.3)
    raise AssertionError(f"fits did not settle: {store.adapt_state('tunis', base_version)}")


def test_two_instances_of_two_workers_never_fit_one_site_at_once(redis_url, tmp_path):
    store = Store.from_url(redis_url)
    key, _ = store.create_site("tunis")
    store.configure_site("tunis", policy=SitePolicy(audit_rate=1.0))
    moderator = store.create_moderator("salma")
    base_version = Scorer.load().version
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    servers = [HakamServer(redis_url, tmp_path / name, workers=2).start()
               for name in ("one", "two")]
    try:
        bases = [server.url for server in servers]
        comments = site_comments(360, seed=31)
        # in waves: each wave's decisions, made at once on every worker of both instances, make
        # the site due a fit on several of them at the same moment
        for wave in range(4):
            batch = range(wave * 90, (wave + 1) * 90)
            with ThreadPoolExecutor(4) as pool:
                answers = list(pool.map(lambda n: _post(bases[n % 2], key, comments[n][0], n),
                                        batch))
            verdicts = {answer["id"]: comments[n][1] for answer, n in zip(answers, batch,
                                                                           strict=True)}
            _decide_all(bases, moderator, verdicts)
            _settled(store, base_version)

        fits = sorted(store.recent_fits("tunis"), key=lambda fit: fit["started_at"])
        assert len(fits) >= 3, fits
        for earlier, later in zip(fits, fits[1:], strict=False):
            assert earlier["finished_at"] <= later["started_at"], (earlier, later)
            assert earlier["token"] < later["token"]
        assert all(fit["by"] == "background" for fit in fits)
        latest = fits[-1]["model_version"]
        assert "+tunis." in latest
        # every worker of both instances scores with the newest adapter within seconds
        time.sleep(2.5)
        with ThreadPoolExecutor(8) as pool:
            versions = set(pool.map(
                lambda n: _post(bases[n % 2], key, f"الخبر واضح يا {WORD}", 5000 + n)[
                    "model_version"], range(40)))
        assert versions == {latest}
    finally:
        for server in servers:
            server.stop()


def _adapt(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hakam.service.cli", "sites", "adapt", "tunis",
                           *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_fit_killed_mid_way_leaves_the_previous_adapter_in_force(redis_url, tmp_path):
    store = Store.from_url(redis_url)
    store.create_site("tunis")
    for text, label in site_comments(300, seed=32):
        store.record_label(text, "abuse", label, "moderator", site="tunis")
    env = {**os.environ, "REDIS_URL": redis_url, "HAKAM_DATA_DIR": str(tmp_path),
           "HAKAM_ADAPT_LOCK_SECONDS": "3"}
    env.pop("HAKAM_MODEL", None)
    first = _adapt(env)
    assert first.returncode == 0, first.stderr
    base_version = Scorer.load().version
    generation, adapter = store.adapter_text("tunis", base_version)
    assert adapter and generation == 1
    for text, label in site_comments(2000, seed=33)[300:]:
        store.record_label(text, "abuse", label, "moderator", site="tunis")

    fit = subprocess.Popen([sys.executable, "-m", "hakam.service.cli", "sites", "adapt",
                            "tunis"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        for line in fit.stderr:
            if "fitting the adapter" in line:
                break
        assert fit.poll() is None  # fitting now
        os.kill(fit.pid, signal.SIGKILL)
    finally:
        fit.kill()
        fit.wait(10)

    assert store.adapter_text("tunis", base_version) == (1, adapter)  # as it was
    assert len(store.recent_fits("tunis")) == 1
    assert store.r.exists(keys.adapt_lock("tunis"))  # the dead fit's lock, running out
    deadline = time.monotonic() + 10
    while store.r.exists(keys.adapt_lock("tunis")) and time.monotonic() < deadline:
        time.sleep(0.1)
    again = _adapt(env)
    assert again.returncode == 0, again.stderr
    assert store.adapter_text("tunis", base_version)[0] == 2
