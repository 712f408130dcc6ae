"""The one interface the service scores through: `Scorer.load()` and `scorer.score(text)`.

The scorer is the trained scikit-learn pipeline compiled into plain Python: one dictionary per
vectoriser maps an n-gram to (idf, spam weight, abuse weight); scoring one comment counts its
n-grams, applies sublinear tf × idf and the l2 norm, takes the two dot products and the Platt
sigmoid. This gives the pipeline's probabilities (to ~1e-12) without scikit-learn's per-call
overhead. It never imports scikit-learn or anything from hakam.training.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import joblib
import numpy as np

from .features import (
    char_gram_hashes,
    fold_repeats,
    side_signals,
    term_hashes,
    word_grams,
    word_spans,
)
from .normalize import normalize
from .thresholds import Thresholds

ARTIFACT_DIR = Path(__file__).parent / "artifact"
MODEL_FILE = "model.joblib"
ACTIVE_MODEL_FILE = "active-model"
FORMAT = 1
TOP_TERMS = 3  # n-grams named per head in an explanation


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


def _original_span(norm, start: int, end: int) -> tuple[int, int]:
    if hasattr(norm, "original_span"):
        return norm.original_span(start, end)
    return norm.offsets[start], norm.offsets[end - 1] + 1


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


class _NgramTable:
    """Sorted n-gram hashes -> feature index. A comment's n-gram hashes are sorted and found with
    one `searchsorted`, which beats hundreds of dictionary lookups of fresh strings that each
    miss the cache. Few numpy calls matter more than few searches: a sentinel hash at the end
    (mapped to an all-zero feature) saves clamping the search results."""

    _SENTINEL = np.uint64(2**64 - 1)

    def __init__(self, hashes: np.ndarray, zero_feature: int) -> None:
        order = np.argsort(hashes, kind="stable")
        self._hashes = np.append(hashes[order], self._SENTINEL)
        self._order = np.append(order, zero_feature)
        if (np.diff(self._hashes) == 0).any():
            raise ValueError("two character n-grams of this vocabulary share a hash")

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """Feature index of every hash found (repeated as often as the hash is)."""
        hashes.sort()
        places = np.searchsorted(self._hashes, hashes)
        return self._order[places[self._hashes[places] == hashes]]


class Scorer:
    """Scores comments for spam and abuse with a compiled model (see `hakam.training.compile`)."""

    def __init__(self, model: dict, version: str, path: Path | None = None) -> None:
        if model.get("format") != FORMAT:
            raise ValueError(f"model format {model.get('format')!r} is not {FORMAT}")
        self.version = version
        self.path = path
        self.metadata: dict = model.get("metadata", {})
        self.thresholds = Thresholds(**model["thresholds"])
        char, word = model["char"], model["word"]
        char_terms, word_terms = vocabulary_list(char), vocabulary_list(word)
        self._char_size = len(char_terms)
        # One index space: char n-grams first, then word n-grams, then one all-zero slot that
        # every unknown n-gram maps to (it adds nothing to a norm or a dot product).
        self._terms = char_terms + word_terms
        self._missing = len(self._terms)
        self._char_table = _NgramTable(term_hashes(char_terms), self._missing)
        self._word_index = dict(zip(word_terms, range(self._char_size, self._missing),
                                    strict=True))
        # one row per feature: idf, spam weight, abuse weight (one gather per comment), and an
        # all-zero row last for every n-gram outside the vocabulary
        self._table = np.column_stack([
            np.concatenate([char["idf"], word["idf"], [0.0]]),
            np.concatenate([char["spam"], word["spam"], [0.0]]),
            np.concatenate([char["abuse"], word["abuse"], [0.0]]),
        ])
        self._side = np.asarray(model["side"]["spam"], dtype=np.float64)
        self._intercept = (float(model["intercept"]["spam"]), float(model["intercept"]["abuse"]))
        self._platt = {task: tuple(map(float, model["platt"][task])) for task in ("spam", "abuse")}

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Scorer:
        model_file = resolve_model_path(path)
        raw = model_file.read_bytes()
        version = hashlib.sha256(raw).hexdigest()[:16]
        return cls(joblib.load(model_file), version=version, path=model_file)

    # -- scoring ---------------------------------------------------------------------------

    def _lookup(self, normalized: str) -> tuple[np.ndarray, np.ndarray]:
        """Index and count of every n-gram of the text in the vocabulary (n-grams outside it
        may appear as the all-zero feature, which changes nothing)."""
        found = self._char_table.find(char_gram_hashes(normalized)).tolist()
        found.extend(map(self._word_index.get, word_grams(normalized), repeat(self._missing)))
        counts = Counter(found)
        return (np.fromiter(counts.keys(), dtype=np.intp, count=len(counts)),
                np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))

    def decision_values(self, text: str):
        """Uncalibrated log-odds of both heads, each n-gram's feature index and contribution to
        both heads, and the normalised text."""
        norm = normalize(text)
        indexes, counts = self._lookup(norm.text)
        rows = self._table[indexes]
        # sublinear tf × idf, l2-normalised within each vectoriser, as TfidfVectorizer does
        values = (np.log(counts) + 1.0) * rows[:, 0]
        is_char = indexes < self._char_size
        squares = values * values
        char_squares = float(squares @ is_char)
        word_squares = max(float(squares.sum()) - char_squares, 0.0)
        char_scale = 1.0 / math.sqrt(char_squares) if char_squares else 1.0
        word_scale = 1.0 / math.sqrt(word_squares) if word_squares else 1.0
        values *= np.where(is_char, char_scale, word_scale)
        contributions = values[:, None] * rows[:, 1:]
        spam, abuse = contributions.sum(axis=0).tolist() if len(indexes) else (0.0, 0.0)
        spam += float(self._side @ side_signals(text)) + self._intercept[0]
        abuse += self._intercept[1]
        return spam, abuse, indexes, contributions, norm

    def _probability(self, task: str, value: float) -> float:
        slope, offset = self._platt[task]
        return _sigmoid(-(slope * value + offset))

    def score(self, text: str, *, explain_all: bool = False) -> Score:
        """Both probabilities, and a reason for each head whose score reaches its hold
        threshold (the n-grams that pushed it most, as spans of `text`). A head below its
        threshold gets no reason, since "these words suggest abuse" would mislead on a clean
        comment; `explain_all=True` explains every head that any n-gram pushed up."""
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        spam_value, abuse_value, indexes, contributions, norm = self.decision_values(text)
        spam = self._probability("spam", spam_value)
        abuse = self._probability("abuse", abuse_value)
        reasons = []
        if len(indexes):
            words = None
            for column, task, probability, threshold in (
                    (0, "spam", spam, self.thresholds.spam_hold),
                    (1, "abuse", abuse, self.thresholds.abuse_hold)):
                if not explain_all and probability <= threshold:
                    continue
                pushes = contributions[:, column]
                top = np.argpartition(-pushes, TOP_TERMS)[:TOP_TERMS] if len(pushes) > TOP_TERMS \
                    else range(len(pushes))
                chosen = sorted(((int(indexes[i]), float(pushes[i])) for i in top
                                 if pushes[i] > 0), key=lambda pair: -pair[1])
                if chosen:
                    if words is None:
                        # folding never moves a space, so the folded words line up
                        words = [(s, e, f" {folded} ") for (s, e), folded in
                                 zip(word_spans(norm.text), fold_repeats(norm.text).split(),
                                     strict=False)]
                    reasons.append(self._reason(task, chosen, text, norm, words))
        return Score(spam=spam, abuse=abuse, reasons=tuple(reasons))

    def score_many(self, texts: Iterable[str], *, explain_all: bool = False) -> list[Score]:
        return [self.score(text, explain_all=explain_all) for text in texts]

    # -- explanations ----------------------------------------------------------------------

    def _reason(self, task: str, chosen: list[tuple[int, float]], text: str, norm,
                words: list[tuple[int, int, str]]) -> Reason:
        spans: list[tuple[int, int]] = []
        for index, _ in chosen:
            term = self._terms[index]
            if index < self._char_size:
                hits = [(s, e) for s, e, padded in words if term in padded]
            else:
                first, _, second = term.partition(" ")
                hits = [(s, e) for s, e, padded in words
                        if first in padded or (second and second in padded)]
            spans.extend(_original_span(norm, s, e) for s, e in hits)
        merged = _merge(spans)
        terms = ", ".join(f"“{text[s:e]}”" for s, e in merged) or "(signals without words)"
        return Reason(code=f"{task}_terms", message=_MESSAGES[task].format(terms=terms),
                      spans=merged, task=task, weight=round(sum(w for _, w in chosen), 4))
