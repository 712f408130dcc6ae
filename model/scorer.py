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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np

from .adapter import Adapter, SiteColumns
from .attributes import ATTRIBUTES, unscored
from .char_table import CharTable, known_word_features
from .explanations import (
    MAX_SPANS,
    TOP_TERMS,
    Reason,
    attribute_pushes,
    char_tops,
    reason,
    top_pushes,
    word_places,
)
from .features import (
    fold_repeats,
    folded_word_grams,
    side_signals,
    term_hashes,
    without_spans,
)
from .language import language_of
from .normalize import Normalized, normalize, trusted_set
from .thresholds import Thresholds

ARTIFACT_DIR = Path(__file__).parent / "artifact"
MODEL_FILE = "model.joblib"
ACTIVE_MODEL_FILE = "active-model"
# re-exported: the service limits stored spans by it, callers name Reason from here
__all__ = ["MAX_SPANS", "TOP_TERMS", "Features", "Reason", "Score", "Scorer"]
# 2: attribute heads beside spam and abuse (`attributes`: name -> languages it reads, and a
# weight array per head in `char` and `word`); format 1 (no attribute heads) still loads.
# 3: `language_offset` (head -> language -> offset of its decision value); a scorer that
# ignored it would score English comments on the wrong line, so format 2 readers refuse it
FORMAT = 3
READABLE_FORMATS = (1, 2, 3)


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


def vocabulary_list(part: dict) -> list[str]:
    """A vectoriser's n-grams in feature order (stored as one newline-joined string)."""
    vocabulary = part["vocabulary"]
    if isinstance(vocabulary, str):
        return vocabulary.split("\n") if vocabulary else []
    return list(vocabulary)


class _CharPart(NamedTuple):
    """A comment's character n-grams: feature indexes (each once), their tf × idf before the l2
    norm, their table rows (idf, spam weight, abuse weight), 1 / norm, and both heads' sums."""

    indexes: np.ndarray
    values: np.ndarray
    rows: np.ndarray
    scale: float
    spam: float
    abuse: float


class _Evaluation(NamedTuple):
    """One comment seen by the model (`Scorer._evaluate`): both heads' decision values, the
    character part, the word pushes, the normal form, and what the attribute heads and
    `features` reuse (word n-grams with their tf × idf and 1 / norm, side signals)."""

    spam: float
    abuse: float
    char: _CharPart | None
    words: list
    norm: object
    folded: str
    grams: list
    scale: float
    signals: tuple


