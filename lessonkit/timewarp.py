"""Virtual sleeping: ``time.sleep``/``asyncio.sleep``/``anyio.sleep`` move the virtual clock.

Inside :func:`lessonkit.offline` the SDK's retry back-off (``time.sleep`` in
sync clients, ``anyio.sleep`` in async ones) and a learner's polling loop take
no wall time; the wait is recorded on ``api.clock`` instead. The SDK has no
public seam for its sleep, so we swap the standard-library functions it calls
and leave SDK classes alone.

Threads that existed before the warp started (a Jupyter kernel's heartbeat and
I/O threads, say) keep real sleeps, so the kernel's own housekeeping neither
spins nor moves the clock. Zero-second sleeps (``sleep(0)``, a yield) are
passed through untouched.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import anyio

from .fakeapi.clock import VirtualClock

_real_time_sleep = time.sleep
_real_asyncio_sleep = asyncio.sleep
_real_anyio_sleep = anyio.sleep


class TimeWarp:
    """Swaps the sleep functions for virtual ones while started."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._bystanders: frozenset[int] = frozenset()

    def _virtual_here(self, seconds: float) -> bool:
        return seconds > 0 and threading.get_ident() not in self._bystanders

    def start(self) -> None:
        me = threading.get_ident()
        self._bystanders = frozenset(t.ident for t in threading.enumerate() if t.ident and t.ident != me)
        time.sleep = self._time_sleep
        asyncio.sleep = self._async_sleep("asyncio.sleep", _real_asyncio_sleep)  # type: ignore[assignment]
        anyio.sleep = self._async_sleep("anyio.sleep", _real_anyio_sleep)  # type: ignore[assignment]

    def stop(self) -> None:
        time.sleep = _real_time_sleep
        asyncio.sleep = _real_asyncio_sleep
        anyio.sleep = _real_anyio_sleep

    def _time_sleep(self, seconds: float) -> None:
        if not self._virtual_here(seconds):
            _real_time_sleep(seconds)
            return
        self.clock.sleep(seconds, "time.sleep")
        _real_time_sleep(0)  # still let other threads run, as a real sleep would

    def _async_sleep(
        self, name: str, real: Callable[..., Coroutine[Any, Any, Any]]
    ) -> Callable[..., Coroutine[Any, Any, Any]]:
        async def sleep(delay: float, *args: Any, **kwargs: Any) -> Any:
            if self._virtual_here(delay):
                self.clock.sleep(delay, name)
                delay = 0
            return await real(delay, *args, **kwargs)

        return sleep
