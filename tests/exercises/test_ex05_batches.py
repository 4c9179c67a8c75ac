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


def run_batch_by_kind(client, requests, *, sleep, first_wait=30.0, max_wait=600.0):  # type: ignore[no-untyped-def]
    """A correct run_batch written differently: a counted backoff, results grouped by kind."""
    batches = client.messages.batches
    batch = batches.create(requests=requests)
    polls = 0
    while batch.processing_status != "ended":
        sleep(min(first_wait * 2**polls, max_wait))
        polls += 1
        batch = batches.retrieve(batch.id)
    results = {entry.custom_id: entry.result for entry in batches.results(batch.id)}
    answers = {cid: r.message for cid, r in results.items() if r.type == "succeeded"}
    again = [req for req in requests if results[req["custom_id"]].type != "succeeded"]
    return answers, again


def run_until_done_counting(client, requests, *, sleep, max_rounds=3):  # type: ignore[no-untyped-def]
    """A correct run_until_done written differently: a while loop and a round counter."""
    answers, pending, rounds = {}, requests, 0
    while pending and rounds < max_rounds:
        done, pending = module.run_batch(client, pending, sleep=sleep)
        answers |= done
        rounds += 1
    return answers, [r["custom_id"] for r in pending]


def test_differently_written_correct_answers_pass() -> None:
    assert module.RunBatch.evaluate(run_batch_by_kind).status is Status.CORRECT
    assert module.RunUntilDone.evaluate(run_until_done_counting).status is Status.CORRECT


def test_an_exception_in_the_learners_run_batch_is_shown_not_a_batch_count() -> None:
    def run_batch(client, requests, *, sleep, first_wait=30.0, max_wait=600.0):  # type: ignore[no-untyped-def]
        ids = [request["id"] for request in requests]  # KeyError: it is "custom_id"
        return ids, []

    result = module.RunBatch.evaluate(run_batch)
    assert result.status is Status.INCORRECT, str(result)
    assert result.message == "Your code raised KeyError: 'id'"
    assert any("ids = [request[\"id\"] for request in requests]" in d for d in result.details)


def test_an_exception_in_run_until_done_is_shown_as_the_learners() -> None:
    def run_until_done(client, requests, *, sleep, max_rounds=3):  # type: ignore[no-untyped-def]
        answers, failed = module.run_batch(client, requests, sleep=sleep)
        return answers, [request["id"] for request in failed]  # it is "custom_id"

    result = module.RunUntilDone.evaluate(run_until_done)
    assert result.status is Status.INCORRECT, str(result)
    assert result.message == "Your code raised KeyError: 'id'", str(result)
