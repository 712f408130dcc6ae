"""POST /v1/comments and GET /v1/comments/{id}: parse and validate the comment, have it judged
and stored (moderation.accept), answer.

Views only parse, call and serialise: validation, judging and storage each live in their own
module. Nothing here logs or returns the reader's email or IP; both are reduced to keyed hashes
before they reach the store.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext

from . import jsonio, moderation
from .auth import require_site
from .errors import BadRequest, NotFound, UnsupportedMediaType
from .schemas import ReportRequest
from .store import get_store
from .validation import json_object_body, validate_body, validate_submission

bp = Blueprint("comments", __name__)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def read_fields() -> dict:
    """The submitted fields as a dict of the WordPress names, or a typed 400/413/415 error."""
    if request.mimetype not in (JSON, FORM):
        raise UnsupportedMediaType(gettext(
            "Send the comment as %(json)s or %(form)s, not %(given)s.", json=JSON, form=FORM,
            given=request.mimetype or gettext("a body without a Content-Type")))
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(gettext("Only UTF-8 bodies are accepted."))
    # past the limit: 413 from werkzeug (declared length) or errors.py (chunked)
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
        if request.mimetype == JSON:
            data = jsonio.loads_request(text)
        else:
            # A form may carry its UTF-8 percent-encoded or raw (as curl --data and many HTTP
            # libraries send it); both decode the same way.
            data = dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8",
                                  errors="strict"))
    except UnicodeDecodeError:
        raise BadRequest(gettext("The body is not valid UTF-8.")) from None
    except json.JSONDecodeError as error:
        raise BadRequest(gettext("The body is not valid JSON (error at character %(position)d).",
                                 position=error.pos)) from None
    except jsonio.TooDeeplyNested:
        raise BadRequest(gettext("The body is not valid JSON: it nests arrays or objects too "
                                 "deeply.")) from None
    if not isinstance(data, dict):
        raise BadRequest(gettext("The body must be a JSON object."))
    return data


@bp.post("/comments")
@require_site(checked_on_write=True)
def create_comment():
    """Judge a new comment and store it: published, held or rejected, with the reasons."""
    site = g.site
    store = get_store()
    fields = read_fields()
    idempotency_key = request.headers.get("Idempotency-Key", "").strip() or None
    if idempotency_key:
        first = store.idempotent_answer(site.name, idempotency_key)
        if first is not None:
            store.confirm_site(site)  # no replay for a key revoked since
            return jsonify(first), 201, {"Idempotent-Replayed": "true"}

    submission = validate_submission(fields, site.rules)
    comment_id, body = moderation.accept(site, submission, idempotency_key=idempotency_key)
    return jsonify(body), 201, {"Location": f"/v1/comments/{comment_id}"}


@bp.post("/comments/<comment_id>/reports")
@require_site
def report_comment(comment_id: str):
    """Pass on a reader's report of one of the site's comments.

    201 when it counted, 200 when this reporter had already reported the comment (nothing
    changes)."""
    body = validate_body(ReportRequest, json_object_body(gettext(
        'Send a JSON object such as {"reason": "abuse", "reporter": "reader-17"}.')))
    outcome = moderation.report(g.site, comment_id, reporter=body.reporter,
                                reason=body.reason, note=body.note)
    if outcome is None:  # another site's comment is indistinguishable from none
        raise NotFound(gettext("No such comment."))
    return jsonify({"comment_id": comment_id, "counted": outcome.counted,
                    "reports": outcome.reports, "status": outcome.status}), \
        201 if outcome.counted else 200


@bp.get("/comments/<comment_id>")
@require_site
def get_comment(comment_id: str):
    """One of the site's comments as it stands now."""
    # Another site's comment is indistinguishable from no comment at all.
    comment = get_store().get_comment(comment_id, site=g.site.name)
    if comment is None:
        raise NotFound(gettext("No such comment."))
    return jsonify({
        "id": comment["id"], "status": comment["status"], "scores": comment["scores"],
        "reasons": comment["reasons"], "model_version": comment["model_version"],
        "post_id": comment["post_id"], "created_at": comment["created_at"],
        "history": comment["history"],
    })
