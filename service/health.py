"""Liveness and readiness: /healthz says the process answers, /readyz that it can do its job."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .store import get_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Readiness: Redis answers and takes writes, and the model is loaded (else 503)."""
    store = get_store()
    redis_answers = store.ping()
    checks = {"redis": redis_answers, "redis_writes": redis_answers and store.accepts_writes(),
              "model": "hakam.scorer" in current_app.extensions}
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "not_ready", checks=checks), 200 if ready else 503
