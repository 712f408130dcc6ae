"""Akismet's API: /1.1/verify-key, /1.1/comment-check, /1.1/submit-spam, /1.1/submit-ham,
/1.2/usage-limit and /1.2/key-sites, with Akismet's form fields and text answers, so that a
CMS's Akismet client checks its comments with Hakam by changing its base URL.

- The API key is a Hakam site key, in the `api_key` field (`key` for verify-key), or as the
  first label of the Host name (`KEY.hakam.example`), the form older clients use.
- comment-check answers Akismet's question, spam or not: `true` when the spam head is over the
  site's spam hold threshold or a site's spam rule matches (a disallowed word in any field,
  more links than the site allows), with `X-akismet-pro-tip: discard` when Hakam would reject
  the comment outright (a disallowed word, spam over the rejection threshold, a filled
  honeypot). Abuse is not Akismet's question and never makes a comment spam here. As on
  Akismet, `user_role=administrator` is never spam. It creates no comment and keeps nothing.
- submit-spam and submit-ham keep the comment's text as a spam label (1 or 0) with source
  "akismet" and the site, unless `is_test` is set. The label holds the text alone; it is filed
  in the site's reader index under the keyed hash of the reader's email, as a comment is, so
  that exporting or erasing that reader finds it.
- The reader's email and IP are otherwise read for the site's word lists (as WordPress checks
  them): neither is stored in clear, nor in a label, a log line or an answer; the IP is not
  kept at all.
"""

from __future__ import annotations

import csv
import io
import re
import time
import uuid

from email_validator import EmailNotValidError
from flask import Blueprint, g, jsonify, request

from .. import moderation
from ..reader_keys import reader_key
from ..schemas import COMMENT_MAX_BYTES
from ..scoring import get_adapters
from ..store import Site, get_store
from ..vocabulary import Reason, Status
from .akismet_protocol import GUID, PRO_TIP, THANKS, AkismetInvalid, text_response

bp = Blueprint("akismet", __name__)
SOURCE = "akismet"
HOST_KEY_PREFIX = "hk_site_"  # what a site key starts with (store/sites.py), in any case
# The reasons of policy.decide that answer "is it spam?"; the others (abuse, moderation
# words, premoderation, first comments) hold a comment for other reasons than spam.
SPAM_REASONS = frozenset({Reason.SPAM_SCORE, Reason.TOO_MANY_LINKS})
METHODS = ["GET", "POST"]  # Akismet takes every parameter by GET or POST


def _field(name: str) -> str:
    return (request.values.get(name) or "").strip()


def _is_set(name: str) -> bool:
    return _field(name).lower() in ("1", "true", "yes", "on")


def _host_key() -> str | None:
    # the raw header: werkzeug's request.host refuses the underscores site keys hold
    label = request.environ.get("HTTP_HOST", "").split(":", 1)[0].split(".", 1)[0]
    return label if label.lower().startswith(HOST_KEY_PREFIX) else None


def _site(*key_fields: str, required: bool = True) -> Site | None:
    """The site whose key the request carries (in the first of `key_fields` given, else in
    the Host name), or AkismetInvalid; None for no key at all when one is not `required`."""
    store = get_store()
    key = next((_field(name) for name in key_fields if _field(name)), "")
    if key:
        site = store.site_for_key(key)
    elif (host_key := _host_key()) is not None:
        site = store.site_for_host_key(host_key)
    elif required:
        raise AkismetInvalid(f'Empty "{key_fields[0]}" value')
    else:
        return None
    if site is None:
        raise AkismetInvalid("The API key is not a Hakam site key, or it was revoked.")
    g.site = site
    return site


def _require(*names: str) -> None:
    for name in names:
        if not _field(name):
            raise AkismetInvalid(f"Missing required field: {name}.")


def _content() -> str:
    text = _field("comment_content")
    if len(text.encode("utf-8")) > COMMENT_MAX_BYTES:
        raise AkismetInvalid(f"comment_content is longer than {COMMENT_MAX_BYTES} bytes.")
    return text


@bp.route("/1.1/verify-key", methods=METHODS)
def verify_key():
    """Akismet's verify-key: whether the key is a site's."""
    _site("key", "api_key")
    _require("blog")
    return text_response("valid")


