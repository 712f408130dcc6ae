"""Who is signed in to the moderator page, and the CSRF check on everything that changes state.

Owns the moderator session: sign-in exchanges a moderator token (from `hakam moderators add`)
for a signed session cookie holding the moderator's name, a fingerprint of their current token
and the sign-in time. It never keeps the token itself. A session ends when the moderator signs
out, when it is older than PERMANENT_SESSION_LIFETIME, or when the token is rotated (the
fingerprint no longer matches).

CSRF: Flask-WTF's `csrf` module signs a per-session token; every POST to the blueprint must
carry it in the form (`csrf_token`) or the `X-CSRFToken` header. Only this blueprint is checked:
the /v1 API authenticates with bearer tokens, which a browser never sends on its own.
"""

from __future__ import annotations

import time

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from ..store import get_store

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRFToken"


class CsrfRefused(Exception):
    """A state-changing request came without a valid CSRF token."""


def _lifetime() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def sign_in(token: str) -> str | None:
    """Start a session for the token's moderator and return their name, or None if unknown."""
    store = get_store()
    moderator = store.moderator_for_token(token.strip()) if token.strip() else None
    if moderator is None:
        return None
    locale = session.get("locale")
    session.clear()  # a fresh session (and CSRF token) at every sign-in: no fixation
    session.permanent = True
    session["moderator"] = moderator.name
    session["fingerprint"] = store.moderator_token_fingerprint(moderator.name)
    session["signed_in_at"] = time.time()
    if locale:
        session["locale"] = locale
    return moderator.name


def sign_out() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def current_moderator() -> str | None:
    """The signed-in moderator's name, or None (and the session is ended) when it is not valid."""
    if "moderator_checked" in g:
        return g.moderator_checked
    name = session.get("moderator")
    valid = bool(name) and time.time() - float(session.get("signed_in_at", 0)) < _lifetime()
    if valid:
        valid = get_store().moderator_token_fingerprint(name) == session.get("fingerprint")
    if name and not valid:
        sign_out()
    g.moderator_checked = name if valid else None
    return g.moderator_checked


def csrf_token() -> str:
    return generate_csrf()


def check_csrf() -> None:
    """Raise CsrfRefused unless a non-safe request carries this session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    token = request.form.get("csrf_token") if request.form else None
    token = token or request.headers.get(CSRF_HEADER)
    try:
        validate_csrf(token, time_limit=int(_lifetime()))
    except ValidationError as error:
        raise CsrfRefused(str(error)) from None
