"""Every Redis key and script Hakam uses; nothing else in the codebase talks to Redis.

Keyspace (all under the ``hakam:`` prefix):

=================================  ======  =====================================================
key                                type    holds / written by
=================================  ======  =====================================================
hakam:pepper                       string  random key for hashing emails/IPs (first start)
hakam:app-secret                   string  signs moderator session cookies (first start)
hakam:sites                        set     site names (sites add)
hakam:site:{name}                  hash    language, webhook_url, webhook_secret, key_hash,
                                           rules (JSON), revoked (sites add / revoke / configure)
hakam:sitekey:{sha256}             string  site name for an API key hash (sites add)
hakam:moderator:{name}             hash    token_hash, created_at (moderators add)
hakam:modtoken:{sha256}            string  moderator name for a token hash (moderators add)
hakam:comment:{id}                 hash    comment, scores, status, decision (accept / decide)
hakam:history:{id}                 list    JSON status events, oldest first (accept / decide)
hakam:pending                      zset    held comment ids by arrival time (accept / decide)
hakam:pending:{site}               zset    the same, per site
hakam:leases                       zset    claimed comment ids by lease deadline (claim / decide)
hakam:counts:{site}                hash    comments per status (accept / decide)
hakam:approved-authors:{site}      set     keyed author hashes with an approved comment
                                           (accept / decide), for "previously approved"
hakam:idem:{site}:{sha256}         string  first answer to an Idempotency-Key, 24 h (accept)
hakam:dup:{site}:{sha256}          string  first comment id for post+author+text, 30 days (accept)
hakam:flood:{site}:{who}           string  flood marker, flood_seconds TTL (accept)
hakam:audit                        stream  every moderator decision (decide)
hakam:labels                       stream  training labels (decide, feedback)
hakam:webhook:due                  zset    webhook delivery ids by next attempt time (decide)
hakam:webhook:{delivery}           hash    site, body, attempts (decide / deliverer)
hakam:webhook:dead                 list    deliveries that ran out of attempts (deliverer)
=================================  ======  =====================================================

Accepting, claiming and deciding are each one Lua script, so a comment is in exactly one state
whatever crashes: a worker killed mid-request either stored the whole comment or nothing.
Leases are sorted-set deadlines: an expired lease simply stops counting, so the comment is
claimable again with no sweeper process.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import redis
from flask import Flask, current_app

from . import jsonio
from .errors import (
    AlreadyDecided,
    ClaimedByOther,
    Duplicate,
    Flooded,
    StoreUnavailable,
    UnknownComment,
)
from .policy import SitePolicy
from .validation import SiteRules

P = "hakam:"
IDEMPOTENCY_TTL = 24 * 3600
DUPLICATE_TTL = 30 * 24 * 3600
SITE_CACHE_SECONDS = 2.0
DECISION_STATUS = {"approve": "approved", "reject": "rejected", "spam": "spam"}
# What a moderator's decision teaches each head; "reject" is taken to mean unfit to publish
# (abusive), since spam has its own button.
DECISION_LABELS = {"approve": (("spam", 0), ("abuse", 0)), "reject": (("abuse", 1),),
                   "spam": (("spam", 1),)}


@dataclass(frozen=True)
class Site:
    name: str
    language: str = "ar"
    webhook_url: str | None = None
    rules: SiteRules = field(default_factory=SiteRules)
    policy: SitePolicy = field(default_factory=SitePolicy)
    revoked: bool = False


@dataclass(frozen=True)
class Moderator:
    name: str


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


T = TypeVar("T")


def _redis_errors_mean_unavailable(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as error:
            raise StoreUnavailable("the comment store is unreachable") from error

    return wrapper


# KEYS: idem, dup, flood_author, flood_ip ('' when no IP), comment, history, pending,
#       pending_site, counts, approved_authors
# ARGV: comment_id, status, created_at, flood_seconds, idem_ttl, dup_ttl, answer_json,
#       history_json, author_key, then field/value pairs for the comment hash
_ACCEPT = """
if KEYS[1] ~= '' then
  local first = redis.call('GET', KEYS[1])
  if first then return {'replay', first} end
