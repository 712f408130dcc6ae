"""The one interface the service scores through: `Scorer.load()` and `scorer.score(text)`.

The scorer is the trained scikit-learn pipeline compiled into a table of rows (idf, then the
weight of each head: spam, abuse and the attribute heads the model has) per n-gram; scoring one
comment counts its n-grams, applies sublinear tf × idf and the l2 norm, takes every head's dot
product at once and the Platt sigmoid. This gives the pipeline's probabilities (to ~1e-12)
without scikit-learn's per-call overhead. It never imports scikit-learn or anything from
hakam.training.

A comment has a few hundred character n-grams and a few dozen word n-grams, a size at which
the cost is the count of numpy calls, of Python operations and of cache misses, not arithmetic
(in the service, Flask, pydantic and Redis work between two comments evicts the caches, which
makes every one of them dearer): character n-grams of the words the model knows are looked up
at load and kept as bytes in the word n-gram dictionary, so a comment's words cost one
dictionary lookup each for both kinds of n-gram; the other words' n-grams are hashed with one
matmul and found in a bucketed hash table (one cache line each); word n-grams are features of
the same index space, found in the same dictionary; all are counted together by runs of the
sorted indexes, gathered with one `take` and scored, every head at once, with a dozen vector
operations (word n-grams scored apart, in plain Python floats, cost a Python operation per
n-gram and head, and a second pass to explain them). Explaining a head costs Python operations
per head, so whatever the heads can share is found once per comment (see explanations.py).

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
from .explanations import MAX_SPANS, TOP_TERMS, Reason, WordPlaces, quoted_words, top_features
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
# re-exported: the service limits stored spans by MAX_SPANS and quotes a reason's words with
# quoted_words; callers name Reason from here
__all__ = ["MAX_SPANS", "TOP_TERMS", "Features", "Reason", "Score", "Scorer", "quoted_words"]
# 2: attribute heads beside spam and abuse (`attributes`: name -> languages it reads, and a
# weight array per head in `char` and `word`); format 1 (no attribute heads) still loads.
# 3: `language_offset` (head -> language -> offset of its decision value); a scorer that
# ignored it would score English comments on the wrong line, so format 2 readers refuse it
# 4: the spam head's `links` side signal counts the words holding a link, not the matches of
# the link pattern (three in one full URL); a format 3 reader would count the old way
FORMAT = 4
READABLE_FORMATS = (1, 2, 3, 4)


def counts_links_per_word(model: dict) -> bool:
    """How a compiled model's spam head counts links in its side signals
    (`features.side_signals`): per word holding one since format 4, every match before."""
    return model["format"] >= 4


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


class _NGrams(NamedTuple):
    """A comment's n-grams in the vocabulary, each once, by feature index (character n-grams,
    then word n-grams, then perhaps the all-zero slot of unknown character n-grams): their
    sublinear tf × idf, each kind l2-normalised as its vectoriser does, and their table rows
    (idf, then a weight per head: `Scorer._heads`; a site's spam and abuse weights when it has
    columns)."""

    indexes: np.ndarray
    values: np.ndarray
    rows: np.ndarray


class _Evaluation(NamedTuple):
    """One comment seen by the model (`Scorer._evaluate`): every head's decision value (spam,
    abuse, and the attribute heads' in `Scorer._attributes` order), its n-grams, the normal
    form and the side signals, which explanations and `features` reuse."""

    spam: float
    abuse: float
    attributes: list[float]
    ngrams: _NGrams | None
    norm: Normalized
    folded: str
    signals: tuple
    # `language_of(text)`, when the model needs it (a language offset or attribute heads)
    language: str | None


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
        # every head's weights side by side, spam and abuse first: one gather of a comment's
        # rows and one product serve them all (a second table for the attribute heads cost a
        # second gather and product, and a pass per head to explain them)
        self._heads = ("spam", "abuse", *self._attributes)
        # one row per feature: idf, then each head's weight, and an all-zero row last for
        # every n-gram outside the vocabulary
        self._table = np.column_stack([
            np.concatenate([char[part], word[part], [0.0]]) for part in ("idf", *self._heads)
        ])
        # word n-gram -> (its character n-gram features, its own feature), each as the raw
        # bytes of uint64 feature indexes: a comment's n-grams of both kinds are found by one
        # lookup per word and counted, gathered and scored together (`_ngrams`). A single
        # word's character n-grams are there for the whitespace-separated words of a comment
        # the vocabulary knows (about three in four), so both kinds cost one dictionary (two
        # cost two cache misses a word); a word that folding would change is never looked up.
        unigrams = [term for term in word_terms if " " not in term]
        char_features = known_word_features(unigrams, char_hashes)
        self._words = {term: (char_features.get(term, b""), np.uint64(index).tobytes())
                       for index, term in enumerate(word_terms, start=self._char_size)}
        self._first_word = np.uint64(self._char_size)
        self._side = [float(weight) for weight in model["side"]["spam"]]
        # the side signals as this model was trained with them (features.side_signals)
        self._links_per_word = counts_links_per_word(model)
        self._intercepts = tuple(float(model["intercept"][head]) for head in self._heads)
        self._platt = {head: tuple(map(float, model["platt"][head])) for head in self._heads}
        # added to the abuse decision value of a comment in that language (`language_of`):
        # where training put each language's hold line (hakam.training.train.language_offsets)
        self._abuse_offset = {language: float(offset) for language, offset
                              in model.get("language_offset", {}).get("abuse", {}).items()}

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Scorer:
        model_file = resolve_model_path(path)
        raw = model_file.read_bytes()
        version = hashlib.sha256(raw).hexdigest()[:16]
        return cls(joblib.load(model_file), version=version, path=model_file)

    # -- scoring ---------------------------------------------------------------------------
    # A comment has a few hundred character n-grams and a few dozen word n-grams; at that size
    # the cost is the number of numpy calls, not arithmetic. So all of them go through a dozen
    # vector operations in all, whatever the number of heads (a wider row costs next to
    # nothing, a second gather or product per head a call each).

    def _ngrams(self, folded: str, site: SiteColumns | None = None) -> _NGrams | None:
        """A comment's n-grams in the vocabulary (`_NGrams`); None when it has none."""
        # Most words of a comment are words the model knows, whose character n-gram features
        # were found at load; only the others are hashed and looked up. Word n-grams are
        # features like any other: found with a lookup each, and counted with the rest.
        known = self._words.get
        pieces = []
        unknown = []
        for word in folded.split():
            entry = known(word)
            if entry is None:
                unknown.append(word)
            else:
                pieces.append(entry[0])  # its character n-gram features
        if unknown:
            pieces.append(self._char_table.find(unknown).tobytes())
        for gram in folded_word_grams(folded):
            entry = known(gram)
            if entry is not None:
                pieces.append(entry[1])  # the word n-gram's own feature
        # a bytearray, so the array is writable and sorts in place (for the counting below)
        found = np.frombuffer(bytearray().join(pieces), dtype=np.uint64)
        count = len(found)
        if not count:
            return None
        found.sort()
        # counting: sorted, each run of one feature is its count
        edges = np.empty(count + 1, dtype=bool)
        edges[0] = edges[count] = True
        np.not_equal(found[1:], found[:-1], out=edges[1:count])
        starts = edges.nonzero()[0]
        table = self._table
        if len(starts) == count + 1:  # every n-gram once: tf is 1
            indexes = found
            rows = table.take(indexes, axis=0)
            values = rows[:, 0].copy()
        else:
            indexes = found.take(starts[:-1])
            rows = table.take(indexes, axis=0)
            # sublinear tf × idf, as TfidfVectorizer does
            values = np.log(starts[1:] - starts[:-1])
            values += 1.0
            values *= rows[:, 0]
        if site is not None:
            # the site's spam and abuse weights over the shipped ones (its table has the same
            # idf); the attribute heads are the shipped ones for every site
            rows[:, 1:3] = site.table.take(indexes, axis=0)[:, 1:]
        # each kind's l2 norm, as each vectoriser applies its own (the all-zero slot of unknown
        # character n-grams sorts last and weighs nothing)
        split = int(indexes.searchsorted(self._first_word))
        for kind in (values[:split], values[split:]):
            squares = float(kind @ kind)
            if squares:
                kind *= 1.0 / math.sqrt(squares)
        return _NGrams(indexes, values, rows)

    def _evaluate(self, text: str, trusted: frozenset[str] = frozenset(),
                  site: SiteColumns | None = None, norm: Normalized | None = None
                  ) -> _Evaluation:
        if norm is None:
            norm = normalize(text, trusted_domains=trusted)
        # the normaliser keeps doubled letters; features fold them, once here for both kinds
        # (fold_repeats is idempotent, so the n-grams are those of char_grams and word_grams)
        folded = fold_repeats(norm.text)
        ngrams = self._ngrams(folded, site)
        if site is None:
            intercepts, side = self._intercepts, self._side
        else:
            intercepts, side = (*site.intercept, *self._intercepts[2:]), site.side
        # each head's decision value: its intercept and its n-grams' share (all the rows, idf
        # too: a product with a contiguous matrix costs less than with a slice)
        if ngrams is None:
            spam, abuse, *attributes = intercepts
        else:
            sums = (ngrams.values @ ngrams.rows).tolist()
            spam, abuse, *attributes = [intercept + total for intercept, total
                                        in zip(intercepts, sums[1:], strict=True)]
        language = language_of(text) if self._abuse_offset or self._attributes else None
        if self._abuse_offset:
            # a site's decision value is beta × the shipped one plus its own
            abuse += self._abuse_offset.get(language, 0.0) * (
                1.0 if site is None else site.beta[1])
        # a cited link is out of the signals as it is out of the n-grams
        signals = side_signals(without_spans(text, norm.cited), self._links_per_word)
        spam += sum(map(mul, side, signals))  # the side signals are the spam head's alone
        return _Evaluation(spam, abuse, attributes, ngrams, norm, folded, signals, language)

    def _probability(self, task: str, value: float) -> float:
        slope, offset = self._platt[task]
        return _sigmoid(-(slope * value + offset))

    def logit(self, task: str, value: float) -> float:
        """The log-odds of a head's probability for its decision value (Platt's line)."""
        slope, offset = self._platt[task]
        return -(slope * value + offset)

    def score(self, text: str, *, explain_all: bool = False, trusted_domains=(),
              site: SiteColumns | None = None, normalized: Normalized | None = None) -> Score:
        """Every head's probability, and a reason for each head whose score is over its hold
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
        seen = self._evaluate(text, trusted_set(trusted_domains), site, normalized)
        spam = self._probability("spam", seen.spam)
        abuse = self._probability("abuse", seen.abuse)
        abuse_hold = self.thresholds.abuse_hold
        if site is not None and site.abuse_hold is not None:
            abuse_hold = site.abuse_hold
        # (head, probability, hold threshold) of every head scored, in `_heads` order
        scored = [(0, spam, self.thresholds.spam_hold), (1, abuse, abuse_hold)]
        attributes = unscored()
        if self._attributes:
            for head, (name, value) in enumerate(zip(self._attributes, seen.attributes,
                                                     strict=True), start=2):
                if seen.language in self._attribute_languages[name]:
                    probability = attributes[name] = self._probability(name, value)
                    scored.append((head, probability, self.thresholds.attribute_hold[name]))
        explained = [head for head, probability, threshold in scored
                     if explain_all or probability > threshold]
        return Score(spam=spam, abuse=abuse,
                     reasons=self._reasons(explained, text, seen) if explained else (),
                     cited=seen.norm.cited, attributes=attributes)

    def _reasons(self, heads: list[int], text: str, seen: _Evaluation) -> tuple[Reason, ...]:
        """The reason of each of these heads that some n-gram pushed up."""
        if seen.ngrams is None:
            return ()
        tops = top_features(seen.ngrams, heads)
        if not tops:
            return ()
        places = WordPlaces(text, seen.norm, seen.folded, self._terms, self._char_size)
        return tuple(places.reason(self._heads[head], tops[head]) for head in heads
                     if head in tops)

    # -- the features an adapter learns from, and adapters compiled -------------------------

    def features(self, text: str, *, trusted_domains=()) -> Features:
        """What the model sees in `text`: its character and word n-gram features (indexes into
        one space, character n-grams first, each kind l2-normalised as the vectorisers do),
        the side signals, and both heads' decision values (those `score` computes)."""
        seen = self._evaluate(text, trusted_set(trusted_domains))
        ngrams = seen.ngrams
        if ngrams is None:
            indexes, values = np.empty(0, dtype=np.int64), np.empty(0)
        else:
            keep = ngrams.indexes != self._missing  # the all-zero slot of unknown n-grams
            indexes = ngrams.indexes[keep].astype(np.int64)
            values = ngrams.values[keep]
        return Features(indexes, values, seen.signals, seen.spam, seen.abuse)

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
        beta = [1.0, 1.0]
        intercept = list(self._intercepts[:2])
        side = list(self._side)
        table = self._table[:, :3].copy()  # idf, spam, abuse: an adapter changes no other head
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
            gamma = (head.alpha - head.beta * offset + offset) / -slope
            beta[column] = head.beta
            intercept[column] = head.beta * self._intercepts[column] + gamma
            # the site's column: beta × the shipped weight, plus the site's own (rho)
            table[:, 1 + column] *= head.beta
            table[head.indexes, 1 + column] += head.weights / -slope
            if task == "spam":
                own = head.side or (0.0,) * len(side)
                side = [head.beta * weight + extra / -slope
                        for weight, extra in zip(self._side, own, strict=True)]
        return SiteColumns(version=adapter.version, base_version=self.version, table=table,
                           side=tuple(side), beta=(beta[0], beta[1]),
                           intercept=(intercept[0], intercept[1]),
                           abuse_hold=adapter.abuse_hold)

    def score_many(self, texts: Iterable[str], *, explain_all: bool = False,
                   trusted_domains=()) -> list[Score]:
        return [self.score(text, explain_all=explain_all, trusted_domains=trusted_domains)
                for text in texts]

    # -- explanations ----------------------------------------------------------------------
