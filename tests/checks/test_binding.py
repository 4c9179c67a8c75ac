"""bind() and the learner API of a bound exercise: check, hint, solution, assert_*."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lessonkit.checks import BoundExercise, Exercise, Hint, NotAttempted, Status, ____, bind


class Double(Exercise):
    name = "ex00_double"
    title = "Double a number"
    entry = "double"
    hints = ("Multiply by two.", "Return the result; do not print it.")
    solution = "def double(x):\n    return 2 * x\n"

    def check_answer(self, double: Any) -> None:
        with self.scenario("double(21)"):
            if double(21) != 42:
                self.fail("double(21) should be 42: multiply by two, do not add two.")


class Greeting(Exercise):
    name = "ex00_greeting"
    title = "A greeting"
    entry = "greeting"
    hints = ("Any text will do.",)

    def check_answer(self, greeting: Any) -> None:
        if not isinstance(greeting, str):
            self.fail("`greeting` should be a string.")


@pytest.fixture(autouse=True)
def progress_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "progress.json"
    monkeypatch.setenv("LESSONKIT_PROGRESS", str(path))
    return path


def test_bind_returns_one_bound_exercise_per_class_and_defines_the_placeholder() -> None:
    namespace: dict[str, Any] = {}
    q1, q2 = bind(namespace, Double, Greeting)
    assert isinstance(q1, BoundExercise) and q1.exercise is Double
    assert q2.exercise is Greeting
    assert namespace["____"] is ____
    assert namespace["NotAttempted"] is NotAttempted  # what released stubs raise
    assert repr(q1) == "<exercise ex00_double: Double a number>"


def test_bind_keeps_an_existing_placeholder_name() -> None:
    namespace: dict[str, Any] = {"____": "mine"}
    bind(namespace, Double)
    assert namespace["____"] == "mine"


def test_bind_validates_the_declaration() -> None:
    class Broken(Double):
        hints = "one"  # type: ignore[assignment]  # the classic missing comma

    with pytest.raises(TypeError, match="hints"):
        bind({}, Broken)


def test_missing_name_is_not_attempted() -> None:
    (q,) = bind({}, Double)
    result = q.result()
    assert result.status is Status.NOT_ATTEMPTED
    assert result.message == (
        "`double` is not defined yet: write it, run its cell, then run this check again."
    )
    q.assert_not_attempted()


def test_the_name_is_looked_up_at_check_time() -> None:
    namespace: dict[str, Any] = {}
    (q,) = bind(namespace, Double)
    exec("def double(x):\n    return ____\n", namespace)  # the stub cell
    q.assert_not_attempted()
    exec("def double(x):\n    return x + 2\n", namespace)  # a first try
    q.assert_failed(contains="multiply by two")
    exec("def double(x):\n    return 2 * x\n", namespace)  # redefined in a later cell
    q.assert_passed()


def test_values_are_checked_too() -> None:
    namespace: dict[str, Any] = {}
    (q,) = bind(namespace, Greeting)
    exec("greeting = ____", namespace)
    q.assert_not_attempted()
    namespace["greeting"] = 42
    q.assert_failed("should be a string")
    namespace["greeting"] = "hello"
    q.assert_passed()


@pytest.mark.parametrize(
    ("answer", "method", "message"),
    [
        (lambda x: 2 * x, "assert_failed", "expected a failure, got:\n✓ Correct"),
        (lambda x: 2 * x, "assert_not_attempted", "expected 'not attempted', got:\n✓ Correct"),
        (lambda x: x, "assert_passed", "expected a pass, got:\n✗ Incorrect"),
    ],
)
def test_assert_helpers_explain_what_they_got(answer: Any, method: str, message: str) -> None:
    (q,) = bind({"double": answer}, Double)
    with pytest.raises(AssertionError, match=message):
        getattr(q, method)()


def test_assert_failed_checks_the_text() -> None:
    (q,) = bind({"double": lambda x: x}, Double)
    q.assert_failed(contains="double(21)")
    with pytest.raises(AssertionError, match="to mention 'timeout'"):
        q.assert_failed(contains="timeout")


def test_check_displays_returns_none_and_records_progress(
    capsys: pytest.CaptureFixture[str], progress_file: Path
) -> None:
    namespace: dict[str, Any] = {"double": lambda x: x}
    (q,) = bind(namespace, Double)
    assert q.check() is None  # type: ignore[func-returns-value]
    namespace["double"] = lambda x: 2 * x
    q.check()
    out = capsys.readouterr().out
    assert "✗ Incorrect: double(21) should be 42" in out
    assert "✓ Correct: `double` passed every check." in out
    saved = json.loads(progress_file.read_text())["exercises"]["ex00_double"]
    assert (saved["status"], saved["attempts"]) == ("correct", 2)


def test_check_still_shows_the_verdict_when_progress_cannot_be_saved(
    capsys: pytest.CaptureFixture[str], progress_file: Path
) -> None:
    progress_file.write_text("not json")
    (q,) = bind({"double": lambda x: 2 * x}, Double)
    with pytest.warns(UserWarning, match="could not save your progress"):
        q.check()
    assert "✓ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("exercise", "n", "expected"),
    [
        (Double, 1, Hint(1, 2, "Multiply by two.")),
        (Double, 2, Hint(2, 2, "Return the result; do not print it.")),
        (Double, 3, "There are only 2 hints."),
        (Greeting, 2, "There is only 1 hint."),
        (Double, 0, "Hints are numbered from 1: try hint(1)."),
    ],
)
def test_hint_for(exercise: type[Exercise], n: int, expected: Hint | str) -> None:
    (q,) = bind({}, exercise)
    assert q.hint_for(n) == expected


def test_no_hints() -> None:
    hintless: type[Exercise] = type("Hintless", (Greeting,), {"hints": ()})
    (q,) = bind({}, hintless)
    assert q.hint_for(1) == "There are no hints for this exercise."


def test_hint_and_solution_display(capsys: pytest.CaptureFixture[str]) -> None:
    q1, q2 = bind({}, Double, Greeting)
    q1.hint()
    q1.hint(5)
    q1.solution()
    q2.solution()
    assert capsys.readouterr().out == (
        "Hint 1 of 2: Multiply by two.\n"
        "There are only 2 hints.\n"
        "Solution: Double a number\n\ndef double(x):\n    return 2 * x\n\n"
        "This exercise has no published solution.\n"
    )
