"""Bearer authentication: site API keys for the comment API, moderator tokens for the review API.

Keys are looked up by their SHA-256 (the store keeps nothing else), so there is no secret
comparison here to leak timing.
"""

from __future__ import annotations

import functools

from flask import g, request
from flask_babel import gettext

from .errors import SiteChanged, Unauthorized
from .store import get_store


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(gettext("Send the header “Authorization: Bearer <key>”."))
    return token.strip()


def require_site(view=None, *, checked_on_write: bool = False):
    """The view runs for the site the key belongs to, as it is now (`g.site`).

    `checked_on_write`: the view's one write checks the site's version itself (comment intake)
    and raises SiteChanged when the site changed after it was read; the view then runs once
    more with the site read anew, or the key is refused if that change revoked it."""
    if view is None:
        return functools.partial(require_site, checked_on_write=checked_on_write)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _bearer_token()
        for attempt in range(2):
            site = get_store().site_for_key(token, checked_on_write=checked_on_write
                                            and not attempt)
            if site is None:
                raise Unauthorized(gettext("This site key is unknown or was revoked."))
            g.site = site
            try:
                return view(*args, **kwargs)
            except SiteChanged:
                if attempt:
                    raise
        raise AssertionError("unreachable")

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
