"""After a check times out, offline mode is as it was and the next check in the kernel works."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anthropic
import pytest

import lessonkit
from lessonkit.checks import Exercise, Status
from lessonkit.exercises.harness import params

RELEASE = threading.Event()  # lets a blocked answer's abandoned thread go, at the end


class Hello(Exercise):
    name, title, entry = "ex00_hello", "Say hello", "hello"
    timeout = 5.0

    def check_answer(self, hello: Any) -> None:
        with self.scenario("a plain question"), lessonkit.offline() as api:
            api.reply("Hello!")
            if hello(anthropic.Anthropic()) != "Hello!":
                self.fail("Return the reply's text.")


class Blocked(Hello):
    """Gives up on a waiting answer after 2 s; a right answer gets `Hello`'s default wall
    limit. On a busy machine, 0.3 s could pass before the worker even reached the blocking
    call: the interrupt then landed inside the SDK's client construction."""

    wall_timeout = 2.0


def right(client: anthropic.Anthropic) -> str:
    message = client.messages.create(**params())
    return "".join(block.text for block in message.content if block.type == "text")


def blocks(client: anthropic.Anthropic) -> str:
    RELEASE.wait()  # a call that does not return (input(), a lock, a socket)
    return right(client)


@contextmanager
def abandoned_threads() -> Iterator[None]:
    """Let the blocked answer's thread go at the end, and wait until it has left offline mode.

    Inside the test, not a fixture: pytest-cov resumes its tracer between a test and
    its fixtures' teardown, and a tracer stalls while a worker is still blocked
    after its interrupt (see :mod:`lessonkit.checks.sandbox`).
    """
    RELEASE.clear()
    try:
        yield
    finally:
        RELEASE.set()
        for thread in threading.enumerate():
            if thread.name == f"lessonkit-check-{Hello.name}":
                thread.join(10)
                assert not thread.is_alive()


@pytest.mark.untraced  # the answer blocks until this thread releases it
def test_a_blocked_answer_is_told_to_restart_and_leaves_offline_mode_off() -> None:
    with abandoned_threads():
        result = Blocked.evaluate(blocks)
        assert result.status is Status.INCORRECT
        assert "restart the kernel" in result.message and "infinite" not in result.message
        assert result.details[0] == "Scenario: a plain question"  # kept, though it timed out
        assert "RELEASE.wait()" in result.details[1]
        assert lessonkit.offline.current() is None
        assert Hello.evaluate(right).status is Status.CORRECT  # was "offline() is already active"


@pytest.mark.untraced
def test_the_abandoned_thread_exiting_later_leaves_the_notebooks_session_alone() -> None:
    notebook = lessonkit.offline()
    api = notebook.start()
    try:
        with abandoned_threads():
            assert Blocked.evaluate(blocks).status is Status.INCORRECT
            assert lessonkit.offline.current() is notebook  # resumed after the abandoned check
            assert Hello.evaluate(right).status is Status.CORRECT
        # The abandoned thread has now unwound through its `with offline()`.
        assert lessonkit.offline.current() is notebook
        api.reply("still the notebook's")
        assert right(anthropic.Anthropic()) == "still the notebook's"
    finally:
        notebook.stop()
    assert lessonkit.offline.current() is None
