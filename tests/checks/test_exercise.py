"""Exercise.evaluate on a toy exercise: every kind of verdict.

Checkers here raise AssertionError explicitly: pytest rewrites `assert`
statements in test modules and would append its own explanation to the message.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from lessonkit.checks import CheckResult, Exercise, Status, ____


class AddExercise(Exercise):
    name = "ex00_add"
    title = "Add two numbers"
    entry = "add"
    hints = ("Python's `+` adds numbers.", "Return the sum; do not print it.")
    solution = "def add(a, b):\n    return a + b\n"
    timeout = 0.5

    def check_answer(self, add: Any) -> None:
        with self.scenario("two small numbers"):
            if add(2, 3) != 5:
                raise AssertionError("add(2, 3) should be 5: return the sum of both arguments.")
        with self.scenario("a negative number"):
            if add(-1, 1) != 0:
                self.fail("add(-1, 1) should be 0: negative numbers count too.")


def right(a: int, b: int) -> int:
    return a + b


def multiplies(a: int, b: int) -> int:
    return a * b


def ignores_negatives(a: int, b: int) -> int:
    return abs(a) + abs(b)


def crashes(a: int, b: int) -> int:
    total = a + b
    return total // (a - 2)  # the learner's own line


def helper_crashes(a: int, b: int) -> int:
    return crashes(a, b)


def half_done(a: int, b: int) -> int:
    if a < 0:
        raise NotImplementedError("negatives later")
    return a + b


def stub(a: int, b: int) -> Any:
    return ____


def calls_the_placeholder(a: int, b: int) -> Any:
    return ____(a, b)


def sleeps_forever(a: int, b: int) -> int:
    while True:
        time.sleep(0.01)


def loud(a: int, b: int) -> int:
    raise ValueError("<script>x</script>" + "!" * 1000)


def first_line(function: Any) -> int:
    return int(function.__code__.co_firstlineno)


def evaluate(answer: object) -> CheckResult:
    return AddExercise.evaluate(answer)


def test_correct() -> None:
    result = evaluate(right)
    assert result == CheckResult(Status.CORRECT, "`add` passed every check.")


@pytest.mark.parametrize(
    ("answer", "message", "scenario"),
    [
        (multiplies, "add(2, 3) should be 5", "two small numbers"),
        (ignores_negatives, "negative numbers count too", "a negative number"),
    ],
)
def test_incorrect_names_the_misconception_and_scenario(
    answer: object, message: str, scenario: str
) -> None:
    result = evaluate(answer)
    assert result.status is Status.INCORRECT
    assert message in result.message
    assert result.details == (f"Scenario: {scenario}",)


@pytest.mark.parametrize("answer", [____, stub, half_done, calls_the_placeholder])
def test_not_attempted(answer: object) -> None:
    assert evaluate(answer).status is Status.NOT_ATTEMPTED


def test_learner_crash_shows_only_the_learner_lines() -> None:
    result = evaluate(helper_crashes)
    assert result.status is Status.INCORRECT
    assert result.message == (
        "Your code raised ZeroDivisionError: integer division or modulo by zero"
    )
    assert result.details == (
        "Scenario: two small numbers",
        f"line {first_line(helper_crashes) + 1} in helper_crashes(): return crashes(a, b)",
        f"line {first_line(crashes) + 2} in crashes(): "
        "return total // (a - 2)  # the learner's own line",
    )
    assert "lessonkit" not in str(result)


def test_long_learner_messages_are_cut() -> None:
    result = evaluate(loud)
    assert result.message.endswith("…")
    assert len(result.message) < 350


def spins(a: int, b: int) -> int:
    while True:
        a += 1


def test_a_loop_that_never_ends_is_named_with_its_line_and_scenario() -> None:
    """The label is read before the worker is interrupted (afterwards it has unwound)."""
    result = evaluate(spins)
    assert result.status is Status.INCORRECT
    assert result.message == (
        "`add` was still running your code after 0.5 s of computing "
        "— is there an infinite polling loop?"
    )
    start = first_line(spins)
    assert result.details[0] == "Scenario: two small numbers"
    assert result.details[1:] in [  # the loop's test or its body, wherever it was stopped
        (f"Still running: line {start + 1} in spins(): while True:",),
        (f"Still running: line {start + 2} in spins(): a += 1",),
    ]


class WaitingExercise(AddExercise):
    wall_timeout = 0.3


def test_a_sleeping_loop_is_reported_as_waiting_not_as_an_infinite_loop() -> None:
    result = WaitingExercise.evaluate(sleeps_forever)
    assert result.status is Status.INCORRECT
    assert result.message == (
        "`add` waited 0.3 s for a call that never returned (input(), a lock, a network read?)."
    )
    assert result.details == (
        "Scenario: two small numbers",
        f"Still running: line {first_line(sleeps_forever) + 2} in sleeps_forever(): "
        "time.sleep(0.01)",
    )


class WarmUpExercise(AddExercise):
    """Its first check pays a one-off cost (as jsonschema's import is for tool use)."""

    timeout = 0.3
    cold = True

    @classmethod
    def warm_up(cls) -> None:
        cls.first_use()

    @classmethod
    def first_use(cls) -> None:
        if cls.cold:
            burn_cpu(2.0)
            cls.cold = False

    def check_answer(self, add: Any) -> None:
        self.first_use()
        super().check_answer(add)


def burn_cpu(seconds: float) -> None:
    started = time.thread_time()
    while time.thread_time() - started < seconds:
        pass


def test_one_off_work_is_done_before_the_limit_starts() -> None:
    assert WarmUpExercise.evaluate(right).status is Status.CORRECT
    assert not WarmUpExercise.cold


class BuggyExercise(AddExercise):
    def check_answer(self, add: Any) -> None:
        add(1, 2)
        empty: dict[str, int] = {}
        empty["missing key"]


def test_a_bug_in_the_checker_is_an_error_not_a_traceback() -> None:
    result = BuggyExercise.evaluate(right)
    assert result.status is Status.ERROR
    assert "lessonkit bug" in result.message
    line = first_line(BuggyExercise.check_answer) + 3
    assert result.details == (f"KeyError: 'missing key' (at test_exercise.py:{line})",)
    assert "Traceback" not in str(result)


class UnimplementedCheckerExercise(AddExercise):
    def check_answer(self, add: Any) -> None:
        return self.helper()

    def helper(self) -> None:
        raise NotImplementedError("checker not written")


def test_not_implemented_in_the_checker_is_an_error() -> None:
    assert UnimplementedCheckerExercise.evaluate(right).status is Status.ERROR


class CallbackExercise(AddExercise):
    """The checker asserts inside a callback that the learner's code calls."""

    def check_answer(self, add: Any) -> None:
        def on_call(value: int) -> None:
            if value != 5:
                raise AssertionError("the callback expected 5")

        with self.scenario("callback"):
            add(on_call, 0)


def calls_back(callback: Any, _: int) -> int:
    callback(4)
    return 0


def test_assertion_raised_by_checker_code_called_from_learner_code_is_a_verdict() -> None:
    result = CallbackExercise.evaluate(calls_back)
    expected = CheckResult(Status.INCORRECT, "the callback expected 5", ("Scenario: callback",))
    assert result == expected


def asserts_itself(a: int, b: int) -> int:
    if a < 100:
        raise AssertionError("my own assert")
    return a + b


def test_assertion_raised_by_learner_code_is_a_crash() -> None:
    result = evaluate(asserts_itself)
    assert result.message == "Your code raised AssertionError: my own assert"


class ScenarioFailExercise(AddExercise):
    def check_answer(self, add: Any) -> None:
        self.fail("wrong", scenario="explicit")


class CaughtEarlierExercise(AddExercise):
    def check_answer(self, add: Any) -> None:
        try:
            with self.scenario("first"):
                add(0, 0)
        except ZeroDivisionError:
            pass
        raise AssertionError


def test_scenario_labels() -> None:
    assert ScenarioFailExercise.evaluate(right).details == ("Scenario: explicit",)
    # a crash caught in one scenario does not label a later failure
    assert CaughtEarlierExercise.evaluate(crashes).details == ()


class AsyncExercise(Exercise):
    name, title, entry = "ex00_async_add", "Add, asynchronously", "add"

    async def check_answer(self, add: Any) -> None:
        with self.scenario("awaited"):
            if await add(2, 3) != 5:
                self.fail("await add(2, 3) should give 5")


def test_async_checker_and_async_answers() -> None:
    async def async_right(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    async def async_wrong(a: int, b: int) -> int:
        return a - b

    async def async_stub(a: int, b: int) -> Any:
        return ____

    assert AsyncExercise.evaluate(async_right).status is Status.CORRECT
    assert AsyncExercise.evaluate(async_wrong).message == "await add(2, 3) should give 5"
    assert AsyncExercise.evaluate(async_stub).status is Status.NOT_ATTEMPTED


def test_a_valid_declaration_validates() -> None:
    AddExercise.validate()


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [
        ({"name": ""}, "`name` must be a non-empty string"),
        ({"entry": "not a name"}, "`entry` must be a Python name"),
        ({"hints": ("only one")}, "`hints` must be a tuple of strings"),
        ({"timeout": 0}, "`timeout` must be a positive number"),
        ({"solution": None}, "`solution` must be source text"),
        ({"check_answer": Exercise.check_answer}, "`check_answer` must be overridden"),
    ],
)
def test_validate_rejects_malformed_declarations(attributes: dict[str, Any], problem: str) -> None:
    broken: type[Exercise] = type("Broken", (AddExercise,), attributes)
    with pytest.raises(TypeError, match=problem):
        broken.validate()


def test_validate_requires_the_data() -> None:
    class Bare(Exercise):
        def check_answer(self, answer: Any) -> None:
            pass

    with pytest.raises(TypeError, match="`name`.*`title`.*`entry`"):
        Bare.validate()


class CaughtExercise(Exercise):
    """A check that catches the learner's exception and fails with a verdict of its own."""

    name = "ex00_lookup"
    title = "Look a key up"
    entry = "lookup"
    timeout = 0.5

    def check_answer(self, lookup: Any) -> None:
        with self.scenario("an unknown key"):
            try:
                lookup({}, "colour")
            except LookupError as error:
                self.fail("should raise ValueError naming 'colour', not crash.", cause=error)
            self.fail("should raise ValueError naming 'colour'.")


def looks_up(table: dict[str, int], key: str) -> int:
    found = table[key]  # the learner's own line
    return found


def test_a_caught_learner_exception_is_shown_with_the_learners_last_line() -> None:
    result = CaughtExercise.evaluate(looks_up)
    assert result.status is Status.INCORRECT
    assert result.message == "should raise ValueError naming 'colour', not crash."
    assert result.details == (
        "Scenario: an unknown key",
        "Your code raised KeyError: 'colour'",
        f"line {first_line(looks_up) + 1} in looks_up(): "
        "found = table[key]  # the learner's own line",
    )


def test_a_verdict_without_a_caught_exception_shows_none() -> None:
    result = CaughtExercise.evaluate(lambda table, key: 0)
    assert result.details == ("Scenario: an unknown key",)


def test_a_notebook_cell_is_named_as_ipython_names_it() -> None:
    namespace: dict[str, Any] = {}
    source = "def looks_up(table, key):\n    return table[key]\n"
    exec(compile(source, "<notebook cell looks_up>", "exec"), namespace)
    result = CaughtExercise.evaluate(namespace["looks_up"])
    assert result.details[-1] == "<notebook cell looks_up>, line 2 in looks_up()"
