"""Cookie sessions only where a person signs in: the moderator page.

Flask opens the signed-cookie session on every request, deriving its signing key each time.
The /v1 API authenticates every call with a bearer token and never reads or writes a session,
so its requests get Flask's null session and skip that work on the hottest path (comment
intake). Writing to the session outside /moderate fails loudly instead of silently setting a
cookie on an API answer.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface

COOKIE_PATHS = ("/moderate",)


class ModeratorOnlySessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request):
        if not request.path.startswith(COOKIE_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = ModeratorOnlySessions()
