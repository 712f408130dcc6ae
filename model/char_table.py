"""Character n-gram hash -> feature index, for the compiled scorer (see `_CharTable`), and
each known word's character n-gram features found once at load (`known_word_features`).
Owns the bucketed hash table's layout; scoring and explanations are scorer.py's and
explanations.py's."""

from __future__ import annotations

import numpy as np

from .features import scaled_powers, word_candidate_hashes, word_char_gram_hashes


def known_word_features(words: list[str], char_hashes: np.ndarray) -> dict[str, bytes]:
    """Each word's character n-gram features (as often as the n-gram occurs in it), for
    folded words without whitespace: the words of the word vocabulary, about three in four of
    the words a comment holds. Found with one sorted search over all of them at load.

    Each word's features are the raw bytes of its uint64 indexes: a comment's pieces become
    one array with one `bytes.join` and no numpy call per word, and a bytes object keeps its
    data beside its header (one cache miss, where a numpy view cost two or three)."""
    hashes, owners = word_char_gram_hashes(words)
    order = np.argsort(char_hashes)
    ordered = char_hashes[order]
    places = np.minimum(np.searchsorted(ordered, hashes), max(len(ordered) - 1, 0))
    found = ordered[places] == hashes if len(ordered) else np.zeros(len(hashes), dtype=bool)
    features = order[places[found]].astype(np.uint64)  # the dtype CharTable.find gives
    bounds = np.searchsorted(owners[found], np.arange(len(words) + 1)).tolist()
    return {word: features[bounds[k]:bounds[k + 1]].tobytes() for k, word in enumerate(words)}


class CharTable:
    """Character n-gram hash -> feature index, as a bucketed hash table in one numpy array, so a
    comment's few hundred hashes are found with a handful of vector operations touching one
    cache line each (a binary search over the sorted hashes touched a dozen, and sorting the
    queries first cost as much again).

    Bucket = the top `bits` bits of the hash times an odd constant (the polynomial hash's own
    top bits cluster; the constant is folded into the hash's powers, so the product costs
    nothing); each entry packs the low bits of that product (all those below the bucket, so a
    match is an exact match of the whole hash) above the feature index, filling the 64 bits,
    so one XOR and one comparison test a whole bucket. Empty entries hold check 0 and the
    all-zero feature, so an accidental match with one adds nothing. A bucket holds as many
    entries as the fullest one needs: 7 at 150,000 n-grams in 2**18 buckets, 14.7 MB, mostly
    empty. A compact layout (bucket offsets, then the products sorted by bucket and their
    feature indexes, 2.3-2.8 MB, read as a window as wide as the fullest bucket) was measured
    slower, alone and with 20 MB of other memory read between comments: its lookup takes more
    vector operations, and only the few unknown words of a comment come here."""

    _MIX = np.uint64(0xD6E8FEB86659FD93)

    def __init__(self, hashes: np.ndarray, zero_feature: int, bits: int = 18) -> None:
        ordered = np.sort(hashes)
        if (ordered[1:] == ordered[:-1]).any():
            raise ValueError("two character n-grams of this vocabulary share a hash")
        # the check is the product's bits the index leaves room for, which must include all
        # those below the bucket (some of the bucket's own too when it has more bits)
        index_bits = max(int(zero_feature).bit_length(), 1)
        bits = max(bits, index_bits)
        self._shift = np.uint64(64 - bits)
        self._index_bits = np.uint64(index_bits)
        self._index_limit = np.uint64(1 << index_bits)
        check_mask = np.uint64((1 << (64 - index_bits)) - 1)
        self._powers = scaled_powers(self._MIX)
        mixed = hashes * self._MIX
        buckets = (mixed >> self._shift).astype(np.intp)
        order = np.argsort(buckets, kind="stable")
        buckets = buckets[order]
        sizes = np.bincount(buckets, minlength=1 << bits)
        column = np.arange(len(order)) - (np.cumsum(sizes) - sizes)[buckets]
        self._entries = np.full((1 << bits, max(int(sizes.max()), 1)), zero_feature,
                                dtype=np.uint64)
        self._entries[buckets, column] = ((mixed[order] & check_mask) << self._index_bits
                                          | order.astype(np.uint64))

    def find(self, words: list[str]) -> np.ndarray:
        """Feature index of every character n-gram of these folded words found, as often as it
        occurs (an unsorted uint64 array, which may hold the all-zero feature)."""
        mixed = word_candidate_hashes(words, self._powers)  # each hash times _MIX
        # `take` gathers rows several times faster than indexing with an array does
        entries = self._entries.take(mixed >> self._shift, axis=0)
        # check and index bits fill the 64 bits, so shifting the product up by the index bits
        # leaves exactly the check, and an entry XOR it is below 2**index_bits (and is the
        # feature index) just when their checks agree: two vector operations fewer
        entries ^= (mixed << self._index_bits)[:, None]
        return entries[entries < self._index_limit]
