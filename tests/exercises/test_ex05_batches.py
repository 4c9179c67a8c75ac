"""exercises/05_batches.ipynb: the contract of every exercise module.

Solutions pass, stubs are not attempted, each misconception is named by its wrong answer.
"""

from __future__ import annotations

import threading

import pytest

from lessonkit.checks import Status
from lessonkit.exercises import ex05_batches as module

from . import contract
from .wrong import Wrong
from .wrong import ex05_batches as _wrong  # noqa: F401  (registers the wrong answers)

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


def test_an_endless_polling_loop_is_reported_not_hung() -> None:
    """No sleep and no re-read: the batch never ends, so the framework's time limit must."""

    class Quick(module.RunBatch):
        timeout = 0.5

    def run_batch(client, requests, *, sleep, first_wait=30.0, max_wait=600.0):  # type: ignore[no-untyped-def]
        batch = client.messages.batches.create(requests=requests)
        while batch.processing_status != "ended":
            pass  # forgot to retrieve the batch again

    result = Quick.evaluate(run_batch)
    for thread in threading.enumerate():  # let the abandoned check leave offline mode
        if thread.name == f"lessonkit-check-{Quick.name}":
            thread.join(5)
    assert result.status is Status.INCORRECT, str(result)
    assert "infinite polling loop" in result.message
    assert f"Scenario: {module.RunBatch.scenarios[0]}" in result.details
