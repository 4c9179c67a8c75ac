"""exercises/06_logging.ipynb: what the shared contract (test_contract.py) does not cover."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import anthropic

from lessonkit.checks import Status
from lessonkit.exercises import ex06_logging as module


def logged_create_monotonic(client, records, **params):  # type: ignore[no-untyped-def]
    """A correct logged_create written differently: try/except/else, ISO text time, monotonic."""
    start = time.monotonic()
    base = {"timestamp": datetime.now(UTC).isoformat(), "model": params["model"]}
    try:
        message = client.messages.create(**params)
    except anthropic.APIStatusError as error:
        records.append({**base, "request_id": error.request_id, "error": error.type,
                        "status": error.status_code, "latency": time.monotonic() - start})
        raise
    except anthropic.APIConnectionError as error:
        records.append({**base, "request_id": None, "error": type(error).__name__,
                        "status": None, "latency": time.monotonic() - start})
        raise
    else:
        records.append({
            **base, "request_id": message._request_id, "model": message.model,
            "stop_reason": message.stop_reason, "input_tokens": message.usage.input_tokens,
            "output_tokens": message.usage.output_tokens, "latency": time.monotonic() - start,
        })
        return message


def create_with_fallback_last_apart(client, candidates, records, **params):  # type: ignore[no-untyped-def]
    """A correct create_with_fallback written differently: the last candidate called apart."""
    *earlier, last = candidates
    for model in earlier:
        try:
            return client.messages.create(model=model, **params)
        except anthropic.NotFoundError as gone:
            records.append({"model": model, "request_id": gone.request_id,
                            "error": gone.type})
    try:
        return client.messages.create(model=last, **params)
    except anthropic.NotFoundError as gone:
        records.append({"model": last, "request_id": gone.request_id, "error": gone.type})
        raise


def test_differently_written_correct_answers_pass() -> None:
    result = module.LoggedCreate.evaluate(logged_create_monotonic)
    assert result.status is Status.CORRECT, str(result)
    result = module.CreateWithFallback.evaluate(create_with_fallback_last_apart)
    assert result.status is Status.CORRECT, str(result)


def test_aware_reads_datetimes_and_iso_text() -> None:
    assert module.aware("2026-12-02T05:00:00Z")
    assert module.aware(datetime.now(UTC))
    assert not module.aware("2026-12-02T05:00:00")
    assert not module.aware("yesterday")
    assert not module.aware(1733115600.0)


def test_an_accidental_exception_is_the_learners_not_a_raise() -> None:
    """A KeyError while logging a failure is not "re-raising the error": it is shown as theirs."""

    def logged_create(client, records, **params):  # type: ignore[no-untyped-def]
        try:
            return module.logged_create(client, records, **params)
        except anthropic.APIError as error:
            records[-1]["status"] = error.body["status"]  # the body has no "status"
            raise

    result = module.LoggedCreate.evaluate(logged_create)
    assert result.status is Status.INCORRECT, str(result)
    assert result.message.startswith("Your code raised "), str(result)
    assert any('error.body["status"]' in line for line in result.details), str(result)


def test_a_fallback_that_runs_off_the_end_of_the_candidates_shows_its_index_error() -> None:
    def create_with_fallback(client, candidates, records, **params):  # type: ignore[no-untyped-def]
        index = 0
        while True:
            try:
                return client.messages.create(model=candidates[index], **params)
            except anthropic.NotFoundError as gone:
                records.append({"model": candidates[index], "request_id": gone.request_id,
                                "error": gone.type})
                index += 1

    result = module.CreateWithFallback.evaluate(create_with_fallback)
    assert result.status is Status.INCORRECT, str(result)
    assert result.message == "Your code raised IndexError: tuple index out of range", str(result)
    assert f"Scenario: {module._ALL_GONE}" in result.details
