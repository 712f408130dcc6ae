"""Moderators and their tokens (global keys).

A token is looked up by its hash, and the lookup counts only while it matches the token hash
on the moderator's record: rotating a token (re-adding the moderator) writes the new lookup,
then the record, then deletes the old lookup, and an interruption anywhere leaves at most one
valid token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import keys
from .base import StorePart, new_secret, sha256
from .connection import unavailable_on_redis_errors


@dataclass(frozen=True)
class Moderator:
    name: str


class Moderators(StorePart):
    @unavailable_on_redis_errors
    def create_moderator(self, name: str) -> str:
        old_hash = self.r.hget(keys.moderator(name), "token_hash")
        token = new_secret("hk_mod_")
        token_hash = sha256(token)
        self.r.set(keys.moderator_by_token_hash(token_hash), name)
        self.r.hset(keys.moderator(name),
                    mapping={"name": name, "token_hash": token_hash, "created_at": time.time()})
        if old_hash:  # re-adding a moderator rotates their token
            self.r.delete(keys.moderator_by_token_hash(old_hash))
        return token

    @unavailable_on_redis_errors
    def moderator_for_token(self, token: str) -> Moderator | None:
        token_hash = sha256(token)
        name = self.r.get(keys.moderator_by_token_hash(token_hash))
        if not name or self.r.hget(keys.moderator(name), "token_hash") != token_hash:
            return None
        return Moderator(name)

    @unavailable_on_redis_errors
    def moderator_token_fingerprint(self, name: str) -> str | None:
        """A short digest of the moderator's current token (None: no such moderator).

        The moderator page keeps it in the session, so rotating a token ends older sessions.
        """
        token_hash = self.r.hget(keys.moderator(name), "token_hash")
        return token_hash[:16] if token_hash else None
