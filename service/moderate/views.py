"""Routes of the moderator page: the HTML pages and the JSON endpoints its script calls.

Views only parse, call the store and serialise; the store's typed errors (AlreadyDecided,
ClaimedByOther, UnknownComment) become JSON 409/404 answers in the app's error handler, and the
page script words them for the moderator. Every POST passes `access.check_csrf` first.
"""

from __future__ import annotations

import time
from enum import StrEnum
from urllib.parse import urlsplit

from flask import (
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from .. import authors, moderation
from ..errors import BadRequest
from ..review import decision_outcomes
from ..scoring import get_scorer
from ..store import get_store
from ..store.review import SORTS
from ..validation import json_object_body
from ..vocabulary import (
    HOLD_REASONS,
    AuthorAction,
    ModeratorDecision,
    ModeratorReason,
    Reason,
    Restriction,
    Status,
    attribute_score,
)
from . import LOCALES, bp, display, learning
from .access import (
    CSRF_HEADER,
    CsrfRefused,
    check_csrf,
    csrf_token,
    current_moderator,
    sign_in,
    sign_out,
)

BATCH_SIZES = (5, 10, 20, 50)
MAX_BULK = 100  # comments one bulk decision may name (the API's limit too)
HISTORY_LIMIT = 100
# Seconds a decision waits on the page before it is sent, so it can be undone: the store keeps
# exactly one decision per comment, so there is no undo once it is sent.
UNDO_SECONDS = 5


def _is_api() -> bool:
    return request.path.startswith(url_for("moderate.queue_page") + "api/")


@bp.before_request
def _require_csrf() -> None:
    check_csrf()


@bp.errorhandler(CsrfRefused)
def _csrf_refused(_error):
    if _is_api():
        return jsonify({"error": "csrf_failed",
                        "message": "the CSRF token is missing or invalid"}), 400
    return render_template("moderate/sign_in.html",
                           error=_("The form expired. Please try again.")), 400


@bp.context_processor
def _page_context() -> dict:
    locale = str(get_locale() or "ar")
    return {
        "csrf_token": csrf_token, "csrf_header": CSRF_HEADER, "page_locale": locale,
        "page_direction": "rtl" if locale == "ar" else "ltr",
        "other_locale": "en" if locale == "ar" else "ar",
    }


def _own_page(target: str | None) -> str:
    """`target` when it is a path under /moderate/, else the queue: never an open redirect."""
    home = url_for("moderate.queue_page")
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith(home) or "\\" in (target or ""):
        return home
    return target


def _signed_in_or_redirect():
    if current_moderator() is None:
        return redirect(url_for("moderate.sign_in_page", next=request.full_path.rstrip("?")))
    return None


def _api_moderator() -> str:
    name = current_moderator()
    if name is None:
        # Not the app's bearer Unauthorized: the page signs in with a cookie, not a header.
        raise _SignedOut()
    return name


class _SignedOut(Exception):
    pass


@bp.errorhandler(_SignedOut)
def _signed_out(_error):
    return jsonify({"error": "signed_out", "message": "sign in again"}), 401


# -- labels shown on the page ---------------------------------------------------------------

def _by_word(labels: dict[StrEnum | str, str]) -> dict[str, str]:
    """Keyed by the words' plain strings: the page's JSON carries these dicts."""
    return {str(word): label for word, label in labels.items()}


def hold_reason_labels() -> dict[str, str]:
    return _by_word({
        Reason.ABUSE_SCORE: _("Abuse score over the threshold"),
        Reason.SPAM_SCORE: _("Spam score over the threshold"),
        Reason.MODERATION_WORD: _("Word on the moderation list"),
        Reason.TOO_MANY_LINKS: _("Too many links"),
        Reason.PREMODERATION: _("Site holds every comment"),
        Reason.POST_PREMODERATION: _("Post or section holds every comment"),
        Reason.FIRST_COMMENT: _("Author's first comment"),
        Reason.AUTHOR_PREMODERATED: _("Author under premoderation"),
        Reason.AUTHOR_HISTORY: _("Author's recent comments were rejected"),
        Reason.CAMPAIGN: _("Campaign: the same text from many authors"),
        Reason.READER_REPORTS: _("Reported by readers"),
        Reason.AUDIT: _("Audit: already published"),
        Reason.ABUSE_TERMS: _("Abusive words"),
        Reason.SPAM_TERMS: _("Spam words"),
        attribute_score("identity_attack"): _("Identity attack over the site's threshold"),
        attribute_score("insult"): _("Insult over the site's threshold"),
        attribute_score("profanity"): _("Profanity over the site's threshold"),
        attribute_score("threat"): _("Threat over the site's threshold"),
        "identity_attack_terms": _("Words attacking an identity"),
        "insult_terms": _("Insulting words"),
        "profanity_terms": _("Profane words"),
        "threat_terms": _("Threatening words"),
    })


def attribute_labels() -> dict[str, str]:
    return {"identity_attack": _("Identity attack"), "insult": _("Insult"),
            "profanity": _("Profanity"), "threat": _("Threat")}


def decision_reason_labels() -> dict[str, str]:
    return _by_word({
        ModeratorReason.OFF_TOPIC: _("Off topic"), ModeratorReason.INSULT: _("Insult"),
        ModeratorReason.HATE: _("Hate speech"), ModeratorReason.ADVERTISING: _("Advertising"),
        ModeratorReason.PERSONAL_DATA: _("Personal data"), ModeratorReason.OTHER: _("Other"),
    })


def sort_labels() -> dict[str, str]:
    return {"arrival": _("Oldest first"), "abuse": _("Highest abuse score first"),
            "spam": _("Highest spam score first")}


def decision_labels() -> dict[str, str]:
    return _by_word({ModeratorDecision.APPROVE: _("Approve"),
                     ModeratorDecision.REJECT: _("Reject"), ModeratorDecision.SPAM: _("Spam")})


def author_messages() -> dict:
    """What the author panel and badges say (see moderate.js)."""
    return {
        "title": _("The author on this site"),
        "loading": _("Loading the author's record…"),
        "comments": _("Comments: %(total)s", total="{total}"),
        "recent": _("Latest comments"),
        "actions": _("Actions on this author"),
        "none": _("Nothing is in force on this author."),
        "no_record": _("This comment was sent without an email, so Hakam keeps no record of "
                       "its author."),
        "in_a_row": _("Their last %(count)s decided comments were rejected or spam.",
                      count="{count}"),
        "badge": _by_word({Restriction.PREMODERATED: _("Premoderated"),
                           Restriction.SUSPENDED: _("Suspended"),
                           Restriction.BANNED: _("Banned")}),
        "until": _("until %(date)s", date="{date}"),
        "for_good": _("until lifted"),
        "by": _("by %(moderator)s", moderator="{moderator}"),
        "action_names": _by_word({
            AuthorAction.PREMODERATE: _("Premoderate"), AuthorAction.SUSPEND: _("Suspend"),
            AuthorAction.BAN: _("Ban"), AuthorAction.LIFT: _("Lift")}),
        "doing": _by_word({
            AuthorAction.PREMODERATE: _("Premoderating the author"),
            AuthorAction.SUSPEND: _("Suspending the author"),
            AuthorAction.BAN: _("Banning the author"),
            AuthorAction.LIFT: _("Lifting the author's restriction")}),
        "done": _by_word({
            AuthorAction.PREMODERATE: _("The author is premoderated."),
            AuthorAction.SUSPEND: _("The author is suspended."),
            AuthorAction.BAN: _("The author is banned."),
            AuthorAction.LIFT: _("The author's restriction is lifted.")}),
        "held_decided": _("%(count)s held comments of theirs were decided.", count="{count}"),
        "nothing_to_lift": _("Nothing is in force on this author: there is nothing to lift."),
        "no_author_record": _("This comment was sent without an email, so Hakam keeps no "
                              "record of its author."),
    }


def status_labels() -> dict[str, str]:
    return _by_word({Status.PENDING: _("Waiting"), Status.APPROVED: _("Approved"),
                     Status.REJECTED: _("Rejected"), Status.SPAM: _("Spam")})


def script_messages() -> dict:
    """Every sentence the page script may show, in the page's language."""
    return {
        "decided": _by_word({ModeratorDecision.APPROVE: _("Approved"),
                             ModeratorDecision.REJECT: _("Rejected"),
                             ModeratorDecision.SPAM: _("Marked as spam")}),
        "undo": _("Undo"),
        "sending_in": _("Sending in %(seconds)s s", seconds="{seconds}"),
        "already_decided": _("Another moderator already decided this comment."),
        "claimed_by_other": _("Your hold on this comment expired and another moderator holds it "
                              "now."),
        "unknown_comment": _("This comment no longer exists."),
        "lease_expired": _("Your hold on these comments has expired: other moderators may take "
                           "them. Claim them again to keep working."),
        "lease_left": _("Your hold ends in %(minutes)s min", minutes="{minutes}"),
        "signed_out": _("Your session has ended. Sign in again."),
        "csrf_failed": _("The page is out of date. Reload it and try again."),
        "network": _("The server could not be reached. The decision was not saved."),
        "failed": _("The decision was not saved."),
        "empty": _("No comments are waiting for you with these filters."),
        "loading": _("Claiming comments…"),
        "waited": _("waited %(time)s", time="{time}"),
        "waited_moments": _("waited less than a minute"),
        "spam": _("Spam"), "abuse": _("Abuse"),
        "post": _("Post %(post)s", post="{post}"),
        "in_reply_to": _("In reply to"),
        "parent_status": {
            "pending": _("Waiting"), "approved": _("Approved"), "rejected": _("Rejected"),
            "spam": _("Spam"), "removed": _("Removed"), "unknown": _("Not seen by Hakam")},
        "parent_removed": _("This comment was removed at its author's request."),
        "parent_unknown": _("Hakam never received this comment."),
        "parent_retained": _("This comment's text is no longer kept: the site's retention "
                             "period has passed."),
        "no_reason": _("Reason (optional)"),
        "dismiss": _("Dismiss"),
        "reports": _("Readers' reports: %(count)s (%(reasons)s)", count="{count}",
                     reasons="{reasons}"),
        "report_reasons": {"abuse": _("abusive"), "spam": _("spam"), "other": _("other")},
        "marked": _("%(count)s selected", count="{count}"),
        "hold_reasons": hold_reason_labels(),
        "author": author_messages(),
        "statuses": status_labels(),
        "attributes": attribute_labels(),
        "decision_reasons": decision_reason_labels(),
        "decisions": decision_labels(),
    }


# -- pages ----------------------------------------------------------------------------------

@bp.get("/sign-in")
def sign_in_page():
    """The moderator sign-in form."""
    next_page = _own_page(request.args.get("next"))
    if current_moderator() is not None:
        return redirect(next_page)
    return render_template("moderate/sign_in.html", next_page=next_page)


@bp.post("/sign-in")
def sign_in_submit():
    """Sign a moderator in with their token."""
    next_page = _own_page(request.form.get("next"))
    if sign_in(request.form.get("token", "")) is None:
        return render_template("moderate/sign_in.html", next_page=next_page,
                               error=_("That moderator token is not valid.")), 401
    return redirect(next_page)


@bp.post("/sign-out")
def sign_out_submit():
    """Sign the moderator out."""
    sign_out()
    return redirect(url_for("moderate.sign_in_page"))


@bp.post("/language")
def choose_language():
    """Set the moderator page's language and go back."""
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
    return redirect(_own_page(request.form.get("next")))


def _filters() -> dict:
    sites = [s.name for s in get_store().list_sites()]
    site = request.args.get("site") or ""
    reason = request.args.get("reason") or ""
    sort = request.args.get("sort") or ""
    try:
        batch = int(request.args.get("batch", 10))
    except ValueError:
        batch = 10
    return {
        "sites": sites, "site": site if site in sites else "",
        "reason": reason if reason in HOLD_REASONS else "",
        "batch": batch if batch in BATCH_SIZES else 10,
        "sort": sort if sort in SORTS else "arrival",
    }


@bp.get("/")
def queue_page():
    """The moderator page: held comments to decide."""
    redirect_to = _signed_in_or_redirect()
    if redirect_to:
        return redirect_to
    filters = _filters()
    return render_template(
        "moderate/queue.html", moderator=g.moderator_checked, filters=filters,
        batch_sizes=BATCH_SIZES, hold_reasons=HOLD_REASONS,
        hold_reason_labels=hold_reason_labels(), status_labels=status_labels(),
        counts=get_store().counts(filters["site"] or None), messages=script_messages(),
        decision_reasons=tuple(ModeratorReason), decision_labels=decision_labels(),
        sorts=SORTS, sort_labels=sort_labels(), undo_seconds=UNDO_SECONDS)


@bp.get("/history")
def history_page():
    """The moderator page: decisions made, newest first."""
    redirect_to = _signed_in_or_redirect()
    if redirect_to:
        return redirect_to
    filters = _filters()
    records = get_store().audit(limit=HISTORY_LIMIT, site=filters["site"] or None)
    for record in records:
        # The /v1 review API accepts a free-text reason, so both are hostile text here.
        record["moderator"] = display.without_bidi_controls(str(record.get("moderator", "")))
        record["reason"] = display.without_bidi_controls(str(record.get("reason") or ""))
        record["at_iso"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record["at"]))
        if record.get("until"):
            record["until_iso"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                time.gmtime(record["until"]))
    return render_template(
        "moderate/history.html", moderator=g.moderator_checked, filters=filters,
        records=records, decision_labels=decision_labels(),
        author_action_labels=author_messages()["action_names"],
        decision_reason_labels=decision_reason_labels())


