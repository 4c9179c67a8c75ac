"""Fault plans against the real SDK: every lesson status, stream faults, timeouts, scenarios."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic._error_classes import ERROR_CLASSES
from anthropic.types.shared.error_type import ErrorType

from lessonkit import PLACEHOLDER_KEY, FakeAPI, models
from lessonkit.fakeapi import scenarios
from lessonkit.fakeapi.errors import ERROR_TYPES, KNOWN_ERROR_TYPES
from lessonkit.fakeapi.faults import http_fault

LESSON_STATUSES = (400, 401, 402, 403, 404, 408, 409, 413, 429, 500, 503, 504, 529)
REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 200,
    "messages": [{"role": "user", "content": "Tell me a story about a cat"}],
}
#: Events up to the first text delta: message_start, the thinking block (start, ping,
#: thinking_delta, signature_delta, stop), then the text block's start and two deltas.
TEXT_STARTED = 9


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api(lessonkit_api: FakeAPI) -> Iterator[FakeAPI]:
    yield lessonkit_api


@pytest.fixture(scope="module")
def client() -> anthropic.Anthropic:
    """One client for the module (building one costs ~30 ms of SSL setup); offline() still
    intercepts it because the mock patches the transport, not the client."""
    return anthropic.Anthropic(api_key=PLACEHOLDER_KEY)


def expected_class(status: int) -> type[anthropic.APIStatusError]:
    """The SDK's own choice, from its table (500 and other 5xx fall back to InternalServerError)."""
    return ERROR_CLASSES.get((status, None), anthropic.InternalServerError)


def create(client: anthropic.Anthropic, **overrides: Any) -> anthropic.types.Message:
    return client.messages.create(**{**REQUEST, **overrides})  # type: ignore[no-any-return]


# --- HTTP errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", LESSON_STATUSES)
def test_each_status_raises_the_sdks_class_with_the_real_body(
    api: FakeAPI, client: anthropic.Anthropic, status: int
) -> None:
    api.fail_next(status)
    with pytest.raises(anthropic.APIStatusError) as caught:
        create(client.with_options(max_retries=0))
    err = caught.value
    record = api.last
    assert type(err) is expected_class(status)
    assert err.status_code == status == record.status
    assert err.request_id == record.request_id == err.response.headers["request-id"]
    assert err.type == ERROR_TYPES[status][0] == record.error_type
    assert err.body == {
        "type": "error",
        "error": {"type": ERROR_TYPES[status][0], "message": err.api_message, "details": None},
        "request_id": record.request_id,
    }
    assert err.api_message
    assert f"Error code: {status}" in str(err)


def test_error_types_are_the_sdks_vocabulary() -> None:
    sdk_types = set(typing.get_args(ErrorType))
    assert sdk_types <= KNOWN_ERROR_TYPES
    # request_too_large is documented for 413 but missing from the SDK's literal.
    assert KNOWN_ERROR_TYPES - sdk_types == {"request_too_large"}


@pytest.mark.parametrize(
    ("status", "header"),
    [
        (400, "false"),
        (401, "false"),
        (404, "false"),
        (413, "false"),
        (408, None),
        (429, None),
        (500, None),
        (529, None),
    ],
)
def test_x_should_retry_is_false_only_where_the_sdk_would_not_retry(
    api: FakeAPI, client: anthropic.Anthropic, status: int, header: str | None
) -> None:
    api.fail_next(status)
    with pytest.raises(anthropic.APIStatusError) as caught:
        create(client.with_options(max_retries=0))
    assert caught.value.response.headers.get("x-should-retry") == header


