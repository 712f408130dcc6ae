"""Text normalisation shared by the classifier's features and the service's word lists.

Owns one pure function, `normalize(text) -> Normalized`, and the rules it applies. It must never
raise, never touch I/O after import, and must be idempotent: normalising its own output changes
nothing. Every normalised character keeps the span of original characters it stands for, so an
explanation found in normalised text can point at what the reader actually wrote.

The decisions, in the order they are applied, and why:

1. Unicode folding: NFKC then casefold (full-width letters, ligatures, mathematical letters such
   as 𝐟𝐮𝐜𝐤, Arabic presentation forms all become plain letters). Done per character when the text
   is not already NFKC, so every output character knows where it came from.
2. One-to-one letter unification (a `str.translate` table, so offsets do not move):
   أ إ آ ٱ → ا; ى → ي (Egyptian and Gulf writers use them interchangeably); the hamza seats
   ؤ → و and ئ → ي (writers drop the hamza far more often than they misplace it); ة → ه
   (commonly written as ه at the end of a word); Persian and Urdu look-alikes
   (ک ڪ → ك, ی ې ے → ي, ە ھ ہ → ه); Arabic-Indic and Persian digits → ASCII digits;
   accented Latin letters → their base letter (fück → fuck); every kind of space → " ".
3. Deletions: Arabic diacritics (tashkeel, superscript alef U+0670, Quranic marks), tatweel,
   zero-width and bidirectional controls, soft hyphen, variation selectors, stray combining
   marks (zalgo); runs of spaces become one space; runs of the same punctuation become one.
   A deleted character is absorbed into the span of the character before it, so a match on
   "كلب" in "كَلْبٌ" points at the whole decorated word.
4. URLs (also hxxp://, "www . site . com", "site dot com", "site[.]com"), e-mail addresses
   (also "name at gmail dot com") and phone numbers (8 digits or more) become the placeholder
   words URL_TOKEN, EMAIL_TOKEN and PHONE_TOKEN, each spanning the whole original address. The
   words are plain ASCII letters no language uses, so a second pass leaves them alone.
   `normalize(text, placeholders=False)` keeps addresses as text, for word lists that name a
   domain.
5. Runs of three or more of the same letter shrink: to one letter in Arabic script (Arabic
   never doubles a letter three times and rarely twice in a way that matters: كلبببب → كلب),
   to two letters otherwise (coool → cool and gooood → good; one letter would turn cool into col).
6. Three or more single letters separated by one space, dot, dash, underscore or asterisk are
   joined: f u c k, f.u.c.k, ك ل ب. Two single letters ("a b") are left alone, so ordinary
   one-letter words survive.
7. Inside a word that is otherwise ASCII Latin letters, look-alike letters from other scripts
   (Unicode's confusables data, via the confusable_homoglyphs package) and leetspeak become
   Latin letters: spаm with a Cyrillic а → spam, h3ll0 → hello, $h1t → shit. Words in another
   script (a Russian word, an Arabic word) are never touched.
   Leetspeak clashes with Arabizi, Arabic written in Latin letters where 3 = ع, 7 = ح, 5 = خ,
   2 = ء: "3ayez", "7abibi", "ma3lesh". The trade-off chosen: 0 1 4 @ $ are always leet; a word
   holding 2, 6, 8 or 9 is Arabizi or a number and keeps all its digits; 3, 5 and 7 become e, s
   and t only when the word also holds an unambiguous leet character, or when the digit is
   inside the word with no vowel beside it (Arabizi writes the vowel next to the consonant it
   spells: 3a, a7; leet replaces the vowel itself: h3ll0, fr33). A 3, 5 or 7 opening a word is
   Arabizi (7mar, 3ndi) unless an h follows (7he, 5hit: Arabizi never writes 7h). Ordinals and
   units (1st, 4th, 10am, 5g, mp3, win10) are left alone. Some leet is missed (7ime, 5ex stay),
   which costs less than garbling Arabizi comments.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

URL_TOKEN = "urltoken"
EMAIL_TOKEN = "emailtoken"
PHONE_TOKEN = "phonetoken"


@dataclass(frozen=True)
class Normalized:
    text: str
    # offsets[i]: index in the original text of the first character normalised char i stands for.
    offsets: tuple[int, ...]
    # ends[i]: index just past the last original character normalised char i stands for.
    ends: tuple[int, ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) in the normalised text -> [s, e) in the original text (never raises)."""
        size = len(self.offsets)
        if size == 0:
            return (0, 0)
        start = min(max(start, 0), size - 1)
        end = min(max(end, start + 1), size)
        ends = self.ends or tuple(o + 1 for o in self.offsets)
        return (self.offsets[start], ends[end - 1])


