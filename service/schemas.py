"""The shapes of the HTTP API: request bodies with their rules, and the answers.

One source for both validation and documentation: `validation` runs requests through these
models, and `openapi` builds /openapi.json from their JSON Schema. A limit is written once, here.

Rule failures raise `PydanticCustomError` with a stable error type (``required``,
``too_many_bytes``, ``control_characters``, ``email_invalid``...); this module never holds a
sentence meant for a reader: `validation` turns each error type into a localised message.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, EmailUndeliverableError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hakam.model.scorer import MAX_SPANS

from .discussion import MAX_CLOSE_AFTER_DAYS
from .reader_keys import normalized_email
from .site_settings import SiteRules
from .vocabulary import (
    HOLD_REASONS,
    MissingParent,
    ModeratorDecision,
    ReportReason,
    Status,
    one_of,
)

# WordPress's limits, from wp_get_comment_fields_max_lengths(): the wp_comments column sizes less
# a margin of 10. The comment is a TEXT column, so its limit is in bytes, not characters.
AUTHOR_MAX_CHARS = 245
EMAIL_MAX_CHARS = 100
URL_MAX_CHARS = 200
COMMENT_MAX_BYTES = 65_525
# WordPress keeps the first 254 characters of the User-Agent (wp_new_comment), so do we.
USER_AGENT_MAX_CHARS = 254
POST_ID_MAX_CHARS = 64
# WordPress's post ids are BIGINT(20) UNSIGNED
POST_NUMBER_MAX = 2**64 - 1
POST_URL_MAX_CHARS = 2_000
# WordPress keeps a post's title in a TEXT column; a moderator's card needs far less, so a
# longer one is cut, as the User-Agent is.
POST_TITLE_MAX_CHARS = 1_000

# C0 controls other than tab, newline and carriage return: never part of a reader's text.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f"
_CONTROL_CHARACTERS = re.compile(f"[{_CONTROL}]")

# What each text field accepts, written once as a pattern that both the validators below and
# /openapi.json use, so that a client (or a fuzzer) can build exactly what is accepted. Values
# are trimmed first, as WordPress trims them; the patterns allow the spaces trimming removes.
# One character that is neither a space nor a control, or a run of printable characters that
# starts and ends with one: what is left of a filled field once trimmed.
_FILLED = rf"[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?"
PRINTABLE = rf"^\s*(?:{_FILLED})?\s*$"  # filled or blank


def filled(most: int) -> str:
    """A filled field (see _FILLED), at most `most` characters once trimmed: the service
    trims before it counts, as WordPress does, so the limit is written into the pattern rather
    than as a maxLength on what was sent."""
    return rf"^\s*[^\s{_CONTROL}](?:[^{_CONTROL}]{{0,{most - 2}}}[^\s{_CONTROL}])?\s*$"


def _no_spaces_longer_than(most: int) -> str:
    # for patterns whose value holds no space: at most `most` characters once trimmed
    return rf"(?=\S{{0,{most}}}\s*$)"


BLANK = r"^\s*$"
_HOST = rf"[^\s/?#@:\[\]\\{_CONTROL}]+"
_PORT = r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?"
_PATH = rf"(?:[/?#][^\s{_CONTROL}]*)?"
_HTTP = r"[Hh][Tt][Tt][Pp][Ss]?://"
# An http(s) address with a host (a port up to 65535, any path); blank counts as absent.
_ADDRESS = rf"{_HOST}{_PORT}{_PATH}"
WEB_ADDRESS = rf"^\s*{_no_spaces_longer_than(POST_URL_MAX_CHARS)}(?:{_HTTP}{_ADDRESS})?\s*$"
# A section's start: an http(s) address, required.
WEB_ADDRESS_FILLED = rf"^\s*{_no_spaces_longer_than(POST_URL_MAX_CHARS)}{_HTTP}{_ADDRESS}\s*$"
# The reader's website may leave out the scheme: WordPress's esc_url() adds http://.
WEBSITE = rf"^\s*{_no_spaces_longer_than(URL_MAX_CHARS)}(?:(?:{_HTTP})?{_ADDRESS})?\s*$"
# A post id string: anything filled, but a number must be a positive one ("0" and "-1" name
# no post).
POST_ID = rf"^(?!\s*(?:\+?0+|-[0-9]+)\s*$){filled(POST_ID_MAX_CHARS)[1:]}"
# A parent comment given as text (as forms send it): its number, or nothing for none.
PARENT_ID = r"^\s*[0-9]{0,4300}\s*$"
_HAS_SCHEME = re.compile(_HTTP)
_WEB_ADDRESS = re.compile(WEB_ADDRESS)
_WEBSITE = re.compile(WEBSITE)
_POST_ID = re.compile(POST_ID)


def _without_control_characters(value: str | None) -> str | None:
    if value is not None and _CONTROL_CHARACTERS.search(value):
        raise PydanticCustomError("control_characters", "control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_without_control_characters)]


def _text(max_length: int) -> Any:
    """Text whose length is checked as submitted, before any validator rewrites it."""
    return Annotated[str, StringConstraints(max_length=max_length),
                     AfterValidator(_without_control_characters)]


def _matching(pattern: re.Pattern[str], value: str) -> str:
    if not pattern.fullmatch(value):
        raise PydanticCustomError("url_invalid", "not an http(s) address")
    return value


def whole_number(value: Any) -> Any:
    """A JSON number with no fraction (5.0, 1e2) as the integer it is (JSON Schema counts it
    one); anything else as it came, for the field's own rules to judge."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _rules(info: ValidationInfo) -> Any:
    """The site's rules from the validation context (a SiteRules), or WordPress's."""
    rules = (info.context or {}).get("rules")
    return SiteRules() if rules is None else rules


