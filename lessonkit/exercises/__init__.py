"""Checkers for the exercise notebooks in ``exercises/``, one module per notebook.

A notebook binds its exercises explicitly::

    from lessonkit.checks import bind
    from lessonkit.exercises import ex04_retries
    q1, q2, q3 = bind(globals(), *ex04_retries.EXERCISES)

Each checker runs the learner's function against a matrix of scenarios on a
fresh ``lessonkit.offline()`` and judges what it *did* (requests, waits, side
effects, return value, raised error). An Incorrect verdict names the scenario
and the misconception; each exercise declares both (``scenarios``,
``misconceptions``) and ``tests/exercises/wrong/`` holds one wrong answer per
misconception.

How the notebooks are made (``scripts/build_exercises.py``):

* model solutions are the reference functions in these modules, the single
  source of ``q.solution()`` and of the marked solution cells of
  ``exercises/source/*.ipynb`` (:mod:`lessonkit.exercises.sourcing`);
* the source notebooks are executed with their solutions, so their committed
  outputs show every check "Correct"; nbval re-runs them;
* ``lessonkit.checks.release_all`` strips them into the student copies in
  ``exercises/``, which a golden test compares byte for byte.
"""

from __future__ import annotations

from . import (
    ex01_streaming,
    ex02_stop_reasons,
    ex03_errors,
    ex04_retries,
    ex05_batches,
    ex06_logging,
    ex07_capstone,
)
from .harness import BehaviourExercise

#: Checker module of each exercise notebook, by the notebook's file stem.
NOTEBOOKS = {
    "01_streaming": ex01_streaming,
    "02_stop_reasons": ex02_stop_reasons,
    "03_errors": ex03_errors,
    "04_retries": ex04_retries,
    "05_batches": ex05_batches,
    "06_logging": ex06_logging,
    "07_capstone": ex07_capstone,
}
#: Every exercise, in notebook order (``lessonkit progress`` lists these names).
ALL: tuple[type[BehaviourExercise], ...] = tuple(
    exercise for module in NOTEBOOKS.values() for exercise in module.EXERCISES
)

__all__ = [
    "ALL",
    "NOTEBOOKS",
    "ex01_streaming",
    "ex02_stop_reasons",
    "ex03_errors",
    "ex04_retries",
    "ex05_batches",
    "ex06_logging",
    "ex07_capstone",
]
