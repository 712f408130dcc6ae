"""Every Redis key and script Hakam uses; nothing else in the codebase talks to Redis.

The keyspace is mapped in one table, in `keys.py`. The store is one object, `Store`, made of
parts that each own one concern, each a module of this package:

- `sites`, `moderators`, `secret_keys`: the global registry (never touched by a script);
- `discussion`: rules per post and per section, part of a site's settings;
- `intake`: comment intake, the hot path; `comments`: reading comments, id → site;
- `review`: the queue, leases and decisions; `labels`: labels and the audit trail;
- `webhooks`: the outbox; `migrate`: upgrading a store from the first layout;
- `readers`: a reader's data found by reader, exported, erased, and dropped after retention;
- `authors`: an author's record on a site and moderators' actions on them;
- `campaigns`: groups of near-duplicate comments as the queue reads them, and erasure;
- `queue_health`: how old the oldest held comment is, how long decisions took;
- `adapters`: per-site adapters, the label count they are refitted at, the lock a fit runs under;
- `connection`: the client, running the Lua scripts, Redis errors as 503s;
- `scripts`: each Lua script (in `lua/`) and its named, ordered keys and arguments.

Accepting, claiming and deciding are each one Lua script over the keys of one site (one hash
tag), so a comment is in exactly one state whatever crashes: a worker killed mid-request either
stored the whole comment or nothing.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, current_app
from redis.cluster import RedisCluster

from . import keys, scripts
from .adapters import Adapters, AdaptState
from .authors import Authors
from .campaigns import Campaigns
from .comments import Comments
from .connection import UNAVAILABLE, DirectScript, client_from_url
from .discussion import Discussion
from .intake import Intake
from .labels import Labels, NewLabel
from .migrate import Migration, MigrationBusy, MigrationReport
from .moderators import Moderator, Moderators
from .queue_health import QueueHealth
from .readers import Erasure, Readers
from .reports import REPORT_REASONS, ReportOutcome, Reports
from .review import DECISION_LABELS, Review
from .secret_keys import SecretKeys
from .sites import Site, Sites
from .webhooks import Outbox

log = logging.getLogger("hakam.store")


class Store(Sites, Discussion, Moderators, SecretKeys, Intake, Comments, Review, Labels,
            Outbox, Readers, Reports, Authors, Adapters, QueueHealth, Campaigns, Migration):
    def __init__(self, client: redis.Redis | RedisCluster, flood_seconds: int = 15,
                 lease_seconds: int = 300, replica_acks: int | None = None,
                 replica_timeout_ms: int = 250):
        """`replica_acks`: replicas that must acknowledge each stored comment and decision
        (WAIT) before it is answered; None: 1 on a cluster or on a Redis that has replicas."""
        self.r = client
        self.cluster = isinstance(client, RedisCluster)
        self.flood_seconds = flood_seconds
        self.lease_seconds = lease_seconds
        self.replica_acks = (self._replicas_by_default() if replica_acks is None
                             else replica_acks)
        durable = {"replica_acks": self.replica_acks, "replica_timeout_ms": replica_timeout_ms}
        self._accept = DirectScript(client, scripts.INTAKE.text, **durable)
        self._replay = DirectScript(client, scripts.REPLAY.text, **durable)
        # past the pool, as intake: a nudged POST makes this call in place of intake's
        self._open_nudge = DirectScript(client, scripts.NUDGE.text)
        self._decide = DirectScript(client, scripts.DECIDE.text, **durable)
        self._erase = DirectScript(client, scripts.ERASE.text, **durable)  # erased means erased
        self._claim = client.register_script(scripts.CLAIM.text)
        self._take_delivery = client.register_script(scripts.TAKE_DELIVERY.text)
        self._delivery_failed = client.register_script(scripts.DELIVERY_FAILED.text)
        self._label = client.register_script(scripts.LABEL.text)
        self._retain = client.register_script(scripts.RETAIN.text)
        self._record_labels_once = client.register_script(scripts.RECORD_LABELS_ONCE.text)
        self._take_fit_lock = client.register_script(scripts.TAKE_FIT_LOCK.text)
        self._renew_fit_lock = client.register_script(scripts.RENEW_FIT_LOCK.text)
        self._store_adapter = client.register_script(scripts.STORE_ADAPTER.text)
        self._reset_adapter = client.register_script(scripts.RESET_ADAPTER.text)
        self._campaign_forget = client.register_script(scripts.CAMPAIGN_FORGET.text)
        self._create_site = client.register_script(scripts.CREATE_SITE.text)
        self._report = client.register_script(scripts.REPORT.text)
        self._erase_reports = client.register_script(scripts.ERASE_REPORTS.text)
        self._author_action = DirectScript(client, scripts.AUTHOR_ACTION.text, **durable)
        self._forget_author = client.register_script(scripts.FORGET_AUTHOR.text)
        self._link_site_comment = client.register_script(scripts.LINK_SITE_COMMENT.text)
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

    def accepts_writes(self) -> bool:
        """Whether Redis (every master of a cluster) takes writes: while it cannot write its
        AOF (a full disk, a failing one) it refuses them all, though it still answers PING."""
        try:
            if self.cluster:
                infos = list(self.r.info("persistence",
                                         target_nodes=RedisCluster.PRIMARIES).values())
            else:
                infos = [self.r.info("persistence")]
        except redis.RedisError:
            return False
        return all(info.get("aof_last_write_status", "ok") == "ok" for info in infos)

    def eviction_policies(self) -> dict[str, str]:
        """maxmemory-policy of every master (of the one Redis: keyed "redis")."""
        # INFO works where CONFIG is renamed away, as on many managed Redis offerings.
        if not self.cluster:
            return {"redis": str(self.r.info("memory").get("maxmemory_policy", "unknown"))}
        per_node = self.r.info("memory", target_nodes=RedisCluster.PRIMARIES)
        return {node: str(info.get("maxmemory_policy", "unknown"))
                for node, info in per_node.items()}

    def replica_shortfall(self) -> list[str]:
        """Masters with fewer connected replicas than HAKAM_REPLICA_ACKS asks for: every
        comment on them will be answered 503 until a replica is back."""
        if not self.replica_acks:
            return []
        if self.cluster:
            per_node = self.r.info("replication", target_nodes=RedisCluster.PRIMARIES)
        else:
            per_node = {"redis": self.r.info("replication")}
        return [node for node, info in per_node.items()
                if int(info.get("connected_slaves", 0)) < self.replica_acks]

    def _replicas_by_default(self) -> int:
        if self.cluster:
            return 1
        try:
            return 1 if int(self.r.info("replication").get("connected_slaves", 0)) else 0
        except UNAVAILABLE:  # not reachable yet: a Redis with no replicas is the common case
            return 0


def init_app(app: Flask, config) -> Store:
    store = Store.from_url(config.redis_url, flood_seconds=config.flood_seconds,
                           lease_seconds=config.lease_seconds, replica_acks=config.replica_acks,
                           replica_timeout_ms=config.replica_timeout_ms)
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
    except UNAVAILABLE as error:  # the start's Redis check says so too
        log.warning("could not check the store's layout (%s); run `hakam migrate` if it was "
                    "written by an older Hakam", type(error).__name__)
        return
    if not report.already_done:
        for line in report.lines():
            log.info("store migration: %s", line)


def get_store() -> Store:
    return current_app.extensions["hakam.store"]


__all__ = ["AdaptState", "DECISION_LABELS", "Erasure", "MigrationBusy",
           "MigrationReport", "Moderator", "NewLabel", "REPORT_REASONS", "ReportOutcome", "Site",
           "Store", "get_store", "init_app", "keys"]
