"""Readers' rights: a reader's data on one site found by reader, exported, erased, and dropped
after the site's retention period.

A reader is the keyed hash of their email (`hakam.service.reader_keys.reader_key`). Their
comments are listed in the site's reader index, written by the intake script with the comment,
and each comment lists what was made from it (label and audit entries, webhook deliveries,
its duplicate and idempotency markers), so nothing here scans the keyspace or a stream. Every
write is one script over one site's keys (`lua/erase.lua`, `lua/retain.lua`), all in KEYS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import jsonio
from ..vocabulary import Status
from . import keys, scripts
from .base import StorePart, listed_ids
from .comments import comment_view
from .connection import DirectScript, unavailable_on_redis_errors
from .labels import entry_order

ERASE_BATCH = 100  # comments per erase script: keeps each call short for the other clients
ERASE_ROUNDS = 1000  # a reader still posting while erased cannot keep the loop going forever
RETENTION_BATCH = 200
RETENTION_REVISIT_SECONDS = 3600  # a comment found in the queue is looked at again after this
DAY = 86400.0


@dataclass
class Erasure:
    """What erasing a reader's data on one site removed."""

    site: str
    comments: int = 0
    labels: int = 0
    decisions: int = 0  # audit entries whose link to the comment (and reason) was removed
    deliveries: int = 0  # pending or dead webhook deliveries
    reports: int = 0  # readers' reports made by the reader or about their comments

    def add(self, other: Erasure) -> None:
        self.comments += other.comments
        self.labels += other.labels
        self.decisions += other.decisions
        self.deliveries += other.deliveries
        self.reports += other.reports


def _without_wording(reasons: str | None) -> bytes:
    """Reasons as kept after retention: which rule or head applied, no words of the text."""
    kept = []
    for reason in jsonio.loads(reasons or "[]"):
        if isinstance(reason, dict):
            kept.append({"code": reason.get("code", ""), "message": "", "spans": [],
                         **({"task": reason["task"]} if reason.get("task") else {})})
    return jsonio.dumps(kept)


