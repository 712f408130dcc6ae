"""Bearer authentication: site API keys for the comment API, moderator tokens for the review API.

Keys are looked up by their SHA-256 (the store keeps nothing else), so there is no secret
comparison here to leak timing.
"""

from __future__ import annotations

import functools

from flask import g, request
from flask_babel import gettext

from .errors import Unauthorized
from .store import get_store


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(gettext("Send the header “Authorization: Bearer <key>”."))
    return token.strip()


def require_site(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        site = get_store().site_for_key(_bearer_token())
        if site is None:
            raise Unauthorized(gettext("This site key is unknown or was revoked."))
        g.site = site
        return view(*args, **kwargs)

    return wrapper


def require_moderator(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        moderator = get_store().moderator_for_token(_bearer_token())
        if moderator is None:
            raise Unauthorized(gettext("This moderator token is unknown."))
        g.moderator = moderator
        return view(*args, **kwargs)

    return wrapper
