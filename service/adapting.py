"""Each site's adapter in the service: the model a site's comments are scored with, kept fresh in
every worker, and refitted in the background as the site's labels come in.

A worker keeps each site's compiled adapter (`SiteModel`) and asks Redis at most every
REFRESH_SECONDS whether it changed (one HMGET), so a new adapter is in use everywhere within
seconds of being stored. The same look tells it when the site has REFIT_EVERY labels more than
its last fit began from; it then takes the site's fit lock (one fit at a time per site, across
workers and instances) and starts `python -m hakam.service.adapting` for it, a process of its
own (at low priority, so requests keep their cores), which fits (hakam.training.adapt), stores
the outcome under the lock's fencing token and exits. The lock is renewed from the moment it is
taken: by the worker while the process lives, and by the fit's own heartbeat, started before
its slow imports. No process has to be run for this; a fit killed on the way stores nothing,
its lock runs out, and the next look starts another.

`hakam sites adapt NAME` runs the same fit in the foreground (`run_fit`).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace

from hakam.model import Thresholds
from hakam.model.adapter import Adapter, SiteColumns

from .errors import StoreUnavailable

log = logging.getLogger("hakam.adapting")

REFIT_EVERY = 50  # new labels after which a site's adapter is fitted again
REFRESH_SECONDS = 2.0  # how stale a worker's view of a site's adapter may be
RESPAWN_SECONDS = 10.0  # a worker starts at most one fit of a site this often (a fit that
# crashes before storing anything is not restarted in a loop)


@dataclass(frozen=True)
class SiteModel:
    """What a site's comments are scored with: the shipped model, or it with the site's
    adapter (`columns`), its version (`60dcdde65da5743f+akhbar.7`) and thresholds."""

    version: str
    thresholds: Thresholds
    columns: SiteColumns | None = None


@dataclass
class _Known:
    checked: float
    generation: int
    model: SiteModel


class SiteAdapters:
    """One worker's view of every site's adapter (see the module docstring)."""

    def __init__(self, store, scorer, *, redis_url: str | None, lock_seconds: float) -> None:
        self.store = store
        self.scorer = scorer
        self.redis_url = redis_url
        self.lock_seconds = lock_seconds
        # a scorer that cannot compile an adapter (a test's scripted one) scores every site alike
        self.enabled = hasattr(scorer, "compile_adapter") and getattr(scorer, "path", None)
        self.shipped = SiteModel(scorer.version, scorer.thresholds)
        self._known: dict[str, _Known] = {}
        self._spawned: dict[str, float] = {}

    def model_for(self, site) -> SiteModel:
        """The model to score `site`'s comments with (a Site of the store)."""
        if not self.enabled or not site.policy.adapt:
            return self.shipped
        now = time.monotonic()
        known = self._known.get(site.name)
        if known is not None and known.checked > now - REFRESH_SECONDS:
            return known.model
        try:
            state = self.store.adapt_state(site.name, self.scorer.version)
        except StoreUnavailable:  # the request answers 503 at the store anyway
            return known.model if known else self.shipped
        if known is None or known.generation != state.generation:
            model = self._load(site.name)
        else:
            model = known.model
        self._known[site.name] = _Known(now, state.generation, model)
        self._fit_if_due(site.name, state)
        return model

    def labels_added(self, site_name: str) -> None:
        """After a decision or feedback: start the site's fit if it is now due."""
        if not self.enabled:
            return
        try:
            site = self.store.get_site(site_name)
            if site is not None and site.policy.adapt:
                self._fit_if_due(site_name, self.store.adapt_state(site_name,
                                                                   self.scorer.version))
        except StoreUnavailable:
            pass  # the next look, once Redis is back, starts it

    def _load(self, site_name: str) -> SiteModel:
        try:
            _generation, text = self.store.adapter_text(site_name, self.scorer.version)
            if not text:
                return self.shipped
            columns = self.scorer.compile_adapter(Adapter.from_text(text))
        except ValueError as error:  # a damaged record, or another model's: the shipped one
            log.warning("the adapter of site %s cannot be used (%s); scoring with the shipped "
                        "model", site_name, error)
            return self.shipped
        thresholds = self.scorer.thresholds
        if columns.abuse_hold is not None:
            thresholds = replace(thresholds, abuse_hold=columns.abuse_hold)
        log.info("site %s is scored with adapter %s", site_name, columns.version)
        return SiteModel(columns.version, thresholds, columns)

    def _fit_if_due(self, site_name: str, state) -> None:
        if state.new_labels < REFIT_EVERY or state.fitting:
            return
        now = time.monotonic()
        if self._spawned.get(site_name, -RESPAWN_SECONDS) > now - RESPAWN_SECONDS:
            return
        token = self.store.take_fit_lock(site_name, self.lock_seconds)
        if token is None:
            return  # another worker or instance fits it
        self._spawned[site_name] = now
        env = {**os.environ, "HAKAM_MODEL": str(self.scorer.path)}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url  # the environment, never argv: it may hold a password
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "hakam.service.adapting", site_name, str(token),
                 self.scorer.version], env=env, stdin=subprocess.DEVNULL)
        except OSError as error:
            self.store.release_fit_lock(site_name, token)
            log.warning("could not start the adapter fit of site %s: %s", site_name, error)
            return
        log.info("fitting the adapter of site %s in process %d (%d new labels)", site_name,
                 process.pid, state.new_labels)
        threading.Thread(target=self._hold_while_running, args=(site_name, token, process),
                         name="hakam-adapt-reaper", daemon=True).start()

    def _hold_while_running(self, site_name: str, token: int, process) -> None:
        """Renew the fit's lock while its process lives, and reap it. The process needs
        seconds before its own heartbeat runs (an interpreter, scipy and the model to load, at
        low priority: on a busy host longer than the lock); this worker took the lock, so it
        holds it till then. Once the process ends, stored or killed, it renews no more: a
        killed fit's lock runs out."""
        while True:
            try:
                process.wait(timeout=self.lock_seconds / 3)
                return
            except subprocess.TimeoutExpired:
                pass
            try:
                if not self.store.renew_fit_lock(site_name, token, self.lock_seconds):
                    break  # stored, reset or run out: no longer this fit's to hold
            except StoreUnavailable:
                continue
        process.wait()


