"""Loads the model once per worker and hands it to the views; the service never knows how
scores are made, only that the object has `score()`, `version` and `thresholds`.

Every route that scores a comment (POST /v1/comments, and the Perspective and Akismet
protocols) scores it here, so that one text gets the very same numbers whichever route asked:
a site's own adapter included (`site_model`, see adapting.py).
"""

from __future__ import annotations

import time
from dataclasses import replace

from flask import Flask, current_app

from hakam.model import Score, Scorer
from hakam.model.normalize import Normalized

from .adapting import SiteAdapters, SiteModel
from .metrics import SCORING_SECONDS
from .policy import held_attributes

# Scores are answered to this many decimals, on every route.
SCORE_DIGITS = 4


def init_app(app: Flask, model_path: str | None, scorer=None, *, store=None,
             config=None) -> None:
    scorer = scorer or Scorer.load(model_path)
    app.extensions["hakam.scorer"] = scorer
    app.extensions["hakam.adapters"] = SiteAdapters(
        store, scorer, redis_url=config.redis_url if config else None,
        lock_seconds=config.adapt_lock_seconds if config else 30)


def get_scorer():
    return current_app.extensions["hakam.scorer"]


def get_adapters() -> SiteAdapters:
    return current_app.extensions["hakam.adapters"]


def site_model(site) -> SiteModel:
    """The model `site`'s comments are scored with: the shipped one, or with the site's own
    adapter when it has one in force (its version and thresholds with it)."""
    return get_adapters().model_for(site)


def score_comment(text: str, trusted_domains: frozenset[str] = frozenset(),
                  model: SiteModel | None = None, *,
                  normalized: Normalized | None = None) -> Score:
    """Both heads' scores of one comment (timed for /metrics); links to `trusted_domains`
    are read as citations (see `SitePolicy.trusted_for`); `model` from `site_model` scores it
    as its site's adapter does. `normalized`: the text as `normalize` gives it with those
    trusted domains, when the caller has it already (`Scorer.score`)."""
    started = time.perf_counter()
    score = score_text(text, trusted_domains, model, normalized=normalized)
    SCORING_SECONDS.observe(time.perf_counter() - started)
    return score


def score_text(text: str, trusted_domains: frozenset[str] = frozenset(),
               model: SiteModel | None = None, *, explain_all: bool = False,
               normalized: Normalized | None = None) -> Score:
    """Both heads' scores of a text that is not a whole comment (a sentence of one, for
    Perspective's span annotations), untimed, the same way as `score_comment`."""
    options = {"explain_all": True} if explain_all else {}
    if normalized is not None:  # only then: a scorer is any object with `score()`
        options["normalized"] = normalized
    if model is not None and model.columns is not None:
        return get_scorer().score(text, trusted_domains=trusted_domains, site=model.columns,
                                  **options)
    return get_scorer().score(text, trusted_domains=trusted_domains, **options)


def with_attribute_words(score: Score, text: str, trusted_domains: frozenset[str],
                         model: SiteModel | None, policy) -> Score:
    """`score`, with the words behind each attribute its site holds it for (`policy`: the
    site's SitePolicy) when the model did not name them: a head names its words only above
    the model's own line, and a site may hold below it; its hold reason must still say which
    words. Scored again, explaining every head, only on that rare path, and only the held
    attributes' words are taken: the others stay unexplained under their lines."""
    unexplained = {name for name in held_attributes(score, policy)
                   if not any(reason.task == name for reason in score.reasons)}
    if not unexplained:
        return score
    explained = score_text(text, trusted_domains, model, explain_all=True)
    return replace(score, reasons=score.reasons + tuple(
        reason for reason in explained.reasons if reason.task in unexplained))


def shipped_spam_over(score: Score, text: str, trusted_domains: frozenset[str],
                      model: SiteModel | None, policy) -> float | None:
    """The shipped model's spam score of a comment its site's adapter scored over the site's
    spam rejection threshold (`policy`: the site's SitePolicy), for `policy.decide`; None for
    every other comment. A rejected comment never reaches a moderator, and the shipped
    threshold sits above every genuine comment of every comment source it was measured on; a
    site's adapter is fitted on far fewer, so it may hold a comment as spam, but rejects one
    only where the shipped model would too. Scored again only on that rare path: no cost to
    any other comment."""
    if model is None or model.columns is None or \
            score.spam <= policy.thresholds(model.thresholds).spam_reject:
        return None
    return score_text(text, trusted_domains).spam


def answered(value: float | None) -> float | None:
    """A score as every answer gives it (None, an attribute not measured, stays None)."""
    return None if value is None else round(value, SCORE_DIGITS)


def answered_scores(score: Score) -> dict[str, float | None]:
    """`scores` as every answer and stored comment gives them: spam, abuse, then each
    attribute (null where its head does not read the comment's language)."""
    return {"spam": answered(score.spam), "abuse": answered(score.abuse),
            **{name: answered(value) for name, value in score.attributes.items()}}
