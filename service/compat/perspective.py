"""Perspective's API: POST /v1alpha1/comments:analyze and /v1alpha1/comments:suggestscore, so
that Coral Talk and every Perspective client scores comments with Hakam by changing one URL.

- TOXICITY is the abuse head and SPAM the spam head; IDENTITY_ATTACK, INSULT, PROFANITY and
  THREAT are the attribute heads: the very numbers POST /v1/comments gives for the same text
  on the same site. No attribute is answered with a number the model does not make: asking
  for one the model lacks, or one whose head does not read the comment's language (THREAT on
  Arabic), is Perspective's LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE 400 naming it, unless the
  request sets `dropUnsupportedAttributes`, which leaves it out. A sentence in a language
  its attribute's head does not read gets no span score for it.
- The language is found from the text (Arabic or English), whatever `languages` says: Coral
  sends ["en"] for every site in a language Perspective lacked. `languages` mirrors the
  request, `detectedLanguages` says what Hakam found.
- analyze only scores: no comment is created, nothing is queued, the text is kept nowhere,
  whatever `doNotStore` says.
- suggestscore is a moderator's verdict (Coral sends one on every approve or reject): it
  becomes a training label with source "perspective", its site and `communityId`; the same
  verdict sent again under the same `clientToken` adds nothing.

The site key comes as `?key=` (as every Perspective client sends it), `X-Goog-Api-Key` or
`Authorization: Bearer`; the access log never shows a query string, and the logs redact keys
wherever they appear (see `redaction`). Errors are Google's JSON shape (see `google`).
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from hakam.model import Score
from hakam.model.language import detected_languages, language_of

from .. import moderation
from ..adapting import SiteModel
from ..scoring import answered, get_adapters, score_text
from ..store import NewLabel, Site, get_store
from .google import InvalidArgument, PermissionDenied
from .perspective_request import (
    AnalyzeRequest,
    read_analyze,
    read_body,
    read_suggest,
)
from .sentences import sentence_spans

bp = Blueprint("perspective", __name__)

# Perspective attribute -> Hakam's score (Score.spam, Score.abuse, or Score.attributes[name])
ATTRIBUTE_HEADS = {"TOXICITY": "abuse", "SPAM": "spam", "IDENTITY_ATTACK": "identity_attack",
                   "INSULT": "insult", "PROFANITY": "profanity", "THREAT": "threat"}
# The attributes a suggestscore verdict teaches: training labels are kept for spam and abuse
LEARNED_HEADS = {"TOXICITY": "abuse", "SPAM": "spam"}
SOURCE = "perspective"


def _value(score: Score, head: str) -> float | None:
    """A head's probability; None where it does not read the text's language."""
    if head in ("spam", "abuse"):
        return getattr(score, head)
    return score.attributes.get(head)


def _api_key() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else ""
    return (request.args.get("key") or request.headers.get("X-Goog-Api-Key") or bearer
            or "").strip() or None


def _site() -> Site:
    key = _api_key()
    if key is None:
        raise PermissionDenied("The request is missing a valid API key.")
    site = get_store().site_for_key(key)
    if site is None:
        raise InvalidArgument("API key not valid. Please pass a valid API key.")
    g.site = site
    return site


def _unsupported(name: str, languages: tuple[str, ...] | list[str],
                 detected: list[str]) -> InvalidArgument:
    return InvalidArgument(
        f"Attribute {name} does not support request languages: "
        f"{','.join(languages) or 'und'}",
        error_type="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        detail={"languageNotSupportedByAttributeError": {"detectedLanguages": detected,
                                                         "attribute": name}})


def _span_scores(text: str, heads: set[str], trusted: frozenset[str],
                 score_type: dict[str, str], model: SiteModel) -> dict[str, list[dict]]:
    """Each sentence's score for each head asked for, as Perspective's spanScores."""
    spans: dict[str, list[dict]] = {head: [] for head in heads}
    for begin, end in sentence_spans(text):
        score = score_text(text[begin:end], trusted, model)
        for head in heads:
            value = _value(score, head)
            if value is not None:
                spans[head].append({"begin": begin, "end": end, "score": {
                    "value": answered(value), "type": score_type[head]}})
    return spans


def _attribute_scores(analyze: AnalyzeRequest, site: Site, detected: list[str]) -> dict:
    wanted = []
    for attribute in analyze.attributes:
        if attribute.name in ATTRIBUTE_HEADS:
            wanted.append(attribute)
        elif not analyze.drop_unsupported:
            raise _unsupported(attribute.name, analyze.languages or detected, detected)
    if not wanted:
        return {}
    # POST /v1/comments scores the comment as WordPress trims it; so does this, for the
    # same numbers
    scored = moderation.score(site, analyze.text.strip())
    score = scored.score
    answers = {}
    for attribute in wanted:
        value = answered(_value(score, ATTRIBUTE_HEADS[attribute.name]))
        if value is None:  # no head for this attribute reads the comment's language
            if analyze.drop_unsupported:
                continue
            # named as the language the model read it in (the request's is not used)
            raise _unsupported(attribute.name, [language_of(analyze.text)], detected)
        if attribute.threshold is not None and value < attribute.threshold:
            continue
        answers[attribute.name] = {"summaryScore": {"value": value,
                                                    "type": attribute.score_type}}
    if analyze.span_annotations and answers:
        heads = {ATTRIBUTE_HEADS[name] for name in answers}
        types = {ATTRIBUTE_HEADS[a.name]: a.score_type for a in wanted}
        spans = _span_scores(analyze.text, heads, scored.trusted, types, scored.model)
        for name, entry in answers.items():
            entry["spanScores"] = spans[ATTRIBUTE_HEADS[name]]
    return answers


@bp.post("/comments:analyze")
def analyze():
    """Perspective's AnalyzeComment: attribute scores for a text."""
    site = _site()
    analyze = read_analyze(read_body())
    detected = detected_languages(analyze.text)
    answer: dict = {}
    scores = _attribute_scores(analyze, site, detected)
    if scores:  # Perspective left the field out when every score was under its threshold
        answer["attributeScores"] = scores
    answer["languages"] = list(analyze.languages) or detected
    answer["detectedLanguages"] = detected
    if analyze.client_token is not None:
        answer["clientToken"] = analyze.client_token
    return jsonify(answer)


@bp.post("/comments:suggestscore")
def suggest_score():
    """Perspective's SuggestCommentScore: a client's own score, kept as a label."""
    site = _site()
    suggestion = read_suggest(read_body())
    labels = []
    for score in suggestion.scores:
        head = LEARNED_HEADS.get(score.name)
        if head is None:
            detected = detected_languages(suggestion.text)
            raise _unsupported(score.name, suggestion.languages or detected, detected)
        if score.summary is not None:
            labels.append(NewLabel(suggestion.text.strip(), head, int(score.summary >= 0.5)))
        for begin, end, value in score.spans:
            text = suggestion.text[begin:end].strip()
            if text:
                labels.append(NewLabel(text, head, int(value >= 0.5)))
    get_store().record_labels(labels, source=SOURCE, site=site.name,
                              community_id=suggestion.community_id,
                              client_token=suggestion.client_token)
    get_adapters().labels_added(site.name)
    answer = {}
    if suggestion.client_token is not None:
        answer["clientToken"] = suggestion.client_token
    return jsonify(answer)
