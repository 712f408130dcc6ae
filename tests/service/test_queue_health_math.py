"""Wait buckets and the percentiles read back from them (pure functions)."""

from __future__ import annotations

from collections import Counter

import pytest

from hakam.service import queue_health


@pytest.mark.parametrize("seconds", [0.2, 1, 7, 59, 600, 3600, 86_400 * 3, 604_800])
def test_a_wait_read_back_from_its_bucket_is_within_five_percent(seconds):
    middle = queue_health.bucket_middle(queue_health.bucket(seconds))
    if seconds < 1:
        assert middle == 0.5
    else:
        assert abs(middle - seconds) / seconds <= 0.05


def test_percentiles_of_known_waits():
    waits = [60] * 50 + [600] * 45 + [7200] * 5
    counts = Counter(queue_health.bucket(w) for w in waits)

    assert queue_health.percentile(counts, 0.5) == pytest.approx(60, rel=0.05)
    assert queue_health.percentile(counts, 0.95) == pytest.approx(600, rel=0.05)
    assert queue_health.percentile(counts, 0.96) == pytest.approx(7200, rel=0.05)
    assert queue_health.percentile(Counter(), 0.5) is None
