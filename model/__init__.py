"""Hakam model: text in, scores out. Never imports Flask or Redis."""

from .scorer import Reason, Score, Scorer

__all__ = ["Reason", "Score", "Scorer"]
