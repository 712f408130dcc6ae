"""A scorer whose scores the test decides, for service tests about what happens *given* a
score. The real model is tested in tests/model; the service only depends on this interface."""

from __future__ import annotations

from hakam.model import Reason, Score, Thresholds
from hakam.model.normalize import normalize, trusted_set


class ScriptedScorer:
    version = "scripted-1"
    thresholds = Thresholds(spam_reject=0.9, spam_hold=0.5, abuse_hold=0.5)

    def __init__(self) -> None:
        self.scripts: dict[str, tuple[float, float]] = {}

    def will_score(self, word: str, spam: float = 0.0, abuse: float = 0.0) -> None:
        """Any comment containing `word` gets these scores, with `word` as the reason's span."""
        self.scripts[word] = (spam, abuse)

    def score(self, text: str, *, trusted_domains=()) -> Score:
        # which links are citations is the real normaliser's call, as in the real scorer
        cited = normalize(text, trusted_domains=trusted_set(trusted_domains)).cited
        for word, (spam, abuse) in self.scripts.items():
            at = text.find(word)
            if at >= 0:
                task = "abuse" if abuse >= spam else "spam"
                reason = Reason(code=f"{task}_terms", message=f"words behind the {task} score",
                                spans=((at, at + len(word)),), task=task, weight=1.0)
                return Score(spam=spam, abuse=abuse, reasons=(reason,), cited=cited)
        return Score(spam=0.01, abuse=0.01, reasons=(), cited=cited)

    def score_many(self, texts):
        return [self.score(t) for t in texts]