class _Heartbeat:
    """Renews a fit's lock while it works, so that only a fit that stopped loses it."""

    def __init__(self, store, site: str, token: int, lock_seconds: float) -> None:
        self.store, self.site, self.token, self.lock_seconds = store, site, token, lock_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hakam-adapt-lock", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.lock_seconds / 3):
            try:
                if not self.store.renew_fit_lock(self.site, self.token, self.lock_seconds):
                    return  # lost: store_adapter.lua will refuse what this fit makes
            except StoreUnavailable:
                continue


def wait_for_fit_lock(store, site: str, lock_seconds: float, patience: float) -> int | None:
    """A fencing token for a fit of `site`, waiting up to `patience` seconds for one that runs."""
    deadline = time.monotonic() + patience
    while True:
        token = store.take_fit_lock(site, lock_seconds)
        if token is not None or time.monotonic() > deadline:
            return token
        time.sleep(0.2)


def run_fit(store, scorer, site_name: str, token: int, *, lock_seconds: float, by: str,
            say=log.info) -> dict:
    """Fit the site's adapter on all its labels under the lock `token` holds, store the outcome
    (an adapter, or the gate's refusal) and return the report."""
    started = time.time()
    stored = False
    try:
        # renewing from the start: the lock is already held, and importing scipy and
        # scikit-learn takes seconds on a busy host (longer than a short lock)
        with _Heartbeat(store, site_name, token, lock_seconds):
            from hakam.training.adapt import SiteLabel, fit_site

            site = store.get_site(site_name)
            if site is None:
                raise KeyError(site_name)
            state = store.adapt_state(site_name, scorer.version)
            labels = [SiteLabel(**label) for label in store.site_labels(site_name)]
            say(f"fitting the adapter of site {site_name} on {len(labels)} labels")
            generation = state.generation + 1
            adapter, report = fit_site(scorer, site_name, labels, generation=generation,
                                       recall_target=site.policy.abuse_recall,
                                       trusted_domains=site.policy.trusted_domains)
            finished = time.time()
            report.update(generation=generation, fitted_at=finished, by=by)
            record = {"token": token, "started_at": started, "finished_at": finished,
                      "labels": len(labels), "active": report["active"],
                      "generation": generation, "seconds": report["seconds"], "by": by,
                      "pid": os.getpid(), "model_version": report["model_version"]}
            for task, head in report["heads"].items():
                if "roc_auc" in head:
                    record[f"{task}_roc_auc"] = head["roc_auc"]
            stored = store.store_adapter(
                site_name, scorer.version, token, generation=generation,
                adapter_text=adapter.to_text() if adapter is not None else None,
                report=report, labels_at_start=state.labels, record=record)
    finally:
        # storing frees the lock; a fit that failed, or whose adapter was reset meanwhile (the
        # lock stays held for it, so that no second fit starts beside it), frees it here
        if not stored:
            try:
                store.release_fit_lock(site_name, token)
            except StoreUnavailable:
                pass  # it runs out by itself
    report["stored"] = stored
    if not stored:
        report["reason_not_stored"] = ("the fit's lock ran out while it worked, or the adapter "
                                       "was reset meanwhile: nothing was stored")
    return report


