"""POST /v1/readers/export and /v1/readers/erase: a site passes on its reader's privacy request.

A reader asks the site (WordPress's Export / Erase Personal Data tools, for one) what it holds
and to delete it; the site asks Hakam the same about its own copy. Both take the reader's email
in the body (never in the URL, where access logs would keep it), reduce it to the keyed hash
intake files comments under, and forget it: it is never stored, logged or answered. Only a site
key may ask, and only about that site's readers; a moderator token is refused.
"""

from __future__ import annotations

import logging

from flask import Blueprint, g, jsonify
from flask_babel import gettext

from .auth import require_site
from .reader_keys import reader_key
from .schemas import ReaderRequest
from .store import get_store
from .validation import json_object_body, validate_body

bp = Blueprint("readers", __name__)
log = logging.getLogger("hakam.readers")


def _reader_key() -> str:
    body = validate_body(ReaderRequest, json_object_body(
        gettext('Send a JSON object such as {"email": "reader@example.com"}.')))
    return reader_key(get_store(), body.email)


@bp.post("/readers/export")
@require_site
def export_reader():
    """Everything Hakam holds about one reader on the site, by their email."""
    return jsonify({"site": g.site.name,
                    **get_store().reader_export(g.site.name, _reader_key())})


@bp.post("/readers/erase")
@require_site
def erase_reader():
    """Erase one reader's comments on the site and everything made from them."""
    erasure = get_store().erase_reader(g.site.name, _reader_key())
    # Counts only: who the reader was is exactly what this log must not say.
    log.info("reader erasure site=%s comments=%d labels=%d decisions_unlinked=%d "
             "deliveries=%d reports=%d", g.site.name, erasure.comments, erasure.labels,
             erasure.decisions, erasure.deliveries, erasure.reports)
    return jsonify({"erased": erasure.comments, "labels": erasure.labels})