class Readers(StorePart):
    _erase: DirectScript
    _retain: Callable[..., Any]
    forget_author: Callable[[str, str], int]
    reports_made_by: Callable[[str, str], list[dict]]
    reader_actions: Callable[[str, str], dict]

    # -- export -----------------------------------------------------------------------------

    def reader_export(self, site: str, author_key: str) -> dict:
        """Everything Hakam holds about the reader on the site: what `POST /v1/readers/export`
        answers and `hakam readers export` prints for each site. The reports they made and
        what moderators did to them appear only where there are some, so the export of a
        reader without any is as it was before either existed."""
        held = {"comments": self.reader_comments(site, author_key),
                "labels": self.reader_labels(site, author_key)}
        reports = self.reports_made_by(site, author_key)
        if reports:
            held["reports"] = reports
        actions = self.reader_actions(site, author_key)  # on the reader (authors.py)
        if actions["restriction"] or actions["actions"]:
            held.update(restriction=actions["restriction"], moderator_actions=actions["actions"])
        return held

    @unavailable_on_redis_errors
    def reader_comments(self, site: str, author_key: str) -> list[dict]:
        """Every comment of the reader on the site, oldest first, each with its history and
        the labels made from it and the readers' reports on it (reason, note, time; never who
        made them): what `POST /v1/readers/export` answers."""
        ids = self.r.zrange(keys.reader(site, author_key), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hgetall(keys.comment(site, comment_id))
            pipe.lrange(keys.history(site, comment_id), 0, -1)
            pipe.hvals(keys.reports(site, comment_id))
        found = pipe.execute()
        records = [(data, history, reports) for data, history, reports
                   in zip(found[::3], found[1::3], found[2::3], strict=True)
                   if data and data.get("author_key") == author_key]
        pipe = self.r.pipeline(transaction=False)
        entries = [listed_ids(data.get("label_entries")) for data, _history, _reports in records]
        for entry_id in (entry for listed in entries for entry in listed):
            pipe.xrange(keys.labels(site), min=entry_id, max=entry_id, count=1)
        labels = iter(pipe.execute())
        comments = []
        for (data, history, reports), listed in zip(records, entries, strict=True):
            view = comment_view(data)
            exported = {
                "id": view["id"], "text": view["text"], "author": view["author"],
                "url": view["url"], "post_id": view["post_id"], "post_url": view["post_url"],
                "post_title": view["post_title"],
                "parent_id": data.get("parent_id") or None,
                "site_comment_id": data.get("site_comment_id") or None,
                # the group of near-duplicates it joined (its MinHash is kept to compare
                # later comments with, and goes with it on erasure)
                "campaign": data.get("campaign") or None,
                "created_at": view["created_at"],
                "status": view["status"], "scores": view["scores"], "reasons": view["reasons"],
                "model_version": view["model_version"],
                "history": [jsonio.loads(event) for event in history],
                "labels": [],
            }
            if reports:  # readers' reports on it, when there are any
                exported["reports"] = sorted((jsonio.loads(raw) for raw in reports),
                                             key=lambda report: report.get("at", 0))
            for _entry in listed:
                for found_id, label in next(labels):
                    exported["labels"].append({
                        "task": label["task"], "label": int(label["label"]),
                        "source": label["source"], "at": entry_order(found_id)[0] / 1000})
            comments.append(exported)
        return comments

    @unavailable_on_redis_errors
    def reader_labels(self, site: str, author_key: str) -> list[dict]:
        """The labels made from the reader's comments that Hakam does not store (Akismet's
        submit-spam / submit-ham name the reader's email), oldest first, with their text."""
        entries = self.r.zrange(keys.reader_labels(site, author_key), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for entry_id in entries:
            pipe.xrange(keys.labels(site), min=entry_id, max=entry_id, count=1)
        return [{"text": label["text"], "task": label["task"], "label": int(label["label"]),
                 "source": label["source"], "at": entry_order(found_id)[0] / 1000}
                for found in pipe.execute() for found_id, label in found]

    @unavailable_on_redis_errors
    def reader_comment_count(self, site: str, author_key: str) -> int:
        return int(self.r.zcard(keys.reader(site, author_key)))

    # -- erasure ----------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def erase_reader(self, site: str, author_key: str) -> Erasure:
        """Remove every comment of the reader on the site and everything made from them (see
        `lua/erase.lua`), in batches, each atomic and (when asked for) acknowledged by a
        replica. Erasing again finds nothing: harmless. The readers' reports go first, both
        those the reader made and those about their comments (`lua/erase_reports.lua`): they
        are found through the comments this then removes."""
        done = Erasure(site)
        done.reports = self.erase_reports(site, author_key)
        for _round in range(ERASE_ROUNDS):
            outcome, *counts = self._erase_batch(site, author_key)
            if outcome == "stale":  # a decision or a comment landed between read and write
                continue
            comments, labels, decisions, deliveries, left = map(int, counts)
            done.add(Erasure(site, comments, labels, decisions, deliveries))
            if not left:
                break
        # moderators' actions on the reader: only a restriction still in force stays (its kind
        # and end date under the keyed hash; see lua/forget_author.lua)
        done.decisions += self.forget_author(site, author_key)
        if done.labels:  # the site's adapter learned from them: dropped, and fitted again
            self.reset_adapter(site, refit=True)
        return done

    def _erase_batch(self, site: str, author_key: str) -> list:
        ids = self.r.zrange(keys.reader(site, author_key), 0, ERASE_BATCH - 1)
        pipe = self.r.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hmget(keys.comment(site, comment_id), "idempotency", "duplicate", "deliveries",
                       "campaign", "campaign_sig")
        pipe.smembers(keys.reader_ips(site, author_key))
        *traces, ips = pipe.execute()
        absent = keys.absent(site)
        comment_keys: list[str] = []
        delivery_ids: list[str] = []
        # out of their campaigns first: should this batch stop half-way, the next finds the
        # comments again and does both
        self.forget_in_campaigns(site, [
            (comment_id, campaign or "", signature or "", author_key)
            for comment_id, (*_traces, campaign, signature) in zip(ids, traces, strict=True)])
        for comment_id, (idempotency, duplicate, deliveries, _campaign, _signature) in zip(
                ids, traces, strict=True):
            comment_keys += [keys.comment(site, comment_id), keys.history(site, comment_id),
                             keys.idempotency(site, idempotency) if idempotency else absent,
                             keys.duplicate(site, duplicate) if duplicate else absent]
            delivery_ids += listed_ids(deliveries)
        ips = sorted(ips)
        call = scripts.ERASE.call(
            reader_key=keys.reader(site, author_key),
            reader_ips_key=keys.reader_ips(site, author_key),
            approved_authors_key=keys.approved_authors(site),
            author_flood_key=keys.flood(site, "author", author_key),
            pending_key=keys.pending(site), leases_key=keys.leases(site),
            counts_key=keys.counts(site), labels_key=keys.labels(site),
            audit_details_key=keys.audit_details(site), webhook_due_key=keys.webhook_due(site),
            webhook_dead_key=keys.webhook_dead(site), retention_key=keys.retention(site),
            approved_counts_key=keys.approved_counts(site),
            reader_labels_key=keys.reader_labels(site, author_key),
            site_comments_key=keys.site_comments(site),
            author_key=author_key, comment_count=len(ids), delivery_count=len(delivery_ids),
            ip_count=len(ips),
            more_keys=[*comment_keys, *(keys.webhook_delivery(site, d) for d in delivery_ids),
                       *(keys.flood(site, "ip", ip) for ip in ips)],
            more_args=[*ids, *delivery_ids, *ips])
        answer, acked = self._erase.run(**call)
        # An erasure a failover could undo is not done: with replica acknowledgements on, the
        # caller gets 503 and asks again (erasing is idempotent).
        self._erase.confirm(acked)
        return answer

    # -- retention --------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def take_retention_turn(self, site: str, seconds: float) -> bool:
        """Whether this process sweeps the site now: one process per site per `seconds`,
        across every worker and instance (the lock simply runs out, it is never released)."""
        return bool(self.r.set(keys.retention_lock(site), str(time.time()), nx=True,
                               px=max(1, int(seconds * 1000))))

    @unavailable_on_redis_errors
    def sweep_retention(self, site: str, retention_days: float, now: float | None = None,
                        batch: int = RETENTION_BATCH) -> int:
        """Drop the personal fields and text of up to `batch` decided comments of the site that
        arrived more than `retention_days` ago, and the links from readers to labels filed
        that long ago (see `lua/retain.lua`); answers how many of both."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * DAY
        due = self.r.zrangebyscore(keys.retention(site), "-inf", cutoff, start=0, num=batch)
        if not due:
            return 0
        ids = [member for member in due if not member.startswith("label:")]
        links = [member.split(":") for member in due if member.startswith("label:")]
        pipe = self.r.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hmget(keys.comment(site, comment_id), "author_key", "duplicate",
                       "idempotency", "reasons", "status", "audit", "campaign", "campaign_sig")
        found = pipe.execute()
        # out of their campaigns too (the MinHash goes with the text): a decided comment a
        # retention period old is in no live group anyway, unless its group never went quiet
        self.forget_in_campaigns(site, [
            (comment_id, campaign or "", signature or "", author_key or "")
            for comment_id, (author_key, *_fields, status, audit, campaign, signature)
            in zip(ids, found, strict=True)
            if status and status != Status.PENDING and audit != "pending"])
        # and its readers' reports (their reasons and notes, and each reporter's link to it);
        # the comment keeps their count, a number naming no one
        self.forget_reports(site, [
            comment_id for comment_id, (*_fields, status, audit, _campaign, _signature)
            in zip(ids, found, strict=True)
            if status and status != Status.PENDING and audit != "pending"])
        absent = keys.absent(site)
        more_keys: list[str] = []
        more_args: list = []
        for comment_id, (author_key, duplicate, idempotency, reasons, *_campaign) in zip(
                ids, found, strict=True):
            more_keys += [keys.comment(site, comment_id),
                          keys.reader(site, author_key) if author_key else absent,
                          keys.duplicate(site, duplicate) if duplicate else absent,
                          keys.idempotency(site, idempotency) if idempotency else absent,
                          keys.author(site, author_key) if author_key else absent]
            more_args += [comment_id, author_key or "", _without_wording(reasons)]
        for _label, author_key, entry_id in links:
            more_keys.append(keys.reader_labels(site, author_key))
            more_args += [f"label:{author_key}:{entry_id}", entry_id]
        return int(self._retain(**scripts.RETAIN.call(
            retention_key=keys.retention(site), pending_key=keys.pending(site),
            approved_authors_key=keys.approved_authors(site),
            approved_counts_key=keys.approved_counts(site),
            now=now, cutoff=cutoff, revisit=cutoff + RETENTION_REVISIT_SECONDS,
            comment_count=len(ids), link_count=len(links),
            more_keys=more_keys, more_args=more_args)))
