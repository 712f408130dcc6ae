"""Hakam model: text in, scores out. Never imports Flask or Redis."""

from .attributes import ATTRIBUTE_LANGUAGES, ATTRIBUTES
from .scorer import Reason, Score, Scorer
from .thresholds import Thresholds

__all__ = ["ATTRIBUTES", "ATTRIBUTE_LANGUAGES", "Reason", "Score", "Scorer", "Thresholds"]