@bp.get("/sites")
def sites_page():
    """The moderator page: what each site's adapter learned."""
    redirect_to = _signed_in_or_redirect()
    if redirect_to:
        return redirect_to
    store = get_store()
    version = get_scorer().version
    return render_template(
        "moderate/sites.html", moderator=g.moderator_checked,
        sites=[learning.site_learning(store, site, version) for site in store.list_sites()
               if not site.revoked],
        chart_width=learning.chart_width(), bar_width=learning.BAR_WIDTH,
        bar_height=learning.BAR_HEIGHT)


# -- JSON endpoints the page script calls ----------------------------------------------------

@bp.post("/api/claim")
def claim():
    """Lease held comments to the signed-in moderator."""
    moderator = _api_moderator()
    body = json_object_body("send a JSON object")
    sites = {s.name for s in get_store().list_sites()}
    site = body.get("site") or None
    reason = body.get("reason") or None
    limit = body.get("limit", 10)
    sort = body.get("sort") or "arrival"
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    if site is not None and (not isinstance(site, str) or site not in sites):
        raise BadRequest("unknown site")
    if reason is not None and (not isinstance(reason, str) or reason not in HOLD_REASONS):
        raise BadRequest("unknown reason code")
    if not isinstance(limit, int) or limit not in BATCH_SIZES:
        raise BadRequest(f"limit must be one of {', '.join(map(str, BATCH_SIZES))}")
    lease_seconds = current_app.config["HAKAM"].lease_seconds
    now = time.time()
    claimed = get_store().claim(moderator, limit=limit, site=site, lease_seconds=lease_seconds,
                                reason=reason, include_own=True, sort=sort)
    badges = get_store().author_badges([(c["site"], c["id"]) for c in claimed])
    return jsonify({"comments": [_with_campaign_summary(
                                     display.held_comment(c, now, badges.get(c["id"])))
                                 for c in claimed],
                    "lease_seconds": lease_seconds, "lease_expires_at": now + lease_seconds,
                    "counts": get_store().counts(site)})


