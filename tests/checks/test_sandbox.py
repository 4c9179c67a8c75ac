"""run_with_timeout: values, exceptions, timeouts, context variables."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

from lessonkit.checks.sandbox import Finished, Raised, TimedOut, run_with_timeout

LESSON: contextvars.ContextVar[str] = contextvars.ContextVar("LESSON", default="unset")


def test_finished() -> None:
    assert run_with_timeout(lambda: 42, 1.0) == Finished(42)


def test_raised_keeps_the_exception_and_its_traceback() -> None:
    def boom() -> None:
        raise KeyError("k")

    outcome = run_with_timeout(boom, 1.0)
    assert isinstance(outcome, Raised)
    assert isinstance(outcome.error, KeyError)
    assert outcome.error.__traceback__ is not None


def test_base_exceptions_are_captured_too() -> None:
    def leave() -> None:
        raise SystemExit(3)

    outcome = run_with_timeout(leave, 1.0)
    assert isinstance(outcome, Raised) and isinstance(outcome.error, SystemExit)


def test_an_infinite_loop_times_out_fast_and_its_thread_is_stopped() -> None:
    def spin() -> None:
        while True:
            pass

    started = time.monotonic()
    outcome = run_with_timeout(spin, 0.5, name="lessonkit-test-spin")
    assert outcome == TimedOut(0.5)
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 2
    while any(t.name == "lessonkit-test-spin" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the abandoned thread kept running"
        time.sleep(0.01)


def test_context_variables_reach_the_worker() -> None:
    token = LESSON.set("streaming")
    try:
        assert run_with_timeout(LESSON.get, 1.0) == Finished("streaming")
    finally:
        LESSON.reset(token)


def test_asyncio_run_works_inside_even_under_a_running_loop() -> None:
    async def outer() -> object:
        return run_with_timeout(lambda: asyncio.run(asyncio.sleep(0, "done")), 1.0)

    assert asyncio.run(outer()) == Finished("done")
