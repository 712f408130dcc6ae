"""Upgrading a layout-2 store to layout 3: readers' data made findable by reader.

Comments written before layout 3 are in no reader index, do not list the labels, audit entries
and deliveries made from them, and their audit entries hold the comment id, reason and scores in
the stream itself. This step, run once by `hakam migrate` (or the first start) after the moves
from layout 1, reads each site's comments, label and audit streams and outbox once, and writes:

- the reader index, the retention set and the approved counts, from each comment's record;
- on each comment, its label entries, audit entries and deliveries (merged with any already
  noted, so running it again changes nothing);
- the duplicate digest, recomputed as intake computes it (an idempotency digest cannot be: the
  key was never kept, and its marker expires within a day anyway);
- the audit stream rewritten in the layout-3 form, entry ids kept: who decided what and when in
  the stream, the comment id, reason and scores in audit-details. It is copied to a stream of
  its own in batches and swapped in by one script that copies the entries added meanwhile, so a
  decision taken by an instance already serving is kept.

This is the only scan of the keyspace readers' rights ever need.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .. import jsonio
from ..vocabulary import Status
from . import keys
from .base import StorePart, listed_ids, sha256

BATCH = 500
SWAP_AUDIT = """
-- Copy the audit entries after ARGV[1] into the rebuilt stream, as they are (written by
-- layout-3 code) or split (layout 2), then put the rebuilt stream in the audit's place.
-- KEYS: audit, rebuilt, audit_details. ARGV: the last entry id copied ('' for none).
local start = ARGV[1] == '' and '-' or ('(' .. ARGV[1])
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], start, '+')) do
  local id, fields = entry[1], entry[2]
  local record = fields[2]
  local ok, decoded = pcall(cjson.decode, record)
  if ok and type(decoded) == 'table' and decoded.comment_id then
    redis.call('HSET', KEYS[3], id, cjson.encode({comment_id = decoded.comment_id,
      reason = decoded.reason or '', scores = decoded.scores}))
    record = cjson.encode({site = decoded.site, decision = decoded.decision,
      status = decoded.status, moderator = decoded.moderator, at = decoded.at})
  end
  redis.call('XADD', KEYS[2], id, 'record', record)
