"""Reading comments back, and finding which site a comment id belongs to."""

from __future__ import annotations

import time
from typing import Any

from hakam.model import ATTRIBUTES

from .. import jsonio
from ..vocabulary import MissingParent, ReportReason
from . import keys, scripts
from .base import StorePart
from .connection import unavailable_on_redis_errors

LOCATED_MEMORY = 10_000  # ids whose site this process remembers (an id never changes site)


def stored_scores(raw: str | None) -> dict:
    """A comment's stored scores, with every attribute named: a comment scored before the
    model had attribute heads has them as null (not measured), as an unsupported language
    does."""
    scores = jsonio.loads(raw or "{}")
    if scores:
        scores = {**scores, **{name: scores.get(name) for name in ATTRIBUTES}}
    return scores


def comment_view(data: dict[str, str]) -> dict:
    view = {
        "id": data["id"], "site": data["site"], "status": data["status"],
        "scores": stored_scores(data.get("scores")),
        "reasons": jsonio.loads(data.get("reasons", "[]")),
        "model_version": data.get("model_version", ""),
        "text": data.get("text", ""), "author": data.get("author", ""),
        "url": data.get("url") or None, "post_id": data.get("post_id", ""),
        "post_url": data.get("post_url") or None,
        "post_title": data.get("post_title") or None,
        "created_at": float(data.get("created_at", 0)),
        # sampled for audit: published when it arrived, in the queue only to be labelled
        "audit": bool(data.get("audit")),
    }
    if data.get("report_count"):  # readers' reports: how many, and why
        view["reports"] = {"count": int(data["report_count"]), "reasons": {
            reason.value: int(data[f"report_{reason}"]) for reason in ReportReason
            if data.get(f"report_{reason}")}}
    if data.get("lease_moderator"):
        view["lease"] = {"moderator": data["lease_moderator"],
                         "expires_at": float(data["lease_expires_at"])}
    else:
        view["lease"] = None
    if data.get("decision"):
        view["decision"] = jsonio.loads(data["decision"])
    return view


class Comments(StorePart):
    _located: dict[str, str]
    _link_site_comment: Any

    @unavailable_on_redis_errors
    def link_site_comment(self, site: str, comment_id: str, site_comment_id: str) -> bool:
        """Give the site's comment its site's own id (see lua/link_site_comment.lua); False
        when the site has no such comment."""
        return bool(self._link_site_comment(**scripts.LINK_SITE_COMMENT.call(
            comment_key=keys.comment(site, comment_id), site_comments_key=keys.site_comments(site),
            comment_id=comment_id, site_comment_id=site_comment_id)))

    def _remember_site(self, comment_id: str, site: str) -> None:
        if len(self._located) >= LOCATED_MEMORY:
            self._located.clear()
        self._located[comment_id] = site

    def _comment_data(self, comment_id: str, site: str | None) -> dict[str, str]:
        """The comment's hash (empty when there is none), from its site if given, else found:
        the remembered site first, then every site asked at once, one pipelined round trip."""
        if site is not None:
            return self.r.hgetall(keys.comment(site, comment_id))
        remembered = self._located.get(comment_id)
        if remembered is not None:
            data = self.r.hgetall(keys.comment(remembered, comment_id))
            if data:
                return data
        names = self.site_names()
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(keys.comment(name, comment_id))
        for name, data in zip(names, pipe.execute(), strict=True):
            if data:
                self._remember_site(comment_id, name)
                return data
        return {}

    @unavailable_on_redis_errors
    def locate(self, comment_id: str) -> str | None:
        """The site a comment belongs to, or None when no site has it."""
        data = self._comment_data(comment_id, None)
        return data.get("site") if data else None

    @unavailable_on_redis_errors
    def get_comment(self, comment_id: str, site: str | None = None) -> dict | None:
        """The comment with its history; `site` (when the caller knows it) saves the search."""
        data = self._comment_data(comment_id, site)
        if not data or (site is not None and data.get("site") != site):
            return None
        view = comment_view(data)
        history = self.r.lrange(keys.history(data["site"], comment_id), 0, -1)
        view["history"] = [jsonio.loads(h) for h in history]
        return view

    def _views(self, located: list[tuple[str, str]], now: float | None = None) -> list[dict]:
        """Views of (site, id) pairs, in their order, each reply with its parent; an expired
        lease is shown as none."""
        pipe = self.r.pipeline(transaction=False)
        for site, comment_id in located:
            pipe.hgetall(keys.comment(site, comment_id))
            self._remember_site(comment_id, site)
        found = [d for d in pipe.execute() if d]
        views = [comment_view(d) for d in found]
        now = time.time() if now is None else now
        for view in views:
            if view["lease"] and view["lease"]["expires_at"] <= now:
                view["lease"] = None
        for view, parent in zip(views, self._parents(found), strict=True):
            view["parent"] = parent
        # the campaign each belongs to, when its group has grown into one
        groups = self._campaigns_of([(d["site"], d["campaign"]) for d in found
                                     if d.get("campaign")])
        for view, data in zip(views, found, strict=True):
            view["campaign"] = groups.get((data["site"], data.get("campaign", "")))
        return views

    def _parents(self, found: list[dict[str, str]]) -> list[dict | None]:
        """Each comment's parent as {id, text, author, status}, or None for a comment that
        replies to none, found through the site's index of its own comment ids (erasure
        removes a comment's entry, so a reply never holds an erased parent's id). Intake
        marks a reply whose parent it held then (`parent_held`): gone since, it was erased.
        Two pipelined round trips at most, for the whole page."""
        replies = [i for i, data in enumerate(found) if data.get("parent_id")]
        parents: list[dict | None] = [None] * len(found)
        if not replies:
            return parents
        pipe = self.r.pipeline(transaction=False)
        for i in replies:
            pipe.hget(keys.site_comments(found[i]["site"]), found[i]["parent_id"])
        held = dict(zip(replies, pipe.execute(), strict=True))
        pipe = self.r.pipeline(transaction=False)
        asked = [i for i in replies if held[i]]
        for i in asked:
            pipe.hmget(keys.comment(found[i]["site"], held[i]), "text", "author", "status")
        fields = dict(zip(asked, pipe.execute() if asked else [], strict=True))
        for i in replies:
            text, author, status = fields.get(i, (None, None, None))
            if status:
                parents[i] = {"id": held[i], "text": text or "", "author": author or "",
                              "status": status}
            else:
                gone = (MissingParent.REMOVED if held[i] or found[i].get("parent_held")
                        else MissingParent.UNKNOWN)
                parents[i] = {"id": None, "text": "", "author": "", "status": gone}
        return parents
