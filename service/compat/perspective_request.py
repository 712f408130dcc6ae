"""Perspective's request bodies (AnalyzeCommentRequest, SuggestCommentScoreRequest) read into
plain values, or an InvalidArgument worded as Google's API worded it.

Field names are Perspective's JSON names. Fields Hakam has no use for (`context`, `sessionId`)
are read for their type only; fields no Perspective request has are ignored, so a client
sending something newer still gets its scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import request

from .. import jsonio
from ..schemas import COMMENT_MAX_BYTES
from .google import InvalidArgument

SCORE_TYPE = "PROBABILITY"  # the only score type Perspective ever had


@dataclass(frozen=True)
class RequestedAttribute:
    name: str
    score_type: str = SCORE_TYPE
    threshold: float | None = None


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str
    attributes: tuple[RequestedAttribute, ...]
    languages: tuple[str, ...] = ()
    span_annotations: bool = False
    drop_unsupported: bool = False
    client_token: str | None = None
    community_id: str | None = None


@dataclass(frozen=True)
class SuggestedScore:
    """What a client says one attribute's score should be: for the whole comment, for spans
    of it ((begin, end, value), offsets into the text), or both."""

    name: str
    summary: float | None
    spans: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class SuggestRequest:
    text: str
    scores: tuple[SuggestedScore, ...]
    languages: tuple[str, ...] = ()
    client_token: str | None = None
    community_id: str | None = None


def _invalid(path: str, kind: str) -> InvalidArgument:
    return InvalidArgument(f"Invalid value at '{path}' ({kind})")


def _object(value: object, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(path, "TYPE_MESSAGE")
    return value


def _string(value: object, path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _invalid(path, "TYPE_STRING")
    return value


def _boolean(value: object, path: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(path, "TYPE_BOOL")
    return value


def _probability(value: object, path: str) -> float | None:
    """A number in [0, 1] (JSON numbers only: true is not 1)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(path, "TYPE_FLOAT")
    if not 0 <= value <= 1:
        raise InvalidArgument(f"Invalid value at '{path}': a score is between 0 and 1.")
    return float(value)


