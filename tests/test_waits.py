"""waits.py: each virtual wait is stamped, as it happens, with the attempt it follows and why.

Through the real SDK, sync and async: the wait after a failed attempt names
that attempt, its call and the rule the SDK followed; reading ``api.sleeps``
re-derives nothing.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anthropic
import pytest

from lessonkit import PLACEHOLDER_KEY, FakeAPI, models
from lessonkit.fakeapi.clock import Sleep
from lessonkit.fakeapi.records import RecordedRequest
from lessonkit.fakeapi.waits import NOT_A_RETRY, WaitLog


def request(text: str = "Hi") -> dict[str, Any]:
    return {
        "model": models.DEFAULT,
        "max_tokens": 100,
        "messages": [{"role": "user", "content": text}],
    }


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def stamps(api: FakeAPI) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(w.follows, w.attempt, w.call_id, w.reason) for w in api.sleeps]


def test_sync_mixed_reasons_name_the_attempt_they_follow(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(429, retry_after=3)
    lessonkit_api.fail_next(503, retry_after_ms=250)
    lessonkit_api.fail_next(529)
    anthropic.Anthropic(api_key=PLACEHOLDER_KEY, max_retries=3).messages.create(**request())
    failed = lessonkit_api.requests[:3]
    assert stamps(lessonkit_api) == [
        (failed[0].request_id, 1, "call_1", "retry-after header"),
        (failed[1].request_id, 2, "call_1", "retry-after-ms header"),
        (failed[2].request_id, 3, "call_1", "backoff"),
    ]
    assert [w.seconds for w in lessonkit_api.sleeps][:2] == [3.0, 0.25]
    assert 0.75 * 2.0 <= lessonkit_api.sleeps[2].seconds <= 2.0  # retry 2: 0.5 * 2**2
    assert [r.wait_after for r in failed] == lessonkit_api.sleeps
    assert lessonkit_api.last.wait_after is None


@pytest.mark.anyio
async def test_async_mixed_reasons_use_anyio_sleep(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(529)
    lessonkit_api.fail_next(429, retry_after_ms=1500, retry_after=9)
    await anthropic.AsyncAnthropic(api_key=PLACEHOLDER_KEY).messages.create(**request())
    first, second = lessonkit_api.requests[:2]
    assert stamps(lessonkit_api) == [
        (first.request_id, 1, "call_1", "backoff"),
        (second.request_id, 2, "call_1", "retry-after-ms header"),
    ]
    assert {w.source for w in lessonkit_api.sleeps} == {"anyio.sleep"}


@pytest.mark.anyio
async def test_concurrent_async_calls_keep_their_own_waits(lessonkit_api: FakeAPI) -> None:
    # Virtual sleeps add up, so timestamps alone cannot tell whose wait is whose.
    client = anthropic.AsyncAnthropic(api_key=PLACEHOLDER_KEY)
    lessonkit_api.fail_next(429, retry_after=5)
    lessonkit_api.fail_next(503, retry_after_ms=100)
    lessonkit_api.fail_next(500)
    await asyncio.gather(*(client.messages.create(**request(t)) for t in ("a", "b", "c")))
    by_id = {r.request_id: r for r in lessonkit_api.requests}
    assert len(lessonkit_api.sleeps) == 3
    for wait in lessonkit_api.sleeps:
        failed = by_id[wait.follows or ""]
        assert failed.status >= 400 and failed.retry is not None
        assert (wait.call_id, wait.reason) == (failed.call_id, failed.retry.reason)
        assert failed.retry.shortest <= wait.seconds <= failed.retry.longest
    assert sorted(w.reason for w in lessonkit_api.sleeps) == [
        "backoff",
        "retry-after header",
        "retry-after-ms header",
    ]


def test_threads_keep_their_own_waits(lessonkit_api: FakeAPI) -> None:
    from concurrent.futures import ThreadPoolExecutor

    # Threads interleave freely (virtual sleeps barely yield), so one thread may meet all
    # four 429s: enough retries that none gives up, whichever thread that is.
    client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, max_retries=4)
    lessonkit_api.fail_next(429, retry_after=2, times=4)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda t: client.messages.create(**request(t)), "abcd"))
    by_id = {r.request_id: r for r in lessonkit_api.requests}
    assert len(lessonkit_api.sleeps) == 4
    for wait in lessonkit_api.sleeps:
        failed = by_id[wait.follows or ""]
        assert (wait.call_id, wait.attempt) == (failed.call_id, failed.retry_count + 1)
        assert (failed.status, wait.reason) == (429, "retry-after header")


def test_reads_are_stable_facts_not_rederived(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(429, retry_after=3)
    anthropic.Anthropic(api_key=PLACEHOLDER_KEY).messages.create(**request())
    first = lessonkit_api.sleeps
    # Tampering with what a re-derivation would read changes nothing.
    lessonkit_api.requests[0].response_headers.clear()
    lessonkit_api.requests[1].at = 0.0
    lessonkit_api.clock.advance(60)
    second = lessonkit_api.sleeps
    assert second == first and second[0] is first[0]
    assert second[0].reason == "retry-after header"


def test_a_learners_own_wait_after_a_failure_is_not_a_retry(lessonkit_api: FakeAPI) -> None:
    client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, max_retries=0)
    lessonkit_api.fail_next(429, retry_after=3)
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(**request())
    time.sleep(3)  # the learner's own loop honours retry-after…
    client.messages.create(**request())  # …and calls again: a new call, not the SDK's retry
    (wait,) = lessonkit_api.sleeps
    assert (wait.reason, wait.attempt, wait.call_id) == (NOT_A_RETRY, None, None)
    assert wait.follows == lessonkit_api.requests[0].request_id
    assert lessonkit_api.requests[0].wait_after is None


def test_only_the_first_wait_after_a_failure_is_the_sdks(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(500)
    anthropic.Anthropic(api_key=PLACEHOLDER_KEY).messages.create(**request())
    time.sleep(1)
    time.sleep(1)
    assert [w.reason for w in lessonkit_api.sleeps] == ["backoff", NOT_A_RETRY, NOT_A_RETRY]


def test_not_retried_statuses_leave_waits_unattributed(lessonkit_api: FakeAPI) -> None:
    lessonkit_api.fail_next(400)
    with pytest.raises(anthropic.BadRequestError):
        anthropic.Anthropic(api_key=PLACEHOLDER_KEY).messages.create(**request())
    time.sleep(2)
    (wait,) = lessonkit_api.sleeps
    assert (wait.reason, wait.call_id) == (NOT_A_RETRY, None)
    assert lessonkit_api.last.retry is not None and not lessonkit_api.last.retry.retried


def test_reset_forgets_waits(lessonkit_api: FakeAPI) -> None:
    time.sleep(1)
    lessonkit_api.reset()
    assert lessonkit_api.sleeps == []


def test_other_clock_moves_are_not_waits() -> None:
    log = WaitLog()
    for source in ("advance", "request timeout", "injected sleep"):
        log.slept(Sleep(0.0, 1.0, source))
    assert log.entries() == []


def test_a_log_ignores_requests_another_api_saw() -> None:
    mine, theirs = WaitLog(), WaitLog()
    record = RecordedRequest("POST", "/v1/messages", {}, None, 0.0, request_id="req_x")
    theirs.arrived(record)
    mine.slept(Sleep(0.0, 1.0, "time.sleep"))
    assert [w.follows for w in mine.entries()] == [None]
