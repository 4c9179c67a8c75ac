"""Judging a recall answer: a ``CheckResult`` like the exercises', and the record in progress.

:func:`judge` is pure (question + value -> verdict); :func:`mark` also counts
the attempt in the learner's progress as ``recall.<lesson>.<id>``, the way
``q1.check()`` counts an exercise. An answer that is not one of the options
(or is empty) is "not attempted": it names the mistake and is not counted.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..checks import progress
from ..checks.placeholder import is_not_attempted
from ..checks.results import CheckResult, Status
from .bank import Question

__all__ = ["Verdict", "judge", "mark", "progress_name"]


def progress_name(stem: str, qid: str) -> str:
    """The name a recall answer is recorded under: ``recall.01_streaming.q1``."""
    return f"recall.{stem}.{qid}"


def judge(question: Question, value: Any) -> CheckResult:
    """The verdict on ``value`` as an answer to ``question`` (an option key or text, or a string).

    >>> judge(question, "b")   # doctest: +SKIP
    CheckResult(status=<Status.CORRECT: 'correct'>, ...)
    """
    given = "" if value is None or is_not_attempted(value) else str(value).strip()
    if not given:
        return CheckResult(Status.NOT_ATTEMPTED, f"{question.id}: no answer yet.")
    if question.kind == "short":
        if any(p.fullmatch(given) for p in question.accept):
            return CheckResult(Status.CORRECT, f"{given}. {question.explain}")
        hint = f"{given!r} is not it. Hint: {question.hint} Try again."
        return CheckResult(Status.INCORRECT, hint)
    option = question.option(given) or next(
        (o for o in question.options if given.casefold() in (o.key.casefold(), o.text.casefold())),
        None,
    )
    if option is None:
        keys = ", ".join(o.key for o in question.options)
        return CheckResult(
            Status.NOT_ATTEMPTED,
            f"{given!r} is not one of the options of {question.id}: answer with a key ({keys}).",
        )
    if option.key == question.answer:
        return CheckResult(Status.CORRECT, f"{option.text}. {question.explain}")
    return CheckResult(Status.INCORRECT, f"{option.text}: {option.why} Try another option.")


def mark(stem: str, question: Question, value: Any) -> CheckResult:
    """:func:`judge`, then count a real attempt (right or wrong) in the learner's progress."""
    result = judge(question, value)
    if result.status in (Status.CORRECT, Status.INCORRECT):
        try:
            progress.record(progress_name(stem, question.id), result.status)
        except (OSError, ValueError) as error:  # progress is a convenience, the verdict is not
            warnings.warn(f"lessonkit could not save your progress: {error}", stacklevel=3)
    return result


class Verdict:
    """What ``recall.answer(...)`` returns: the verdict, shown as text or HTML by Jupyter."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result

    @property
    def status(self) -> Status:
        return self.result.status

    def __bool__(self) -> bool:
        return bool(self.result)

    def __str__(self) -> str:
        return str(self.result)

    def __repr__(self) -> str:
        return str(self.result)

    def _repr_html_(self) -> str:
        return self.result._repr_html_()
