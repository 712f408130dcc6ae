"""Delivers moderator decisions to each site's webhook, outside the request path.

Decisions are written to a Redis outbox in the same script that records them (store.decide), so
a decision is never lost between "decided" and "sent". A daemon thread per worker takes due
deliveries, signs each body with HMAC-SHA256 under the site's secret (`X-Hakam-Signature:
sha256=<hex>`), and retries failures with exponential backoff before dead-lettering them.
Delivery is at-least-once: receivers should treat a repeated comment_id decision as a no-op.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from .errors import StoreUnavailable
from .store import Store

log = logging.getLogger("hakam.webhooks")
SIGNATURE_HEADER = "X-Hakam-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff_seconds(attempts: int) -> float:
    """2 s, 4 s, 8 s … capped at an hour, with jitter so many failures don't retry in step."""
    return min(3600.0, 2.0 ** (attempts + 1)) * random.uniform(0.8, 1.2)


class Deliverer:
    """`chores`: other periodic work that needs no process of its own (the retention sweep),
    each called on every turn of the loop and expected to return at once when not due."""

    def __init__(self, store: Store, timeout: float = 5.0, max_attempts: int = 8,
                 idle_wait: float = 0.5, chores: tuple[Callable[[], object], ...] = ()) -> None:
        self.store = store
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.idle_wait = idle_wait
        self.chores = chores
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hakam-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=self.timeout + 1)

    def _run(self) -> None:
        waiting = False  # said once per outage, not at every look while Redis is away
        while not self._stop.is_set():
            try:
                worked = self.deliver_one()
                if waiting:
                    log.info("webhook delivery goes on: Redis is back")
                waiting = False
            except StoreUnavailable as away:  # a failover, a restart: deliveries wait in Redis
                if not waiting:
                    log.warning("webhook delivery waits for Redis: %s", away)
                waiting = True
                worked = False
            except Exception:  # a bug: keep the thread alive, try again later
                log.exception("webhook delivery loop error")
                worked = False
            for chore in self.chores:
                try:
                    chore()
                except Exception:  # as above: the deliveries must go on whatever a chore does
                    log.exception("periodic chore %s failed", getattr(chore, "__qualname__",
                                                                      chore))
            if not worked:
                self._stop.wait(self.idle_wait)

    def deliver_one(self) -> bool:
        """Attempt one due delivery; False when none was due."""
        delivery = self.store.take_delivery(lease_seconds=self.timeout * 4)
        if delivery is None:
            return False
        site = self.store.get_site(delivery["site"])
        secret = self.store.webhook_secret(delivery["site"])
        if site is None or not site.webhook_url or not secret:
            self.store.delivered(delivery)  # the site removed its webhook: nothing to send
            return True
        body = delivery["body"].encode("utf-8")
        request = urllib.request.Request(
            site.webhook_url, data=body, method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret),
                     "User-Agent": "hakam-webhooks/1"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(1024)
            self.store.delivered(delivery)
            log.info("webhook delivered site=%s attempts=%d", site.name, delivery["attempts"] + 1)
        except (urllib.error.URLError, OSError, ValueError) as error:
            attempts = delivery["attempts"] + 1
            retry_at = None if attempts >= self.max_attempts else time.time() + backoff_seconds(
                attempts)
            self.store.delivery_failed(delivery, retry_at, str(error))
            log.warning("webhook failed site=%s attempt=%d error=%s%s", site.name, attempts,
                        error, "" if retry_at else " (giving up)")
        return True