def _integer(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(path, "TYPE_INT32")
    return value


def _strings(value: object, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(path, "TYPE_STRING")
    return tuple(value)


def read_body() -> dict:
    """The request's JSON object. Perspective's clients all send JSON, and Google's front end
    read the body as JSON whatever its Content-Type said, so this does too."""
    raw = request.get_data(cache=True)  # past the size limit: 413, answered as Google did
    try:
        data = jsonio.loads_request(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidArgument("Invalid JSON payload received. The body is not UTF-8.") from None
    except json.JSONDecodeError as error:
        raise InvalidArgument(f"Invalid JSON payload received. {error.msg} at line "
                              f"{error.lineno} column {error.colno}.") from None
    except jsonio.TooDeeplyNested:
        raise InvalidArgument("Invalid JSON payload received. It nests too deeply.") from None
    if not isinstance(data, dict):
        raise InvalidArgument("Invalid JSON payload received. Expected an object.")
    if _holds_unpaired_surrogate(data):
        raise InvalidArgument("Invalid JSON payload received. A string holds an unpaired "
                              "surrogate escape (such as \\ud800), which is no character.")
    return data


def _holds_unpaired_surrogate(data: object) -> bool:
    """Whether any string of a parsed body (keys too) holds a \\ud800-style escape with no
    pair: JSON lets it through, but no text can hold it, to score, store or answer."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _comment_text(body: dict) -> str:
    comment = _object(body.get("comment"), "comment")
    kind = _string(comment.get("type"), "comment.type")
    if kind not in (None, "PLAIN_TEXT"):
        if kind == "HTML":
            raise InvalidArgument("Only PLAIN_TEXT comments are supported; send the text "
                                  "without its HTML.")
        raise _invalid("comment.type", "TYPE_ENUM")
    text = _string(comment.get("text"), "comment.text") or ""
    if not text.strip():
        raise InvalidArgument("Comment must be non-empty.", error_type="COMMENT_EMPTY")
    size = len(text.encode("utf-8"))
    if size > COMMENT_MAX_BYTES:
        # Perspective stopped at 3,000 bytes; Hakam takes what its own intake takes.
        raise InvalidArgument(f"Comment text too long: {size} bytes, where at most "
                              f"{COMMENT_MAX_BYTES} are scored.",
                              error_type="COMMENT_TOO_LONG")
    context = _object(body.get("context"), "context")
    for index, entry in enumerate(context.get("entries") or []):
        _string(_object(entry, f"context.entries[{index}]").get("text"),
                f"context.entries[{index}].text")
    return text


def _common(body: dict) -> dict:
    return {
        "languages": _strings(body.get("languages"), "languages"),
        "client_token": _string(body.get("clientToken"), "clientToken"),
        "community_id": _string(body.get("communityId"), "communityId"),
    }


def read_analyze(body: dict) -> AnalyzeRequest:
    text = _comment_text(body)
    requested = _object(body.get("requestedAttributes"), "requestedAttributes")
    if not requested:
        raise InvalidArgument("At least one attribute must be requested in "
                              "requestedAttributes.")
    attributes = []
    for name, parameters in requested.items():
        path = f"requestedAttributes[{name}]"
        parameters = _object(parameters, path)
        score_type = _string(parameters.get("scoreType"), f"{path}.scoreType") or SCORE_TYPE
        if score_type != SCORE_TYPE:
            raise InvalidArgument(f"Score type {score_type} is not supported for attribute "
                                  f"{name}: only {SCORE_TYPE} is.")
        threshold = _probability(parameters.get("scoreThreshold"), f"{path}.scoreThreshold")
        attributes.append(RequestedAttribute(name, score_type, threshold))
    _string(body.get("sessionId"), "sessionId")
    _boolean(body.get("doNotStore"), "doNotStore")  # analyze never stores, asked or not
    return AnalyzeRequest(
        text=text, attributes=tuple(attributes),
        span_annotations=_boolean(body.get("spanAnnotations"), "spanAnnotations"),
        drop_unsupported=_boolean(body.get("dropUnsupportedAttributes"),
                                  "dropUnsupportedAttributes"),
        **_common(body))


def _span(entry: object, path: str, text_length: int) -> tuple[int, int, float]:
    entry = _object(entry, path)
    begin = _integer(entry.get("begin"), f"{path}.begin")
    end = _integer(entry.get("end"), f"{path}.end")
    if not 0 <= begin < end <= text_length:
        raise InvalidArgument(f"Invalid value at '{path}': begin and end must mark a span "
                              f"of the comment (0 <= begin < end <= {text_length}).")
    value = _probability(_object(entry.get("score"), f"{path}.score").get("value"),
                         f"{path}.score.value")
    if value is None:
        raise InvalidArgument(f"Invalid value at '{path}.score.value': a span needs a score.")
    return begin, end, value


def read_suggest(body: dict) -> SuggestRequest:
    text = _comment_text(body)
    given = _object(body.get("attributeScores"), "attributeScores")
    if not given:
        raise InvalidArgument("attributeScores must not be empty.")
    scores = []
    for name, attribute in given.items():
        path = f"attributeScores[{name}]"
        attribute = _object(attribute, path)
        summary = _probability(
            _object(attribute.get("summaryScore"), f"{path}.summaryScore").get("value"),
            f"{path}.summaryScore.value")
        spans = attribute.get("spanScores") or []
        if not isinstance(spans, list):
            raise _invalid(f"{path}.spanScores", "TYPE_MESSAGE")
        spans = tuple(_span(entry, f"{path}.spanScores[{k}]", len(text))
                      for k, entry in enumerate(spans))
        if summary is None and not spans:
            raise InvalidArgument(f"{path} must give a summaryScore value or spanScores.")
        scores.append(SuggestedScore(name, summary, spans))
    return SuggestRequest(text=text, scores=tuple(scores), **_common(body))
