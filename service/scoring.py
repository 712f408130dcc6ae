"""Loads the model once per worker and hands it to the views; the service never knows how
scores are made, only that the object has `score()`, `version` and `thresholds`.

Every route that scores a comment (POST /v1/comments, and the Perspective and Akismet
protocols) scores it here, so that one text gets the very same numbers whichever route asked.
"""

from __future__ import annotations

import time

from flask import Flask, current_app

from hakam.model import Score, Scorer

from .metrics import SCORING_SECONDS

# Scores are answered to this many decimals, on every route.
SCORE_DIGITS = 4


def init_app(app: Flask, model_path: str | None, scorer=None) -> None:
    app.extensions["hakam.scorer"] = scorer or Scorer.load(model_path)


def get_scorer():
    return current_app.extensions["hakam.scorer"]


def score_comment(text: str, trusted_domains: frozenset[str] = frozenset()) -> Score:
    """Both heads' scores of one comment (timed for /metrics); links to `trusted_domains`
    are read as citations (see `SitePolicy.trusted_for`)."""
    started = time.perf_counter()
    score = score_text(text, trusted_domains)
    SCORING_SECONDS.observe(time.perf_counter() - started)
    return score


def score_text(text: str, trusted_domains: frozenset[str] = frozenset()) -> Score:
    """Both heads' scores of a text that is not a whole comment (a sentence of one, for
    Perspective's span annotations), untimed, the same way as `score_comment`."""
    return get_scorer().score(text, trusted_domains=trusted_domains)


def answered(value: float) -> float:
    """A score as every answer gives it."""
    return round(value, SCORE_DIGITS)
