"""Virtual sleeping: ``time.sleep``/``asyncio.sleep``/``anyio.sleep`` move the virtual clock.

Inside :func:`lessonkit.offline` the SDK's retry back-off (``time.sleep`` in
sync clients, ``anyio.sleep`` in async ones) and a learner's polling loop take
no wall time; the wait is recorded on ``api.clock`` instead. The SDK has no
public seam for its sleep, so we swap the module attributes it calls
(``time.sleep``, ``anyio.sleep``; learners also reach ``asyncio.sleep``) and
leave SDK classes alone, with :func:`unittest.mock.patch.object`: leaving
restores whatever each attribute held on entry (a test's own patch, say), and
sleeps that stay real go to that function too. Code that did ``from time
import sleep`` before the warp started keeps the function it took.

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
from collections.abc import Callable, Coroutine, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import anyio

from .fakeapi.clock import VirtualClock

__all__ = ["REAL_SLEEP_MODULES", "TimeWarp"]

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

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Sleeps are virtual while inside; on exit each is what it was on entry."""
        # Bystanders are fixed at the *first* entry: a session paused for a
        # checker and resumed from the checker's worker thread must keep the
        # notebook's own thread virtual.
        if self._bystanders is None:
            me = threading.get_ident()
            self._bystanders = frozenset(
                t.ident for t in threading.enumerate() if t.ident and t.ident != me
            )
        with ExitStack() as stack:
            stack.enter_context(mock.patch.object(time, "sleep", self._time_sleep(time.sleep)))
            for module in (asyncio, anyio):
                name = f"{module.__name__}.sleep"
                virtual = self._async_sleep(name, module.sleep)
                stack.enter_context(mock.patch.object(module, "sleep", virtual))
            yield

    def _time_sleep(self, previous: Callable[[float], None]) -> Callable[[float], None]:
        def sleep(seconds: float) -> None:
            if self._virtual_here(seconds, _caller_package(1)):
                self.clock.sleep(seconds, "time.sleep")
            else:
                previous(seconds)

        return sleep

    def _async_sleep(
        self, name: str, previous: Callable[..., Coroutine[Any, Any, Any]]
    ) -> Callable[..., Coroutine[Any, Any, Any]]:
        async def sleep(delay: float, *args: Any, **kwargs: Any) -> Any:
            if self._virtual_here(delay, _caller_package(1)):
                self.clock.sleep(delay, name)
                delay = 0
            return await previous(delay, *args, **kwargs)

        return sleep
