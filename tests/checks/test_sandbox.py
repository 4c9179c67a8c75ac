"""run_with_timeout: values, exceptions, timeouts, context variables."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

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


def spin() -> None:
    while True:
        pass


def test_an_infinite_loop_is_stopped_and_seen_in_its_own_code() -> None:
    outcome = run_with_timeout(spin, 0.2, name="lessonkit-test-spin")
    assert isinstance(outcome, TimedOut)
    assert (outcome.seconds, outcome.waiting, outcome.stuck) == (0.2, False, False)
    code, line, _ = outcome.stack[-1]  # the innermost frame, taken before the interrupt
    assert code is spin.__code__ and line > spin.__code__.co_firstlineno  # inside the loop
    assert not any(t.name == "lessonkit-test-spin" for t in threading.enumerate())


def test_waiting_does_not_count_against_the_limit() -> None:
    """The limit is CPU time: a worker that waits longer than it (a slow machine) still finishes."""
    released = threading.Event()
    timer = threading.Timer(0.3, released.set)
    timer.start()
    assert run_with_timeout(lambda: released.wait(), 0.05, wall=60) == Finished(True)


@pytest.mark.untraced  # the worker blocks until this thread releases it
def test_a_worker_stuck_in_a_blocking_call_hits_the_wall_backstop() -> None:
    released = threading.Event()
    outcome = run_with_timeout(released.wait, 30, wall=0.2)
    assert isinstance(outcome, TimedOut)
    assert (outcome.seconds, outcome.waiting, outcome.stuck) == (0.2, True, True)
    released.set()  # the wait returns, and the abandoned thread ends


def test_observe_sees_the_worker_before_it_is_interrupted() -> None:
    running = threading.Event()
    unwound = threading.Event()
    seen: list[bool] = []

    def loop() -> None:
        try:
            running.set()
            spin()
        finally:
            unwound.set()

    outcome = run_with_timeout(loop, 0.2, observe=lambda: seen.append(unwound.is_set()))
    assert isinstance(outcome, TimedOut) and running.is_set()
    assert seen == [False] and unwound.is_set()


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
