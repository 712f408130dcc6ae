"""Google's JSON error shape, as the Perspective API answered every error, and the typed errors
the Perspective routes raise.

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT", "details": [...]}}

`code` is the HTTP status, `status` the canonical gRPC code Google maps it from, `details` (only
for Perspective's own errors) names Perspective's error type. Messages are Google's and
Perspective's English texts, kept as they were since clients match on them; they are protocol,
not sentences written for a reader, so they are not translated. Hakam's own errors raised
under these routes (the store being away, a body too large, a route that does not exist) are
answered in the same shape with the canonical status for their HTTP status.
"""

from __future__ import annotations

from flask import Response
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import jsonio
from ..errors import HakamError, StoreUnavailable

# Google's canonical mapping from gRPC codes to HTTP statuses, read the other way.
_CANONICAL = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
              404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED",
              500: "INTERNAL", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE",
              504: "DEADLINE_EXCEEDED"}
_PERSPECTIVE_ERROR = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"
_CONTENT_TYPE = "application/json; charset=UTF-8"


class GoogleError(HakamError):
    """An error a Google API would have answered: HTTP status, canonical status, message, and
    Perspective's error type when it had one."""

    status = 400
    google_status = "INVALID_ARGUMENT"

    def __init__(self, message: str, *, error_type: str | None = None,
                 detail: dict | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.detail = detail or {}

    def details(self) -> list[dict]:
        if not self.error_type:
            return []
        return [{"@type": _PERSPECTIVE_ERROR, "errorType": self.error_type, **self.detail}]


class InvalidArgument(GoogleError):
    pass


class PermissionDenied(GoogleError):
    status = 403
    google_status = "PERMISSION_DENIED"


def error_response(code: int, status: str, message: str, details: list[dict] = (),
                   headers: dict[str, str] | None = None) -> Response:
    error = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = list(details)
    response = Response(jsonio.dumps({"error": error}) + b"\n", status=code,
                        content_type=_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class GoogleErrors:
    """The `errors.ErrorDialect` of the Perspective routes."""

    def __init__(self, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes

    def hakam_error(self, error: HakamError) -> Response:
        if isinstance(error, GoogleError):
            return error_response(error.status, error.google_status, str(error.message),
                                  error.details(), error.headers())
        if isinstance(error, StoreUnavailable):
            return error_response(503, "UNAVAILABLE", "The service is currently unavailable.",
                                  headers=error.headers())
        return self._by_status(error.status, str(error.message or ""), error.headers())

    def http_error(self, error: HTTPException) -> Response:
        if isinstance(error, RequestEntityTooLarge):
            # Google refuses an oversized body as an invalid argument, naming the limit.
            return error_response(400, "INVALID_ARGUMENT", "Request payload size exceeds the "
                                  f"limit: {self.max_body_bytes} bytes.")
        if error.code in (404, 405):
            # Google answers a path or method that names no API method this way.
            return error_response(404, "NOT_FOUND", "Method not found.")
        return self._by_status(error.code or 500, error.name or "")

    def unexpected(self, error_id: str) -> Response:
        return error_response(500, "INTERNAL",
                              f"Internal error encountered (error id {error_id}).")

    @staticmethod
    def _by_status(code: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if code not in _CANONICAL:  # 413, 415, 422...: what Google calls a bad argument
            code = 400
        return error_response(code, _CANONICAL[code], message or _CANONICAL[code], (),
                              headers)
