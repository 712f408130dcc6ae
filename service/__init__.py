"""Hakam service: the Flask app, its Redis store and the `hakam` CLI.

`create_app` is the only place the app is assembled.
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from flask import Flask

from .config import Config, ConfigError

log = logging.getLogger("hakam")


def _check_redis(store, config: Config) -> None:
    """Refuse to start on a Redis that may evict queued comments; tolerate one that is down."""
    try:
        policy = store.eviction_policy()
    except redis.RedisError as error:
        log.warning("Redis is not reachable yet (%s); comment intake answers 503 until it is",
                    type(error).__name__)
        return
    if policy != "noeviction":
        raise ConfigError(
            f"Redis maxmemory-policy is {policy!r}; Hakam needs 'noeviction' so that held "
            "comments are never silently evicted (set it in redis.conf or with "
            "CONFIG SET maxmemory-policy noeviction)")


def create_app(config: Config | None = None, *, scorer=None, start_workers: bool = True) -> Flask:
    from . import (
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
        review,
        scoring,
        sessions,
        store,
    )
    from .webhooks import Deliverer

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
    scoring.init_app(app, config.model_path, scorer=scorer)
    i18n.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(comments.bp, url_prefix="/v1")
    app.register_blueprint(feedback.bp, url_prefix="/v1")
    app.register_blueprint(review.bp, url_prefix="/v1")
    app.register_blueprint(moderate.bp, url_prefix="/moderate")
    compat.init_app(app, config.max_body_bytes)

    if start_workers:
        deliverer = Deliverer(the_store, timeout=config.webhook_timeout,
                              max_attempts=config.webhook_max_attempts)
        deliverer.start()
        app.extensions["hakam.deliverer"] = deliverer
    return app


__all__ = ["Config", "ConfigError", "create_app"]
