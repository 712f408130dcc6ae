"""Held comments as the moderator page shows them: hostile text made safe to display.

Owns turning a stored comment into display data: the text cut into plain and highlighted
segments at the model's spans, bidi controls removed so a name cannot reorder the page around
it, and links reduced to http(s) addresses. Pure functions only; it never builds HTML (the
templates and the page script insert every piece as text, never as markup) and never returns an
author's email or IP (the store does not keep them either).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from hakam.model import ATTRIBUTES

from ..vocabulary import MissingParent, ReportReason

# Embeddings, overrides, isolates and the invisible marks: in hostile text they only serve to
# make a name or comment read differently from what it is (a "Trojan Source" style spoof).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def http_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) address, else None (javascript:, data:, relative...)."""
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 0x21 or c in "\\\"'<>`" for c in url) or BIDI_CONTROLS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _clean_spans(spans, length: int) -> list[tuple[int, int]]:
    """Spans clipped to the text, sorted, and merged where they overlap or touch."""
    clipped = []
    for span in spans or ():
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        start, end = max(0, start), min(length, end)
        if start < end:
            clipped.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(clipped):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def segments(text: str, reasons: list[dict]) -> list[dict]:
    """The text as [{"text", "highlight"}] pieces; highlighted pieces are the words behind a score.

    Spans are [start, end) offsets into the original text, so the cut happens before bidi
    controls are removed from each piece.
    """
    spans = _clean_spans([s for r in reasons or () for s in (r.get("spans") or ())], len(text))
    pieces, position = [], 0
    for start, end in spans:
        if position < start:
            pieces.append({"text": text[position:start], "highlight": False})
        pieces.append({"text": text[start:end], "highlight": True})
        position = end
    if position < len(text):
        pieces.append({"text": text[position:], "highlight": False})
    for piece in pieces:
        piece["text"] = without_bidi_controls(piece["text"])
    return [p for p in pieces if p["text"]]


def _campaign(campaign: dict | None) -> dict | None:
    if not campaign:
        return None
    return {"id": str(campaign["id"]), "size": int(campaign["size"]),
            "authors": int(campaign["authors"]),
            "span_seconds": max(0, int(float(campaign["last_at"]) - float(campaign["first_at"])))}


def held_comment(comment: dict, now: float | None = None, badge: dict | None = None) -> dict:
    """One claimed comment as the page script renders it (every string is inserted as text);
    `badge` is its author's (Store.author_badges)."""
    now = time.time() if now is None else now
    scores = comment.get("scores") or {}
    reasons = comment.get("reasons") or []
    lease = comment.get("lease") or {}
    return {
        "id": comment["id"],
        "site": without_bidi_controls(comment.get("site", "")),
        "author": without_bidi_controls(comment.get("author", "")),
        # The author's website is shown as text only: it is never made a link.
        "author_url": without_bidi_controls(comment.get("url") or ""),
        "post_id": without_bidi_controls(comment.get("post_id", "")),
        "post_url": http_url(comment.get("post_url")),
        "segments": segments(comment.get("text", ""), reasons),
        "scores": {task: float(scores.get(task, 0.0)) for task in ("spam", "abuse")},
        # the attributes measured, in ATTRIBUTES' order (null ones are not shown: not measured
        # is not "0")
        "attributes": [{"name": name, "score": float(scores[name])} for name in ATTRIBUTES
                       if isinstance(scores.get(name), int | float)],
        "reasons": [{"code": without_bidi_controls(str(r.get("code", ""))),
                     "message": without_bidi_controls(str(r.get("message", "")))}
                    for r in reasons],
        "waited_seconds": max(0, int(now - float(comment.get("created_at", now)))),
        "lease_expires_at": lease.get("expires_at"),
        # already published, sampled so that a moderator labels what the model let through
        "audit": bool(comment.get("audit")),
        # readers' reports: how many and why (never who); a number and codes only
        "reports": ({"count": int(comment["reports"].get("count", 0)),
                     "reasons": {reason: int(count) for reason, count
                                 in comment["reports"].get("reasons", {}).items()
                                 if reason in tuple(ReportReason)}}
                    if comment.get("reports") else None),
        "post_title": without_bidi_controls(comment.get("post_title") or ""),
        "parent": parent_comment(comment.get("parent")),
        # one card for the campaign: its decision decides every held member
        "campaign": _campaign(comment.get("campaign")),
        "author_ref": (badge or {}).get("ref"),
        "author_restriction": _restriction((badge or {}).get("restriction")),
    }


def _restriction(restriction: dict | None) -> dict | None:
    if not restriction:
        return None
    return {"kind": restriction["kind"], "until": restriction.get("until"),
            "by": without_bidi_controls(str(restriction.get("by") or ""))}


def author_record(record: dict) -> dict:
    """Store.author_record as the page shows it: names and reasons are hostile text too."""
    return {
        "counts": record["counts"], "total": record["total"],
        "rejected_in_a_row": record["rejected_in_a_row"],
        "restriction": _restriction(record["restriction"]),
        "recent": [{"id": c["id"], "created_at": c["created_at"], "status": c["status"],
                    "hold_reason": c["hold_reason"], "this_comment": c["this_comment"],
                    "first_words": without_bidi_controls(c["first_words"])}
                   for c in record["recent"]],
        "actions": [{"action": a["action"], "at": a["at"], "until": a["until"],
                     "by": without_bidi_controls(str(a["by"])),
                     "reason": without_bidi_controls(str(a["reason"] or ""))}
                    for a in record["actions"]],
    }


PARENT_TEXT_CHARS = 600  # the card shows the start of a long parent; the reply is the point


def parent_comment(parent: dict | None) -> dict | None:
    """The comment a reply answers, as the card shows it: inert text, its author and status
    (removed: erased; unknown: never sent to Hakam)."""
    if not parent:
        return None
    text = without_bidi_controls(parent.get("text") or "")
    if len(text) > PARENT_TEXT_CHARS:
        text = text[:PARENT_TEXT_CHARS].rstrip() + "…"
    return {"text": text, "author": without_bidi_controls(parent.get("author") or ""),
            "status": str(parent.get("status") or MissingParent.UNKNOWN.value)}
