"""The two installation-wide secrets (global keys), made on first use and shared by every
worker and instance: the pepper that keys reader hashes, and the moderator-session secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from . import keys
from .base import StorePart
from .connection import unavailable_on_redis_errors


class SecretKeys(StorePart):
    _keyed_hash: hmac.HMAC | None

    @unavailable_on_redis_errors
    def private_key(self, value: str) -> str:
        """Keyed hash of an email or IP: comparable for flood and duplicate checks, irreversible."""
        # a copy of the keyed state: no key set-up or digest look-up per value
        keyed = self._pepper_hash().copy()
        keyed.update(value.strip().lower().encode())
        return keyed.hexdigest()

    @unavailable_on_redis_errors
    def derived_key(self, purpose: str) -> bytes:
        """A key for `purpose` (e.g. signing nudge tokens) derived from the installation's
        pepper: the same in every worker and instance, and, once the pepper is read, made
        without a round trip."""
        keyed = self._pepper_hash().copy()
        # upper case: private_key lower-cases every value, so no email or IP hashes the same
        keyed.update(b"\0DERIVED\0" + purpose.encode())
        return keyed.digest()

    def _pepper_hash(self) -> hmac.HMAC:
        if self._keyed_hash is None:
            self.r.set(keys.PEPPER, secrets.token_hex(32), nx=True)
            pepper = self.r.get(keys.PEPPER).encode()
            self._keyed_hash = hmac.new(pepper, digestmod=hashlib.sha256)
        return self._keyed_hash

    @unavailable_on_redis_errors
    def app_secret(self) -> str:
        """Signs moderator sessions; shared by every worker and kept across restarts."""
        self.r.set(keys.APP_SECRET, secrets.token_hex(32), nx=True)
        return self.r.get(keys.APP_SECRET)
