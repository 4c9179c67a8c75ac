"""Rate-limit response headers, computed on the virtual clock.

The real API answers ``/v1/messages`` with ``anthropic-ratelimit-*`` headers
(API-FACTS §3) that a production client should log and react to. The fake
sends the same names and formats so lessons can read them:

- ``*-limit`` and ``*-remaining`` are integers; token ``*-remaining`` values are
  rounded to the nearest thousand, as the docs say the real ones are;
- ``*-reset`` is when that limit is fully replenished, RFC 3339 to the second
  with ``Z`` (e.g. ``2026-11-02T09:00:02Z``);
- ``tokens-*`` is input + output together, as when no workspace limit applies.

Each limit is a token bucket refilled continuously over a minute (the API's
algorithm). Time only moves on ``api.clock``, so the headers are the same on
every run. Limits are reported, not enforced: only a planned 429 exhausts one.
Default limits are the docs' Tier 1 figures for a Sonnet-class model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .clock import VirtualClock

PREFIX = "anthropic-ratelimit-"
MESSAGES_PATH = "/v1/messages"
#: Names in the order the headers are written.
KINDS = ("requests", "tokens", "input-tokens", "output-tokens")
#: Every header name, in the order written: limit, remaining, reset for each kind.
_NAMES = tuple(
    f"{PREFIX}{kind}-{part}" for kind in KINDS for part in ("limit", "remaining", "reset")
)
#: Reset strings kept per limiter before the cache starts over.
_MAX_STAMPS = 4096


@dataclass(frozen=True)
class Limits:
    """Per-minute limits the headers report (Tier 1 defaults)."""

    requests: int = 50
    input_tokens: int = 30_000
    output_tokens: int = 8_000


@dataclass
class _Bucket:
    limit: int
    used: float = 0.0
    at: float = 0.0  #: clock seconds of the last update

    def refill(self, now: float) -> None:
        self.used = max(0.0, self.used - (now - self.at) * self.limit / 60.0)
        self.at = now

    def seconds_to_full(self) -> float:
        return self.used * 60.0 / self.limit


@dataclass
class RateLimiter:
    """Token buckets for one fake API; ``headers()`` charges a response and reports."""

    clock: VirtualClock
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Full buckets, as at the start of a fresh minute."""
        self._stamps_start: datetime | None = None
        self._stamps: dict[int, str] = {}
        self._buckets = {
            "requests": _Bucket(self.limits.requests),
            "input-tokens": _Bucket(self.limits.input_tokens),
            "output-tokens": _Bucket(self.limits.output_tokens),
        }

    def headers(
        self, *, input_tokens: int = 0, output_tokens: int = 0, exhausted: bool = False
    ) -> dict[str, str]:
        """Charge one request and return the headers its response carries.

        ``exhausted`` (a 429) empties the input-token bucket, so the following
        responses show it refilling as the virtual clock moves.
        """
        now = self.clock.seconds
        buckets = self._buckets
        requests, inputs, outputs = (
            buckets["requests"],
            buckets["input-tokens"],
            buckets["output-tokens"],
        )
        requests.refill(now)
        inputs.refill(now)
        outputs.refill(now)
        requests.used = min(requests.limit, requests.used + 1)
        inputs.used = inputs.limit if exhausted else min(inputs.limit, inputs.used + input_tokens)
        outputs.used = min(outputs.limit, outputs.used + output_tokens)
        both_limit = inputs.limit + outputs.limit
        both_used = inputs.used + outputs.used
        input_wait, output_wait = inputs.seconds_to_full(), outputs.seconds_to_full()
        # Whole seconds after the clock's start, rounded up: never earlier than the truth.
        start = self.clock.now() - timedelta(seconds=now)
        stamps = self._stamps_from(start)
        seconds = [
            math.ceil(now + wait - 1e-9)
            for wait in (
                requests.seconds_to_full(),
                max(input_wait, output_wait),
                input_wait,
                output_wait,
            )
        ]
        for second in seconds:
            if second not in stamps:
                when = start + timedelta(seconds=second)
                stamps[second] = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            _NAMES[0]: str(requests.limit),
            _NAMES[1]: str(_round(requests.limit - requests.used, 1)),
            _NAMES[2]: stamps[seconds[0]],
            _NAMES[3]: str(both_limit),
            _NAMES[4]: str(_round(both_limit - both_used, 1000)),
            _NAMES[5]: stamps[seconds[1]],
            _NAMES[6]: str(inputs.limit),
            _NAMES[7]: str(_round(inputs.limit - inputs.used, 1000)),
            _NAMES[8]: stamps[seconds[2]],
            _NAMES[9]: str(outputs.limit),
            _NAMES[10]: str(_round(outputs.limit - outputs.used, 1000)),
            _NAMES[11]: stamps[seconds[3]],
        }

    def apply(
        self, path: str, status: int, usage: Mapping[str, Any], headers: dict[str, str]
    ) -> None:
        """Add the headers to a ``/v1/messages`` answer that has them (a 200 or a 429).

        Other errors get none: a real 400 shows none (API-FACTS §2). Headers a
        lesson planned (on a 429) are kept.
        """
        if path != MESSAGES_PATH or status not in (200, 429):
            return
        counts = {k: v if isinstance(v, int) else 0 for k, v in usage.items()}
        added = self.headers(
            input_tokens=counts.get("input_tokens", 0),
            output_tokens=counts.get("output_tokens", 0),
            exhausted=status == 429,
        )
        for name, value in added.items():
            headers.setdefault(name, value)

    def _stamps_from(self, start: datetime) -> dict[int, str]:
        """Reset strings by whole clock second, for a clock that started at ``start``.

        Formatting dates is most of the cost of the headers, and consecutive
        responses mostly share their reset seconds; a reset clock, or one
        moved to another start, begins a new cache.
        """
        if start != self._stamps_start or len(self._stamps) > _MAX_STAMPS:
            self._stamps_start, self._stamps = start, {}
        return self._stamps


def _round(value: float, step: int) -> int:
    """Floor for requests (never claim one you don't have); nearest ``step`` for tokens."""
    if step == 1:
        return max(0, math.floor(value + 1e-9))
    return max(0, int(round(value / step)) * step)
