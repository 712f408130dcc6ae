"""Every Redis key and script Hakam uses; nothing else in the codebase talks to Redis.

The keyspace is mapped in one table, in `keys.py`. The store is one object, `Store`, made of
parts that each own one concern, each a module of this package:

- `sites`, `moderators`, `secret_keys`: the global registry (never touched by a script);
- `intake`: comment intake, the hot path; `comments`: reading comments, id → site;
- `review`: the queue, leases and decisions; `labels`: labels and the audit trail;
- `webhooks`: the outbox; `migrate`: upgrading a store from the first layout;
- `connection`: the client, the Lua scripts (in `lua/`), Redis errors as 503s.

Accepting, claiming and deciding are each one Lua script over the keys of one site (one hash
tag), so a comment is in exactly one state whatever crashes: a worker killed mid-request either
stored the whole comment or nothing.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, current_app

from . import keys
from .comments import Comments
from .connection import DirectScript, client_from_url, lua
from .intake import Intake
from .labels import Labels, NewLabel
from .migrate import Migration, MigrationBusy, MigrationReport
from .moderators import Moderator, Moderators
from .review import DECISION_LABELS, DECISION_STATUS, Review
from .secret_keys import SecretKeys
from .sites import Site, Sites
from .webhooks import Outbox

log = logging.getLogger("hakam.store")


class Store(Sites, Moderators, SecretKeys, Intake, Comments, Review, Labels, Outbox,
            Migration):
    def __init__(self, client: redis.Redis, flood_seconds: int = 15, lease_seconds: int = 300):
        self.r = client
        self.flood_seconds = flood_seconds
        self.lease_seconds = lease_seconds
        self._accept = DirectScript(client, lua("intake"))
        self._claim = client.register_script(lua("claim"))
        self._decide = client.register_script(lua("decide"))
        self._take_delivery = client.register_script(lua("take_delivery"))
        self._record_labels_once = client.register_script(lua("record_labels_once"))
        self._keyed_hash = None
        self._site_cache = {}
        self._located = {}

    @classmethod
    def from_url(cls, url: str, **kwargs) -> Store:
        return cls(client_from_url(url), **kwargs)

    # -- health -----------------------------------------------------------------------------

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def eviction_policy(self) -> str:
        # INFO works where CONFIG is renamed away, as on many managed Redis offerings.
        return str(self.r.info("memory").get("maxmemory_policy", "unknown"))


def init_app(app: Flask, config) -> Store:
    store = Store.from_url(config.redis_url, flood_seconds=config.flood_seconds,
                           lease_seconds=config.lease_seconds)
    app.extensions["hakam.store"] = store
    _upgrade_layout(store)
    return store


def _upgrade_layout(store: Store) -> None:
    """The first start on a store of the old layout migrates it (see migrate.py)."""
    try:
        report = store.ensure_layout()
    except MigrationBusy as busy:
        log.warning("%s; starting meanwhile", busy)
        return
    except redis.RedisError as error:  # the start's Redis check says so too
        log.warning("could not check the store's layout (%s); run `hakam migrate` if it was "
                    "written by an older Hakam", type(error).__name__)
        return
    if not report.already_done:
        for line in report.lines():
            log.info("store migration: %s", line)


def get_store() -> Store:
    return current_app.extensions["hakam.store"]


__all__ = ["DECISION_LABELS", "DECISION_STATUS", "MigrationBusy", "MigrationReport",
           "Moderator", "NewLabel", "Site", "Store", "get_store", "init_app", "keys"]
