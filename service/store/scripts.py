"""Every Lua script of the store and its arguments, named and in order.

Redis hands a script its keys and arguments as two positional lists, KEYS and ARGV. Each
script here is declared once with the names of both, in order; Python builds the two lists from
keyword arguments by those names (`Script.call`), and the script binds each to a local of the
same name on its first lines (`local comment_key = KEYS[5]`), so neither side counts
positions by hand. A script that takes a variable tail (one key per comment, say) names it in
`more_keys` / `more_args`, and reads it past `FIXED_KEYS` / `FIXED_ARGS`, locals it sets to the
number of named ones. tests/service/test_store_scripts.py holds every script to its spec.

Every key a script is given is one site's (one hash tag), so a script runs on one slot of a
Redis Cluster; the `absent` key of the site stands in for an optional key not given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .connection import lua


@dataclass(frozen=True)
class Script:
    name: str  # lua/<name>.lua
    keys: tuple[str, ...]
    args: tuple[str, ...]
    more_keys: str = ""  # what follows the named keys, if anything
    more_args: str = ""  # what follows the named arguments, if anything
    _names: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_names", frozenset(self.keys + self.args))

    @property
    def text(self) -> str:
        return lua(self.name)

    def call(self, *, more_keys: Iterable = (), more_args: Iterable = (),
             **named) -> dict[str, list]:
        """`keys=` and `args=` for a run of this script (redis-py's Script and DirectScript
        both take them), from its named keys and arguments and any tails."""
        # On the intake path: look the names up, and only on a miss or a surplus find out why.
        try:
            script_keys = [named[name] for name in self.keys]
            script_args = [named[name] for name in self.args]
        except KeyError:
            script_keys = None
        if script_keys is None or len(named) != len(self._names):
            missing = sorted(self._names - named.keys())
            unknown = sorted(named.keys() - self._names)
            raise TypeError(f"{self.name}.lua: missing {missing}, unknown {unknown}")
        if (more_keys and not self.more_keys) or (more_args and not self.more_args):
            raise TypeError(f"{self.name}.lua takes no more keys or arguments than it names")
        if more_keys:
            script_keys += more_keys
        if more_args:
            script_args += more_args
        return {"keys": script_keys, "args": script_args}


INTAKE = Script(
    "intake",
    keys=("idempotency_key", "duplicate_key", "author_flood_key", "ip_flood_key",
          "comment_key", "history_key", "pending_key", "counts_key", "approved_authors_key",
          "reader_key", "reader_ips_key", "retention_key", "approved_counts_key",
          "site_version_key", "nudges_key", "site_comments_key", "post_starts_key",
          "campaign_bands_key", "campaign_band_times_key", "campaigns_key",
          "campaign_members_key", "campaign_authors_key", "campaign_times_key",
          "author_record_key"),
    args=("comment_id", "status", "created_at", "flood_seconds", "idempotency_ttl",
          "duplicate_ttl", "answer_json", "history_json", "author_key", "ip_key", "audit",
          "site_version", "nudge_nonce", "site_comment_id", "parent_site_id", "post_id",
          "close_after_seconds", "campaign_sig", "campaign_bands", "campaign_author",
          "campaign_hold", "campaign_similarity", "campaign_window", "author_rules",
          "author_hold_applied"),
    more_args="field, value, … of the comment's hash")

NUDGE = Script("nudge", keys=("nudges_key", "author_record_key"),
               args=("nonce", "now", "cutoff", "cap", "author_recorded"))

REPLAY = Script("replay", keys=("idempotency_key",), args=())

CLAIM = Script(
    "claim",
    keys=("pending_key", "leases_key"),
    args=("now", "deadline", "limit", "moderator", "reason", "own_too", "dry_run"),
    more_keys="one comment key per candidate",
    more_args="the candidates' ids, in the order of their keys")

DECIDE = Script(
    "decide",
    keys=("comment_key", "history_key", "pending_key", "leases_key", "counts_key", "audit_key",
          "labels_key", "webhook_due_key", "webhook_delivery_key", "approved_authors_key",
          "audit_details_key", "retention_key", "approved_counts_key", "adapt_key",
          "outcomes_key", "author_record_key"),
    args=("comment_id", "moderator", "new_status", "decision_json", "decided_at", "history_json",
          "audit_json", "labels_json", "webhook_body", "site", "text", "source", "delivery_id",
          "audit_details_json", "decision", "author_recorded"))

ERASE = Script(
    "erase",
    keys=("reader_key", "reader_ips_key", "approved_authors_key", "author_flood_key",
          "pending_key", "leases_key", "counts_key", "labels_key", "audit_details_key",
          "webhook_due_key", "webhook_dead_key", "retention_key", "approved_counts_key",
          "reader_labels_key", "site_comments_key"),
    args=("author_key", "comment_count", "delivery_count", "ip_count"),
    more_keys="4 per comment (comment, history, idempotency, duplicate), one per delivery, "
              "one IP flood marker per IP hash",
    more_args="the comment ids, the delivery ids and the IP hashes, in the order of their keys")

RETAIN = Script(
    "retain",
    keys=("retention_key", "pending_key", "approved_authors_key", "approved_counts_key"),
    args=("now", "cutoff", "revisit", "comment_count", "link_count"),
    more_keys="5 per comment (comment, reader, duplicate, idempotency, author record), then "
              "one reader_labels key per label link",
    more_args="3 per comment (id, author_key as read, reasons without wording), then 2 per "
              "label link (its member in the retention set, the label's entry id)")

LABEL = Script(
    "label",
    keys=("labels_key", "comment_key", "adapt_key", "reader_labels_key", "retention_key"),
    args=("comment_id", "author_key", "now"),
    more_args="field, value, … of the stream entry")

RECORD_LABELS_ONCE = Script(
    "record_labels_once",
    keys=("marker_key", "labels_key", "adapt_key"),
    args=("fingerprint", "marker_ttl", "batch_json"))

TAKE_DELIVERY = Script("take_delivery", keys=("webhook_due_key",),
                       args=("now", "lease_seconds"))

DELIVERY_FAILED = Script(
    "delivery_failed",
    keys=("webhook_delivery_key", "webhook_due_key", "webhook_dead_key"),
    args=("delivery_id", "retry_at", "last_error"))

TAKE_FIT_LOCK = Script("take_fit_lock", keys=("adapt_lock_key", "adapt_key"),
                       args=("lock_ms",))

RENEW_FIT_LOCK = Script("renew_fit_lock", keys=("adapt_lock_key",), args=("token", "lock_ms"))

STORE_ADAPTER = Script(
    "store_adapter",
    keys=("adapt_key", "adapt_lock_key", "adapt_fits_key"),
    args=("token", "base", "generation", "adapter_text", "report_json", "labels_at_start",
          "now", "fit_json", "keep_bases"))

RESET_ADAPTER = Script(
    "reset_adapter",
    keys=("adapt_key", "adapt_lock_key", "adapt_fits_key"),
    args=("record_json", "refit"))

REPORT = Script(
    "report",
    keys=("comment_key", "reports_key", "reporter_key", "pending_key", "counts_key",
          "history_key", "retention_key", "approved_authors_key", "approved_counts_key",
          "webhook_due_key", "webhook_delivery_key"),
    args=("comment_id", "reporter", "report_json", "reason", "now", "threshold", "reason_json",
          "history_json", "webhook_json", "site", "delivery_id"))

ERASE_REPORTS = Script(
    "erase_reports",
    keys=("reporter_key",),
    args=("reporter", "made_count", "about_count", "other_count"),
    more_keys="the reports key of each comment the reader reported, then of each comment of "
              "the reader's, then the index key of each other reader who reported those",
    more_args="the ids of both lists of comments, then the other reporters' hashes, in the "
              "order of their keys")

CAMPAIGN_FORGET = Script(
    "campaign_forget",
    keys=("campaigns_key", "campaign_members_key", "campaign_authors_key", "campaign_bands_key",
          "campaign_band_times_key", "campaign_times_key"),
    args=("now", "comment_count"),
    more_args="4 per comment (id, group id, author hash, its bands), then 3 per group that "
              "needs a new signature (group id, signature, bands)")

LINK_SITE_COMMENT = Script("link_site_comment", keys=("comment_key", "site_comments_key"),
                           args=("comment_id", "site_comment_id"))

CREATE_SITE = Script("create_site", keys=("site_key",), args=(),
                     more_args="field, value, … of the new site's record")


AUTHOR_ACTION = Script(
    "author_action",
    keys=("author_key", "audit_key", "audit_details_key"),
    args=("action", "ends_at", "now", "moderator", "reason", "audit_json", "audit_details_json"))

FORGET_AUTHOR = Script("forget_author", keys=("author_key", "audit_details_key"), args=("now",))
