"""A site's settings, in one place: what a site is (`Site`), how its comments are judged
(`SitePolicy`), what its comment form requires (`SiteRules`), and how the settings are kept in
the site's record (`hakam:site:<site>`, see store/keys.py).

Pure: plain data and the rules for changing it. Never imports Flask or Redis, so the store, the
request layer, the policy and the CLI all build on it without importing one another.

Each settings field needs a default: a record written before the field existed loads with it,
and a field a record holds that this version does not know is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from hakam.model import ATTRIBUTES, Thresholds
from hakam.model.normalize import trusted_set

from .discussion import DiscussionRules

_WORD_LISTS = ("disallowed_words", "moderation_words", "trusted_domains")


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {name: value for name, value in data.items() if name in names}


@dataclass(frozen=True)
class SiteRules:
    """A site's comment-form rules."""

    require_name_email: bool = True  # WordPress's "Comment author must fill out name and email"
    check_deliverability: bool = False  # look up the email domain's MX records (DNS)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteRules:
        return cls(**_known(cls, data))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: Mapping[str, Any]) -> SiteRules:
        """These rules with `changes` (field -> new value) made."""
        return SiteRules.from_dict({**self.to_dict(), **changes})


@dataclass(frozen=True)
class SitePolicy:
    """How a site's comments are judged (policy.decide reads it)."""

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
    # Attribute (ATTRIBUTES) -> the score above which the site holds a comment for it. Empty
    # by default: attributes inform moderators, as Perspective's do, and a site opts in to
    # holding on one (`hakam sites configure SITE --hold insult=0.8`).
    attribute_hold: dict[str, float] = field(default_factory=dict, hash=False)
    # Answer a comment that would be held for abuse alone with a nudge (422 `nudge`) that lets
    # its author edit it or post it anyway (see nudge.py); off: held at once, as before
    nudge: bool = False
    # Readers' reports that send a published comment back to the queue (reader_reports)
    report_hold: int = 3
    # Hold (reason `campaign`) every further comment of a campaign once it has this many
    # authors, even one the model would publish (see campaigns.py); None: never
    campaign_hold: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SitePolicy:
        known = _known(cls, data)
        for words in _WORD_LISTS:
            known[words] = tuple(known.get(words, ()))
        holds = known.get("attribute_hold") or {}
        # in ATTRIBUTES' order, whatever order they were stored or given in
        known["attribute_hold"] = {name: float(holds[name]) for name in ATTRIBUTES
                                   if holds.get(name) is not None}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for words in _WORD_LISTS:
            data[words] = list(getattr(self, words))
        data["attribute_hold"] = dict(self.attribute_hold)
        return data

    def updated(self, changes: Mapping[str, Any]) -> SitePolicy:
        """This policy with `changes` (field -> new value; a word list as any sequence)."""
        return SitePolicy.from_dict({**self.to_dict(), **changes})

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
class Site:
    name: str
    language: str = "ar"
    webhook_url: str | None = None
    rules: SiteRules = field(default_factory=SiteRules)
    policy: SitePolicy = field(default_factory=SitePolicy)
    revoked: bool = False
    # Days a decided comment keeps its text and its author's personal fields; None: always.
    retention_days: int | None = None
    # keys.site_version when these settings were read ("0": never changed)
    version: str = "0"
    # rules per post and per section, read with the settings (changing them bumps the version)
    discussion: DiscussionRules = field(default_factory=DiscussionRules)

    @classmethod
    def from_record(cls, record: Mapping[str, str],
                    discussion: DiscussionRules | None = None) -> Site:
        """The site its record (the hash's fields, as Redis returns them) describes, with its
        post and section rules (`DiscussionRules.from_hashes`)."""
        return cls(
            name=record["name"], language=record.get("language", "ar"),
            webhook_url=record.get("webhook_url") or None,
            rules=SiteRules.from_dict(json.loads(record.get("rules") or "{}")),
            policy=SitePolicy.from_dict(json.loads(record.get("policy") or "{}")),
            revoked=record.get("revoked") == "1",
            retention_days=(int(record["retention_days"]) if record.get("retention_days")
                            else None),
            discussion=discussion or DiscussionRules())

    def settings(self) -> dict[str, Any]:
        """What `hakam sites configure` prints: the settings a site's owner may change."""
        return {"name": self.name, "language": self.language, "webhook_url": self.webhook_url,
                "rules": self.rules.to_dict(), "policy": self.policy.to_dict(),
                "retention_days": self.retention_days}


def record_fields(*, rules: SiteRules | None = None, policy: SitePolicy | None = None,
                  webhook_url: str | None = None, language: str | None = None,
                  retention_days: int | None = None) -> dict[str, str]:
    """The record's fields for the settings given (None: not given); `retention_days` 0 means
    keep comments for good."""
    record: dict[str, str] = {}
    if rules is not None:
        record["rules"] = _json(rules.to_dict())
    if policy is not None:
        record["policy"] = _json(policy.to_dict())
    if webhook_url is not None:
        record["webhook_url"] = webhook_url
    if language is not None:
        record["language"] = language
    if retention_days is not None:
        record["retention_days"] = str(retention_days) if retention_days > 0 else ""
    return record


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
