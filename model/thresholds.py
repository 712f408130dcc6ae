"""Default decision thresholds that ship with a model, and the score-only decision.

The service layers each site's own rules on top (service/policy.py); `hakam score`
uses this alone, so it lives here where training and the CLI can reach it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from .attributes import ATTRIBUTES, DEFAULT_ATTRIBUTE_HOLD


def _default_attribute_hold() -> dict[str, float]:
    return dict.fromkeys(ATTRIBUTES, DEFAULT_ATTRIBUTE_HOLD)


@dataclass(frozen=True)
class Thresholds:
    spam_reject: float = 0.9  # spam score above this: rejected as spam outright
    spam_hold: float = 0.5  # spam score above this: held for review
    abuse_hold: float = 0.5  # abuse score above this: held for review
    # Each attribute's score above which its head names the words behind it, and the line a
    # site holding on that attribute gets unless it names its own. Attributes never hold by
    # themselves (decide() ignores them): a site opts in, as Perspective's users do.
    attribute_hold: Mapping[str, float] = field(default_factory=_default_attribute_hold,
                                                hash=False)

    def __post_init__(self) -> None:
        # a model may ship some attributes' lines, or none (format-1 models): the rest default
        given = dict(self.attribute_hold)
        unknown = set(given) - set(ATTRIBUTES)
        if unknown:
            raise ValueError(f"thresholds for unknown attributes: {sorted(unknown)}")
        object.__setattr__(self, "attribute_hold", {
            name: float(given.get(name, DEFAULT_ATTRIBUTE_HOLD)) for name in ATTRIBUTES})

    def decide(self, spam: float, abuse: float) -> str:
        if spam > self.spam_reject:
            return "spam"
        if spam > self.spam_hold or abuse > self.abuse_hold:
            return "pending"
        return "approved"

    def as_dict(self) -> dict:
        return asdict(self)
