"""The gunicorn worker `hakam serve` runs: gunicorn's sync worker, except for the answers gunicorn
writes itself, before the app sees a request (a request line or headers it cannot parse, a path
or headers over its limits, a worker stopped mid-request). gunicorn writes those as HTML pages;
here they are JSON in the usual error shape, in the request's language when its headers could
be read (else the default language), so that no client ever gets HTML from Hakam.

The log line says what was refused, never the client's address or what it sent.
"""

from __future__ import annotations

import logging
from ssl import SSLError

from gunicorn import util
from gunicorn.http import errors as http_errors
from gunicorn.workers.sync import SyncWorker

from . import errors

log = logging.getLogger("hakam.worker")


def _known(*names: str) -> tuple[type[BaseException], ...]:
    """The errors of these names that this gunicorn has: pyproject allows gunicorn 22, which
    lacks ExpectationFailed (25) and the response-header errors (27); it never raises them."""
    return tuple(getattr(http_errors, name) for name in names if hasattr(http_errors, name))


# The status gunicorn's own Worker.handle_error gives each error, most specific first.
_STATUSES: tuple[tuple[tuple[type[BaseException], ...], int], ...] = (
    (_known("InvalidResponseHeader", "InvalidResponseHeaderName", "ConfigurationProblem"), 500),
    ((http_errors.LimitRequestLine,), 414),
    ((http_errors.LimitRequestHeaders,), 431),
    (_known("ExpectationFailed"), 417),
    ((http_errors.UnsupportedTransferCoding,), 501),
    ((http_errors.ForbiddenProxyRequest, SSLError), 403),
    ((http_errors.ParseException,), 400),
)


def status_for(error: BaseException) -> int:
    for kinds, status in _STATUSES:
        if isinstance(error, kinds):
            return status
    return 500


class JsonErrorsWorker(SyncWorker):
    def handle_error(self, req, client, addr, exc) -> None:
        status = status_for(exc)
        if status == 500:
            log.error("request failed before or outside the app: %s", type(exc).__name__,
                      exc_info=exc)
        else:
            log.warning("refused a request gunicorn could not take (%d): %s", status,
                        type(exc).__name__)
        req = req or getattr(exc, "req", None)  # a header error carries the request read so far
        headers = dict(getattr(req, "headers", None) or ())
        language = {"Accept-Language": headers["ACCEPT-LANGUAGE"]} \
            if "ACCEPT-LANGUAGE" in headers else {}
        with self.wsgi.test_request_context("/", headers=language):
            body = self.wsgi.json.dumps(errors.status_body(status)).encode() + b"\n"
        reason = errors.HTTP_STATUS_CODES.get(status, "Error")
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except OSError:
            log.debug("the client left before its error answer was written")
