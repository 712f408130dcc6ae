"""The queue's health per site: how old the oldest held comment is, and how long held comments
waited for their decision, day by day (kept 8 days, so a 7-day summary is whole on any instance).
"""

from __future__ import annotations

import time
from collections import Counter

from .. import queue_health
from ..vocabulary import Status
from . import keys
from .base import StorePart
from .connection import unavailable_on_redis_errors

WAITS_TTL = (queue_health.WINDOW_DAYS + 1) * 86400
OLDEST_PAGE = 20  # queue entries looked at per round trip for the oldest held comment


class QueueHealth(StorePart):

    def record_decision_wait(self, site: str, waited: float, now: float) -> None:
        """Count one held comment decided `waited` seconds after it arrived."""
        key = keys.decision_waits(site, int(now // 86400))
        pipe = self.r.pipeline(transaction=False)
        pipe.hincrby(key, str(queue_health.bucket(waited)), 1)
        pipe.expire(key, WAITS_TTL)
        pipe.execute()

    @unavailable_on_redis_errors
    def decision_waits(self, site: str, days: int = queue_health.WINDOW_DAYS,
                       now: float | None = None) -> Counter:
        """Decisions per wait bucket over the last `days` days (today included)."""
        today = int((time.time() if now is None else now) // 86400)
        pipe = self.r.pipeline(transaction=False)
        for day in range(today - days + 1, today + 1):
            pipe.hgetall(keys.decision_waits(site, day))
        counts: Counter = Counter()
        for per_bucket in pipe.execute():
            for index, count in per_bucket.items():
                counts[int(index)] += int(count)
        return counts

    @unavailable_on_redis_errors
    def oldest_held_age(self, site: str, now: float | None = None) -> float:
        """Seconds the site's oldest held comment has waited; 0 with none. Audit items (already
        published) share the queue but keep no reader waiting, so they are passed over."""
        now = time.time() if now is None else now
        offset = 0
        while True:
            page = self.r.zrange(keys.pending(site), offset, offset + OLDEST_PAGE - 1,
                                 withscores=True)
            if not page:
                return 0.0
            pipe = self.r.pipeline(transaction=False)
            for comment_id, _arrival in page:
                pipe.hget(keys.comment(site, comment_id), "status")
            for (_id, arrival), status in zip(page, pipe.execute(), strict=True):
                if status == Status.PENDING:
                    return max(0.0, now - float(arrival))
            offset += OLDEST_PAGE
