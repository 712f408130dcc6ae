"""Every Redis key name Hakam uses, and the one table that maps them.

Keyspace (layout 3). ``<x>`` is a placeholder; braces are literal: they are Redis Cluster hash
tags, so every key of one site hashes to the same slot and one Lua script may touch them all.

=========================================  ======  ==============================================
key                                        type    holds / written by
=========================================  ======  ==============================================
*Global: never touched by a script, never in the same command as a per-site key*
hakam:layout                               string  keyspace layout version, "3" (first start,
                                                   migrate)
hakam:migration-lock                       string  held while one process migrates (migrate)
hakam:pepper                               string  random key for hashing emails/IPs (first start)
hakam:app-secret                           string  signs moderator session cookies (first start)
hakam:sites                                set     site names: what cross-site views iterate
                                                   (sites add, written first)
hakam:site:<site>                          hash    name, created_at, language, webhook_url,
                                                   webhook_secret, key_hash, folded_key_hash,
                                                   rules, policy, revoked, retention_days
                                                   (sites add, whole in one script, last /
                                                   revoke / configure)
hakam:sitekey:<sha256>                     string  site name for an API key hash (sites add)
hakam:sitekey-folded:<sha256>              string  site name for the hash of an API key in
                                                   lower case, for a key read from a Host
                                                   name, which clients may lower-case
                                                   (sites add)
hakam:moderator:<name>                     hash    name, token_hash, created_at (moderators add)
hakam:modtoken:<sha256>                    string  moderator name for a token hash (moderators
                                                   add); valid only while it matches token_hash
hakam:labels:unassigned                    stream  layout-1 labels whose comment (so site) is
                                                   gone (migrate); read by labels export
*Per site: every key built by site_key(), all in the site's slot*
hakam:{<site>}:comment:<id>                hash    comment, scores (JSON: spam, abuse and
                                                   each attribute, null where unmeasured),
                                                   status, decision, lease
                                                   holder, audit ("pending" / "decided": an
                                                   approved comment sampled for audit) and
                                                   its audit_rate (intake / claim / decide),
                                                   personal_data_removed_at (retention);
                                                   report_count, report_<abuse|spam|other>
                                                   and reports_held_at (when readers'
                                                   reports sent it back) (report); also
                                                   where its traces are, for erasure: its
                                                   label_entries, audit_entries, deliveries
                                                   (stream/delivery ids, space-separated),
                                                   idempotency and duplicate digests; the
                                                   site's ids: site_comment_id (intake, or
                                                   PATCH /v1/comments/{id}) and parent_id
                                                   (comment_parent), post_title, parent_held
                                                   ("1": a reply to a comment held then, so
                                                   its parent, once erased, shows removed)
hakam:{<site>}:history:<id>                list    JSON status events, oldest first
                                                   (intake / decide)
hakam:{<site>}:pending                     zset    held comment ids and audit items by
                                                   arrival time (intake / decide)
hakam:{<site>}:leases                      zset    claimed comment ids by lease deadline
                                                   (claim / decide)
hakam:{<site>}:counts                      hash    comments per status (intake / decide)
hakam:{<site>}:approved-authors            set     keyed author hashes with an approved comment
                                                   (intake / decide), "previously approved"
hakam:{<site>}:approved-counts             hash    author hash -> their approved comments that
                                                   still hold personal fields (intake / decide;
                                                   at 0 retention drops them from the set)
hakam:{<site>}:idem:<sha256>               string  first answer to an Idempotency-Key, 24 h
                                                   (intake)
hakam:{<site>}:dup:<sha256>                string  first comment id for post+author+text,
                                                   30 days (intake)
hakam:{<site>}:flood:<author|ip>:<hash>    string  flood marker, flood_seconds TTL (intake)
hakam:{<site>}:reader:<author hash>        zset    the reader's comment ids by arrival time
                                                   (intake; erase, retention remove)
hakam:{<site>}:reader-labels:<author hash> zset    label entry ids made from the reader's
                                                   comments that Hakam does not store (Akismet
                                                   submit-spam / -ham), by time (label; erase,
                                                   retention remove)
hakam:{<site>}:reader-ips:<author hash>    set     keyed IP hashes of the reader's live IP
                                                   flood markers, flood_seconds TTL (intake):
                                                   how erasure finds them
hakam:{<site>}:author:<author hash>        hash    what moderators did to one reader (see
                                                   authors.py): restriction ("premoderated" /
                                                   "suspended" / "banned"), until (unix time it
                                                   ends, "" for never), since, by, reason, entry
                                                   (the audit entry that set it), actions (the
                                                   audit entry ids of every action on them,
                                                   space-separated, for export and erasure),
                                                   rejected_streak (their latest decided
                                                   comments in a row that were rejected or spam;
                                                   gone at their next approved one) (author
                                                   actions, intake, decide; erasure, and the
                                                   retention sweep once the reader has no
                                                   comment left in their index, keep only
                                                   restriction and until of one in force)
hakam:{<site>}:retention                   zset    decided comments still holding personal
                                                   fields, by arrival time (intake / decide),
                                                   and label:<author hash>:<entry> for each
                                                   reader-labels link (label); the retention
                                                   sweep, erase remove
hakam:{<site>}:retention-lock              string  held by the worker sweeping the site's
                                                   retention, sweep-interval TTL (sweep)
hakam:{<site>}:absent                      -       never written: stands in for an optional
                                                   key a script was not given
hakam:{<site>}:site-comments               hash    the site's own comment id -> Hakam's id
                                                   (intake, PATCH /v1/comments/{id}); how a
                                                   reply's comment_parent finds its parent;
                                                   erase removes an erased comment's entry
hakam:{<site>}:posts                       hash    post id -> JSON {premoderation, closed}
                                                   (PUT /v1/posts, posts configure); read
                                                   with the site's settings
hakam:{<site>}:sections                    hash    post_url prefix -> JSON {premoderation,
                                                   close_after_days} (PUT /v1/sections,
                                                   sections configure); read with the site's
                                                   settings
hakam:{<site>}:post-starts                 hash    post id -> arrival time of its first
                                                   comment (intake, HSETNX): what a section's
                                                   close_after_days counts from when the site
                                                   sends no post_date; names no reader
hakam:{<site>}:settings-version            string  a counter bumped by every change to the
                                                   site's key or settings, post and section
                                                   rules included (revoke / configure, after
                                                   the change): intake refuses a comment
                                                   checked against an older version
hakam:{<site>}:audit                       stream  the site's moderator decisions and actions
                                                   on authors: who, what, when; no comment id,
                                                   text or reader (decide, author actions)
hakam:{<site>}:audit-rebuild               stream  the audit being rewritten in the layout-3
                                                   form, renamed over it when done (migrate)
hakam:{<site>}:audit-details               hash    audit entry id -> JSON {comment_id, reason,
                                                   scores} (decide), or {comment_id, reason}
                                                   (author actions); erase removes a field
hakam:{<site>}:labels                      stream  the site's training labels, each naming
                                                   its comment (decide, feedback; erase XDELs
                                                   the ids its comment lists), Perspective
                                                   suggestscore, Akismet submit-spam / -ham
hakam:{<site>}:label-token:<sha256>        string  fingerprint of the labels last recorded
                                                   under a client's token (Perspective's
                                                   clientToken), 30 days (suggestscore)
hakam:{<site>}:webhook:due                 zset    delivery ids by next attempt time (decide /
                                                   deliverer)
hakam:{<site>}:webhook:<delivery>          hash    site, body, attempts, last_error (decide /
                                                   deliverer)
hakam:{<site>}:webhook:dead                list    delivery ids that ran out of attempts
                                                   (deliverer)
hakam:{<site>}:outcomes                    hash    decisions per day, <day>:<held|audit>:
                                                   <decision> (decide); day = unix days
hakam:{<site>}:nudges                      zset    open nudges: token nonces by issue time
                                                   (a nudged POST, with the sweep of those over
                                                   an hour old, abandoned; the resend's intake
                                                   removes its nonce); capped at 10,000
hakam:{<site>}:reports:<id>                hash    readers' reports on a comment: reporter hash
                                                   -> JSON {reason, note, at}, one per reporter
                                                   (report; erase removes it with the comment,
                                                   and the reporter's entry)
hakam:{<site>}:reporter:<reporter hash>    zset    comment ids the reader reported, by time
                                                   (report; export, erase): a reporter hash is
                                                   the keyed hash of the site's id for them, so
                                                   an email sent as that id is their reader
hakam:{<site>}:decision-waits:<day>        hash    held comments decided that day (unix days)
                                                   per wait bucket (queue_health.bucket of
                                                   seconds from arrival to decision) -> count;
                                                   8 days TTL (decide), for the Sites page
hakam:{<site>}:campaign-bands              hash    "<band>:<hash>" of a comment's MinHash (see
                                                   campaigns.py) -> its group id (intake; erase
                                                   drops an erased comment's own)
hakam:{<site>}:campaign-band-times         zset    those bands by the time last written; past
                                                   24 h they are dropped (intake, a few per
                                                   comment)
hakam:{<site>}:campaigns                   hash    group id -> JSON {first_at, last_at, size,
                                                   authors, sig: the MinHash of the group's
                                                   first comment still held} (intake; erase)
hakam:{<site>}:campaign-members            zset    "<group id>:<comment id>", all scores 0 (read
                                                   by lex range per group) (intake; erase,
                                                   retention)
hakam:{<site>}:campaign-authors            zset    "<group id>:<author hash, or comment:<id>
                                                   for a comment without an email>", scores 0
                                                   (intake; erase, retention)
hakam:{<site>}:campaign-times              zset    group id -> time of its last member; groups
                                                   quiet for 24 h are dropped (intake). All six
                                                   campaign keys expire 24 h after the site's
                                                   last comment; a comment names its group in
                                                   its hash (campaign, campaign_sig)
hakam:{<site>}:adapt                       hash    labels (every label ever added, by any
                                                   writer of labels), fence (last fencing
                                                   token); per base model version <b>:
                                                   generation:<b>,
                                                   fitted:<b> (labels when its fit began),
                                                   adapter:<b> (the compiled adapter), report:<b>
                                                   (JSON), stored:<b> (adapter store);
                                                   reset_labels (labels at the last reset: the
                                                   fitted count of a base with no fit since)
                                                   (adapter reset)
hakam:{<site>}:adapt:lock                  string  fencing token of the one fit running, with a
                                                   TTL its fit renews (fit job); reset:<token>
                                                   once its adapter was reset meanwhile: held
                                                   until that fit ends, storing nothing
                                                   (adapter reset)
hakam:{<site>}:adapt:fits                  list    JSON of recent fits and resets, newest first
                                                   (fit job, adapter reset)
=========================================  ======  ==============================================

A comment id carries no site, yet a moderator's decision names only the id. The comment's site
is found by asking every site at once (one pipelined round trip, see ``Comments.locate``) and
remembered in-process: an id never changes site. That keeps a POST at one write to one slot,
where a global id → site key would add a second write to another slot (another master, in a
cluster) to every POST, and a window where the two disagree.

A reader (the keyed hash of their email, as intake computes it) is found without scanning:
the reader index lists their comment ids, and each comment lists the stream entries and
deliveries made from it, so erasing a reader touches only those keys and entries (``erase.lua``,
one site's keys per call). The audit keeps who decided what and when in the stream, and the link
to the comment (with the moderator's reason) in ``audit-details``, the one part erasure removes.

Adding a key is one line here: a per-site key is ``site_key(site, "name", ...)``, which is the
only place the hash tag is applied; a global one is a constant or a plain f-string below.
"""

