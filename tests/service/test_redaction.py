"""Keys never reach a log line, whichever way they travelled (query, form, Host, header)."""

from __future__ import annotations

import io
import logging

import pytest

from hakam.service.redaction import REDACT_SECRETS, redact

KEY = "hk_site_Ab3dE-f_9xYz0123456789abcdefghijklmnopqrs"


@pytest.mark.parametrize("line", [
    f"POST /v1alpha1/comments:analyze?key={KEY} 200",
    f"POST /1.1/comment-check api_key={KEY}&blog=https://news.example",
    f"Host: {KEY.lower()}.hakam.example",
    f"Authorization: Bearer {KEY}",
    "GET /1.2/usage-limit?api_key=0123456789ab",  # an Akismet-style key of someone else's
])
def test_keys_are_cut_out_of_a_line(line):
    cleaned = redact(line)
    assert KEY not in cleaned and KEY.lower() not in cleaned
    assert "0123456789ab" not in cleaned
    assert "[redacted]" in cleaned


def test_a_line_without_secrets_is_left_as_it_was():
    line = '"POST /v1/comments" 201 312 14ms monkey=banana'
    assert redact(line) == line


def test_a_logged_traceback_quoting_a_key_is_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(REDACT_SECRETS)
    log = logging.getLogger("hakam.test.redaction")
    log.addHandler(handler)
    try:
        try:
            raise ValueError(f"could not open http://x/?key={KEY}")
        except ValueError:
            log.exception("request for %s failed", f"{KEY.lower()}.hakam.example")
    finally:
        log.removeHandler(handler)

    written = stream.getvalue()
    assert "ValueError" in written and "failed" in written
    assert KEY not in written and KEY.lower() not in written
