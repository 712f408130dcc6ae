"""Test data builders."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def a_comment(**overrides) -> dict:
    """A valid submission in WordPress's field names, varied per call so that flood and
    duplicate checks only trigger where a test means them to."""
    n = next(_counter)
    comment = {"comment": f"مقال مفيد جدا، شكرا للكاتب ({n})", "author": f"قارئ {n}",
               "email": f"reader{n}@example.com", "comment_post_ID": "42",
               "author_ip": f"203.0.113.{n % 250}"}
    comment.update(overrides)
    return comment