from __future__ import annotations

import unicodedata

LAYOUT_VERSION = "3"  # 2: per-site hash tags; 3: readers indexed

# -- global -----------------------------------------------------------------------------------
LAYOUT = "hakam:layout"
MIGRATION_LOCK = "hakam:migration-lock"
PEPPER = "hakam:pepper"
APP_SECRET = "hakam:app-secret"
SITES = "hakam:sites"
UNASSIGNED_LABELS = "hakam:labels:unassigned"


def site(name: str) -> str:
    return f"hakam:site:{name}"


def site_by_key_hash(key_hash: str) -> str:
    return f"hakam:sitekey:{key_hash}"


def site_by_folded_key_hash(key_hash: str) -> str:
    return f"hakam:sitekey-folded:{key_hash}"


def moderator(name: str) -> str:
    return f"hakam:moderator:{name}"


def moderator_by_token_hash(token_hash: str) -> str:
    return f"hakam:modtoken:{token_hash}"


# -- per site ---------------------------------------------------------------------------------


def site_key(site_name: str, *parts: str) -> str:
    """The one way a key belonging to a site is named: ``hakam:{site}:part:part``."""
    return f"hakam:{{{site_name}}}:" + ":".join(parts)


def comment(site_name: str, comment_id: str) -> str:
    return site_key(site_name, "comment", comment_id)


