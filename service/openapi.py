"""GET /openapi.json: the OpenAPI 3.1 description of the /v1 API, generated, never hand-written.

Schemas come from the pydantic models in `schemas` (the same ones `validation` runs requests
through), so a documented limit is the enforced limit. What the models cannot say (paths,
methods, who may call them, which answers they give) is the route table below; a test checks
that it names every /v1 route the app serves.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import schemas
from .review import MAX_PAGE
from .vocabulary import HOLD_REASONS

bp = Blueprint("openapi", __name__)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
COMPONENTS = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "path", "query" or "header"
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    summary: str
    security: str | None  # a name in SECURITY_SCHEMES
    responses: dict[int, tuple[str, type[BaseModel] | None]]
    request: type[BaseModel] | None = None
    media_types: tuple[str, ...] = (JSON,)
    body_required: bool = True  # False: a request without a body takes the model's defaults
    parameters: tuple[Parameter, ...] = ()
    tag: str = ""


# Headers some answers carry, whatever the route.
ANSWER_HEADERS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": "Bearer realm=\"hakam\""},
    429: {"Retry-After": "Seconds until the flood interval has passed"},
    503: {"Retry-After": "Seconds to wait before retrying"},
}
CREATED_HEADERS = {
    "Location": "/v1/comments/{id}: where the comment's status can be read",
    "Idempotent-Replayed": "\"true\" when this is the stored answer to a repeated Idempotency-Key",
}


SECURITY_SCHEMES = {
    "siteKey": {"type": "http", "scheme": "bearer",
                "description": "A site's API key, from `hakam sites add NAME`."},
    "moderatorToken": {"type": "http", "scheme": "bearer",
                       "description": "A moderator's token, from `hakam moderators add NAME`."},
}

COMMENT_ID = Parameter("comment_id", "path", "The comment's id, as answered on submission.",
                       required=True)
POST_ID = Parameter("post_id", "path", "The post's id, as comments give it in comment_post_ID.",
                    {"type": "string", "pattern": schemas.POST_ID}, required=True)
SITE_FILTER = Parameter("site", "query", "Only this site's comments.")
REASON_FILTER = Parameter(
    "reason", "query", "Only comments held with this reason: reader_reports (reported by "
    "readers), audit (audit items) or a policy code such as abuse_score.",
    {"type": "string", "enum": [str(reason) for reason in HOLD_REASONS]})
PAGE_LIMIT = Parameter("limit", "query", "How many to answer.",
                       {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 50})
QUEUE_SORT = Parameter("sort", "query", "arrival: oldest first; abuse or spam: that score "
                       "highest first (ties oldest first).",
                       {"type": "string", "enum": ["arrival", "abuse", "spam"],
                        "default": "arrival"})
IDEMPOTENCY_KEY = Parameter(
    "Idempotency-Key", "header",
    "Retrying with the same key answers the first answer again and stores nothing new.")

INVALID = ("Invalid fields, each with messages in the reader's language", schemas.ValidationErrors)
UNAUTHORIZED = ("Missing, unknown or revoked credentials", schemas.ErrorBody)
UNAVAILABLE = ("The store is unreachable; nothing was stored. Retry after Retry-After seconds",
               schemas.ErrorBody)

ROUTES: tuple[Route, ...] = (
    Route("post", "/v1/comments", "Submit a reader's comment for a decision", "siteKey",
          request=schemas.CommentSubmission, media_types=(JSON, FORM),
          parameters=(IDEMPOTENCY_KEY,), tag="comments",
          responses={
              201: ("Accepted and decided: approved, held as pending, or spam",
                    schemas.CommentAnswer),
              400: ("Malformed JSON or a body that is not UTF-8", schemas.ErrorBody),
              401: UNAUTHORIZED,
              409: ("The same text from the same author on the same post was already "
                    "received (first_id names it)", schemas.ErrorBody),
              413: ("The body is larger than the configured limit", schemas.ErrorBody),
              415: ("Neither JSON nor a form, or not UTF-8", schemas.ErrorBody),
              403: ("The author is suspended (author_suspended) or banned (author_banned) on "
                    "this site: `until` says until when (null: until lifted), the message "
                    "names the date in the reader's language", schemas.ErrorBody),
              422: ("Invalid fields, each with messages in the reader's language; or, on a "
                    "site with the nudge on, code `nudge`: the comment would be held for "
                    "abuse, nothing was stored, send it again with `nudge_token` to post it; "
                    "or error `comments_closed`: the post takes no comments (closed, or its "
                    "section's days are over), and nothing was kept", schemas.CommentRefused),
              429: ("Comment flood: retry after Retry-After seconds", schemas.ErrorBody),
              503: UNAVAILABLE,
          }),
    Route("post", "/v1/comments/{comment_id}/reports",
          "Pass on a reader's report on a published comment", "siteKey",
          request=schemas.ReportRequest, parameters=(COMMENT_ID,), tag="comments",
          responses={201: ("The report counted; the one that reaches the site's threshold "
                           "(hakam sites configure --report-hold, 3) sends a published comment "
                           "back to the queue as pending (reason reader_reports) and the "
                           "site's webhook is told (event comment.reported)",
                           schemas.ReportAnswer),
                     200: ("This reporter had already reported the comment: nothing changed",
                           schemas.ReportAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED,
                     404: ("No such comment for this site", schemas.ErrorBody),
                     422: INVALID, 503: UNAVAILABLE}),
    Route("get", "/v1/comments/{comment_id}", "Read a comment's status and history", "siteKey",
          parameters=(COMMENT_ID,), tag="comments",
          responses={200: ("The comment", schemas.CommentRecord), 401: UNAUTHORIZED,
                     404: ("No such comment for this site", schemas.ErrorBody),
                     503: UNAVAILABLE}),
    Route("patch", "/v1/comments/{comment_id}",
          "Give a comment the site's own id for it, once the site has one (WordPress numbers "
          "a comment only once stored): replies to it then find it", "siteKey",
          request=schemas.SiteCommentLink, parameters=(COMMENT_ID,), tag="comments",
          responses={200: ("Linked", schemas.SiteCommentLinkAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED,
                     404: ("No such comment for this site", schemas.ErrorBody),
                     422: INVALID, 503: UNAVAILABLE}),
    Route("put", "/v1/posts/{post_id}",
          "Set a post's rules: premoderated, closed, or open whatever its section says",
          "siteKey", request=schemas.PostRules, parameters=(POST_ID,), tag="posts",
          responses={200: ("The post's rules as stored", schemas.PostRulesAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED, 422: INVALID, 503: UNAVAILABLE}),
    Route("put", "/v1/sections",
          "Set the rules of the posts under an address prefix: premoderated, closed some "
          "days after they start", "siteKey", request=schemas.SectionRules, tag="posts",
          responses={200: ("The section's rules as stored (both null: removed)",
                           schemas.SectionRules),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED, 422: INVALID, 503: UNAVAILABLE}),
    Route("get", "/v1/sections", "List the site's sections, most specific first", "siteKey",
          tag="posts",
          responses={200: ("The sections", schemas.SectionList), 401: UNAUTHORIZED,
                     503: UNAVAILABLE}),
    Route("post", "/v1/comments/{comment_id}/feedback",
          "Report the site's own verdict on a comment, kept as a training label", "siteKey",
          request=schemas.FeedbackRequest, parameters=(COMMENT_ID,), tag="comments",
          responses={201: ("The label was recorded (each call adds one)",
                           schemas.FeedbackAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED,
                     404: ("No such comment for this site", schemas.ErrorBody),
                     422: INVALID, 503: UNAVAILABLE}),
    Route("post", "/v1/readers/export",
          "Export everything Hakam holds about one of the site's readers", "siteKey",
          request=schemas.ReaderRequest, tag="readers",
          responses={200: ("The reader's comments on this site, oldest first, with their "
                           "history and the labels made from them", schemas.ReaderExport),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED, 422: INVALID, 503: UNAVAILABLE}),
    Route("post", "/v1/readers/erase",
          "Erase one of the site's readers: their comments and everything made from them",
          "siteKey", request=schemas.ReaderRequest, tag="readers",
          responses={200: ("Erased (erasing again answers 0)", schemas.ReaderErasure),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED, 422: INVALID, 503: UNAVAILABLE}),
    Route("get", "/v1/review/queue", "List held comments, oldest first or by a score",
          "moderatorToken", parameters=(SITE_FILTER, PAGE_LIMIT, QUEUE_SORT, REASON_FILTER),
          tag="review",
          responses={200: ("Held comments and the queue depth", schemas.QueuePage),
                     400: ("A bad limit, sort or reason", schemas.ErrorBody), 401: UNAUTHORIZED,
                     503: UNAVAILABLE}),
    Route("post", "/v1/review/claim", "Claim held comments for a lease", "moderatorToken",
          request=schemas.ClaimRequest, body_required=False, tag="review",
          responses={200: ("The claimed comments and the lease length", schemas.ClaimAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED, 422: INVALID, 503: UNAVAILABLE}),
    Route("post", "/v1/review/{comment_id}/decision",
          "Decide a held comment (with \"group\": true, its whole campaign)", "moderatorToken",
          request=schemas.DecisionRequest, parameters=(COMMENT_ID,), tag="review",
          responses={200: ("The decision as recorded in the audit log (also when its "
                           "moderator sends it again); with \"group\": true, each other held "
                           "member's outcome too", schemas.GroupDecisionRecord),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED,
                     404: ("No such comment", schemas.ErrorBody),
                     409: ("Already decided otherwise or by another moderator, or claimed by "
                           "another moderator", schemas.ErrorBody),
                     422: INVALID, 503: UNAVAILABLE}),
    Route("get", "/v1/review/{comment_id}/author",
          "Read the record of a comment's author on its site", "moderatorToken",
          parameters=(COMMENT_ID,), tag="review",
          responses={200: ("Their comments counted by status, the last 10, what is in force "
                           "and the actions taken on them", schemas.AuthorRecord),
                     401: UNAUTHORIZED,
                     404: ("No such comment, or it was sent without an email "
                           "(no_author_record)", schemas.ErrorBody),
                     503: UNAVAILABLE}),
    Route("post", "/v1/review/{comment_id}/author/actions",
          "Premoderate, suspend, ban or lift the author of a comment on its site",
          "moderatorToken", request=schemas.AuthorActionRequest, parameters=(COMMENT_ID,),
          tag="review",
          responses={200: ("Done, with its audit entry (and, for a ban with decide_held, "
                           "each held comment decided)", schemas.AuthorActionAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED,
                     404: ("No such comment, or it was sent without an email "
                           "(no_author_record)", schemas.ErrorBody),
                     409: ("A lift with nothing in force (nothing_to_lift)", schemas.ErrorBody),
                     422: INVALID, 503: UNAVAILABLE}),
    Route("post", "/v1/review/decisions", "Decide several held comments in one action",
          "moderatorToken", request=schemas.DecisionsRequest, tag="review",
          responses={200: ("Each id's outcome, as deciding it alone would answer: one held "
                           "by another moderator or decided already is that id's 409, never "
                           "the batch's", schemas.DecisionsAnswer),
                     400: ("The body is not a JSON object", schemas.ErrorBody),
                     401: UNAUTHORIZED, 422: INVALID, 503: UNAVAILABLE}),
    Route("get", "/v1/review/audit", "List moderator decisions, newest first", "moderatorToken",
          parameters=(SITE_FILTER, PAGE_LIMIT), tag="review",
          responses={200: ("Decisions", schemas.AuditPage),
                     400: ("A bad limit", schemas.ErrorBody), 401: UNAUTHORIZED,
                     503: UNAVAILABLE}),
)


def _models() -> list[tuple[type[BaseModel], str]]:
    models: dict[tuple[type[BaseModel], str], None] = {}
    for route in ROUTES:
        if route.request is not None:
            models[(route.request, "validation")] = None
        for _description, model in route.responses.values():
            if model is not None:
                models[(model, "serialization")] = None
    return list(models)


def _parameter(parameter: Parameter) -> dict[str, Any]:
    return {"name": parameter.name, "in": parameter.where, "description": parameter.description,
            "required": parameter.required or parameter.where == "path",
            "schema": parameter.schema}


def _operation(route: Route, refs: dict) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": route.summary, "tags": [route.tag]}
    if route.security:
        operation["security"] = [{route.security: []}]
    if route.parameters:
        operation["parameters"] = [_parameter(p) for p in route.parameters]
    if route.request is not None:
        reference = refs[(route.request, "validation")]
        operation["requestBody"] = {
            "required": route.body_required,
            "content": {media: {"schema": _form(reference) if media == FORM else reference}
                        for media in route.media_types},
        }
    responses: dict[str, Any] = {}
    for status, (description, model) in sorted(route.responses.items()):
        answer: dict[str, Any] = {"description": description}
        headers = CREATED_HEADERS if status == 201 else ANSWER_HEADERS.get(status)
        if headers:
            answer["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                                 for name, text in headers.items()}
        if model is not None:
            answer["content"] = {JSON: {"schema": refs[(model, "serialization")]}}
        responses[str(status)] = answer
    operation["responses"] = responses
    return operation


def _form(reference: dict[str, str]) -> dict[str, str]:
    return {"$ref": reference["$ref"] + FORM_SUFFIX}


FORM_SUFFIX = "Form"


def _without_null(schema: Any) -> Any:
    """A JSON body's schema as a form can send it: a form field is text or absent, never null
    (an empty field counts as absent, as the JSON schema allows)."""
    if isinstance(schema, list):
        return [_without_null(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    shaped = {key: _without_null(value) for key, value in schema.items()
              if not (key == "default" and value is None)}
    if "anyOf" in shaped:
        shaped["anyOf"] = [branch for branch in shaped["anyOf"] if branch != {"type": "null"}]
    return shaped


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, built once per process."""
    refs, definitions = models_json_schema(_models(), ref_template=COMPONENTS)
    components = definitions.get("$defs", {})
    for route in ROUTES:
        if route.request is not None and FORM in route.media_types:
            name = refs[(route.request, "validation")]["$ref"].rsplit("/", 1)[1]
            components[name + FORM_SUFFIX] = {
                **_without_null(components[name]),
                "title": f"{components[name]['title']} (form)"}
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hakam",
            "version": "1",
            "description": "Comment moderation for news sites: submit a reader's comment, get a "
                           "decision with its reasons; moderators review what was held. "
                           "Error messages follow Accept-Language (ar or en), else the site's "
                           "language.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "comments", "description": "For integrating sites (site key)"},
                 {"name": "posts", "description": "A site's rules per post and per "
                                                   "section (site key)"},
                 {"name": "readers", "description": "Readers' privacy requests, passed on "
                                                     "by their site (site key)"},
                 {"name": "review", "description": "For moderators (moderator token)"}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": SECURITY_SCHEMES},
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of every /v1 route."""
    return jsonify(document())
