"""The author behind a held comment, for moderators: their record on the site and the actions
taken on them (premoderate, suspend, ban, lift).

`GET /v1/review/{id}/author` and `POST /v1/review/{id}/author/actions`. An author is named by
one of their comments, since Hakam keeps no email; the store finds the rest through the reader
index. The same checks serve the moderator page (`moderate.views`) and `hakam authors`.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask_babel import gettext

from .auth import require_moderator
from .errors import ValidationFailed
from .metrics import DECISIONS
from .schemas import AuthorActionRequest
from .scoring import get_adapters
from .store import DECISION_STATUS, get_store
from .validation import json_object_body, validate_body

bp = Blueprint("authors", __name__)


def check_action(body: AuthorActionRequest) -> None:
    """What one field allows depends on another: said per field, in the reader's language."""
    errors: dict[str, list[str]] = {}
    if body.action == "suspend" and body.days is None:
        errors["days"] = [gettext("A suspension needs a number of days.")]
    if body.action == "lift" and body.days is not None:
        errors["days"] = [gettext("Lifting takes no number of days.")]
    if body.decide_held is not None and body.action != "ban":
        errors["decide_held"] = [gettext("Held comments are decided together only with a ban.")]
    if errors:
        raise ValidationFailed(errors)


def act(comment_id: str, moderator: str, body: AuthorActionRequest) -> dict:
    """Take the action; the labels its decisions made count toward the site's next fit."""
    check_action(body)
    answer = get_store().act_on_author(comment_id, moderator, body.action, days=body.days,
                                       reason=body.reason or "", decide_held=body.decide_held)
    decided = (answer.get("held") or {}).get("decided")
    if decided:
        DECISIONS.labels(DECISION_STATUS[body.decide_held], "moderator").inc(len(decided))
        get_adapters().labels_added(answer["site"])
    return answer


@bp.get("/review/<comment_id>/author")
@require_moderator
def author_record(comment_id: str):
    return jsonify(get_store().author_record(comment_id))


@bp.post("/review/<comment_id>/author/actions")
@require_moderator
def author_action(comment_id: str):
    body = validate_body(AuthorActionRequest, json_object_body(
        gettext('Send a JSON object such as {"action": "suspend", "days": 7}.')))
    return jsonify(act(comment_id, g.moderator.name, body)), 200
