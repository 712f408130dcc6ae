"""Per-site adapters in Redis: the fitted adapter of each base model, the count of labels it is
due a refit at, and the one lock a site's fit runs under.

Everything of a site's adapter is in its own slot (`adapt`, `adapt:lock`, `adapt:fits`), so
each change is one script. Several workers and instances may each decide a site is due a fit;
`take_fit_lock` lets one of them fit (the others see the lock), and its fencing token makes the
store step refuse a fit whose lock ran out meanwhile (a fit killed, or stalled past its lock,
stores nothing, and the site keeps the adapter it had).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import jsonio
from . import keys, scripts
from .base import StorePart
from .connection import unavailable_on_redis_errors

KEEP_BASES = 2  # base models whose adapters are kept: the current one and the one before


@dataclass(frozen=True)
class AdaptState:
    """What a worker checks every few seconds: the site's adapter generation on its base model,
    how many labels the site has, how many its last fit began from, and whether a fit runs."""

    generation: int
    labels: int
    fitted: int
    fitting: bool

    @property
    def new_labels(self) -> int:
        return max(0, self.labels - self.fitted)


class Adapters(StorePart):
    _take_fit_lock: Callable[..., Any]
    _renew_fit_lock: Callable[..., Any]
    _store_adapter: Callable[..., Any]
    _reset_adapter: Callable[..., Any]

    @unavailable_on_redis_errors
    def adapt_state(self, site: str, base: str) -> AdaptState:
        pipe = self.r.pipeline(transaction=False)
        pipe.hmget(keys.adapt(site), f"generation:{base}", "labels", f"fitted:{base}",
                   "reset_labels")
        pipe.exists(keys.adapt_lock(site))
        (generation, labels, fitted, reset_labels), locked = pipe.execute()
        return AdaptState(int(generation or 0), int(labels or 0),
                          int(fitted if fitted is not None else reset_labels or 0), bool(locked))

    @unavailable_on_redis_errors
    def adapter_text(self, site: str, base: str) -> tuple[int, str | None]:
        """(generation, the stored adapter's text or None) on this base model."""
        generation, text = self.r.hmget(keys.adapt(site), f"generation:{base}",
                                        f"adapter:{base}")
        return int(generation or 0), text

    @unavailable_on_redis_errors
    def adapter_report(self, site: str, base: str) -> dict | None:
        """The report of the site's last fit on this base model (adapted or refused)."""
        raw = self.r.hget(keys.adapt(site), f"report:{base}")
        return jsonio.loads(raw) if raw else None

    @unavailable_on_redis_errors
    def recent_fits(self, site: str, limit: int = 50) -> list[dict]:
        """The site's latest fits (and resets), newest first."""
        return [jsonio.loads(raw) for raw in self.r.lrange(keys.adapt_fits(site), 0, limit - 1)]

    @unavailable_on_redis_errors
    def take_fit_lock(self, site: str, seconds: float) -> int | None:
        """The fencing token of a fit of this site that may start now, or None when one runs."""
        token = self._take_fit_lock(**scripts.TAKE_FIT_LOCK.call(
            adapt_lock_key=keys.adapt_lock(site), adapt_key=keys.adapt(site),
            lock_ms=int(seconds * 1000)))
        return int(token) if token else None

    @unavailable_on_redis_errors
    def renew_fit_lock(self, site: str, token: int, seconds: float) -> bool:
        """Keep holding the lock `seconds` more; False once it is no longer this fit's."""
        return bool(self._renew_fit_lock(**scripts.RENEW_FIT_LOCK.call(
            adapt_lock_key=keys.adapt_lock(site), token=str(token),
            lock_ms=max(1, int(seconds * 1000)))))

    @unavailable_on_redis_errors
    def release_fit_lock(self, site: str, token: int) -> None:
        self._renew_fit_lock(**scripts.RENEW_FIT_LOCK.call(
            adapt_lock_key=keys.adapt_lock(site), token=str(token), lock_ms=0))

    @unavailable_on_redis_errors
    def store_adapter(self, site: str, base: str, token: int, *, generation: int,
                      adapter_text: str | None, report: dict, labels_at_start: int,
                      record: dict) -> bool:
        """Store a fit's outcome (the adapter, or None when the gate refused it) and release the
        lock; False, storing nothing, when the lock is no longer this fit's."""
        return bool(self._store_adapter(**scripts.STORE_ADAPTER.call(
            adapt_key=keys.adapt(site), adapt_lock_key=keys.adapt_lock(site),
            adapt_fits_key=keys.adapt_fits(site),
            token=str(token), base=base, generation=generation,
            adapter_text=adapter_text or "", report_json=jsonio.dumps(report),
            labels_at_start=labels_at_start, now=time.time(), fit_json=jsonio.dumps(record),
            keep_bases=KEEP_BASES)))

    @unavailable_on_redis_errors
    def reset_adapter(self, site: str, *, refit: bool = False) -> None:
        """Drop the site's adapters; a fit in progress will not store its own, and keeps the
        site's lock until it ends (no second fit beside it). `refit`: fit again at the next look
        once no fit runs (after an erasure: the adapter must not keep what it learned
        from erased comments), else only after REFIT_EVERY labels more."""
        record = {"reset": True, "at": time.time(), "why": "erasure" if refit else "command"}
        self._reset_adapter(**scripts.RESET_ADAPTER.call(
            adapt_key=keys.adapt(site), adapt_lock_key=keys.adapt_lock(site),
            adapt_fits_key=keys.adapt_fits(site),
            record_json=jsonio.dumps(record), refit="1" if refit else "0"))

    @unavailable_on_redis_errors
    def outcomes(self, site: str) -> dict[tuple[int, str, str], int]:
        """Moderators' decisions per day: (unix day, "held" or "audit", decision) -> count."""
        counted = {}
        for field, count in self.r.hgetall(keys.outcomes(site)).items():
            day, kind, decision = field.split(":", 2)
            counted[(int(day), kind, decision)] = int(count)
        return counted
