"""Authors as moderators see and restrict them: a reader's record on one site, found from one of
their comments, and the actions taken on them (premoderate, suspend, ban, lift).

Hakam keeps no email, so an author is named by one of their comments: its keyed author hash
leads to the reader index (every comment of theirs on the site) and to their record under
`keys.author` (the restriction in force and the actions taken). A comment sent without an email
was filed under a hash of its author's name, which anyone can type: it has no record, and no
action can be taken from it (UnknownAuthor).

Each action is one script (`lua/author_action.lua`) that sets or ends the restriction and writes
its audit entry together; intake reads the restriction inside its own script, so a ban or a
suspension costs a comment no extra round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import jsonio
from ..errors import HakamError, NothingToLift, UnknownAuthor, UnknownComment
from ..vocabulary import AuthorAction, Reason, Status
from . import keys, scripts
from .base import StorePart, listed_ids, sha256
from .connection import DirectScript, unavailable_on_redis_errors

DAY = 86400.0
RECENT = 10  # comments the record shows, newest first
FIRST_WORDS = 12
FIRST_CHARACTERS = 120
STATUSES = tuple(status.value for status in Status)  # JSON keys: plain strings


class AuthorHold(Exception):  # noqa: N818 (not an error: a request to decide again)
    """Intake's script stored nothing: the author's record holds the comment (`code`:
    author_premoderated or author_history). The caller holds it with that reason and stores it
    again, saying so (Intake.accept's `author_hold_applied`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Standing:
    """The restriction on an author as it is now; `kind` None when nothing is in force."""

    kind: str | None = None
    until: float | None = None  # None: no end
    since: float | None = None
    by: str = ""
    reason: str = ""

    def view(self) -> dict | None:
        if self.kind is None:
            return None
        return {"kind": self.kind, "until": self.until, "since": self.since, "by": self.by,
                "reason": self.reason}


def standing_from(data: dict[str, str], now: float) -> Standing:
    """The restriction an author's record holds, if it is still in force at `now`."""
    kind = data.get("restriction")
    until = float(data["until"]) if data.get("until") else None
    if not kind or (until is not None and until <= now):
        return Standing()
    return Standing(kind=kind, until=until,
                    since=float(data["since"]) if data.get("since") else None,
                    by=data.get("by", ""), reason=data.get("reason", ""))


def first_words(text: str) -> str:
    """The opening of a comment, as the record lists it: enough to recognise it."""
    words = text.split()
    opening = " ".join(words[:FIRST_WORDS])
    if len(opening) > FIRST_CHARACTERS:
        opening = opening[:FIRST_CHARACTERS].rstrip()
    return opening + ("…" if opening != " ".join(words) else "")


def _hold_reason(reasons: str | None) -> str | None:
    """The code of the rule or threshold that decided the comment (not the model's words)."""
    for reason in jsonio.loads(reasons or "[]"):
        code = reason.get("code") if isinstance(reason, dict) else None
        if code and code not in (Reason.BELOW_THRESHOLDS, Reason.TRUSTED_LINKS,
                                 Reason.SPAM_TERMS, Reason.ABUSE_TERMS):
            return code
    return None


class AuthorActionAnswer(dict):
    """What an action on an author answers; `decisions`: the records of the held comments a
    ban decided with it (not part of the answer: what follows a decision needs them)."""

    decisions: list[dict] = []


class Authors(StorePart):
    _author_action: DirectScript
    _forget_author: Callable[..., Any]
    private_key: Callable[[str], str]
    _comment_data: Callable[..., dict]
    decide_many: Callable[..., list]

    # -- who wrote a comment ------------------------------------------------------------------

    def recorded_author(self, data: dict) -> str | None:
        """The keyed hash of the comment's author (its stored hash `data`), if they have a
        record: not for a comment sent without an email, which was filed under its author's
        name, which anyone can send (restricting it would restrict whoever types that name);
        nor after the site's retention period, which drops the hash."""
        author_key = data.get("author_key")
        if not author_key or author_key == self.private_key(f"name:{data.get('author', '')}"):
            return None
        return author_key

    def _author_of(self, comment_id: str, site: str | None = None) -> tuple[dict, str]:
        """The comment's hash and its author's keyed hash, or UnknownComment / UnknownAuthor."""
        data = self._comment_data(comment_id, site)
        if not data:
            raise UnknownComment(f"no comment {comment_id}")
        author_key = self.recorded_author(data)
        if author_key is None:
            raise UnknownAuthor(f"comment {comment_id} has no author record")
        return data, author_key

    # -- the record ---------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def author_record(self, comment_id: str, *, site: str | None = None,
                      recent: int = RECENT) -> dict:
        """The author of `comment_id` on its site: their comments counted by status, the last
        `recent` of them (date, status, hold reason, first words), the restriction in force and
        the actions taken on them, newest first."""
        data, author_key = self._author_of(comment_id, site)
        site = data["site"]
        now = time.time()
        ids = self.r.zrevrange(keys.reader(site, author_key), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for cid in ids:
            pipe.hmget(keys.comment(site, cid), "status", "author_key", "created_at")
        pipe.hgetall(keys.author(site, author_key))
        *found, record = pipe.execute()
        counts = dict.fromkeys(STATUSES, 0)
        theirs = []
        for cid, (status, author, created_at) in zip(ids, found, strict=True):
            if status and author == author_key:
                counts[status] = counts.get(status, 0) + 1
                theirs.append((cid, float(created_at or 0)))
        pipe = self.r.pipeline(transaction=False)
        shown = theirs[:recent]
        for cid, _at in shown:
            pipe.hmget(keys.comment(site, cid), "status", "text", "reasons", "audit")
        comments = []
        for (cid, created_at), (status, text, reasons, audit) in zip(shown, pipe.execute(),
                                                                     strict=True):
            comments.append({
                "id": cid, "created_at": created_at, "status": status,
                "hold_reason": Reason.AUDIT.value if audit == "pending"
                else _hold_reason(reasons),
                "first_words": first_words(text or ""), "this_comment": cid == comment_id})
        return {
            "comment_id": comment_id, "site": site, "author": data.get("author", ""),
            "counts": counts, "total": sum(counts.values()), "recent": comments,
            "restriction": standing_from(record, now).view(),
            "rejected_in_a_row": int(record.get("rejected_streak") or 0),
            "actions": self._actions(site, listed_ids(record.get("actions")))[::-1][:recent],
        }

    def _actions(self, site: str, entries: list[str]) -> list[dict]:
        """The actions these audit entries record, oldest first."""
        if not entries:
            return []
        pipe = self.r.pipeline(transaction=False)
        for entry_id in entries:
            pipe.xrange(keys.audit(site), min=entry_id, max=entry_id, count=1)
            pipe.hget(keys.audit_details(site), entry_id)
        found = pipe.execute()
        actions = []
        for entry, details in zip(found[::2], found[1::2], strict=True):
            if not entry:
                continue
            record = jsonio.loads(entry[0][1]["record"])
            about = jsonio.loads(details) if details else {}
            actions.append({"action": record["action"], "by": record["moderator"],
                            "at": record["at"], "until": record.get("until"),
                            "days": record.get("days"), "reason": about.get("reason", ""),
                            "comment_id": about.get("comment_id")})
        return actions

    @unavailable_on_redis_errors
    def author_badges(self, comments: list[tuple[str, str]]) -> dict[str, dict]:
        """For each (site, comment id), by comment id: `restriction`, what is in force on its
        author now (None: nothing), and `ref`, the same short token on every card of the same
        author (None: a comment without an author record), so that the page can show an
        action's badge on all of them. One round trip for the comments, one for the authors."""
        now = time.time()
        pipe = self.r.pipeline(transaction=False)
        for site, cid in comments:
            pipe.hmget(keys.comment(site, cid), "author_key", "author")
        named = [(site, cid, self.recorded_author({"author_key": author_key, "author": name}))
                 for (site, cid), (author_key, name) in zip(comments, pipe.execute(),
                                                            strict=True)]
        pipe = self.r.pipeline(transaction=False)
        for site, _cid, author_key in named:
            pipe.hgetall(keys.author(site, author_key) if author_key else keys.absent(site))
        return {cid: {"restriction": standing_from(record, now).view() if author_key else None,
                      "ref": sha256(f"{site}\0{author_key}")[:16] if author_key else None}
                for (site, cid, author_key), record in zip(named, pipe.execute(), strict=True)}

    # -- actions ------------------------------------------------------------------------------

    @unavailable_on_redis_errors
    def act_on_author(self, comment_id: str, moderator: str, action: str, *,
                      days: float | None = None, reason: str = "",
                      decide_held: str | None = None, site: str | None = None) -> dict:
        """Premoderate, suspend, ban or lift the author of `comment_id` on its site, as
        `moderator`, with its audit entry; `days` ends it that many days from now (None: until
        lifted). A ban with `decide_held` ("reject" or "spam") also decides every held comment
        of the author, each as that moderator's decision (its own audit entry, label and
        webhook); one leased to another moderator or decided meanwhile is reported, not taken.
        A lift with nothing in force raises NothingToLift."""
        action = AuthorAction(action)
        data, author_key = self._author_of(comment_id, site)
        site = data["site"]
        now = time.time()
        until = now + days * DAY if days and action != "lift" else None
        audit = {"site": site, "action": action, "moderator": moderator, "at": now,
                 "until": until, "days": days if action != "lift" else None}
        details = {"comment_id": comment_id, "reason": reason}
        (outcome, entry, before, before_until), acked = self._author_action.run(
            **scripts.AUTHOR_ACTION.call(
                author_key=keys.author(site, author_key), audit_key=keys.audit(site),
                audit_details_key=keys.audit_details(site), action=action,
                ends_at="" if until is None else repr(until), now=now, moderator=moderator,
                reason=reason, audit_json=jsonio.dumps(audit),
                audit_details_json=jsonio.dumps(details)))
        if outcome == "nothing":
            raise NothingToLift(f"nothing in force on the author of {comment_id}")
        self._author_action.confirm(acked)
        answer = AuthorActionAnswer({
            "comment_id": comment_id, "site": site, "action": action.value,
            "moderator": moderator,
            "at": now, "until": until, "reason": reason, "audit_entry": entry,
            "restriction": None if action.restriction is None else {
                "kind": action.restriction.value, "until": until, "since": now,
                "by": moderator, "reason": reason},
            "previous": {"kind": before, "until": float(before_until) if before_until else None}
            if before else None,
        })
        if action == AuthorAction.BAN and decide_held:
            answer["held"], answer.decisions = self._decide_held(site, author_key, moderator,
                                                                 decide_held, reason)
        return answer

    def _decide_held(self, site: str, author_key: str, moderator: str, decision: str,
                     reason: str) -> tuple[dict, list[dict]]:
        """Decide every held comment of the author (store.decide_many): {"decided": [ids],
        "skipped": [{id, error}]} (another moderator's lease, or decided meanwhile), and the
        decision records, for what follows a decision (moderation.after_decisions)."""
        ids = self.r.zrange(keys.reader(site, author_key), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for cid in ids:
            pipe.hmget(keys.comment(site, cid), "status", "author_key")
        held = [cid for cid, (status, author) in zip(ids, pipe.execute(), strict=True)
                if status == Status.PENDING and author == author_key]
        outcomes = self.decide_many(held, moderator, decision, reason, site=site)
        records = [outcome for _cid, outcome in outcomes if not isinstance(outcome, HakamError)]
        return {"decision": decision,
                "decided": [cid for cid, outcome in outcomes
                            if not isinstance(outcome, HakamError)],
                "skipped": [{"id": cid, "error": outcome.code} for cid, outcome in outcomes
                            if isinstance(outcome, HakamError)]}, records

    # -- readers' rights ----------------------------------------------------------------------

    @unavailable_on_redis_errors
    def reader_actions(self, site: str, author_key: str) -> dict:
        """What moderators did to the reader on the site, for their export: the restriction
        in force and every action, oldest first."""
        record = self.r.hgetall(keys.author(site, author_key))
        return {"restriction": standing_from(record, time.time()).view(),
                "actions": self._actions(site, listed_ids(record.get("actions")))}

    @unavailable_on_redis_errors
    def forget_author(self, site: str, author_key: str) -> int:
        """Erasure's part here (see `lua/forget_author.lua`): answers how many audit entries
        lost their link to the reader."""
        return int(self._forget_author(**scripts.FORGET_AUTHOR.call(
            author_key=keys.author(site, author_key), audit_details_key=keys.audit_details(site),
            now=time.time())))
