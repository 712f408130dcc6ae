"""Counting nudges nobody answered (`hakam_nudges_total{outcome="abandoned"}`) without a
process of its own: like the retention sweep, it runs on the webhook deliverer's thread.

A nudged POST already sweeps its site's open nudges as it files its own (see
`Store.open_nudge`); this catches the ones left when no new nudge came. About once a minute
each worker removes every site's open nudges over an hour old, one atomic command per site, so
whichever worker removes a nudge counts it, and no nudge is counted twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .metrics import NUDGES
from .nudge import NUDGE_SECONDS
from .store import Store

SWEEP_INTERVAL_SECONDS = 60.0


class AbandonedNudges:
    def __init__(self, store: Store, interval: float = SWEEP_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.interval = interval
        self.clock = clock  # the wall clock tokens are dated by; tests move it
        self._next_look = 0.0

    def run_if_due(self) -> int:
        """Count and remove the abandoned nudges of every site, if a look is due."""
        if time.monotonic() < self._next_look:
            return 0
        self._next_look = time.monotonic() + self.interval
        found = 0
        for site in self.store.site_names():
            abandoned = self.store.sweep_nudges(site, self.clock(), NUDGE_SECONDS)
            if abandoned:
                NUDGES.labels(site, "abandoned").inc(abandoned)
                found += abandoned
        return found
