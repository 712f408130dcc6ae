"""Which language a text is written in, as far as the model's two languages go: Arabic or
English, told apart by script.

The model reads Arabic script and Latin script; Arabizi (Arabic in Latin letters) and the odd
French comment count as the Latin side, "en", which is also where the model learned them. Used
by training (to tag and report per language) and by the service (to say what it found, as
Perspective's `detectedLanguages` did). Pure functions, no I/O.
"""

from __future__ import annotations

import re

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# A script with less of the text than this is a quotation or a name, not a language of it.
_SECOND_LANGUAGE_SHARE = 0.2


def language_of(text: str) -> str:
    """"ar" when the text has more Arabic-script characters than Latin letters, else "en"."""
    return "ar" if _count(_ARABIC, text) > _count(_LATIN, text) else "en"


def _count(script: re.Pattern[str], text: str) -> int:
    """How many characters of the text are in this script: found as runs (a word at a time),
    since a match per character cost a string per character on every comment scored."""
    return sum(map(len, script.findall(text)))


def detected_languages(text: str) -> list[str]:
    """The languages a text is written in, most of the text first: each of "ar" and "en"
    whose script holds at least a fifth of its letters. Empty when it has no letters at all
    (digits, emoji, punctuation)."""
    counts = {"ar": _count(_ARABIC, text), "en": _count(_LATIN, text)}
    total = sum(counts.values())
    if not total:
        return []
    found = [lang for lang, count in counts.items() if count / total >= _SECOND_LANGUAGE_SHARE]
    return sorted(found, key=lambda lang: -counts[lang])
