"""A comment cut into sentences, as [begin, end) offsets into the text as it was sent, for
Perspective's span annotations (one score per sentence).

A sentence ends at . ! ? … or the Arabic question mark ؟ (and ۔) followed by a space or the end
of the text, or at a line break; "www.site.com", "3.5" and "e.g.x" are not cut. Each span is
trimmed of the spaces around it; blank pieces are left out. Offsets count characters (code
points), as every span Hakam answers does.

A text of more than MAX_SPANS sentences has consecutive sentences share a span, so that a
comment at the size limit made of one-word sentences is still scored in well under a second.
"""

from __future__ import annotations

import re

MAX_SPANS = 256

_SENTENCE_END = re.compile(r"[.!?…؟۔]+(?=\s|$)|[\r\n]+")


def _trimmed(text: str, begin: int, end: int) -> tuple[int, int] | None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return (begin, end) if begin < end else None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        # the end mark belongs to its sentence; a line break to neither
        end = match.start() if match.group()[0] in "\r\n" else match.end()
        span = _trimmed(text, start, end)
        if span:
            spans.append(span)
        start = match.end()
    span = _trimmed(text, start, len(text))
    if span:
        spans.append(span)
    if len(spans) <= MAX_SPANS:
        return spans
    per_span = -(-len(spans) // MAX_SPANS)
    return [(spans[k][0], spans[min(k + per_span, len(spans)) - 1][1])
            for k in range(0, len(spans), per_span)]
