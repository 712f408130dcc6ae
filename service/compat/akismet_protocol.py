"""Akismet's answers: text/plain bodies, its headers, and the errors of the Akismet routes.

Akismet answers 200 with the body `invalid` (and an `X-akismet-debug-help` header saying why)
for a bad key or a request missing a required field; its clients treat that body as "the
key or the configuration is wrong" (the Python client raises APIKeyError). Everything else
that goes wrong under /1.1 and /1.2 (the store being away, a route that does not exist, a
failure) is a plain-text answer with the HTTP status, never JSON or HTML, since Akismet's
clients read only text. The texts are protocol, matched by clients, so they are not
translated.
"""

from __future__ import annotations

from flask import Response
from werkzeug.exceptions import HTTPException

from ..errors import HakamError, StoreUnavailable

TEXT = "text/plain; charset=utf-8"
THANKS = "Thanks for making the web a better place."
DEBUG_HELP = "X-akismet-debug-help"
PRO_TIP = "X-akismet-pro-tip"
GUID = "X-akismet-guid"


def text_response(body: str, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    response = Response(body, status=status, content_type=TEXT)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class AkismetInvalid(HakamError):
    """Akismet's `invalid`: a key that is not a site's, or a required field missing."""

    status = 200

    def __init__(self, debug_help: str) -> None:
        super().__init__(debug_help)
        self.debug_help = debug_help


class AkismetErrors:
    """The `errors.ErrorDialect` of the Akismet routes."""

    def hakam_error(self, error: HakamError) -> Response:
        if isinstance(error, AkismetInvalid):
            return text_response("invalid", headers={DEBUG_HELP: error.debug_help})
        if isinstance(error, StoreUnavailable):
            return text_response("Hakam is briefly unavailable; try again in a moment.", 503,
                                 error.headers())
        return text_response(str(error.message or error.code), error.status, error.headers())

    def http_error(self, error: HTTPException) -> Response:
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return text_response(error.name or "Error", error.code or 500, headers)

    def unexpected(self, error_id: str) -> Response:
        return text_response(f"Hakam could not answer this request (error id {error_id}).",
                             500)