# --- 1. Unicode folding ---------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    # NFKC and casefold do not commute for a few characters; iterate to a fixed point so a second
    # pass over the output changes nothing.
    folded = char
    for _ in range(4):
        step = "".join(
            unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", c).casefold())
            for c in folded
        )
        if step == folded:
            break
        folded = step
    return folded


def _fold(text: str) -> tuple[str, list[int], list[int]] | str:
    """The folded text, with offsets only when a character changed length."""
    if unicodedata.is_normalized("NFKC", text):
        folded = text.casefold()
        if len(folded) == len(text) and unicodedata.is_normalized("NFKC", folded):
            return folded
    pieces: list[str] = []
    offsets: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        out = _fold_char(char)
        pieces.append(out)
        offsets.extend([index] * len(out))
        ends.extend([index + 1] * len(out))
    return "".join(pieces), offsets, ends


# --- 2. One-to-one unification ---------------------------------------------------------------


def _unification_table() -> dict[int, str]:
    table: dict[int, str] = {}
    letters = {
        "ا": "أإآٱٲٳٵ",
        "ي": "ىیېۍێےۓٸ",
        "و": "ؤۄۅ",
        "ك": "کڪ",
        "ه": "ةەھہۀۃ",
    }
    for target, sources in letters.items():
        for source in sources:
            table[ord(source)] = target
    table[ord("ئ")] = "ي"
    for digit in range(10):
        table[0x0660 + digit] = str(digit)
        table[0x06F0 + digit] = str(digit)
    # Accented Latin letters -> base letter: the model and word lists treat fück as fuck.
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(code))[:1]
        if len(base) == 1 and base.isascii() and base.isalpha() and base != chr(code):
            table[code] = base.lower()
    for code in range(0x3001):
        if chr(code).isspace():
            table[code] = " "
    table[0x3002] = "."  # ideographic full stop, used to hide dots in domains
    return table


_UNIFY = _unification_table()


# --- 3. Deletions ------------------------------------------------------------------------------

_DROPPED = (
    "\u0300-\u036f"  # combining Latin marks left after NFKC (zalgo)
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dd\u06df-\u06e8\u06ea-\u06ed\u08d3-\u08ff"
    "\u0640"  # tatweel
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb"
)
# Alternatives in priority order: characters to drop; a space followed by more spaces or dropped
# characters (keep the first space); a punctuation mark repeated, possibly with dropped
# characters between (keep the first).
_CLEAN = re.compile(
    f"(?P<drop>[{_DROPPED}]+)"
    f"|(?P<space> [ {_DROPPED}]+)"
    f"|(?P<mark>(?![{_DROPPED}/])([^\\w\\s])(?:[{_DROPPED}]*\\4)+)"
)


def _clean_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for match in _CLEAN.finditer(text):
        start, end = match.span()
        if match.lastgroup == "drop":
            edits.append((start, end, ""))
        else:
            edits.append((start + 1, end, ""))
    return edits


# --- 4. Placeholders ---------------------------------------------------------------------------

