"""Text normalisation shared by the classifier's features and the service's word lists.

Owns one pure function, `normalize(text) -> Normalized`, and the rules it applies. It must never
raise, never touch I/O after import, and must be idempotent: normalising its own output changes
nothing. Every normalised character keeps the span of original characters it stands for, so an
explanation found in normalised text can point at what the reader actually wrote.

It is on the scoring hot path (one call per comment, ~20-40 µs for a 100-150 character comment):
every rewrite is a str.translate or a compiled regex behind a cheap search that usually says
"nothing to do", and offsets are only rebuilt when a length changes. Import costs ~0.1 s (tables
built from unicodedata and Unicode's confusables data).

The decisions, in the order they are applied, and why:

1. Unicode folding: NFKC then casefold (full-width letters, ligatures, mathematical letters such
   as 𝐟𝐮𝐜𝐤, Arabic presentation forms, … all become plain text). Done per character, and only
   for the characters that need more than a casefold, so every output character knows where it
   came from and a plain comment costs one search and one casefold.
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
4. (after step 5, so that shrinking a letter run cannot reveal a domain on a second pass)
   URLs (also hxxp://, "www . site . com", "site dot com", "site[.]com"), e-mail addresses
   (also "name at gmail dot com") and phone numbers (8 digits or more) become the placeholder
   words URL_TOKEN, EMAIL_TOKEN and PHONE_TOKEN, each spanning the whole original address. The
   words are plain ASCII letters no language uses, so a second pass leaves them alone.
   A URL's words (letters only: host labels and path words, not the scheme or www) follow its
   placeholder, "urltoken youtube com watch": which site a link points to is much of what
   tells spam (a channel, a shortener, a shop) from a reader citing a source. They stand for
   the whole address too. `link_words=False` drops them (the dataset split key does, so that
   texts keep the split they had before the words were kept).
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
   which costs less than garbling Arabizi comments. A mention (@ and three or more letters or
   digits, @rabee554) is a name and is left alone; @ss stays leet, @sshole is missed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

URL_TOKEN = "urltoken"
EMAIL_TOKEN = "emailtoken"
PHONE_TOKEN = "phonetoken"


@dataclass(frozen=True)
class Normalized:
    text: str
    # offsets[i]: index in the original text of the first character normalised char i stands for.
    # A tuple, or a range when normalising moved nothing (the identity map, without the cost).
    offsets: Sequence[int]
    # ends[i]: index just past the last original character normalised char i stands for
    # (empty when a caller built a Normalized from offsets alone: then offsets[i] + 1).
    ends: Sequence[int] = ()
    # [start, end) in the original text of each link to a trusted domain left out of `text`
    cited: tuple[tuple[int, int], ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) in the normalised text -> [s, e) in the original text (never raises)."""
        size = len(self.offsets)
        if size == 0:
            return (0, 0)
        start = min(max(start, 0), size)
        end = min(max(end, start), size)
        ends = self.ends if len(self.ends) == size else [o + 1 for o in self.offsets]
        if start == end:  # an empty match: an empty span where it sits in the original
            at = self.offsets[start] if start < size else ends[size - 1]
            return (at, at)
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


def _unstable_characters() -> re.Pattern[str]:
    """A class of the BMP characters that folding changes other than by a one-to-one casefold.

    Computed once at import (~50 ms) so that folding a comment costs one bitmap search and a
    casefold, with per-character work only where such a character actually is.
    """
    # Whole-string calls over every BMP character joined by NUL (a starter nothing composes
    # with) give each character's NFKC and casefold at C speed; splitting realigns them.
    codes = [code for code in range(1, 0x10000) if not 0xD800 <= code <= 0xDFFF]
    chars = [chr(code) for code in codes]
    joined = "\0".join(chars)
    nfkc = unicodedata.normalize("NFKC", joined).split("\0")
    folded_joined = joined.casefold()
    folded = folded_joined.split("\0")
    folded_nfkc = unicodedata.normalize("NFKC", folded_joined).split("\0")
    folded_twice = folded_joined.casefold().split("\0")
    unstable = [
        code
        for code, char, char_nfkc, fold, fold_nfkc, fold_twice in zip(
            codes, chars, nfkc, folded, folded_nfkc, folded_twice, strict=True
        )
        if len(fold) != 1 or fold_twice != fold or char_nfkc != char or fold_nfkc != fold
    ]
    ranges = []
    first = previous = unstable[0]
    for code in unstable[1:] + [-1]:
        if code == previous + 1:
            previous = code
            continue
        last = "-" + re.escape(chr(previous)) if previous > first else ""
        ranges.append(re.escape(chr(first)) + last)
        first = previous = code
    return re.compile("[" + "".join(ranges) + "]")


