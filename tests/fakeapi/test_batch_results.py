"""Batch results through the real SDK: result types, order, expiry, determinism, linear work."""

from __future__ import annotations

import re
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import anthropic
import pytest
from anthropic.types import Message
from anthropic.types.messages import (
    MessageBatchCanceledResult,
    MessageBatchErroredResult,
    MessageBatchExpiredResult,
    MessageBatchIndividualResponse,
    MessageBatchSucceededResult,
)

import lessonkit
from lessonkit import FakeAPI
from lessonkit.fakeapi.batches import _jsonl as jsonl
from lessonkit.fakeapi.batches._job import finish_times
from lessonkit.fakeapi.ids import make_id

from .helpers import batch_request, batch_requests, text_of


def run(
    client: anthropic.Anthropic, requests: list[dict[str, Any]], poll: float = 60
) -> tuple[Any, list[MessageBatchIndividualResponse]]:
    """Create, poll like a learner (hourly for day-long batches), and read every result."""
    batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    while batch.processing_status != "ended":
        time.sleep(poll)
        batch = client.messages.batches.retrieve(batch.id)
    return batch, list(client.messages.batches.results(batch.id))


def test_succeeded_is_the_same_model_as_messages_create(client: anthropic.Anthropic) -> None:
    batch, results = run(client, [batch_request("only", "Explain idempotency keys")])
    [line] = results
    assert isinstance(line, MessageBatchIndividualResponse)
    assert isinstance(line.result, MessageBatchSucceededResult)
    message = line.result.message
    assert isinstance(message, Message) and message.id.startswith("msg_")
    assert message.usage.service_tier == "batch"
    direct = client.messages.create(**batch_request("x", "Explain idempotency keys")["params"])
    assert (
        message.content == direct.content
        and message.usage.input_tokens == direct.usage.input_tokens
    )
    assert direct.usage.service_tier == "standard"


def test_all_four_result_types(client: anthropic.Anthropic, lessonkit_api: FakeAPI) -> None:
    bad = batch_request("bad", max_tokens=0)
    lessonkit_api.batch_outcome("flaky", "errored")
    lessonkit_api.batch_outcome("gone", "canceled")
    lessonkit_api.batch_outcome("late", "expired")
    batch, results = run(
        client,
        [
            batch_request("good"),
            bad,
            batch_request("flaky"),
            batch_request("gone"),
            batch_request("late"),
        ],
        poll=3600,
    )
    by_id = {r.custom_id: r.result for r in results}
    assert isinstance(by_id["good"], MessageBatchSucceededResult)
    assert isinstance(by_id["bad"], MessageBatchErroredResult)
    assert isinstance(by_id["flaky"], MessageBatchErroredResult)
    assert isinstance(by_id["gone"], MessageBatchCanceledResult)
    assert isinstance(by_id["late"], MessageBatchExpiredResult)
    assert (
        by_id["flaky"].error.error.type == "api_error"
        and by_id["flaky"].error.error.message == "Internal server error"
    )
    assert by_id["bad"].error.type == "error" and by_id["bad"].error.request_id is None
    counts = batch.request_counts
    assert (counts.succeeded, counts.errored, counts.canceled, counts.expired) == (1, 2, 1, 1)
    assert batch.ended_at == batch.expires_at  # one request never finished: the batch ran to expiry


def test_invalid_params_error_like_a_direct_call(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    bad = batch_request("bad", model="claude-nope-1")["params"]
    with pytest.raises(anthropic.NotFoundError) as direct:
        client.messages.create(**bad)
    _, [line] = run(client, [{"custom_id": "bad", "params": bad}])  # create itself succeeds
    assert isinstance(line.result, MessageBatchErroredResult)
    assert line.result.error.error.type == direct.value.type == "not_found_error"
    assert line.result.error.error.message == direct.value.api_message


def test_scripted_outcomes(client: anthropic.Anthropic, lessonkit_api: FakeAPI) -> None:
    lessonkit_api.batch_outcome("a", "succeeded", text="Scripted!", stop_reason="max_tokens")
    lessonkit_api.batch_outcome("b", "errored", error_type="overloaded_error", message="Busy")
    _, results = run(client, [batch_request("a"), batch_request("b")])
    by_id = {r.custom_id: r.result for r in results}
    a, b = by_id["a"], by_id["b"]
    assert isinstance(a, MessageBatchSucceededResult) and isinstance(b, MessageBatchErroredResult)
    assert text_of(a.message) == "Scripted!" and a.message.stop_reason == "max_tokens"  # type: ignore[union-attr]
    assert (b.error.error.type, b.error.error.message) == ("overloaded_error", "Busy")
    _, again = run(client, [batch_request("a")])  # a script is used by one batch only
    assert text_of(again[0].result.message) != "Scripted!"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "args, message",
    [
        (("x", "lost"), "outcome='lost'"),
        (("x", "errored"), None),
        (("x", "errored", {"error_type": "oops"}), "error_type='oops'"),
        (("x", "canceled", {"text": "hi"}), "script what a 'succeeded' request says"),
    ],
)
def test_batch_outcome_checks_its_arguments(
    lessonkit_api: FakeAPI, args: tuple[Any, ...], message: str | None
) -> None:
    kwargs = args[2] if len(args) > 2 else {}
    if message is None:
        assert lessonkit_api.batch_outcome(args[0], args[1], **kwargs) is lessonkit_api
        return
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        lessonkit_api.batch_outcome(args[0], args[1], **kwargs)