def _trimmed(pattern: str, **extra: Any) -> Any:
    """A text field's schema: `pattern` (see `filled`) in place of the lengths pydantic
    writes, which would count what was sent rather than what is left once trimmed."""
    def shape(schema: dict[str, Any]) -> None:
        for key in ("minLength", "maxLength"):
            schema.pop(key, None)
        schema.update(pattern=pattern, **extra)
    return shape


def _post_id_schema(schema: dict[str, Any]) -> None:
    """WordPress posts comment_post_ID as a number; other CMSs may send an id string."""
    schema.pop("type", None)
    for key in ("minLength", "maxLength"):
        schema.pop(key, None)
    schema["anyOf"] = [{"type": "integer", "minimum": 1, "maximum": POST_NUMBER_MAX},
                       {"type": "string", "pattern": POST_ID}]


def _site_comment_id_schema(schema: dict[str, Any]) -> None:
    """An id as comment_post_ID takes one, or blank or null for none."""
    schema.pop("type", None)
    for key in ("minLength", "maxLength"):
        schema.pop(key, None)
    schema["anyOf"] = [{"type": "integer", "minimum": 1, "maximum": POST_NUMBER_MAX},
                       {"type": "string", "pattern": POST_ID},
                       {"type": "string", "pattern": BLANK}, {"type": "null"}]


def _post_date_schema(schema: dict[str, Any]) -> None:
    schema["anyOf"] = [{"type": "string", "format": "date-time"},
                       {"type": "string", "format": "date"},
                       {"type": "string", "pattern": BLANK}, {"type": "null"}]


def _id_number(value: Any, error: str) -> Any:
    """A post or comment id as text: a whole number (1 to 2**64 - 1, as WordPress's BIGINT
    UNSIGNED ids) becomes its digits; anything else goes on as it came, for the pattern."""
    if isinstance(value, bool):
        raise PydanticCustomError(error, "not an id")
    value = whole_number(value)
    if isinstance(value, int):
        if not 1 <= value <= POST_NUMBER_MAX:
            raise PydanticCustomError(error, "not an id")
        return str(value)
    return value


def _site_comment_id_number(value: Any) -> Any:
    """The site's id of a comment (`site_comment_id`) as text, as `_id_number` makes one."""
    return _id_number(value, "comment_id_invalid")


def _site_comment_id_text(value: str | None) -> str | None:
    """A `site_comment_id` sent as text must still be an id (a blank one is None by now)."""
    if value and not _POST_ID.fullmatch(value):
        raise PydanticCustomError("comment_id_invalid", "not a comment id")
    return value


def parse_post_date(value: str) -> float:
    """An ISO 8601 date or date and time as Unix seconds; one without an offset is UTC (as
    WordPress's post_date_gmt is written). ValueError when it is neither."""
    value = value.strip().upper()
    if "T" not in value and len(value) > 10:
        value = value.replace(" ", "T", 1)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _parent_schema(schema: dict[str, Any]) -> None:
    schema["anyOf"].insert(1, {"type": "string", "pattern": PARENT_ID})


def _absent_when_blank(extra: dict[str, Any]) -> Any:
    """An optional field's schema: `extra` for a value, or blank or null for none."""
    def shape(schema: dict[str, Any]) -> None:
        branches = schema["anyOf"]
        value = next(b for b in branches if b.get("type") != "null")
        value.pop("maxLength", None)  # in the pattern, counted once trimmed
        value.update(extra)
        if "pattern" not in extra:  # the pattern allows blank itself otherwise
            branches.insert(1, {"type": "string", "pattern": BLANK})
    return shape


def _submission_schema(schema: dict[str, Any]) -> None:
    # WordPress's default: name and email required (a site may turn it off, see below)
    schema["required"] = [*schema["required"][:1], "author", "email",
                          *schema["required"][1:]]
    for name in ("author", "email"):
        schema["properties"][name].pop("default", None)


def _form_boolean_schema(schema: dict) -> None:
    """A boolean that a form may also send as text (true/false, 1/0)."""
    schema.pop("type", None)
    schema["anyOf"] = [{"type": "boolean"}, {"enum": ["true", "false", "1", "0"]}]


