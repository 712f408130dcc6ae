"""The one interface the service scores through: `Scorer.load()` and `scorer.score(text)`.

The scorer is the trained scikit-learn pipeline compiled into a table of rows (idf, spam weight,
abuse weight) per n-gram; scoring one comment counts its n-grams, applies sublinear tf × idf and
the l2 norm, takes the two dot products and the Platt sigmoid. This gives the pipeline's
probabilities (to ~1e-12) without scikit-learn's per-call overhead. It never imports
scikit-learn or anything from hakam.training.

A comment has a few hundred character n-grams and a few dozen word n-grams, a size at which
the cost is the count of numpy calls, of Python operations and of cache misses, not arithmetic
(in the service, Flask, pydantic and Redis work between two comments evicts the caches, which
makes every one of them dearer): character n-grams of the words the model knows are looked up
at load and kept as bytes in the word n-gram dictionary, so a comment's words cost one
dictionary lookup each for both kinds of n-gram; the other words' n-grams are hashed with one
matmul and found in a bucketed hash table (one cache line each); all are counted by runs of
the sorted indexes and scored with a dozen vector operations; word n-grams are scored with
plain Python floats.

Which model `Scorer.load(path=None)` loads:
1. `path` when given (a model directory or its `model.joblib`; the service passes HAKAM_MODEL);
2. else the active model named by `<data dir>/active-model` (written by `hakam model promote`;
   data dir = HAKAM_DATA_DIR, default the platform's user data dir for "hakam");
3. else the model shipped inside the package, `hakam/model/artifact/`.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter, mul
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np

from .adapter import Adapter, SiteColumns
from .attributes import unscored
from .features import (
    fold_repeats,
    folded_word_grams,
    padded_words,
    scaled_powers,
    side_signals,
    term_hashes,
    without_spans,
    word_candidate_hashes,
    word_char_gram_hashes,
    word_spans,
)
from .normalize import normalize, trusted_set
from .thresholds import Thresholds

ARTIFACT_DIR = Path(__file__).parent / "artifact"
MODEL_FILE = "model.joblib"
ACTIVE_MODEL_FILE = "active-model"
FORMAT = 1
TOP_TERMS = 3  # n-grams named per head in an explanation
# Words named (and spans given) per explanation: a comment repeating one word throughout would
# otherwise get an answer, and a stored record, twenty times its own size.
MAX_SPANS = 100


@dataclass(frozen=True)
class Reason:
    """Why a head scored as it did: `spans` are [start, end) offsets into the original text."""

    code: str
    message: str
    spans: tuple[tuple[int, int], ...] = ()
    task: str = ""
    weight: float = 0.0


@dataclass(frozen=True)
class Score:
    spam: float
    abuse: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    # [start, end) of each link to a trusted domain, scored as a citation (left out)
    cited: tuple[tuple[int, int], ...] = ()
    # Every name of ATTRIBUTES: its probability, or None where the model has no head for it
    # or its head does not read the comment's language (ATTRIBUTE_LANGUAGES)
    attributes: Mapping[str, float | None] = field(default_factory=unscored, hash=False)


class Features(NamedTuple):
    """A comment's features as the model sees them (`Scorer.features`)."""

    indexes: np.ndarray  # int64 feature indexes, character n-grams then word n-grams
    values: np.ndarray  # their l2-normalised tf × idf
    side: tuple[float, ...]  # the spam head's side signals
    spam: float  # both heads' decision values (log-odds before Platt scaling)
    abuse: float


def data_dir() -> Path:
    """HAKAM_DATA_DIR, else the platform's user data dir (the same rule as service/config.py)."""
    if os.environ.get("HAKAM_DATA_DIR"):
        return Path(os.environ["HAKAM_DATA_DIR"])
    import platformdirs

    return Path(platformdirs.user_data_dir("hakam", appauthor=False))