end
local dup = redis.call('GET', KEYS[2])
if dup then return {'duplicate', dup} end
local flood_seconds = tonumber(ARGV[4])
if flood_seconds > 0 then
  for _, key in ipairs({KEYS[3], KEYS[4]}) do
    if key ~= '' then
      local ttl = redis.call('PTTL', key)
      if ttl > 0 then return {'flood', tostring(ttl)} end
    end
  end
end
redis.call('HSET', KEYS[5], unpack(ARGV, 10))
redis.call('RPUSH', KEYS[6], ARGV[8])
if ARGV[2] == 'pending' then
  redis.call('ZADD', KEYS[7], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[8], ARGV[3], ARGV[1])
elseif ARGV[2] == 'approved' then
  redis.call('SADD', KEYS[10], ARGV[9])
end
redis.call('HINCRBY', KEYS[9], ARGV[2], 1)
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[6])
if flood_seconds > 0 then
  for _, key in ipairs({KEYS[3], KEYS[4]}) do
    if key ~= '' then redis.call('SET', key, ARGV[1], 'EX', flood_seconds) end
  end
end
if KEYS[1] ~= '' then redis.call('SET', KEYS[1], ARGV[7], 'EX', ARGV[5]) end
return {'stored', ARGV[1]}
"""

# KEYS: pending set to draw from (global or per site), leases
# ARGV: now, deadline, limit, moderator, comment key prefix, reason code ('' for any),
#       '1' to hand back (and renew) comments this moderator already holds
_CLAIM = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local reason = ARGV[6]
local own_too = ARGV[7] == '1'
local claimed = {}
local offset = 0
local page = 100
local function has_reason(id)
  if reason == '' then return true end
  local ok, reasons = pcall(cjson.decode, redis.call('HGET', ARGV[5] .. id, 'reasons') or '[]')
  if not ok or type(reasons) ~= 'table' then return false end
  for _, r in ipairs(reasons) do
    if type(r) == 'table' and r.code == reason then return true end
  end
  return false
end
while #claimed < limit do
  local ids = redis.call('ZRANGE', KEYS[1], offset, offset + page - 1)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local lease = redis.call('ZSCORE', KEYS[2], id)
    local free = (not lease) or tonumber(lease) <= now
    if (not free) and own_too then
      free = redis.call('HGET', ARGV[5] .. id, 'lease_moderator') == ARGV[4]
    end
    if free and has_reason(id) then
      redis.call('ZADD', KEYS[2], ARGV[2], id)
      redis.call('HSET', ARGV[5] .. id, 'lease_moderator', ARGV[4], 'lease_expires_at', ARGV[2])
      claimed[#claimed + 1] = id
      if #claimed >= limit then break end
    end
  end
  offset = offset + page
end
return claimed
"""

# KEYS: comment, history, pending, pending_site, leases, counts, audit, labels,
#       webhook_due, webhook_delivery, approved_authors
# ARGV: comment_id, moderator, status, decision_json, now, history_json, audit_json,
#       labels_json (array of {task,label}), webhook_body ('' for no webhook), site, text, source
_DECIDE = """
local comment = KEYS[1]
local status = redis.call('HGET', comment, 'status')
if not status then return {'unknown', ''} end
if status ~= 'pending' then
  return {'decided', redis.call('HGET', comment, 'decision') or ''}
end
local now = tonumber(ARGV[5])
local lease = redis.call('ZSCORE', KEYS[5], ARGV[1])
if lease and tonumber(lease) > now then
  local holder = redis.call('HGET', comment, 'lease_moderator')
  if holder and holder ~= ARGV[2] then return {'claimed', holder, lease} end
end
redis.call('HSET', comment, 'status', ARGV[3], 'decision', ARGV[4])
redis.call('HDEL', comment, 'lease_moderator', 'lease_expires_at')
redis.call('RPUSH', KEYS[2], ARGV[6])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HINCRBY', KEYS[6], 'pending', -1)
redis.call('HINCRBY', KEYS[6], ARGV[3], 1)
if ARGV[3] == 'approved' then
  local author = redis.call('HGET', comment, 'author_key')
  if author then redis.call('SADD', KEYS[11], author) end
end
redis.call('XADD', KEYS[7], '*', 'record', ARGV[7])
for _, label in ipairs(cjson.decode(ARGV[8])) do
  redis.call('XADD', KEYS[8], '*', 'text', ARGV[11], 'task', label[1],
             'label', tostring(label[2]), 'source', ARGV[12], 'comment_id', ARGV[1])
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[10], 'site', ARGV[10], 'body', ARGV[9], 'attempts', 0)
  redis.call('ZADD', KEYS[9], ARGV[5], KEYS[10])
end
return {'decided_now', ARGV[4]}
"""

