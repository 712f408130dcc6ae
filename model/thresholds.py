"""Default decision thresholds that ship with a model, and the score-only decision.

The service layers each site's own rules on top (service/policy.py); `hakam score`
uses this alone, so it lives here where training and the CLI can reach it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Thresholds:
    spam_reject: float = 0.9  # spam score above this: rejected as spam outright
    spam_hold: float = 0.5  # spam score above this: held for review
    abuse_hold: float = 0.5  # abuse score above this: held for review

    def decide(self, spam: float, abuse: float) -> str:
        if spam > self.spam_reject:
            return "spam"
        if spam > self.spam_hold or abuse > self.abuse_hold:
            return "pending"
        return "approved"

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