class CommentSubmission(BaseModel):
    """A reader's comment, in the field names of WordPress's comment form (wp-comments-post.php).

    JSON or application/x-www-form-urlencoded. Fields are trimmed as WordPress trims them.
    `author` and `email` are required unless the site turned off "name and email required".
    """

    model_config = ConfigDict(strict=True, str_strip_whitespace=True, extra="ignore",
                              populate_by_name=True, frozen=True,
                              json_schema_extra=_submission_schema)

    comment: Text = Field(
        max_length=COMMENT_MAX_BYTES,
        description=f"The comment text: at most {COMMENT_MAX_BYTES} bytes of UTF-8 "
                    "(an Arabic letter takes two). Blank text counts as missing.",
        json_schema_extra=_trimmed(filled(COMMENT_MAX_BYTES),
                                   **{"x-maxBytes": COMMENT_MAX_BYTES}))
    author: Text = Field(
        "", max_length=AUTHOR_MAX_CHARS, validate_default=True,
        json_schema_extra=_trimmed(filled(AUTHOR_MAX_CHARS)),
        description="The reader's name. Required, as WordPress requires it, unless the site "
                    "turned off \"name and email required\" (`hakam sites configure "
                    "--no-require-name-email`): then it may be left out or blank.")
    email: Text = Field(
        "", max_length=EMAIL_MAX_CHARS, validate_default=True,
        json_schema_extra={"format": "idn-email"},
        description="The reader's email: internationalised addresses are accepted, special-use "
                    "domains (.test, .local, .invalid...) are not. Required unless "
                    "the site turned off \"name and email required\", as for `author`. Never "
                    "stored nor answered: only a keyed hash is kept.")
    url: _text(URL_MAX_CHARS) | None = Field(
        None, json_schema_extra=_absent_when_blank({"pattern": WEBSITE}),
        description="The reader's website; http:// is added when the scheme is missing.")
    post_id: Text = Field(
        alias="comment_post_ID", min_length=1, max_length=POST_ID_MAX_CHARS,
        json_schema_extra=_post_id_schema,
        description="The post commented on: a positive integer or an id string.")
    parent_id: int | None = Field(
        None, alias="comment_parent", ge=0, json_schema_extra=_parent_schema,
        description="The comment replied to; 0 or absent for a top-level comment.")
    post_url: _text(POST_URL_MAX_CHARS) | None = Field(
        None, json_schema_extra=_absent_when_blank({"pattern": WEB_ADDRESS}),
        description="The post's public http(s) address.")
    author_ip: Text | None = Field(
        None, json_schema_extra=_absent_when_blank(
            {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}),
        description="The reader's IPv4 or IPv6 address. Never stored nor answered: only a "
                    "keyed hash is kept.")
    user_agent: Text | None = Field(
        None, json_schema_extra=_absent_when_blank({"pattern": PRINTABLE}),
        description=f"The reader's User-Agent; cut to {USER_AGENT_MAX_CHARS} characters "
                    "as WordPress does.")
    language: Literal["ar", "en"] | None = Field(
        None, json_schema_extra=_absent_when_blank({}), description="The comment's language.")
    site_comment_id: Text | None = Field(
        None, max_length=POST_ID_MAX_CHARS, json_schema_extra=_site_comment_id_schema,
        description="The site's own id of this comment (WordPress's comment ID), as "
                    "comment_post_ID takes one: a later reply's comment_parent names it, and "
                    "the moderator sees the comment beside its reply.")
    post_title: Text | None = Field(
        None, json_schema_extra=_absent_when_blank({"pattern": PRINTABLE}),
        description="The post's title, shown to the moderator on the comment's card; cut to "
                    f"{POST_TITLE_MAX_CHARS} characters.")
    post_date: Text | None = Field(
        None, json_schema_extra=_post_date_schema,
        description="When the post was published (ISO 8601; UTC when no offset is given): "
                    "a section closed some days after its posts' start counts from it, "
                    "else from the post's first comment.")
    nudge_token: str | None = Field(
        None, max_length=1000,
        description="The `nudge_token` of a 422 `nudge` answer, sent back with the comment "
                    "(edited or not) to post it: it is then taken as usual, held if it still "
                    "scores over the site's abuse threshold. An unknown or hour-old token "
                    "counts as none.")
    nudge: bool = Field(
        True, json_schema_extra=_form_boolean_schema,
        description="false: this client cannot show its reader a nudge (a form without "
                    "JavaScript, a retry): the comment is taken as usual and no nudge is "
                    "counted. Forms may send true/false or 1/0.")

    @field_validator("nudge", mode="before")
    @classmethod
    def _form_boolean(cls, value: Any) -> Any:
        # a form sends every field as text
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "0", "false"):
            return value.strip().lower() in ("1", "true")
        return value

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data

    @field_validator("url", "post_url", "author_ip", "user_agent", "language", "parent_id",
                     "site_comment_id", "post_title", "post_date", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        # An HTML form sends an untouched optional field as an empty string.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("comment")
    @classmethod
    def _comment_text(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("required", "the comment is blank")
        size = len(value.encode("utf-8"))
        if size > COMMENT_MAX_BYTES:
            raise PydanticCustomError("too_many_bytes", "over {max_bytes} bytes",
                                      {"max_bytes": COMMENT_MAX_BYTES, "bytes": size})
        return value

    @field_validator("author")
    @classmethod
    def _author_name(cls, value: str, info: ValidationInfo) -> str:
        if not value and _rules(info).require_name_email:
            raise PydanticCustomError("required", "the name is missing")
        return value

    @field_validator("email")
    @classmethod
    def _email_address(cls, value: str, info: ValidationInfo) -> str:
        rules = _rules(info)
        if not value:
            if rules.require_name_email:
                raise PydanticCustomError("required", "the email is missing")
            return value
        try:
            return normalized_email(value, check_deliverability=rules.check_deliverability)
        except EmailUndeliverableError:
            raise PydanticCustomError("email_undeliverable", "the domain takes no email") \
                from None
        except EmailNotValidError:
            raise PydanticCustomError("email_invalid", "not an email address") from None

    @field_validator("url")
    @classmethod
    def _website(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # WordPress's esc_url() adds http:// to an address typed without a scheme.
        _matching(_WEBSITE, value)
        return value if _HAS_SCHEME.match(value) else f"http://{value}"

    @field_validator("post_url")
    @classmethod
    def _post_address(cls, value: str | None) -> str | None:
        return None if value is None else _matching(_WEB_ADDRESS, value)

    @field_validator("post_id", mode="before")
    @classmethod
    def _post_number(cls, value: Any) -> Any:
        return _id_number(value, "post_id_invalid")

    _site_comment_number = field_validator("site_comment_id", mode="before")(
        _site_comment_id_number)
    _site_comment_text = field_validator("site_comment_id")(_site_comment_id_text)

    @field_validator("post_date")
    @classmethod
    def _post_date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse_post_date(value)
        except ValueError:
            raise PydanticCustomError("date_invalid", "not a date") from None
        return value

    @property
    def post_published_at(self) -> float | None:
        """post_date as Unix seconds, when the site sent it."""
        return parse_post_date(self.post_date) if self.post_date else None

    @field_validator("post_id")
    @classmethod
    def _positive_post_number(cls, value: str) -> str:
        # A number sent as text must still be a positive one: "0" and "-1" name no post.
        if value and not _POST_ID.fullmatch(value):
            raise PydanticCustomError("post_id_invalid", "not a post id")
        return value

    @field_validator("parent_id", mode="before")
    @classmethod
    def _parent_number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError("parent_invalid", "not a comment id")
        value = whole_number(value)
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.isascii() or not value.isdigit():
                raise PydanticCustomError("parent_invalid", "not a comment id")
            try:
                return int(value)
            except ValueError:  # past Python's int-digit limit: no comment has such an id
                raise PydanticCustomError("parent_invalid", "not a comment id") from None
        return value

    @field_validator("author_ip")
    @classmethod
    def _ip_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise PydanticCustomError("ip_invalid", "not an IP address") from None
        # One spelling per address, so that flood limits see ::ffff:192.0.2.1 as 192.0.2.1.
        mapped = getattr(address, "ipv4_mapped", None)
        return str(mapped or address)

    @field_validator("user_agent")
    @classmethod
    def _cut_user_agent(cls, value: str | None) -> str | None:
        return None if value is None else value[:USER_AGENT_MAX_CHARS]

    @field_validator("post_title")
    @classmethod
    def _cut_post_title(cls, value: str | None) -> str | None:
        return None if value is None else value[:POST_TITLE_MAX_CHARS].rstrip()


# -- the review and feedback APIs -------------------------------------------------------------

QueueSort = Literal["arrival", "abuse", "spam"]


# a claim's and the queue's filter: why a comment was held
HoldReason = Literal[tuple(str(reason) for reason in HOLD_REASONS)]


class ClaimRequest(BaseModel):
    """Claim up to `limit` held comments (optionally of one site) for the lease time. The body
    may be left out: the defaults apply."""

    model_config = ConfigDict(strict=True)

    limit: int = Field(10, ge=1, le=100)
    site: str | None = Field(None, max_length=100)
    sort: QueueSort = Field("arrival", description="arrival: oldest first; abuse or spam: "
                            "that score highest first (ties oldest first)")
    reason: HoldReason | None = Field(
        None, description="Only comments held with this reason (reader_reports: reported by "
                          "readers; audit: audit items; else a policy code such as "
                          "abuse_score).")

    _whole_limit = field_validator("limit", mode="before")(whole_number)


DecisionWord = one_of(ModeratorDecision)
ReportReasonWord = one_of(ReportReason)


class ReportRequest(BaseModel):
    """A reader's report on a published comment, passed on by the site."""

    model_config = ConfigDict(strict=True, str_strip_whitespace=True)

    reason: ReportReasonWord
    reporter: str = Field(
        min_length=1, max_length=200,
        description="The site's own id for the reader who reports (a user id, a guest's "
                    "cookie id; the reader's email makes their reports part of their export "
                    "and erasure by email). Hakam keeps only a keyed hash of it: one report "
                    "per reporter per comment counts.")
    note: str | None = Field(None, max_length=1000, description="The reader's own words.")


class DecisionRequest(BaseModel):
    """A moderator's decision on a held comment."""

    model_config = ConfigDict(strict=True)

    decision: DecisionWord
    reason: str | None = Field(None, max_length=500)
    group: bool = Field(False, description="also decide every other held member of the "
                        "comment's campaign, each on its own (its audit entry, label, webhook)")


class _AuthorAction(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    reason: str | None = Field(None, max_length=500, description="why, for the audit")

    _whole_days = field_validator("days", mode="before", check_fields=False)(whole_number)


class PremoderateAuthor(_AuthorAction):
    """Hold every later comment of the author (reason author_premoderated)."""

    action: Literal["premoderate"]
    days: int | None = Field(None, ge=1, le=3650, description="none: until lifted")


class SuspendAuthor(_AuthorAction):
    """Refuse the author's comments for `days` (403 author_suspended, with the end date)."""

    action: Literal["suspend"]
    days: int = Field(ge=1, le=3650)


class BanAuthor(_AuthorAction):
    """Refuse the author's comments (403 author_banned), for `days` or until lifted."""

    action: Literal["ban"]
    days: int | None = Field(None, ge=1, le=3650, description="none: until lifted")
    decide_held: Literal["reject", "spam"] | None = Field(
        None, description="also decide every held comment of the author so, each its own "
                          "decision (audit entry, label, webhook)")


class LiftAuthor(_AuthorAction):
    """End whichever of the above is in force."""

    action: Literal["lift"]


class AuthorActionChoice(BaseModel):
    """Which action: read first, so that each action's own fields are then checked by name."""

    model_config = ConfigDict(strict=True, extra="allow")

    action: Literal["premoderate", "suspend", "ban", "lift"]


AUTHOR_ACTIONS: dict[str, type[_AuthorAction]] = {
    "premoderate": PremoderateAuthor, "suspend": SuspendAuthor, "ban": BanAuthor,
    "lift": LiftAuthor}


class AuthorActionRequest(RootModel[Annotated[
        PremoderateAuthor | SuspendAuthor | BanAuthor | LiftAuthor,
        Field(discriminator="action")]]):
    """A moderator's action on the author of a comment, on the comment's site (what the
    document describes; `validate_author_action` checks a body against it field by field)."""


class DecisionsRequest(BaseModel):
    """One moderator's decision on several held comments, each decided on its own."""

    model_config = ConfigDict(strict=True)

    ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=100)
    decision: DecisionWord
    reason: str | None = Field(None, max_length=500)
    group: bool = Field(False, description="also decide every other held member of each "
                        "decided comment's campaign; their outcomes follow the ids sent")


class FeedbackRequest(BaseModel):
    """The site's own verdict on a published comment, kept as a training label."""

    label: Literal["spam", "ham", "abuse", "ok"]


class FeedbackAnswer(BaseModel):
    """What POST /v1/comments/{id}/feedback answers (201): the label as stored."""

    comment_id: str
    label: Literal["spam", "ham", "abuse", "ok"]
    task: Literal["spam", "abuse"] = Field(description="the classifier head the label teaches")
    value: Literal[0, 1] = Field(description="1: it is spam / abusive; 0: it is not")
    source: Literal["site"]


class ReaderRequest(BaseModel):
    """A reader's privacy request to a site, passed on to Hakam: the reader is named by email."""

    model_config = ConfigDict(strict=True, str_strip_whitespace=True, extra="ignore")

    email: Text = Field(
        max_length=EMAIL_MAX_CHARS, json_schema_extra={"format": "idn-email"},
        description="The reader's email, as they gave it with their comments (case and "
                    "surrounding spaces do not matter). Used only to compute the keyed hash "
                    "the comments are filed under; never stored, logged or answered.")

    @field_validator("email")
    @classmethod
    def _reader_email(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("required", "the email is missing")
        try:
            return normalized_email(value)
        except EmailNotValidError:
            raise PydanticCustomError("email_invalid", "not an email address") from None


# -- a site's rules per post and per section ---------------------------------------------------

class PostRules(BaseModel):
    """A post's rules (PUT replaces them all; null or left out: as its section says)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    premoderation: bool | None = Field(
        None, description="true: hold every comment on the post for review (reason "
                          "post_premoderation); false: not, whatever its section says")
    closed: bool | None = Field(
        None, description="true: refuse every comment on the post (422 comments_closed); "
                          "false: open, whatever its section's close_after_days says")


class PostRulesAnswer(PostRules):
    """What PUT /v1/posts/{post_id} answers: the post's rules as stored."""

    model_config = ConfigDict(extra="forbid")

    post_id: str


class SectionRules(BaseModel):
    """A section's rules: every post whose post_url starts with url_prefix. A longer prefix
    wins over a shorter one, a post's own rules over both. Null or left out: as a shorter
    section says; both null removes the section."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)

    url_prefix: _text(POST_URL_MAX_CHARS) = Field(
        json_schema_extra=_trimmed(WEB_ADDRESS_FILLED),
        description="The start of the section's post addresses, e.g. "
                    "https://akhbar.example/politics/ (scheme and host in any case).")
    premoderation: bool | None = Field(
        None, description="true: hold every comment on the section's posts for review")
    close_after_days: int | None = Field(
        None, ge=0, le=MAX_CLOSE_AFTER_DAYS,
        description="close each of the section's posts this many days after its post_date "
                    "(when the site sends it), else after its first comment; 0: never")

    _whole_days = field_validator("close_after_days", mode="before")(whole_number)

    @field_validator("url_prefix")
    @classmethod
    def _section_address(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("required", "the prefix is missing")
        return _matching(_WEB_ADDRESS, value)


class SectionList(BaseModel):
    """What GET /v1/sections answers: the site's sections, most specific first."""

    sections: list[SectionRules]


class SiteCommentLink(BaseModel):
    """The site's own id for a comment it sent before it had one (WordPress gives a comment
    its id only once stored, after it asked Hakam)."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)

    site_comment_id: Text = Field(
        min_length=1, max_length=POST_ID_MAX_CHARS, json_schema_extra=_post_id_schema,
        description="The site's id of the comment: a positive integer or an id string.")

    _site_comment_number = field_validator("site_comment_id", mode="before")(
        _site_comment_id_number)
    _site_comment_text = field_validator("site_comment_id")(_site_comment_id_text)


class SiteCommentLinkAnswer(BaseModel):
    id: str
    site_comment_id: str


# -- answers ----------------------------------------------------------------------------------

CommentStatus = one_of(Status)


def _attribute_score(what: str, languages: str):
    return Field(None, ge=0, le=1, description=(
        f"probability that the comment {what}; null where the model has no head for the "
        f"comment's language (this head reads {languages}), and for comments scored before "
        "the model had it. Informative unless the site holds on it "
        "(`hakam sites configure SITE --hold NAME=SCORE`)"))


class Scores(BaseModel):
    spam: float = Field(ge=0, le=1)
    abuse: float = Field(ge=0, le=1, description="probability that the comment is abusive "
                         "(Perspective's TOXICITY)")
    identity_attack: float | None = _attribute_score(
        "attacks or demeans people for their religion, sect, ethnicity, origin, gender or "
        "displacement", "Arabic and English")
    insult: float | None = _attribute_score("insults someone", "Arabic and English")
    profanity: float | None = _attribute_score("holds swearing or obscene words",
                                               "Arabic and English")
    threat: float | None = _attribute_score("threatens violence", "English only")


class Reason(BaseModel):
    """Why a comment was scored or decided as it was; spans index the submitted text."""

    code: str
    message: str
    spans: list[tuple[int, int]] = Field(
        default_factory=list, max_length=MAX_SPANS,
        description=f"[start, end) character offsets into the comment, the first {MAX_SPANS} "
                    "places at most")
    task: Literal["spam", "abuse", "identity_attack", "insult", "profanity", "threat"] | None = \
        Field(None, description="the score whose words these are (the model's reasons)")


class CommentAnswer(BaseModel):
    """What POST /v1/comments answers (201)."""

    id: str
    status: CommentStatus
    scores: Scores
    reasons: list[Reason]
    model_version: str


class ReportAnswer(BaseModel):
    """What POST /v1/comments/{id}/reports answers."""

    comment_id: str
    counted: bool = Field(description="false when this reporter had already reported it")
    reports: int = Field(ge=0, description="the comment's reports counted so far")
    status: CommentStatus = Field(description="pending once the reports sent it back to the "
                                              "queue")


class HistoryEvent(BaseModel):
    at: float
    status: CommentStatus
    by: str = Field(description="'hakam' for the policy, else the moderator's name")
    reason: str = ""


class CommentRecord(CommentAnswer):
    """What GET /v1/comments/{id} answers."""

    post_id: str
    created_at: float
    history: list[HistoryEvent]


class Lease(BaseModel):
    moderator: str
    expires_at: float


class CampaignSummary(BaseModel):
    """The campaign a held comment belongs to: near-duplicate texts (estimated Jaccard
    similarity of word pairs at least 0.8) from at least 3 authors on the site within 24 h.
    The queue shows the group once; a decision with "group": true decides every held member."""

    id: str
    size: int = Field(description="comments in the group, this one included (held or not)")
    authors: int = Field(description="different authors (keyed email hash; a comment without "
                         "an email counts as its own author)")
    first_at: float = Field(description="when the group's first comment arrived")
    last_at: float = Field(description="when its latest arrived")


class ParentComment(BaseModel):
    """The comment a held reply answers, as inert text."""

    id: str | None = Field(description="Hakam's id of the parent; null when Hakam does not "
                                       "hold it")
    text: str
    author: str
    status: Literal[(*(s.value for s in Status), *(m.value for m in MissingParent))] = Field(
        description="the parent's status; removed: it was erased (its text and author with "
                    "it); unknown: the site never sent it to Hakam, or sent it without its "
                    "site_comment_id")


class HeldReports(BaseModel):
    count: int = Field(ge=0, description="readers' reports counted (one per reader)")
    reasons: dict[str, int] = Field(description="reports per reason: abuse, spam, other")


class HeldComment(BaseModel):
    """A held comment as a moderator sees it: never the reader's email or IP."""

    id: str
    site: str
    status: CommentStatus
    scores: Scores
    reasons: list[Reason]
    model_version: str
    text: str
    author: str
    url: str | None = None
    post_id: str
    post_url: str | None = None
    post_title: str | None = Field(None, description="the post's title, as the site sent it")
    parent: ParentComment | None = Field(
        None, description="for a reply (the site sent comment_parent), the comment it "
                          "answers; null for a top-level comment")
    created_at: float
    lease: Lease | None = None
    audit: bool = Field(False, description="an audit item: a comment already published "
                        "(status approved), sampled at the site's audit rate so that a "
                        "moderator labels what the model let through; approving it changes "
                        "nothing, rejecting it unpublishes it (the site's webhook is told)")
    campaign: CampaignSummary | None = None
    reports: HeldReports | None = Field(None, description="readers' reports on the comment, "
                                                          "if any")


class QueuePage(BaseModel):
    comments: list[HeldComment]
    depth: int


class ClaimAnswer(BaseModel):
    comments: list[HeldComment]
    lease_seconds: int


class DecisionRecord(BaseModel):
    comment_id: str | None = Field(description="None when the comment was erased since")
    site: str
    decision: DecisionWord
    status: CommentStatus
    moderator: str
    reason: str
    at: float
    scores: Scores | None = Field(description="None when the comment was erased since")
    erased: bool = Field(False, description="the comment was erased at its reader's request; "
                                            "who decided what and when is kept")
    audit: bool = Field(False, description="the decision was on an audit item")


class ExportedLabel(BaseModel):
    task: Literal["spam", "abuse"]
    label: Literal[0, 1]
    source: str = Field(description="moderator, site, or a compatibility API's name")
    at: float


class ExportedReport(BaseModel):
    reason: ReportReasonWord
    note: str | None = None
    at: float


class MadeReport(ExportedReport):
    comment_id: str


class ExportedComment(BaseModel):
    """One of the reader's comments as Hakam holds it. After the site's retention period a
    decided comment has no text, author or url left (empty), and its reasons no wording."""

    id: str
    text: str
    author: str
    url: str | None = None
    post_id: str
    post_url: str | None = None
    post_title: str | None = None
    parent_id: str | None = Field(None, description="the site's id of the comment it replies "
                                                     "to (comment_parent)")
    site_comment_id: str | None = Field(None, description="the site's own id of the comment")
    campaign: str | None = Field(None, description="the group of near-duplicate comments it "
                                 "joined (see campaigns); its MinHash is kept with it to "
                                 "compare later comments with, and is erased with it")
    created_at: float
    status: CommentStatus
    scores: Scores
    reasons: list[Reason]
    model_version: str
    history: list[HistoryEvent]
    labels: list[ExportedLabel] = Field(description="training labels made from the comment")
    reports: list[ExportedReport] = Field(
        default_factory=list, description="readers' reports on the comment (never who made "
                                          "them)")


class ReaderLabel(ExportedLabel):
    text: str


class ReaderExport(BaseModel):
    """What POST /v1/readers/export answers: everything Hakam holds about the reader on the
    calling site. Hakam keeps no email or IP; only keyed hashes, which are not exported."""

    site: str
    comments: list[ExportedComment]
    labels: list[ReaderLabel] = Field(
        description="labels made from the reader's comments that Hakam does not store "
                    "(Akismet's submit-spam / submit-ham name the reader's email)")
    reports: list[MadeReport] = Field(
        default_factory=list,
        description="reports the reader made on comments (when the site sends the reader's "
                    "email as the reporter id)")
    restriction: Restriction | None = Field(
        None, description="a restriction moderators put on the reader, in force now (given "
                          "with moderator_actions, only when moderators acted on the reader)")
    moderator_actions: list[AuthorAction] = Field(
        default_factory=list, description="every action moderators took on the reader, "
                                          "oldest first")


class ReaderErasure(BaseModel):
    """What POST /v1/readers/erase answers: how many of the reader's comments were erased
    (0 when there was nothing, e.g. erased before), with everything made from them."""

    erased: int = Field(ge=0, description="comments erased")
    labels: int = Field(ge=0, description="training labels removed: those made from the "
                                          "comments and those filed under the reader")


class Restriction(BaseModel):
    """What is in force on an author now."""

    kind: Literal["premoderated", "suspended", "banned"]
    until: float | None = Field(description="when it ends; None: until lifted")
    since: float | None = None
    by: str = Field("", description="the moderator who set it")
    reason: str = ""


class AuthorAction(BaseModel):
    action: Literal["premoderate", "suspend", "ban", "lift"]
    by: str
    at: float
    until: float | None = None
    days: int | None = None
    reason: str = ""
    comment_id: str | None = Field(None, description="the comment the action was taken from")


class AuthorComment(BaseModel):
    id: str
    created_at: float
    status: CommentStatus
    hold_reason: str | None = Field(description="the rule or threshold that decided it (e.g. "
                                                "abuse_score), or audit")
    first_words: str
    this_comment: bool = Field(description="the comment the record was asked from")


class AuthorRecord(BaseModel):
    """GET /v1/review/{comment_id}/author: the comment's author on its site, found by the keyed
    hash of their email (never the email itself, which Hakam does not keep)."""

    comment_id: str
    site: str
    author: str = Field(description="the name on this comment")
    counts: dict[str, int] = Field(description="their comments on the site by status")
    total: int
    recent: list[AuthorComment] = Field(description="their last 10 comments, newest first")
    restriction: Restriction | None
    rejected_in_a_row: int = Field(description="their latest decided comments in a row that "
                                               "were rejected or spam")
    actions: list[AuthorAction] = Field(description="actions on them, newest first (10)")


class HeldDecided(BaseModel):
    decision: Literal["reject", "spam"]
    decided: list[str]
    skipped: list[dict[str, str]] = Field(description="{id, error}: leased to another "
                                                      "moderator, or decided meanwhile")


class AuthorActionAnswer(BaseModel):
    comment_id: str
    site: str
    action: Literal["premoderate", "suspend", "ban", "lift"]
    moderator: str
    at: float
    until: float | None
    reason: str
    audit_entry: str
    restriction: Restriction | None = Field(description="in force after the action")
    previous: dict[str, Any] | None = Field(description="{kind, until} in force before it")
    held: HeldDecided | None = None


class AuthorActionEntry(BaseModel):
    """An action on an author in the audit list."""

    comment_id: str | None = Field(description="None once the reader was erased")
    site: str
    action: Literal["premoderate", "suspend", "ban", "lift"]
    moderator: str
    reason: str
    at: float
    until: float | None = None
    erased: bool = False


class AuditPage(BaseModel):
    decisions: list[DecisionRecord | AuthorActionEntry] = Field(
        description="decisions on comments and actions on authors (those have `action`)")


class ValidationErrors(BaseModel):
    """422: every failing field at once, each with its messages in the reader's language."""

    errors: dict[str, list[str]] = Field(
        examples=[{"comment": ["من فضلك اكتب نص تعليقك."]}],
        description="keys are the submitted field names (WordPress's for comments)")


class NudgeAnswer(ValidationErrors):
    """422 with code `nudge` (sites with `hakam sites configure SITE --nudge`): the comment
    would be held for abuse alone. Nothing was stored. Show the message and the words, and
    send the comment again, edited or not, with `nudge_token`."""

    code: Literal["nudge"] | None = Field(None, description="present on a nudge only")
    message: str | None = Field(None, description="a sentence in the reader's language")
    spans: list[list[int]] | None = Field(
        None, description="[start, end) character offsets of the words behind the abuse score")
    nudge_token: str | None = Field(None, description="send it back with the comment")


class ErrorBody(BaseModel):
    """Any other error: a stable code and a sentence; some codes carry one more field."""

    error: str = Field(description="a stable code, e.g. unauthorized, duplicate, flood")
    message: str | None = Field(None, description="a sentence in the reader's language")
    first_id: str | None = Field(None, description="duplicate: the comment first received")
    first: DecisionRecord | dict[str, Any] | None = Field(
        None, description="already_decided: the decision that stands")
    moderator: str | None = Field(None, description="claimed_by_other: who holds the comment")
    lease_expires_at: float | None = Field(None, description="claimed_by_other: until when")
    error_id: str | None = Field(None, description="internal: quote it when reporting the error")
    until: str | None = Field(None, description="author_suspended, author_banned: when it ends "
                                                "(ISO 8601, UTC); null: until lifted")
    closed_at: float | None = Field(None, description="comments_closed: since when the post "
                                                      "is closed, when it closed by itself")


class CommentRefused(RootModel[NudgeAnswer | ErrorBody]):
    """422 on a comment: invalid fields (errors), a nudge (code nudge), or the post takes no
    comments (error comments_closed, with the message in the reader's language)."""


class DecisionOutcome(BaseModel):
    """What deciding one of the ids came to: the answer POST /v1/review/{id}/decision would
    have given it alone."""

    id: str
    status: Literal[200, 404, 409] = Field(description="200 decided (or the same decision sent "
                                           "again); 409 decided already or held by another "
                                           "moderator; 404 no such comment")
    record: DecisionRecord | None = Field(None, description="200: the decision as recorded")
    error: ErrorBody | None = Field(None, description="404, 409: why, as the one-comment "
                                    "route answers it")


class DecisionsAnswer(BaseModel):
    results: list[DecisionOutcome] = Field(description="one per distinct id, in the order sent")


class GroupDecision(BaseModel):
    """What a decision with "group": true did to the rest of the comment's campaign."""

    campaign: str | None = Field(description="the group's id; None when the comment is in "
                                 "no campaign (it alone was decided)")
    results: list[DecisionOutcome] = Field(description="each other held member's outcome")


class GroupDecisionRecord(DecisionRecord):
    group: GroupDecision | None = None
