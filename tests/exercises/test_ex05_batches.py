"""exercises/05_batches.ipynb: what the shared contract (test_contract.py) does not cover."""

from __future__ import annotations

import threading

from lessonkit.checks import Status
from lessonkit.exercises import ex05_batches as module


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
