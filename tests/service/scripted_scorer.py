"""A scorer whose scores the test decides, for service tests about what happens *given* a
score. The real model is tested in tests/model; the service only depends on this interface."""

from __future__ import annotations

from hakam.model import ATTRIBUTES, Reason, Score, Thresholds
from hakam.model.attributes import explanation_code, unscored
from hakam.model.normalize import normalize, trusted_set


class ScriptedScorer:
    version = "scripted-1"
    thresholds = Thresholds(spam_reject=0.9, spam_hold=0.5, abuse_hold=0.5)

    def __init__(self) -> None:
        self.scripts: dict[str, tuple[float, float, dict[str, float | None]]] = {}

    def will_score(self, word: str, spam: float = 0.0, abuse: float = 0.0,
                   **attributes: float | None) -> None:
        """Any comment containing `word` gets these scores, with `word` as the reason's span.
        Attributes not named score None (no head for the language), as the format-1 model's
        all do; a named attribute is explained with `word` above its hold line, as the real
        scorer explains a head, or always with `explain_all`."""
        unknown = set(attributes) - set(ATTRIBUTES)
        if unknown:
            raise ValueError(f"no such attributes: {sorted(unknown)}")
        self.scripts[word] = (spam, abuse, {**unscored(), **attributes})

    def score(self, text: str, *, trusted_domains=(), explain_all: bool = False,
              site=None, normalized=None) -> Score:
        # which links are citations is the real normaliser's call, as in the real scorer (which
        # takes the text normalised already, as intake hands it over, in the same way)
        if normalized is None:
            normalized = normalize(text, trusted_domains=trusted_set(trusted_domains))
        cited = normalized.cited
        for word, (spam, abuse, attributes) in self.scripts.items():
            at = text.find(word)
            if at >= 0:
                span = ((at, at + len(word)),)
                task = "abuse" if abuse >= spam else "spam"
                reasons = [Reason(code=f"{task}_terms", message=f"words behind the {task} score",
                                  spans=span, task=task, weight=1.0)]
                for name, value in attributes.items():
                    if value is not None and (explain_all
                                              or value > self.thresholds.attribute_hold[name]):
                        reasons.append(Reason(code=explanation_code(name),
                                              message=f"words behind the {name} score",
                                              spans=span, task=name, weight=1.0))
                return Score(spam=spam, abuse=abuse, reasons=tuple(reasons), cited=cited,
                             attributes=attributes)
        return Score(spam=0.01, abuse=0.01, reasons=(), cited=cited)

    def score_many(self, texts):
        return [self.score(t) for t in texts]
