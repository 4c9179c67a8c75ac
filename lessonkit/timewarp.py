"""Virtual sleeping: ``time.sleep``/``asyncio.sleep``/``anyio.sleep`` move the virtual clock.

Inside :func:`lessonkit.offline` the SDK's retry back-off (``time.sleep`` in
sync clients, ``anyio.sleep`` in async ones) and a learner's polling loop take
no wall time; the wait is recorded on ``api.clock`` instead. The SDK has no
public seam for its sleep, so we swap the module attributes it calls
(``time.sleep``, ``anyio.sleep``; learners also reach ``asyncio.sleep``) and
leave SDK classes alone. Code that did ``from time import sleep`` before the
warp started keeps the real function.

Some sleeps must stay real, or the kernel's own housekeeping would spin and
move the clock (ipykernel sleeps 0.5 ms after every cell, on the cell's
thread):

- sleeps called from Jupyter/IPython/ZMQ/tornado modules (:data:`REAL_SLEEP_MODULES`);
- sleeps on threads that existed before the warp started (a kernel's
  heartbeat and I/O threads, say);
- zero and negative sleeps (a yield, or an error the real function raises).

Concurrent virtual sleeps add up rather than overlap: two tasks each sleeping
1 s move the clock 2 s. Real time (``time.time``, ``time.monotonic``) is not
virtual: the SDK turns an HTTP-date ``retry-after`` into seconds with
``time.time()``.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import anyio

from .fakeapi.clock import VirtualClock

__all__ = ["REAL_SLEEP_MODULES", "TimeWarp"]

_real_time_sleep = time.sleep
_real_asyncio_sleep = asyncio.sleep
_real_anyio_sleep = anyio.sleep

#: Top-level packages whose sleeps always stay real (kernel and front-end plumbing).
REAL_SLEEP_MODULES = frozenset(
    {
        "ipykernel",
        "jupyter_client",
        "jupyter_core",
        "zmq",
        "tornado",
        "comm",
        "IPython",
        "ipywidgets",
        "debugpy",
        "traitlets",
        "prompt_toolkit",
        "nbclient",
    }
)


def _caller_package(depth: int) -> str:
    name = sys._getframe(depth + 1).f_globals.get("__name__", "")
    return str(name).partition(".")[0]


class TimeWarp:
    """Swaps the sleep functions for virtual ones while started."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._bystanders: frozenset[int] | None = None  # set at the first start()

    def _virtual_here(self, seconds: float, caller: str) -> bool:
        return (
            seconds > 0
            and threading.get_ident() not in (self._bystanders or ())
            and caller not in REAL_SLEEP_MODULES
        )

    def start(self) -> None:
        # Bystanders are fixed at the *first* start: a session paused for a
        # checker and resumed from the checker's worker thread must keep the
        # notebook's own thread virtual.
        if self._bystanders is None:
            me = threading.get_ident()
            self._bystanders = frozenset(
                t.ident for t in threading.enumerate() if t.ident and t.ident != me
            )
        time.sleep = self._time_sleep  # type: ignore[assignment]
        asyncio.sleep = self._async_sleep("asyncio.sleep", _real_asyncio_sleep)
        anyio.sleep = self._async_sleep("anyio.sleep", _real_anyio_sleep)

    def stop(self) -> None:
        time.sleep = _real_time_sleep
        asyncio.sleep = _real_asyncio_sleep
        anyio.sleep = _real_anyio_sleep

    def _time_sleep(self, seconds: float) -> None:
        if not self._virtual_here(seconds, _caller_package(1)):
            _real_time_sleep(seconds)
            return
        self.clock.sleep(seconds, "time.sleep")
        _real_time_sleep(0)  # still let other threads run, as a real sleep would

    def _async_sleep(
        self, name: str, real: Callable[..., Coroutine[Any, Any, Any]]
    ) -> Callable[..., Coroutine[Any, Any, Any]]:
        async def sleep(delay: float, *args: Any, **kwargs: Any) -> Any:
            if self._virtual_here(delay, _caller_package(1)):
                self.clock.sleep(delay, name)
                delay = 0
            return await real(delay, *args, **kwargs)

        return sleep
