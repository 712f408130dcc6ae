"""The review API: moderators list, claim and decide held comments."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext

from . import moderation
from .auth import require_moderator
from .errors import BadRequest, HakamError
from .schemas import ClaimRequest, DecisionRequest, DecisionsRequest
from .store import get_store
from .store.review import SORTS
from .validation import validate_body
from .vocabulary import HOLD_REASONS

bp = Blueprint("review", __name__)
MAX_PAGE = 500


def _public(comment: dict) -> dict:
    """A held comment as moderators see it: never the author's email or IP (not stored anyway)."""
    return {k: comment[k] for k in (
        "id", "site", "status", "scores", "reasons", "model_version", "text", "author", "url",
        "post_id", "post_url", "post_title", "parent", "created_at", "lease", "audit",
        "campaign", "reports") if k in comment}


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(gettext("%(name)s must be a whole number.", name=name)) from None
    if not low <= value <= high:
        raise BadRequest(gettext("%(name)s must be between %(low)d and %(high)d.", name=name,
                                 low=low, high=high))
    return value


def _json_body() -> object:
    """The JSON sent, or {} when nothing was (the models' defaults then apply); JSON that is no
    object (false, [], 3) goes on to validation, which refuses it (422)."""
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest(gettext("The body must be a JSON object."))
    return data


def _hold_reason(reason: str | None) -> str | None:
    """A hold reason filter (`reader_reports`: comments readers reported), or 400."""
    if reason is None:
        return None
    if reason not in HOLD_REASONS:
        raise BadRequest(gettext("reason must be one of %(codes)s.",
                                 codes=", ".join(HOLD_REASONS)))
    return reason


def _sort_arg() -> str:
    sort = request.args.get("sort") or "arrival"
    if sort not in SORTS:
        raise BadRequest(gettext("sort must be one of %(choices)s.", choices=", ".join(SORTS)))
    return sort


@bp.get("/review/queue")
@require_moderator
def queue():
    """Held comments, oldest first or by a score (sort=arrival|abuse|spam)."""
    site = request.args.get("site") or None
    limit = _int_arg("limit", 50, 1, MAX_PAGE)
    sort = _sort_arg()
    store = get_store()
    held = store.queue(site=site, limit=limit, sort=sort,
                       reason=_hold_reason(request.args.get("reason")))
    return jsonify({"comments": [_public(c) for c in held], "depth": store.queue_depth(site)})


@bp.post("/review/claim")
@require_moderator
def claim():
    """Lease the next held comments (in the order asked) to the calling moderator."""
    body = validate_body(ClaimRequest, _json_body())
    lease = current_app.config["HAKAM"].lease_seconds
    claimed = get_store().claim(g.moderator.name, limit=body.limit, site=body.site,
                                lease_seconds=lease, sort=body.sort,
                                reason=body.reason)
    return jsonify({"comments": [_public(c) for c in claimed], "lease_seconds": lease})


@bp.post("/review/<comment_id>/decision")
@require_moderator
def decide(comment_id: str):
    """Decide one held comment, or with "group": true its whole campaign."""
    body = validate_body(DecisionRequest, _json_body())
    if not body.group:
        record = moderation.record_decision(comment_id, g.moderator.name, body.decision,
                                            body.reason or "")
        return jsonify(record), 200
    record, campaign, outcomes = moderation.record_group_decision(
        comment_id, g.moderator.name, body.decision, body.reason or "")
    return jsonify({**record, "group": {"campaign": campaign,
                                        "results": decision_outcomes(outcomes)}}), 200


def decision_outcomes(outcomes: list[tuple[str, dict | HakamError]]) -> list[dict]:
    """Each id's outcome of a bulk decision, as the one-comment route would answer it."""
    return [{"id": comment_id, "status": outcome.status, "error": outcome.body()}
            if isinstance(outcome, HakamError) else
            {"id": comment_id, "status": 200, "record": outcome}
            for comment_id, outcome in outcomes]


@bp.post("/review/decisions")
@require_moderator
def decide_many():
    """Decide several held comments in one action; each id answers its own outcome."""
    body = validate_body(DecisionsRequest, _json_body())
    outcomes = moderation.record_decisions(body.ids, g.moderator.name, body.decision,
                                           body.reason or "", group=body.group)
    return jsonify({"results": decision_outcomes(outcomes)}), 200


@bp.get("/review/audit")
@require_moderator
def audit():
    """The latest moderators' decisions, newest first."""
    limit = _int_arg("limit", 50, 1, MAX_PAGE)
    return jsonify({"decisions": get_store().audit(limit=limit,
                                                    site=request.args.get("site") or None)})
