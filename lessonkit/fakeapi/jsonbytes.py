"""Compact JSON bytes, exactly those of ``json.dumps(value, separators=(",", ":")).encode()``.

The fake encodes every body it sends, and a batch's results are thousands of
Messages, so the encoder is a large share of its cost. pydantic_core's encoder
(installed with the SDK, which depends on pydantic) is about three times
faster than the json module's and gives the same bytes with ``ensure_ascii``,
except in three cases, which go to the json module instead:

* floats: ``1e-07`` there, ``1e-7`` here; a caller says when a value may hold one
  (a tool input the request's schema shaped may; a text turn's Message never does);
* DEL (``\\x7f``), which the json module escapes and pydantic_core does not;
* strings it cannot encode as UTF-8 (lone surrogates), which it refuses.

Same input, same bytes, whichever encoder ran: saved outputs never churn.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

__all__ = ["dumps"]

#: ``json.dumps`` with options builds a new encoder on every call: one, made once.
_encode = json.JSONEncoder(separators=(",", ":")).encode


def dumps(value: Any, *, floats: bool = True) -> bytes:
    """``value`` as compact JSON; ``floats=False`` promises it holds no float (the fast path)."""
    if not floats:
        try:
            data = to_json(value, ensure_ascii=True)
        except PydanticSerializationError:
            pass
        else:
            if b"\x7f" not in data:
                return data
    return _encode(value).encode()
