"""Wrong answers to exercises/06_logging.ipynb, one per misconception."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import anthropic

from lessonkit import models
from lessonkit.exercises.ex06_logging import CreateWithFallback, LoggedCreate

from . import wrong

_OK = "a successful call"


def _logger(flaw: str = "") -> Any:
    """A learner's logged_create with one idea wrong."""

    def logged_create(client, records, **params):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        now = datetime.now() if flaw == "bad_timestamp" else datetime.now(UTC)
        record: dict[str, Any] = {"timestamp": now.isoformat(), "model": params["model"]}
        if flaw == "record_count":
            records.append({**record, "event": "start"})
        try:
            message = client.messages.create(**params)
        except anthropic.APIError as error:
            if flaw == "no_failure_record":
                raise
            record["request_id"] = None if flaw == "failure_without_id" else getattr(
                error, "request_id", None
            )
            record["error"] = str(error) if flaw == "failure_without_error" else (
                getattr(error, "type", None) or type(error).__name__
            )
            record["status"] = getattr(error, "status_code", None)
            record["latency"] = time.perf_counter() - started
            records.append(record)
            if flaw == "swallowed":
                return None
            raise
        usage = message.usage
        record.update(
            request_id=message.id if flaw == "wrong_request_id" else message._request_id,
            model=message.role if flaw == "wrong_model" else message.model,
            stop_reason="end_turn" if flaw == "wrong_stop_reason" else message.stop_reason,
            input_tokens=usage.output_tokens if flaw == "wrong_usage" else usage.input_tokens,
            output_tokens=usage.output_tokens,
            latency=datetime.now(UTC) - now if flaw == "bad_latency" else (
                time.perf_counter() - started
            ),
        )
        if flaw == "missing_keys":
            del record["latency"]
        records.append(record)
        return record if flaw == "not_returned" else message

    return logged_create


for key, scenario in [
    ("record_count", _OK),
    ("missing_keys", _OK),
    ("wrong_request_id", _OK),
    ("wrong_model", _OK),
    ("wrong_stop_reason", "a call that stops at max_tokens"),
    ("wrong_usage", _OK),
    ("bad_timestamp", _OK),
    ("bad_latency", _OK),
    ("no_failure_record", "a 400 invalid_request_error"),
    ("failure_without_id", "a 400 invalid_request_error"),
    ("failure_without_error", "a 400 invalid_request_error"),
    ("swallowed", "a 400 invalid_request_error"),
    ("not_returned", _OK),
]:
    wrong(LoggedCreate, key, scenario=scenario)(_logger(key))


def _fallback(flaw: str = "") -> Any:
    """A learner's create_with_fallback with one idea wrong."""

    def create_with_fallback(client, candidates, records, **params):  # type: ignore[no-untyped-def]
        chain = candidates[:1] if flaw == "no_fallback" else list(candidates)
        caught = anthropic.APIStatusError if flaw == "fell_back_on_other" else (
            anthropic.NotFoundError
        )
        last = None
        for model in chain:
            try:
                return client.messages.create(model=model, **params)
            except caught as error:
                last = error
                if flaw != "no_log":
                    records.append({"model": model, "request_id": error.request_id})
                if flaw == "wrong_model":
                    return client.messages.create(model=models.FAST, **params)
        if flaw == "swallowed":
            return None
        raise last  # type: ignore[misc]

    return create_with_fallback


for key, scenario in [
    ("no_fallback", "the preferred model was retired (404)"),
    ("wrong_model", "the preferred model was retired (404)"),
    ("fell_back_on_other", "the preferred model is overloaded (529)"),
    ("no_log", "the preferred model was retired (404)"),
    ("swallowed", "every candidate was retired"),
]:
    wrong(CreateWithFallback, key, scenario=scenario)(_fallback(key))
