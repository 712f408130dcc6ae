"""Hakam model: text in, scores out. Never imports Flask or Redis."""

from .scorer import Reason, Score, Scorer
from .thresholds import Thresholds

__all__ = ["Reason", "Score", "Scorer", "Thresholds"]
