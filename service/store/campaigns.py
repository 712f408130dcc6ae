"""Campaign groups as the review queue reads them, and taking erased comments out of them.
Comments join groups inside the intake script (lua/intake.lua); see service/campaigns.py."""

from __future__ import annotations

import time
from collections import defaultdict

from .. import campaigns, jsonio
from ..vocabulary import Status
from . import keys, scripts
from .base import StorePart
from .connection import unavailable_on_redis_errors


def campaign_view(group_id: str, group: dict) -> dict:
    """What a queue item says of its campaign."""
    return {"id": group_id, "size": int(group["size"]), "authors": int(group["authors"]),
            "first_at": float(group["first_at"]), "last_at": float(group["last_at"])}


class Campaigns(StorePart):

    def _campaigns_of(self, located: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The campaign (a group of at least MIN_AUTHORS authors) of each (site, group id)."""
        wanted = sorted(set(located))
        if not wanted:
            return {}
        pipe = self.r.pipeline(transaction=False)
        for site, group_id in wanted:
            pipe.hget(keys.campaigns(site), group_id)
        found = {}
        for (site, group_id), raw in zip(wanted, pipe.execute(), strict=True):
            group = jsonio.loads(raw) if raw else None
            if group and int(group["authors"]) >= campaigns.MIN_AUTHORS:
                found[(site, group_id)] = campaign_view(group_id, group)
        return found

    @unavailable_on_redis_errors
    def campaign_members(self, site: str, group_id: str) -> list[str]:
        """Ids of every comment in the group (held, published or decided)."""
        members = self.r.zrangebylex(keys.campaign_members(site), f"[{group_id}:",
                                     f"[{group_id};")
        return [member.split(":", 1)[1] for member in members]

    @unavailable_on_redis_errors
    def campaign_of(self, site: str, comment_id: str) -> str | None:
        """The id of the campaign the comment belongs to, if its group has grown into one."""
        group_id = self.r.hget(keys.comment(site, comment_id), "campaign")
        return group_id if group_id and self._campaigns_of([(site, group_id)]) else None

    @unavailable_on_redis_errors
    def held_campaign_members(self, site: str, group_id: str) -> list[str]:
        """The group's held comments (not its audit items, already published), oldest first."""
        ids = self.campaign_members(site, group_id)
        pipe = self.r.pipeline(transaction=False)
        for comment_id in ids:
            pipe.hmget(keys.comment(site, comment_id), "status", "created_at")
        held = [(float(created_at), cid) for cid, (status, created_at)
                in zip(ids, pipe.execute(), strict=True) if status == Status.PENDING]
        return [cid for _created_at, cid in sorted(held)]

    def forget_in_campaigns(self, site: str, comments: list[tuple[str, str, str, str]]) -> None:
        """Take comments about to be erased, as (id, group id, signature, author hash), out of
        their campaigns; a group whose signature was one of theirs takes that of its oldest
        member left. Harmless to repeat."""
        comments = [c for c in comments if c[1]]
        if not comments:
            return
        erased = {comment_id for comment_id, *_rest in comments}
        by_group: dict[str, set[str]] = defaultdict(set)
        for _comment_id, group_id, signature, _author in comments:
            by_group[group_id].add(signature)
        pipe = self.r.pipeline(transaction=False)
        for group_id in by_group:
            pipe.hget(keys.campaigns(site), group_id)
            pipe.zrangebylex(keys.campaign_members(site), f"[{group_id}:", f"[{group_id};")
        answers = pipe.execute()
        replacements: list[str] = []
        for index, group_id in enumerate(by_group):
            raw, members = answers[2 * index], answers[2 * index + 1]
            group = jsonio.loads(raw) if raw else None
            if not group or group.get("sig") not in by_group[group_id]:
                continue
            left = [m.split(":", 1)[1] for m in members if m.split(":", 1)[1] not in erased]
            pipe = self.r.pipeline(transaction=False)
            for comment_id in left:
                pipe.hget(keys.comment(site, comment_id), "campaign_sig")
            signatures = [s for s in pipe.execute() if s] if left else []
            if signatures:
                new = campaigns.from_signature(signatures[0])
                replacements += [group_id, new.signature, " ".join(new.bands)]
        args: list[str] = []
        for comment_id, group_id, signature, author in comments:
            own = campaigns.from_signature(signature).bands if signature else ()
            args += [comment_id, group_id, author, " ".join(own)]
        self._campaign_forget(**scripts.CAMPAIGN_FORGET.call(
            campaigns_key=keys.campaigns(site), campaign_members_key=keys.campaign_members(site),
            campaign_authors_key=keys.campaign_authors(site),
            campaign_bands_key=keys.campaign_bands(site),
            campaign_band_times_key=keys.campaign_band_times(site),
            campaign_times_key=keys.campaign_times(site),
            now=time.time(), comment_count=len(comments), more_args=args + replacements))