def test_a_bad_scripted_tool_call_errors_consistently(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    lessonkit_api.batch_outcome("t", "succeeded", tool_use={"name": "not_offered", "input": {}})
    batch, [line] = run(client, [batch_request("t")])
    assert batch.request_counts.errored == 1 and line.result.type == "errored"


def test_scripted_replies_are_not_consumed_by_batches(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    lessonkit_api.reply("For the direct call")
    _, results = run(client, batch_requests(3))
    assert all(text_of(r.result.message) != "For the direct call" for r in results)  # type: ignore[union-attr]
    direct = client.messages.create(**batch_request("x")["params"])
    assert text_of(direct) == "For the direct call"  # type: ignore[union-attr]


def test_results_come_back_out_of_submission_order(client: anthropic.Anthropic) -> None:
    submitted = [f"row-{i}" for i in range(12)]
    _, results = run(client, batch_requests(12))
    returned = [r.custom_id for r in results]
    assert sorted(returned) == sorted(submitted) and returned != submitted


@pytest.mark.parametrize("ids", [("a", "b"), ("b", "a"), ("q1", "q2"), ("x", "y", "z")])
def test_finish_order_is_never_submission_order(ids: tuple[str, ...]) -> None:
    times = finish_times([(cid, {}) for cid in ids])
    assert times != sorted(times)


def test_expiry_at_24_hours(client: anthropic.Anthropic, lessonkit_api: FakeAPI) -> None:
    lessonkit_api.batch_delay(hours=30)
    batch = client.messages.batches.create(requests=batch_requests(4))  # type: ignore[arg-type]
    lessonkit_api.clock.advance(hours=23, minutes=59)
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    lessonkit_api.clock.advance(minutes=1)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.ended_at == ended.expires_at
    assert ended.request_counts.expired == 4
    assert {r.result.type for r in client.messages.batches.results(batch.id)} == {"expired"}
    assert client.messages.batches.create(requests=batch_requests(1)).expires_at is not None  # type: ignore[arg-type]


def test_partial_expiry(client: anthropic.Anthropic, lessonkit_api: FakeAPI) -> None:
    lessonkit_api.batch_delay(hours=23, minutes=40)
    batch, results = run(client, batch_requests(40), poll=3600)
    counts = batch.request_counts
    assert counts.succeeded > 0 and counts.expired > 0 and counts.succeeded + counts.expired == 40
    assert [r.result.type for r in results][-counts.expired :] == ["expired"] * counts.expired


def test_results_are_archived_after_29_days(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    batch, _ = run(client, batch_requests(2))
    lessonkit_api.clock.advance(hours=29 * 24)
    archived = client.messages.batches.retrieve(batch.id)
    assert archived.archived_at == archived.created_at + timedelta(days=29)
    with pytest.raises(anthropic.NotFoundError, match="archived"):
        list(client.messages.batches.results(batch.id))


def _jsonl(client: anthropic.Anthropic, batch_id: str) -> bytes:
    return client.get(
        f"/v1/messages/batches/{batch_id}/results", cast_to=anthropic._response.BinaryAPIResponse
    ).read()


def test_results_are_strict_jsonl_and_deterministic(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    batch, _ = run(client, batch_requests(25))
    first = _jsonl(client, batch.id)
    assert first == _jsonl(client, batch.id)  # fetching again changes nothing, ids included
    assert b"\n\n" not in first and first.endswith(b"\n") and len(jsonl.loads(first)) == 25
    lessonkit_api.reset()  # same timestamps, same bytes but for ids: those never repeat
    again, _ = run(client, batch_requests(25))
    assert again.ended_at == batch.ended_at and again.id != batch.id
    assert _no_ids(_jsonl(client, again.id)) == _no_ids(first)
    assert _jsonl(client, again.id) != first


def _no_ids(results: bytes) -> bytes:
    return re.sub(rb"(msg|toolu|srvtoolu)_011C\w+", rb"\1_", results)


def test_strict_jsonl_rejects_blank_lines() -> None:
    with pytest.raises(ValueError):
        jsonl.loads(b'{"a":1}\n\n{"b":2}\n')


def test_batch_results_do_not_shift_message_ids(
    client: anthropic.Anthropic, lessonkit_api: FakeAPI
) -> None:
    run(client, batch_requests(3))
    after_batch = client.messages.create(**batch_request("x")["params"]).id
    assert after_batch == make_id("message", 1)  # the first message id of this API


LESSONKIT = str(Path(lessonkit.__file__).parent)


def _lessonkit_calls(client: anthropic.Anthropic, n: int) -> int:
    """Python calls made inside lessonkit for create -> ended -> every result, through the SDK."""
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call" and frame.f_code.co_filename.startswith(LESSONKIT):
            calls += 1

    sys.setprofile(count)
    try:
        batch, results = run(client, batch_requests(n))
    finally:
        sys.setprofile(None)
    assert len(results) == n and batch.request_counts.succeeded == n
    return calls


def test_work_grows_linearly(client: anthropic.Anthropic, lessonkit_api: FakeAPI) -> None:
    # Counted, not timed: a busy machine stretches seconds, not the work done.
    # How fast it is lives in `python -m bench batch` (a ratio to the SDK's own floor).
    small = _lessonkit_calls(client, 200)
    lessonkit_api.reset()
    big = _lessonkit_calls(client, 2_000)
    assert big / small < 10.5, f"not linear: 200 requests made {small} calls, 2,000 made {big}"