_TLDS = (
    "com|net|org|info|biz|io|co|ly|tv|xyz|online|site|top|club|shop|store|app|dev|ru|cn|uk|de|fr"
    "|ca|au|eg|sa|ae|ma|dz|tn|jo|lb|kw|qa|bh|om|iq|sy|ps|ye|sd|link|click|live|news|blog|pro"
    "|tech|website|vip|win|bet|loan|cc|ws|pw|tk|ml|ga|cf|gq|su|ir|tr|pk|ng|ke|za|gov|edu|mil|int"
    "|cloud|email|today|world|life|space|fun|icu|buzz|cam|ly|nl|es|pl|br|mx|jp|kr|ch|se|eu|asia"
    "|مصر|السعوديه|امارات|قطر|الاردن|تونس|الجزاير|المغرب|عمان|فلسطين|سوريه|البحرين|شبكه|موقع|كوم"
)
_LABEL = r"[^\W_](?:[\w-]{0,62}[^\W_])?"
# A dot, or a dot written so that link filters miss it.
_DOT = r"(?: ?\. ?| ?[\[(](?:\.|dot)[\])] ?| dot )"
_SPELLED_DOT = r"(?: ?[\[(](?:\.|dot)[\])] ?| dot )"
_HOST = rf"{_LABEL}(?:{_DOT}{_LABEL})*"
# A path ends before trailing punctuation: "see site.com/page, then" keeps its comma.
_PATH = r"(?::\d{1,5})?(?:/(?:[^\s]*[^\s.,!?;:)\]'\"؟،])?)?"
_PLACEHOLDER = re.compile(
    # e-mail: name@host.tld, name [at] host [dot] tld, name at host dot com
    rf"(?P<email>(?<![\w.+-])[\w.+-]*[^\W_] ?"
    rf"(?:(?:@|[\[(]at[\])]) ?{_HOST}{_DOT}[^\W\d_]{{2,}}"
    rf"| at {_LABEL}(?:{_SPELLED_DOT}{_LABEL})*{_SPELLED_DOT}(?:{_TLDS}))(?!\w))"
    # URL with a scheme, also hxxp:// and h**p://
    rf"|(?P<url>(?<!\w)(?:(?:h(?:tt|xx|\*\*)ps?|ftp) ?: ?/ ?/ ?(?:{_HOST}|[^\s]+)"
    rf"|www{_DOT}{_HOST}|{_HOST}{_DOT}(?:{_TLDS})(?!\w)){_PATH})"
    # phone: 8+ digits, with spaces, dashes, dots or brackets between
    r"|(?P<phone>(?<![\w+])\+?\(?\d(?:[ \-.()/]{0,2}\d){7,}(?!\w))"
)
_DATE = re.compile(r"\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4}")
_TOKENS = {"email": EMAIL_TOKEN, "url": URL_TOKEN, "phone": PHONE_TOKEN}


def _placeholder_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for match in _PLACEHOLDER.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "phone" and _DATE.fullmatch(match.group()):
            continue
        token = _TOKENS[kind]
        if start > 0 and text[start - 1] != " ":
            token = " " + token
        if end < len(text) and text[end] != " ":
            token = token + " "
        edits.append((start, end, token))
    return edits


# --- 5. Repeated letters -----------------------------------------------------------------------

_REPEAT = re.compile(r"([^\W\d_])\1{2,}")


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u08ff"


def _repeat_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for match in _REPEAT.finditer(text):
        start, end = match.span()
        keep = 1 if _is_arabic(match.group(1)) else 2
        edits.append((start + keep, end, ""))
    return edits


# --- 6. Spaced-out letters ---------------------------------------------------------------------

_SINGLES = re.compile(
    r"(?<![^\W_])(?<![@$])[^\W\d_](?:[ .\-_*][^\W\d_](?![^\W_]|[@$])){2,}"
)


