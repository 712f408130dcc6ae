"""The review queue: held comments per site, moderators' leases on them, and decisions.

Each site has its own pending set and leases, in its own slot; the views across sites merge
them oldest first. A lease is a sorted-set deadline: an expired one simply stops counting, so
the comment is claimable again with no sweeper process, whatever instance took it.
"""

from __future__ import annotations

import heapq
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .. import jsonio
from ..errors import AlreadyDecided, ClaimedByOther, UnknownComment
from . import keys, scripts
from .base import StorePart
from .connection import DirectScript, unavailable_on_redis_errors

DECISION_STATUS = {"approve": "approved", "reject": "rejected", "spam": "spam"}
# What a moderator's decision teaches each head; "reject" is taken to mean unfit to publish
# (abusive), since spam has its own button.
DECISION_LABELS = {"approve": (("spam", 0), ("abuse", 0)), "reject": (("abuse", 1),),
                   "spam": (("spam", 1),)}


CANDIDATE_PAGE = 100  # held comments one claim script looks at
CROSS_SITE_ROUNDS = 3  # claims across sites retried when other moderators took the picks


class RepeatedDecision(dict):
    """The decision record of a decision its moderator had already made and sent again (a
    retry): answered as made, but not counted twice."""


class Review(StorePart):
    recorded_author: Callable[[dict], str | None]
    _claim: Callable[..., Any]
    _decide: DirectScript

    # -- the queue ------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def queue(self, site: str | None = None, limit: int = 50) -> list[dict]:
        """Held comments oldest first, of one site or merged across all of them."""
        names = [site] if site else self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.zrange(keys.pending(name), 0, max(0, limit - 1), withscores=True)
        held = heapq.merge(*([(score, name, cid) for cid, score in page]
                             for name, page in zip(names, pipe.execute(), strict=True)))
        return self._views([(name, cid) for _score, name, cid in list(held)[:limit]])

    @unavailable_on_redis_errors
    def queue_depth(self, site: str | None = None) -> int:
        names = [site] if site else self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.zcard(keys.pending(name))
        return sum(int(depth) for depth in pipe.execute())

    @unavailable_on_redis_errors
    def counts(self, site: str | None = None) -> dict[str, int]:
        names = [site] if site else self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(keys.counts(name))
        totals = {"pending": 0, "approved": 0, "spam": 0, "rejected": 0}
        for per_status in pipe.execute():
            for status, count in per_status.items():
                totals[status] = totals.get(status, 0) + int(count)
        return totals

    # -- leases ---------------------------------------------------------------------------

    def _lease(self, site: str, moderator: str, limit: int, *, now: float, deadline: float,
               reason: str, include_own: bool, dry_run: bool = False,
               only: list[tuple[float, str]] | None = None) -> list[tuple[float, str]]:
        """Lease (or, dry, find) up to `limit` of the site's held comments, oldest first, as
        (arrival, id); `only` restricts it to those candidates."""
        how = (now, deadline, moderator, reason, include_own, dry_run)
        if only is not None:
            return self._lease_candidates(site, only, limit, *how)
        found: list[tuple[float, str]] = []
        offset = 0
        while len(found) < limit:
            page = self.r.zrange(keys.pending(site), offset, offset + CANDIDATE_PAGE - 1,
                                 withscores=True)
            candidates = [(arrival, cid) for cid, arrival in page]
            found += self._lease_candidates(site, candidates, limit - len(found), *how)
            if len(page) < CANDIDATE_PAGE:
                break
            offset += CANDIDATE_PAGE
        return found

    def _lease_candidates(self, site: str, candidates: list[tuple[float, str]], limit: int,
                          now: float, deadline: float, moderator: str, reason: str,
                          include_own: bool, dry_run: bool) -> list[tuple[float, str]]:
        if not candidates:
            return []
        arrival = {cid: at for at, cid in candidates}
        got = self._claim(**scripts.CLAIM.call(
            pending_key=keys.pending(site), leases_key=keys.leases(site),
            now=now, deadline=deadline, limit=limit, moderator=moderator, reason=reason,
            own_too="1" if include_own else "0", dry_run="1" if dry_run else "0",
            more_keys=[keys.comment(site, cid) for cid in arrival], more_args=list(arrival)))
        return [(arrival[cid], cid) for cid in got]

    @unavailable_on_redis_errors
    def claim(self, moderator: str, limit: int = 10, site: str | None = None,
              lease_seconds: int | None = None, *, reason: str | None = None,
              include_own: bool = False) -> list[dict]:
        """Lease up to `limit` held comments, oldest first, to `moderator`.

        Across sites, each site is first asked (without leasing) for its oldest claimable
        comments; the oldest `limit` of all of them are then leased site by site, each lease
        atomic in its site, so two moderators never hold the same comment. Picks another
        moderator took in between are made up from a fresh look, a few rounds at most.

        `reason` keeps only comments held with that reason code. `include_own` also hands back
        (with a renewed lease) those this moderator already holds, so a reloaded moderator page
        finds its own batch instead of waiting for the lease to run out.
        """
        now = time.time()
        deadline = now + (lease_seconds or self.lease_seconds)
        how = {"now": now, "deadline": deadline, "reason": reason or "",
               "include_own": include_own}
        if site:
            leased = self._lease(site, moderator, limit, **how)
            return self._views([(site, cid) for _arrival, cid in leased], now=now)
        leased: list[tuple[float, str, str]] = []
        for _round in range(CROSS_SITE_ROUNDS):
            wanted = limit - len(leased)
            if wanted <= 0:
                break
            # Each site is asked for `limit`, not `wanted`: with include_own, what this claim
            # leased already is still claimable to it, oldest first, and is left out here.
            candidates = sorted(
                (arrival, name, cid) for name in self.site_names()
                for arrival, cid in self._lease(name, moderator, limit, dry_run=True, **how)
                if (arrival, name, cid) not in leased)[:wanted]
            if not candidates:
                break
            by_site: dict[str, list[tuple[float, str]]] = defaultdict(list)
            for arrival, name, cid in candidates:
                by_site[name].append((arrival, cid))
            for name, picks in by_site.items():
                leased += [(arrival, name, cid) for arrival, cid in
                           self._lease(name, moderator, len(picks), only=picks, **how)]
        leased.sort()
        return self._views([(name, cid) for _arrival, name, cid in leased], now=now)

    # -- decisions ------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def decide(self, comment_id: str, moderator: str, decision: str, reason: str = "",
               *, site: str | None = None) -> dict:
        status = DECISION_STATUS[decision]
        data = self._comment_data(comment_id, site)
        if not data:
            raise UnknownComment(f"no comment {comment_id}")
        now = time.time()
        scores = jsonio.loads(data.get("scores", "{}"))
        site = data["site"]
        record = {"comment_id": comment_id, "site": site, "decision": decision, "status": status,
                  "moderator": moderator, "reason": reason, "at": now, "scores": scores,
                  "audit": data.get("audit") == "pending"}
        history = {"at": now, "status": status, "by": moderator, "reason": reason}
        webhook = ""
        site_data = self.get_site(site)
        if site_data and site_data.webhook_url:
            webhook = jsonio.dumps({
                "event": "comment.decided", "comment_id": comment_id, "site": site,
                "status": status, "decision": decision, "reason": reason, "decided_at": now,
                "post_id": data.get("post_id", ""),
            })
        delivery_id = uuid.uuid4().hex
        # The audit stream keeps who decided what and when; what names the comment (and the
        # moderator's reason, which may quote it) is kept beside it, where erasure can cut it.
        audit = {"site": site, "decision": decision, "status": status, "moderator": moderator,
                 "at": now, "audit": record["audit"]}
        details = {"comment_id": comment_id, "reason": reason, "scores": scores}
        author = self.recorded_author(data)
        call = scripts.DECIDE.call(
            comment_key=keys.comment(site, comment_id),
            history_key=keys.history(site, comment_id), pending_key=keys.pending(site),
            leases_key=keys.leases(site), counts_key=keys.counts(site),
            audit_key=keys.audit(site), labels_key=keys.labels(site),
            webhook_due_key=keys.webhook_due(site),
            webhook_delivery_key=keys.webhook_delivery(site, delivery_id),
            approved_authors_key=keys.approved_authors(site),
            audit_details_key=keys.audit_details(site), retention_key=keys.retention(site),
            approved_counts_key=keys.approved_counts(site), adapt_key=keys.adapt(site),
            outcomes_key=keys.outcomes(site),
            author_record_key=keys.author(site, author) if author else keys.absent(site),
            comment_id=comment_id, moderator=moderator, new_status=status,
            decision_json=jsonio.dumps(record), decided_at=now,
            history_json=jsonio.dumps(history), audit_json=jsonio.dumps(audit),
            labels_json=jsonio.dumps(DECISION_LABELS[decision]), webhook_body=webhook,
            site=site, text=data.get("text", ""), source="moderator", delivery_id=delivery_id,
            audit_details_json=jsonio.dumps(details), decision=decision,
            author_recorded="1" if author else "0")
        (outcome, *rest), acked = self._decide.run(**call)
        if outcome in ("decided_now", "repeated"):  # answered 200: a replica must have it first
            self._decide.confirm(acked)
        if outcome == "repeated":
            return RepeatedDecision(jsonio.loads(rest[0]))
        if outcome == "unknown":
            raise UnknownComment(f"no comment {comment_id}")
        if outcome == "decided":
            raise AlreadyDecided(jsonio.loads(rest[0]) if rest[0] else {"status": data["status"]})
        if outcome == "claimed":
            raise ClaimedByOther(rest[0], float(rest[1]))
        return record
