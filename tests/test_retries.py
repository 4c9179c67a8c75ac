"""The SDK's retry schedule, reproduced offline on the virtual clock (anthropic 2.14).

Retried: 408, 409, 429, >= 500 and timeouts, 2 retries by default, unless
``x-should-retry`` says otherwise. Wait: ``retry-after-ms``, else ``retry-after``
(seconds or HTTP date), else 0.5 s * 2^n capped at 8 s, times a jitter in [0.75, 1].
The whole module must run without real sleeping.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import anthropic
import pytest
from anthropic._error_classes import ERROR_CLASSES

import lessonkit
from lessonkit import PLACEHOLDER_KEY, FakeAPI, models

REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}
RETRIED = (408, 409, 429, 500, 503, 504, 529)
NOT_RETRIED = (400, 401, 402, 403, 404, 413)


@pytest.fixture(scope="module", autouse=True)
def _no_real_sleeping(client: anthropic.Anthropic) -> Iterator[None]:
    """Every retry in this module waits minutes of virtual time; the wall clock must not.

    One warm-up call first, so the SDK's one-off lazy imports are not counted.
    """
    with lessonkit.offline():
        call(client)
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"retry tests took {elapsed:.2f} s of wall time: something slept for real"


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
