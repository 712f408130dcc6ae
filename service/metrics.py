"""Prometheus metrics at /metrics: requests by status, decisions, queue depth, scoring latency.

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

REQUESTS = Counter("hakam_requests_total", "HTTP requests answered", ["endpoint", "status"])
DECISIONS = Counter("hakam_decisions_total", "Comment decisions", ["status", "source"])
SCORING_SECONDS = Histogram(
    "hakam_scoring_seconds", "Time to score one comment (both heads, with explanations)",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0),
)
REQUEST_SECONDS = Histogram("hakam_request_seconds", "Request latency", ["endpoint"])


class _QueueDepth:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        from .store import get_store

        family = GaugeMetricFamily("hakam_queue_depth", "Comments held for review", labels=["site"])
        with self.app.app_context():
            try:
                store = get_store()
                for site in store.list_sites():
                    family.add_metric([site.name], store.queue_depth(site.name))
            except Exception:  # a scrape must not fail because Redis is down
                pass
        yield family


def _registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, DECISIONS, SCORING_SECONDS, REQUEST_SECONDS):
            registry.register(collector)
    registry.register(_QueueDepth(app))
    return registry


def init_app(app: Flask) -> None:
    registry = _registry(app)

    def metrics():
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
