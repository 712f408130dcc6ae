"""The work each worker does outside requests: webhook deliveries and, on the same thread, the
retention sweep and the count of abandoned nudges. Assembled here alone, so that every way the
app runs (`create_app` in one process, `hakam serve`'s forked gunicorn workers) runs the same
work.

A thread does not survive a fork: gunicorn's master builds the app with `start_workers=False`
and each worker calls `start` after forking (service/server.py).
"""

from __future__ import annotations

from flask import Flask

from .config import Config
from .nudge_sweep import AbandonedNudges
from .retention import RetentionSweeper
from .webhooks import Deliverer


def start(app: Flask) -> Deliverer:
    """Start this process's background thread for `app` (once per process) and answer it."""
    config: Config = app.config["HAKAM"]
    store = app.extensions["hakam.store"]
    sweeper = RetentionSweeper(store, interval=config.retention_sweep_seconds)
    deliverer = Deliverer(store, timeout=config.webhook_timeout,
                          max_attempts=config.webhook_max_attempts,
                          chores=(sweeper.run_if_due, AbandonedNudges(store).run_if_due))
    deliverer.start()
    app.extensions["hakam.deliverer"] = deliverer
    return deliverer
