"""The SDK's retry schedule, reproduced offline on the virtual clock (anthropic 2.x).

Retried: 408, 409, 429, >= 500 and timeouts, 2 retries by default, unless
``x-should-retry`` says otherwise. Wait: ``retry-after-ms``, else ``retry-after``
(seconds or HTTP date), else 0.5 s * 2^n capped at 8 s, times a jitter in [0.75, 1].
Every wait lands on the virtual clock (``api.sleeps``), which is how these tests
know no retry slept for real: no wall-clock timing is asserted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any

import anthropic
import pytest
from anthropic._error_classes import ERROR_CLASSES

from lessonkit import PLACEHOLDER_KEY, FakeAPI, models
from lessonkit.fakeapi.retries import MAX_HONOURED_WAIT, after_failure

REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}
RETRIED = (408, 409, 429, 500, 503, 504, 529)
NOT_RETRIED = (400, 401, 402, 403, 404, 413)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=PLACEHOLDER_KEY)


def call(client: anthropic.Anthropic) -> anthropic.types.Message:
    return client.messages.create(**REQUEST)  # type: ignore[no-any-return]


def expected_class(status: int) -> type[anthropic.APIStatusError]:
    return ERROR_CLASSES.get((status, None), anthropic.InternalServerError)


# --- which statuses are retried, how often -----------------------------------------------------
CONFIGS = {
    "default": (lambda c: c, 2),
    "max_retries=0": (lambda c: c.with_options(max_retries=0), 0),
    "with_options(max_retries=5)": (lambda c: c.with_options(max_retries=5), 5),
}


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("status", RETRIED + NOT_RETRIED)
def test_retry_matrix(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic, status: int, config: str
) -> None:
    configure, retries = CONFIGS[config]
    lessonkit_api.fail_next(status, times=10)
    with pytest.raises(expected_class(status)):
        call(configure(client))
    attempts = retries + 1 if status in RETRIED else 1
    assert [r.retry_count for r in lessonkit_api.requests] == list(range(attempts))
    assert len(lessonkit_api.sleeps) == attempts - 1


def test_a_retried_call_succeeds_once_the_faults_stop(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(529, times=2)
    message = call(client)
    assert message._request_id == lessonkit_api.last.request_id
    assert [r.status for r in lessonkit_api.requests] == [529, 529, 200]


# --- x-should-retry ----------------------------------------------------------------------------
def test_x_should_retry_false_stops_a_retryable_status(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(529, should_retry=False)
    with pytest.raises(anthropic.OverloadedError):
        call(client)
    assert len(lessonkit_api.requests) == 1


def test_x_should_retry_true_retries_even_a_400(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(400, should_retry=True)
    call(client)
    assert [r.status for r in lessonkit_api.requests] == [400, 200]


# --- how long the SDK waits ----------------------------------------------------------------------
def test_retry_after_ms_wins_over_retry_after(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(429, retry_after=7, retry_after_ms=1500)
    call(client)
    (wait,) = lessonkit_api.sleeps
    assert (wait.seconds, wait.reason, wait.attempt) == (1.5, "retry-after-ms header", 1)


@pytest.mark.parametrize("status", [429, 503, 529])
def test_retry_after_seconds_are_honoured_exactly(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic, status: int
) -> None:
    lessonkit_api.fail_next(status, times=2, retry_after=3)
    call(client)
    assert [(w.seconds, w.reason) for w in lessonkit_api.sleeps] == [
        (3.0, "retry-after header")
    ] * 2
    assert lessonkit_api.clock.seconds == 6.0


def test_retry_after_http_date_is_measured_against_real_time(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    # The SDK computes date - time.time(): the *real* clock, which offline() leaves alone.
    lessonkit_api.fail_next(429, retry_after=formatdate(time.time() + 30, usegmt=True))
    call(client)
    (wait,) = lessonkit_api.sleeps
    assert 27 < wait.seconds <= 30 and wait.reason == "retry-after header"


def test_zero_retry_after_falls_back_to_backoff(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(429, retry_after=0)
    call(client)
    (wait,) = lessonkit_api.sleeps
    assert wait.reason == "backoff" and 0.375 <= wait.seconds <= 0.5


def test_backoff_doubles_from_half_a_second_capped_at_8_with_jitter(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(500, times=7)
    call(client.with_options(max_retries=7))
    waits = lessonkit_api.sleeps
    assert [w.attempt for w in waits] == [1, 2, 3, 4, 5, 6, 7]
    for n, wait in enumerate(waits):
        ceiling = min(0.5 * 2**n, 8.0)
        assert wait.reason == "backoff"
        assert 0.75 * ceiling <= wait.seconds <= ceiling


def test_the_sdk_logs_each_retry(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic, caplog: pytest.LogCaptureFixture
) -> None:
    lessonkit_api.fail_next(429, times=2, retry_after=2)
    with caplog.at_level(logging.INFO, logger="anthropic._base_client"):
        call(client)
    retries = [r.getMessage() for r in caplog.records if r.name == "anthropic._base_client"]
    assert retries == ["Retrying request to /v1/messages in 2.000000 seconds"] * 2


# --- api.sleeps and logical calls ----------------------------------------------------------------
def test_sleeps_tell_retries_from_a_learners_own_sleep(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(529)
    call(client)
    time.sleep(60)  # a learner's pause between calls: virtual too
    lessonkit_api.fail_next(429, retry_after=5)
    call(client)
    summary = [(w.attempt, w.reason, w.call_id, w.source) for w in lessonkit_api.sleeps]
    assert summary == [
        (1, "backoff", "call_1", "time.sleep"),
        (None, "not a retry", None, "time.sleep"),
        (1, "retry-after header", "call_2", "time.sleep"),
    ]


def test_attempts_share_a_derived_call_id_the_sdk_sends_no_idempotency_key(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(500)
    call(client)
    call(client)
    records = lessonkit_api.requests
    assert [(r.call_id, r.retry_count) for r in records] == [
        ("call_1", 0),
        ("call_1", 1),
        ("call_2", 0),
    ]
    assert not [h for r in records for h in r.headers if "idempotency" in h]
    assert records[0].json == records[1].json


def test_timeout_then_backoff_shows_in_sleeps_and_clock(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.timeout_next()
    call(client.with_options(timeout=20))
    (wait,) = lessonkit_api.sleeps
    assert wait.reason == "backoff" and wait.at == 20.0
    assert lessonkit_api.requests[1].at == 20.0 + wait.seconds


# --- async parity ------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_async_client_retries_with_anyio_sleep(lessonkit_api: FakeAPI) -> None:
    client = anthropic.AsyncAnthropic()
    lessonkit_api.fail_next(529, times=2)
    await client.messages.create(**REQUEST)
    assert [w.source for w in lessonkit_api.sleeps] == ["anyio.sleep"] * 2
    lessonkit_api.fail_next(529)
    with pytest.raises(anthropic.OverloadedError):
        await client.with_options(max_retries=0).messages.create(**REQUEST)
    lessonkit_api.fail_next(429, retry_after_ms=250)
    await client.messages.create(**REQUEST)
    assert lessonkit_api.sleeps[-1].seconds == 0.25
    assert lessonkit_api.sleeps[-1].reason == "retry-after-ms header"


@pytest.mark.anyio
async def test_async_not_retried_statuses(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(403, times=5)
    with pytest.raises(anthropic.PermissionDeniedError):
        await anthropic.AsyncAnthropic().messages.create(**REQUEST)
    assert len(lessonkit_api.requests) == 1


# --- the one rules function agrees with the real SDK --------------------------------------------
def _date(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


#: label -> (status, fail_next options (made at call time: dates are real time), seconds tolerance)
RULES: dict[str, tuple[int, Callable[[], dict[str, Any]], float]] = {
    **{f"{s} plain": (s, dict, 0.0) for s in (*RETRIED, *NOT_RETRIED, 418, 422, 501)},
    "retry-after-ms beats retry-after": (
        429,
        lambda: {"retry_after_ms": 1500, "retry_after": 7},
        0,
    ),
    "retry-after-ms 0 means back-off, not retry-after": (
        429,
        lambda: {"retry_after_ms": 0, "retry_after": 7},
        0,
    ),
    "negative retry-after-ms": (503, lambda: {"retry_after_ms": -5, "retry_after": 2}, 0),
    "retry-after as a float": (529, lambda: {"retry_after": 2.5}, 0),
    "garbled retry-after": (429, lambda: {"retry_after": "soon"}, 0),
    "retry-after as a date ahead": (503, lambda: {"retry_after": _date(30)}, 2.0),
    "retry-after as a date gone by": (503, lambda: {"retry_after": _date(-60)}, 0),
    "retry-after of years is capped": (429, lambda: {"retry_after": 10**9}, 0),
    "x-should-retry true on a 400": (400, lambda: {"should_retry": True}, 0),
    "x-should-retry false on a 529": (529, lambda: {"should_retry": False}, 0),
    "x-should-retry true wins on a 404 with retry-after": (
        404,
        lambda: {"should_retry": True, "retry_after": 4},
        0,
    ),
}


@pytest.mark.parametrize("label", sorted(RULES))
def test_after_failure_predicts_what_the_sdk_does(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic, label: str
) -> None:
    status, options, tolerance = RULES[label]
    lessonkit_api.fail_next(status, **options())
    try:
        call(client.with_options(max_retries=1))
    except anthropic.APIStatusError:
        pass
    failed = lessonkit_api.requests[0]
    plan = after_failure(failed.status, failed.response_headers, failed.retry_count)
    slept = [s.seconds for s in lessonkit_api.clock.sleeps if s.source == "time.sleep"]
    assert len(lessonkit_api.requests) == (2 if plan.retried else 1)
    assert len(slept) == (1 if plan.retried else 0)
    if plan.retried:
        assert plan.shortest - tolerance <= slept[0] <= plan.longest + tolerance
    assert failed.retry is not None  # what the fake recorded when it answered
    assert (failed.retry.retried, failed.retry.reason) == (plan.retried, plan.reason)


def test_after_failure_caps_a_huge_wait_as_the_sdk_does(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(429, retry_after=10**9)
    call(client)
    assert [w.seconds for w in lessonkit_api.sleeps] == [MAX_HONOURED_WAIT]


def test_after_failure_predicts_backoff_after_a_timeout(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.timeout_next(times=3)
    call(client.with_options(max_retries=3, timeout=5))
    slept = [s.seconds for s in lessonkit_api.clock.sleeps if s.source == "time.sleep"]
    for n, seconds in enumerate(slept):
        plan = after_failure(None, {}, n)
        assert plan.retried and plan.shortest <= seconds <= plan.longest
    assert len(slept) == 3


def test_after_failure_predicts_the_backoff_schedule(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(500, times=6)
    call(client.with_options(max_retries=6))
    failed = lessonkit_api.requests[:-1]
    slept = [s.seconds for s in lessonkit_api.clock.sleeps if s.source == "time.sleep"]
    plans = [after_failure(r.status, r.response_headers, r.retry_count) for r in failed]
    assert [p.longest for p in plans] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert all(p.shortest <= s <= p.longest for p, s in zip(plans, slept, strict=True))
