"""Prometheus metrics at /metrics: requests by status, decisions, nudges, queue depth and age,
decision latency, scoring latency, each site's adapter.

Under gunicorn each worker is its own process, so counters use prometheus-client's multiprocess
mode whenever PROMETHEUS_MULTIPROC_DIR is set (service/server.py sets it before forking). Queue
depth is read from Redis at scrape time, so it is right whichever worker answers.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from . import queue_health

REQUESTS = Counter("hakam_requests_total", "HTTP requests answered", ["endpoint", "status"])
DECISIONS = Counter("hakam_decisions_total", "Comment decisions", ["status", "source"])
NUDGES = Counter("hakam_nudges_total", "Nudges before an abusive comment, by what came of "
                 "them: shown, edited (resent with a lower abuse score), posted_anyway, "
                 "abandoned (no resend within an hour)", ["site", "outcome"])
SCORING_SECONDS = Histogram(
    "hakam_scoring_seconds", "Time to score one comment (both heads, with explanations)",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0),
)
REQUEST_SECONDS = Histogram("hakam_request_seconds", "Request latency", ["endpoint"])
DECISION_LATENCY = Histogram(
    "hakam_decision_latency_seconds", "Seconds from a held comment's arrival to a moderator's "
    "decision on it", ["site"], buckets=queue_health.PROMETHEUS_BUCKETS)


class _QueueDepth:
    """Each site's queue, read from Redis at scrape time: how many comments wait, and how long
    the oldest held one has waited."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from .store import get_store

        depth = GaugeMetricFamily("hakam_queue_depth", "Comments held for review", labels=["site"])
        oldest = GaugeMetricFamily("hakam_queue_oldest_seconds", "Age of the site's oldest held "
                                   "comment (0 when none is held)", labels=["site"])
        with self.app.app_context():
            try:
                store = get_store()
                now = time.time()
                for site in store.list_sites():
                    depth.add_metric([site.name], store.queue_depth(site.name))
                    oldest.add_metric([site.name], store.oldest_held_age(site.name, now=now))
            except Exception:  # a scrape must not fail because Redis is down
                pass
        yield depth
        yield oldest


class _SiteAdapters:
    """Each site's adapter, read from Redis at scrape time (any worker answers the same): in
    force or not, its generation, the labels it learned from and those since, its out-of-fold
    ROC-AUC against the shipped model's, its hold threshold, whether a fit runs."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from .store import get_store

        site = ["site"]
        families = {
            "active": GaugeMetricFamily("hakam_adapter_active", "1 when the site's comments "
                                        "are scored with its own adapter", labels=site),
            "generation": GaugeMetricFamily("hakam_adapter_generation", "Fits of the site's "
                                            "adapter on the served model", labels=site),
            "labels": GaugeMetricFamily("hakam_adapter_labels", "Labels the site's last fit "
                                        "learned from (abuse head)", labels=site),
            "new": GaugeMetricFamily("hakam_adapter_new_labels", "The site's labels since its "
                                     "last fit began", labels=site),
            "fitting": GaugeMetricFamily("hakam_adapter_fitting", "1 while a fit of the site's "
                                         "adapter runs", labels=site),
            "auc": GaugeMetricFamily("hakam_adapter_roc_auc", "Out-of-fold abuse ROC-AUC on the "
                                     "site's labels", labels=["site", "model"]),
            "hold": GaugeMetricFamily("hakam_adapter_abuse_hold", "Abuse hold threshold the "
                                      "site's adapter chose", labels=site),
        }
        with self.app.app_context():
            try:
                store = get_store()
                version = self.app.extensions["hakam.scorer"].version
                for entry in store.list_sites():
                    name = entry.name
                    state = store.adapt_state(name, version)
                    report = store.adapter_report(name, version) or {}
                    in_force = bool(report.get("active")) and entry.policy.adapt
                    families["active"].add_metric([name], 1.0 if in_force else 0.0)
                    families["generation"].add_metric([name], state.generation)
                    families["new"].add_metric([name], state.new_labels)
                    families["fitting"].add_metric([name], 1.0 if state.fitting else 0.0)
                    abuse = (report.get("heads") or {}).get("abuse") or {}
                    families["labels"].add_metric([name], (abuse.get("labels") or {}).get(
                        "used", 0))
                    for model, key in (("shipped", "base"), ("adapted", "adapted")):
                        value = (abuse.get("roc_auc") or {}).get(key)
                        if value is not None:
                            families["auc"].add_metric([name, model], value)
                    threshold = (report.get("abuse_hold") or {}).get("threshold")
                    if in_force and threshold is not None:
                        families["hold"].add_metric([name], threshold)
            except Exception:  # a scrape must not fail because Redis is down
                pass
        yield from families.values()


def _registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, DECISIONS, NUDGES, SCORING_SECONDS, REQUEST_SECONDS,
                          DECISION_LATENCY):
            registry.register(collector)
    registry.register(_QueueDepth(app))
    registry.register(_SiteAdapters(app))
    return registry


def init_app(app: Flask) -> None:
    registry = _registry(app)

    def metrics():
        """Prometheus metrics of this worker's process, in the text exposition format."""
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])

    @app.before_request
    def _start_timer():
        g._hakam_started = time.perf_counter()

    @app.after_request
    def _count(response):
        # The route's pattern, never the concrete path: ids stay out of label values.
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(endpoint, str(response.status_code)).inc()
        started = g.get("_hakam_started")
        if started is not None:
            REQUEST_SECONDS.labels(endpoint).observe(time.perf_counter() - started)
        return response