def history(site_name: str, comment_id: str) -> str:
    return site_key(site_name, "history", comment_id)


def pending(site_name: str) -> str:
    return site_key(site_name, "pending")


def leases(site_name: str) -> str:
    return site_key(site_name, "leases")


def counts(site_name: str) -> str:
    return site_key(site_name, "counts")


def approved_authors(site_name: str) -> str:
    return site_key(site_name, "approved-authors")


def approved_counts(site_name: str) -> str:
    return site_key(site_name, "approved-counts")


def idempotency(site_name: str, key_hash: str) -> str:
    return site_key(site_name, "idem", key_hash)


def duplicate(site_name: str, digest: str) -> str:
    return site_key(site_name, "dup", digest)


def flood(site_name: str, kind: str, who: str) -> str:
    return site_key(site_name, "flood", kind, who)


def reader(site_name: str, author_key: str) -> str:
    return site_key(site_name, "reader", author_key)


def reader_labels(site_name: str, author_key: str) -> str:
    return site_key(site_name, "reader-labels", author_key)


def reader_ips(site_name: str, author_key: str) -> str:
    return site_key(site_name, "reader-ips", author_key)


def author(site_name: str, author_key: str) -> str:
    return site_key(site_name, "author", author_key)


def retention(site_name: str) -> str:
    return site_key(site_name, "retention")


