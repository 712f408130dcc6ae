"""Scores plus a site's rules -> publish, hold or reject, and the reasons why. Pure functions only;
each reason's message is in the answer's language (gettext: English outside a request).

The rules are WordPress's own discussion settings (hold everything, hold authors without a
previously approved comment, disallowed words, moderation words, too many links), applied after
the model's thresholds. Word lists match substrings, as WordPress's `check_comment` and
`wp_check_comment_disallowed_list` do, but on text normalised the same way the model sees it, so
`كـلب`, `كَلب` and `كلب` all match one entry.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from itertools import islice
from urllib.parse import urlsplit

from hakam.model import Score, Thresholds
from hakam.model.normalize import Normalized, host_at, is_trusted, normalize, trusted_set
from hakam.model.scorer import MAX_SPANS

from .i18n import translator

# Links as WordPress counts them in check_comment(): anything that starts a URL scheme or "//".
_LINK = re.compile(r"(?:https?:)?//|\bwww\.", re.IGNORECASE)
STATUSES = ("approved", "pending", "spam")


@dataclass(frozen=True)
class SitePolicy:
    premoderation: bool = False  # WordPress: "Comment must be manually approved"
    disallowed_words: tuple[str, ...] = ()  # WordPress: "Disallowed Comment Keys" -> spam
    moderation_words: tuple[str, ...] = ()  # WordPress: "Comment Moderation" words -> held
    max_links: int = 2  # WordPress: hold a comment with more than this many links
    # WordPress: "Comment author must have a previously approved comment" -> held otherwise
    previously_approved: bool = False
    spam_reject: float | None = None  # None: the model's shipped threshold
    spam_hold: float | None = None
    abuse_hold: float | None = None
    # Sources readers cite (the site's own domain, from post_url, is trusted too): links to
    # them, or their subdomains, are citations, neither counted as links nor as spam signs
    trusted_domains: tuple[str, ...] = ()
    # Share of approved (published) comments also put in the review queue as audit items:
    # their decisions label what the model let through, which held comments never show.
    # None: the service's default (HAKAM_AUDIT_RATE, 0.02)
    audit_rate: float | None = None
    # Learn the site's own line from its labels (a per-site adapter on top of the model)
    adapt: bool = True
    # Share of the site's abusive comments an adapted site's hold threshold aims to hold
    abuse_recall: float = 0.85
    # Hold (reason author_history) an author whose last this many decided comments were all
    # rejected or spam; 0: off
    hold_after_rejections: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> SitePolicy:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for words in ("disallowed_words", "moderation_words", "trusted_domains"):
            known[words] = tuple(known.get(words, ()))
        return cls(**known)

    def to_dict(self) -> dict:
        data = asdict(self)
        for words in ("disallowed_words", "moderation_words", "trusted_domains"):
            data[words] = list(getattr(self, words))
        return data

    def trusted_for(self, post_url: str | None) -> frozenset[str]:
        """The domains trusted for a comment on `post_url`: the site's list and the post's own
        domain, folded as the scorer compares them."""
        own = (urlsplit(post_url).hostname or "",) if post_url else ()
        return trusted_set(self.trusted_domains + tuple(d for d in own if d))

    def thresholds(self, defaults: Thresholds) -> Thresholds:
        return Thresholds(
            spam_reject=defaults.spam_reject if self.spam_reject is None else self.spam_reject,
            spam_hold=defaults.spam_hold if self.spam_hold is None else self.spam_hold,
            abuse_hold=defaults.abuse_hold if self.abuse_hold is None else self.abuse_hold,
        )


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


@dataclass(frozen=True)
class Decision:
    status: str
    reasons: tuple[dict, ...] = field(default_factory=tuple)


def _reason(code: str, message: str, spans=()) -> dict:
    # the first MAX_SPANS places, as the scorer names words: every link or listed word of a
    # long comment would make its answer and its stored record many times its own size
    return {"code": code, "message": message,
            "spans": [list(s) for s in islice(spans, MAX_SPANS)]}


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
    for word in words:
        needle = normalize(word, placeholders=False).text.strip()
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
        for task in ("spam", "abuse")
    }

    # Normalised once for every rule that reads it, with addresses kept as text: a site may
    # list a domain or an address, and a link's host is read there.
    plain = normalize(facts.text, placeholders=False) \
        if policy.disallowed_words or policy.moderation_words or facts.trusted_domains else None
    word, spans, fields = _word_hits(policy.disallowed_words, facts, plain)
    if word:
        return Decision("spam", (_reason(
            "disallowed_word",
            gettext("A word on the site's disallowed list appears in %(places)s.",
                    places=_where(spans, fields)), spans),))

    if score.spam > limits.spam_reject and (facts.shipped_spam is None
                                            or facts.shipped_spam > limits.spam_reject):
        return Decision("spam", (_reason(
            "spam_score",
            gettext("Spam score %(score).2f is above the rejection threshold %(limit).2f.",
                    score=score.spam, limit=limits.spam_reject), model_spans["spam"]),))

    held: list[dict] = []
    if score.spam > limits.spam_hold:
        held.append(_reason(
            "spam_score",
            gettext("Spam score %(score).2f is above the hold threshold %(limit).2f.",
                    score=score.spam, limit=limits.spam_hold), model_spans["spam"]))
    if score.abuse > limits.abuse_hold:
        held.append(_reason(
            "abuse_score",
            gettext("Abuse score %(score).2f is above the hold threshold %(limit).2f.",
                    score=score.abuse, limit=limits.abuse_hold), model_spans["abuse"]))
    word, spans, fields = _word_hits(policy.moderation_words, facts, plain)
    if word:
        held.append(_reason(
            "moderation_word",
            gettext("A word on the site's moderation list appears in %(places)s.",
                    places=_where(spans, fields)), spans))
    links = _untrusted_links(facts.text, facts.trusted_domains, plain)
    if len(links) > policy.max_links:
        held.append(_reason(
            "too_many_links",
            ngettext("The comment has %(num)d link; the site holds more than %(limit)d.",
                     "The comment has %(num)d links; the site holds more than %(limit)d.",
                     len(links), limit=policy.max_links), links))
    if policy.premoderation:
        held.append(_reason("premoderation", gettext("The site holds every comment for review.")))
    elif policy.previously_approved and not facts.approved_before:
        held.append(_reason(
            "first_comment",
            gettext("The site holds comments from authors without a previously approved "
                    "comment.")))
    cited = _cited(facts)
    if held:
        return Decision("pending", tuple(held) + cited)

    return Decision("approved", (_reason(
        "below_thresholds",
        gettext("Spam %(spam).2f and abuse %(abuse).2f are below the hold thresholds "
                "(%(spam_hold).2f, %(abuse_hold).2f) and no site rule matched.",
                spam=score.spam, abuse=score.abuse, spam_hold=limits.spam_hold,
                abuse_hold=limits.abuse_hold)),) + cited)


def held_for_author(decision: Decision, code: str, policy: SitePolicy) -> Decision:
    """`decision` held for what moderators know of its author (the store finds it, inside
    intake's one script): premoderated by a moderator (`author_premoderated`), or their last
    decided comments all rejected or spam (`author_history`). The reason comes first: it is
    what holds the comment; a comment published otherwise keeps no "below thresholds" note."""
    gettext, ngettext, _ = translator()
    if code == "author_premoderated":
        reason = _reason(code, gettext("Moderators hold every comment of this author for "
                                       "review."))
    else:
        count = policy.hold_after_rejections
        reason = _reason(code, ngettext(
            "The author's last decided comment was rejected or marked as spam.",
            "The author's last %(num)d decided comments were all rejected or marked as spam.",
            count))
    kept = tuple(r for r in decision.reasons if r["code"] != "below_thresholds")
    return Decision("pending", (reason,) + kept)


def _untrusted_links(text: str, trusted: frozenset[str],
                     plain: Normalized | None) -> list[tuple[int, int]]:
    """Spans of the links WordPress would count, less those to trusted domains.

    Each link's host is read in `plain` (the text normalised, addresses kept), a DNS name's
    length at most: normalising each link's address on its own took quadratic time when many
    links shared one long word ("//" * 30000 took minutes)."""
    links = [match.span() for match in _LINK.finditer(text)]
    if not trusted or not links or plain is None:
        return links
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
    return (_reason("trusted_links", gettext(
        "Links to sites this site trusts were read as citations: they count neither as links "
        "nor toward the spam score."), facts.cited),)
