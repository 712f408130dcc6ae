"""Scores plus a site's rules -> publish, hold or reject, and the reasons why. Pure functions only;
each reason's message is in the answer's language (gettext: English outside a request).

The rules are WordPress's own discussion settings (hold everything, hold authors without a
previously approved comment, disallowed words, moderation words, too many links), applied after
the model's thresholds. Word lists match substrings, as WordPress's `check_comment` and
`wp_check_comment_disallowed_list` do, but on text normalised the same way the model sees it, so
`كـلب`, `كَلب` and `كلب` all match one entry.

Attribute scores (identity attack, insult, profanity, threat) hold a comment only on a site that
set a line for that attribute (`SitePolicy.attribute_hold`), and never when the score is None
(not measured: no head reads the comment's language).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from hakam.model import Score, Thresholds
from hakam.model.normalize import Normalized, host_at, is_trusted, normalize
from hakam.model.scorer import MAX_SPANS, quoted_words

from .i18n import translator
from .site_settings import SitePolicy
from .vocabulary import Reason, Status, attribute_score

# Links as WordPress counts them in check_comment(): anything that starts a URL scheme or "//".
_LINK = re.compile(r"(?:https?:)?//|\bwww\.", re.IGNORECASE)


@dataclass(frozen=True)
class CommentFacts:
    """What the word lists look at: WordPress checks name, email, URL, IP and user agent too."""

    text: str
    author: str = ""
    email: str = ""
    url: str = ""
    author_ip: str = ""
    user_agent: str = ""
    # Whether this author (by keyed email hash) has had a comment approved on the site before;
    # only looked up when the site holds first-time authors.
    approved_before: bool = False
    # SitePolicy.trusted_for(post_url): links to these do not count toward the link limit
    trusted_domains: frozenset[str] = frozenset()
    # [start, end) of the links the scorer read as citations (Score.cited)
    cited: tuple[tuple[int, int], ...] = ()
    # The shipped model's spam score, when the site's adapter scored the comment over the
    # rejection threshold (scoring.shipped_spam_over): rejected only if it is over it too.
    shipped_spam: float | None = None
    # discussion.Applied.premoderated_by: "post", or the section's prefix, when the rules of
    # the comment's post hold every comment on it
    premoderated_by: str | None = None
    # Authors of the campaign (near-duplicate texts, see campaigns.py) the comment joins,
    # when the site holds campaigns and that group has reached the site's limit; else 0
    campaign_authors: int = 0


@dataclass(frozen=True)
class Decision:
    status: Status
    reasons: tuple[dict, ...] = field(default_factory=tuple)


def _reason(code: Reason, message: str, spans=()) -> dict:
    # the first MAX_SPANS places, as the scorer names words: every link or listed word of a
    # long comment would make its answer and its stored record many times its own size
    return {"code": code, "message": message,
            "spans": [list(s) for s in islice(spans, MAX_SPANS)]}


@lru_cache(maxsize=256)
def _needles(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each listed word with its normal form: a site's lists are normalised once (a few sites'
    worth kept; lru_cache locks for gunicorn's threads), not once per comment per word."""
    return tuple((word, normalize(word, placeholders=False).text.strip()) for word in words)


def _word_hits(words: tuple[str, ...], facts: CommentFacts,
               text: Normalized) -> tuple[str, list, list[str]]:
    """First listed word found, its spans in the comment text (`text`, the comment normalised
    with its addresses kept), and which other fields hold it."""
    if not words:
        return "", [], []
    others = {
        "name": normalize(facts.author, placeholders=False).text,
        "email": normalize(facts.email, placeholders=False).text,
        "website": normalize(facts.url, placeholders=False).text, "ip": facts.author_ip,
        "user agent": normalize(facts.user_agent, placeholders=False).text,
    }
    for word, needle in _needles(tuple(words)):
        if not needle:
            continue
        spans = [text.original_span(*match.span())
                 for match in islice(re.finditer(re.escape(needle), text.text), MAX_SPANS)]
        fields = [name for name, value in others.items() if needle in value]
        if spans or fields:
            return word, spans, fields
    return "", [], []


