"""A reader's key: the keyed hash everything Hakam keeps about a reader is filed under, derived
from their email by one rule here, which intake, export and erasure (the API and the CLI) and
Akismet's labels all use, so that each finds what the others filed.

The rule: the email in its one spelling (email_validator's normalisation: the domain in lower
case and Unicode, the local part NFC), then `Store.private_key` (HMAC-SHA256 under the
installation's pepper, of the spelling stripped and in lower case). A comment without an email
(on a site that makes it optional) is filed under its author's name instead. The email itself
is never kept.
"""

from __future__ import annotations

from email_validator import validate_email

# A site that asks for deliverability checks waits at most this long for DNS; past it the address
# counts as deliverable, so that a DNS outage never stops comments.
DELIVERABILITY_TIMEOUT_SECONDS = 4


class ReaderEmail(str):
    """An email already in its one spelling (made by `normalized_email`): the schemas hand
    these on, and `reader_key` does not spell them again."""

    __slots__ = ()


def normalized_email(value: str, *, check_deliverability: bool = False) -> ReaderEmail:
    """The one spelling of an email address that a reader is recognised by; raises
    EmailNotValidError (EmailUndeliverableError when deliverability is checked and fails), so
    an address typed another way (case, IDNA) finds the same reader."""
    return ReaderEmail(validate_email(value, check_deliverability=check_deliverability,
                                      allow_smtputf8=True,
                                      timeout=DELIVERABILITY_TIMEOUT_SECONDS).normalized)


def reader_key(store, email: str, *, author: str = "") -> str:
    """The key of the reader with this email (any case, surrounding spaces, IDNA or Unicode
    domain); with no email, of the author's name. Raises EmailNotValidError for an email that
    is none."""
    if not email:
        return store.private_key(f"name:{author}")
    if not isinstance(email, ReaderEmail):
        email = normalized_email(email.strip())
    return store.private_key(email)
