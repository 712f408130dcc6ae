"""Readers' reports on comments: one per reporter per comment, counted on the comment, and the
report that reaches the site's threshold sends a published comment back to the queue.

A reporter is the keyed hash of the site's id for the reader (`Store.private_key`, as an
email is hashed): a site that sends the reader's email as that id has their reports found by
the reader's export and erasure along with their comments. Each comment keeps its reports
(`reports:<id>`, reporter -> reason, note, time) and each reporter the ids they reported
(`reporter:<hash>`), so neither export nor erasure scans anything.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import jsonio
from ..vocabulary import Reason, ReportReason, Status
from . import keys, scripts
from .base import StorePart
from .connection import unavailable_on_redis_errors

REPORT_REASONS = tuple(ReportReason)
ERASE_ROUNDS = 20  # a reader whose comments keep being reported while erased: retried


@dataclass(frozen=True)
class ReportOutcome:
    counted: bool  # False: this reporter had already reported the comment
    reports: int  # the comment's reports counted so far
    status: str  # the comment's status after the report
    held_now: bool  # this report sent the published comment back to the queue


class Reports(StorePart):
    _report: Callable[..., Any]
    _erase_reports: Callable[..., Any]

    @unavailable_on_redis_errors
    def report(self, site: str, comment_id: str, *, reporter_key: str, reason: str, note: str,
               threshold: int, held_reason: dict, webhook: Callable[[int], dict] | None,
               now: float | None = None) -> ReportOutcome | None:
        """Count a reader's report (see lua/report.lua); None when the site has no such
        comment. `webhook(reports)` builds the body the site is sent if this report sends the
        comment back to the queue; `held_reason` is the reason the comment is then held for."""
        now = time.time() if now is None else now
        delivery_id = uuid.uuid4().hex
        held_history = {"at": now, "status": Status.PENDING.value, "by": "readers",
                        "reason": Reason.READER_REPORTS.value}
        # The body names the count the threshold is crossed at: exactly `threshold`.
        body = jsonio.dumps(webhook(threshold)) if webhook else ""
        answer = self._report(**scripts.REPORT.call(
            comment_key=keys.comment(site, comment_id),
            reports_key=keys.reports(site, comment_id),
            reporter_key=keys.reporter(site, reporter_key), pending_key=keys.pending(site),
            counts_key=keys.counts(site), history_key=keys.history(site, comment_id),
            retention_key=keys.retention(site),
            approved_authors_key=keys.approved_authors(site),
            approved_counts_key=keys.approved_counts(site),
            webhook_due_key=keys.webhook_due(site),
            webhook_delivery_key=keys.webhook_delivery(site, delivery_id),
            comment_id=comment_id, reporter=reporter_key,
            report_json=jsonio.dumps({"reason": reason, "note": note, "at": now}),
            reason=reason, now=now, threshold=threshold,
            reason_json=jsonio.dumps(held_reason), history_json=jsonio.dumps(held_history),
            webhook_json=body, site=site, delivery_id=delivery_id))
        outcome, *rest = answer
        if outcome == "unknown":
            return None
        reports, status = int(rest[0]), rest[1]
        return ReportOutcome(counted=outcome != "repeated", reports=reports, status=status,
                             held_now=outcome == "held")

    @unavailable_on_redis_errors
    def reports_made_by(self, site: str, reporter_key: str) -> list[dict]:
        """The reports the reader made on the site, oldest first: what their export lists."""
        ids = self.r.zrange(keys.reporter(site, reporter_key), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hget(keys.reports(site, comment_id), reporter_key)
        return [{"comment_id": comment_id, **jsonio.loads(raw)}
                for comment_id, raw in zip(ids, pipe.execute(), strict=True) if raw]

    @unavailable_on_redis_errors
    def forget_reports(self, site: str, comment_ids: list[str]) -> int:
        """Remove the reports on these comments (their reasons and notes, and each reporter's
        link to them), as the retention sweep drops a decided comment's text; their count
        stays on the comment. The erase_reports script with no reader of its own."""
        if not comment_ids:
            return 0
        for _round in range(ERASE_ROUNDS):
            pipe = self.r.pipeline(transaction=False)
            for comment_id in comment_ids:
                pipe.hkeys(keys.reports(site, comment_id))
            others = sorted({other for found in pipe.execute() for other in found})
            outcome, *rest = self._erase_reports(**scripts.ERASE_REPORTS.call(
                reporter_key=keys.absent(site), reporter="", made_count=0,
                about_count=len(comment_ids), other_count=len(others),
                more_keys=[*(keys.reports(site, c) for c in comment_ids),
                           *(keys.reporter(site, o) for o in others)],
                more_args=[*comment_ids, *others]))
            if outcome == "done":
                return int(rest[0])
        return 0

    @unavailable_on_redis_errors
    def erase_reports(self, site: str, reader_key: str) -> int:
        """Remove the reports the reader made and those made about their comments (see
        lua/erase_reports.lua); answers how many. Run before the comments are erased: it finds
        them by the reader index."""
        for _round in range(ERASE_ROUNDS):
            made = self.r.zrange(keys.reporter(site, reader_key), 0, -1)
            about = self.r.zrange(keys.reader(site, reader_key), 0, -1)
            pipe = self.r.pipeline(transaction=False)
            for comment_id in about:
                pipe.hkeys(keys.reports(site, comment_id))
            others = sorted({other for found in pipe.execute() for other in found
                             if other != reader_key})
            outcome, *rest = self._erase_reports(**scripts.ERASE_REPORTS.call(
                reporter_key=keys.reporter(site, reader_key), reporter=reader_key,
                made_count=len(made), about_count=len(about), other_count=len(others),
                more_keys=[*(keys.reports(site, c) for c in made),
                           *(keys.reports(site, c) for c in about),
                           *(keys.reporter(site, o) for o in others)],
                more_args=[*made, *about, *others]))
            if outcome == "done":
                return int(rest[0])
        return 0