def _join_edits(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for match in _SINGLES.finditer(text):
        start = match.start()
        edits.extend((i, i + 1, "") for i in range(start + 1, match.end(), 2))
    return edits


# --- 7. Look-alikes and leetspeak --------------------------------------------------------------


def _confusable_table() -> dict[str, str]:
    """Non-ASCII letters that Unicode lists as confusable with one ASCII Latin letter."""
    try:
        from confusable_homoglyphs import confusables
    except ImportError:  # the normaliser still works, without the look-alike rule
        return {}
    table = {}
    for char, glyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        if unicodedata.name(char, "").startswith(("ARABIC", "HEBREW")):
            continue
        for glyph in glyphs:
            latin = glyph["c"]
            if len(latin) == 1 and latin.isascii() and latin.isalpha():
                table[char] = latin.lower()
                break
    return table


_LOOKALIKE = _confusable_table()
_LEET = {"0": "o", "1": "i", "4": "a", "@": "a", "$": "s", "3": "e", "5": "s", "7": "t"}
_UNAMBIGUOUS_LEET = frozenset("014@$")
_ARABIZI_DIGITS = frozenset("2689")
_VOWELS = frozenset("aeiouy")
_SUSPECT = re.compile("[0-9@$" + "".join(sorted(_LOOKALIKE)) + "]")
_WORD = re.compile(r"(?:[^\W_]|[@$])+")
_NUMBERLIKE = re.compile(r"\d+(?:st|nd|rd|th|am|pm|s|k|m|g|x|d|h|p)|[a-z]{1,3}\d")
_TRAILING_DIGITS = re.compile(r"\d{2,}$")


def _is_numberlike(word: str) -> bool:
    """1st, 10am, 5g, mp3, win10: digits that count things, not letters in disguise."""
    if _NUMBERLIKE.fullmatch(word):
        return True
    trailing = _TRAILING_DIGITS.search(word)
    return trailing is not None and len(set(trailing.group())) > 1  # fr33 is leet, win10 is not


def _is_arabizi_digit(word: str, index: int) -> bool:
    """3, 5 or 7 spelling ع, خ or ح: a vowel beside it, or it opens the word (7mar, 3ndi).

    Arabizi never writes 3h, 5h or 7h (the digit is the h sound), so those stay leet (7he, 5hit).
    """
    after = word[index + 1] if index + 1 < len(word) else ""
    if index == 0:
        return after != "h"
    return word[index - 1] in _VOWELS or after in _VOWELS


def _map_word(word: str) -> str:
    """The word with look-alikes and leet replaced, or the word itself if it is not Latin."""
    letters = 0
    for char in word:
        if "a" <= char <= "z":
            letters += 1
        elif char not in _LEET and char not in _LOOKALIKE and not ("0" <= char <= "9"):
            return word
    if letters == 0 or (letters < 2 and len(word) < 3):
        return word
    if not _ARABIZI_DIGITS.isdisjoint(word) or _is_numberlike(word):
        leet = {"@": "a", "$": "s"}
        plain_leet = True
    else:
        leet = _LEET
        plain_leet = not _UNAMBIGUOUS_LEET.isdisjoint(word)
    out = []
    for index, char in enumerate(word):
        if char in _LOOKALIKE:
            out.append(_LOOKALIKE[char])
        elif char in leet:
            if char in "357" and not plain_leet and _is_arabizi_digit(word, index):
                out.append(char)  # Arabizi: the vowel sits beside the consonant the digit spells
            else:
                out.append(leet[char])
        else:
            out.append(char)
    return "".join(out)


def _map_lookalikes(text: str) -> str:
    if not _SUSPECT.search(text):
        return text
    pieces = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        mapped = _map_word(word)
        if mapped != word:
            pieces.append(text[position:match.start()])
            pieces.append(mapped)
            position = match.end()
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


# --- the pipeline -------------------------------------------------------------------------------


def _apply(
    text: str, offsets: list[int], ends: list[int], edits: list[tuple[int, int, str]]
) -> tuple[str, list[int], list[int]]:
    """Apply sorted, non-overlapping edits (start, end, replacement) and carry the offsets."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    new_ends: list[int] = []
    position = 0
    for start, end, replacement in edits:
        pieces.append(text[position:start])
        new_offsets += offsets[position:start]
        new_ends += ends[position:start]
        if replacement:
            pieces.append(replacement)
            new_offsets += [offsets[start]] * len(replacement)
            new_ends += [ends[end - 1]] * len(replacement)
        elif new_ends:
            new_ends[-1] = max(new_ends[-1], ends[end - 1])
        position = end
    pieces.append(text[position:])
    new_offsets += offsets[position:]
    new_ends += ends[position:]
    return "".join(pieces), new_offsets, new_ends


def normalize(text: str, *, placeholders: bool = True) -> Normalized:
    if not isinstance(text, str) or not text:
        return Normalized("", (), ())
    folded = _fold(text)
    if isinstance(folded, str):
        offsets = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    else:
        folded, offsets, ends = folded
    current = folded.translate(_UNIFY)

    edits = _clean_edits(current)
    if edits:
        current, offsets, ends = _apply(current, offsets, ends, edits)
    if placeholders:
        edits = _placeholder_edits(current)
        if edits:
            current, offsets, ends = _apply(current, offsets, ends, edits)
    edits = _repeat_edits(current)
    if edits:
        current, offsets, ends = _apply(current, offsets, ends, edits)

    joins = _join_edits(current)
    if joins:
        current, offsets, ends = _apply(current, offsets, ends, joins)
    mapped = _map_lookalikes(current)
    if joins or mapped != current:
        # Joining and unmasking letters can reveal an address or a letter run: catch it now
        # so that a second pass finds nothing more to do.
        current = mapped
        if placeholders:
            edits = _placeholder_edits(current)
            if edits:
                current, offsets, ends = _apply(current, offsets, ends, edits)
        edits = _repeat_edits(current)
        if edits:
            current, offsets, ends = _apply(current, offsets, ends, edits)

    start = 1 if current.startswith(" ") else 0
    stop = len(current) - 1 if current.endswith(" ") and len(current) > start else len(current)
    if start or stop != len(current):
        current, offsets, ends = current[start:stop], offsets[start:stop], ends[start:stop]
    return Normalized(current, tuple(offsets), tuple(ends))


def count_links(text: str | Normalized) -> int:
    """How many URLs the text holds, however they were disguised (a spam side signal)."""
    normalized = text if isinstance(text, Normalized) else normalize(text)
    return len(re.findall(rf"\b{URL_TOKEN}\b", normalized.text))