def resolve_model_path(path: str | os.PathLike | None = None) -> Path:
    """The model file `Scorer.load(path)` would read (see the module docstring for the order)."""
    if path is None:
        pointer = data_dir() / ACTIVE_MODEL_FILE
        if pointer.is_file():
            target = pointer.read_text(encoding="utf-8").strip()
            if target:
                path = target
    candidate = Path(path) if path is not None else ARTIFACT_DIR
    if candidate.is_dir():
        candidate = candidate / MODEL_FILE
    if not candidate.is_file():
        raise FileNotFoundError(f"no model at {candidate}")
    return candidate


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


_MESSAGES = {
    "spam": "These words and signs often appear in spam: {terms}.",
    "abuse": "These words often appear in abusive comments: {terms}.",
}


def vocabulary_list(part: dict) -> list[str]:
    """A vectoriser's n-grams in feature order (stored as one newline-joined string)."""
    vocabulary = part["vocabulary"]
    if isinstance(vocabulary, str):
        return vocabulary.split("\n") if vocabulary else []
    return list(vocabulary)


def _known_word_features(words: list[str], char_hashes: np.ndarray) -> dict[str, bytes]:
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
    features = order[places[found]].astype(np.uint64)  # the dtype _CharTable.find gives
    bounds = np.searchsorted(owners[found], np.arange(len(words) + 1)).tolist()
    return {word: features[bounds[k]:bounds[k + 1]].tobytes() for k, word in enumerate(words)}


class _CharPart(NamedTuple):
    """A comment's character n-grams: feature indexes (each once), their tf × idf before the l2
    norm, their table rows (idf, spam weight, abuse weight), 1 / norm, and both heads' sums."""

    indexes: np.ndarray
    values: np.ndarray
    rows: np.ndarray
    scale: float
    spam: float
    abuse: float


_HEADS = np.arange(2)


def _char_tops(char: _CharPart) -> tuple[list[tuple[int, float]], ...]:
    """For each head (spam, abuse), the TOP_TERMS character n-grams that pushed it most and
    their pushes, found for both heads at once (the cost is per numpy call). With a site's
    columns the rows hold the site's weights, so the pushes are the site's."""
    # whole rows: a product of contiguous arrays costs half one of a two-column slice
    pushes = (char.rows * char.values[:, None])[:, 1:]
    if len(pushes) > TOP_TERMS:
        top = pushes.argpartition(-TOP_TERMS, axis=0)[-TOP_TERMS:]
        pushes = pushes[top, _HEADS]
        indexes = char.indexes.take(top).tolist()
    else:
        indexes = [[index, index] for index in char.indexes.tolist()]
    scale = char.scale
    tops = ([], [])
    for pair, push in zip(indexes, pushes.tolist(), strict=True):
        tops[0].append((pair[0], push[0] * scale))
        tops[1].append((pair[1], push[1] * scale))
    return tops


def _top_pushes(column: int, char_top: list[tuple[int, float]],
                words: list[tuple[int, float, float]]) -> list[tuple[int, float]]:
    """The TOP_TERMS features that pushed a head (0 spam, 1 abuse) up most, strongest first."""
    push = column + 1
    candidates = [pair for pair in char_top if pair[1] > 0]
    candidates += [(word[0], word[push]) for word in words if word[push] > 0]
    candidates.sort(key=itemgetter(1), reverse=True)  # stable, like sorting by -push
    return candidates[:TOP_TERMS]


class _WordPlaces(NamedTuple):
    """A comment's whitespace-separated words, to name the ones holding an n-gram: `joined` is
    the folded words, each padded with a space, laid end to end (as their n-grams were cut),
    and `spans[k]` is word k's [start, end) in the normalised text (folding never moves a
    space, so the words line up)."""

    joined: str
    spans: list[tuple[int, int]]


def _word_places(normalized: str, folded: str) -> _WordPlaces:
    return _WordPlaces(padded_words(folded.split()), word_spans(normalized))


