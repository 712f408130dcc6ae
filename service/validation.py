"""Required-field rules and their messages: request data in, a valid model or a 422 out.

Runs every request body through its pydantic model (`schemas`), then turns each pydantic error
into a sentence in the reader's language: the error type (pydantic's own, or the custom types
`schemas` raises) and the field pick a gettext message, the error's context fills its numbers.
All failing fields are reported at once, keyed by the submitted field name.

Never echoes a submitted value back (an email or IP must not reach a response) and never returns
pydantic's English text to a client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext, ngettext
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import BadRequest, ValidationFailed
from .schemas import POST_ID_MAX_CHARS, CommentSubmission
from .site_settings import SiteRules

Model = TypeVar("Model", bound=BaseModel)


def _required(field: str) -> str:
    messages = {
        "comment": lambda: gettext("Please type your comment text."),
        "author": lambda: gettext("Please enter your name."),
        "email": lambda: gettext("Please enter your email address."),
        "comment_post_ID": lambda: gettext(
            "The post this comment belongs to is missing (comment_post_ID)."),
    }
    return messages.get(field, lambda: gettext("This field is required."))()


def _too_long(field: str, limit: int) -> str:
    messages = {
        "author": lambda: ngettext(
            "Your name is too long: it may have at most %(num)d character.",
            "Your name is too long: it may have at most %(num)d characters.", limit),
        "email": lambda: ngettext(
            "Your email address is too long: it may have at most %(num)d character.",
            "Your email address is too long: it may have at most %(num)d characters.", limit),
        "url": lambda: ngettext(
            "Your website address is too long: it may have at most %(num)d character.",
            "Your website address is too long: it may have at most %(num)d characters.", limit),
        "comment": lambda: _comment_too_long(limit),
        "comment_post_ID": lambda: ngettext(
            "The post ID is too long: it may have at most %(num)d character.",
            "The post ID is too long: it may have at most %(num)d characters.", limit),
        "post_url": lambda: ngettext(
            "The post address is too long: it may have at most %(num)d character.",
            "The post address is too long: it may have at most %(num)d characters.", limit),
        "site_comment_id": _comment_id_invalid,
    }
    default = lambda: ngettext(  # noqa: E731
        "This value is too long: it may have at most %(num)d character.",
        "This value is too long: it may have at most %(num)d characters.", limit)
    return messages.get(field, default)()


def _comment_too_long(limit: int) -> str:
    return ngettext(
        "Your comment is too long: it may take at most %(num)d byte "
        "(an Arabic letter takes two bytes).",
        "Your comment is too long: it may take at most %(num)d bytes "
        "(an Arabic letter takes two bytes).", limit)


def _not_text(field: str) -> str:
    if field == "comment_post_ID":
        return _post_id_invalid()
    if field == "comment_parent":
        return _parent_invalid()
    if field == "site_comment_id":
        return _comment_id_invalid()
    if field == "post_date":
        return _date_invalid()
    return gettext("This field must be text.")


def _post_id_invalid() -> str:
    return ngettext(
        "The post ID must be a positive whole number or an identifier of at most "
        "%(num)d character.",
        "The post ID must be a positive whole number or an identifier of at most "
        "%(num)d characters.", POST_ID_MAX_CHARS)


def _comment_id_invalid() -> str:
    return ngettext(
        "The comment ID must be a positive whole number or an identifier of at most "
        "%(num)d character.",
        "The comment ID must be a positive whole number or an identifier of at most "
        "%(num)d characters.", POST_ID_MAX_CHARS)


def _date_invalid() -> str:
    return gettext("The post date must be a date, or a date and time, such as "
                   "2026-03-01T09:30:00Z.")


def _parent_invalid() -> str:
    return gettext("The parent comment must be given by its number (0 for none).")


def _choices(expected: str) -> str:
    """pydantic's "'approve', 'reject' or 'spam'" as a list the reader's language can carry."""
    return gettext(", ").join(re.findall(r"'([^']*)'", expected))


def _number_out_of_range(field: str, context: Mapping[str, Any], kind: str) -> str:
    if field == "comment_parent":
        return _parent_invalid()
    if field == "comment_post_ID":
        return _post_id_invalid()
    if kind in ("greater_than_equal", "greater_than"):
        return gettext("Enter a number no smaller than %(limit)s.",
                       limit=context.get("ge", context.get("gt")))
    return gettext("Enter a number no larger than %(limit)s.",
                   limit=context.get("le", context.get("lt")))


def message_for(error: ErrorDetails, field: str) -> str:
    """One pydantic error on `field` as a sentence in the current locale."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in ("missing", "required", "string_too_short"):
        return _required(field)
    if kind in ("string_too_long", "too_long"):
        return _too_long(field, context["max_length"])
    if kind == "too_many_bytes":
        return _comment_too_long(context["max_bytes"])
    if kind == "control_characters":
        return gettext("This field contains control characters (such as NUL) that are not "
                       "allowed.")
    if kind == "email_invalid":
        return gettext("Please enter a valid email address.")
    if kind == "email_undeliverable":
        return gettext("The domain of this email address does not receive email.")
    if kind == "url_invalid":
        if field == "url_prefix":
            return gettext("The section must be a web address starting with http:// or "
                           "https://, such as https://akhbar.example/politics/.")
        if field == "post_url":
            return gettext("The post address must be a web address starting with http:// or "
                           "https://.")
        return gettext("Please enter a valid website address, such as https://example.com.")
    if kind == "ip_invalid":
        return gettext("The author's IP address is not a valid IPv4 or IPv6 address.")
    if kind == "post_id_invalid":
        return _post_id_invalid()
    if kind == "parent_invalid":
        return _parent_invalid()
    if kind == "comment_id_invalid":
        return _comment_id_invalid()
    if kind == "date_invalid":
        return _date_invalid()
    if kind in ("string_type", "str_type"):
        return _not_text(field)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if field in ("comment_parent", "comment_post_ID", "site_comment_id"):
            return _not_text(field)
        return gettext("Enter a whole number.")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _number_out_of_range(field, context, kind)
    if kind == "literal_error":
        if field == "language":
            return gettext("The language must be “ar” or “en”.")
        return gettext("Choose one of: %(choices)s.", choices=_choices(context["expected"]))
    if kind == "extra_forbidden":
        return gettext("This field does not apply to this request.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return gettext("The body must be a JSON object.")
    return gettext("This value is not valid.")


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Every failing field with its localised messages, keyed by the submitted name."""
    errors: dict[str, list[str]] = {}
    for detail in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in detail["loc"]) or "body"
        message = message_for(detail, field)
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    return errors


def validate_submission(fields: Mapping[str, object], rules: SiteRules) -> CommentSubmission:
    """The submitted comment as a `CommentSubmission`, or `ValidationFailed` (422)."""
    try:
        return CommentSubmission.model_validate(dict(fields), context={"rules": rules})
    except ValidationError as error:
        raise ValidationFailed(field_errors(error)) from None


def json_object_body(message: str) -> dict:
    """The request's JSON body, which must be an object; else a 400 saying `message`."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest(message)
    return data


def validate_body(model: type[Model], data: object) -> Model:
    """A request body as `model`, or `ValidationFailed` (422) with localised field errors."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error)) from None
