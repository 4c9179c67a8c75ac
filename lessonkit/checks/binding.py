"""Explicit binding of exercises to a notebook's namespace: no frame inspection.

A notebook binds once, near the top:

    q1, q2 = lessonkit.checks.bind(globals(), StreamingExercise, RetryExercise)

and later cells call `q1.check()`, `q1.hint()`, `q1.solution()`. A bound
exercise looks the learner's name up in the namespace *at check time*, so
redefining the function in a later cell is what gets checked.
"""

from __future__ import annotations

import warnings
from collections.abc import MutableMapping

from . import progress
from .display import show
from .exercise import Exercise
from .placeholder import NotAttempted, ____
from .results import CheckResult, Hint, Solution, Status


class BoundExercise:
    """An exercise bound to a namespace: the object a learner calls `q1`."""

    def __init__(self, exercise: type[Exercise], namespace: MutableMapping[str, object]) -> None:
        exercise.validate()
        self.exercise = exercise
        self.namespace = namespace

    def __repr__(self) -> str:
        return f"<exercise {self.exercise.name}: {self.exercise.title}>"

    def check(self) -> None:
        """Check your answer and show the verdict.

        >>> q1.check()  # doctest: +SKIP
        ✓ Correct: `collect_stream` passed every check.
        """
        result = self.result()
        try:
            progress.record(self.exercise.name, result.status, message=result.message)
        except (OSError, ValueError) as error:  # progress is a convenience, the verdict is not
            warnings.warn(f"lessonkit could not save your progress: {error}", stacklevel=2)
        show(result)

    def hint(self, n: int = 1) -> None:
        """Show hint number `n` (starting at 1).

        >>> q1.hint()  # doctest: +SKIP
        Hint 1 of 2: ...
        """
        show(self.hint_for(n))

    def solution(self) -> None:
        """Show the model solution's source code.

        >>> q1.solution()  # doctest: +SKIP
        """
        if self.exercise.solution:
            show(Solution(self.exercise.title, self.exercise.solution))
        else:
            show("This exercise has no published solution.")

    def hint_for(self, n: int) -> Hint | str:
        """Hint `n`, or a sentence explaining why there is none."""
        hints = self.exercise.hints
        if not hints:
            return "There are no hints for this exercise."
        if n < 1:
            return "Hints are numbered from 1: try hint(1)."
        if n > len(hints) == 1:
            return "There is only 1 hint."
        if n > len(hints):
            return f"There are only {len(hints)} hints."
        return Hint(n, len(hints), hints[n - 1])

    def result(self) -> CheckResult:
        """The verdict, without displaying or recording it (for tests)."""
        entry = self.exercise.entry
        if entry not in self.namespace:
            return CheckResult(
                Status.NOT_ATTEMPTED,
                f"`{entry}` is not defined yet: write it, run its cell, then run this check again.",
            )
        return self.exercise.evaluate(self.namespace[entry])

    def assert_passed(self) -> None:
        """Raise AssertionError, showing the verdict, unless the answer is correct."""
        result = self.result()
        if result.status is not Status.CORRECT:
            raise AssertionError(f"expected a pass, got:\n{result}")

    def assert_failed(self, contains: str | None = None) -> None:
        """Raise unless the verdict is INCORRECT (and its text contains `contains`)."""
        result = self.result()
        if result.status is not Status.INCORRECT:
            raise AssertionError(f"expected a failure, got:\n{result}")
        if contains is not None and contains not in str(result):
            raise AssertionError(f"expected the verdict to mention {contains!r}, got:\n{result}")

    def assert_not_attempted(self) -> None:
        """Raise unless the verdict is NOT_ATTEMPTED."""
        result = self.result()
        if result.status is not Status.NOT_ATTEMPTED:
            raise AssertionError(f"expected 'not attempted', got:\n{result}")


def bind(
    namespace: MutableMapping[str, object], *exercises: type[Exercise]
) -> tuple[BoundExercise, ...]:
    """Bind exercise classes to a namespace, usually the notebook's `globals()`.

    Also defines `____` and `NotAttempted` there (if not defined yet), so stubs
    like `answer = ____` and `raise NotAttempted` run.

    >>> q1, q2 = bind(globals(), StreamingExercise, RetryExercise)  # doctest: +SKIP
    """
    bound = tuple(BoundExercise(exercise, namespace) for exercise in exercises)
    namespace.setdefault("____", ____)
    namespace.setdefault("NotAttempted", NotAttempted)
    return bound
