"""PLACEHOLDER (replaced by the validation branch): minimal required-field checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ValidationFailed


@dataclass(frozen=True)
class SiteRules:
    require_name_email: bool = True
    check_deliverability: bool = False


@dataclass(frozen=True)
class CommentSubmission:
    comment: str
    author: str
    email: str
    url: str | None
    post_id: str
    parent_id: str | None
    post_url: str | None
    author_ip: str | None
    user_agent: str | None
    language: str | None


def validate_submission(fields: Mapping[str, object], rules: SiteRules) -> CommentSubmission:
    get = lambda k: str(fields.get(k) or "")  # noqa: E731
    errors = {}
    if not get("comment").strip():
        errors["comment"] = ["Please type your comment text."]
    if rules.require_name_email and not get("author").strip():
        errors["author"] = ["Please enter your name."]
    if rules.require_name_email and "@" not in get("email"):
        errors["email"] = ["Please enter a valid email address."]
    if errors:
        raise ValidationFailed(errors)
    return CommentSubmission(get("comment"), get("author"), get("email"), get("url") or None,
                             get("comment_post_ID"), get("comment_parent") or None,
                             get("post_url") or None, get("author_ip") or None,
                             get("user_agent") or None, get("language") or None)


def validate_body(model, data):
    try:
        return model.model_validate(data)
    except Exception as error:
        raise ValidationFailed({"body": [str(error)]}) from None
