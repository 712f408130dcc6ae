"""The webhook outbox: each site's due deliveries, taken under a lease by any deliverer.

The decision script writes the delivery, so a decision is never lost between "decided" and
"sent". Taking one pushes its due time forward by a lease in the same script, so two
deliverers (threads, workers or instances) never attempt it at the same time, and one that
dies mid-attempt leaves it to be taken again when the lease runs out.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from . import keys, scripts
from .base import StorePart
from .connection import unavailable_on_redis_errors


class Outbox(StorePart):
    _take_delivery: Callable[..., Any]
    _delivery_failed: Callable[..., Any]

    @unavailable_on_redis_errors
    def take_delivery(self, lease_seconds: float = 60) -> dict | None:
        """One due delivery of any site, leased to the caller, or None when none is due."""
        now = time.time()
        names = self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.zrangebyscore(keys.webhook_due(name), "-inf", now, start=0, num=1)
        due = [name for name, first in zip(names, pipe.execute(), strict=True) if first]
        random.shuffle(due)  # so one site's backlog does not starve the others
        for name in due:
            delivery_id = self._take_delivery(**scripts.TAKE_DELIVERY.call(
                webhook_due_key=keys.webhook_due(name), now=now, lease_seconds=lease_seconds))
            if not delivery_id:
                continue  # another deliverer took it first
            key = keys.webhook_delivery(name, delivery_id)
            data = self.r.hgetall(key)
            if not data.get("body"):  # erased with its comment since it was due
                self.r.zrem(keys.webhook_due(name), delivery_id)
                continue
            return {"key": key, "id": delivery_id, "site": data["site"], "body": data["body"],
                    "attempts": int(data.get("attempts", 0))}
        return None

    @unavailable_on_redis_errors
    def delivered(self, delivery: dict) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.zrem(keys.webhook_due(delivery["site"]), delivery["id"])
        pipe.delete(delivery["key"])
        pipe.execute()

    @unavailable_on_redis_errors
    def delivery_failed(self, delivery: dict, retry_at: float | None, error: str) -> None:
        """Schedule another attempt at `retry_at`, or give up (dead-letter) when it is None."""
        site = delivery["site"]
        self._delivery_failed(**scripts.DELIVERY_FAILED.call(
            webhook_delivery_key=delivery["key"], webhook_due_key=keys.webhook_due(site),
            webhook_dead_key=keys.webhook_dead(site), delivery_id=delivery["id"],
            retry_at="" if retry_at is None else retry_at, last_error=error[:500]))

    @unavailable_on_redis_errors
    def dead_deliveries(self) -> list[dict]:
        """Deliveries that ran out of attempts, every site's."""
        dead = []
        for name in self.site_names():
            for delivery_id in self.r.lrange(keys.webhook_dead(name), 0, -1):
                data = self.r.hgetall(keys.webhook_delivery(name, delivery_id))
                if data:
                    dead.append(data)
        return dead
