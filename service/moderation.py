"""Deciding a comment, and recording a moderator's decision: the one home of both.

Every route that judges a comment (POST /v1/comments, Akismet's comment-check) judges it here:
scored as its site scores (the site's adapter included, see scoring.site_model), then decided
by the site's rules (policy.decide), so one comment gets the same decision whichever protocol
asked. Perspective asks only for the scores, through `score` here too. `accept` stores what
POST /v1/comments decided, or, for a comment that would be held for abuse on a site with the
nudge on, nudges its author first (raises Nudged, stores nothing; see nudge.py);
`record_decision` is what follows a moderator's decision, from the review API and the
moderator page alike.

Views parse, call one of these and serialise; nothing here reads the request or builds a
response. The reader's email and IP reach the store only as keyed hashes.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace

from email_validator import EmailNotValidError
from flask import current_app

from hakam.model import Score
from hakam.model.normalize import Normalized, normalize
from hakam.model.scorer import quoted_words

from . import campaigns, nudge, policy
from .adapting import SiteModel
from .discussion import Applied
from .errors import CommentsClosed, HakamError, Nudged
from .i18n import translator
from .metrics import DECISION_LATENCY, DECISIONS, NUDGES
from .reader_keys import reader_key
from .scoring import (
    answered_scores,
    get_adapters,
    score_comment,
    shipped_spam_over,
    site_model,
    with_attribute_words,
)
from .store import ReportOutcome, Site, get_store
from .store.authors import AuthorHold
from .store.intake import CampaignReached
from .store.review import NewDecision, RepeatedDecision
from .vocabulary import Reason, Status


@dataclass(frozen=True)
class Scored:
    """A text scored as its site scores comments: with the model the site's comments get, the
    domains trusted for it, and both heads' scores."""

    text: str
    model: SiteModel
    trusted: frozenset[str]
    score: Score


@dataclass(frozen=True)
class Judgement:
    scored: Scored
    decision: policy.Decision

    @property
    def status(self) -> str:
        return self.decision.status

    def reasons(self) -> list[dict]:
        """The decision's reasons first (which rule or threshold decided), then the words
        behind each score, in the answer's language, so a moderator sees both."""
        return list(self.decision.reasons) + _model_reasons(self.scored.score, self.scored.text)


def normalized_comment(site: Site, text: str, post_url: str | None = None) -> Normalized:
    """`text` normalised as the scorer reads a comment on `post_url` on `site` (links to the
    domains trusted there left out): intake makes it once and hands it to the scorer and to
    the campaign fingerprint, rather than each normalising the comment again."""
    return normalize(text, trusted_domains=site.policy.trusted_for(post_url))


def score(site: Site, text: str, post_url: str | None = None, *,
          normalized: Normalized | None = None) -> Scored:
    """`text` scored as `site` scores a comment on `post_url` (whose domain it trusts);
    `normalized`: `normalized_comment(site, text, post_url)`, when the caller has it."""
    model = site_model(site)  # the shipped model, or with the site's own adapter
    trusted = site.policy.trusted_for(post_url)
    return Scored(text, model, trusted, score_comment(text, trusted, model,
                                                      normalized=normalized))


def judge(site: Site, text: str, *, post_url: str | None = None, author: str = "",
          email: str = "", url: str = "", author_ip: str = "", user_agent: str = "",
          reader: str | None = None, premoderated_by: str | None = None,
          campaign_authors: int = 0, normalized: Normalized | None = None) -> Judgement:
    """Score a comment and decide it under the site's rules. The word lists read the author's
    fields too, as WordPress's do; `reader` (the author's reader key) tells a first-time author
    from one approved before, for a site that holds the former; without it the author is new.
    `premoderated_by`: the post's or its section's rules hold every comment on it
    (discussion.Applied.premoderated_by). `normalized`: as `score` takes it."""
    scored = score(site, text, post_url, normalized=normalized)
    facts = policy.CommentFacts(
        text=text, author=author, email=email, url=url, author_ip=author_ip,
        user_agent=user_agent,
        # one more Redis round trip, only for sites that hold first-time authors
        approved_before=bool(reader and site.policy.previously_approved
                             and get_store().approved_before(site.name, reader)),
        trusted_domains=scored.trusted, cited=scored.score.cited,
        shipped_spam=shipped_spam_over(scored.score, text, scored.trusted, scored.model,
                                       site.policy),
        premoderated_by=premoderated_by, campaign_authors=campaign_authors)
    scored = replace(scored, score=with_attribute_words(scored.score, text, scored.trusted,
                                                        scored.model, site.policy))
    return Judgement(scored, policy.decide(scored.score, site.policy, scored.model.thresholds,
                                           facts))