def _holding(joined: str, needles: list[str], limit: int = MAX_SPANS) -> list[int]:
    """The first `limit` words (their positions, ascending) of `_WordPlaces.joined` holding any
    of these n-grams or words: one search of the joined words per needle, where testing every
    padded word cost a search per word. A needle found there lies inside one padded word,
    since crossing into the next would take two spaces in a row, which no n-gram of a
    vocabulary holds; and the padded word it starts in is the last one starting at or before
    it (found by bisection: counting the two spaces between words up to each find made a word
    repeated throughout a long comment cost quadratic time). Each needle is looked for until
    it has named `limit` words: the first `limit` of all are among those."""
    holding: set[int] = set()
    starts = None
    for needle in needles:
        at = joined.find(needle)
        if at >= 0 and starts is None:
            # padded word k starts where the k-th pair of spaces ends (word 0 at 0)
            starts = [0, *(match.end() - 1 for match in _TWO_SPACES.finditer(joined))]
        named: set[int] = set()
        while at >= 0 and len(named) < limit:
            word = bisect_right(starts, at) - 1
            named.add(word)
            # the rest of this padded word can name no other word
            at = joined.find(needle, max(at + 1, starts[word + 1] if word + 1 < len(starts)
                                         else len(joined)))
        holding |= named
    return sorted(holding)[:limit]


_TWO_SPACES = re.compile("  ")


class _CharTable:
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