def test_validation_400s_also_say_do_not_retry(api: FakeAPI, client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        create(client, messages=[])
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(api.requests) == 1


def test_429_carries_the_real_wording_retry_after_and_exhausted_limits(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.fail_next(429)
    with pytest.raises(anthropic.RateLimitError) as caught:
        create(client.with_options(max_retries=0))
    err, headers = caught.value, caught.value.response.headers
    assert err.api_message is not None
    assert err.api_message.startswith("This request would exceed your organization's rate limit")
    assert f"model: {models.DEFAULT}" in err.api_message
    assert headers["retry-after"] == "1"
    assert headers["anthropic-ratelimit-input-tokens-remaining"] == "0"


def test_message_error_type_and_headers_can_be_chosen(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.fail_next(429, error_type="rate_limit_error", message="slow down", retry_after=7)
    with pytest.raises(anthropic.RateLimitError) as caught:
        create(client.with_options(max_retries=0))
    assert caught.value.api_message == "slow down"
    assert caught.value.response.headers["retry-after"] == "7"


def test_path_filter_spares_other_routes(api: FakeAPI, client: anthropic.Anthropic) -> None:
    client = client.with_options(max_retries=0)
    api.fail_next(500, path="/v1/messages/count_tokens")
    assert create(client).stop_reason == "end_turn"
    with pytest.raises(anthropic.InternalServerError):
        client.messages.count_tokens(model=REQUEST["model"], messages=REQUEST["messages"])


def test_faults_fire_in_the_order_planned(api: FakeAPI, client: anthropic.Anthropic) -> None:
    api.fail_next(529).fail_next(500).fail_next(429)
    create(client.with_options(max_retries=3))
    assert [r.status for r in api.requests] == [529, 500, 429, 200]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"status": 200}, ValueError, "api.reply"),
        ({"status": 302}, ValueError, "400 to 599"),
        ({"status": "429"}, ValueError, "HTTP error code"),
        ({"status": True}, ValueError, "HTTP error code"),
        ({"status": 429, "times": 0}, ValueError, "times= must be a whole number >= 1"),
        ({"status": 429, "times": 1.5}, ValueError, "times="),
        ({"status": 429, "error_type": "rate_limited"}, ValueError, "rate_limit_error"),
        ({"status": 429, "retry_after": -1}, ValueError, "retry_after="),
        ({"status": 429, "retry_after_ms": "soon"}, ValueError, "retry_after_ms="),
        ({"status": 429, "should_retry": "no"}, TypeError, "should_retry="),
        ({"status": 429, "message": 42}, TypeError, "message="),
        ({"status": 429, "path": "v1/messages"}, ValueError, "'/v1/messages'"),
    ],
)
def test_bad_fail_next_arguments_say_what_to_pass(
    api: FakeAPI, kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words.replace("(", r"\(").replace(".", r"\.")):
        api.fail_next(**kwargs)
    assert api.faults.pending == 0


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda api: api.fail_stream(after_events=-1), "after_events="),
        (lambda api: api.fail_stream(error_type="boom"), "overloaded_error"),
        (lambda api: api.drop_stream(after_events="3"), "after_events="),
        (lambda api: api.timeout_next(times=0), "times="),
        (lambda api: api.scenario("flakey"), "flaky"),
    ],
)
def test_bad_plans_fail_where_they_are_written(api: FakeAPI, call: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        call(api)


# --- timeouts ---------------------------------------------------------------------------------
def test_timeout_raises_api_timeout_error_and_moves_the_clock(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.timeout_next()
    with pytest.raises(anthropic.APITimeoutError):
        create(client.with_options(max_retries=0, timeout=30))
    assert api.last.timed_out_after == 30
    assert api.last.status == 0
    assert api.clock.seconds == 30


def test_timeouts_are_retried_like_connection_errors(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.timeout_next(times=1)
    message = create(client)
    assert message.stop_reason == "end_turn"
    assert [r.timed_out_after for r in api.requests] == [600, None]
    assert [w.reason for w in api.sleeps] == ["backoff"]


# --- stream faults ----------------------------------------------------------------------------
def test_mid_stream_error_raises_status_200_after_partial_text(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.fail_stream(after_events=TEXT_STARTED)
    received: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(**REQUEST) as stream:
            received.extend(stream.text_stream)
    err = caught.value
    assert type(err) is anthropic.APIStatusError  # not OverloadedError: the HTTP status was 200
    assert err.status_code == 200 and err.type == "overloaded_error"
    assert err.api_message == "Overloaded"
    assert err.request_id == api.last.request_id
    snapshot = stream.current_message_snapshot.content
    assert received and "".join(received) == "".join(b.text for b in snapshot if b.type == "text")
    assert len(api.requests) == 1  # never retried
    assert api.last.stream_fault == "error:overloaded_error"


def test_mid_stream_error_message_follows_its_type(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.fail_stream(after_events=5, error_type="api_error")
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(**REQUEST) as stream:
            stream.until_done()
    assert (caught.value.type, caught.value.api_message) == ("api_error", "Internal server error")


def test_dropped_stream_raises_httpx2_transport_error_not_retried(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.drop_stream(after_events=TEXT_STARTED)
    received: list[str] = []
    with pytest.raises(httpx2.RemoteProtocolError, match="peer closed connection"):
        with client.messages.stream(**REQUEST) as stream:
            received.extend(stream.text_stream)
    snapshot = stream.current_message_snapshot.content
    assert received and "".join(received) == "".join(b.text for b in snapshot if b.type == "text")
    assert [r.stream_fault for r in api.requests] == ["dropped"]


@pytest.mark.anyio
async def test_async_stream_faults_match_sync(api: FakeAPI) -> None:
    client = anthropic.AsyncAnthropic()
    api.fail_stream(after_events=TEXT_STARTED).drop_stream(after_events=TEXT_STARTED)
    received: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        async with client.messages.stream(**REQUEST) as stream:
            async for text in stream.text_stream:
                received.append(text)
    assert caught.value.status_code == 200 and received
    with pytest.raises(httpx2.RemoteProtocolError):
        async with client.messages.stream(**REQUEST) as stream:
            async for _ in stream.text_stream:
                pass
    assert len(api.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("status", [400, 429, 529])
async def test_async_client_gets_the_same_errors(api: FakeAPI, status: int) -> None:
    api.fail_next(status)
    with pytest.raises(expected_class(status)) as caught:
        await anthropic.AsyncAnthropic(max_retries=0).messages.create(**REQUEST)
    assert caught.value.request_id == api.last.request_id


@pytest.mark.anyio
async def test_async_timeout(api: FakeAPI) -> None:
    api.timeout_next(times=3)
    with pytest.raises(anthropic.APITimeoutError):
        await anthropic.AsyncAnthropic(timeout=10).messages.create(**REQUEST)
    assert [r.timed_out_after for r in api.requests] == [10, 10, 10]


# --- scenarios --------------------------------------------------------------------------------
SCENARIO_RESULTS = {
    "flaky": ([500, 200], None),
    "overloaded_then_ok": ([529, 529, 200], None),
    "overloaded": ([529, 529, 529], anthropic.OverloadedError),
    "rate_limited": ([429, 200], None),
    "outage": ([503, 503, 503], anthropic.ServiceUnavailableError),
    "timeout_then_ok": ([0, 200], None),
}


def test_every_scenario_is_documented_in_the_module_table() -> None:
    assert scenarios.__doc__ is not None
    for name, scenario in scenarios.SCENARIOS.items():
        assert f"``{name}``" in scenarios.__doc__
        assert scenario.steps and scenario.sequence and scenario.outcome
    assert set(SCENARIO_RESULTS) | {"overloaded_mid_stream", "dropped_stream"} == set(
        scenarios.SCENARIOS
    )


@pytest.mark.parametrize("name", sorted(SCENARIO_RESULTS))
def test_http_scenarios_do_what_the_table_says(
    api: FakeAPI, client: anthropic.Anthropic, name: str
) -> None:
    statuses, raised = SCENARIO_RESULTS[name]
    api.scenario(name)
    if raised is None:
        create(client)
    else:
        with pytest.raises(raised):
            create(client)
    assert [r.status for r in api.requests] == statuses


def test_rate_limited_scenario_waits_two_seconds(api: FakeAPI, client: anthropic.Anthropic) -> None:
    api.scenario("rate_limited")
    create(client)
    assert [(w.seconds, w.reason) for w in api.sleeps] == [(2.0, "retry-after header")]


def test_outage_lasts_until_cleared_or_reset(api: FakeAPI, client: anthropic.Anthropic) -> None:
    client = client.with_options(max_retries=0)
    api.scenario("outage")
    for _ in range(4):
        with pytest.raises(anthropic.ServiceUnavailableError):
            create(client)
    api.clear_faults()
    assert create(client).stop_reason == "end_turn"
    api.scenario("outage")
    api.reset()
    assert create(client).stop_reason == "end_turn"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("overloaded_mid_stream", anthropic.APIStatusError),
        ("dropped_stream", httpx2.RemoteProtocolError),
    ],
)
def test_stream_scenarios(
    api: FakeAPI, client: anthropic.Anthropic, name: str, error: type[Exception]
) -> None:
    api.scenario(name)
    with pytest.raises(error):
        with client.messages.stream(**REQUEST) as stream:
            stream.until_done()
    assert api.last.stream_fault is not None


def test_retry_after_accepts_seconds_dates_and_datetimes() -> None:
    def header(value: Any) -> str | None:
        return (http_fault(503, retry_after=value).headers or {}).get("retry-after")

    assert header(2) == "2" and header(0.5) == "0.5" and header(None) is None
    assert header(datetime(2026, 11, 2, 9, 0, 5, tzinfo=UTC)) == "Mon, 02 Nov 2026 09:00:05 GMT"
    assert header("Mon, 02 Nov 2026 09:00:05 GMT") == "Mon, 02 Nov 2026 09:00:05 GMT"
