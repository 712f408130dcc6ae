"""POST /v1/comments/{id}/feedback: a site's editor judged one of its comments; keep it as a label.

An editor marking a comment spam, not spam, abusive or fine in the site's own admin (WordPress's
spam / unspam / approve actions, sent by the plugin) is the most plentiful training signal we
get. Each call appends one label with source ``site`` to the labels stream that `hakam labels
export` reads; it never changes the comment's status in Hakam (the site already acted on it, and
moderator decisions stay the moderators' own).

Repeated feedback adds rather than replaces: every editor action is a separate labelling event
(spam, then not spam, leaves both in the stream, in order), so the training side sees the whole
history and may keep the last label per comment. A site sees only its own comments: another
site's comment id answers 404 exactly like an unknown one, as GET /v1/comments/{id} does.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from .auth import require_site
from .errors import NotFound
from .schemas import FeedbackAnswer, FeedbackRequest
from .scoring import get_adapters
from .store import get_store
from .validation import json_object_body, validate_body

bp = Blueprint("feedback", __name__)

# The label an editor gives, as (classifier head, value) for the labels stream.
FEEDBACK_LABELS: dict[str, tuple[str, int]] = {
    "spam": ("spam", 1),
    "ham": ("spam", 0),
    "abuse": ("abuse", 1),
    "ok": ("abuse", 0),
}


@bp.post("/comments/<comment_id>/feedback")
@require_site
def give_feedback(comment_id: str):
    """A site's verdict on one of its comments, kept as a training label."""
    body = validate_body(
        FeedbackRequest, json_object_body('send a JSON object such as {"label": "spam"}'))
    store = get_store()
    # Another site's comment is indistinguishable from no comment at all.
    comment = store.get_comment(comment_id, site=g.site.name)
    if comment is None:
        raise NotFound("no such comment")
    task, value = FEEDBACK_LABELS[body.label]
    store.record_label(comment["text"], task, value, source="site", comment_id=comment_id,
                       site=g.site.name)
    get_adapters().labels_added(g.site.name)
    answer = FeedbackAnswer(comment_id=comment_id, label=body.label, task=task, value=value,
                            source="site")
    return jsonify(answer.model_dump()), 201
