"""A virtual clock: time that only moves when lessonkit (or a learner) moves it.

Batches progress on it and retry sleeps are recorded on it instead of being
slept, so a lesson that "waits an hour" runs in milliseconds and prints the
same timestamps every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: Where every fresh clock starts. Fixed, so timestamps in saved notebook
#: outputs are the same on every run.
EPOCH = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sleep:
    """One wait that the clock absorbed instead of sleeping."""

    at: float  #: clock seconds when the wait began
    seconds: float
    source: str  #: "time.sleep", "asyncio.sleep", "anyio.sleep", "injected sleep", "advance"…


class VirtualClock:
    """Monotonic virtual seconds since :data:`EPOCH`, safe to share between threads."""

    def __init__(
        self, start: datetime = EPOCH, *, on_move: Callable[[Sleep], None] | None = None
    ) -> None:
        self._start = start
        self._seconds = 0.0
        self._lock = threading.Lock()
        self._on_move = on_move  # told of every move as it happens, in order
        self.sleeps: list[Sleep] = []

    @property
    def seconds(self) -> float:
        """Seconds elapsed since the clock started."""
        return self._seconds

    def now(self) -> datetime:
        """The current virtual time as an aware UTC datetime."""
        return self._start + timedelta(seconds=self._seconds)

    def advance(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0
    ) -> datetime:
        """Move time forward, e.g. ``api.clock.advance(minutes=30)``; returns the new now."""
        total = seconds + 60 * minutes + 3600 * hours
        if total < 0:
            raise ValueError("the virtual clock only moves forward; pass a positive duration")
        self._move(total, "advance")
        return self.now()

    def sleep(self, seconds: float, source: str = "time.sleep") -> None:
        """Record a wait of ``seconds`` and move the clock past it."""
        self._move(max(0.0, float(seconds)), source)

    def _move(self, seconds: float, source: str) -> None:
        with self._lock:
            move = Sleep(at=self._seconds, seconds=seconds, source=source)
            self.sleeps.append(move)
            self._seconds += seconds
            if self._on_move is not None:
                self._on_move(move)

    def reset(self) -> None:
        """Back to the epoch, with no recorded sleeps."""
        with self._lock:
            self._seconds = 0.0
            self.sleeps.clear()

    def isoformat(self, when: datetime | None = None) -> str:
        """RFC 3339 with microseconds and ``Z``, the way the API writes timestamps."""
        value = self.now() if when is None else when
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def __repr__(self) -> str:
        return f"<VirtualClock {self.isoformat()} (+{self._seconds:g}s, {len(self.sleeps)} waits)>"
