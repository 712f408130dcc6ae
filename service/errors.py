"""Typed errors raised where a problem is found, and the one place they become HTTP answers.

Business code raises these; `init_app` turns each into a status and a JSON body. The last-resort
handler logs the traceback under an error id and returns only that id: no stack trace, and no
request data, ever reaches a client.

Routes that speak another service's protocol (Perspective's, Akismet's, see `compat`) answer
errors in that protocol's shape: they register an `ErrorDialect` for their URL prefixes with
`speak`, and the same handlers below hand it every error raised under those prefixes, routing
errors (404, 405) and the last-resort 500 included.

Client-facing sentences are gettext messages, translated when the answer is built (in the
request's locale, see `i18n`): raise with `gettext(...)` or rely on a class's lazy `message`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Protocol

from flask import Flask, Response, current_app, jsonify, request
from flask_babel import gettext, lazy_gettext
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger("hakam.errors")


class HakamError(Exception):
    status = 500
    code = "error"
    # The sentence a client reads when the raiser gives none; lazy so that it is translated
    # into the language of the request being answered.
    message: object = None

    def __init__(self, message: object = None) -> None:
        super().__init__(str(message or self.message or self.code))
        if message is not None:
            self.message = message

    def body(self) -> dict:
        return {"error": self.code, "message": str(self.message or self.code)}

    def headers(self) -> dict[str, str]:
        return {}


class ValidationFailed(HakamError):
    status = 422
    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("the submission has invalid fields")
        self.errors = errors

    def body(self) -> dict:
        return {"errors": self.errors}


class Nudged(HakamError):
    """A comment that would be held for abuse alone, on a site with the nudge on: nothing is
    stored; the author may edit it or send it again with the token (see nudge.py)."""

    status = 422
    code = "nudge"
    message = lazy_gettext("Your comment may hurt other readers. You can edit it, or post it "
                           "as it is: a moderator will read it before it is published.")

    def __init__(self, spans: list[list[int]], token: str) -> None:
        super().__init__()
        self.spans = spans
        self.token = token

    def body(self) -> dict:
        message = str(self.message)
        # `errors` too, in the shape of any other 422, for clients that only show field errors
        return {"code": self.code, "message": message, "spans": self.spans,
                "nudge_token": self.token, "errors": {"comment": [message]}}


class BadRequest(HakamError):
    status = 400
    code = "bad_request"


class UnsupportedMediaType(HakamError):
    status = 415
    code = "unsupported_media_type"


class Unauthorized(HakamError):
    status = 401
    code = "unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="hakam"'}


class NotFound(HakamError):
    status = 404
    code = "not_found"
    message = lazy_gettext("No such comment.")


class UnknownComment(NotFound):
    code = "unknown_comment"

    def __init__(self, detail: str = "") -> None:
        # The store's detail names the id for logs; the client reads the class's sentence.
        Exception.__init__(self, detail)


class UnknownAuthor(NotFound):
    """The comment was sent without an email: Hakam keeps no record of its author."""

    code = "no_author_record"
    message = lazy_gettext("This comment was sent without an email, so Hakam keeps no record "
                           "of its author.")

    def __init__(self, detail: str = "") -> None:
        Exception.__init__(self, detail)


class NothingToLift(HakamError):
    status = 409
    code = "nothing_to_lift"
    message = lazy_gettext("Nothing is in force on this author: there is nothing to lift.")

    def __init__(self, detail: str = "") -> None:
        Exception.__init__(self, detail)


class AuthorRefused(HakamError):
    """Intake refuses a comment from a suspended or banned author; `until` is when that ends
    (None: until a moderator lifts it). The sentence names the date in the reader's language,
    built when the answer is (in the request's locale); `until` is also given as ISO 8601."""

    status = 403

    def __init__(self, until: float | None) -> None:
        Exception.__init__(self, self.code)
        self.until = until

    def sentence(self, date: str | None) -> str:
        raise NotImplementedError

    def body(self) -> dict:
        if self.until is None:
            return {"error": self.code, "message": self.sentence(None), "until": None}
        from babel.dates import format_datetime

        from .i18n import select_locale

        moment = datetime.fromtimestamp(self.until, tz=UTC)
        return {"error": self.code,
                "message": self.sentence(format_datetime(moment, "long", tzinfo=UTC,
                                                         locale=select_locale())),
                "until": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


class AuthorSuspended(AuthorRefused):
    code = "author_suspended"

    def sentence(self, date: str | None) -> str:
        return gettext("Your comments on this site are suspended until %(date)s.", date=date)


class AuthorBanned(AuthorRefused):
    code = "author_banned"

    def sentence(self, date: str | None) -> str:
        if date is None:
            return gettext("You are banned from commenting on this site.")
        return gettext("You are banned from commenting on this site until %(date)s.", date=date)


class Duplicate(HakamError):
    """The same text from the same author on the same post was already accepted."""

    status = 409
    code = "duplicate"

    def __init__(self, first_id: str) -> None:
        super().__init__(lazy_gettext(
            "Duplicate comment detected: it looks as though you have already said that."))
        self.first_id = first_id

    def body(self) -> dict:
        return {**super().body(), "first_id": self.first_id}


class Flooded(HakamError):
    """WordPress's comment flood rule: one comment per author or IP per interval."""

    status = 429
    code = "flood"

    def __init__(self, retry_after: int) -> None:
        super().__init__(lazy_gettext("You are posting comments too quickly. Slow down."))
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CommentsClosed(HakamError):
    """The post takes no more comments (closed, or its section's days are over); nothing of
    the comment was kept. `closed_at`: since when, when the rules say."""

    status = 422
    code = "comments_closed"

    def __init__(self, closed_at: float | None = None) -> None:
        super().__init__(lazy_gettext("Comments are closed on this post."))
        self.closed_at = closed_at

    def body(self) -> dict:
        body = super().body()
        if self.closed_at is not None:
            body["closed_at"] = self.closed_at
        return body


class AlreadyDecided(HakamError):
    status = 409
    code = "already_decided"

    def __init__(self, first: dict) -> None:
        super().__init__(lazy_gettext("This comment was already decided."))
        self.first = first

    def body(self) -> dict:
        return {**super().body(), "first": self.first}


class ClaimedByOther(HakamError):
    status = 409
    code = "claimed_by_other"

    def __init__(self, moderator: str, expires_at: float) -> None:
        super().__init__(lazy_gettext("Another moderator is reviewing this comment."))
        self.moderator = moderator
        self.expires_at = expires_at

    def body(self) -> dict:
        return {**super().body(), "moderator": self.moderator, "lease_expires_at": self.expires_at}


class StoreUnavailable(HakamError):
    """Redis could not be reached: nothing was stored, so nothing may be reported as stored."""

    status = 503
    code = "store_unavailable"
    message = lazy_gettext("The service is briefly unavailable. Please try again in a moment.")

    def __init__(self, detail: str = "") -> None:
        Exception.__init__(self, detail)  # the detail is for logs, not for clients

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


class ReplicaUnconfirmed(StoreUnavailable):
    """No replica acknowledged a write in time (HAKAM_REPLICA_ACKS): it may be lost if its
    master fails now, so it is not promised. A retry with the same Idempotency-Key answers
    the first answer once a replica has it, never a second comment."""

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class SiteChanged(StoreUnavailable):
    """The site's key or settings changed after the request read them; nothing was stored.
    `auth.require_site` handles the request again with the site as it is now (refused, if its
    key was revoked); escaping that, it is the 503 its base class is."""


_HTTP_MESSAGES = {
    400: lazy_gettext("The request could not be read."),
    403: lazy_gettext("This request is not allowed."),
    404: lazy_gettext("There is nothing at this address."),
    405: lazy_gettext("This address does not accept that method."),
    413: lazy_gettext("The request is too large."),
    414: lazy_gettext("The address is too long."),
    417: lazy_gettext("The server cannot meet the request's Expect header."),
    431: lazy_gettext("The request's headers are too large or too many."),
    500: lazy_gettext("The server failed to answer this request."),
    501: lazy_gettext("The server does not support the request's transfer coding."),
}


def status_body(status: int) -> dict:
    """The usual error body for an HTTP status: a stable code from its name, and a sentence
    in the request's language."""
    name = HTTP_STATUS_CODES.get(status, "error")
    return {"error": name.lower().replace(" ", "_").replace("-", "_"),
            "message": str(_HTTP_MESSAGES.get(status, name))}


def _json_error(status: int, body: dict, headers: dict[str, str] | None = None):
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _refuse_chunked_bodies_over_the_limit() -> None:
    """werkzeug stops reading a body sent without Content-Length (chunked) at the size limit and
    hands on what it read, so an oversized one would look merely malformed (400). Reading it
    here first, for every route, makes it the 413 it is; one that reached the limit exactly is
    taken to be over it, since whatever followed was never read."""
    limit = request.max_content_length
    if (limit is None or request.content_length is not None
            or "chunked" not in request.headers.get("Transfer-Encoding", "").lower()):
        return
    if len(request.get_data(cache=True)) >= limit:
        raise RequestEntityTooLarge()


class ErrorDialect(Protocol):
    """How a protocol other than Hakam's own answers an error (never with a stack trace)."""

    def hakam_error(self, error: HakamError) -> Response: ...

    def http_error(self, error: HTTPException) -> Response: ...

    def unexpected(self, error_id: str) -> Response: ...


_DIALECTS = "hakam.error_dialects"


def speak(app: Flask, url_prefixes: tuple[str, ...], dialect: ErrorDialect) -> None:
    """Answer every error under these URL prefixes in `dialect`'s shape."""
    app.extensions.setdefault(_DIALECTS, []).append((url_prefixes, dialect))


def _dialect() -> ErrorDialect | None:
    for prefixes, dialect in current_app.extensions.get(_DIALECTS, ()):
        if request.path.startswith(prefixes):
            return dialect
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_chunked_bodies_over_the_limit)

    @app.errorhandler(HakamError)
    def _hakam_error(error: HakamError):
        dialect = _dialect()
        if dialect is not None:
            return dialect.hakam_error(error)
        return _json_error(error.status, error.body(), error.headers())

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        dialect = _dialect()
        if dialect is not None:
            return dialect.http_error(error)
        code = (error.name or "error").lower().replace(" ", "_")
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        message = _HTTP_MESSAGES.get(error.code or 500, error.name)
        return _json_error(error.code or 500, {"error": code, "message": str(message)}, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        error_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s", error_id)
        dialect = _dialect()
        if dialect is not None:
            return dialect.unexpected(error_id)
        return _json_error(500, {"error": "internal", "error_id": error_id})