def accept(site: Site, submission, *, idempotency_key: str | None) -> tuple[str, dict]:
    """Judge and store a comment submitted to POST /v1/comments (a validated
    schemas.CommentSubmission); answers its id and the body to answer, which is the first
    answer's when the comment was already taken (a replay, a duplicate).

    A comment the site would hold for abuse alone, with the site's nudge on and no valid
    `nudge_token`, raises Nudged instead: nothing is stored, no flood or duplicate marker."""
    store = get_store()
    rules, close_after_seconds = _post_rules(site, submission)
    # WordPress identifies a logged-out author by email (or name when email is optional).
    reader = reader_key(store, submission.email, author=submission.author)
    # Campaigns count authors by their keyed email hash; a comment without one is its own.
    # normalised once, for the scorer and the fingerprint alike (the normaliser is a good part
    # of both, and the text can be 256 KB)
    normalized = normalized_comment(site, submission.comment, submission.post_url)
    fingerprint = campaigns.fingerprint(submission.comment, normalized)
    campaign_authors = 0
    author_hold = None  # what moderators know of the author holds it (authors.py)
    while True:
        judgement = judge(
            site, submission.comment, post_url=submission.post_url, author=submission.author,
            email=submission.email, url=submission.url or "",
            author_ip=submission.author_ip or "", user_agent=submission.user_agent or "",
            reader=reader, premoderated_by=rules.premoderated_by,
            campaign_authors=campaign_authors, normalized=normalized)
        if author_hold:
            judgement = replace(judgement, decision=policy.held_for_author(
                judgement.decision, author_hold, site.policy))
        try:
            comment_id, body, status = _store_judged(site, submission, judgement, reader,
                                                     idempotency_key, fingerprint,
                                                     close_after_seconds, author_hold)
            break
        except CampaignReached as reached:
            # the site holds this campaign now: judged again with it (at most once more, since
            # a held comment is never sent back)
            campaign_authors = reached.authors
        except AuthorHold as held:
            # the author's record holds it (premoderated, or their last decided comments all
            # rejected): judged again with that reason, once (the script asks no more)
            author_hold = held.code
    if body["id"] == comment_id and body["status"] == status:
        DECISIONS.labels(status, "policy").inc()
    return comment_id, body


def _store_judged(site: Site, submission, judgement: Judgement, reader: str,
                  idempotency_key: str | None, fingerprint: campaigns.Fingerprint | None,
                  close_after_seconds: float | None,
                  author_hold: str | None = None) -> tuple[str, dict, str]:
    """Store a judged comment (or nudge its author first); answers its id, the body to answer
    and the status it was judged. Raises CampaignReached when it would be published into a
    campaign the site holds: nothing is stored then."""
    store = get_store()
    status, scores, model = judgement.status, judgement.scored.score, judgement.scored.model
    now = time.time()
    answered_nudge = None
    if submission.nudge_token:  # read even if the site turned its nudge off since
        answered_nudge = nudge.verify(store.derived_key("nudge"), submission.nudge_token,
                                      site.name, now)
    if answered_nudge is None and nudge.is_nudged(
            status, [r["code"] for r in judgement.decision.reasons],
            site.policy.nudge and submission.nudge):
        _nudge(site.name, judgement, now, reader if submission.email else None)
    reasons = judgement.reasons()
    ip_key = store.private_key(submission.author_ip) if submission.author_ip else None
    comment = {
        "text": submission.comment, "author": submission.author, "url": submission.url or "",
        "post_id": submission.post_id,
        "parent_id": str(submission.parent_id) if submission.parent_id else "",
        "post_url": submission.post_url or "", "language": submission.language or "",
        "site_comment_id": submission.site_comment_id or "",
        "post_title": submission.post_title or "",
        "author_key": reader,
        "scores": {"spam": scores.spam, "abuse": scores.abuse, **scores.attributes},
        "reasons": reasons,
        "model_version": model.version,
    }
    comment_id, body = store.accept(
        site=site.name, comment=comment, status=status,
        answer=lambda cid: _answer(cid, status, scores, reasons, model.version),
        duplicate_of="\0".join((submission.post_id, reader, submission.comment.strip())),
        author_key=reader, ip_key=ip_key, idempotency_key=idempotency_key,
        sampled_for_audit=_audit_sample(site, status), site_version=site.version,
        nudge_nonce=answered_nudge.nonce if answered_nudge else None,
        on_nudge_answered=answered_nudge and (lambda: NUDGES.labels(
            site.name, nudge.resend_outcome(answered_nudge, scores.abuse)).inc()),
        site_comment_id=submission.site_comment_id,
        parent_site_id=str(submission.parent_id) if submission.parent_id else None,
        post_id=submission.post_id, close_after_seconds=close_after_seconds,
        campaign=fingerprint, campaign_author=reader if submission.email else "",
        campaign_hold=site.policy.campaign_hold,
        # an author named by email has a record moderators may act on (authors.py)
        author_recorded=bool(submission.email),
        hold_after_rejections=site.policy.hold_after_rejections,
        author_hold_applied=author_hold is not None,
    )
    return comment_id, body, status


