"""What every part of the store shares: the client, settings, scripts and small helpers."""

from __future__ import annotations

import hashlib
import secrets

import redis

from . import keys


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


class StorePart:
    """The attributes Store.__init__ sets, declared once for the parts that use them."""

    r: redis.Redis
    flood_seconds: int
    lease_seconds: int

    def site_names(self) -> list[str]:
        """Every site's name, sorted: what the cross-site views iterate."""
        return sorted(self.r.smembers(keys.SITES))
