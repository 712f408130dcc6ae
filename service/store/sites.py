"""The site registry (global keys): sites, their settings and the API-key lookup.

A site spans several global keys that no single command can update together in a cluster, so
each change writes them in an order that is safe to interrupt: a site is added to the set of
sites before it exists (cross-site views then never miss one of its comments), and revoking
marks the site revoked before its key lookup is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..discussion import DiscussionRules
from ..errors import SiteChanged
from ..site_settings import Site, SitePolicy, SiteRules, record_fields
from . import keys, scripts
from .base import StorePart, new_secret, sha256
from .connection import unavailable_on_redis_errors

SITE_CACHE_SECONDS = 2.0


class Sites(StorePart):
    _site_cache: dict[str, tuple[float, Site]]
    _create_site: Callable[..., Any]

    @unavailable_on_redis_errors
    def create_site(self, name: str, webhook_url: str | None = None,
                    language: str = "ar") -> tuple[str, str]:
        keys.check_site_name(name)
        if self.r.hexists(keys.site(name), "key_hash"):
            raise ValueError(f"a site named {name!r} already exists")
        api_key, webhook_secret = new_secret("hk_site_"), new_secret("hk_whsec_")
        key_hash, folded_hash = sha256(api_key), sha256(api_key.lower())
        # The registry and the key lookups first: stopped before the record, they name a site
        # that does not exist (skipped by every reader), and the name stays free to add again.
        self.r.sadd(keys.SITES, name)
        self.r.set(keys.site_by_key_hash(key_hash), name)
        self.r.set(keys.site_by_folded_key_hash(folded_hash), name)
        record = {
            "name": name, "webhook_secret": webhook_secret, "key_hash": key_hash,
            "folded_key_hash": folded_hash, "revoked": "0", "created_at": time.time(),
            **record_fields(rules=SiteRules(), policy=SitePolicy(), webhook_url=webhook_url or "",
                            language=language),
        }
        created = self._create_site(**scripts.CREATE_SITE.call(
            site_key=keys.site(name), more_args=[part for item in record.items() for part in item]))
        if not created:  # another `sites add` of the same name got there first
            self.r.delete(keys.site_by_key_hash(key_hash))
            self.r.delete(keys.site_by_folded_key_hash(folded_hash))
            raise ValueError(f"a site named {name!r} already exists")
        return api_key, webhook_secret

    @unavailable_on_redis_errors
    def get_site(self, name: str) -> Site | None:
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(keys.site(name))
        pipe.hgetall(keys.posts(name))
        pipe.hgetall(keys.sections(name))
        data, posts, sections = pipe.execute()
        # a record an older `sites add` left half-made holds a name and nothing else
        if not data.get("key_hash"):
            return None
        return Site.from_record(data, DiscussionRules.from_hashes(posts, sections))

    @unavailable_on_redis_errors
    def site_for_key(self, api_key: str, *, checked_on_write: bool = False) -> Site | None:
        """The active site an API key belongs to, as it is now: a revoked key or a changed
        setting takes effect at once, in every worker of every instance.

        Each worker remembers the answer, with the site's settings version, and checks that
        the version is still the stored one (one GET, where looking the site up again costs
        two). `checked_on_write`: the caller's write compares the version itself (comment
        intake does, in its script), so a remembered answer (SITE_CACHE_SECONDS at most) costs
        no round trip at all; the write raises SiteChanged if the site changed meanwhile."""
        return self._site_by_lookup(keys.site_by_key_hash(sha256(api_key)), checked_on_write)

    @unavailable_on_redis_errors
    def site_for_host_key(self, api_key: str) -> Site | None:
        """The active site of a key read from a Host name (`KEY.hakam.example`). Host names
        are case-insensitive and many clients lower-case them, so the key is also looked up in
        lower case (keys made before that lookup existed match only as issued)."""
        return (self.site_for_key(api_key)
                or self._site_by_lookup(keys.site_by_folded_key_hash(sha256(api_key.lower())),
                                        False))

    def _site_by_lookup(self, lookup: str, checked_on_write: bool) -> Site | None:
        now = time.monotonic()
        cached = self._site_cache.get(lookup)
        if cached is not None:
            expires, site = cached
            if checked_on_write and expires > now:
                return site
            if self._version(site.name) == site.version:
                self._site_cache[lookup] = (now + SITE_CACHE_SECONDS, site)
                return site
        self._site_cache.pop(lookup, None)
        name = self.r.get(lookup)
        if not name:
            return None
        # the version before the settings: a change between the two reads then shows as a
        # newer version than the one kept, never the other way round (see revoke_site)
        version = self._version(name)
        site = self.get_site(name)
        if site is None or site.revoked:
            return None
        site = replace(site, version=version)
        if len(self._site_cache) > 1000:
            self._site_cache.clear()
        self._site_cache[lookup] = (now + SITE_CACHE_SECONDS, site)
        return site

    def _version(self, name: str) -> str:
        return self.r.get(keys.site_version(name)) or "0"

    @unavailable_on_redis_errors
    def confirm_site(self, site: Site) -> None:
        """SiteChanged unless `site` is the site as it is now."""
        if self._version(site.name) != site.version:
            raise SiteChanged(f"site {site.name!r} changed")

    @unavailable_on_redis_errors
    def webhook_secret(self, name: str) -> str | None:
        return self.r.hget(keys.site(name), "webhook_secret")

    @unavailable_on_redis_errors
    def list_sites(self) -> list[Site]:
        return [s for s in (self.get_site(n) for n in self.site_names()) if s]

    @unavailable_on_redis_errors
    def revoke_site(self, name: str) -> bool:
        key_hash, folded_hash = self.r.hmget(keys.site(name), "key_hash", "folded_key_hash")
        if key_hash is None:
            return False
        self.r.hset(keys.site(name), "revoked", "1")  # first: refuses the key from now on
        # then the version, which makes every worker read the site again, revoked
        self.r.incr(keys.site_version(name))
        lookups = [keys.site_by_key_hash(key_hash)]
        if folded_hash:
            lookups.append(keys.site_by_folded_key_hash(folded_hash))
        for lookup in lookups:  # global keys, each in its own slot: one command each
            self.r.delete(lookup)
            self._site_cache.pop(lookup, None)
        return True

    @unavailable_on_redis_errors
    def configure_site(self, name: str, *, rules: SiteRules | None = None,
                       policy: SitePolicy | None = None, webhook_url: str | None = None,
                       language: str | None = None, retention_days: int | None = None
                       ) -> Site:
        """Change the given settings; `retention_days` 0 means keep comments for good."""
        if self.get_site(name) is None:
            raise KeyError(name)
        changes = record_fields(rules=rules, policy=policy, webhook_url=webhook_url,
                                language=language, retention_days=retention_days)
        if changes:
            self.r.hset(keys.site(name), mapping=changes)
            self.r.incr(keys.site_version(name))  # after: every worker reads the change
            self._site_cache.clear()
        return self.get_site(name)
