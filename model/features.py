"""What a feature is: the n-grams of normalised text and the spam head's side signals.

Training hands these functions to scikit-learn (as the vectorisers' analyzers) and the compiled
scorer calls the very same functions, so both see identical features by construction. This
module never holds weights and never scores.
"""

from __future__ import annotations

import math
import re

import numpy as np

CHAR_RANGE = (2, 5)

_WORD = re.compile(r"\w\w+")  # scikit-learn's default token pattern, without \b (same matches)
_LINK = re.compile(r"https?://|hxxps?://|www\.|\b\w+\.(?:com|net|org|ly|info|biz|me|co|io)\b",
                   re.IGNORECASE)
# What every match of _LINK holds, lower-cased: a cheap search that clears most comments with a
# full stop before _LINK (whose \b\w+\. branch starts at every letter) runs. Under IGNORECASE
# _LINK also matches letters outside ASCII that lower-casing does not turn into ASCII: İ and ı
# as the i of info, biz and io (ſ as the s of https too, but that match holds "://" anyway); a
# comment holding one goes straight to _LINK.
_LINK_HINT = re.compile(r"://|www\.|\.(?:com|net|org|ly|info|biz|me|co|io)")
_LINK_FOLDS = ("\u0130", "\u0131")
# What the model was trained with counted the matches of \S+@\S+\.\w+, which backtracks in
# cubic time ("@" * 2000 took 5 s). It matches at most once in a whitespace-separated word, and
# does when the word has an "@" after its first character and, at least two characters past
# that first "@", a "." followed by a word character: this pattern says exactly that, reading
# each word once, so it finds the same number of matches in linear time.
_EMAIL = re.compile(r"(?<!\S)\S[^\s@]*+@\S\S*?\.\w")
_PHONE = re.compile(r"(?:\+|00)?\d[\d\s\-]{6,}\d")
_REPEAT = re.compile(r"(.)\1{2,}")
_DIGIT = re.compile(r"\d")
_NOT_SPACE = re.compile(r"\S+")


_DOUBLED_LATIN = re.compile(r"([a-z])\1+")


def fold_repeats(text: str) -> str:
    """Repeated Latin letters become one, for features only. The normaliser keeps two (cool,
    good), so "idiiiot" → "idiiot" would still differ from "idiot"; folding them makes
    elongation unable to move a score, at the price of confusing good with god."""
    return _DOUBLED_LATIN.sub(r"\1", text)


def padded_words(words: list[str]) -> str:
    """Words (folded, without whitespace) each padded with one space and laid end to end: the
    text every character n-gram is cut from. An n-gram inside one padded word is a `char_wb`
    n-gram; one that crosses into the next holds two spaces, which no vocabulary n-gram does."""
    return " " + "  ".join(words) + " "


def char_gram_candidates(text: str) -> list[str]:
    """Every 2–5-gram of the text's words joined by two spaces and padded with one: the
    `char_wb` n-grams plus cross-word ones, which all contain two spaces and so are never in a
    vocabulary. The compiled scorer uses this directly (skipping the filter is what makes it
    fast); vectorisers use `char_grams`."""
    joined = padded_words(fold_repeats(text).split())
    length = len(joined)
    low, high = CHAR_RANGE
    return [joined[i:i + n] for n in range(low, high + 1) for i in range(length - n + 1)]


def char_grams(text: str) -> list[str]:
    """Character 2–5-grams inside word boundaries, each word padded with one space on each side
    (the same n-grams as scikit-learn's `char_wb`: none straddles two words)."""
    return [gram for gram in char_gram_candidates(text) if "  " not in gram]


def word_grams(text: str) -> list[str]:
    """Word unigrams and bigrams of tokens of two or more word characters."""
    return folded_word_grams(fold_repeats(text))


def folded_word_grams(folded: str) -> list[str]:
    """`word_grams` of a text already passed through `fold_repeats` (the compiled scorer folds
    once for both kinds of n-gram)."""
    tokens = _WORD.findall(folded)
    return tokens + list(map(" ".join, zip(tokens, tokens[1:], strict=False)))


