"""JSON out of the service (answers, and what it stores in Redis), through orjson.

orjson parses and writes JSON in compiled code, an order of magnitude faster than the standard
library's encoder for the small documents Hakam handles, and it writes non-ASCII text as UTF-8
(Arabic stays readable, as `ensure_ascii=False` did). Every POST /v1/comments parses one body and
writes several documents (the stored scores, reasons and history, the answer), so it counts.
Parsing stays with the standard library wherever the text comes from a client (see
`loads_request`).

`dumps` returns bytes: Redis and Flask responses take them as they are.
"""

from __future__ import annotations

import json
from decimal import Decimal
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
    """JSON this service wrote (to Redis). Request bodies go through `loads_request` instead."""
    return orjson.loads(text)


class TooDeeplyNested(ValueError):
    """A client's JSON nests arrays or objects deeper than the parser's recursion allows."""


def _integer(digits: str) -> int | Decimal:
    try:
        return int(digits)
    except ValueError:
        # Past Python's int-digit limit (4,300 digits: converting more would take quadratic
        # time). A Decimal is read in linear time and is no int, so validation refuses it as
        # the field's own error (422) instead of the parser failing the whole request.
        return Decimal(digits)


def loads_request(text: str | bytes) -> Any:
    """A client's JSON, as the client wrote it: the standard library's parser, since orjson
    turns integers past 64 bits into floats and a client's number must reach validation
    unchanged. Raises json.JSONDecodeError, or TooDeeplyNested, both ValueErrors (so Flask's
    `request.get_json` treats both as malformed JSON)."""
    try:
        return json.loads(text, parse_int=_integer)
    except RecursionError:
        raise TooDeeplyNested("the JSON nests too deeply") from None


class OrjsonProvider(DefaultJSONProvider):
    """Flask's `jsonify` through orjson, key order kept; `request.get_json` parses with
    `loads_request`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_request(s)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj).decode()

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(dumps(obj) + b"\n", mimetype=self.mimetype)
