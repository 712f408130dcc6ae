"""Comments built to be slow rather than to say anything: each family repeats a short unit up
to a size, so a pattern that backtracks, a rule applied once per match, or a search from the
start of the text at every find shows up as time growing faster than the text.

Shared by tests/service/test_comment_time.py (which checks the growth) and
bench/hostile_comments.py (which prints it).
"""

from __future__ import annotations

from hakam.service.schemas import COMMENT_MAX_BYTES

# name: the unit repeated
FAMILIES: dict[str, str] = {
    "at signs": "@",
    "at signs and dots": "@.",
    "letters and at signs": "a@",
    "address-like words": "a@a.aa ",
    "addresses run together": "a@b.a@a.",
    "mentions": "@ss ",
    "full stops and spaces": ". ",
    "dots": ".",
    "spaced dots": "a . ",
    "spelled-out dots": "a dot ",
    "spelled-out addresses": "a at b dot com ",
    "bracketed dots": "a [.] com ",
    "domains": "a.com ",
    "domains run together": "com.",
    "www": "www.",
    "schemes": "http://",
    "slashes": "//",
    "spaced schemes": "http ://",
    "digits": "1",
    "spaced digits": "1 ",
    "dotted numbers": "1.1.",
    "Arabic-Indic digits": "١٢٣٤٥٦٧٨ ",
    "one Latin letter": "a",
    "one Arabic letter": "ب",
    "spaced letters": "f u c k ",
    "dotted letters": "a.b.c ",
    "leetspeak": "s3x ",
    "look-alike letters": "spаm ",  # a Cyrillic а
    "mixed scripts": "aب1@",
    "a ligature that expands": "ﷺ",  # eighteen letters once folded
    "emoji": "😀",
    "stacked combining marks": "a\u0301\u0301",
    "tatweel": "ـ",
    "Arabic diacritics": "بَ",
    "zero-width characters": "a\u200b",
    "bidi controls": "\u202ea",
    "repeated marks": "!?",
    "parentheses": "((",
    "an insult repeated": "حمار ",
    "a disallowed word repeated": "casino ",
    "tabs and newlines": "a\t\n",
    "a bit of everything": "1.1.www.a",
}

ORDINARY = "شكرا على هذا التقرير المفصل، وأتمنى أن تتابعوا القضية. Thanks for the report! "


def repeated(unit: str, size: int = COMMENT_MAX_BYTES) -> str:
    """`unit` repeated to `size` bytes of UTF-8 at most (never a cut character), trimmed as
    WordPress trims a comment."""
    whole, _ = divmod(size, len(unit.encode("utf-8")))
    text = (unit * (whole + 1)).encode("utf-8")[:size].decode("utf-8", "ignore")
    return text.strip()
