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
_CUT = "a call that stops at max_tokens"
_TWICE = "two successful calls logged into the same list"
_BAD = "a 400 invalid_request_error"


def _logger(flaw: str = "") -> Any:
    """A learner's logged_create with one idea wrong."""
    first_ids: list[str] = []  # "same_request_id": the id of the first call, kept for good

    def logged_create(client, records, **params):  # type: ignore[no-untyped-def]
        if flaw == "mutated":
            params["messages"].append({"role": "assistant", "content": "Logged."})
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
            if flaw == "failure_model":
                record["model"] = None
            record["request_id"] = None if flaw == "failure_without_id" else getattr(
                error, "request_id", None
            )
            if flaw == "failure_without_error":
                record["error"] = str(error)
            elif flaw == "class_name":
                record["error"] = type(error).__name__
            else:
                record["error"] = getattr(error, "type", None) or type(error).__name__
            record["status"] = getattr(error, "status_code", None)
            record["latency"] = time.perf_counter() - started
            records.append(record)
            if flaw == "swallowed":
                return None
            raise
        usage = message.usage
        first_ids.append(message._request_id)
        if flaw == "success_as_failure" and message.stop_reason == "max_tokens":
            record["error"] = "max_tokens"
        request_id = message.id if flaw == "wrong_request_id" else message._request_id
        record.update(
            request_id=first_ids[0] if flaw == "same_request_id" else request_id,
            model=message.role if flaw == "wrong_model" else message.model,
            stop_reason="end_turn" if flaw == "wrong_stop_reason" else message.stop_reason,
            input_tokens=usage.output_tokens if flaw == "wrong_usage" else usage.input_tokens,
            output_tokens=usage.output_tokens,
            latency=datetime.now(UTC) - now if flaw == "bad_latency" else (
                (time.perf_counter() - started) * (1000 if flaw == "latency_unit" else 1)
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
    ("mutated", _OK),
    ("wrong_request_id", _OK),
    ("same_request_id", _TWICE),
    ("wrong_model", _OK),
    ("wrong_stop_reason", _CUT),
    ("wrong_usage", _OK),
    ("success_as_failure", _CUT),
    ("bad_timestamp", _OK),
    ("bad_latency", _OK),
    ("latency_unit", _OK),
    ("no_failure_record", _BAD),
    ("failure_without_id", _BAD),
    ("failure_without_error", _BAD),
    ("swallowed", _BAD),
    ("failure_model", _BAD),
    ("not_returned", _OK),
]:
    wrong(LoggedCreate, key, scenario=scenario)(_logger(key))
wrong(LoggedCreate, "failure_without_error", scenario=_BAD)(_logger("class_name"))


def _fallback(flaw: str = "") -> Any:
    """A learner's create_with_fallback with one idea wrong."""

    def create_with_fallback(client, candidates, records, **params):  # type: ignore[no-untyped-def]
        chain = candidates[:1] if flaw == "no_fallback" else list(candidates)
        if flaw == "gave_up_early":
            chain = chain[:-1]  # "the last one is only a backup"
        if flaw == "mutated_messages":
            params["messages"].append({"role": "user", "content": "Be brief."})
        broad = flaw in ("fell_back_on_other", "other_swallowed", "logged_other")
        caught = anthropic.APIStatusError if broad else anthropic.NotFoundError
        last = None
        for model in chain:
            try:
                return client.messages.create(model=model, **params)
            except caught as error:
                if flaw == "other_swallowed" and error.status_code != 404:
                    return None
                if flaw == "retried_gone" and error.status_code == 404:
                    try:  # "maybe it was a blip"
                        return client.messages.create(model=model, **params)
                    except anthropic.NotFoundError:
                        pass
                if flaw == "logged_other" and error.status_code != 404:
                    records.append({"model": model, "request_id": error.request_id,
                                    "error": error.type})
                    raise
                last = error
                kind = type(error).__name__ if flaw == "wrong_error_type" else error.type
                if flaw != "no_log":
                    records.append({"model": model, "request_id": error.request_id, "error": kind})
                if flaw == "mutated":
                    candidates.remove(model)
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
    ("wrong_error_type", "the preferred model was retired (404)"),
    ("mutated", "the preferred model was retired (404)"),
    ("other_swallowed", "the preferred model is overloaded (529)"),
    ("swallowed", "every candidate was retired"),
    ("gave_up_early", "every candidate was retired"),
    ("retried_gone", "the preferred model was retired (404)"),
    ("logged_other", "the preferred model is overloaded (529)"),
]:
    wrong(CreateWithFallback, key, scenario=scenario)(_fallback(key))
wrong(CreateWithFallback, "mutated", scenario="the preferred model is available")(
    _fallback("mutated_messages")
)
