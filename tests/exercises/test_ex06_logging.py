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
