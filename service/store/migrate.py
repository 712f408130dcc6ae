"""Upgrading a store written in the first layout (one Redis, global queues) to layout 2
(`keys.py`: every per-site key under the site's hash tag), and then to layout 3 (readers'
data findable by reader: `reader_index.py`).

`hakam migrate` runs it; so does the first start of a service whose store has no layout mark.
Each piece of old data is copied to its new key and only then removed from the old one, and
copying twice changes nothing (renames, set and sorted-set adds, stream entries re-added under
their own ids only when absent), so a migration cut short is finished by running it again. A
lock keeps two starting instances from migrating at once. It runs before the service takes
requests: stop the instances of the old version first.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

import redis

from . import keys
from .reader_index import ReaderIndexing

log = logging.getLogger("hakam.store")
BATCH = 500
LOCK_SECONDS = 3600
# Layout 1's names, kept here only to be migrated away from.
OLD = "hakam:"
OLD_PENDING, OLD_LEASES = OLD + "pending", OLD + "leases"
OLD_AUDIT, OLD_LABELS = OLD + "audit", OLD + "labels"
OLD_DUE, OLD_DEAD = OLD + "webhook:due", OLD + "webhook:dead"
# what each kind of moved thing is called in the report, in the order it is reported
KINDS = {
    "comments": "comments", "histories": "comment histories",
    "pending": "held comments (per-site queues)", "leases": "leases",
    "counts": "per-site count tables", "approved_authors": "approved-author sets",
    "idempotency": "idempotency answers", "duplicates": "duplicate markers",
    "floods": "flood markers", "audit": "audit entries", "labels": "labels",
    "unassigned_labels": "labels of comments no longer stored (kept, site unknown)",
    "deliveries": "webhook deliveries", "dead_deliveries": "dead-lettered deliveries",
}
# what the layout-3 step wrote, in the order it is reported
READER_KINDS = {
    "indexed": "comments filed under their readers",
    "split_audit_entries": "audit entries split from their comment's id and reason",
    "linked_labels": "labels linked to their comments",
    "linked_audit_entries": "audit entries linked to their comments",
    "linked_deliveries": "webhook deliveries linked to their comments",
}


class MigrationBusy(RuntimeError):
    """Another process holds the migration lock and did not finish in time."""


@dataclass
class MigrationReport:
    moved: Counter = field(default_factory=Counter)
    readers: Counter = field(default_factory=Counter)
    sites_unfit_for_cluster: list[str] = field(default_factory=list)
    already_done: bool = False

    def lines(self) -> list[str]:
        if self.already_done:
            return [f"the store already uses layout {keys.LAYOUT_VERSION}; nothing to do"]
        said = [f"moved {self.moved[kind]} {label}" for kind, label in KINDS.items()
                if self.moved[kind]]
        said = said or ["found no data in the old layout"]
        said += [f"{self.readers[kind]} {label}" for kind, label in READER_KINDS.items()
                 if self.readers[kind]]
        said += [f"site {name!r}: its name has braces, so its keys cannot share a cluster hash "
                 "slot; it keeps working on a single Redis" for name in
                 self.sites_unfit_for_cluster]
        return [*said, f"the store now uses layout {keys.LAYOUT_VERSION}"]


def _is_cluster(client) -> bool:
    return isinstance(client, redis.RedisCluster)


class Migration(ReaderIndexing):
    def ensure_layout(self, wait_seconds: float = 120) -> MigrationReport:
        """Migrate unless the store already carries the current layout mark (one GET)."""
        if self.r.get(keys.LAYOUT) == keys.LAYOUT_VERSION:
            return MigrationReport(already_done=True)
        return self.migrate(wait_seconds=wait_seconds, unless_marked=True)

    def migrate(self, wait_seconds: float = 120, *, unless_marked: bool = False
                ) -> MigrationReport:
        """Move whatever is still in the old layout (all of it, the first time), then mark the
        store as being in the current one. `unless_marked` skips the look when another process
        marked it meanwhile."""
        token = secrets.token_hex(8)
        deadline = time.monotonic() + wait_seconds
        while not self.r.set(keys.MIGRATION_LOCK, token, nx=True, ex=LOCK_SECONDS):
            if self.r.get(keys.LAYOUT) == keys.LAYOUT_VERSION:
                return MigrationReport(already_done=True)  # the other process finished it
            if time.monotonic() > deadline:
                raise MigrationBusy("another process has been migrating the store for "
                                    f"{wait_seconds:.0f}s; run `hakam migrate` once it is done")
            time.sleep(0.2)
        try:
            if unless_marked and self.r.get(keys.LAYOUT) == keys.LAYOUT_VERSION:
                return MigrationReport(already_done=True)
            report = MigrationReport()
            self._migrate(report)
            self.r.set(keys.LAYOUT, keys.LAYOUT_VERSION)
            return report
        finally:
            if self.r.get(keys.MIGRATION_LOCK) == token:
                self.r.delete(keys.MIGRATION_LOCK)

    # -- the steps ------------------------------------------------------------------------

    def _migrate(self, report: MigrationReport) -> None:
        found = self._old_keys()
        report.sites_unfit_for_cluster = [name for name in self.site_names()
                                          if "{" in name or "}" in name]
        # Comments move last: until then their old hashes say which site each id is on.
        for site, old in found["pending_site"]:
            report.moved["pending"] += self._merge_zset(old, keys.pending(site))
        if found["pending"]:
            self._spread_zset(OLD_PENDING, keys.pending)  # the same ids, already counted
        if found["leases"]:
            report.moved["leases"] += self._spread_zset(OLD_LEASES, keys.leases)
        for site, old in found["counts"]:
            self._merge_counts(old, keys.counts(site))
            report.moved["counts"] += 1
        for site, old in found["approved_authors"]:
            self._merge_set(old, keys.approved_authors(site))
            report.moved["approved_authors"] += 1
        for kind, new_key in (("idempotency", keys.idempotency), ("duplicates", keys.duplicate)):
            for site, digest, old in found[kind]:
                report.moved[kind] += self._move(old, new_key(site, digest))
        for site, who, hashed, old in found["floods"]:
            report.moved["floods"] += self._move(old, keys.flood(site, who, hashed))
        if found["audit"]:
            self._move_stream(OLD_AUDIT, report, "audit", self._audit_sites)
        if found["labels"]:
            self._move_stream(OLD_LABELS, report, "labels", self._label_sites)
        self._move_deliveries(found, report)
        for start in range(0, len(found["comments"]), BATCH):
            self._move_comments(found["comments"][start:start + BATCH], report)
        for comment_id, old in found["histories"]:  # a history whose comment moved already
            site = self.locate(comment_id)
            if site is not None:
                report.moved["histories"] += self._move(old, keys.history(site, comment_id))
        report.readers = self.index_readers()  # layout 3, on what was moved or already there

    def _old_keys(self) -> dict[str, list]:
        found: dict[str, list] = {name: [] for name in (
            "pending_site", "counts", "approved_authors", "idempotency", "duplicates",
            "floods", "comments", "histories", "deliveries")}
        found.update(pending=False, leases=False, audit=False, labels=False, due=False,
                     dead=False)
        singles = {OLD_PENDING: "pending", OLD_LEASES: "leases", OLD_AUDIT: "audit",
                   OLD_LABELS: "labels", OLD_DUE: "due", OLD_DEAD: "dead"}
        for key in self.r.scan_iter(match=OLD + "*", count=1000):
            if key.startswith(OLD + "{"):
                continue  # layout 2 already
            if key in singles:
                found[singles[key]] = True
                continue
            kind, _, rest = key.removeprefix(OLD).partition(":")
            if not rest:
                continue
            if kind == "pending":
                found["pending_site"].append((rest, key))
            elif kind == "counts":
                found["counts"].append((rest, key))
            elif kind == "approved-authors":
                found["approved_authors"].append((rest, key))
            elif kind in ("idem", "dup"):  # hakam:idem:<site>:<sha256>; a site may hold ':'
                site, _, digest = rest.rpartition(":")
                found["idempotency" if kind == "idem" else "duplicates"].append(
                    (site, digest, key))
            elif kind == "flood" and rest.count(":") >= 2:  # hakam:flood:<site>:<who>:<hash>
                site, who, hashed = rest.rsplit(":", 2)
                found["floods"].append((site, who, hashed, key))
            elif kind == "comment":
                found["comments"].append((rest, key))
            elif kind == "history":
                found["histories"].append((rest, key))
            elif kind == "webhook":
                found["deliveries"].append((rest, key))
        # histories still beside their comment move with it
        moving = {comment_id for comment_id, _key in found["comments"]}
        found["histories"] = [h for h in found["histories"] if h[0] not in moving]
        return found

    # -- moving one kind of value ---------------------------------------------------------

    def _move(self, old: str, new: str) -> int:
        """Move a key with its TTL (1), or nothing when it is gone already (0)."""
        if not _is_cluster(self.r):
            try:
                self.r.rename(old, new)  # atomic, so never half-moved
                return 1
            except redis.ResponseError:  # no such key: moved by an earlier run
                return 0
        # A cluster cannot rename across slots: copy by type (every value Hakam writes is
        # text), then delete the old key.
        kind, ttl = self.r.type(old), self.r.pttl(old)
        read = {"string": self.r.get, "hash": self.r.hgetall,
                "list": lambda k: self.r.lrange(k, 0, -1), "set": self.r.smembers,
                "zset": lambda k: self.r.zrange(k, 0, -1, withscores=True)}.get(kind)
        if read is None:
            return 0  # gone already ("none")
        value = read(old)
        pipe = self.r.pipeline(transaction=True)  # the new key alone: one slot
        pipe.delete(new)
        if kind == "string":
            pipe.set(new, value)
        elif kind == "hash":
            pipe.hset(new, mapping=value)
        elif kind == "list":
            pipe.rpush(new, *value)
        elif kind == "set":
            pipe.sadd(new, *value)
        else:
            pipe.zadd(new, dict(value))
        if ttl > 0:
            pipe.pexpire(new, ttl)
        pipe.execute()
        self.r.delete(old)
        return 1

    def _move_comments(self, batch: list[tuple[str, str]], report: MigrationReport) -> None:
        """Move comments with their histories, a batch per round trip on a single Redis."""
        ids = [comment_id for comment_id, _old in batch]
        moves = [(kind, OLD + f"{kind}:{comment_id}", new(site, comment_id))
                 for comment_id, site in zip(ids, self._sites_of(ids), strict=True) if site
                 for kind, new in (("history", keys.history), ("comment", keys.comment))]
        if _is_cluster(self.r):
            done = [self._move(old, new) for _kind, old, new in moves]
        else:
            pipe = self.r.pipeline(transaction=False)
            for _kind, old, new in moves:
                pipe.rename(old, new)
            done = [not isinstance(result, Exception)
                    for result in pipe.execute(raise_on_error=False)]
        for (kind, _old, _new), moved in zip(moves, done, strict=True):
            report.moved["comments" if kind == "comment" else "histories"] += int(moved)

    def _copy_then_delete(self, copy, old: str) -> None:
        """Copy with `copy(pipe)` then delete `old`: one transaction on a single Redis; in a
        cluster (different slots) the copy first, then the delete."""
        single = not _is_cluster(self.r)
        pipe = self.r.pipeline(transaction=single)
        copy(pipe)
        if not single:
            pipe.execute()
            pipe = self.r.pipeline(transaction=False)
        pipe.delete(old)
        pipe.execute()

    def _merge_zset(self, old: str, new: str) -> int:
        members = self.r.zrange(old, 0, -1, withscores=True)
        if members:
            self._copy_then_delete(lambda pipe: pipe.zadd(new, dict(members)), old)
        return len(members)

    def _merge_set(self, old: str, new: str) -> None:
        members = self.r.smembers(old)
        if members:
            self._copy_then_delete(lambda pipe: pipe.sadd(new, *members), old)

    def _merge_counts(self, old: str, new: str) -> None:
        def add(pipe) -> None:
            for status, count in self.r.hgetall(old).items():
                pipe.hincrby(new, status, int(count))
        self._copy_then_delete(add, old)

    def _sites_of(self, comment_ids: list[str]) -> list[str | None]:
        pipe = self.r.pipeline(transaction=False)
        for comment_id in comment_ids:
            pipe.hget(OLD + f"comment:{comment_id}", "site")
        return [site or (self.locate(comment_id) if comment_id else None)
                for comment_id, site in zip(comment_ids, pipe.execute(), strict=True)]

    def _spread_zset(self, old: str, new_key) -> int:
        """Sort a global sorted set of comment ids into each comment's site's set."""
        moved = 0
        while members := self.r.zrange(old, 0, BATCH - 1, withscores=True):
            ids = [member for member, _score in members]
            pipe = self.r.pipeline(transaction=False)
            for (member, score), site in zip(members, self._sites_of(ids), strict=True):
                if site is not None:
                    pipe.zadd(new_key(site), {member: score})
                    moved += 1
            pipe.execute()
            self.r.zrem(old, *ids)  # copied (or of a comment that is gone): done with
        self.r.delete(old)
        return moved

    def _audit_sites(self, entries: list) -> list[str | None]:
        return [json.loads(entry.get("record") or "{}").get("site") for _id, entry in entries]

    def _label_sites(self, entries: list) -> list[str | None]:
        return self._sites_of([entry.get("comment_id", "") for _id, entry in entries])

    def _move_stream(self, old: str, report: MigrationReport, kind: str, sites_of) -> None:
        """Re-add each entry, under its own id, to its site's stream, then drop it from the
        old one. An entry the new stream already has (an earlier, interrupted run) is skipped;
        one that can no longer go in order is appended, so none is lost."""
        while entries := self.r.xrange(old, count=BATCH):
            for (entry_id, entry), site in zip(entries, sites_of(entries), strict=True):
                target = keys.audit(site) if kind == "audit" and site else (
                    keys.labels(site) if site else keys.UNASSIGNED_LABELS)
                if kind == "labels":
                    entry = {**entry, "site": site or ""}
                    report.moved["labels" if site else "unassigned_labels"] += 1
                else:
                    report.moved["audit"] += 1
                try:
                    self.r.xadd(target, entry, id=entry_id)
                except redis.ResponseError:  # the new stream is past this id
                    if not self.r.xrange(target, min=entry_id, max=entry_id):
                        self.r.xadd(target, entry)
            self.r.xdel(old, *[entry_id for entry_id, _entry in entries])
        self.r.delete(old)

    def _delivery_site(self, delivery_id: str) -> str | None:
        site = self.r.hget(OLD + f"webhook:{delivery_id}", "site")
        if site is not None:
            return site
        for name in self.site_names():  # its hash moved already (an interrupted run)
            if self.r.exists(keys.webhook_delivery(name, delivery_id)):
                return name
        return None

    def _move_deliveries(self, found: dict, report: MigrationReport) -> None:
        if found["due"]:
            for member, score in self.r.zrange(OLD_DUE, 0, -1, withscores=True):
                delivery_id = member.rpartition(":")[2]
                site = self._delivery_site(delivery_id)
                if site is not None:
                    self.r.zadd(keys.webhook_due(site), {delivery_id: score})
                self.r.zrem(OLD_DUE, member)
            self.r.delete(OLD_DUE)
        if found["dead"]:
            while (member := self.r.lindex(OLD_DEAD, 0)) is not None:
                delivery_id = member.rpartition(":")[2]
                site = self._delivery_site(delivery_id)
                if site is not None:
                    self.r.rpush(keys.webhook_dead(site), delivery_id)
                    report.moved["dead_deliveries"] += 1
                self.r.lpop(OLD_DEAD)
        for delivery_id, old in found["deliveries"]:
            site = self.r.hget(old, "site")
            if site is not None:
                report.moved["deliveries"] += self._move(
                    old, keys.webhook_delivery(site, delivery_id))
