"""The domain's words, each defined once: where a comment stands, what a moderator may decide
and why, and the codes of the reasons a comment was decided for.

Each is a StrEnum: a member is the string itself (`Status.PENDING == "pending"`, hashing
alike), so JSON answers, Redis fields, metrics labels and the Lua scripts see exactly the words
they always did. orjson refuses enum members as dict keys, so a dict meant for JSON is keyed by
`.value`. Pure: imports nothing of the service (the model's attribute names only).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from hakam.model import ATTRIBUTES


class Status(StrEnum):
    """Where a comment stands."""

    APPROVED = "approved"  # published
    PENDING = "pending"  # held for a moderator
    SPAM = "spam"  # turned away as spam, by the site's rules or a moderator
    REJECTED = "rejected"  # turned away by a moderator


class ModeratorDecision(StrEnum):
    """What a moderator decides about a held comment."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"

    @property
    def status(self) -> Status:
        """The status a comment takes on this decision."""
        return _DECIDED[self]


_DECIDED = {ModeratorDecision.APPROVE: Status.APPROVED,
            ModeratorDecision.REJECT: Status.REJECTED, ModeratorDecision.SPAM: Status.SPAM}


class Reason(StrEnum):
    """The codes of a comment's reasons: the site's rules and thresholds (policy.decide), the
    model's explanations of its two heads (each attribute's are the model's `<name>_terms`),
    and an audit item's mark."""

    DISALLOWED_WORD = "disallowed_word"
    SPAM_SCORE = "spam_score"
    ABUSE_SCORE = "abuse_score"
    MODERATION_WORD = "moderation_word"
    TOO_MANY_LINKS = "too_many_links"
    PREMODERATION = "premoderation"
    POST_PREMODERATION = "post_premoderation"
    FIRST_COMMENT = "first_comment"
    CAMPAIGN = "campaign"  # near-duplicates from many authors (campaigns.py), on a holding site
    AUTHOR_PREMODERATED = "author_premoderated"  # a moderator premoderated the author (authors)
    AUTHOR_HISTORY = "author_history"  # the author's last K decided comments were all refused
    READER_REPORTS = "reader_reports"  # readers' reports sent a published comment back
    TRUSTED_LINKS = "trusted_links"
    BELOW_THRESHOLDS = "below_thresholds"
    SPAM_TERMS = "spam_terms"
    ABUSE_TERMS = "abuse_terms"
    AUDIT = "audit"




class MissingParent(StrEnum):
    """A reply's parent as the moderator's card shows it when Hakam does not hold it (in place
    of its Status)."""

    REMOVED = "removed"  # held once, erased at its reader's request since
    UNKNOWN = "unknown"  # never sent to Hakam, or sent without its site_comment_id


def attribute_score(attribute: str) -> str:
    """The code of the reason a comment is held for an attribute's score (`insult_score`); the
    words behind that score are the model's `<attribute>_terms`."""
    return f"{attribute}_score"


# Why a comment was held, in the order the moderator page's filter lists them.
HOLD_REASONS = (Reason.ABUSE_SCORE, Reason.SPAM_SCORE,
                *(attribute_score(name) for name in ATTRIBUTES), Reason.MODERATION_WORD,
                Reason.TOO_MANY_LINKS, Reason.PREMODERATION, Reason.POST_PREMODERATION,
                Reason.FIRST_COMMENT, Reason.AUTHOR_PREMODERATED, Reason.AUTHOR_HISTORY,
                Reason.CAMPAIGN, Reason.READER_REPORTS, Reason.AUDIT)


class AuthorAction(StrEnum):
    """What a moderator may do to the author of a comment, on its site (authors.py)."""

    PREMODERATE = "premoderate"
    SUSPEND = "suspend"
    BAN = "ban"
    LIFT = "lift"

    @property
    def restriction(self) -> Restriction | None:
        """What is in force on the author after it (None: nothing, after a lift)."""
        return _RESTRICTS.get(self)


class Restriction(StrEnum):
    """What may be in force on an author: intake holds (premoderated) or refuses (403) them."""

    PREMODERATED = "premoderated"
    SUSPENDED = "suspended"
    BANNED = "banned"


_RESTRICTS = {AuthorAction.PREMODERATE: Restriction.PREMODERATED,
              AuthorAction.SUSPEND: Restriction.SUSPENDED, AuthorAction.BAN: Restriction.BANNED}


class ReportReason(StrEnum):
    """Why a reader reports a published comment (POST /v1/comments/{id}/reports)."""

    ABUSE = "abuse"
    SPAM = "spam"
    OTHER = "other"


class ModeratorReason(StrEnum):
    """The reason a moderator may attach to a decision on the moderator page."""

    OFF_TOPIC = "off_topic"
    INSULT = "insult"
    HATE = "hate"
    ADVERTISING = "advertising"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


def one_of(words: type[StrEnum]) -> Any:
    """`Literal[...]` of the words' values, for a schema field: the JSON Schema (and so the
    OpenAPI document) lists the same strings in the same order, and a validated field holds a
    plain str."""
    return Literal[tuple(word.value for word in words)]
