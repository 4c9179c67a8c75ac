"""exercises/06_logging.ipynb: the contract of every exercise module.

Solutions pass, stubs are not attempted, each misconception is named by its wrong answer.
"""

from __future__ import annotations

import pytest

from lessonkit.exercises import ex06_logging as module

from . import contract
from .wrong import Wrong
from .wrong import ex06_logging as _wrong  # noqa: F401  (registers the wrong answers)

EXERCISES = module.EXERCISES
WRONG = contract.wrong_answers(module)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_reference_solution_passes(exercise: type) -> None:
    contract.assert_reference_passes(exercise)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_untouched_stub_is_not_attempted(exercise: type) -> None:
    contract.assert_stub_not_attempted(exercise, module)


@pytest.mark.parametrize("case", WRONG, ids=lambda w: f"{w.exercise.name}-{w.key}")
def test_wrong_answer_is_rejected_with_its_misconception(case: Wrong) -> None:
    contract.assert_rejected(case)


def test_every_misconception_has_a_wrong_answer() -> None:
    contract.assert_every_misconception_has_a_wrong_answer(module)
