"""The moderator web page at /moderate: sign in, work the review queue, read the history.

Owns the blueprint, its templates and static files, the page's language choice and the security
headers on every /moderate response. Views live in `views.py`, the session and CSRF check in
`access.py`, and hostile-text handling in `display.py`. It must never serve a script or style
from anywhere but its own static folder (the page works offline, under a strict CSP), and never
let a /v1 API request through its CSRF check (those use bearer tokens).
"""

from __future__ import annotations

from flask import Blueprint, g, session
from flask_babel import refresh

bp = Blueprint("moderate", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

LOCALES = ("ar", "en")
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
))


@bp.before_request
def _choose_language() -> None:
    # The switch's choice wins over Accept-Language (see hakam.service.i18n.select_locale).
    if session.get("locale") in LOCALES:
        g.hakam_locale = session["locale"]
        refresh()  # in case an earlier hook already translated something in another language


@bp.after_request
def _security_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if response.mimetype != "text/css" and response.mimetype != "text/javascript":
        # Pages and answers hold held comments and the CSRF token: never cache them.
        headers["Cache-Control"] = "no-store"
    return response


from . import views  # noqa: E402,F401  (registers the routes on bp)
