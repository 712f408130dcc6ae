"""The nudge: a comment about to be held for abuse alone is answered 422 `nudge` instead, with
the words behind its score, so its author can edit it or post it anyway (Coral Talk's toxic
comment warning, which OpenWeb found makes a third of nudged commenters edit).

Owns which decisions are nudged and the `nudge_token`, which lets the resend be recognised
without asking Redis: an HMAC, under a key derived from the installation's secret, over the
site, the abuse score the comment was nudged at, the time and a nonce. A forged, foreign or
expired token is no token (the comment is nudged again, as a first try). The nonce is what the
store files the open nudge under, so an unanswered one can be counted as abandoned.

Pure functions only: no Flask, no Redis.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from hakam.model import ATTRIBUTES

from .vocabulary import Reason, Status, attribute_score

# A nudge not answered by a resend within this long is abandoned; an older token is no token.
NUDGE_SECONDS = 3600
# What a held comment may be held for and still be nudged: the abuse score (or an abuse
# attribute's, such as insult_score, on a site that holds on one), and the note on cited links
# that holds nothing. Spam and the site's rules are never nudged: editing the words would not
# change what the site asked for.
ABUSE_HOLDS = frozenset({Reason.ABUSE_SCORE, *(attribute_score(name) for name in ATTRIBUTES)})
_NUDGEABLE = ABUSE_HOLDS | {Reason.TRUSTED_LINKS}
OUTCOMES = ("shown", "edited", "posted_anyway", "abandoned")


@dataclass(frozen=True)
class NudgeToken:
    site: str
    abuse: float  # the abuse score the comment was nudged at
    issued_at: int
    nonce: str


def is_nudged(status: str, reason_codes: list[str], nudge_on: bool) -> bool:
    """Whether a decision is answered with a nudge: the site asks for it, and the comment
    would be held for its abuse score and nothing else."""
    return (nudge_on and status == Status.PENDING and bool(ABUSE_HOLDS & set(reason_codes))
            and set(reason_codes) <= _NUDGEABLE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:18])


def issue(key: bytes, site: str, abuse: float, now: float) -> tuple[str, NudgeToken]:
    """A new token for a comment of `site` nudged at `abuse`: (the token string, its parts)."""
    token = NudgeToken(site=site, abuse=round(float(abuse), 4), issued_at=int(now),
                       nonce=secrets.token_hex(8))
    payload = _b64(json.dumps([token.site, token.abuse, token.issued_at, token.nonce],
                              ensure_ascii=False, separators=(",", ":")).encode())
    return f"{payload}.{_signature(key, payload)}", token


def verify(key: bytes, text: object, site: str, now: float) -> NudgeToken | None:
    """The token's parts when `text` is a token this installation issued for `site` less than
    NUDGE_SECONDS ago; None for anything else."""
    if not isinstance(text, str) or text.count(".") != 1 or len(text) > 1000:
        return None
    payload, signature = text.split(".")
    if not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        token_site, abuse, issued_at, nonce = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None
    if token_site != site or not 0 <= now - issued_at <= NUDGE_SECONDS:
        return None
    return NudgeToken(site=token_site, abuse=float(abuse), issued_at=int(issued_at),
                      nonce=str(nonce))


def resend_outcome(token: NudgeToken, abuse: float) -> str:
    """`edited` when the comment came back with a lower abuse score, else `posted_anyway`."""
    return "edited" if round(float(abuse), 4) < token.abuse else "posted_anyway"