def _decision_and_reason(body: dict) -> tuple[str, str]:
    """The page's decision and its reason code ("" for none), or 400: one check for the one
    comment and the several."""
    decision = body.get("decision")
    reason = body.get("reason") or ""
    if decision not in tuple(ModeratorDecision):
        raise BadRequest(f"decision must be one of {', '.join(ModeratorDecision)}")
    if reason and reason not in tuple(ModeratorReason):
        raise BadRequest("unknown reason code")
    return decision, reason


@bp.post("/api/comments/<comment_id>/decision")
def decide(comment_id: str):
    """Record the signed-in moderator's decision on one comment."""
    moderator = _api_moderator()
    body = json_object_body("send a JSON object")
    decision, reason = _decision_and_reason(body)
    if body.get("group") is True:  # a campaign's card: every held member with it
        record, _campaign, outcomes = moderation.record_group_decision(
            comment_id, moderator, decision, reason)
        group = decision_outcomes(outcomes)
    else:
        record, group = moderation.record_decision(comment_id, moderator, decision, reason), []
    return jsonify({"comment_id": comment_id, "status": record["status"],
                    "decision": decision, "reason": reason, "group": group})


def _with_campaign_summary(card: dict) -> dict:
    """A campaign's card says what it stands for, in the moderator's language: "this text and
    14 like it from 11 authors, over 40 minutes" (Arabic counts take their plural forms)."""
    campaign = card.get("campaign")
    if campaign:
        campaign["summary"] = _(
            "This text and %(others)s like it from %(authors)s, over %(span)s",
            others=campaign["size"] - 1,
            authors=ngettext("%(num)d author", "%(num)d authors", campaign["authors"]),
            span=learning.duration(campaign["span_seconds"]))
    return card


