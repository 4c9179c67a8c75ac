"""After a check times out, offline mode is as it was and the next check in the kernel works."""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
    wall_timeout = 0.3

    def check_answer(self, hello: Any) -> None:
        with self.scenario("a plain question"), lessonkit.offline() as api:
            api.reply("Hello!")
            if hello(anthropic.Anthropic()) != "Hello!":
                self.fail("Return the reply's text.")


def right(client: anthropic.Anthropic) -> str:
    block = client.messages.create(**params()).content[0]
    return block.text if block.type == "text" else ""


def blocks(client: anthropic.Anthropic) -> str:
    RELEASE.wait()  # a call that does not return (input(), a lock, a socket)
    return right(client)


@pytest.fixture
def abandoned_threads() -> Iterator[None]:
    """Let the blocked thread leave its `with offline()` block, and wait until it has."""
    RELEASE.clear()
    yield
    RELEASE.set()
    for thread in threading.enumerate():
        if thread.name == f"lessonkit-check-{Hello.name}":
            thread.join(10)


def test_a_blocked_answer_is_told_to_restart_and_leaves_offline_mode_off(
    abandoned_threads: None,
) -> None:
    result = Hello.evaluate(blocks)
    assert result.status is Status.INCORRECT
    assert "restart the kernel" in result.message and "infinite" not in result.message
    assert result.details[0] == "Scenario: a plain question"  # kept, though it timed out
    assert "RELEASE.wait()" in result.details[1]
    assert lessonkit.offline.current() is None
    assert Hello.evaluate(right).status is Status.CORRECT  # was "offline() is already active"


def test_the_abandoned_thread_exiting_later_leaves_the_notebooks_session_alone() -> None:
    RELEASE.clear()
    notebook = lessonkit.offline()
    api = notebook.start()
    try:
        assert Hello.evaluate(blocks).status is Status.INCORRECT
        assert lessonkit.offline.current() is notebook  # resumed after the abandoned check
        assert Hello.evaluate(right).status is Status.CORRECT
        RELEASE.set()  # the abandoned thread now unwinds through its `with offline()`
        for thread in threading.enumerate():
            if thread.name == f"lessonkit-check-{Hello.name}":
                thread.join(10)
                assert not thread.is_alive()
        assert lessonkit.offline.current() is notebook
        api.reply("still the notebook's")
        assert right(anthropic.Anthropic()) == "still the notebook's"
    finally:
        notebook.stop()
    assert lessonkit.offline.current() is None