_UNSTABLE = _unstable_characters()
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=4096)
def _is_unstable_astral(char: str) -> bool:
    return _fold_char(char) != char.casefold() or len(char.casefold()) != 1


def _fold(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """The folded text, with offsets only when a character changed length (None: unchanged)."""
    positions = [match.start() for match in _UNSTABLE.finditer(text)]
    if _ASTRAL.search(text):  # mostly emoji; mathematical letters (𝐟𝐮𝐜𝐤) fold to ASCII
        positions += [m.start() for m in _ASTRAL.finditer(text) if _is_unstable_astral(m.group())]
        positions.sort()
    if not positions:
        return text.casefold(), None, None
    pieces = []
    position = 0
    for index in positions:
        pieces.append(text[position:index].casefold())  # one-to-one between unstable characters
        pieces.append(_fold_char(text[index]))
        position = index + 1
    pieces.append(text[position:].casefold())
    folded = "".join(pieces)
    if len(folded) == len(text):
        return folded, None, None
    # Some character expanded (… -> ..., ﷺ -> a phrase) or vanished: each output character
    # stands for the one input character it came from.
    offsets: list[int] = []
    position = 0
    for index in positions:
        offsets += range(position, index)
        offsets += [index] * len(_fold_char(text[index]))
        position = index + 1
    offsets += range(position, len(text))
    return folded, offsets, [index + 1 for index in offsets]


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
# Most English comments hold none of these; searching is cheaper than translating.
_UNIFIED_CHAR = re.compile("[" + re.escape("".join(sorted(chr(c) for c in _UNIFY))) + "]")


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


# Cheap searches that say whether _CLEAN can find anything at all (most comments: no).
_DROPPED_CHAR = re.compile(f"[{_DROPPED}]")
_MARK_TWICE = re.compile(r"([^\w\s])\1")


def _clean_edits(text: str) -> list[tuple[int, int, str]]:
    if not ("  " in text or _DROPPED_CHAR.search(text) or _MARK_TWICE.search(text)):
        return []
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
    "|cloud|email|today|world|life|space|fun|icu|buzz|cam|nl|es|pl|br|mx|jp|kr|ch|se|eu|asia"
    "|مصر|السعوديه|امارات|قطر|الاردن|تونس|الجزاير|المغرب|عمان|فلسطين|سوريه|البحرين|شبكه|موقع|كوم"
)
# Possessive quantifiers (Python 3.11) keep these from backtracking through long words.
_LABEL = r"[^\W_][\w-]*+"
# A dot, or a dot written so that link filters miss it. A spaced dot needs a space on both
# sides ("site . com"): a sentence's full stop has one after it only, and "go to hospital. De"
# or "a break. Life goes on" must not read as links (de and life are top-level domains).
_DOT = r"(?:\.| \. | ?[\[(](?:\.|dot)[\])] ?| dot )"
_SPELLED_DOT = r"(?: ?[\[(](?:\.|dot)[\])] ?| dot )"
# A host must end in a known top-level domain, so "good.the end" and "end . Next" stay text.
# At most 8 labels: an unbounded repeat made "a dot a dot ..." quadratic (100 s for 120 kB).
_HOST = rf"{_LABEL}(?:{_DOT}{_LABEL}){{0,8}}{_DOT}(?:{_TLDS})(?!\w)"
# A path ends before trailing punctuation: "see site.com/page, then" keeps its comma.
_PATH = r"(?::\d{1,5})?(?:/(?:[^\s]*[^\s.,!?;:)\]'\"؟،])?)?"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]++ ?(?:(?:@|[\[(]at[\])]) ?{_LABEL}(?:{_DOT}{_LABEL}){{0,8}}{_DOT}"
    rf"[^\W\d_]{{2,}}+| at {_LABEL}(?:{_SPELLED_DOT}{_LABEL}){{0,8}}{_SPELLED_DOT}(?:{_TLDS}))"
    rf"(?!\w)"
)
_SCHEME_URL = re.compile(
    rf"(?<!\w)(?:h(?:tt|xx|\*\*?)ps?|ftp) ?: ?/ ?/ ?(?:{_HOST}{_PATH}|[^\s]*[^\s.,!?;:)\]'\"؟،])"
)
# "www" arrives as "ww" (letter runs shrink first); either starts a link whatever follows, so
# "www.pills-shop.example" is a link although its top-level domain is no known one.
_WWW_URL = re.compile(rf"(?<!\w)www?(?:{_DOT}{_HOST}{_PATH}|\.[^\s]*[^\s.,!?;:)\]'\"؟،])")
_BARE_URL = re.compile(rf"(?<![\w.@-]){_HOST}{_PATH}")
_TLD_TAIL = re.compile(rf"(?:{_DOT}(?:{_TLDS})(?!\w))++")
_BARE_URL_HINT = re.compile(rf"[.\])] ?(?:{_TLDS})(?!\w)")
_PHONE = re.compile(r"\d(?:[ \-.()/]{0,2}\d){7,}")
# Digit runs that are not phone numbers: dates, and counts with dots between thousands.
_NOT_PHONE = re.compile(
    r"\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4}|\d{1,3}(?:\.\d{3})+"
)


