"""Text normalisation shared by the classifier and the service's word lists.

PLACEHOLDER until the model issue lands: casefolds and strips Arabic diacritics
and tatweel only. The full normaliser (offset map, look-alikes, Arabizi, URLs)
replaces this module behind the same `normalize(text) -> Normalized` interface.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIACRITICS_AND_TATWEEL = re.compile("[\u064b-\u065f\u0670\u0640]")


@dataclass(frozen=True)
class Normalized:
    text: str
    # offsets[i] is the index in the original text of normalised character i.
    offsets: tuple[int, ...]


def normalize(text: str) -> Normalized:
    kept = [(i, ch) for i, ch in enumerate(text) if not _DIACRITICS_AND_TATWEEL.match(ch)]
    folded = "".join(ch.casefold() if len(ch.casefold()) == 1 else ch for _, ch in kept)
    return Normalized(text=folded, offsets=tuple(i for i, _ in kept))