class Scorer:
    """Scores comments for spam and abuse with a compiled model (see `hakam.training.compile`)."""

    def __init__(self, model: dict, version: str, path: Path | None = None) -> None:
        if model.get("format") != FORMAT:
            raise ValueError(f"model format {model.get('format')!r} is not {FORMAT}")
        self.version = version
        self.path = path
        self.metadata: dict = model.get("metadata", {})
        self.thresholds = Thresholds(**model["thresholds"])
        # the ATTRIBUTES this model has heads for (format 1: none, so every one scores None)
        self.attribute_heads: frozenset[str] = frozenset()
        char, word = model["char"], model["word"]
        char_terms, word_terms = vocabulary_list(char), vocabulary_list(word)
        self._char_size = len(char_terms)
        # One index space: char n-grams first, then word n-grams, then one all-zero slot that
        # every unknown n-gram maps to (it adds nothing to a norm or a dot product).
        self._terms = char_terms + word_terms
        self._missing = len(self._terms)
        char_hashes = term_hashes(char_terms)
        self._char_table = _CharTable(char_hashes, self._missing)
        # one row per feature: idf, spam weight, abuse weight (one gather per comment), and an
        # all-zero row last for every n-gram outside the vocabulary
        self._table = np.column_stack([
            np.concatenate([char["idf"], word["idf"], [0.0]]),
            np.concatenate([char["spam"], word["spam"], [0.0]]),
            np.concatenate([char["abuse"], word["abuse"], [0.0]]),
        ])
        # word n-gram -> (feature index, idf, spam weight, abuse weight) as Python numbers: a
        # comment has a handful in the vocabulary, and plain arithmetic on a handful beats
        # numpy's cost per call. A single word's entry also holds its character n-gram
        # features: the character part looks its words up in this same dictionary, so the word
        # part then finds the same entries in cache (two dictionaries cost two misses a word).
        # A word that folding would change is never looked up, and does no harm.
        unigrams = [term for term in word_terms if " " not in term]
        char_features = _known_word_features(unigrams, char_hashes)
        self._words = {term: (index, *row, char_features.get(term))
                       for index, (term, row) in enumerate(
                           zip(word_terms, self._table[self._char_size:-1].tolist(),
                               strict=True), start=self._char_size)}
        self._side = [float(weight) for weight in model["side"]["spam"]]
        self._intercept = (float(model["intercept"]["spam"]), float(model["intercept"]["abuse"]))
        self._platt = {task: tuple(map(float, model["platt"][task])) for task in ("spam", "abuse")}

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Scorer:
        model_file = resolve_model_path(path)
        raw = model_file.read_bytes()
        version = hashlib.sha256(raw).hexdigest()[:16]
        return cls(joblib.load(model_file), version=version, path=model_file)

    # -- scoring ---------------------------------------------------------------------------
    # A comment has a few hundred character n-grams and a few dozen word n-grams; at that size
    # the cost is the number of numpy calls, not arithmetic. So character n-grams go through a
    # dozen vector operations in all and word n-grams through plain Python floats.

    def _char_rows(self, folded: str, table: np.ndarray):
        """A comment's character n-gram features (each once), their tf × idf before the l2
        norm and their rows of `table`; None when it has none."""
        # Most words of a comment are words the model knows, whose character n-gram features
        # were found at load; only the others are hashed and looked up.
        known = self._words.get
        pieces = []
        unknown = []
        for word in folded.split():
            entry = known(word)
            if entry is None:
                unknown.append(word)
            else:
                pieces.append(entry[4])  # its character n-gram features
        if unknown:
            pieces.append(self._char_table.find(unknown).tobytes())
        # a bytearray, so the array is writable and sorts in place (for the counting below)
        found = np.frombuffer(bytearray().join(pieces), dtype=np.uint64)
        found.sort()
        count = len(found)
        if not count:
            return None
        # counting: sorted, each run of one feature is its count
        edges = np.empty(count + 1, dtype=bool)
        edges[0] = edges[count] = True
        np.not_equal(found[1:], found[:-1], out=edges[1:count])
        starts = edges.nonzero()[0]
        if len(starts) == count + 1:  # every n-gram once: tf is 1
            indexes = found
            rows = table.take(indexes, axis=0)
            values = rows[:, 0]
        else:
            indexes = found.take(starts[:-1])
            rows = table.take(indexes, axis=0)
            # sublinear tf × idf, as TfidfVectorizer does
            values = np.log(starts[1:] - starts[:-1])
            values += 1.0
            values *= rows[:, 0]
        return indexes, values, rows

    def _char_part(self, folded: str, table: np.ndarray | None = None) -> _CharPart | None:
        """`table`: a site's columns (SiteColumns.table) in place of the shipped ones."""
        counted = self._char_rows(folded, self._table if table is None else table)
        if counted is None:
            return None
        indexes, values, rows = counted
        squares = float(values @ values)
        scale = 1.0 / math.sqrt(squares) if squares else 1.0  # the l2 norm
        spam, abuse = (values @ rows[:, 1:]).tolist()
        return _CharPart(indexes, values, rows, scale, spam * scale, abuse * scale)

    def _word_values(self, folded: str) -> tuple[list[tuple[int, float, float, float]], float]:
        """(feature index, tf × idf before the l2 norm, spam weight, abuse weight) of each word
        n-gram in the vocabulary, and 1 / their norm."""
        words = self._words
        # counted by n-gram, not by row: a string keeps its hash, a row's tuple would rehash
        counts = Counter(filter(words.__contains__, folded_word_grams(folded)))
        grams = []
        squares = 0.0
        for gram, count in counts.items():
            index, value, spam, abuse, _ = words[gram]
            # value: idf until tf multiplies it
            if count > 1:
                value *= 1.0 + math.log(count)
            squares += value * value
            grams.append((index, value, spam, abuse))
        return grams, 1.0 / math.sqrt(squares) if squares else 1.0

    def _word_part(self, folded: str, site: SiteColumns | None = None
                   ) -> list[tuple[int, float, float]]:
        """(feature index, spam push, abuse push) of each word n-gram in the vocabulary; with a
        site's columns, the adapted pushes (beta × the shipped one, plus the site's own)."""
        grams, scale = self._word_values(folded)
        if site is None:
            return [(index, value * spam * scale, value * abuse * scale)
                    for index, value, spam, abuse in grams]
        beta_spam, beta_abuse = site.beta
        rho = site.words.get
        pushes = []
        for index, value, spam, abuse in grams:
            own = rho(index)
            if own is None:
                pushes.append((index, value * beta_spam * spam * scale,
                               value * beta_abuse * abuse * scale))
            else:
                pushes.append((index, value * (beta_spam * spam + own[0]) * scale,
                               value * (beta_abuse * abuse + own[1]) * scale))
        return pushes

    def _evaluate(self, text: str, trusted: frozenset[str] = frozenset(),
                  site: SiteColumns | None = None):
        norm = normalize(text, trusted_domains=trusted)
        # the normaliser keeps doubled letters; features fold them, once here for both kinds
        # (fold_repeats is idempotent, so the n-grams are those of char_grams and word_grams)
        folded = fold_repeats(norm.text)
        if site is None:
            char = self._char_part(folded)
            words = self._word_part(folded)
            spam, abuse = self._intercept
            side = self._side
        else:
            char = self._char_part(folded, site.table)
            words = self._word_part(folded, site)
            spam, abuse = site.intercept
            side = site.side
        if char is not None:
            spam += char.spam
            abuse += char.abuse
        for _, spam_push, abuse_push in words:
            spam += spam_push
            abuse += abuse_push
        # a cited link is out of the signals as it is out of the n-grams
        spam += sum(map(mul, side, side_signals(without_spans(text, norm.cited))))
        return spam, abuse, char, words, norm, folded

    def decision_values(self, text: str, *, trusted_domains=(),
                        site: SiteColumns | None = None) -> tuple[float, float]:
        """Uncalibrated log-odds of both heads (spam, abuse), the site's with its columns."""
        spam, abuse, *_ = self._evaluate(text, trusted_set(trusted_domains), site)
        return spam, abuse

    def _probability(self, task: str, value: float) -> float:
        slope, offset = self._platt[task]
        return _sigmoid(-(slope * value + offset))

    def logit(self, task: str, value: float) -> float:
        """The log-odds of a head's probability for its decision value (Platt's line)."""
        slope, offset = self._platt[task]
        return -(slope * value + offset)

    def score(self, text: str, *, explain_all: bool = False, trusted_domains=(),
              site: SiteColumns | None = None) -> Score:
        """Both probabilities, and a reason for each head whose score reaches its hold
        threshold (the n-grams that pushed it most, as spans of `text`). A head below its
        threshold gets no reason, since "these words suggest abuse" would mislead on a clean
        comment; `explain_all=True` explains every head that any n-gram pushed up.

        `trusted_domains`: domains the site trusts (its own, the sources its readers cite).
        A link to one of them (or a subdomain) is scored as what it is, a citation: it is
        left out of the n-grams and the side signals, so it adds no spam weight, and its span
        is listed in `Score.cited`. Other links count as they always do.

        `site`: a site's adapter compiled by `compile_adapter`: the probabilities are the
        site's, and the words named are those behind the site's score."""
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        spam_value, abuse_value, char, words, norm, folded = self._evaluate(
            text, trusted_set(trusted_domains), site)
        spam = self._probability("spam", spam_value)
        abuse = self._probability("abuse", abuse_value)
        abuse_hold = self.thresholds.abuse_hold
        if site is not None and site.abuse_hold is not None:
            abuse_hold = site.abuse_hold
        reasons = []
        places = None
        char_tops = None
        for column, task, probability, threshold in (
                (0, "spam", spam, self.thresholds.spam_hold),
                (1, "abuse", abuse, abuse_hold)):
            if not explain_all and probability <= threshold:
                continue
            if char_tops is None:
                char_tops = _char_tops(char) if char is not None else ([], [])
            chosen = _top_pushes(column, char_tops[column], words)
            if chosen:
                if places is None:
                    places = _word_places(norm.text, folded)
                reasons.append(self._reason(task, chosen, text, norm, places))
        # a format-1 model has no attribute heads
        return Score(spam=spam, abuse=abuse, reasons=tuple(reasons), cited=norm.cited,
                     attributes=unscored())

    # -- the features an adapter learns from, and adapters compiled -------------------------

    def features(self, text: str, *, trusted_domains=()) -> Features:
        """What the model sees in `text`: its character and word n-gram features (indexes into
        one space, character n-grams first, each kind l2-normalised as the vectorisers do),
        the side signals, and both heads' decision values."""
        norm = normalize(text, trusted_domains=trusted_set(trusted_domains))
        folded = fold_repeats(norm.text)
        char = self._char_part(folded)
        grams, scale = self._word_values(folded)
        spam, abuse = self._intercept
        indexes: list[np.ndarray] = []
        values: list[np.ndarray] = []
        if char is not None:
            keep = char.indexes != self._missing  # the all-zero slot of unknown n-grams
            indexes.append(char.indexes[keep].astype(np.int64))
            values.append(char.values[keep] * char.scale)
            spam += char.spam
            abuse += char.abuse
        if grams:
            indexes.append(np.array([gram[0] for gram in grams], dtype=np.int64))
            values.append(np.array([gram[1] * scale for gram in grams]))
            for _, value, spam_weight, abuse_weight in grams:
                spam += value * spam_weight * scale
                abuse += value * abuse_weight * scale
        side = side_signals(without_spans(text, norm.cited))
        spam += sum(map(mul, self._side, side))
        return Features(
            np.concatenate(indexes) if indexes else np.empty(0, dtype=np.int64),
            np.concatenate(values) if values else np.empty(0), side, spam, abuse)

    @property
    def feature_count(self) -> int:
        """How many n-gram features there are (the indexes `features` gives are below it)."""
        return self._missing

    def compile_adapter(self, adapter: Adapter) -> SiteColumns:
        """A site's adapter as columns beside this model's (see `SiteColumns`); refuses one
        fitted on another base model, whose weights would mean nothing here."""
        if adapter.base_version != self.version:
            raise ValueError(f"adapter {adapter.version} was fitted on model "
                             f"{adapter.base_version}, not on {self.version}")
        rho = np.zeros((len(self._table), 2))
        beta = [1.0, 1.0]
        intercept = list(self._intercept)
        side = list(self._side)
        table = self._table.copy()
        for column, task in enumerate(("spam", "abuse")):
            head = adapter.heads.get(task)
            if head is None:
                continue
            if len(head.indexes) and (head.indexes.min() < 0
                                      or head.indexes.max() >= self._missing):
                raise ValueError(f"adapter {adapter.version} names features this model lacks")
            slope, offset = self._platt[task]
            # logit = -(slope f + offset); the adapter's logit alpha + beta·logit + w·x is
            # -(slope f' + offset) for f' = beta f + x·w/(-slope) + gamma:
            rho[head.indexes, column] = head.weights / -slope
            gamma = (head.alpha - head.beta * offset + offset) / -slope
            beta[column] = head.beta
            intercept[column] = head.beta * self._intercept[column] + gamma
            # the site's column: beta × the shipped weight, plus the site's own
            table[:, 1 + column] *= head.beta
            table[:, 1 + column] += rho[:, column]
            if task == "spam":
                own = head.side or (0.0,) * len(side)
                side = [head.beta * weight + extra / -slope
                        for weight, extra in zip(self._side, own, strict=True)]
        word_rows = np.flatnonzero(rho[self._char_size:self._missing].any(axis=1))
        words = {int(index) + self._char_size: (float(rho[index + self._char_size, 0]),
                                                float(rho[index + self._char_size, 1]))
                 for index in word_rows}
        return SiteColumns(version=adapter.version, base_version=self.version, table=table,
                           words=words, side=tuple(side), beta=(beta[0], beta[1]),
                           intercept=(intercept[0], intercept[1]),
                           abuse_hold=adapter.abuse_hold)

    def score_many(self, texts: Iterable[str], *, explain_all: bool = False,
                   trusted_domains=()) -> list[Score]:
        return [self.score(text, explain_all=explain_all, trusted_domains=trusted_domains)
                for text in texts]

    # -- explanations ----------------------------------------------------------------------

    def _reason(self, task: str, chosen: list[tuple[int, float]], text: str, norm,
                places: _WordPlaces) -> Reason:
        needles = []  # what a word must hold to be named: an n-gram, or either word of a bigram
        for index, _ in chosen:
            term = self._terms[index]
            if index < self._char_size:
                needles.append(term)
            else:
                needles.extend(term.split(" ", 1))
        spans = places.spans
        merged = _merge([norm.original_span(*spans[word])
                         for word in _holding(places.joined, needles)
                         if word < len(spans)])
        terms = ", ".join(f"“{text[s:e]}”" for s, e in merged) or "(signals without words)"
        return Reason(code=f"{task}_terms", message=_MESSAGES[task].format(terms=terms),
                      spans=merged, task=task, weight=round(sum(w for _, w in chosen), 4))
