"""What every part of the store shares: the client, settings, scripts and small helpers."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator

import redis

from . import keys


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def listed_ids(value: str | None) -> list[str]:
    """The ids one of a comment's trace fields lists (label_entries, audit_entries,
    deliveries: space-separated)."""
    return (value or "").split()


class StorePart:
    """The attributes Store.__init__ sets, declared once for the parts that use them."""

    r: redis.Redis
    flood_seconds: int
    lease_seconds: int

    def site_names(self) -> list[str]:
        """Every site's name, sorted: what the cross-site views iterate."""
        return sorted(self.r.smembers(keys.SITES))

    def stream_entries(self, key: str, page: int = 500) -> Iterator[tuple[str, dict]]:
        """Every (entry id, fields) of a stream, oldest first, read `page` entries at a time."""
        start = "-"
        while True:
            entries = self.r.xrange(key, min=start, count=page)
            yield from entries
            if len(entries) < page:
                return
            start = "(" + entries[-1][0]
