"""Campaigns: the same text posted by many authors on one site within a day. Pure functions
that turn a comment into its fingerprint; the store groups fingerprints (inside the intake
script, lua/intake.lua), the queue shows each group once, and one decision decides it.

A comment's fingerprint is a MinHash of its word shingles (its words and pairs of neighbouring
words, of the text as the model normalises it: Arabic letter forms, diacritics, elongation,
look-alike letters, leetspeak and case folded away, so "حملة" and "حمله", or a copy with
tatweel, are the same word). Two texts' Jaccard similarity over those shingles is estimated
by the share of the 128 MinHash values they agree on (standard error at most 0.045); a
comment joins a group when that share is at least SIMILARITY (0.8) against the group's
signature. Candidates are found by locality-sensitive hashing: the first 32 values cut into
8 bands of 4, and any band equal to one of a group's makes the group a candidate (texts with
a similarity of 0.8 share a band with probability 1 - (1 - 0.8^4)^8 ≈ 0.985, of 0.9 with
0.9995; of 0.5, 1 - (1 - 0.5^4)^8 ≈ 0.40, and the estimate then turns most of those away).
Eight bands rather than sixteen halve what each comment writes (a band is a field of a
site's hash and a member of its time index), the larger part of grouping's cost.

Written here, on numpy and zlib, rather than with `datasketch`: that package's MinHash
updates shingle by shingle in Python, and its LSH keeps buckets under key names of its own,
which could neither carry the site's hash tag (one slot per site on a Redis Cluster) nor join
a group inside the intake's one script.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from hakam.model.normalize import Normalized, normalize

PERMUTATIONS = 128
BANDS = 8
ROWS = 4  # BANDS * ROWS values of the signature are banded; all PERMUTATIONS are compared
SIMILARITY = 0.8  # estimated Jaccard similarity a comment needs to join a group
MIN_AUTHORS = 3  # different authors before a group is shown as a campaign
MIN_WORDS = 5  # shorter texts are too common to be told apart from a campaign
WINDOW_SECONDS = 24 * 3600  # a comment joins a group only if a similar one came this recently

_SHIFT = np.uint64(32)
# Fixed, so that every worker and instance computes the same fingerprint for the same text.
_rng = np.random.Generator(np.random.PCG64(20261206))
_A = _rng.integers(1, 1 << 63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd
_B = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Fingerprint:
    signature: str  # PERMUTATIONS values, 8 hex digits each
    bands: tuple[str, ...]  # "<band>:<hash>", one per band

    def similarity(self, other: Fingerprint) -> float:
        return similarity(self.signature, other.signature)


def shingles(text: str, normalized: Normalized | None = None) -> set[str]:
    """The words of the normalised text and the pairs of neighbouring words: words alone keep
    a campaign's copy with a word added, dropped or moved close to its text (one word added to
    twelve: 0.85), pairs keep texts made of the same common words apart. Empty for a text of
    fewer than MIN_WORDS words: "شكرا على المقال" from three readers is no campaign.

    `normalized`: the text as the scorer normalised it (the normaliser is half a fingerprint's
    cost, so intake makes it once). The fingerprint reads `normalize(text)`, with no domain
    trusted, so that one text has one fingerprint on every post of every site: a form that
    left a trusted link out (`cited`) is not that, and the text is normalised again; one that
    left none out is the very same (trust changes nothing else)."""
    if normalized is None or normalized.cited:
        normalized = normalize(text)
    words = _WORD.findall(normalized.text)
    if len(words) < MIN_WORDS:
        return set()
    return set(words) | {f"{first} {second}"
                         for first, second in zip(words, words[1:], strict=False)}


def fingerprint(text: str, normalized: Normalized | None = None) -> Fingerprint | None:
    """The text's MinHash fingerprint; None for a text too short to compare. `normalized`:
    the text normalised already, as `shingles` takes it."""
    found = shingles(text, normalized)
    if not found:
        return None
    # CRC-32 names each shingle (stable across processes, unlike hash()); each permutation is
    # then a multiply-shift hash, the high 32 bits of a * x + b modulo 2^64 (numpy wraps).
    hashed = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in found), dtype=np.uint64,
                         count=len(found))
    values = ((np.outer(hashed, _A) + _B) >> _SHIFT).min(axis=0).astype(">u4")
    return from_signature(values.tobytes().hex())


def from_signature(signature: str) -> Fingerprint:
    """The fingerprint a signature (as stored) stands for, its bands computed again."""
    raw = bytes.fromhex(signature)
    width = ROWS * 4
    # a band is named by its values' CRC-32: a collision only makes a candidate, which the
    # similarity check then turns away
    bands = tuple(f"{band}:{zlib.crc32(raw[band * width:(band + 1) * width]):08x}"
                  for band in range(BANDS))
    return Fingerprint(signature, bands)


def similarity(first: str, second: str) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    a = np.frombuffer(bytes.fromhex(first), dtype=">u4")
    b = np.frombuffer(bytes.fromhex(second), dtype=">u4")
    return float(np.count_nonzero(a == b)) / PERMUTATIONS
