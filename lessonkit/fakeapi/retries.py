"""The SDK's retry rules in one function: does it retry a failed attempt, and after how long?

Read from the installed SDK's ``anthropic/_base_client.py`` (``_should_retry``,
``_parse_retry_after_header``, ``_calculate_retry_timeout``; API-FACTS.md "Retries")
and checked against the real SDK by ``tests/test_retries.py``:

- ``x-should-retry: true`` / ``false`` decides first; otherwise 408, 409, 429 and
  every 5xx are retried, and so is an attempt that got no answer (a timeout);
- the wait is ``retry-after-ms`` if it parses as a number — a non-positive one
  means back-off, *without* looking at ``retry-after`` — else ``retry-after`` as
  seconds, else as an HTTP date measured against the real wall clock; a
  positive wait is honoured, however long, up to 4,294,967 s (the most
  ``time.sleep`` accepts on every platform);
- otherwise back-off: ``min(0.5 * 2**n, 8)`` seconds before retry ``n`` (from 0),
  times a jitter in (0.75, 1].
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from anthropic._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

__all__ = ["MAX_HONOURED_WAIT", "RetryPlan", "after_failure"]

#: The longest server-requested wait the SDK honours (``_calculate_retry_timeout``).
MAX_HONOURED_WAIT = 4_294_967.0
#: The SDK's jitter multiplies the back-off by ``1 - 0.25 * random()``.
_MIN_JITTER = 0.75
#: The SDK caps the retry count it feeds to ``pow`` at this.
_MAX_EXPONENT = 1000


@dataclass(frozen=True)
class RetryPlan:
    """What the SDK does after a failed attempt, provided it has retries left."""

    retried: bool
    reason: str  #: "retry-after-ms header", "retry-after header" or "backoff"
    shortest: float  #: seconds: the wait is in [shortest, longest] (equal for a header's wait)
    longest: float


def after_failure(
    status: int | None,
    headers: Mapping[str, str],
    retries_taken: int,
    *,
    now: Callable[[], float] = time.time,
) -> RetryPlan:
    """The SDK's plan after an attempt answered ``status`` with ``headers`` (lower-case names).

    ``status=None`` is an attempt that got no answer (a timeout). ``retries_taken``
    is the attempt's ``x-stainless-retry-count``; ``now`` is the real clock the SDK
    measures an HTTP-date ``retry-after`` against.
    """
    decided = headers.get("x-should-retry")
    if decided in ("true", "false"):
        retried = decided == "true"
    else:
        retried = status is None or status in (408, 409, 429) or status >= 500
    asked = _asked_wait(headers, now)
    if asked is not None and asked[1] > 0:
        seconds = min(asked[1], MAX_HONOURED_WAIT)
        return RetryPlan(retried, asked[0], seconds, seconds)
    ceiling = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, _MAX_EXPONENT), MAX_RETRY_DELAY)
    return RetryPlan(retried, "backoff", _MIN_JITTER * ceiling, ceiling)


def _asked_wait(headers: Mapping[str, str], now: Callable[[], float]) -> tuple[str, float] | None:
    """(which header, seconds) the server asked for, parsed in the SDK's order, or None."""
    try:
        return "retry-after-ms header", float(headers["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return "retry-after header", float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return "retry-after header", float(email.utils.mktime_tz(parsed) - now())
