"""How long held comments wait for a moderator: the bucket a wait falls in, and percentiles read
back from bucket counts. Pure functions; the store keeps the counts per site and day.

A wait is kept as the index of a logarithmic bucket (each 10 % wider than the one before), not
as itself: a day of a site's decisions is a small hash whatever the volume, any number of
instances add to it with one HINCRBY, and a percentile read back is within 5 % of the true
wait (the bucket's geometric middle), which is finer than anyone reads a queue's health.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

GROWTH = 1.1  # each bucket's upper bound over its lower one
WINDOW_DAYS = 7  # what the Sites page summarises
# The histogram /metrics exports (hakam_decision_latency_seconds): a minute to a week.
PROMETHEUS_BUCKETS = (10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800,
                      604800)


def bucket(seconds: float) -> int:
    """The bucket of a wait: 0 holds everything under a second, n ≥ 1 holds
    [GROWTH^(n-1), GROWTH^n) seconds."""
    if seconds < 1:
        return 0
    return int(math.log(seconds) / math.log(GROWTH)) + 1


def bucket_middle(index: int) -> float:
    """The wait a bucket stands for: its geometric middle (half a second for bucket 0)."""
    if index <= 0:
        return 0.5
    return GROWTH ** (index - 0.5)


def percentile(counts: Mapping[int, int], share: float) -> float | None:
    """The wait under which `share` (0–1) of the counted decisions fall; None with none."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = max(1, math.ceil(share * total))
    seen = 0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= wanted:
            return bucket_middle(index)
    return bucket_middle(max(counts))
