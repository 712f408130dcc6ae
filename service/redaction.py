"""Secrets never reach a log line: site keys, moderator tokens and webhook secrets are cut out of
every record the service's handlers write, access log and error log alike.

Keys travel where logs look: Perspective's clients send the site key in the query string
(`?key=`), older Akismet clients in the Host name (`KEY.hakam.example`). The access log's
format already leaves out the query string and the Host; this filter is the guarantee behind
it, for any format an operator configures and any message or traceback that quotes a URL.
It rewrites each record once, message and traceback text, before any handler formats it.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"

_PATTERNS = (
    # Hakam's own secrets, whatever carries them (a Host name may have lower-cased one)
    (re.compile(r"\b(hk_(?:site|mod|whsec)_)[A-Za-z0-9_-]+", re.IGNORECASE), r"\1" + REDACTED),
    # a key in a query string or a form, whoever issued it
    (re.compile(r"\b((?:api_?)?key=)[^&\s\"']*", re.IGNORECASE), r"\1" + REDACTED),
    (re.compile(r"\b(bearer\s+)\S+", re.IGNORECASE), r"\1" + REDACTED),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: the format string alone
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


REDACT_SECRETS = RedactSecrets()


def guard(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        handler.addFilter(REDACT_SECRETS)  # adding the same filter twice keeps one


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger with every handler it sets up (access and error log) redacting."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        guard(self.error_log.handlers)
        guard(self.access_log.handlers)
