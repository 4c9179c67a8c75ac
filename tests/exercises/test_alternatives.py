"""Correct answers to exercises 01–04 written differently from the model solutions pass.

A checker that only accepts the model solution's shape punishes learners for
style; each function here solves one question another valid way (different
control flow, different SDK accessors, different copies of the inputs).
"""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2
import pytest

from lessonkit.checks import Status
from lessonkit.exercises import ex01_streaming, ex02_stop_reasons, ex03_errors, ex04_retries


def collect_stream_by_events(client, on_text, **params):  # type: ignore[no-untyped-def]
    """Reads raw events instead of text_stream; builds the final message at the end."""
    stream = client.messages.stream(**params)
    with stream as events:
        for event in events:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                on_text(event.delta.text)
        final = events.get_final_message()
    return final


def stream_with_request_id_after_reading(client, **params):  # type: ignore[no-untyped-def]
    """Drains text_stream first and keeps the id in a variable before the block closes."""
    with client.messages.stream(**params) as stream:
        request_id = stream.request_id
        "".join(stream.text_stream)
        message = stream.get_final_message()
    return (message, request_id)


async def acollect_stream_by_events(client, on_text, **params):  # type: ignore[no-untyped-def]
    """The async twin of collect_stream_by_events."""
    async with client.messages.stream(**params) as stream:
        async for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                on_text(event.delta.text)
        return await stream.get_final_message()


_ACTIONS = {"end_turn": "done", "stop_sequence": "done", "max_tokens": "continue",
            "tool_use": "run_tools", "pause_turn": "resume", "refusal": "refused",
            "model_context_window_exceeded": "too_long"}


def next_step_by_table(message):  # type: ignore[no-untyped-def]
    """A dict lookup, with the unknown value named in the ValueError."""
    if message.stop_reason not in _ACTIONS:
        raise ValueError(f"no action for stop_reason={message.stop_reason}")
    return _ACTIONS[message.stop_reason]


def complete_answer_with_pieces(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    """Keeps a list of pieces and copies the caller's messages into a new list each round."""
    pieces: list[str] = []
    for _ in range(max_continuations + 1):
        turns = list(params["messages"])
        if pieces:
            turns += [{"role": "assistant", "content": [{"type": "text", "text": "".join(pieces)}]},
                      {"role": "user", "content": "Please go on from exactly where you left off."}]
        message = client.messages.create(**{**params, "messages": turns})
        pieces.extend(block.text for block in message.content if block.type == "text")
        if message.stop_reason == "max_tokens":
            continue
        if message.stop_reason not in ("end_turn", "stop_sequence"):
            raise RuntimeError(f"stopped for {message.stop_reason}, not an answer")
        return "".join(pieces)
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


def classify_by_status(error):  # type: ignore[no-untyped-def]
    """Reads status and type with getattr; one return per branch."""
    status = getattr(error, "status_code", None)
    request_id = getattr(error, "request_id", None)
    if status == 200:
        transient = getattr(error, "type", None) in {"rate_limit_error", "api_error",
                                                     "overloaded_error"}
    elif status is not None:
        transient = status >= 500 or status in {408, 409, 429}
    else:
        transient = isinstance(error, (anthropic.APIConnectionError, httpx2.TransportError))
    if transient:
        return {"retryable": True, "kind": "transient", "request_id": request_id}
    return {"retryable": False, "kind": "caller", "request_id": request_id}


def retry_after_with_timestamps(error):  # type: ignore[no-untyped-def]
    """Header lookups via .get, dates compared as POSIX timestamps."""
    response = getattr(error, "response", None)
    headers = response.headers if response is not None else {}
    if headers.get("retry-after-ms") is not None:
        try:
            return int(headers["retry-after-ms"]) / 1000.0
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    if raw.strip().replace(".", "", 1).isdigit():
        return float(raw)
    parsed = email.utils.parsedate_tz(raw)
    if parsed is None:
        return None
    wait = email.utils.mktime_tz(parsed) - datetime.now(UTC).timestamp()
    return wait if wait > 0 else 0.0


def call_with_retries_while(call, *, sleep, max_attempts=4, base_delay=0.5, max_delay=8.0):  # type: ignore[no-untyped-def]
    """A while loop over retries, jitter drawn with random.uniform, retry-after read as float."""
    retries = 0
    while True:
        try:
            return call()
        except anthropic.APIError as error:
            status = getattr(error, "status_code", None)
            transient = isinstance(error, anthropic.APIConnectionError) or (
                status is not None and (status >= 500 or status in (408, 409, 429))
            )
            if not transient or retries + 1 >= max_attempts:
                raise
            cap = min(max_delay, base_delay * (2**retries))
            wait = random.uniform(0.75 * cap, cap)
            header = error.response.headers.get("retry-after") if status else None
            try:
                if header is not None and float(header) > 0:
                    wait = float(header)
            except ValueError:
                pass
            sleep(wait)
            retries += 1


def run_tool_with_setdefault(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    """Keys on the ticket alone and passes the input through **."""
    ticket = block.input["ticket_id"]
    if ticket in sent:
        return sent[ticket]
    fields = {name: block.input[name] for name in ("to", "subject", "body")}
    receipt = send_email(**fields)
    sent[ticket] = receipt
    return receipt


def stream_with_recovery_flat(client, *, max_attempts=3, **params):  # type: ignore[no-untyped-def]
    """Keeps the last attempt's result in one dict; stops with break."""
    result: dict[str, Any] = {"text": "", "complete": False, "request_id": None}
    for _ in range(max_attempts):
        text = ""
        try:
            with client.messages.stream(**params) as stream:
                result["request_id"] = stream.request_id
                for piece in stream.text_stream:
                    text += piece
        except (anthropic.APIStatusError, httpx2.TransportError) as error:
            if isinstance(error, anthropic.APIStatusError) and error.status_code != 200:
                raise
            result["text"] = text
            continue
        result.update(text=text, complete=True)
        break
    return result


ALTERNATIVES = [
    (ex01_streaming.CollectStream, collect_stream_by_events),
    (ex01_streaming.StreamWithRequestId, stream_with_request_id_after_reading),
    (ex01_streaming.AsyncCollectStream, acollect_stream_by_events),
    (ex02_stop_reasons.NextStep, next_step_by_table),
    (ex02_stop_reasons.CompleteAnswer, complete_answer_with_pieces),
    (ex03_errors.Classify, classify_by_status),
    (ex03_errors.RetryAfter, retry_after_with_timestamps),
    (ex04_retries.CallWithRetries, call_with_retries_while),
    (ex04_retries.IdempotentTool, run_tool_with_setdefault),
    (ex04_retries.StreamRecovery, stream_with_recovery_flat),
]


@pytest.mark.parametrize(("exercise", "answer"), ALTERNATIVES, ids=lambda v: getattr(v, "name", ""))
def test_differently_written_correct_answer_passes(exercise: Any, answer: Any) -> None:
    result = exercise.evaluate(answer)
    assert result.status is Status.CORRECT, str(result)


def test_every_exercise_of_01_to_04_has_an_alternative() -> None:
    covered = {exercise for exercise, _ in ALTERNATIVES}
    modules = (ex01_streaming, ex02_stop_reasons, ex03_errors, ex04_retries)
    assert covered == {e for module in modules for e in module.EXERCISES}
