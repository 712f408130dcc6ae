"""Comment intake: the one script on the hot path, and the two reads a POST may make first."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from .. import campaigns, jsonio
from ..campaigns import Fingerprint
from ..errors import (
    AuthorBanned,
    AuthorSuspended,
    CommentsClosed,
    Duplicate,
    Flooded,
    SiteChanged,
)
from ..vocabulary import Status
from . import keys, scripts
from .authors import AuthorHold
from .base import StorePart, sha256
from .connection import DirectScript, unavailable_on_redis_errors

IDEMPOTENCY_TTL = 24 * 3600
DUPLICATE_TTL = 30 * 24 * 3600
NUDGE_CAP = 10_000  # open nudges kept per site; past it the oldest count as abandoned


class CampaignReached(Exception):
    """Nothing was stored: the comment, about to be approved, joins a campaign that already has
    the site's --campaign-hold authors. The caller holds it and sends it again."""

    def __init__(self, authors: int, size: int) -> None:
        super().__init__(f"campaign of {authors} authors")
        self.authors = authors
        self.size = size


class Intake(StorePart):
    _accept: DirectScript
    _replay: DirectScript
    _open_nudge: DirectScript

    @unavailable_on_redis_errors
    def idempotent_answer(self, site: str, idempotency_key: str) -> dict | None:
        """The first answer to this Idempotency-Key; with replica acknowledgements on, only
        once a replica has it (else ReplicaUnconfirmed: the retry gets another 503)."""
        key = keys.idempotency(site, sha256(idempotency_key))
        if not self._replay.replica_acks:
            raw = self.r.get(key)
        else:
            raw, acked = self._replay.run(**scripts.REPLAY.call(idempotency_key=key))
            if raw:
                self._replay.confirm(acked)
        return jsonio.loads(raw) if raw else None

    @unavailable_on_redis_errors
    def accept(self, *, site: str, comment: dict[str, Any], status: str,
               answer: Callable[[str], dict], duplicate_of: str, author_key: str,
               ip_key: str | None, idempotency_key: str | None,
               sampled_for_audit: float | None = None,
               site_version: str | None = None, nudge_nonce: str | None = None,
               on_nudge_answered: Callable[[], object] | None = None,
               site_comment_id: str | None = None, parent_site_id: str | None = None,
               post_id: str = "", close_after_seconds: float | None = None,
               campaign: Fingerprint | None = None, campaign_author: str = "",
               campaign_hold: int | None = None, author_recorded: bool = False,
               hold_after_rejections: int = 0,
               author_hold_applied: bool = False) -> tuple[str, dict]:
        """Store a new comment atomically and return (comment_id, answer).

        `sampled_for_audit` (the site's audit rate, when the caller drew this comment for audit)
        makes an approved comment an audit item: published all the same, and also put in the
        review queue, so that what the model let through gets labelled (a queue of held
        comments alone never shows the abuse it missed). The rate is kept with it: the labels
        it yields stand for 1 / rate approved comments.

        `answer(comment_id)` builds the 201 body; it is saved with the comment so that a replay
        of the same Idempotency-Key gets exactly the first answer. Raises Duplicate or Flooded.

        `site_version` (Site.version of the site the comment was checked against) makes the
        script store nothing and raise SiteChanged if the site's key or settings changed since.

        `nudge_nonce` (of the valid nudge token the comment was sent back with) closes that
        open nudge in the same script; `on_nudge_answered()` is called when it was still open,
        so each nudge is counted answered once however often its token comes back.

        `site_comment_id` files the comment in the site's index of its own ids, where a later
        reply's `parent_site_id` (its comment_parent) finds it. `close_after_seconds`: the
        post closes that long after its first comment (its section's rule): past it, nothing
        is stored and CommentsClosed is raised.

        `author_recorded` (the comment came with an email, so its author has a record) makes
        the script read what moderators put on the author, in the same round trip: a ban or a
        suspension in force raises AuthorBanned / AuthorSuspended; premoderation, or their last
        `hold_after_rejections` decided comments all rejected or spam, raises AuthorHold (unless
        `author_hold_applied`: the caller holds it already). Nothing is stored in either case.
        """
        comment_id = uuid.uuid4().hex
        now = time.time()
        body = answer(comment_id)
        # campaign_author: the keyed author hash; a comment without an email is its own author
        campaign_author = campaign_author or f"comment:{comment_id}"
        duplicate_digest = sha256(duplicate_of)
        idempotency_digest = sha256(idempotency_key) if idempotency_key else None
        # The digests name this comment's duplicate and idempotency keys: erasure and the
        # retention sweep find them here.
        record = {**comment, "id": comment_id, "site": site, "status": status, "created_at": now,
                  "duplicate": duplicate_digest}
        if idempotency_digest:
            record["idempotency"] = idempotency_digest
        audited = status == Status.APPROVED and bool(sampled_for_audit)
        if audited:
            record.update(audit="pending", audit_rate=repr(float(sampled_for_audit)))
        fields: list[str] = []
        for name, value in record.items():
            fields += [name, value if isinstance(value, str) else jsonio.dumps(value)]
        history = jsonio.dumps({"at": now, "status": status, "by": "hakam", "reason": ""})
        absent = keys.absent(site)
        call = scripts.INTAKE.call(
            idempotency_key=(keys.idempotency(site, idempotency_digest) if idempotency_digest
                             else absent),
            duplicate_key=keys.duplicate(site, duplicate_digest),
            author_flood_key=keys.flood(site, "author", author_key),
            ip_flood_key=keys.flood(site, "ip", ip_key) if ip_key else absent,
            comment_key=keys.comment(site, comment_id),
            history_key=keys.history(site, comment_id),
            pending_key=keys.pending(site), counts_key=keys.counts(site),
            approved_authors_key=keys.approved_authors(site),
            reader_key=keys.reader(site, author_key),
            reader_ips_key=keys.reader_ips(site, author_key),
            retention_key=keys.retention(site), approved_counts_key=keys.approved_counts(site),
            site_version_key=keys.site_version(site), nudges_key=keys.nudges(site),
            campaign_bands_key=keys.campaign_bands(site),
            campaign_band_times_key=keys.campaign_band_times(site),
            campaigns_key=keys.campaigns(site), campaign_members_key=keys.campaign_members(site),
            campaign_authors_key=keys.campaign_authors(site),
            campaign_times_key=keys.campaign_times(site),
            site_comments_key=keys.site_comments(site), post_starts_key=keys.post_starts(site),
            author_record_key=keys.author(site, author_key) if author_recorded else absent,
            comment_id=comment_id, status=status, created_at=now,
            flood_seconds=self.flood_seconds, idempotency_ttl=IDEMPOTENCY_TTL,
            duplicate_ttl=DUPLICATE_TTL,
            answer_json=jsonio.dumps(body) if idempotency_key else "", history_json=history,
            author_key=author_key, ip_key=ip_key or "", audit="1" if audited else "0",
            site_version="" if site_version is None else site_version,
            nudge_nonce=nudge_nonce or "",
            campaign_sig=campaign.signature if campaign else "",
            campaign_bands=" ".join(campaign.bands) if campaign else "",
            campaign_author=campaign_author, campaign_hold=campaign_hold or 0,
            campaign_similarity=campaigns.SIMILARITY, campaign_window=campaigns.WINDOW_SECONDS,
            site_comment_id=site_comment_id or "", parent_site_id=parent_site_id or "",
            post_id=post_id,
            close_after_seconds=("" if close_after_seconds is None
                                 else repr(float(close_after_seconds))),
            author_rules=str(hold_after_rejections) if author_recorded else "",
            author_hold_applied="1" if author_hold_applied else "0",
            more_args=fields)
        (outcome, value, *answered), acked = self._accept.run(**call)
        if outcome in ("stored", "replay"):  # answered 201: a replica must have it first
            self._accept.confirm(acked)
        if outcome == "replay":
            replay = jsonio.loads(value)
            return replay["id"], replay
        if outcome == "duplicate":
            raise Duplicate(value)
        if outcome == "flood":
            raise Flooded(retry_after=-(-int(value) // 1000))
        if outcome == "stale":
            raise SiteChanged(f"site {site!r} changed")
        if outcome == "campaign":
            raise CampaignReached(int(value), int(answered[0]))
        if outcome == "closed":
            raise CommentsClosed(float(value))
        if outcome == "author_hold":
            raise AuthorHold(value)
        if outcome == "banned":
            raise AuthorBanned(float(value) if value else None)
        if outcome == "suspended":
            raise AuthorSuspended(float(value) if value else None)
        if answered and int(answered[0]) and on_nudge_answered is not None:
            on_nudge_answered()
        return comment_id, body

    @unavailable_on_redis_errors
    def open_nudge(self, site: str, nonce: str, now: float, max_age: float,
                   cap: int = NUDGE_CAP, author_key: str | None = None) -> int:
        """File a nudge as open until its resend, in the one round trip a nudged comment makes
        (instead of intake's); answers how many of the site's open nudges it found abandoned
        (older than `max_age`, or the oldest past `cap`), which it removed. `author_key` (of
        an author with a record) is checked as intake checks it: a suspended or banned author
        raises AuthorSuspended / AuthorBanned, and nothing is filed."""
        (outcome, value), _acked = self._open_nudge.run(**scripts.NUDGE.call(
            nudges_key=keys.nudges(site),
            author_record_key=keys.author(site, author_key) if author_key else keys.absent(site),
            nonce=nonce, now=now, cutoff=now - max_age, cap=cap,
            author_recorded="1" if author_key else "0"))
        if outcome == "banned":
            raise AuthorBanned(float(value) if value else None)
        if outcome == "suspended":
            raise AuthorSuspended(float(value) if value else None)
        return int(value)

    @unavailable_on_redis_errors
    def sweep_nudges(self, site: str, now: float, max_age: float) -> int:
        """Remove, and answer how many, open nudges of the site older than `max_age`: those
        abandoned while no new nudge came to find them. Atomic, so two sweepers never count
        one nudge twice."""
        return int(self.r.zremrangebyscore(keys.nudges(site), "-inf", now - max_age))

    @unavailable_on_redis_errors
    def approved_before(self, site: str, author_key: str) -> bool:
        """Whether this author (keyed hash) has had a comment approved on the site, at intake
        or by a moderator: WordPress's "previously approved comment" rule."""
        return bool(self.r.sismember(keys.approved_authors(site), author_key))