def _where(spans: list, fields: list[str]) -> str:
    gettext, _, spoken_list = translator()
    names = {"comment": gettext("the comment"), "name": gettext("the name"),
             "email": gettext("the email"), "website": gettext("the website"),
             "ip": gettext("the IP address"), "user agent": gettext("the user agent")}
    return spoken_list([names[f] for f in (["comment"] if spans else []) + fields])


def decide(score: Score, policy: SitePolicy, defaults: Thresholds,
           facts: CommentFacts) -> Decision:
    gettext, ngettext, _ = translator()
    limits = policy.thresholds(defaults)
    model_spans = {
        task: [span for r in score.reasons if r.task == task for span in r.spans]
        for task in ("spam", "abuse", *policy.attribute_hold)
    }

    # Normalised once for every rule that reads it, with addresses kept as text: a site may
    # list a domain or an address, and a link's host is read there (normalised there only for
    # a comment with a link, when the site lists no words: most comments have none).
    plain = normalize(facts.text, placeholders=False) \
        if policy.disallowed_words or policy.moderation_words else None
    word, spans, fields = _word_hits(policy.disallowed_words, facts, plain)
    if word:
        return Decision(Status.SPAM, (_reason(
            Reason.DISALLOWED_WORD,
            gettext("A word on the site's disallowed list appears in %(places)s.",
                    places=_where(spans, fields)), spans),))

    if score.spam > limits.spam_reject and (facts.shipped_spam is None
                                            or facts.shipped_spam > limits.spam_reject):
        return Decision(Status.SPAM, (_reason(
            Reason.SPAM_SCORE,
            gettext("Spam score %(score).2f is above the rejection threshold %(limit).2f.",
                    score=score.spam, limit=limits.spam_reject), model_spans["spam"]),))

    held: list[dict] = []
    if score.spam > limits.spam_hold:
        held.append(_reason(
            Reason.SPAM_SCORE,
            gettext("Spam score %(score).2f is above the hold threshold %(limit).2f.",
                    score=score.spam, limit=limits.spam_hold), model_spans["spam"]))
    if score.abuse > limits.abuse_hold:
        held.append(_reason(
            Reason.ABUSE_SCORE,
            gettext("Abuse score %(score).2f is above the hold threshold %(limit).2f.",
                    score=score.abuse, limit=limits.abuse_hold), model_spans["abuse"]))
    held.extend(_attribute_holds(score, policy, facts.text, model_spans))
    word, spans, fields = _word_hits(policy.moderation_words, facts, plain)
    if word:
        held.append(_reason(
            Reason.MODERATION_WORD,
            gettext("A word on the site's moderation list appears in %(places)s.",
                    places=_where(spans, fields)), spans))
    links = _untrusted_links(facts.text, facts.trusted_domains, plain)
    if len(links) > policy.max_links:
        held.append(_reason(
            Reason.TOO_MANY_LINKS,
            ngettext("The comment has %(num)d link; the site holds more than %(limit)d.",
                     "The comment has %(num)d links; the site holds more than %(limit)d.",
                     len(links), limit=policy.max_links), links))
    if facts.premoderated_by == "post":
        held.append(_reason(Reason.POST_PREMODERATION,
                            gettext("Every comment on this post is held for review.")))
    elif facts.premoderated_by:
        held.append(_reason(Reason.POST_PREMODERATION, gettext(
            "Every comment on the posts under %(section)s is held for review.",
            section=facts.premoderated_by)))
    if policy.campaign_hold and facts.campaign_authors >= policy.campaign_hold:
        held.append(_reason(Reason.CAMPAIGN, gettext(
            "%(authors)s have posted this text or one much like it on the site within 24 "
            "hours; the site holds such a campaign from %(limit)s on.",
            authors=ngettext("%(num)d author", "%(num)d authors", facts.campaign_authors),
            limit=ngettext("%(num)d author", "%(num)d authors", policy.campaign_hold))))
    if policy.premoderation:
        held.append(_reason(Reason.PREMODERATION,
                            gettext("The site holds every comment for review.")))
    elif policy.previously_approved and not facts.approved_before:
        held.append(_reason(
            Reason.FIRST_COMMENT,
            gettext("The site holds comments from authors without a previously approved "
                    "comment.")))
    cited = _cited(facts)
    if held:
        return Decision(Status.PENDING, tuple(held) + cited)

    return Decision(Status.APPROVED, (_reason(
        Reason.BELOW_THRESHOLDS,
        gettext("Spam %(spam).2f and abuse %(abuse).2f are below the hold thresholds "
                "(%(spam_hold).2f, %(abuse_hold).2f) and no site rule matched.",
                spam=score.spam, abuse=score.abuse, spam_hold=limits.spam_hold,
                abuse_hold=limits.abuse_hold)),) + cited)