def _verdict(site: Site) -> str:
    """"ham", "spam" or "discard" for the comment the form describes."""
    if _field("user_role").lower() == "administrator":
        return "ham"
    honeypot = _field("honeypot_field_name")
    if honeypot and _field(honeypot):
        return "discard"
    decision = moderation.judge(
        site, _content(), post_url=_field("permalink") or None, author=_field("comment_author"),
        email=_field("comment_author_email"), url=_field("comment_author_url"),
        author_ip=_field("user_ip"), user_agent=_field("user_agent")).decision
    if decision.status == Status.SPAM:
        return "discard"
    if any(reason["code"] in SPAM_REASONS for reason in decision.reasons):
        return "spam"
    return "ham"


@bp.route("/1.1/comment-check", methods=METHODS)
def comment_check():
    """Akismet's comment-check: whether a comment is spam."""
    site = _site("api_key")
    _require("blog", "user_ip")
    verdict = _verdict(site)
    headers = {GUID: uuid.uuid4().hex}
    if verdict == "discard":
        headers[PRO_TIP] = "discard"
    return text_response("false" if verdict == "ham" else "true", headers=headers)


def _submit(label: int):
    site = _site("api_key")
    _require("blog", "user_ip")
    text = _content()
    if text and not _is_set("is_test"):
        store = get_store()
        # Filed under the reader's keyed email hash (never kept in the label), so that the
        # reader's erasure and the site's retention find it: Hakam stores no comment here.
        store.record_label(text, "spam", label, SOURCE, site=site.name,
                           reader_key=_reader(store, _field("comment_author_email")))
        get_adapters().labels_added(site.name)
    return text_response(THANKS)


def _reader(store, email: str) -> str | None:
    if not email:
        return None
    try:
        return reader_key(store, email)
    except EmailNotValidError:  # a label is still worth keeping; it names no reader then
        return None


@bp.route("/1.1/submit-spam", methods=METHODS)
def submit_spam():
    """Akismet's submit-spam: a missed spam, kept as a label."""
    return _submit(1)


@bp.route("/1.1/submit-ham", methods=METHODS)
def submit_ham():
    """Akismet's submit-ham: a false positive, kept as a label."""
    return _submit(0)


@bp.route("/1.2/usage-limit", methods=METHODS)
def usage_limit():
    """Akismet's usage-limit: Hakam sets none."""
    _site("api_key")
    # Hakam sets no quota and counts no calls
    return jsonify({"limit": "none", "usage": 0, "percentage": "0.00", "throttled": False})


def _whole_number(name: str, default: int) -> int:
    value = _field(name)
    # isdecimal, not isdigit: "²" and "①" are digits that int() refuses
    return int(value) if value.isdecimal() else default


@bp.route("/1.2/key-sites", methods=METHODS)
def key_sites():
    """Akismet's key-sites: the key's site and its (uncounted) calls."""
    # The Python client sends no key here: with none, the report lists no site.
    site = _site("api_key", required=False)
    month = _field("month")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", month):
        month = time.strftime("%Y-%m", time.gmtime())
    limit, offset = _whole_number("limit", 500), _whole_number("offset", 0)
    rows = [{"site": site.name, "api_calls": "0", "spam": "0", "ham": "0", "missed_spam": "0",
             "false_positives": "0", "is_revoked": False}] if site else []
    shown = rows[offset:offset + limit]
    if _field("format").lower() == "csv":
        out = io.StringIO()
        # Akismet's first line names the key; Hakam names the site instead
        out.write(f"Active sites for {site.name if site else '-'} during {month} "
                  f"(limit:{limit}, offset: {offset}, total: {len(rows)})\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Site", "Total API Calls", "Spam", "Ham", "Missed Spam",
                         "False Positives", "Is Revoked"])
        for row in shown:
            writer.writerow([row["site"], row["api_calls"], row["spam"], row["ham"],
                             row["missed_spam"], row["false_positives"], "false"])
        return text_response(out.getvalue())
    return jsonify({month: shown, "limit": limit, "offset": offset, "total": len(rows)})
