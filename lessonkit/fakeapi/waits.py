"""Virtual waits, stamped as they happen with the attempt they follow and why.

When the fake answers a request it knows what the SDK will do next: it wrote
the status and the retry headers, and :func:`.retries.after_failure` reads
them as the SDK does. That plan is kept on the request's record
(``record.retry``); the next real sleep *in the same thread or asyncio task*
is stamped with it — call, attempt, reason — so concurrent calls never swap
their waits. A sleep after a success, or after a wait was already stamped,
is ``"not a retry"``.

One fact only shows later: a wait after a failure that the SDK does not
follow with its retry (a learner's own loop, ``max_retries=0``). When that
thread's next request belongs to another call, the wait becomes ``"not a
retry"``. Nothing is re-derived when ``api.sleeps`` is read.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .clock import Sleep

if TYPE_CHECKING:
    from .records import RecordedRequest

__all__ = ["NOT_A_RETRY", "SLEEP_SOURCES", "Wait", "WaitLog"]

#: Clock moves that are real sleeps (not ``advance``, a simulated timeout or an injected sleep).
SLEEP_SOURCES = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep"})
NOT_A_RETRY = "not a retry"


@dataclass(frozen=True)
class Wait:
    """One virtual wait, and why it happened."""

    at: float  #: clock seconds when the wait began
    seconds: float
    source: str  #: "time.sleep", "asyncio.sleep" or "anyio.sleep"
    reason: str  #: "retry-after-ms header", "retry-after header", "backoff" or "not a retry"
    attempt: int | None = None  #: 1-based attempt whose failure caused it (None: not a retry)
    call_id: str | None = None  #: the logical call it belongs to (None: not a retry)
    follows: str | None = None  #: request_id of the latest request in the same thread or task


@dataclass(slots=True)
class _Latest:
    """The latest request one thread or task sent, and the wait stamped after it."""

    log: WaitLog
    record: RecordedRequest
    wait: Wait | None = None


_LATEST: ContextVar[_Latest | None] = ContextVar("lessonkit_latest_request", default=None)


class WaitLog:
    """Every real-sleep wait of one fake API, in the order they happened."""

    def __init__(self) -> None:
        self._waits: list[Wait] = []
        self._lock = threading.Lock()

    def arrived(self, record: RecordedRequest) -> None:
        """A request arrived (its ``call_id`` set): settle the wait before it, then follow it."""
        latest = self._latest()
        if latest is not None and latest.wait is not None:
            if latest.wait.call_id != record.call_id:  # the SDK did not retry: someone else waited
                self._demote(latest.record, latest.wait)
        _LATEST.set(_Latest(self, record))

    def slept(self, sleep: Sleep) -> None:
        """Stamp a clock move (a :class:`VirtualClock` listener); only real sleeps are waits."""
        if sleep.source not in SLEEP_SOURCES:
            return
        latest = self._latest()
        follows = latest.record.request_id if latest is not None else None
        wait = Wait(sleep.at, sleep.seconds, sleep.source, NOT_A_RETRY, follows=follows)
        with self._lock:
            plan = latest.record.retry if latest is not None and latest.wait is None else None
            if latest is not None and plan is not None and plan.retried:
                failed = latest.record
                attempt = failed.retry_count + 1
                wait = replace(wait, reason=plan.reason, attempt=attempt, call_id=failed.call_id)
                latest.wait = failed.wait_after = wait
            self._waits.append(wait)

    def entries(self) -> list[Wait]:
        """A copy of the waits so far."""
        with self._lock:
            return list(self._waits)

    def clear(self) -> None:
        with self._lock:
            self._waits.clear()

    def _latest(self) -> _Latest | None:
        latest = _LATEST.get()
        return latest if latest is not None and latest.log is self else None

    def _demote(self, record: RecordedRequest, wait: Wait) -> None:
        with self._lock:
            for index in range(len(self._waits) - 1, -1, -1):
                if self._waits[index] is wait:
                    demoted = replace(wait, reason=NOT_A_RETRY, attempt=None, call_id=None)
                    self._waits[index] = demoted
                    record.wait_after = None
                    return
