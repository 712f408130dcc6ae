"""The moderator page's view of what each site taught Hakam, in pure functions."""

from __future__ import annotations

from hakam.service.moderate import learning


def test_a_days_bar_splits_into_what_was_kept_and_what_was_taken_down():
    today = 20_000
    outcomes = {(today, "held", "approve"): 6, (today, "held", "reject"): 3,
                (today, "held", "spam"): 1, (today - 2, "audit", "approve"): 4,
                (today - 40, "held", "reject"): 9}  # older than the chart

    held = learning.bars(outcomes, "held", today)
    audit = learning.bars(outcomes, "audit", today)

    assert [(bar.decided, bar.taken_down) for bar in held] == [(10, 4)]
    assert held[0].share_taken_down == 0.4
    assert held[0].taken_down_height == 0.4 * learning.BAR_HEIGHT
    assert held[0].kept_height + held[0].taken_down_height == learning.BAR_HEIGHT
    assert held[0].x > audit[0].x  # today is right of two days ago
    assert [(bar.day, bar.taken_down) for bar in audit] == [("2024-10-02", 0)]  # day 19998
