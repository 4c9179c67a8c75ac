"""The contract every exercise module meets, as reusable test bodies.

Each ``test_exNN_*.py`` parametrizes these over its module's exercises and wrong
answers, so a failure names the exercise and the misconception.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from lessonkit.checks import CheckResult, Status, strip_solutions
from lessonkit.exercises.harness import BehaviourExercise
from lessonkit.exercises.sourcing import marked_cell

from . import verdicts
from .wrong import REGISTRY, Wrong


def template_pattern(template: str) -> re.Pattern[str]:
    """A regex matching `template` with each ``{placeholder}`` filled by anything."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL)


def learner_function(source: str, module: ModuleType, name: str) -> Any:
    """Exec `source` as notebook code (not lessonkit's), with the module's imports."""
    namespace = {k: v for k, v in vars(module).items() if not k.startswith("__")}
    namespace.pop(name, None)
    exec(compile(source, f"<notebook cell {name}>", "exec"), namespace)
    return namespace[name]


def wrong_answers(module: ModuleType) -> list[Wrong]:
    return [w for w in REGISTRY if w.exercise in module.EXERCISES]


def assert_reference_passes(exercise: type[BehaviourExercise]) -> None:
    result = exercise.evaluate(exercise.reference)
    assert result.status is Status.CORRECT, str(result)


def assert_stub_not_attempted(exercise: type[BehaviourExercise], module: ModuleType) -> None:
    stub = "".join(strip_solutions(marked_cell(exercise.reference).splitlines(keepends=True)))
    result = exercise.evaluate(learner_function(stub, module, exercise.entry))
    assert result.status is Status.NOT_ATTEMPTED, str(result)


def assert_rejected(case: Wrong) -> CheckResult:
    result = case.exercise.evaluate(case.function)
    template = case.exercise.misconceptions[case.key]  # type: ignore[attr-defined]
    assert result.status is Status.INCORRECT, f"{case.function.__name__}: {result}"
    assert template_pattern(template).fullmatch(result.message), (
        f"{case.function.__name__} should show {case.key!r}, got:\n{result}"
    )
    if case.scenario is not None:
        assert f"Scenario: {case.scenario}" in result.details, str(result)
    found = verdicts.problems(result.message, result.details)
    assert found == [], f"{', '.join(found)}:\n{result}"
    return result


def assert_every_misconception_has_a_wrong_answer(module: ModuleType) -> None:
    shown = {(w.exercise.__name__, w.key) for w in wrong_answers(module)}
    declared = {(e.__name__, key) for e in module.EXERCISES for key in e.misconceptions}
    assert declared - shown == set(), "misconceptions without a wrong answer"
    assert shown - declared == set(), "wrong answers for undeclared misconceptions"