end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1]) end
return 1
"""


NOTED = {"label_entries": "linked_labels", "audit_entries": "linked_audit_entries",
         "deliveries": "linked_deliveries"}


class ReaderIndexing(StorePart):
    def index_readers(self) -> Counter:
        """The layout-3 step for every site; answers what it wrote (nothing, run again), by
        kind: indexed, split_audit_entries and the NOTED kinds."""
        done: Counter = Counter()
        for site in self.site_names():
            notes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            done["split_audit_entries"] += self._split_audit(site, notes)
            self._collect_labels(site, notes)
            self._collect_deliveries(site, notes)
            self._collect_markers(site, notes)
            done.update(self._index_comments(site, notes))
        return done

    def _comment_ids(self, site: str) -> list[str]:
        prefix = keys.comment(site, "")
        return sorted(key[len(prefix):] for key in self.r.scan_iter(match=prefix + "*",
                                                                     count=1000))

    def _index_comments(self, site: str, notes) -> Counter:
        done: Counter = Counter()
        approved: Counter = Counter()
        ip_lists: Counter = Counter()  # author -> how long their IP list must last, ms
        ids = self._comment_ids(site)
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            pipe = self.r.pipeline(transaction=False)
            for comment_id in batch:
                pipe.hmget(keys.comment(site, comment_id), "author_key", "status", "created_at",
                           "post_id", "text", "duplicate", "personal_data_removed_at",
                           "idempotency", *NOTED)
            index = self.r.pipeline(transaction=False)
            writes = self.r.pipeline(transaction=False)
            for comment_id, fields in zip(batch, pipe.execute(), strict=True):
                (author, status, created_at, post_id, text, duplicate, removed, idempotency,
                 *noted) = fields
                if status is None:
                    continue
                marks = notes[comment_id]
                arrived = float(created_at or 0)
                changes = {}
                for field, known in zip(NOTED, noted, strict=True):
                    new = notes[comment_id][field] - set(listed_ids(known))
                    if new:
                        changes[field] = " ".join([*listed_ids(known), *sorted(new)])
                        done[NOTED[field]] += len(new)
                if author and not removed:
                    index.zadd(keys.reader(site, author), {comment_id: arrived})
                    if not duplicate:
                        changes["duplicate"] = sha256("\0".join((post_id or "", author,
                                                                 (text or "").strip())))
                    if status == Status.APPROVED:
                        approved[author] += 1
                    for ip_and_ttl in marks["ips"]:
                        ip, ttl = ip_and_ttl.split()
                        writes.sadd(keys.reader_ips(site, author), ip)
                        ip_lists[author] = max(ip_lists[author], int(ttl))
                if not idempotency and marks["idempotency"]:
                    changes["idempotency"] = min(marks["idempotency"])
                if status != Status.PENDING and not removed:
                    writes.zadd(keys.retention(site), {comment_id: arrived})
                if changes:
                    writes.hset(keys.comment(site, comment_id), mapping=changes)
            done["indexed"] += sum(int(added) for added in index.execute())
            writes.execute()
        pipe = self.r.pipeline(transaction=False)
        for author, ttl in ip_lists.items():  # as long as the longest of its flood markers
            pipe.pexpire(keys.reader_ips(site, author), ttl)
        pipe.delete(keys.approved_counts(site))  # counted again from scratch: idempotent
        if approved:
            pipe.hset(keys.approved_counts(site), mapping=dict(approved))
        pipe.execute()
        return done

    def _collect_labels(self, site: str, notes) -> None:
        for entry_id, entry in self.stream_entries(keys.labels(site), BATCH):
            if entry.get("comment_id"):
                notes[entry["comment_id"]]["label_entries"].add(entry_id)

    def _collect_deliveries(self, site: str, notes) -> None:
        ids = sorted(set(self.r.zrange(keys.webhook_due(site), 0, -1))
                     | set(self.r.lrange(keys.webhook_dead(site), 0, -1)))
        pipe = self.r.pipeline(transaction=False)
        for delivery_id in ids:
            pipe.hget(keys.webhook_delivery(site, delivery_id), "body")
        for delivery_id, body in zip(ids, pipe.execute(), strict=True):
            comment_id = jsonio.loads(body).get("comment_id") if body else None
            if comment_id:
                notes[comment_id]["deliveries"].add(delivery_id)

    def _collect_markers(self, site: str, notes) -> None:
        """Idempotency answers (24 h) and IP flood markers (the flood interval) name their
        comment only in their value: found once here, so that erasure finds them later."""
        for kind in ("idem", "flood:ip"):
            prefix = keys.site_key(site, kind, "")
            found = sorted(self.r.scan_iter(match=prefix + "*", count=1000))
            pipe = self.r.pipeline(transaction=False)
            for key in found:
                pipe.get(key)
                pipe.pttl(key)
            values = pipe.execute()
            for key, value, ttl in zip(found, values[::2], values[1::2], strict=True):
                if not value:
                    continue
                if kind == "idem":
                    comment_id = jsonio.loads(value).get("id")
                    if comment_id:
                        notes[comment_id]["idempotency"].add(key[len(prefix):])
                else:
                    notes[value]["ips"].add(f"{key[len(prefix):]} {max(int(ttl), 1)}")

    def _split_audit(self, site: str, notes) -> int:
        """Rewrite the site's audit in the layout-3 form if any entry is in the old one; note
        each entry on its comment. Answers how many entries were split."""
        audit, details = keys.audit(site), keys.audit_details(site)
        split = 0
        for entry_id, entry in self.stream_entries(audit, BATCH):
            record = jsonio.loads(entry["record"])
            if "comment_id" in record:
                notes[record["comment_id"]]["audit_entries"].add(entry_id)
                split += 1
        for entry_id, split_before in self.r.hgetall(details).items():
            notes[jsonio.loads(split_before)["comment_id"]]["audit_entries"].add(entry_id)
        if not split:
            return 0
        rebuilt = keys.audit_rebuild(site)
        self.r.delete(rebuilt)
        last = ""
        pipe = self.r.pipeline(transaction=False)
        for entry_id, entry in self.stream_entries(audit, BATCH):
            record = jsonio.loads(entry["record"])
            if "comment_id" in record:
                pipe.hset(details, entry_id, jsonio.dumps(
                    {"comment_id": record["comment_id"], "reason": record.get("reason", ""),
                     "scores": record.get("scores")}))
                record = {name: record.get(name) for name in
                          ("site", "decision", "status", "moderator", "at")}
            pipe.xadd(rebuilt, {"record": jsonio.dumps(record)}, id=entry_id)
            last = entry_id
            if len(pipe) >= BATCH:
                pipe.execute()
        pipe.execute()
        self.r.eval(SWAP_AUDIT, 3, audit, rebuilt, details, last)
        return split
