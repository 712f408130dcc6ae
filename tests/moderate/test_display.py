"""Hostile comment data made safe to display: highlight segments, bidi controls, links."""

from __future__ import annotations

import pytest

from hakam.service.moderate.display import held_comment, http_url, segments


def highlighted(pieces) -> list[str]:
    return [p["text"] for p in pieces if p["highlight"]]


def test_spans_cut_the_original_text_into_plain_and_highlighted_pieces():
    text = "يا كلب يا حمار"
    pieces = segments(text, [{"code": "abuse_terms", "spans": [[3, 6], [10, 14]]}])

    assert "".join(p["text"] for p in pieces) == text
    assert highlighted(pieces) == ["كلب", "حمار"]


@pytest.mark.parametrize("spans, expected", [
    ([[0, 4], [2, 8]], ["abcdefgh"]),            # overlapping spans merge
    ([[0, 2], [2, 4]], ["abcd"]),                # touching spans merge
    ([[-3, 2], [10, 99]], ["ab", "klmn"]),       # clipped to the text
    ([[5, 5], [6, 2], ["x", None], [1]], []),    # empty, reversed, malformed: ignored
])
def test_bad_or_overlapping_spans_never_break_the_text(spans, expected):
    text = "abcdefghijklmn"
    pieces = segments(text, [{"spans": spans}])

    assert "".join(p["text"] for p in pieces) == text
    assert highlighted(pieces) == expected


def test_bidi_controls_are_removed_after_the_spans_are_applied():
    text = "\u202eabc\u2066 bad"
    pieces = segments(text, [{"spans": [[6, 9]]}])  # offsets count the controls

    assert highlighted(pieces) == ["bad"]
    assert "".join(p["text"] for p in pieces) == "abc bad"


@pytest.mark.parametrize("url, shown", [
    ("https://akhbar.example/2026/11/budget", "https://akhbar.example/2026/11/budget"),
    ("http://akhbar.example/a?b=c", "http://akhbar.example/a?b=c"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    (" javascript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("/relative/path", None),
    ("https://", None),
    ('https://example.com/"><script>', None),
    ("https://example.com/\u202egpj.exe", None),
    ("", None),
    (None, None),
])
def test_only_absolute_http_links_are_kept(url, shown):
    assert http_url(url) == shown


def test_a_held_comment_never_carries_email_ip_or_bidi_controls():
    comment = {"id": "c1", "site": "akhbar", "author": "\u202enimda", "url": "javascript:x",
               "post_id": "7", "post_url": "javascript:alert(1)", "text": "hi",
               "email": "reader@example.com", "author_ip": "203.0.113.9",
               "scores": {"spam": 0.2, "abuse": 0.7}, "reasons": [], "created_at": 100.0}
    shown = held_comment(comment, now=160.0)

    assert shown["author"] == "nimda" and shown["post_url"] is None
    assert shown["waited_seconds"] == 60
    assert "reader@example.com" not in repr(shown) and "203.0.113.9" not in repr(shown)
