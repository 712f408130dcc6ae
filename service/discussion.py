"""Rules per post and per section: which posts are closed to comments, which are premoderated,
and when a section's posts close by themselves. Pure: no Redis, no Flask.

WordPress keeps such settings per post ("Allow comments"), Coral Talk per story (premoderation,
closing a stream, and closing every stream some time after it starts), Discourse per category.
Here a post is named by the site's `comment_post_ID` and a section by the start of its posts'
`post_url` (`https://akhbar.example/politics/`). A post's own setting wins over its section's,
a longer (more specific) section over a shorter one; the site's own premoderation
(`SitePolicy.premoderation`) applies whatever a post or section says.

A section's `close_after_days` counts from the post's publication when the site sends
`post_date`, else from the post's first comment Hakam received (kept by the intake script).
A post opened explicitly (`closed=False`) stays open whatever its section says, as Coral's
"open stream" does after its automatic close.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

DAY_SECONDS = 86_400
MAX_CLOSE_AFTER_DAYS = 36_500


@dataclass(frozen=True)
class PostRule:
    """One post's settings; None leaves the choice to its section."""

    premoderation: bool | None = None
    closed: bool | None = None  # False: open, whatever its section says

    def is_empty(self) -> bool:
        return self.premoderation is None and self.closed is None

    def to_dict(self) -> dict:
        return {"premoderation": self.premoderation, "closed": self.closed}

    @classmethod
    def from_dict(cls, data: Mapping) -> PostRule:
        return cls(premoderation=_flag(data.get("premoderation")),
                   closed=_flag(data.get("closed")))


@dataclass(frozen=True)
class SectionRule:
    """The settings of the posts whose `post_url` starts with `url_prefix`; None leaves the
    choice to a shorter section. `close_after_days` 0: never closed (over a shorter section)."""

    url_prefix: str
    premoderation: bool | None = None
    close_after_days: int | None = None

    def is_empty(self) -> bool:
        return self.premoderation is None and self.close_after_days is None

    def to_dict(self) -> dict:
        return {"url_prefix": self.url_prefix, "premoderation": self.premoderation,
                "close_after_days": self.close_after_days}

    @classmethod
    def from_dict(cls, url_prefix: str, data: Mapping) -> SectionRule:
        days = data.get("close_after_days")
        return cls(url_prefix=url_prefix, premoderation=_flag(data.get("premoderation")),
                   close_after_days=int(days) if days is not None else None)


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


def section_prefix(url: str) -> str:
    """The form a section's prefix is kept and compared in: scheme and host in lower case
    (they are case-insensitive), the rest as given. ValueError unless an http(s) address."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) address: {url!r}")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query,
                       parts.fragment))


def _comparable(post_url: str) -> str:
    try:
        return section_prefix(post_url)
    except ValueError:
        return ""


@dataclass(frozen=True)
class Applied:
    """What the rules say for one comment's post."""

    closed: bool = False
    # "post", or the section's prefix, when that holds every comment on the post
    premoderated_by: str | None = None
    # days after the post's start that it closes (its section's rule), when it may close
    close_after_days: int | None = None

    def closes_at(self, started_at: float) -> float | None:
        if not self.close_after_days:
            return None
        return started_at + self.close_after_days * DAY_SECONDS


@dataclass(frozen=True)
class DiscussionRules:
    """A site's post and section rules, as read with its settings."""

    posts: Mapping[str, PostRule] = field(default_factory=lambda: MappingProxyType({}))
    sections: tuple[SectionRule, ...] = ()  # longest prefix first

    @classmethod
    def from_hashes(cls, posts: Mapping[str, str], sections: Mapping[str, str]
                    ) -> DiscussionRules:
        """The rules as the site's posts and sections hashes keep them (JSON per field)."""
        return cls.of(
            {post_id: PostRule.from_dict(json.loads(rule)) for post_id, rule in posts.items()},
            [SectionRule.from_dict(prefix, json.loads(rule))
             for prefix, rule in sections.items()])

    @classmethod
    def of(cls, posts: Mapping[str, PostRule], sections) -> DiscussionRules:
        ordered = sorted(sections, key=lambda s: (-len(s.url_prefix), s.url_prefix))
        return cls(posts=MappingProxyType(dict(posts)), sections=tuple(ordered))

    def sections_for(self, post_url: str | None) -> list[SectionRule]:
        """The sections the post is in, most specific first."""
        url = _comparable(post_url) if post_url else ""
        return [s for s in self.sections if url and url.startswith(s.url_prefix)]

    def applied(self, post_id: str, post_url: str | None) -> Applied:
        post = self.posts.get(post_id, PostRule())
        sections = self.sections_for(post_url)
        premoderated_by = None
        if post.premoderation is not None:
            premoderated_by = "post" if post.premoderation else None
        else:
            chosen = next((s for s in sections if s.premoderation is not None), None)
            if chosen is not None and chosen.premoderation:
                premoderated_by = chosen.url_prefix
        if post.closed is not None:
            return Applied(closed=post.closed, premoderated_by=premoderated_by)
        days = next((s.close_after_days for s in sections if s.close_after_days is not None),
                    None)
        return Applied(premoderated_by=premoderated_by, close_after_days=days or None)
