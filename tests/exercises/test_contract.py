"""The contract every exercise module meets, for every exercise notebook at once.

Solutions pass, stubs are not attempted, and each misconception a checker names
is shown by a wrong answer (``tests/exercises/wrong/exNN_*.py``, one file per
exercise notebook) that the checker rejects with that message, in a verdict that
names the scenario, the mistake and the fix (the shape :mod:`.verdicts` defines).
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from lessonkit.exercises import NOTEBOOKS
from lessonkit.exercises.harness import BehaviourExercise

from . import contract
from .wrong import Wrong

MODULES: list[ModuleType] = list(NOTEBOOKS.values())
for _module in MODULES:  # registers each notebook's wrong answers
    importlib.import_module(f"{__package__}.wrong.{_module.__name__.rsplit('.', 1)[-1]}")

EXERCISES = [(module, exercise) for module in MODULES for exercise in module.EXERCISES]
WRONG = [case for module in MODULES for case in contract.wrong_answers(module)]


def _exercise_id(pair: tuple[ModuleType, type[BehaviourExercise]]) -> str:
    return pair[1].name


@pytest.mark.parametrize("pair", EXERCISES, ids=_exercise_id)
def test_reference_solution_passes(pair: tuple[ModuleType, type[BehaviourExercise]]) -> None:
    contract.assert_reference_passes(pair[1])


@pytest.mark.parametrize("pair", EXERCISES, ids=_exercise_id)
def test_untouched_stub_is_not_attempted(pair: tuple[ModuleType, type[BehaviourExercise]]) -> None:
    contract.assert_stub_not_attempted(pair[1], pair[0])


def _case_id(case: Wrong) -> str:
    return f"{case.exercise.name}-{case.key}-{case.function.__qualname__}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", WRONG, ids=_case_id)
def test_wrong_answer_is_rejected_with_its_misconception(case: Wrong) -> None:
    contract.assert_rejected(case)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_misconception_has_a_wrong_answer(module: ModuleType) -> None:
    contract.assert_every_misconception_has_a_wrong_answer(module)