def _post_rules(site: Site, submission) -> tuple[Applied, float | None]:
    """The rules of the comment's post and its section (read with the site's settings: no
    round trip), and, when the post closes some days after its first comment, how long after
    (the intake script knows when that was). A closed post raises CommentsClosed before any
    scoring, once the site's settings are known to be current: a worker may hold them for a
    moment (SITE_CACHE_SECONDS), and a post opened meanwhile must take the comment (the
    SiteChanged confirm_site raises makes `require_site` read the site again and decide anew)."""
    rules = site.discussion.applied(submission.post_id, submission.post_url)
    if rules.closed:
        get_store().confirm_site(site)
        raise CommentsClosed()
    if not rules.close_after_days:
        return rules, None
    published = submission.post_published_at
    if published is None:
        return rules, float(rules.closes_at(0.0))
    if time.time() >= rules.closes_at(published):
        get_store().confirm_site(site)
        raise CommentsClosed(rules.closes_at(published))
    return rules, None


def _nudge(site: str, judgement: Judgement, now: float, author_key: str | None) -> None:
    """Raise Nudged (422 `nudge`) for a comment the site would hold for abuse alone. The open
    nudge is filed in the one round trip this POST makes (in place of intake's), so that one
    never answered is counted abandoned; that same call sweeps those over an hour old, and
    refuses (403) an author moderators suspended or banned, as intake would."""
    store = get_store()
    token, parts = nudge.issue(store.derived_key("nudge"), site, judgement.scored.score.abuse,
                               now)
    abandoned = store.open_nudge(site, parts.nonce, now, nudge.NUDGE_SECONDS,
                                 author_key=author_key)
    if abandoned:
        NUDGES.labels(site, "abandoned").inc(abandoned)
    NUDGES.labels(site, "shown").inc()
    spans = sorted({tuple(span) for reason in judgement.decision.reasons
                    if reason["code"] in nudge.ABUSE_HOLDS for span in reason["spans"]})
    raise Nudged([list(span) for span in spans], token)


def report(site: Site, comment_id: str, *, reporter: str, reason: str,
           note: str | None) -> ReportOutcome | None:
    """A reader's report on one of the site's comments (None: the site has no such comment).
    One per reporter per comment counts; the report that brings a published comment to the
    site's threshold (`--report-hold`) sends it back to the queue, held for `reader_reports`,
    and the site's webhook is told, all in one script (store.report). Reports make no label:
    the moderator's decision on the comment is the label, as for any held comment."""
    store = get_store()
    gettext, ngettext, _ = translator()
    threshold = site.policy.report_hold
    held_reason = {"code": Reason.READER_REPORTS.value, "spans": [], "message": ngettext(
        "A reader reported this published comment; it waits for a moderator again.",
        "%(num)d readers reported this published comment; it waits for a moderator again.",
        threshold)}

    def webhook(reports: int) -> dict:
        return {"event": "comment.reported", "comment_id": comment_id, "site": site.name,
                "status": Status.PENDING.value, "reason": Reason.READER_REPORTS.value,
                "reports": reports, "reported_at": time.time()}

    return store.report(site.name, comment_id, reporter_key=_reporter_key(store, reporter),
                        reason=reason, note=note or "", threshold=threshold,
                        held_reason=held_reason,
                        webhook=webhook if site.webhook_url else None)


def _reporter_key(store, reporter: str) -> str:
    """The reporter's keyed hash. An email is keyed as a reader's (reader_keys), so that a site
    sending the reader's email as the reporter id has their reports found with their comments
    by export and erasure; any other id is keyed as it is (case and spaces aside)."""
    if "@" in reporter:
        try:
            return reader_key(store, reporter)
        except EmailNotValidError:
            pass
    return store.private_key(reporter)


def record_decision(comment_id: str, moderator: str, decision: str, reason: str) -> dict:
    """A moderator's decision on a held comment, stored with its label and webhook delivery
    (store.decide), counted in /metrics and news to the site's adapter; answers the stored
    record (a RepeatedDecision when the same decision was already stored)."""
    record = get_store().decide(comment_id, moderator, decision, reason)
    _after_decision(record)
    return record


