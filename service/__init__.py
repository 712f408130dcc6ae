"""Hakam service: the Flask app, its Redis store and the `hakam` CLI.

`create_app` is the only place the app is assembled.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from .config import Config, ConfigError

log = logging.getLogger("hakam")


def _check_redis(store, config: Config) -> None:
    """Refuse to start on a Redis that may evict queued comments (any master of a cluster);
    tolerate one that is down, and warn when replica acknowledgements cannot be had."""
    from .store.connection import UNAVAILABLE

    try:
        policies = store.eviction_policies()
        short_of_replicas = store.replica_shortfall()
    except UNAVAILABLE as error:
        log.warning("Redis is not reachable yet (%s); comment intake answers 503 until it is",
                    type(error).__name__)
        return
    for node, policy in policies.items():
        if policy != "noeviction":
            where = "" if node == "redis" else f" on {node}"
            raise ConfigError(
                f"Redis maxmemory-policy is {policy!r}{where}; Hakam needs 'noeviction' so "
                "that held comments are never silently evicted (set it in redis.conf or with "
                "CONFIG SET maxmemory-policy noeviction)")
    for node in short_of_replicas:
        log.warning("Redis %s has fewer than %d replicas connected: comments and decisions it "
                    "holds are answered 503 until one is back (HAKAM_REPLICA_ACKS=0 turns "
                    "replica acknowledgements off)", node, store.replica_acks)


def create_app(config: Config | None = None, *, scorer=None, start_workers: bool = True) -> Flask:
    from . import (
        authors,
        background,
        comments,
        compat,
        errors,
        feedback,
        health,
        i18n,
        jsonio,
        metrics,
        moderate,
        openapi,
        posts,
        readers,
        review,
        scoring,
        sessions,
        store,
    )
    config = config or Config.from_env()
    if not config.redis_url:
        raise ConfigError("no Redis: set REDIS_URL, or start through `hakam serve`, which "
                          "starts the embedded one")
    # An explicit instance path: Flask cannot infer one for a package inside a namespace.
    app = Flask(__name__, instance_path=str(Path(config.data_dir).resolve()))
    app.config["HAKAM"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.config["TESTING"] = config.testing
    app.json = jsonio.OrjsonProvider(app)  # Arabic stays readable, keys keep their order

    the_store = store.init_app(app, config)
    _check_redis(the_store, config)
    app.secret_key = config.secret_key or the_store.app_secret()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PATH="/moderate",
        SESSION_COOKIE_SECURE=config.secure_cookies, PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    sessions.init_app(app)
    scoring.init_app(app, config.model_path, scorer=scorer, store=the_store, config=config)
    i18n.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(comments.bp, url_prefix="/v1")
    app.register_blueprint(feedback.bp, url_prefix="/v1")
    app.register_blueprint(posts.bp, url_prefix="/v1")
    app.register_blueprint(review.bp, url_prefix="/v1")
    app.register_blueprint(authors.bp, url_prefix="/v1")
    app.register_blueprint(readers.bp, url_prefix="/v1")
    app.register_blueprint(moderate.bp, url_prefix="/moderate")
    compat.init_app(app, config.max_body_bytes)

    if start_workers:  # under gunicorn each worker starts its own after the fork (server.py)
        background.start(app)
    return app


__all__ = ["Config", "ConfigError", "create_app"]
