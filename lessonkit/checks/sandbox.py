"""Run a check with a wall-time limit, without hanging the Jupyter kernel.

The callable runs in a daemon worker thread that the caller joins with a timeout.
Python cannot kill a thread, so on timeout the worker is *abandoned*: we ask
CPython to raise `Abandoned` inside it (best effort: a pure-Python loop stops
at its next bytecode, a blocking C call such as `time.sleep(3600)` only when it
returns; code that swallows BaseException keeps running until the kernel
restarts). Being a daemon, it never blocks interpreter exit.

Running in a fresh thread has two useful side effects: the learner's code gets
the caller's context variables (we copy them), and `asyncio.run()` works inside a
check even though the notebook's own event loop is running.
"""

from __future__ import annotations

import contextvars
import ctypes
import threading
from collections.abc import Callable
from dataclasses import dataclass


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
    """The callable was still running after `seconds`; its thread was abandoned."""

    seconds: float


Outcome = Finished | Raised | TimedOut


def run_with_timeout(
    function: Callable[[], object], seconds: float, *, name: str = "lessonkit-check"
) -> Outcome:
    """Call `function()` in a worker thread and wait at most `seconds` for it.

    >>> run_with_timeout(lambda: 6 * 7, 1.0)
    Finished(value=42)
    """
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
        worker.join(seconds)
    except BaseException:  # e.g. KeyboardInterrupt from the notebook's stop button
        _interrupt(worker)
        raise
    if outcome:
        return outcome[0]
    _interrupt(worker)
    return TimedOut(seconds)


def _interrupt(worker: threading.Thread) -> None:
    """Best effort: raise `Abandoned` in `worker` (CPython only)."""
    pythonapi = getattr(ctypes, "pythonapi", None)
    if worker.ident is None or not worker.is_alive() or pythonapi is None:
        return
    pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(Abandoned))