def record_group_decision(comment_id: str, moderator: str, decision: str, reason: str
                          ) -> tuple[dict, str | None, list[tuple[str, dict | HakamError]]]:
    """A decision on a comment and on every other held member of its campaign, each recorded
    as `record_decision` records one; answers the comment's record, the campaign's id (None
    when it is in none: it alone is decided) and each other member's outcome."""
    record = record_decision(comment_id, moderator, decision, reason)
    campaign, others = _campaign_still_held(record["site"], comment_id, {comment_id})
    if campaign is None:
        return record, None, []
    return record, campaign, record_decisions(others, moderator, decision, reason)


def record_decisions(comment_ids: list[str], moderator: str, decision: str, reason: str,
                     *, group: bool = False) -> list[tuple[str, dict | HakamError]]:
    """One decision on several held comments, each recorded as `record_decision` records one;
    answers (id, record) or (id, why not: another moderator holds it, it was decided already,
    there is no such comment) for each distinct id, in the order given. With `group`, each
    decided comment's campaign follows it: its other held members are decided too, and
    answered after the ids given."""
    store = get_store()
    outcomes = store.decide_many(comment_ids, moderator, decision, reason)
    if group:
        seen = set(comment_ids)
        for comment_id, outcome in list(outcomes):
            if isinstance(outcome, HakamError):
                continue
            _campaign, others = _campaign_still_held(outcome["site"], comment_id, seen)
            seen.update(others)
            outcomes += store.decide_many(others, moderator, decision, reason)
    for _comment_id, outcome in outcomes:
        if not isinstance(outcome, HakamError):
            _after_decision(outcome)
    return outcomes


def after_decisions(records: list[dict]) -> None:
    """What follows decisions recorded elsewhere (a ban's `decide_held`): as `record_decision`."""
    for record in records:
        _after_decision(record)


def _campaign_still_held(site: str, comment_id: str, seen: set[str]
                         ) -> tuple[str | None, list[str]]:
    """The campaign `comment_id` belongs to (None: none) and its members still held, but for
    those in `seen`: what a decision on the group decides with it."""
    store = get_store()
    campaign = store.campaign_of(site, comment_id)
    if campaign is None:
        return None, []
    return campaign, [member for member in store.held_campaign_members(site, campaign)
                      if member not in seen]


def _after_decision(record: dict) -> None:
    """The site's adapter counts its new labels; /metrics counts the decision and how long its
    held comment waited for it (a decision sent again is counted once)."""
    get_adapters().labels_added(record["site"])
    if isinstance(record, RepeatedDecision):
        return
    DECISIONS.labels(record["status"], "moderator").inc()
    if isinstance(record, NewDecision) and record.waited is not None:
        DECISION_LATENCY.labels(record["site"]).observe(record.waited)


def _audit_sample(site: Site, status: str) -> float | None:
    """A random share of what is published goes to moderators too: the only labels that show
    what the model let through, and so an honest recall estimate for the site. Answers the
    rate the comment was sampled at, None when it was not."""
    audit_rate = site.policy.audit_rate
    if audit_rate is None:
        audit_rate = current_app.config["HAKAM"].audit_rate
    return audit_rate if status == Status.APPROVED and random.random() < audit_rate else None


def _answer(comment_id: str, status: str, score: Score, reasons: list[dict],
            model_version: str) -> dict:
    return {
        "id": comment_id, "status": status,
        "scores": answered_scores(score),
        "reasons": reasons, "model_version": model_version,
    }


def _model_reasons(score: Score, text: str) -> list[dict]:
    return [{"code": r.code, "message": _model_message(r, text), "task": r.task,
             "spans": [list(s) for s in r.spans]} for r in score.reasons]


def _model_message(reason, text: str) -> str:
    """The model explains in English; the answer names the same words in the reader's language."""
    gettext, _, spoken_list = translator()
    terms = spoken_list(quoted_words(text, reason.spans))
    if reason.code == Reason.SPAM_TERMS:
        return gettext("These words and signs often appear in spam: %(terms)s.",
                       terms=terms or gettext("(signals without words)"))
    if reason.code == Reason.ABUSE_TERMS:
        return gettext("These words often appear in abusive comments: %(terms)s.", terms=terms)
    if reason.code == "identity_attack_terms":
        return gettext("These words often appear in attacks on a group's identity: "
                       "%(terms)s.", terms=terms)
    if reason.code == "insult_terms":
        return gettext("These words often appear in insults: %(terms)s.", terms=terms)
    if reason.code == "profanity_terms":
        return gettext("These words are often profane: %(terms)s.", terms=terms)
    if reason.code == "threat_terms":
        return gettext("These words often appear in threats: %(terms)s.", terms=terms)
    return reason.message