def retention_lock(site_name: str) -> str:
    return site_key(site_name, "retention-lock")


def absent(site_name: str) -> str:
    return site_key(site_name, "absent")


def posts(site_name: str) -> str:
    return site_key(site_name, "posts")


def sections(site_name: str) -> str:
    return site_key(site_name, "sections")


def post_starts(site_name: str) -> str:
    return site_key(site_name, "post-starts")


def site_comments(site_name: str) -> str:
    return site_key(site_name, "site-comments")


def site_version(site_name: str) -> str:
    return site_key(site_name, "settings-version")


def audit(site_name: str) -> str:
    return site_key(site_name, "audit")


def audit_rebuild(site_name: str) -> str:
    return site_key(site_name, "audit-rebuild")


def audit_details(site_name: str) -> str:
    return site_key(site_name, "audit-details")


def labels(site_name: str) -> str:
    return site_key(site_name, "labels")


def label_token(site_name: str, token_hash: str) -> str:
    return site_key(site_name, "label-token", token_hash)


def webhook_due(site_name: str) -> str:
    return site_key(site_name, "webhook", "due")


def webhook_delivery(site_name: str, delivery_id: str) -> str:
    return site_key(site_name, "webhook", delivery_id)


def webhook_dead(site_name: str) -> str:
    return site_key(site_name, "webhook", "dead")


def outcomes(site_name: str) -> str:
    return site_key(site_name, "outcomes")


def nudges(site_name: str) -> str:
    return site_key(site_name, "nudges")


def reports(site_name: str, comment_id: str) -> str:
    return site_key(site_name, "reports", comment_id)


def reporter(site_name: str, reporter_key: str) -> str:
    return site_key(site_name, "reporter", reporter_key)


def decision_waits(site_name: str, day: int) -> str:
    return site_key(site_name, "decision-waits", str(day))


def campaign_bands(site_name: str) -> str:
    return site_key(site_name, "campaign-bands")


def campaign_band_times(site_name: str) -> str:
    return site_key(site_name, "campaign-band-times")


def campaigns(site_name: str) -> str:
    return site_key(site_name, "campaigns")


def campaign_members(site_name: str) -> str:
    return site_key(site_name, "campaign-members")


def campaign_authors(site_name: str) -> str:
    return site_key(site_name, "campaign-authors")


def campaign_times(site_name: str) -> str:
    return site_key(site_name, "campaign-times")


def adapt(site_name: str) -> str:
    return site_key(site_name, "adapt")


def adapt_lock(site_name: str) -> str:
    return site_key(site_name, "adapt", "lock")


def adapt_fits(site_name: str) -> str:
    return site_key(site_name, "adapt", "fits")


# -- site names -------------------------------------------------------------------------------


def check_site_name(name: str) -> str:
    """The name, or ValueError saying why it cannot name a site.

    A site's name is its keys' hash tag, so it must be one: not empty and without braces (a
    brace would end or split the tag, and keys of one site would land in different slots).
    Control characters are refused too, since names are printed one per line. Everything else
    that `hakam sites add` took before stays valid: letters of any script, digits, spaces,
    dots, dashes, colons.
    """
    if not name or not name.strip():
        raise ValueError("a site name must not be empty")
    if "{" in name or "}" in name:
        raise ValueError(f"a site name cannot contain braces ({{ or }}), got {name!r}")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ValueError(f"a site name cannot contain control characters, got {name!r}")
    return name
