"""A site's rules per post and per section, set by the site itself (its key):

- `PUT /v1/posts/{post_id}`: premoderate a post, close it, or open it whatever its section says;
- `PUT /v1/sections`, `GET /v1/sections`: rules for every post under an address prefix;
- `PATCH /v1/comments/{id}`: the site's own id for a comment sent before it had one, so that
  replies to it find it.

Views parse, call the store and serialise; what the rules mean is `discussion`'s, and intake
applies them. `hakam posts configure` and `hakam sections configure` do the same from a shell.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask_babel import gettext

from .auth import require_site
from .discussion import PostRule, SectionRule, section_prefix
from .errors import NotFound, ValidationFailed
from .schemas import _POST_ID, PostRules, SectionRules, SiteCommentLink
from .store import get_store
from .validation import _post_id_invalid, json_object_body, validate_body

bp = Blueprint("posts", __name__)


def _post_id(post_id: str) -> str:
    post_id = post_id.strip()
    if not _POST_ID.fullmatch(post_id):
        raise ValidationFailed({"post_id": [_post_id_invalid()]})
    return post_id


def post_answer(post_id: str, rule: PostRule) -> dict:
    return {"post_id": post_id, **rule.to_dict()}


@bp.put("/posts/<post_id>")
@require_site
def configure_post(post_id: str):
    """Set one post's discussion rules (premoderated, closed)."""
    post_id = _post_id(post_id)
    body = validate_body(PostRules, json_object_body("send a JSON object"))
    rule = get_store().configure_post(
        g.site.name, post_id, PostRule(premoderation=body.premoderation, closed=body.closed))
    return jsonify(post_answer(post_id, rule))


@bp.put("/sections")
@require_site
def configure_section():
    """Set the discussion rules of the posts under one URL prefix."""
    body = validate_body(SectionRules, json_object_body("send a JSON object"))
    rule = get_store().configure_section(g.site.name, SectionRule(
        url_prefix=section_prefix(body.url_prefix), premoderation=body.premoderation,
        close_after_days=body.close_after_days))
    return jsonify(rule.to_dict())


@bp.get("/sections")
@require_site
def list_sections():
    """The site's sections and their discussion rules."""
    return jsonify({"sections": [s.to_dict() for s in g.site.discussion.sections]})


@bp.patch("/comments/<comment_id>")
@require_site
def link_site_comment(comment_id: str):
    """Note the id the site gave one of its comments."""
    body = validate_body(SiteCommentLink, json_object_body("send a JSON object"))
    # Another site's comment is indistinguishable from no comment at all.
    if not get_store().link_site_comment(g.site.name, comment_id, body.site_comment_id):
        raise NotFound(gettext("No such comment."))
    return jsonify({"id": comment_id, "site_comment_id": body.site_comment_id})