# KEYS: webhook_due. ARGV: now, lease_seconds. Takes one due delivery and pushes its due time
# forward by a lease, so a deliverer that dies mid-attempt only delays the retry.
_TAKE_DELIVERY = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), due[1])
return due[1]
"""


class _DirectScript:
    """A Lua script run on a connection of its own in each process and thread, past the pool.

    For the one script on the hot path, comment intake: redis-py's command path (pool checkout
    with a readiness poll, a retry wrapper, observability hooks) cost about as much CPU as the
    round trip itself, and a POST makes just this one call. What the pool does that matters here
    is kept: a connection the server closed is replaced before use, a flushed script cache is
    reloaded, and the pool's settings (timeouts, health checks) are used.

    Unlike the pool's retries, nothing is sent twice once it may have run: a connection that
    fails while the answer is awaited is dropped and the error raised (the caller answers 503),
    since a blind resend could store a comment twice.
    """

    def __init__(self, client: redis.Redis, script: str) -> None:
        self._script = client.register_script(script)
        self._pool = client.connection_pool
        self._local = threading.local()

    def _connection(self):
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # never a connection from before a fork
            local.connection, local.pid = self._pool.make_connection(), os.getpid()
        connection = local.connection
        try:
            if connection.can_read(timeout=0):  # idle yet readable: the server closed it
                connection.disconnect()
        except (redis.ConnectionError, OSError):
            connection.disconnect()
        return connection

    def __call__(self, *, keys: list, args: list):
        connection = self._connection()
        for attempt in range(2):
            try:
                connection.send_command("EVALSHA", self._script.sha, len(keys), *keys, *args)
            except (redis.ConnectionError, redis.TimeoutError):
                connection.disconnect()  # not sent, so nothing ran: once more, reconnected
                if attempt:
                    raise
                continue
            try:
                return connection.read_response()
            except redis.exceptions.NoScriptError:  # Redis restarted or its scripts were flushed
                if attempt:
                    raise
                # same script, same SHA1: loading it again is all that is needed
                self._script.registered_client.script_load(self._script.script)
            except (redis.ConnectionError, redis.TimeoutError):
                connection.disconnect()
                raise
        raise AssertionError("unreachable")


class Store:
    def __init__(self, client: redis.Redis, flood_seconds: int = 15, lease_seconds: int = 300):
        self.r = client
        self.flood_seconds = flood_seconds
        self.lease_seconds = lease_seconds
        self._accept = _DirectScript(client, _ACCEPT)
        self._claim = client.register_script(_CLAIM)
        self._decide = client.register_script(_DECIDE)
        self._take_delivery = client.register_script(_TAKE_DELIVERY)
        self._keyed_hash: hmac.HMAC | None = None
        self._site_cache: dict[str, tuple[float, Site]] = {}

    @classmethod
    def from_url(cls, url: str, **kwargs) -> Store:
        client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2,
            health_check_interval=30,
        )
        return cls(client, **kwargs)

    # -- health -----------------------------------------------------------------------------

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def eviction_policy(self) -> str:
        # INFO works where CONFIG is renamed away, as on many managed Redis offerings.
        return str(self.r.info("memory").get("maxmemory_policy", "unknown"))

    # -- privacy ----------------------------------------------------------------------------

    @_redis_errors_mean_unavailable
    def private_key(self, value: str) -> str:
        """Keyed hash of an email or IP: comparable for flood and duplicate checks, irreversible."""
        if self._keyed_hash is None:
            self.r.set(P + "pepper", secrets.token_hex(32), nx=True)
            pepper = self.r.get(P + "pepper").encode()
            self._keyed_hash = hmac.new(pepper, digestmod=hashlib.sha256)
        # a copy of the keyed state: no key set-up or digest look-up per value
        keyed = self._keyed_hash.copy()
        keyed.update(value.strip().lower().encode())
        return keyed.hexdigest()

    @_redis_errors_mean_unavailable
    def app_secret(self) -> str:
        """Signs moderator sessions; shared by every worker and kept across restarts."""
        self.r.set(P + "app-secret", secrets.token_hex(32), nx=True)
        return self.r.get(P + "app-secret")

    # -- sites ------------------------------------------------------------------------------

    @_redis_errors_mean_unavailable
    def create_site(self, name: str, webhook_url: str | None = None,
                    language: str = "ar") -> tuple[str, str]:
        if self.r.sismember(P + "sites", name):
            raise ValueError(f"a site named {name!r} already exists")
        api_key, webhook_secret = _new_secret("hk_site_"), _new_secret("hk_whsec_")
        key_hash = _sha256(api_key)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(P + f"site:{name}", mapping={
            "name": name, "language": language, "webhook_url": webhook_url or "",
            "webhook_secret": webhook_secret, "key_hash": key_hash, "revoked": "0",
            "rules": jsonio.dumps(asdict(SiteRules())),
            "policy": jsonio.dumps(asdict(SitePolicy())),
            "created_at": time.time(),
        })
        pipe.set(P + f"sitekey:{key_hash}", name)
        pipe.sadd(P + "sites", name)
        pipe.execute()
        return api_key, webhook_secret

    def _site_from_hash(self, data: dict[str, str]) -> Site:
        return Site(
            name=data["name"], language=data.get("language", "ar"),
            webhook_url=data.get("webhook_url") or None,
            rules=SiteRules(**jsonio.loads(data.get("rules") or "{}")),
            policy=SitePolicy.from_dict(jsonio.loads(data.get("policy") or "{}")),
            revoked=data.get("revoked") == "1",
        )

    @_redis_errors_mean_unavailable
    def get_site(self, name: str) -> Site | None:
        data = self.r.hgetall(P + f"site:{name}")
        return self._site_from_hash(data) if data else None

    @_redis_errors_mean_unavailable
    def site_for_key(self, api_key: str) -> Site | None:
        """The active site an API key belongs to. Every comment POST asks this, so each
        worker remembers the answer for SITE_CACHE_SECONDS: a revoked key or a changed
        setting takes effect within that time, without two Redis round trips per comment."""
        key_hash = _sha256(api_key)
        now = time.monotonic()
        cached = self._site_cache.get(key_hash)
        if cached is not None and cached[0] > now:
            return cached[1]
        name = self.r.get(P + f"sitekey:{key_hash}")
        site = self.get_site(name) if name else None
        site = site if site and not site.revoked else None
        if site is not None:
            if len(self._site_cache) > 1000:
                self._site_cache.clear()
            self._site_cache[key_hash] = (now + SITE_CACHE_SECONDS, site)
        return site

    @_redis_errors_mean_unavailable
    def webhook_secret(self, name: str) -> str | None:
        return self.r.hget(P + f"site:{name}", "webhook_secret")

    @_redis_errors_mean_unavailable
    def list_sites(self) -> list[Site]:
        return [s for s in (self.get_site(n) for n in sorted(self.r.smembers(P + "sites"))) if s]

    @_redis_errors_mean_unavailable
    def revoke_site(self, name: str) -> bool:
        key_hash = self.r.hget(P + f"site:{name}", "key_hash")
        if key_hash is None:
            return False
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(P + f"site:{name}", "revoked", "1")
        pipe.delete(P + f"sitekey:{key_hash}")
        pipe.execute()
        self._site_cache.pop(key_hash, None)
        return True

    @_redis_errors_mean_unavailable
    def configure_site(self, name: str, *, rules: SiteRules | None = None,
                       policy: SitePolicy | None = None, webhook_url: str | None = None,
                       language: str | None = None) -> Site:
        if not self.r.exists(P + f"site:{name}"):
            raise KeyError(name)
        changes: dict[str, str] = {}
        if rules is not None:
            changes["rules"] = jsonio.dumps(asdict(rules))
        if policy is not None:
            changes["policy"] = jsonio.dumps(policy.to_dict())
        if webhook_url is not None:
            changes["webhook_url"] = webhook_url
        if language is not None:
            changes["language"] = language
        if changes:
            self.r.hset(P + f"site:{name}", mapping=changes)
            self._site_cache.clear()
        return self.get_site(name)

    # -- moderators -------------------------------------------------------------------------

    @_redis_errors_mean_unavailable
    def create_moderator(self, name: str) -> str:
        old_hash = self.r.hget(P + f"moderator:{name}", "token_hash")
        token = _new_secret("hk_mod_")
        token_hash = _sha256(token)
        pipe = self.r.pipeline(transaction=True)
        if old_hash:  # re-adding a moderator rotates their token
            pipe.delete(P + f"modtoken:{old_hash}")
        pipe.hset(P + f"moderator:{name}",
                  mapping={"name": name, "token_hash": token_hash, "created_at": time.time()})
        pipe.set(P + f"modtoken:{token_hash}", name)
        pipe.execute()
        return token

    @_redis_errors_mean_unavailable
    def moderator_for_token(self, token: str) -> Moderator | None:
        name = self.r.get(P + f"modtoken:{_sha256(token)}")
        return Moderator(name) if name else None

    @_redis_errors_mean_unavailable
    def moderator_token_fingerprint(self, name: str) -> str | None:
        """A short digest of the moderator's current token (None: no such moderator).

        The moderator page keeps it in the session, so rotating a token ends older sessions.
        """
        token_hash = self.r.hget(P + f"moderator:{name}", "token_hash")
        return token_hash[:16] if token_hash else None

    @_redis_errors_mean_unavailable
    def moderator_exists(self, name: str) -> bool:
        return bool(self.r.exists(P + f"moderator:{name}"))

    # -- comments ---------------------------------------------------------------------------

    @_redis_errors_mean_unavailable
    def idempotent_answer(self, site: str, idempotency_key: str) -> dict | None:
        raw = self.r.get(P + f"idem:{site}:{_sha256(idempotency_key)}")
        return jsonio.loads(raw) if raw else None

    @_redis_errors_mean_unavailable
    def accept(self, *, site: str, comment: dict[str, Any], status: str,
               answer: Callable[[str], dict], duplicate_of: str, author_key: str,
               ip_key: str | None, idempotency_key: str | None) -> tuple[str, dict]:
        """Store a new comment atomically and return (comment_id, answer).

        `answer(comment_id)` builds the 201 body; it is saved with the comment so that a replay
        of the same Idempotency-Key gets exactly the first answer. Raises Duplicate or Flooded.
        """
        comment_id = uuid.uuid4().hex
        now = time.time()
        body = answer(comment_id)
        record = {**comment, "id": comment_id, "site": site, "status": status, "created_at": now}
        fields: list[str] = []
        for name, value in record.items():
            fields += [name, value if isinstance(value, str) else jsonio.dumps(value)]
        history = jsonio.dumps({"at": now, "status": status, "by": "hakam", "reason": ""})
        keys = [
            P + f"idem:{site}:{_sha256(idempotency_key)}" if idempotency_key else "",
            P + f"dup:{site}:{_sha256(duplicate_of)}",
            P + f"flood:{site}:author:{author_key}",
            P + f"flood:{site}:ip:{ip_key}" if ip_key else "",
            P + f"comment:{comment_id}", P + f"history:{comment_id}",
            P + "pending", P + f"pending:{site}", P + f"counts:{site}",
            P + f"approved-authors:{site}",
        ]
        argv = [comment_id, status, now, self.flood_seconds, IDEMPOTENCY_TTL, DUPLICATE_TTL,
                jsonio.dumps(body) if idempotency_key else "", history, author_key, *fields]
        outcome, value = self._accept(keys=keys, args=argv)
        if outcome == "replay":
            replay = jsonio.loads(value)
            return replay["id"], replay
        if outcome == "duplicate":
            raise Duplicate(value)
        if outcome == "flood":
            raise Flooded(retry_after=-(-int(value) // 1000))
        return comment_id, body

    @_redis_errors_mean_unavailable
    def approved_before(self, site: str, author_key: str) -> bool:
        """Whether this author (keyed hash) has had a comment approved on the site, at intake
        or by a moderator: WordPress's "previously approved comment" rule."""
        return bool(self.r.sismember(P + f"approved-authors:{site}", author_key))

    def _comment_view(self, data: dict[str, str], with_history: bool = False) -> dict:
        view = {
            "id": data["id"], "site": data["site"], "status": data["status"],
            "scores": jsonio.loads(data.get("scores", "{}")),
            "reasons": jsonio.loads(data.get("reasons", "[]")),
            "model_version": data.get("model_version", ""),
            "text": data.get("text", ""), "author": data.get("author", ""),
            "url": data.get("url") or None, "post_id": data.get("post_id", ""),
            "post_url": data.get("post_url") or None,
            "created_at": float(data.get("created_at", 0)),
        }
        if data.get("lease_moderator"):
            view["lease"] = {"moderator": data["lease_moderator"],
                             "expires_at": float(data["lease_expires_at"])}
        else:
            view["lease"] = None
        if data.get("decision"):
            view["decision"] = jsonio.loads(data["decision"])
        if with_history:
            history = self.r.lrange(P + f"history:{data['id']}", 0, -1)
            view["history"] = [jsonio.loads(h) for h in history]
        return view

    @_redis_errors_mean_unavailable
    def get_comment(self, comment_id: str) -> dict | None:
        data = self.r.hgetall(P + f"comment:{comment_id}")
        return self._comment_view(data, with_history=True) if data else None

    def _views(self, ids: list[str], now: float | None = None) -> list[dict]:
        pipe = self.r.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hgetall(P + f"comment:{comment_id}")
        views = [self._comment_view(d) for d in pipe.execute() if d]
        now = time.time() if now is None else now
        for view in views:  # an expired lease is no lease at all
            if view["lease"] and view["lease"]["expires_at"] <= now:
                view["lease"] = None
        return views

    # -- review queue -----------------------------------------------------------------------

    @_redis_errors_mean_unavailable
    def queue(self, site: str | None = None, limit: int = 50) -> list[dict]:
        key = P + (f"pending:{site}" if site else "pending")
        return self._views(self.r.zrange(key, 0, max(0, limit - 1)))

    @_redis_errors_mean_unavailable
    def queue_depth(self, site: str | None = None) -> int:
        return int(self.r.zcard(P + (f"pending:{site}" if site else "pending")))

    @_redis_errors_mean_unavailable
    def claim(self, moderator: str, limit: int = 10, site: str | None = None,
              lease_seconds: int | None = None, *, reason: str | None = None,
              include_own: bool = False) -> list[dict]:
        """Lease up to `limit` held comments, oldest first, to `moderator`.

        `reason` keeps only comments held with that reason code. `include_own` also hands back
        (with a renewed lease) those this moderator already holds, so a reloaded moderator page
        finds its own batch instead of waiting for the lease to run out.
        """
        now = time.time()
        deadline = now + (lease_seconds or self.lease_seconds)
        key = P + (f"pending:{site}" if site else "pending")
        ids = self._claim(keys=[key, P + "leases"],
                          args=[now, deadline, limit, moderator, P + "comment:", reason or "",
                                "1" if include_own else "0"])
        return self._views(ids, now=now)

    @_redis_errors_mean_unavailable
    def decide(self, comment_id: str, moderator: str, decision: str, reason: str = "") -> dict:
        status = DECISION_STATUS[decision]
        data = self.r.hgetall(P + f"comment:{comment_id}")
        if not data:
            raise UnknownComment(f"no comment {comment_id}")
        now = time.time()
        scores = jsonio.loads(data.get("scores", "{}"))
        site = data["site"]
        record = {"comment_id": comment_id, "site": site, "decision": decision, "status": status,
                  "moderator": moderator, "reason": reason, "at": now, "scores": scores}
        history = {"at": now, "status": status, "by": moderator, "reason": reason}
        webhook = ""
        site_data = self.get_site(site)
        if site_data and site_data.webhook_url:
            webhook = jsonio.dumps({
                "event": "comment.decided", "comment_id": comment_id, "site": site,
                "status": status, "decision": decision, "reason": reason, "decided_at": now,
                "post_id": data.get("post_id", ""),
            })
        delivery = P + f"webhook:{uuid.uuid4().hex}"
        keys = [P + f"comment:{comment_id}", P + f"history:{comment_id}", P + "pending",
                P + f"pending:{site}", P + "leases", P + f"counts:{site}", P + "audit",
                P + "labels", P + "webhook:due", delivery, P + f"approved-authors:{site}"]
        record_json = jsonio.dumps(record)  # the comment's decision and its audit entry
        argv = [comment_id, moderator, status, record_json, now, jsonio.dumps(history),
                record_json, jsonio.dumps(DECISION_LABELS[decision]), webhook, site,
                data.get("text", ""), "moderator"]
        outcome, *rest = self._decide(keys=keys, args=argv)
        if outcome == "unknown":
            raise UnknownComment(f"no comment {comment_id}")
        if outcome == "decided":
            raise AlreadyDecided(jsonio.loads(rest[0]) if rest[0] else {"status": data["status"]})
        if outcome == "claimed":
            raise ClaimedByOther(rest[0], float(rest[1]))
        return record

    @_redis_errors_mean_unavailable
    def audit(self, limit: int = 50, site: str | None = None) -> list[dict]:
        records: list[dict] = []
        last = "+"
        while len(records) < limit:
            entries = self.r.xrevrange(P + "audit", max=last, count=max(limit, 100))
            if last != "+":
                entries = entries[1:]  # XREVRANGE's max is inclusive
            if not entries:
                break
            for _entry_id, entry in entries:
                record = jsonio.loads(entry["record"])
                if site is None or record.get("site") == site:
                    records.append(record)
            last = entries[-1][0]
        return records[:limit]

    @_redis_errors_mean_unavailable
    def counts(self, site: str | None = None) -> dict[str, int]:
        names = [site] if site else list(self.r.smembers(P + "sites"))
        totals = {"pending": 0, "approved": 0, "spam": 0, "rejected": 0}
        for name in names:
            for status, count in self.r.hgetall(P + f"counts:{name}").items():
                totals[status] = totals.get(status, 0) + int(count)
        return totals

    # -- labels -----------------------------------------------------------------------------

    @_redis_errors_mean_unavailable
    def record_label(self, text: str, task: str, label: int, source: str,
                     comment_id: str | None = None) -> None:
        self.r.xadd(P + "labels", {"text": text, "task": task, "label": str(int(label)),
                                   "source": source, "comment_id": comment_id or ""})

    @_redis_errors_mean_unavailable
    def labels(self, page: int = 500) -> Iterator[dict]:
        start = "-"
        while True:
            entries = self.r.xrange(P + "labels", min=start, count=page)
            for _entry_id, entry in entries:
                yield {"text": entry["text"], "task": entry["task"], "label": int(entry["label"]),
                       "source": entry["source"]}
            if len(entries) < page:
                return
            start = "(" + entries[-1][0]

    # -- webhook outbox ---------------------------------------------------------------------

    def take_delivery(self, lease_seconds: float = 60) -> dict | None:
        key = self._take_delivery(keys=[P + "webhook:due"], args=[time.time(), lease_seconds])
        if not key:
            return None
        data = self.r.hgetall(key)
        if not data:
            self.r.zrem(P + "webhook:due", key)
            return None
        return {"key": key, "site": data["site"], "body": data["body"],
                "attempts": int(data.get("attempts", 0))}

    def delivered(self, delivery: dict) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.zrem(P + "webhook:due", delivery["key"])
        pipe.delete(delivery["key"])
        pipe.execute()

    def delivery_failed(self, delivery: dict, retry_at: float | None, error: str) -> None:
        """Schedule another attempt at `retry_at`, or give up (dead-letter) when it is None."""
        pipe = self.r.pipeline(transaction=True)
        pipe.hincrby(delivery["key"], "attempts", 1)
        pipe.hset(delivery["key"], "last_error", error[:500])
        if retry_at is None:
            pipe.zrem(P + "webhook:due", delivery["key"])
            pipe.rpush(P + "webhook:dead", delivery["key"])
        else:
            pipe.zadd(P + "webhook:due", {delivery["key"]: retry_at})
        pipe.execute()

    def dead_deliveries(self) -> list[dict]:
        return [self.r.hgetall(key) for key in self.r.lrange(P + "webhook:dead", 0, -1)]


def init_app(app: Flask, config) -> Store:
    store = Store.from_url(config.redis_url, flood_seconds=config.flood_seconds,
                           lease_seconds=config.lease_seconds)
    app.extensions["hakam.store"] = store
    return store


def get_store() -> Store:
    return current_app.extensions["hakam.store"]
