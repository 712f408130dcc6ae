"""Training labels and the audit trail: one stream of each per site, merged in time order.

Stream entry ids are `<milliseconds>-<sequence>` and grow within a stream, so a k-way merge on
them reads every site's stream in time order without loading any of them whole.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from .. import jsonio
from ..errors import UnknownComment
from . import keys, scripts
from .base import StorePart, sha256
from .connection import unavailable_on_redis_errors

# How long a client token remembers the labels last recorded under it (a retry, or the same
# verdict sent again, within this time adds nothing).
LABEL_TOKEN_TTL = 30 * 24 * 3600


class NewLabel(NamedTuple):
    """One training label: `task` is the classifier head ("spam" or "abuse"), `label` 0 or 1.
    Never a reader's email, IP or a hash of them: only the text that was judged."""

    text: str
    task: str
    label: int


def _label_fields(label: NewLabel, source: str, site: str, comment_id: str | None,
                  community_id: str | None) -> dict[str, str]:
    fields = {"text": label.text, "task": label.task, "label": str(int(label.label)),
              "source": source, "comment_id": comment_id or "", "site": site}
    if community_id:
        fields["community_id"] = community_id
    return fields


def entry_order(entry_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


class Labels(StorePart):
    _label: Callable[..., Any]
    _record_labels_once: object

    @unavailable_on_redis_errors
    def record_label(self, text: str, task: str, label: int, source: str,
                     comment_id: str | None = None, *, site: str | None = None,
                     community_id: str | None = None, reader_key: str | None = None) -> str:
        """Keep one training label in its site's stream (the comment's site when only the
        comment is named) and answer its entry id. A label made from a stored comment is
        noted on it, so that erasing the reader's data removes the label too; naming a comment
        that is gone (erased meanwhile) raises UnknownComment and writes nothing. Without a
        stored comment, `reader_key` (the reader's key, `reader_keys.reader_key`)
        files the label under its reader for erasure and retention; the label itself never
        holds the hash."""
        site = site or (self.locate(comment_id) if comment_id else None)
        if not site:
            raise ValueError("a label needs its site, or a comment that has one")
        fields = _label_fields(NewLabel(text, task, label), source, site, comment_id,
                               community_id)
        absent = keys.absent(site)
        reader = reader_key if reader_key and not comment_id else ""
        entry = self._label(**scripts.LABEL.call(
            labels_key=keys.labels(site),
            comment_key=keys.comment(site, comment_id) if comment_id else absent,
            adapt_key=keys.adapt(site),
            reader_labels_key=keys.reader_labels(site, reader) if reader else absent,
            retention_key=keys.retention(site) if reader else absent,
            comment_id=comment_id or "", author_key=reader, now=time.time(),
            more_args=[item for pair in fields.items() for item in pair]))
        if not entry:
            raise UnknownComment(f"no comment {comment_id}")
        return entry

    @unavailable_on_redis_errors
    def record_labels(self, labels: Iterable[NewLabel], *, source: str, site: str,
                      community_id: str | None = None, client_token: str | None = None) -> bool:
        """Keep several labels of one site together (all or none); True when they were
        recorded. With a `client_token`, they are kept unless they are exactly what was last
        recorded under that token on this site (a client's retry): a token whose verdict
        changes (a moderator approving what they had rejected) records the new one. These
        labels name no stored comment (a client sends only the text it judged), so no reader's
        erasure finds them."""
        batch = [_label_fields(label, source, site, None, community_id) for label in labels]
        if not client_token:
            pipe = self.r.pipeline(transaction=True)  # one site, one slot: MULTI holds
            for fields in batch:
                pipe.xadd(keys.labels(site), fields)
            pipe.hincrby(keys.adapt(site), "labels", len(batch))
            pipe.execute()
            return True
        flat = jsonio.dumps([[part for field in fields.items() for part in field]
                             for fields in batch])
        recorded = self._record_labels_once(**scripts.RECORD_LABELS_ONCE.call(
            marker_key=keys.label_token(site, sha256(client_token)),
            labels_key=keys.labels(site), adapt_key=keys.adapt(site),
            fingerprint=sha256(flat.decode()), marker_ttl=LABEL_TOKEN_TTL, batch_json=flat))
        return bool(recorded)

    @unavailable_on_redis_errors
    def labels(self, page: int = 500) -> Iterator[dict]:
        """Every label of every site, oldest first, each with its site (None for a label
        migrated from before sites were tracked whose comment is gone)."""
        streams = [self.stream_entries(keys.labels(name), page) for name in self.site_names()]
        streams.append(self.stream_entries(keys.UNASSIGNED_LABELS, page))
        for _entry_id, entry in heapq.merge(*streams, key=lambda item: entry_order(item[0])):
            label = {"text": entry["text"], "task": entry["task"], "label": int(entry["label"]),
                     "source": entry["source"], "site": entry.get("site") or None}
            if entry.get("community_id"):  # the client's community, for per-community models
                label["community_id"] = entry["community_id"]
            yield label

    @unavailable_on_redis_errors
    def site_labels(self, site: str, page: int = 1000) -> list[dict]:
        """Every label of one site, oldest first, as its adapter learns from them: with the
        comment it came from (if any), when it was made (`at`, seconds) and, for a decision on
        an audit item, the audit rate the comment was sampled at."""
        labels = []
        for entry_id, entry in self.stream_entries(keys.labels(site), page):
            milliseconds, _sequence = entry_order(entry_id)
            labels.append({"text": entry["text"], "task": entry["task"],
                           "label": int(entry["label"]), "source": entry["source"],
                           "comment_id": entry.get("comment_id") or None,
                           "audit_rate": float(entry["audit_rate"])
                           if entry.get("audit_rate") else None,
                           "at": milliseconds / 1000.0})
        return labels

    @unavailable_on_redis_errors
    def audit(self, limit: int = 50, site: str | None = None) -> list[dict]:
        """The newest `limit` moderator decisions and actions on authors (those have
        `action`), newest first, of one site or all.

        Each is who decided what and when, with the comment, reason and scores from the
        entry's details; a decision on a comment erased since has `comment_id` None and
        `erased` true."""
        names = [site] if site else self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.xrevrange(keys.audit(name), count=limit)
        newest = list(heapq.merge(
            *([(entry_order(entry_id), name, entry_id, entry) for entry_id, entry in entries]
              for name, entries in zip(names, pipe.execute(), strict=True)),
            key=lambda item: item[0], reverse=True))[:limit]
        pipe = self.r.pipeline(transaction=False)
        for _order, name, entry_id, _entry in newest:
            pipe.hget(keys.audit_details(name), entry_id)
        records = []
        for (_order, _name, _entry_id, entry), details in zip(newest, pipe.execute(),
                                                              strict=True):
            record = jsonio.loads(entry["record"])
            if "action" in record:  # an action on an author (authors.py)
                found = jsonio.loads(details) if details else None
                record = {"comment_id": found["comment_id"] if found else None,
                          "site": record["site"], "action": record["action"],
                          "moderator": record["moderator"],
                          "reason": found["reason"] if found else "", "at": record["at"],
                          "until": record.get("until")}
                if found is None:
                    record["erased"] = True
            elif "comment_id" not in record:  # written with its details beside it
                found = jsonio.loads(details) if details else None
                record = {"comment_id": found["comment_id"] if found else None,
                          "site": record["site"], "decision": record["decision"],
                          "status": record["status"], "moderator": record["moderator"],
                          "reason": found["reason"] if found else "", "at": record["at"],
                          "scores": found["scores"] if found else None,
                          "audit": bool(record.get("audit"))}
                if found is None:
                    record["erased"] = True
            records.append(record)
        return records