@bp.post("/api/decisions")
def decide_many():
    """Record the signed-in moderator's decisions on several comments."""
    moderator = _api_moderator()
    body = json_object_body("send a JSON object")
    ids = body.get("ids")
    if (not isinstance(ids, list) or not 1 <= len(ids) <= MAX_BULK
            or not all(isinstance(i, str) and i for i in ids)):
        raise BadRequest(f"ids must be a list of 1 to {MAX_BULK} comment ids")
    decision, reason = _decision_and_reason(body)
    outcomes = moderation.record_decisions(ids, moderator, decision, reason,
                                           group=body.get("group") is True)
    return jsonify({"results": decision_outcomes(outcomes)})


@bp.get("/api/comments/<comment_id>/author")
def author_record(comment_id: str):
    """The card's author record, as the page shows it (inert text)."""
    _api_moderator()
    return jsonify(display.author_record(get_store().author_record(comment_id)))


@bp.post("/api/comments/<comment_id>/author/actions")
def author_action(comment_id: str):
    """Act on the card's author from the page (premoderate, suspend, ban, lift)."""
    moderator = _api_moderator()
    body = authors.validate_author_action(json_object_body("send a JSON object"))
    if body.reason and body.reason not in tuple(ModeratorReason):
        raise BadRequest("unknown reason code")
    answer = authors.act(comment_id, moderator, body)
    return jsonify({"action": answer["action"], "restriction": answer["restriction"],
                    "held": answer.get("held")})


@bp.get("/api/counts")
def counts():
    """Comments per status (one site's or every site's), for the page's counters."""
    _api_moderator()
    site = request.args.get("site") or None
    return jsonify(get_store().counts(site))
