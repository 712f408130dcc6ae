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
from collections.abc import Callable, Iterator
from typing import Any

from .. import jsonio
from ..errors import AlreadyDecided, ClaimedByOther, HakamError, UnknownComment
from ..vocabulary import ModeratorDecision, Status
from . import keys, scripts
from .base import StorePart
from .comments import stored_scores
from .connection import DirectScript, unavailable_on_redis_errors

# What a moderator's decision teaches each head; "reject" is taken to mean unfit to publish
# (abusive), since spam has its own button.
DECISION_LABELS = {ModeratorDecision.APPROVE: (("spam", 0), ("abuse", 0)),
                   ModeratorDecision.REJECT: (("abuse", 1),),
                   ModeratorDecision.SPAM: (("spam", 1),)}
# How the moderator page counts comments, in this order.
COUNTED = (Status.PENDING, Status.APPROVED, Status.SPAM, Status.REJECTED)


# The orders a moderator may work the queue in: by arrival, or by a head's score, highest first.
SORTS = ("arrival", "abuse", "spam")
CANDIDATE_PAGE = 100  # held comments one claim script looks at
CROSS_SITE_ROUNDS = 3  # claims across sites retried when other moderators took the picks


def has_reason(reasons: str | None, audit: str | None, reason: str) -> bool:
    """Whether a held comment (its stored reasons and audit fields) is held with `reason`, as
    claim.lua reads them: "audit" means an audit item not yet decided."""
    if reason == "audit":
        return audit == "pending"
    try:
        listed = jsonio.loads(reasons or "[]")
    except ValueError:
        return False
    return isinstance(listed, list) and any(
        isinstance(r, dict) and r.get("code") == reason for r in listed)


def one_per_campaign(views: list[dict]) -> list[dict]:
    """The queue shows a campaign once, where its first member in the page's order is: one
    decision on that item decides the group (`"group": true`)."""
    seen: set[tuple[str, str]] = set()
    shown = []
    for view in views:
        campaign = view.get("campaign")
        if campaign:
            key = (view["site"], campaign["id"])
            if key in seen:
                continue
            seen.add(key)
        shown.append(view)
    return shown


class RepeatedDecision(dict):
    """The decision record of a decision its moderator had already made and sent again (a
    retry): answered as made, but not counted twice."""


class NewDecision(dict):
    """The record of a decision made now; `waited` is how long its held comment waited for it
    (None for an audit item: published on arrival, it kept no reader waiting)."""

    waited: float | None = None


