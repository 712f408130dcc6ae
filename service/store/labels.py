"""Training labels and the audit trail: one stream of each per site, merged in time order.

Stream entry ids are `<milliseconds>-<sequence>` and grow within a stream, so a k-way merge on
them reads every site's stream in time order without loading any of them whole.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from .. import jsonio
from . import keys
from .base import StorePart
from .connection import unavailable_on_redis_errors


def entry_order(entry_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


class Labels(StorePart):
    @unavailable_on_redis_errors
    def record_label(self, text: str, task: str, label: int, source: str,
                     comment_id: str | None = None, *, site: str | None = None) -> None:
        """Keep one training label in its site's stream (the comment's site when only the
        comment is named)."""
        site = site or (self.locate(comment_id) if comment_id else None)
        if not site:
            raise ValueError("a label needs its site, or a comment that has one")
        self.r.xadd(keys.labels(site), {"text": text, "task": task, "label": str(int(label)),
                                        "source": source, "comment_id": comment_id or "",
                                        "site": site})

    def _stream(self, key: str, page: int) -> Iterator[tuple[tuple[int, int], dict]]:
        start = "-"
        while True:
            entries = self.r.xrange(key, min=start, count=page)
            for entry_id, entry in entries:
                yield entry_order(entry_id), entry
            if len(entries) < page:
                return
            start = "(" + entries[-1][0]

    @unavailable_on_redis_errors
    def labels(self, page: int = 500) -> Iterator[dict]:
        """Every label of every site, oldest first, each with its site (None for a label
        migrated from before sites were tracked whose comment is gone)."""
        streams = [self._stream(keys.labels(name), page) for name in self.site_names()]
        streams.append(self._stream(keys.UNASSIGNED_LABELS, page))
        for _order, entry in heapq.merge(*streams, key=lambda item: item[0]):
            yield {"text": entry["text"], "task": entry["task"], "label": int(entry["label"]),
                   "source": entry["source"], "site": entry.get("site") or None}

    @unavailable_on_redis_errors
    def audit(self, limit: int = 50, site: str | None = None) -> list[dict]:
        """The newest `limit` moderator decisions, newest first, of one site or all."""
        names = [site] if site else self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.xrevrange(keys.audit(name), count=limit)
        newest = heapq.merge(
            *([(entry_order(entry_id), entry) for entry_id, entry in entries]
              for entries in pipe.execute()),
            key=lambda item: item[0], reverse=True)
        return [jsonio.loads(entry["record"]) for _order, entry in list(newest)[:limit]]
