"""Rules per post and per section (see `hakam.service.discussion`), kept per site.

They are part of the site's settings: read with them (`Sites.get_site`, one pipelined round
trip), and every change bumps the site's settings version, so that intake, which checks that
version in its script, never decides a comment by rules changed since it read them.
"""

from __future__ import annotations

from .. import jsonio
from ..discussion import PostRule, SectionRule
from . import keys
from .base import StorePart
from .connection import unavailable_on_redis_errors


class Discussion(StorePart):
    _site_cache: dict

    @unavailable_on_redis_errors
    def configure_post(self, site: str, post_id: str, rule: PostRule) -> PostRule:
        """Set a post's rules (a rule with nothing set removes them); KeyError: no such site."""
        self._change(site, keys.posts(site), post_id, None if rule.is_empty()
                     else jsonio.dumps(rule.to_dict()))
        return rule

    @unavailable_on_redis_errors
    def configure_section(self, site: str, rule: SectionRule) -> SectionRule:
        """Set a section's rules (nothing set removes the section); KeyError: no such site."""
        value = None if rule.is_empty() else jsonio.dumps(
            {"premoderation": rule.premoderation, "close_after_days": rule.close_after_days})
        self._change(site, keys.sections(site), rule.url_prefix, value)
        return rule

    @unavailable_on_redis_errors
    def post_started_at(self, site: str, post_id: str) -> float | None:
        """When the post's first comment arrived (what its section's close-after-days counts
        from when the site sends no post_date), or None before any."""
        started = self.r.hget(keys.post_starts(site), post_id)
        return float(started) if started else None

    def _change(self, site: str, key: str, field: str, value: str | None) -> None:
        if not self.r.hexists(keys.site(site), "key_hash"):
            raise KeyError(site)
        if value is None:
            self.r.hdel(key, field)
        else:
            self.r.hset(key, field, value)
        self.r.incr(keys.site_version(site))  # after: every worker reads the change
        self._site_cache.clear()