def attribute_score_name(attribute: str) -> str:
    """"Insult score", as a reader of the answer's language says it."""
    gettext, _, _ = translator()
    return {"identity_attack": gettext("Identity attack score"),
            "insult": gettext("Insult score"), "profanity": gettext("Profanity score"),
            "threat": gettext("Threat score")}[attribute]


def held_attributes(score: Score, policy: SitePolicy) -> list[str]:
    """The attributes the site holds on that are over its line; a score of None (no head
    for the comment's language) is never over any line."""
    return [name for name, line in policy.attribute_hold.items()
            if (value := score.attributes.get(name)) is not None and value > line]


def _attribute_holds(score: Score, policy: SitePolicy, text: str,
                     model_spans: dict[str, list]) -> list[dict]:
    """A reason for each attribute held on, naming it and the words behind its score."""
    gettext, _, spoken_list = translator()
    reasons = []
    for name in held_attributes(score, policy):
        spans = model_spans[name]
        words = spoken_list(quoted_words(text, spans))
        values = {"name": attribute_score_name(name), "score": score.attributes[name],
                  "limit": policy.attribute_hold[name]}
        if words:
            message = gettext("%(name)s %(score).2f is above the site's hold threshold "
                              "%(limit).2f: %(words)s.", words=words, **values)
        else:
            message = gettext("%(name)s %(score).2f is above the site's hold threshold "
                              "%(limit).2f.", **values)
        reasons.append(_reason(attribute_score(name), message, spans))
    return reasons


def held_for_author(decision: Decision, code: str, policy: SitePolicy) -> Decision:
    """`decision` held for what moderators know of its author (the store finds it, inside
    intake's one script): premoderated by a moderator (`author_premoderated`), or their last
    decided comments all rejected or spam (`author_history`). The reason comes first: it is
    what holds the comment; a comment published otherwise keeps no "below thresholds" note."""
    gettext, ngettext, _ = translator()
    if code == Reason.AUTHOR_PREMODERATED:
        reason = _reason(code, gettext("Moderators hold every comment of this author for "
                                       "review."))
    else:
        count = policy.hold_after_rejections
        reason = _reason(code, ngettext(
            "The author's last decided comment was rejected or marked as spam.",
            "The author's last %(num)d decided comments were all rejected or marked as spam.",
            count))
    kept = tuple(r for r in decision.reasons if r["code"] != Reason.BELOW_THRESHOLDS)
    return Decision(Status.PENDING, (reason,) + kept)


def _untrusted_links(text: str, trusted: frozenset[str],
                     plain: Normalized | None) -> list[tuple[int, int]]:
    """Spans of the links WordPress would count, less those to trusted domains.

    Each link's host is read in `plain` (the text normalised, addresses kept; None: normalised
    here, only once a link to read is found), a DNS name's length at most: normalising each
    link's address on its own took quadratic time when many links shared one long word
    ("//" * 30000 took minutes)."""
    links = [match.span() for match in _LINK.finditer(text)]
    if not trusted or not links:
        return links
    if plain is None:
        plain = normalize(text, placeholders=False)
    untrusted = []
    for start, end in links:
        host = host_at(plain.text, bisect_left(plain.offsets, start))
        if not ("." in host and is_trusted(host, trusted)):
            untrusted.append((start, end))
    return untrusted


def _cited(facts: CommentFacts) -> tuple[dict, ...]:
    """A note on the links read as citations, so a moderator knows why they did not count."""
    if not facts.cited:
        return ()
    gettext, _, _ = translator()
    return (_reason(Reason.TRUSTED_LINKS, gettext(
        "Links to sites this site trusts were read as citations: they count neither as links "
        "nor toward the spam score."), facts.cited),)
