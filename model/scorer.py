"""The one interface the service scores through: `Scorer.load()` and `scorer.score(text)`.

PLACEHOLDER until the model issue lands: a keyword scorer with the real
interface, so the service never depends on how scores are made.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .normalize import normalize
from .thresholds import Thresholds


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


_SPAM = ("http", "www", "casino", "viagra", "loan", "ربح", "اربح", "مجانا", "واتساب")
_ABUSE = ("idiot", "stupid", "كلب", "حمار", "غبي", "حقير")


class Scorer:
    def __init__(self, version: str, thresholds: Thresholds | None = None) -> None:
        self.version = version
        self.thresholds = thresholds or Thresholds()

    @classmethod
    def load(cls, path: str | None = None) -> "Scorer":
        digest = hashlib.sha256(repr((_SPAM, _ABUSE)).encode()).hexdigest()[:12]
        return cls(version=f"keywords-{digest}")

    def score(self, text: str) -> Score:
        norm = normalize(text)
        reasons = []
        heads = {}
        for task, words in (("spam", _SPAM), ("abuse", _ABUSE)):
            spans = []
            for word in words:
                for m in re.finditer(re.escape(word), norm.text):
                    spans.append((norm.offsets[m.start()], norm.offsets[m.end() - 1] + 1))
            heads[task] = min(0.95, 0.05 + 0.45 * len(spans))
            if spans:
                reasons.append(
                    Reason(code=f"{task}_terms", message=f"Words associated with {task}",
                           spans=tuple(sorted(spans)), task=task, weight=heads[task])
                )
        return Score(spam=heads["spam"], abuse=heads["abuse"], reasons=tuple(reasons))

    def score_many(self, texts: Iterable[str]) -> list[Score]:
        return [self.score(t) for t in texts]