class Scorer:
    """Scores comments for spam and abuse with a compiled model (see `hakam.training.compile`)."""

    def __init__(self, model: dict, version: str, path: Path | None = None) -> None:
        if model.get("format") not in READABLE_FORMATS:
            raise ValueError(f"model format {model.get('format')!r} is not one of "
                             f"{READABLE_FORMATS}")
        self.version = version
        self.path = path
        self.metadata: dict = model.get("metadata", {})
        self.thresholds = Thresholds(**model["thresholds"])
        char, word = model["char"], model["word"]
        # the ATTRIBUTES this model has heads for (format 1: none, so every one scores None),
        # in ATTRIBUTES order, and the languages each reads
        heads = model.get("attributes") or {}
        self._attributes = tuple(name for name in ATTRIBUTES if name in heads)
        self.attribute_heads: frozenset[str] = frozenset(self._attributes)
        self._attribute_languages = {name: frozenset(heads[name]) for name in self._attributes}
        char_terms, word_terms = vocabulary_list(char), vocabulary_list(word)
        self._char_size = len(char_terms)
        # One index space: char n-grams first, then word n-grams, then one all-zero slot that
        # every unknown n-gram maps to (it adds nothing to a norm or a dot product).
        self._terms = char_terms + word_terms
        self._missing = len(self._terms)
        char_hashes = term_hashes(char_terms)
        self._char_table = CharTable(char_hashes, self._missing)
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
        char_features = known_word_features(unigrams, char_hashes)
        self._words = {term: (index, *row, char_features.get(term))
                       for index, (term, row) in enumerate(
                           zip(word_terms, self._table[self._char_size:-1].tolist(),
                               strict=True), start=self._char_size)}
        self._side = [float(weight) for weight in model["side"]["spam"]]
        self._intercept = (float(model["intercept"]["spam"]), float(model["intercept"]["abuse"]))
        # added to the abuse decision value of a comment in that language (`language_of`):
        # where training put each language's hold line (hakam.training.train.language_offsets)
        self._abuse_offset = {language: float(offset) for language, offset
                              in model.get("language_offset", {}).get("abuse", {}).items()}
        self._platt = {task: tuple(map(float, model["platt"][task]))
                       for task in ("spam", "abuse", *self._attributes)}
        # the attribute heads' weights: one column per head, a row per feature as in _table
        # (kept apart so that spam, abuse and a site's columns stay as they were)
        self._attribute_table = np.column_stack([
            np.concatenate([char[name], word[name], [0.0]]) for name in self._attributes
        ]) if self._attributes else None
        self._attribute_intercept = np.array(
            [float(model["intercept"][name]) for name in self._attributes])

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

    @staticmethod
    def _word_part(grams: list[tuple[int, float, float, float]], scale: float,
                   site: SiteColumns | None = None) -> list[tuple[int, float, float]]:
        """(feature index, spam push, abuse push) of each word n-gram in the vocabulary (from
        `_word_values`); with a site's columns, the adapted pushes (beta × the shipped one,
        plus the site's own)."""
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
                  site: SiteColumns | None = None, norm: Normalized | None = None):
        if norm is None:
            norm = normalize(text, trusted_domains=trusted)
        # the normaliser keeps doubled letters; features fold them, once here for both kinds
        # (fold_repeats is idempotent, so the n-grams are those of char_grams and word_grams)
        folded = fold_repeats(norm.text)
        grams, scale = self._word_values(folded)
        if site is None:
            char = self._char_part(folded)
            words = self._word_part(grams, scale)
            spam, abuse = self._intercept
            side = self._side
        else:
            char = self._char_part(folded, site.table)
            words = self._word_part(grams, scale, site)
            spam, abuse = site.intercept
            side = site.side
        if char is not None:
            spam += char.spam
            abuse += char.abuse
        for _, spam_push, abuse_push in words:
            spam += spam_push
            abuse += abuse_push
        if self._abuse_offset:
            # a site's decision value is beta × the shipped one plus its own
            abuse += self._abuse_offset.get(language_of(text), 0.0) * (
                1.0 if site is None else site.beta[1])
        # a cited link is out of the signals as it is out of the n-grams
        signals = side_signals(without_spans(text, norm.cited))
        spam += sum(map(mul, side, signals))
        return _Evaluation(spam, abuse, char, words, norm, folded, grams, scale, signals)

    def _probability(self, task: str, value: float) -> float:
        slope, offset = self._platt[task]
        return _sigmoid(-(slope * value + offset))

    def logit(self, task: str, value: float) -> float:
        """The log-odds of a head's probability for its decision value (Platt's line)."""
        slope, offset = self._platt[task]
        return -(slope * value + offset)

    def score(self, text: str, *, explain_all: bool = False, trusted_domains=(),
              site: SiteColumns | None = None, normalized: Normalized | None = None) -> Score:
        """Both probabilities, and a reason for each head whose score reaches its hold
        threshold (the n-grams that pushed it most, as spans of `text`). A head below its
        threshold gets no reason, since "these words suggest abuse" would mislead on a clean
        comment; `explain_all=True` explains every head that any n-gram pushed up.

        `trusted_domains`: domains the site trusts (its own, the sources its readers cite).
        A link to one of them (or a subdomain) is scored as what it is, a citation: it is
        left out of the n-grams and the side signals, so it adds no spam weight, and its span
        is listed in `Score.cited`. Other links count as they always do.

        `site`: a site's adapter compiled by `compile_adapter`: the probabilities are the
        site's, and the words named are those behind the site's score.

        `normalized`: `normalize(text, trusted_domains=trusted_set(trusted_domains))`, when the
        caller has it already (the intake path normalises a comment once for every reader of
        it); the score is the same, without normalising the text again."""
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        spam_value, abuse_value, char, words, norm, folded, grams, scale, _ = self._evaluate(
            text, trusted_set(trusted_domains), site, normalized)
        spam = self._probability("spam", spam_value)
        abuse = self._probability("abuse", abuse_value)
        abuse_hold = self.thresholds.abuse_hold
        if site is not None and site.abuse_hold is not None:
            abuse_hold = site.abuse_hold
        reasons = []
        places = None
        tops = None
        for column, task, probability, threshold in (
                (0, "spam", spam, self.thresholds.spam_hold),
                (1, "abuse", abuse, abuse_hold)):
            if not explain_all and probability <= threshold:
                continue
            if tops is None:
                tops = char_tops(char) if char is not None else ([], [])
            chosen = top_pushes(column, tops[column], words)
            if chosen:
                if places is None:
                    places = word_places(norm.text, folded)
                reasons.append(reason(task, chosen, text, norm, places, self._terms,
                                      self._char_size))
        attributes = unscored()
        if self._attributes:
            language = language_of(text)
            read = [k for k, name in enumerate(self._attributes)
                    if language in self._attribute_languages[name]]
            if read:
                pieces = self._attribute_pieces(char, grams, scale)
                values = self._attribute_intercept + sum(
                    piece[1] @ piece[2] for piece in pieces)
                for k in read:
                    name = self._attributes[k]
                    probability = self._probability(name, float(values[k]))
                    attributes[name] = probability
                    if not explain_all and probability <= self.thresholds.attribute_hold[name]:
                        continue
                    chosen = attribute_pushes(k, pieces)
                    if chosen:
                        if places is None:
                            places = word_places(norm.text, folded)
                        reasons.append(reason(name, chosen, text, norm, places,
                                              self._terms, self._char_size))
        return Score(spam=spam, abuse=abuse, reasons=tuple(reasons), cited=norm.cited,
                     attributes=attributes)

    def _attribute_pieces(self, char: _CharPart | None, grams, scale: float
                          ) -> list[tuple[list[int], np.ndarray, np.ndarray]]:
        """(feature indexes, l2-normalised tf × idf, attribute weight rows) of the comment's
        character and word n-grams: each attribute's sum is values @ rows, one matmul for all
        heads (the n-grams were counted once, for spam and abuse)."""
        table = self._attribute_table
        pieces = []
        if char is not None:
            pieces.append((char.indexes, char.values * char.scale,
                           table.take(char.indexes, axis=0)))
        if grams:
            indexes = [gram[0] for gram in grams]
            pieces.append((indexes, np.array([gram[1] for gram in grams]) * scale,
                           table.take(indexes, axis=0)))
        return pieces

    # -- the features an adapter learns from, and adapters compiled -------------------------

    def features(self, text: str, *, trusted_domains=()) -> Features:
        """What the model sees in `text`: its character and word n-gram features (indexes into
        one space, character n-grams first, each kind l2-normalised as the vectorisers do),
        the side signals, and both heads' decision values (those `score` computes)."""
        seen = self._evaluate(text, trusted_set(trusted_domains))
        char, grams, scale = seen.char, seen.grams, seen.scale
        indexes: list[np.ndarray] = []
        values: list[np.ndarray] = []
        if char is not None:
            keep = char.indexes != self._missing  # the all-zero slot of unknown n-grams
            indexes.append(char.indexes[keep].astype(np.int64))
            values.append(char.values[keep] * char.scale)
        if grams:
            indexes.append(np.array([gram[0] for gram in grams], dtype=np.int64))
            values.append(np.array([gram[1] * scale for gram in grams]))
        return Features(
            np.concatenate(indexes) if indexes else np.empty(0, dtype=np.int64),
            np.concatenate(values) if values else np.empty(0), seen.signals, seen.spam,
            seen.abuse)

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
