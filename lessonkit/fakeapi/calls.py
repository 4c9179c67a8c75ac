"""Logical calls: which attempts the SDK's retry loop sent for one ``create()``.

The SDK (anthropic 2.x) sends no ``Idempotency-Key``: the attempts of one call
share only their body and an ``x-stainless-retry-count`` header counting 0, 1,
2… So an attempt with retry count ``n > 0`` continues the latest call whose
last attempt had count ``n - 1`` and the same method, path and body. Each call
gets a stable id (``call_1``…) on its records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["Attempt", "continued_call"]


class Attempt(Protocol):
    """What this module needs from a recorded request."""

    method: str
    path: str
    json: Any
    call_id: str

    @property
    def retry_count(self) -> int: ...


def continued_call(
    previous: Sequence[Attempt], method: str, path: str, body: Any, retry_count: int
) -> str | None:
    """The id of the logical call a new attempt continues, or None for a first attempt.

    Walks back from the newest request only as far as the call it continues,
    so recording stays cheap however long the log grows.
    """
    if retry_count > 0:
        continued: set[str] = set()  # calls that already have an attempt this late
        for earlier in reversed(previous):
            if earlier.retry_count >= retry_count:
                continued.add(earlier.call_id)
                continue
            same = (earlier.method, earlier.path, earlier.json) == (method, path, body)
            if same and earlier.retry_count == retry_count - 1 and earlier.call_id not in continued:
                return earlier.call_id
    return None
