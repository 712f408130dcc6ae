"""POST /v1/comments and GET /v1/comments/{id}: parse, validate, score, decide, store.

Views only parse, call and serialise: validation, policy and storage each live in their own
module. Nothing here logs or returns the reader's email or IP; both are reduced to keyed hashes
before they reach the store.
"""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qsl

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext

from . import jsonio, policy
from .auth import require_site
from .errors import BadRequest, NotFound, UnsupportedMediaType
from .i18n import translator
from .metrics import DECISIONS
from .scoring import answered, score_comment, shipped_spam_over, site_model
from .store import get_store
from .store.authors import AuthorHold
from .validation import validate_submission

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


def _answer(comment_id: str, status: str, score, reasons: list[dict], model_version: str):
    return {
        "id": comment_id, "status": status,
        "scores": {"spam": answered(score.spam), "abuse": answered(score.abuse)},
        "reasons": reasons, "model_version": model_version,
    }


def _model_reasons(score, text: str) -> list[dict]:
    return [{"code": r.code, "message": _model_message(r, text), "task": r.task,
             "spans": [list(s) for s in r.spans]} for r in score.reasons]


def _model_message(reason, text: str) -> str:
    """The model explains in English; the answer names the same words in the reader's language."""
    gettext, _, spoken_list = translator()
    terms = spoken_list([f"“{text[start:end]}”" for start, end in reason.spans])
    if reason.code == "spam_terms":
        return gettext("These words and signs often appear in spam: %(terms)s.",
                       terms=terms or gettext("(signals without words)"))
    if reason.code == "abuse_terms":
        return gettext("These words often appear in abusive comments: %(terms)s.", terms=terms)
    return reason.message


@bp.post("/comments")
@require_site(checked_on_write=True)
def create_comment():
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

    model = site_model(site)  # the shipped model, or with the site's own adapter
    trusted = site.policy.trusted_for(submission.post_url)
    score = score_comment(submission.comment, trusted, model)
    # WordPress identifies a logged-out author by email (or name when email is optional).
    author_key = store.private_key(submission.email or f"name:{submission.author}")
    facts = policy.CommentFacts(
        text=submission.comment, author=submission.author, email=submission.email,
        url=submission.url or "", author_ip=submission.author_ip or "",
        user_agent=submission.user_agent or "",
        # one more Redis round trip, only for sites that hold first-time authors
        approved_before=(site.policy.previously_approved
                         and store.approved_before(site.name, author_key)),
        trusted_domains=trusted, cited=score.cited,
        shipped_spam=shipped_spam_over(score, submission.comment, trusted, model, site.policy),
    )
    decision = policy.decide(score, site.policy, model.thresholds, facts)
    # The decision's reasons first (which rule or threshold decided), then the words behind
    # each score, so a moderator sees both.
    reasons = list(decision.reasons) + _model_reasons(score, submission.comment)

    ip_key = store.private_key(submission.author_ip) if submission.author_ip else None
    # A random share of what is published goes to moderators too: the only labels that show
    # what the model let through, and so an honest recall estimate for the site.
    audit_rate = site.policy.audit_rate
    if audit_rate is None:
        audit_rate = current_app.config["HAKAM"].audit_rate
    sampled = audit_rate if decision.status == "approved" and random.random() < audit_rate \
        else None
    comment = {
        "text": submission.comment, "author": submission.author, "url": submission.url or "",
        "post_id": submission.post_id,
        "parent_id": str(submission.parent_id) if submission.parent_id else "",
        "post_url": submission.post_url or "", "language": submission.language or "",
        "author_key": author_key,
        "scores": {"spam": score.spam, "abuse": score.abuse}, "reasons": reasons,
        "model_version": model.version,
    }

    def store_as(decided: policy.Decision, reasons: list[dict], author_hold_applied: bool):
        return store.accept(
            site=site.name, comment={**comment, "reasons": reasons}, status=decided.status,
            answer=lambda cid: _answer(cid, decided.status, score, reasons, model.version),
            duplicate_of="\0".join((submission.post_id, author_key,
                                    submission.comment.strip())),
            author_key=author_key, ip_key=ip_key, idempotency_key=idempotency_key,
            sampled_for_audit=sampled if decided.status == "approved" else None,
            site_version=site.version,
            # an author named by email has a record moderators may act on (authors.py)
            author_recorded=bool(submission.email),
            hold_after_rejections=site.policy.hold_after_rejections,
            author_hold_applied=author_hold_applied)

    try:
        comment_id, body = store_as(decision, reasons, False)
    except AuthorHold as hold:  # a second round trip, for a held author's comments alone
        decision = policy.held_for_author(decision, hold.code, site.policy)
        reasons = list(decision.reasons) + _model_reasons(score, submission.comment)
        comment_id, body = store_as(decision, reasons, True)
    if body["id"] == comment_id and body["status"] == decision.status:
        DECISIONS.labels(decision.status, "policy").inc()
    return jsonify(body), 201, {"Location": f"/v1/comments/{comment_id}"}


@bp.get("/comments/<comment_id>")
@require_site
def get_comment(comment_id: str):
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
