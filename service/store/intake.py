"""Comment intake: the one script on the hot path, and the two reads a POST may make first."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from .. import jsonio
from ..errors import Duplicate, Flooded
from . import keys
from .base import StorePart, sha256
from .connection import DirectScript, unavailable_on_redis_errors

IDEMPOTENCY_TTL = 24 * 3600
DUPLICATE_TTL = 30 * 24 * 3600


class Intake(StorePart):
    _accept: DirectScript

    @unavailable_on_redis_errors
    def idempotent_answer(self, site: str, idempotency_key: str) -> dict | None:
        raw = self.r.get(keys.idempotency(site, sha256(idempotency_key)))
        return jsonio.loads(raw) if raw else None

    @unavailable_on_redis_errors
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
        absent = keys.absent(site)
        script_keys = [
            keys.idempotency(site, sha256(idempotency_key)) if idempotency_key else absent,
            keys.duplicate(site, sha256(duplicate_of)),
            keys.flood(site, "author", author_key),
            keys.flood(site, "ip", ip_key) if ip_key else absent,
            keys.comment(site, comment_id), keys.history(site, comment_id),
            keys.pending(site), keys.counts(site), keys.approved_authors(site),
        ]
        argv = [comment_id, status, now, self.flood_seconds, IDEMPOTENCY_TTL, DUPLICATE_TTL,
                jsonio.dumps(body) if idempotency_key else "", history, author_key,
                "1" if ip_key else "0", *fields]
        outcome, value = self._accept(keys=script_keys, args=argv)
        if outcome == "replay":
            replay = jsonio.loads(value)
            return replay["id"], replay
        if outcome == "duplicate":
            raise Duplicate(value)
        if outcome == "flood":
            raise Flooded(retry_after=-(-int(value) // 1000))
        return comment_id, body

    @unavailable_on_redis_errors
    def approved_before(self, site: str, author_key: str) -> bool:
        """Whether this author (keyed hash) has had a comment approved on the site, at intake
        or by a moderator: WordPress's "previously approved comment" rule."""
        return bool(self.r.sismember(keys.approved_authors(site), author_key))
