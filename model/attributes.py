"""Perspective-style attributes scored beside `spam` and `abuse` (abuse is Perspective's
TOXICITY): the names, and the languages each attribute's head was trained for.

An attribute has a score only where its head knows the comment's language (`language_of`):
elsewhere it is None, as it is for every attribute of a model trained without such heads. A
None is "not measured", never "clean", and nothing ever holds on it. Pure data, no I/O.

A head explains itself as `spam` and `abuse` do: when its score is above its line in
`Thresholds.attribute_hold` (or with `explain_all=True`), `Score.reasons` holds a
`Reason(code=f"{name}_terms", task=name, spans=...)` naming the words behind it. The service
names those words when a site holds on the attribute, and translates the message by its code.
"""

from __future__ import annotations

from collections.abc import Mapping

ATTRIBUTES = ("identity_attack", "insult", "profanity", "threat")

# Which languages (as `language_of` names them) each head was trained on; threat has labels
# only in English data (toxic-spans-civil-comments, OLID), the other three in both.
ATTRIBUTE_LANGUAGES: Mapping[str, frozenset[str]] = {
    "identity_attack": frozenset({"ar", "en"}),
    "insult": frozenset({"ar", "en"}),
    "profanity": frozenset({"ar", "en"}),
    "threat": frozenset({"en"}),
}

# The hold threshold of each attribute when a model ships none (Thresholds.attribute_hold)
DEFAULT_ATTRIBUTE_HOLD = 0.5


def explanation_code(attribute: str) -> str:
    """The `Reason.code` of the words behind an attribute's score (`insult_terms`)."""
    return f"{attribute}_terms"


def supports(attribute: str, language: str) -> bool:
    """Whether `attribute` has a head for text in `language` ("ar" or "en")."""
    return language in ATTRIBUTE_LANGUAGES.get(attribute, frozenset())


def unscored() -> dict[str, float | None]:
    """Every attribute, none of them measured: a model without attribute heads scores this."""
    return dict.fromkeys(ATTRIBUTES)