class Review(StorePart):
    recorded_author: Callable[[dict], str | None]
    _claim: Callable[..., Any]
    _decide: DirectScript

    # -- the queue ------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def queue(self, site: str | None = None, limit: int = 50,
              sort: str = "arrival", reason: str | None = None) -> list[dict]:
        """Held comments of one site or merged across all of them, in the order `sort` names
        (see SORTS): oldest first, or highest score first; `reason` keeps only those held with
        that reason code ("audit": audit items), as a claim's filter does."""
        names = [site] if site else self.site_names()
        if sort == "arrival" and not reason:
            pipe = self.r.pipeline(transaction=False)
            for name in names:
                pipe.zrange(keys.pending(name), 0, max(0, limit - 1), withscores=True)
            pages = [[((arrival,), name, cid) for cid, arrival in page]
                     for name, page in zip(names, pipe.execute(), strict=True)]
        elif sort == "arrival":
            pages = [[((arrival,), name, cid) for cid, arrival
                      in self._held_with_reason(name, reason, limit)] for name in names]
        else:
            pages = []
            for name in names:
                ranked = self._ranked(name, sort)
                if reason:
                    kept = {cid for cid, _arrival
                            in self._held_with_reason(name, reason, max(1, len(ranked)))}
                    ranked = [(rank, cid) for rank, cid in ranked if cid in kept]
                pages.append([(rank, name, cid) for rank, cid in ranked[:limit]])
        held = list(heapq.merge(*pages))[:limit]
        return one_per_campaign(self._views([(name, cid) for _rank, name, cid in held]))

    def _ranked(self, site: str, sort: str) -> list[tuple[tuple, str]]:
        """Every held comment of the site as (rank, id), highest `sort` score first (ties oldest
        first). The queue is kept by arrival only, so this reads each held comment's scores:
        one pipelined round trip, about a millisecond per thousand held comments; a second
        index by score would cost every comment's intake a write for an order moderators ask
        for now and then."""
        held = self.r.zrange(keys.pending(site), 0, -1, withscores=True)
        pipe = self.r.pipeline(transaction=False)
        for comment_id, _arrival in held:
            pipe.hget(keys.comment(site, comment_id), "scores")
        ranked = []
        for (comment_id, arrival), raw in zip(held, pipe.execute(), strict=True):
            scores = jsonio.loads(raw) if raw else {}
            ranked.append(((-float(scores.get(sort, 0.0)), arrival), comment_id))
        ranked.sort()
        return ranked

    def _held_with_reason(self, site: str, reason: str,
                          limit: int) -> list[tuple[str, float]]:
        """The site's oldest `limit` held comments (id, arrival) held with `reason`, read a
        page of the queue at a time."""
        found: list[tuple[str, float]] = []
        offset = 0
        while len(found) < limit:
            page = self.r.zrange(keys.pending(site), offset, offset + CANDIDATE_PAGE - 1,
                                 withscores=True)
            pipe = self.r.pipeline(transaction=False)
            for comment_id, _arrival in page:
                pipe.hmget(keys.comment(site, comment_id), "reasons", "audit")
            for (comment_id, arrival), (reasons, audit) in zip(page, pipe.execute(),
                                                                strict=True):
                if has_reason(reasons, audit, reason):
                    found.append((comment_id, arrival))
            if len(page) < CANDIDATE_PAGE:
                break
            offset += CANDIDATE_PAGE
        return found[:limit]

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
        totals = {status.value: 0 for status in COUNTED}
        for per_status in pipe.execute():
            for status, count in per_status.items():
                totals[status] = totals.get(status, 0) + int(count)
        return totals

    # -- leases ---------------------------------------------------------------------------

    def _candidate_pages(self, site: str, sort: str) -> Iterator[list[tuple[tuple, str]]]:
        """The site's held comments as pages of (rank, id), in the order `sort` names."""
        if sort != "arrival":
            ranked = self._ranked(site, sort)
            for start in range(0, len(ranked), CANDIDATE_PAGE):
                yield ranked[start:start + CANDIDATE_PAGE]
            return
        offset = 0
        while True:
            page = self.r.zrange(keys.pending(site), offset, offset + CANDIDATE_PAGE - 1,
                                 withscores=True)
            yield [((arrival,), cid) for cid, arrival in page]
            if len(page) < CANDIDATE_PAGE:
                return
            offset += CANDIDATE_PAGE

    def _lease(self, site: str, moderator: str, limit: int, *, now: float, deadline: float,
               reason: str, include_own: bool, sort: str = "arrival", dry_run: bool = False,
               only: list[tuple[tuple, str]] | None = None) -> list[tuple[tuple, str]]:
        """Lease (or, dry, find) up to `limit` of the site's held comments in `sort` order, as
        (rank, id); `only` restricts it to those candidates."""
        how = (now, deadline, moderator, reason, include_own, dry_run)
        if only is not None:
            return self._lease_candidates(site, only, limit, *how)
        found: list[tuple[tuple, str]] = []
        for candidates in self._candidate_pages(site, sort):
            if len(found) >= limit:
                break
            found += self._lease_candidates(site, candidates, limit - len(found), *how)
        return found

    def _lease_candidates(self, site: str, candidates: list[tuple[tuple, str]], limit: int,
                          now: float, deadline: float, moderator: str, reason: str,
                          include_own: bool, dry_run: bool) -> list[tuple[tuple, str]]:
        if not candidates:
            return []
        rank = {cid: at for at, cid in candidates}
        got = self._claim(**scripts.CLAIM.call(
            pending_key=keys.pending(site), leases_key=keys.leases(site),
            now=now, deadline=deadline, limit=limit, moderator=moderator, reason=reason,
            own_too="1" if include_own else "0", dry_run="1" if dry_run else "0",
            more_keys=[keys.comment(site, cid) for cid in rank], more_args=list(rank)))
        return [(rank[cid], cid) for cid in got]

    @unavailable_on_redis_errors
    def claim(self, moderator: str, limit: int = 10, site: str | None = None,
              lease_seconds: int | None = None, *, reason: str | None = None,
              include_own: bool = False, sort: str = "arrival") -> list[dict]:
        """Lease up to `limit` held comments, oldest first (or highest `sort` score first), to
        `moderator`.

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
               "include_own": include_own, "sort": sort}
        if site:
            leased = self._lease(site, moderator, limit, **how)
            return one_per_campaign(self._views([(site, cid) for _rank, cid in leased], now=now))
        leased: list[tuple[tuple, str, str]] = []
        for _round in range(CROSS_SITE_ROUNDS):
            wanted = limit - len(leased)
            if wanted <= 0:
                break
            # Each site is asked for `limit`, not `wanted`: with include_own, what this claim
            # leased already is still claimable to it, oldest first, and is left out here.
            candidates = sorted(
                (rank, name, cid) for name in self.site_names()
                for rank, cid in self._lease(name, moderator, limit, dry_run=True, **how)
                if (rank, name, cid) not in leased)[:wanted]
            if not candidates:
                break
            by_site: dict[str, list[tuple[tuple, str]]] = defaultdict(list)
            for rank, name, cid in candidates:
                by_site[name].append((rank, cid))
            for name, picks in by_site.items():
                leased += [(rank, name, cid) for rank, cid in
                           self._lease(name, moderator, len(picks), only=picks, **how)]
        leased.sort()
        return one_per_campaign(self._views([(name, cid) for _rank, name, cid in leased],
                                            now=now))

    # -- decisions ------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def decide(self, comment_id: str, moderator: str, decision: str, reason: str = "",
               *, site: str | None = None) -> dict:
        status = ModeratorDecision(decision).status
        data = self._comment_data(comment_id, site)
        if not data:
            raise UnknownComment(f"no comment {comment_id}")
        now = time.time()
        scores = stored_scores(data.get("scores"))
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
        made = NewDecision(record)
        if not record["audit"]:
            made.waited = max(0.0, now - float(data.get("created_at") or now))
            self.record_decision_wait(site, made.waited, now)
        return made

    def decide_many(self, comment_ids: list[str], moderator: str, decision: str,
                    reason: str = "", *, site: str | None = None
                    ) -> list[tuple[str, dict | HakamError]]:
        """One decision on several comments, each decided on its own (its own audit entry,
        labels and webhook): (id, record) for each decided, (id, error) for each that another
        moderator holds, was decided already or does not exist, in the order given."""
        outcomes: list[tuple[str, dict | HakamError]] = []
        for comment_id in dict.fromkeys(comment_ids):
            try:
                outcomes.append((comment_id, self.decide(comment_id, moderator, decision,
                                                         reason, site=site)))
            except (AlreadyDecided, ClaimedByOther, UnknownComment) as refused:
                outcomes.append((comment_id, refused))
        return outcomes