def is_word_char(char: str) -> bool:
    """What \\w matches in a str pattern (the regular expression engine's own test)."""
    return char.isalnum() or char == "_"


def _url_span(text: str, match: re.Match) -> tuple[int, int, str]:
    """A URL's span, stretched over a spaced top-level domain right after it
    ("http://a.com/x . com"): left behind, it would meet the URL's own words on a second pass
    ("urltoken com . com") and read as an address there."""
    end = match.end()
    tail = _TLD_TAIL.match(text, end)
    return match.start(), tail.end() if tail else end, URL_TOKEN


def _address_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for each address; each search runs only if a cheap hint is present."""
    found = []
    if "@" in text or "at]" in text or "at)" in text or (" at " in text and "dot" in text):
        found += [(*m.span(), EMAIL_TOKEN) for m in _EMAIL.finditer(text)]
    if "/" in text:
        found += [_url_span(text, m) for m in _SCHEME_URL.finditer(text)]
    if "ww" in text:
        found += [_url_span(text, m) for m in _WWW_URL.finditer(text)]
    if "dot" in text or _BARE_URL_HINT.search(text):
        found += [_url_span(text, m) for m in _BARE_URL.finditer(text)]
    for match in _PHONE.finditer(text):
        start, end = match.span()
        if (start and (is_word_char(text[start - 1]) or text[start - 1] == "@")) or (
            end < len(text) and is_word_char(text[end])
        ):
            continue  # part of a word, a handle (@100046729) or a longer number
        if _NOT_PHONE.fullmatch(match.group()):
            continue
        while start and text[start - 1] in "+(":
            start -= 1
        found.append((start, end, PHONE_TOKEN))
    return found


# Words of a link kept beside URL_TOKEN: words of letters only (a word holding a digit is mostly
# an id, and would meet the leet and phone rules), at least two of them, never the scheme or the
# words that spell a dot.
_LINK_WORD = re.compile(r"[^\W_]{2,}")
# Letter runs shrink before addresses are found, so "www" arrives here as "ww".
_NOT_LINK_WORDS = frozenset({"http", "https", "hxxp", "hxxps", "ftp", "www", "ww", "dot", "at"})
_MOST_LINK_WORDS = 6


def _link_words(address: str) -> str:
    """" youtube com watch" for https://www.youtube.com/watch?v=x9: the host's and the path's
    words, which say what the link is (a video, a shortener, a shop); "" if there are none."""
    words = [w for w in _LINK_WORD.findall(address) if w.isalpha() and w not in _NOT_LINK_WORDS]
    spelled = "".join(" " + w for w in words[:_MOST_LINK_WORDS])
    # words that read as an address again would make a second pass change the text
    return "" if spelled and _address_spans(spelled) else spelled


_SCHEME = re.compile(r"^(?:h(?:tt|xx|\*\*?)ps?|ftp) ?: ?/ ?/ ?")
_HOST_END = re.compile(r"[/:?#\s]")


def link_host(address: str) -> str:
    """The host an address names, as normalised text without "www." ("bbc.com" for
    https://www.bbc.com/news); letter runs arrive shrunk, so "www" may read "ww"."""
    host = _SCHEME.sub("", address.strip())
    host = host[:m.start()] if (m := _HOST_END.search(host)) else host
    host = host.rstrip(".")
    for prefix in ("www.", "ww."):
        if host.startswith(prefix):
            return host[len(prefix):]
    return host


# A DNS name has at most 253 characters: a longer run is no host, and reading no further than
# that keeps `host_at` bounded however many links share one long word.
_LONGEST_HOST = 253


def host_at(text: str, position: int) -> str:
    """`link_host` of the address starting at `position` (not a space) in a normalised text,
    without copying the rest of the text: "" when what follows the scheme runs past a DNS
    name's length."""
    scheme = _SCHEME.match(text[position:position + 16])
    start = position + (scheme.end() if scheme else 0)
    stop = start + _LONGEST_HOST + 1
    end = _HOST_END.search(text, start, stop)
    if end is None and len(text) >= stop:
        return ""
    host = text[start:end.start() if end else len(text)].rstrip(".")
    for prefix in ("www.", "ww."):
        if host.startswith(prefix):
            return host[len(prefix):]
    return host


def trusted_key(domain: str) -> str:
    """A trusted domain as `link_host` would find it in a normalised link ("" if it is not a
    domain): what a site configures is compared with what readers write after the same
    folding."""
    folded = normalize(domain.strip(), placeholders=False).text
    host = link_host(folded)
    return host if "." in host and not _HOST_END.search(host) else ""


@lru_cache(maxsize=1024)
def _trusted_set(domains: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key for key in map(trusted_key, domains) if key)


def trusted_set(domains) -> frozenset[str]:
    """The `trusted_domains` argument of `normalize` for these configured domains (cached: a
    site's list is folded once, not once per comment)."""
    if isinstance(domains, frozenset):
        return domains
    return _trusted_set(tuple(domains)) if domains else frozenset()


@lru_cache(maxsize=1024)
def _longest(trusted: frozenset[str]) -> int:
    return max(map(len, trusted))


def is_trusted(host: str, trusted: frozenset[str]) -> bool:
    """`host` is a trusted domain or one of its subdomains (news.bbc.co.uk under bbc.co.uk):
    the host or a part of it after a dot, itself holding a dot, is in `trusted`. Only parts
    as long as the longest trusted domain at most are looked at, from the right, so a host of
    thousands of labels ("com.com.com...") costs no more than a short one."""
    if not trusted or not host:
        return False
    longest = _longest(trusted)
    if len(host) <= longest and "." in host and host in trusted:
        return True
    dot = host.rfind(".")
    while dot > 0:
        dot = host.rfind(".", 0, dot)
        if dot < 0 or len(host) - dot - 1 > longest:
            return False
        if host[dot + 1:] in trusted:
            return True
    return False


def _placeholder_edits(text: str, link_words: bool = True,
                       trusted: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    found = _address_spans(text)
    if not found:
        return []
    # Earliest first, longest first at one start; an address inside another is dropped.
    found.sort(key=lambda span: (span[0], -span[1]))
    edits = []
    covered = 0
    for start, end, token in found:
        if start < covered:
            continue
        touching = bool(edits) and edits[-1][1] == start  # 12341234+12341234: two phones
        covered = end
        if token == URL_TOKEN and trusted and is_trusted(link_host(text[start:end]), trusted):
            # a citation of a source the site trusts: left out with one space beside it, so
            # no double space is left for a second pass to fold
            if start > 0 and text[start - 1] == " " and not (edits and edits[-1][1] == start):
                start -= 1
            elif end < len(text) and text[end] == " ":
                end += 1
            edits.append((start, end, ""))
            continue
        if token == URL_TOKEN and link_words:
            token += _link_words(text[start:end])
        if start > 0 and text[start - 1] != " " and not touching:
            token = " " + token
        if end < len(text) and text[end] != " ":
            token = token + " "
        edits.append((start, end, token))
    return edits


# --- 5. Repeated letters -----------------------------------------------------------------------

_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_THRICE = re.compile(r"(.)\1\1", re.DOTALL)  # a cheap first look for _REPEAT


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u08ff"


def _repeat_edits(text: str) -> list[tuple[int, int, str]]:
    if not _THRICE.search(text):
        return []
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


# A run of three single letters has a middle one with a separator on each side.
_MIDDLE_SINGLE = re.compile(r"[ .\-_*][^\W\d_][ .\-_*]")


def _join_edits(text: str) -> list[tuple[int, int, str]]:
    if not _MIDDLE_SINGLE.search(text):
        return []
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
        if _fold_char(char) != char:
            continue  # folding already turns it into something else; it never reaches here
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
# Split so each character class stays a bitmap (a class holding astral characters is a list
# that the regex engine scans linearly for every character of the comment).
_SUSPECT = re.compile(
    "[0-9@$" + "".join(sorted(c for c in _LOOKALIKE if c <= "\uffff")) + "]"
)
_ASTRAL_LOOKALIKE = frozenset(c for c in _LOOKALIKE if c > "\uffff")
_DIGITS = "0123456789"


def _is_arabizi_digit(word: str, index: int) -> bool:
    """3, 5 or 7 spelling ع, خ or ح: a vowel beside it, or it opens the word (7mar, 3ndi).

    Arabizi never writes 3h, 5h or 7h (the digit is the h sound), so those stay leet (7he).
    """
    after = word[index + 1] if index + 1 < len(word) else ""
    if index == 0:
        return after != "h"
    return word[index - 1] in _VOWELS or after in _VOWELS


# A mention (@ and a handle of three or more ASCII letters and digits): a name, not leet, so
# "@rabee554" stays itself rather than becoming "arabee554". A short one stays leet (@ss).
_HANDLE = re.compile(r"@[a-z0-9]{3,}")


def _map_word(word: str) -> str:
    """The word with look-alikes and leet replaced, or the word itself if it is not Latin."""
    if _HANDLE.fullmatch(word):
        return word
    letters = 0
    for char in word:
        if "a" <= char <= "z":
            letters += 1
        elif char not in _LEET and char not in _LOOKALIKE and char not in _DIGITS:
            return word
    if letters < 2:
        return word
    out = list(word)
    # Digits count as leet only inside the word (h3ll0, n00b, id10t); digits at its edges are
    # numbers (1st, 10am, win10, player1, mp3) unless the inside already gave the game away.
    lead = len(word) - len(word.lstrip(_DIGITS))
    last = len(word.rstrip(_DIGITS))
    arabizi = not _ARABIZI_DIGITS.isdisjoint(word)  # 2, 6, 8, 9: Arabizi or a number
    plain = not _UNAMBIGUOUS_LEET.isdisjoint(word)

    def leet_digit(index: int) -> bool:
        char = word[index]
        if arabizi or char not in _LEET:
            return False
        return plain or char not in "357" or not _is_arabizi_digit(word, index)

    inside_leet = False
    for index in range(lead, last):
        char = word[index]
        if char in _LOOKALIKE:
            out[index] = _LOOKALIKE[char]
        elif char in "@$":
            out[index] = _LEET[char]
        elif char in _DIGITS and leet_digit(index):
            out[index] = _LEET[char]
            inside_leet = True
    if inside_leet:
        for index in (*range(lead), *range(last, len(word))):
            if leet_digit(index):
                out[index] = _LEET[word[index]]
    return "".join(out)


_WORD_RUN = re.compile(r"[\w@$]*")


def _suspect_positions(text: str) -> list[int]:
    positions = [match.start() for match in _SUSPECT.finditer(text)]
    if _ASTRAL.search(text):  # emoji mostly; look only at the astral characters themselves
        positions += [m.start() for m in _ASTRAL.finditer(text) if m.group() in _ASTRAL_LOOKALIKE]
        positions.sort()
    return positions


def _map_lookalikes(text: str) -> str:
    """Rewrite only the words holding a digit, @, $ or a look-alike letter."""
    positions = _suspect_positions(text)
    if not positions:
        return text
    reverse = text[::-1]
    size = len(text)
    pieces = []
    position = 0  # end of the text already copied into pieces
    looked_at = 0  # end of the last word looked at
    for index in positions:
        if index < looked_at:
            continue
        start = size - _WORD_RUN.match(reverse, size - index).end()
        end = looked_at = _WORD_RUN.match(text, index).end()
        word = text[start:end]
        mapped = _map_word(word)
        if mapped != word:
            pieces.append(text[position:start])
            pieces.append(mapped)
            position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


# --- the pipeline -------------------------------------------------------------------------------


def _apply(
    text: str,
    offsets: list[int] | None,
    ends: list[int] | None,
    edits: list[tuple[int, int, str]],
) -> tuple[str, list[int], list[int]]:
    """Apply sorted, non-overlapping edits (start, end, replacement) and carry the offsets.

    A replacement's characters all stand for the whole replaced span; a deletion is absorbed
    into the span of the character before it. None offsets mean "each character is itself".
    """
    if offsets is None or ends is None:
        offsets = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
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


def normalize(text: str, *, placeholders: bool = True, link_words: bool = True,
              trusted_domains: frozenset[str] = frozenset()) -> Normalized:
    """The text as the model and the word lists see it, with a map back to the original.

    placeholders=False keeps URLs, e-mail addresses and phone numbers as (normalised) text.
    link_words=False writes a URL as URL_TOKEN alone, without the link's words.
    trusted_domains (as `trusted_key` gives them): links to these domains or their subdomains
    are left out of the text, a reader citing a source the site trusts, and their original
    spans are listed in `cited`.
    """
    if not isinstance(text, str) or not text:
        return Normalized("", (), ())
    current, offsets, ends = _fold(text)
    if _UNIFIED_CHAR.search(current):
        current = current.translate(_UNIFY)
    cited: list[tuple[int, int]] = []

    def addresses(current: str) -> list:
        if not placeholders:
            return []
        edits = _placeholder_edits(current, link_words, trusted_domains)
        for start, end, replacement in edits:
            if not replacement:  # only a trusted link is replaced by nothing
                cited.append((offsets[start] if offsets is not None else start,
                              ends[end - 1] if ends is not None else end))
        return edits

    # Letter runs shrink before addresses are looked for (a.ccc would otherwise become a.cc,
    # a domain, on a second pass), and joining and unmasking letters come after both.
    for rewrite in (_clean_edits, _repeat_edits, addresses):
        edits = rewrite(current)
        if edits:
            current, offsets, ends = _apply(current, offsets, ends, edits)

    joins = _join_edits(current)
    if joins:
        current, offsets, ends = _apply(current, offsets, ends, joins)
    mapped = _map_lookalikes(current)  # one-to-one: offsets stay as they are
    if joins or mapped != current:
        # Joining and unmasking letters can reveal a letter run or an address: catch them now
        # so that a second pass finds nothing more to do.
        current = mapped
        for rewrite in (_repeat_edits, addresses):
            edits = rewrite(current)
            if edits:
                current, offsets, ends = _apply(current, offsets, ends, edits)

    start = 1 if current.startswith(" ") else 0
    stop = len(current) - 1 if current.endswith(" ") and len(current) > start else len(current)
    if offsets is None or ends is None:
        # Nothing moved: a range is an exact, cheap sequence of the identity map.
        return Normalized(current[start:stop], range(start, stop), range(start + 1, stop + 1))
    if start or stop != len(current):
        current, offsets, ends = current[start:stop], offsets[start:stop], ends[start:stop]
    return Normalized(current, tuple(offsets), tuple(ends), tuple(sorted(cited)))


_URL_TOKEN_WORD = re.compile(rf"\b{URL_TOKEN}\b")


def count_links(text: str | Normalized) -> int:
    """How many URLs the text holds, however they were disguised (a spam side signal)."""
    normalized = text if isinstance(text, Normalized) else normalize(text)
    return len(_URL_TOKEN_WORD.findall(normalized.text))
