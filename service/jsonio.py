"""JSON out of the service (answers, and what it stores in Redis), through orjson.

orjson parses and writes JSON in compiled code, an order of magnitude faster than the standard
library's encoder for the small documents Hakam handles, and it writes non-ASCII text as UTF-8
(Arabic stays readable, as `ensure_ascii=False` did). Every POST /v1/comments parses one body and
writes several documents (the stored scores, reasons and history, the answer), so it counts.
Parsing stays with the standard library wherever the text comes from a client (see `loads`).

`dumps` returns bytes: Redis and Flask responses take them as they are.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, tuple):  # NamedTuples: orjson takes plain tuples only
        return list(value)
    # dates, dataclasses, UUIDs, Decimals and markup, as Flask's own provider serialises them
    return DefaultJSONProvider.default(value)


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


def loads(text: str | bytes) -> Any:
    """JSON this service wrote (to Redis). Request bodies go through the standard library's
    parser instead: orjson turns integers past 64 bits into floats, and a client's number
    must reach validation as the client wrote it."""
    return orjson.loads(text)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's `jsonify` through orjson, key order kept; `request.get_json` stays the standard
    library's (see `loads`)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj).decode()

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(dumps(obj) + b"\n", mimetype=self.mimetype)
