"""Run a check with a time limit that counts only its own work, without hanging the kernel.

The callable runs in a daemon worker thread. The limit is the worker's *CPU*
time (``pthread_getcpuclockid``), so other processes on a busy machine cannot
eat it; a much longer wall-clock backstop catches a worker that waits instead
of computing (``input()``, a lock, a socket). Where there is no per-thread CPU
clock (macOS, Windows) the limit falls back to wall time.

Python cannot kill a thread, so on timeout the worker is *abandoned*: first we
look at what it was doing (``observe`` and the worker's stack, taken before it
is disturbed), then ask CPython to raise `Abandoned` inside it (best effort: a
pure-Python loop stops at its next bytecode, a blocking call only when it
returns) and give it a moment to unwind. Being a daemon, it never blocks
interpreter exit. One CPython 3.11 limit: while a tracer is active (coverage,
a debugger), the thread that asked stalls at its next call until the worker
takes the exception, i.e. until the worker's blocking call returns.

Running in a fresh thread has two useful side effects: the learner's code gets
the caller's context variables (we copy them), and `asyncio.run()` works inside a
check even though the notebook's own event loop is running.
"""

from __future__ import annotations

import contextvars
import ctypes
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import Any

#: How often the caller looks at the worker's CPU clock, in seconds.
_POLL = 0.02
#: How long an interrupted worker gets to unwind (leave its ``with`` blocks) before we give up.
_UNWIND = 2.0

#: One frame of a stack: code, line number and module globals (for ``linecache``).
Frame = tuple[CodeType, int, dict[str, Any]]


class Abandoned(BaseException):
    """Raised inside a worker thread that ran past its time limit."""


@dataclass(frozen=True)
class Finished:
    """The callable returned `value`."""

    value: object


@dataclass(frozen=True)
class Raised:
    """The callable raised `error` (any BaseException, traceback attached)."""

    error: BaseException


@dataclass(frozen=True)
class TimedOut:
    """The callable was still going when a limit was hit; its thread was abandoned."""

    seconds: float  #: the limit that was hit
    waiting: bool  #: the wall-clock backstop was hit: the worker waited rather than computed
    stuck: bool  #: the worker was still alive after being interrupted
    stack: tuple[Frame, ...] = ()  #: the worker's frames when the limit hit, outermost first


Outcome = Finished | Raised | TimedOut


def run_with_timeout(
    function: Callable[[], object],
    seconds: float,
    *,
    wall: float | None = None,
    observe: Callable[[], object] | None = None,
    name: str = "lessonkit-check",
) -> Outcome:
    """Call `function()` in a worker thread; stop waiting after `seconds` of its CPU time.

    ``wall`` (default: ``max(60, 10 * seconds)``) bounds the wall time;
    ``observe`` runs on timeout before the worker is interrupted.

    >>> run_with_timeout(lambda: 6 * 7, 1.0)
    Finished(value=42)
    """
    backstop = max(60.0, 10 * seconds) if wall is None else wall
    outcome: list[Outcome] = []
    context = contextvars.copy_context()

    def work() -> None:
        try:
            outcome.append(Finished(context.run(function)))
        except BaseException as error:  # the caller classifies every outcome
            outcome.append(Raised(error))

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        waiting = _wait(worker, seconds, backstop)
    except BaseException:  # e.g. KeyboardInterrupt from the notebook's stop button
        _interrupt(worker)
        raise
    if outcome:
        return outcome[0]
    stack = _stack(worker)
    if observe is not None:
        observe()
    _interrupt(worker)
    worker.join(_UNWIND)
    return TimedOut(backstop if waiting else seconds, waiting, worker.is_alive(), stack)


def _wait(worker: threading.Thread, seconds: float, backstop: float) -> bool:
    """Wait until `worker` ends or hits a limit; True if that was the wall-clock backstop."""
    cpu = _cpu_clock(worker)
    started = time.monotonic()
    while True:
        worker.join(_POLL)
        if not worker.is_alive():
            return False
        try:
            if cpu() >= seconds:
                return False
        except OSError:  # the thread ended between the join and the clock read
            return False
        if time.monotonic() - started >= backstop:
            return True


def _cpu_clock(worker: threading.Thread) -> Callable[[], float]:
    """Seconds of CPU `worker` has used (wall seconds since now where no thread clock exists)."""
    getclock = getattr(time, "pthread_getcpuclockid", None)
    if getclock is not None and worker.ident is not None:
        try:
            clock = getclock(worker.ident)
        except OSError:
            pass
        else:
            return lambda: time.clock_gettime(clock)
    started = time.monotonic()
    return lambda: time.monotonic() - started


def _stack(worker: threading.Thread) -> tuple[Frame, ...]:
    frame: FrameType | None = sys._current_frames().get(worker.ident or -1)
    frames: list[Frame] = []
    while frame is not None:
        frames.append((frame.f_code, frame.f_lineno, frame.f_globals))
        frame = frame.f_back
    return tuple(reversed(frames))


def _interrupt(worker: threading.Thread) -> None:
    """Best effort: raise `Abandoned` in `worker` (CPython only)."""
    pythonapi = getattr(ctypes, "pythonapi", None)
    if worker.ident is None or not worker.is_alive() or pythonapi is None:
        return
    pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(Abandoned))
