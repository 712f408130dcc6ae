"""The author behind a held comment, for moderators: their record on the site and the actions
taken on them (premoderate, suspend, ban, lift).

`GET /v1/review/{id}/author` and `POST /v1/review/{id}/author/actions`. An author is named by
one of their comments, since Hakam keeps no email; the store finds the rest through the reader
index. The same checks serve the moderator page (`moderate.views`) and `hakam authors`.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask_babel import gettext

from . import moderation
from .auth import require_moderator
from .schemas import AUTHOR_ACTIONS, AuthorActionChoice
from .store import get_store
from .validation import json_object_body, validate_body

bp = Blueprint("authors", __name__)


def validate_author_action(data: object):
    """The body as the model of the action it names (schemas.AUTHOR_ACTIONS), or a 422 naming
    each failing field: `days` missing for a suspension, or sent with a lift, say."""
    choice = validate_body(AuthorActionChoice, data)
    return validate_body(AUTHOR_ACTIONS[choice.action], data)


def act(comment_id: str, moderator: str, body) -> dict:
    """Take the action; a ban's decisions on held comments are followed up as any moderator's
    decision is (moderation.after_decisions: labels, /metrics counts and waits)."""
    answer = get_store().act_on_author(
        comment_id, moderator, body.action, days=getattr(body, "days", None),
        reason=body.reason or "", decide_held=getattr(body, "decide_held", None))
    moderation.after_decisions(answer.decisions)
    return answer


@bp.get("/review/<comment_id>/author")
@require_moderator
def author_record(comment_id: str):
    """The held comment's author on its site: counts, last 10 comments, restriction, actions."""
    return jsonify(get_store().author_record(comment_id))


@bp.post("/review/<comment_id>/author/actions")
@require_moderator
def author_action(comment_id: str):
    """Premoderate, suspend, ban or lift the held comment's author on its site."""
    body = validate_author_action(json_object_body(
        gettext('Send a JSON object such as {"action": "suspend", "days": 7}.')))
    return jsonify(act(comment_id, g.moderator.name, body)), 200