def word_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every whitespace-separated word: explanations highlight whole words."""
    return [match.span() for match in _NOT_SPACE.finditer(text)]


SIDE_SIGNALS = ("length", "capitals", "repeats", "links", "emails", "phones")


def without_spans(text: str, spans) -> str:
    """The text with these sorted, disjoint [start, end) spans cut out: what the side signals
    measure when links to trusted domains are left out (`Normalized.cited`)."""
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(text[position:start])
        position = max(position, end)
    pieces.append(text[position:])
    return "".join(pieces)


def _links(original: str, per_word: bool = True) -> int:
    """How many links the text holds: the whitespace-separated words holding a match of _LINK.
    A full URL matches three times ("https://", "www.", "bbc.com"), and counted so (models of
    format 3 and before were trained with `per_word=False`) one cited source weighed as much as
    three bare domains (the recipe's [bias] notes hold what counting per word changed)."""
    if _LINK_HINT.search(original.lower()) is None and not any(
            fold in original for fold in _LINK_FOLDS):
        return 0
    if per_word:
        return sum(1 for word in original.split() if _LINK.search(word))
    return len(_LINK.findall(original))


def side_signals(original: str, links_per_word: bool = True) -> tuple[float, ...]:
    """Cheap signals of spam measured on what the reader wrote, each scaled to about [0, 1].
    `links_per_word=False`: links counted as models of format 3 and before were trained."""
    letters = sum(map(str.isalpha, original))
    capitals = sum(map(str.isupper, original))
    repeated = sum(len(m.group(0)) for m in _REPEAT.finditer(original))
    # the address patterns only run when their telltale character is there (most comments
    # have none), which keeps this cheap on every comment
    return (
        min(math.log1p(len(original)) / 7.0, 1.5),
        capitals / letters if letters else 0.0,
        repeated / len(original) if original else 0.0,
        (min(_links(original, links_per_word), 5) / 5.0
         if "." in original or ":" in original else 0.0),
        min(len(_EMAIL.findall(original)), 3) / 3.0 if "@" in original else 0.0,
        min(len(_PHONE.findall(original)), 3) / 3.0 if _DIGIT.search(original) else 0.0,
    )


# --- the same character n-grams as 64-bit numbers, for the compiled scorer --------------------
# Looking up hundreds of fresh n-gram strings in a dictionary of 150,000 costs a cache miss or
# three each; hashing every n-gram of a comment at once with numpy and finding the hashes in a
# table costs a few vector operations. The hash is a polynomial over code points modulo 2**64
# (numpy's uint64 arithmetic wraps); the scorer refuses a vocabulary in which two n-grams share
# a hash, and an unseen n-gram matching a vocabulary hash by chance has odds of about 1e-14 per
# n-gram.

_BASE = 0x9E3779B97F4A7C15
_LOW, _HIGH = CHAR_RANGE
# _POWERS[k, n - _LOW] = _BASE ** (n - 1 - k) for k < n: one window of code points times this
# matrix is the hash of every n-gram starting at that window (a uint64 matmul wraps like the
# polynomial does).
_POWERS = np.array([[pow(_BASE, n - 1 - k, 2**64) if k < n else 0
                     for n in range(_LOW, _HIGH + 1)] for k in range(_HIGH)], dtype=np.uint64)
# _WINDOWS[i] = i, i + 1, ... i + _HIGH - 1: the positions of the window starting at i, made
# once for comments of ordinary length
_WINDOWS = np.arange(4096)[:, None] + np.arange(_HIGH)
_SPACE = 32


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _windows(count: int) -> np.ndarray:
    if count <= len(_WINDOWS):
        return _WINDOWS[:count]
    return np.arange(count)[:, None] + np.arange(_HIGH)


def candidate_hashes(folded: str) -> np.ndarray:
    """Hashes of `char_gram_candidates` of a text already passed through `fold_repeats`, plus
    those of a few n-grams that run past its end: every candidate the vocabulary could hold
    comes out once per occurrence, and the others all hold two spaces, so none is in a
    vocabulary (skipping the filter is the point: it costs more than finding them does)."""
    return word_candidate_hashes(folded.split())


def scaled_powers(factor: int) -> np.ndarray:
    """Powers with which `word_candidate_hashes` gives every hash times `factor` (mod 2**64):
    a hash is linear in the powers, so a table that mixes its keys by a multiplication gets
    it without one more vector operation per comment."""
    return _POWERS * np.uint64(factor)


def word_candidate_hashes(words: list[str], powers: np.ndarray = _POWERS) -> np.ndarray:
    """`candidate_hashes` of these folded words (without whitespace) written one after another;
    `powers` from `scaled_powers` multiplies every hash."""
    joined = padded_words(words)
    # padding with spaces gives every window all _HIGH code points; an n-gram past the end
    # then holds two spaces like the ones that straddle words
    codes = _code_points(joined + " " * (_HIGH - 1))
    # `take` gathers several times faster than indexing with an array does
    return (codes.take(_windows(len(joined))) @ powers).ravel()


def char_gram_hashes(text: str) -> np.ndarray:
    """Hashes of `char_grams(text)` (same n-grams, same multiplicity, another order)."""
    folded = fold_repeats(text)
    joined = padded_words(folded.split())
    codes = _code_points(joined + " " * (_HIGH - 1))
    windows = _windows(len(joined))
    spaces = codes == _SPACE
    double = spaces[:-1] & spaces[1:]  # double[i]: two spaces at i
    # an n-gram starting at i straddles a word boundary if two spaces start in i .. i + n - 2
    straddles = np.logical_or.accumulate(double[windows[:, :_HIGH - 1]], axis=1)
    hashes = codes[windows] @ _POWERS
    return hashes[~straddles[:, _LOW - 2:]]


def word_char_gram_hashes(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of `char_grams(word)` for each of these words (folded, without whitespace), all
    together, and for each hash the position in `words` of the word it came from (ascending)."""
    joined = padded_words(words)
    codes = _code_points(joined + " " * (_HIGH - 1))
    windows = _windows(len(joined))
    spaces = codes == _SPACE
    double = spaces[:-1] & spaces[1:]
    straddles = np.logical_or.accumulate(double[windows[:, :_HIGH - 1]], axis=1)[:, _LOW - 2:]
    hashes = codes[windows] @ _POWERS
    # word k, padded with a space on each side, starts at the sum of len(word) + 2 before it,
    # and an n-gram that does not straddle lies inside one padded word
    starts = np.cumsum([0] + [len(word) + 2 for word in words[:-1]]) if words else np.zeros(0)
    owner = np.searchsorted(starts, np.arange(len(joined)), side="right") - 1
    keep = ~straddles
    return hashes[keep], np.broadcast_to(owner[:, None], keep.shape)[keep]


def term_hashes(terms: list[str]) -> np.ndarray:
    """The hash `candidate_hashes` gives each of these n-grams. Each term's code points are
    right-aligned in a row of zeros, and a leading zero adds nothing to the polynomial, so one
    matmul hashes them all whatever their lengths (at load, 150,000 terms)."""
    if not terms:
        return np.empty(0, dtype=np.uint64)
    lengths = np.fromiter(map(len, terms), dtype=np.intp, count=len(terms))
    width = int(lengths.max())
    codes = _code_points("".join(terms))
    rows = np.repeat(np.arange(len(terms)), lengths)
    # column of each code point: its place in its term, shifted right by the term's shortfall
    starts = np.cumsum(lengths) - lengths
    columns = np.arange(len(codes)) - np.repeat(starts - (width - lengths), lengths)
    matrix = np.zeros((len(terms), width), dtype=np.uint64)
    matrix[rows, columns] = codes
    powers = np.array([pow(_BASE, width - 1 - k, 2**64) for k in range(width)], dtype=np.uint64)
    return matrix @ powers
