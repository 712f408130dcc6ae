"""Each site's retention period (`hakam sites configure NAME --retention-days N`), applied
without a process of its own: the sweep runs on the webhook deliverer's thread, which every
worker already has.

Every worker asks once a minute (HAKAM_RETENTION_SWEEP_SECONDS); for each site with a
retention period, the one that takes the site's turn (a Redis lock that simply runs out, see
`Store.take_retention_turn`) sweeps it for a couple of seconds at most, so across any number of
workers and instances a site is swept about once a minute and never by two at once. Each sweep
is atomic per batch, so one cut short leaves nothing half done and the next continues where it
stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .config import Config
from .store import Store

log = logging.getLogger("hakam.retention")
SWEEP_BUDGET_SECONDS = 2.0


class RetentionSweeper:
    def __init__(self, store: Store, interval: float = Config.retention_sweep_seconds,
                 budget: float = SWEEP_BUDGET_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.interval = interval
        self.budget = budget
        self.clock = clock  # the wall clock comments are dated by; tests move it
        self._next_look = 0.0

    def run_if_due(self) -> int:
        """Sweep the sites whose turn this process takes, if a look is due; answers how many
        comments lost their personal fields."""
        if time.monotonic() < self._next_look:
            return 0
        self._next_look = time.monotonic() + self.interval
        swept = 0
        for site in self.store.list_sites():
            if site.retention_days and self.store.take_retention_turn(site.name, self.interval):
                swept += self.sweep(site.name, site.retention_days)
        return swept

    def sweep(self, site: str, retention_days: int) -> int:
        swept, started = 0, time.monotonic()
        while time.monotonic() - started < self.budget:
            done = self.store.sweep_retention(site, retention_days, now=self.clock())
            swept += done
            if not done:
                break
        if swept:
            log.info("retention site=%s days=%d comments_swept=%d", site, retention_days, swept)
        return swept
