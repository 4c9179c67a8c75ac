"""What the SDK's retry loop did, reconstructed from what the fake API saw.

The SDK (anthropic 2.14) sends no ``Idempotency-Key``: the attempts of one
call share only their body and an ``x-stainless-retry-count`` header counting
0, 1, 2… So a *logical call* is rebuilt here: an attempt with retry count
``n > 0`` continues the latest call whose last attempt had count ``n - 1``
and the same method, path and body. Each call gets a stable id (``call_1``…).

A retry wait is likewise only visible as a virtual sleep between two attempts
of one call. :func:`waits` pairs each sleep with the attempt that followed it
and names its cause from the failed response's headers, in the SDK's order:
``retry-after-ms``, then ``retry-after`` (seconds or HTTP date), then
exponential back-off.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .clock import Sleep

#: Clock moves that are real waits (not ``clock.advance`` or a simulated timeout).
SLEEP_SOURCES = ("time.sleep", "asyncio.sleep", "anyio.sleep")
_EPS = 1e-9


class Attempt(Protocol):
    """What this module needs from a recorded request."""

    method: str
    path: str
    json: Any
    at: float
    call_id: str
    response_headers: dict[str, str]

    @property
    def retry_count(self) -> int: ...


@dataclass(frozen=True)
class Wait:
    """One virtual wait, and why it happened."""

    at: float  #: clock seconds when the wait began
    seconds: float
    source: str  #: "time.sleep", "asyncio.sleep" or "anyio.sleep"
    reason: str  #: "retry-after-ms header", "retry-after header", "backoff" or "not a retry"
    attempt: int | None = None  #: 1-based attempt whose failure caused it (None: not a retry)
    call_id: str | None = None  #: the logical call it belongs to


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


def header_reason(headers: Mapping[str, str]) -> str:
    """Which rule of the SDK's ``_calculate_retry_timeout`` set the wait after ``headers``."""
    if "retry-after-ms" in headers:
        try:
            return "retry-after-ms header" if float(headers["retry-after-ms"]) > 0 else "backoff"
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return "backoff"
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        # The SDK compares an HTTP date with the *real* wall clock, so do we.
        seconds = -1.0 if parsed is None else email.utils.mktime_tz(parsed) - time.time()
    return "retry-after header" if seconds > 0 else "backoff"


def waits(requests: Sequence[Attempt], sleeps: Sequence[Sleep]) -> list[Wait]:
    """Every virtual sleep, matched to the retry it preceded where there is one."""
    claimed: set[int] = set()
    out: list[Wait] = []
    for sleep in sleeps:
        if sleep.source not in SLEEP_SOURCES:
            continue
        found = _retry_after_sleep(requests, sleep, claimed)
        if found is None:
            out.append(Wait(sleep.at, sleep.seconds, sleep.source, "not a retry"))
            continue
        failed, _ = found
        reason = header_reason(failed.response_headers)
        attempt = failed.retry_count + 1
        out.append(Wait(sleep.at, sleep.seconds, sleep.source, reason, attempt, failed.call_id))
    return out


def _retry_after_sleep(
    requests: Sequence[Attempt], sleep: Sleep, claimed: set[int]
) -> tuple[Attempt, Attempt] | None:
    """(failed attempt, retry) around ``sleep``: the earliest unclaimed retry after it."""
    end = sleep.at + sleep.seconds
    for index, retry in enumerate(requests):
        if index in claimed or retry.retry_count == 0 or retry.at < end - _EPS:
            continue
        for failed in requests[:index]:
            if (
                failed.call_id == retry.call_id
                and failed.retry_count == retry.retry_count - 1
                and failed.at <= sleep.at + _EPS
            ):
                claimed.add(index)
                return failed, retry
    return None