def summary(report: dict, policy) -> dict:
    """A fit's report as `hakam sites adapt` prints it: the figures first, every head's detail
    after. `active`: the site's comments are scored with this adapter now (the gate passed, it
    was stored, and the site has adapting on)."""
    abuse = report["heads"]["abuse"]
    hold = report["abuse_hold"]
    if policy.abuse_hold is not None:
        threshold = {"abuse_hold": policy.abuse_hold, "chosen_by": "the site's --abuse-hold"}
    elif report["active"] and hold.get("threshold") is not None:
        threshold = {"abuse_hold": hold["threshold"], "chosen_by": hold["chosen_on"],
                     "recall_target": hold["recall_target"]}
    else:
        threshold = {"abuse_hold": hold["shipped"], "chosen_by": "the shipped model",
                     "why": hold.get("reason", "")}
    if "estimated_recall" in hold and policy.abuse_hold is None:
        # audit labels weighed by 1 / their rate: the share of the site's abuse held
        threshold["estimated_recall"] = hold["estimated_recall"]
    in_force = report["active"] and report.get("stored", True) and policy.adapt
    out = {"site": report["site"], "active": bool(in_force),
           "model_version": report["model_version"] if in_force else report["base_version"],
           "labels": {task: head["labels"]["used"] for task, head in report["heads"].items()},
           "roc_auc": abuse.get("roc_auc"), "threshold": threshold}
    reasons = []
    if not report["active"]:
        reasons.append(report.get("reason", ""))
    if report["active"] and not policy.adapt:
        reasons.append("the site has adapting turned off (--no-adapt): the shipped model "
                       "scores it; `hakam sites configure NAME --adapt` turns it on")
    if not report.get("stored", True):
        reasons.append(report["reason_not_stored"])
    if reasons:
        out["reason"] = "; ".join(reasons)
    out.update(seconds=report["seconds"], heads=report["heads"])
    return out


def main(argv: list[str] | None = None) -> int:
    """The background fit: `python -m hakam.service.adapting SITE TOKEN BASE_VERSION`, with
    REDIS_URL and HAKAM_MODEL in the environment (SiteAdapters starts it)."""
    from hakam.model import Scorer

    from .config import Config
    from .store import Store

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    site_name, token, base = (argv if argv is not None else sys.argv[1:])
    try:
        os.nice(10)  # the service's requests first
    except OSError:
        pass
    config = Config.from_env()
    store = Store.from_url(config.redis_url)
    scorer = Scorer.load(config.model_path)
    if scorer.version != base:
        store.release_fit_lock(site_name, int(token))
        log.warning("not fitting site %s: the model is %s, the worker asked for %s", site_name,
                    scorer.version, base)
        return 1
    report = run_fit(store, scorer, site_name, int(token),
                     lock_seconds=config.adapt_lock_seconds, by="background")
    heads = report["heads"]["abuse"].get("roc_auc") or {}
    log.info("site %s: %s (%d labels; abuse ROC-AUC out of fold: shipped %s, adapted %s; "
             "%.1f s)%s", site_name,
             f"adapter {report['model_version']} active" if report["active"] else
             "the shipped model stays: " + report.get("reason", ""), report["labels"],
             heads.get("base"), heads.get("adapted"), report["seconds"],
             "" if report["stored"] else "; not stored: " + report["reason_not_stored"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
