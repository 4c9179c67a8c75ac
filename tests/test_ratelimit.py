"""``anthropic-ratelimit-*`` headers: names, formats, and values computed on the virtual clock."""

from __future__ import annotations

import re
from typing import Any

import anthropic
import pytest

from lessonkit import PLACEHOLDER_KEY, FakeAPI, models
from lessonkit.fakeapi.clock import VirtualClock
from lessonkit.fakeapi.ratelimit import KINDS, Limits, RateLimiter

REQUEST: dict[str, Any] = {
    "model": models.DEFAULT,
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hi"}],
}
RESET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # RFC 3339, whole seconds, Z


@pytest.fixture(scope="module")
def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=PLACEHOLDER_KEY, max_retries=0)


def limits_of(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("anthropic-ratelimit-")}


def test_every_success_carries_all_twelve_headers(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    raw = client.messages.with_raw_response.create(**REQUEST)
    headers = limits_of(raw)
    names = {f"anthropic-ratelimit-{k}-{f}" for k in KINDS for f in ("limit", "remaining", "reset")}
    assert set(headers) == names
    for kind in KINDS:
        assert headers[f"anthropic-ratelimit-{kind}-limit"].isdigit()
        assert headers[f"anthropic-ratelimit-{kind}-remaining"].isdigit()
        assert RESET.match(headers[f"anthropic-ratelimit-{kind}-reset"])
    assert headers["anthropic-ratelimit-tokens-limit"] == "38000"  # input + output


def test_remaining_requests_go_down_deterministically(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    seen = [limits_of(client.messages.with_raw_response.create(**REQUEST)) for _ in range(3)]
    assert [h["anthropic-ratelimit-requests-remaining"] for h in seen] == ["49", "48", "47"]
    # 3 requests at 50/min are fully replenished 3.6 s later, rounded up to whole seconds.
    assert seen[-1]["anthropic-ratelimit-requests-reset"] == "2026-11-02T09:00:04Z"
    # Token counts are rounded to the nearest thousand, as the docs say.
    assert seen[-1]["anthropic-ratelimit-input-tokens-remaining"] == "30000"


def test_buckets_refill_as_the_virtual_clock_moves(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    for _ in range(5):
        client.messages.create(**REQUEST)
    lessonkit_api.clock.advance(minutes=1)
    headers = limits_of(client.messages.with_raw_response.create(**REQUEST))
    assert headers["anthropic-ratelimit-requests-remaining"] == "49"
    assert headers["anthropic-ratelimit-requests-reset"] == "2026-11-02T09:01:02Z"


def test_a_429_exhausts_input_tokens_until_the_minute_is_up(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(429, retry_after=30)
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(**REQUEST)
    headers = caught.value.response.headers
    assert headers["retry-after"] == "30"
    assert headers["anthropic-ratelimit-input-tokens-remaining"] == "0"
    assert headers["anthropic-ratelimit-input-tokens-reset"] == "2026-11-02T09:01:00Z"
    lessonkit_api.clock.advance(30)
    after = limits_of(client.messages.with_raw_response.create(**REQUEST))
    assert after["anthropic-ratelimit-input-tokens-remaining"] == "15000"


def test_other_errors_and_routes_carry_none(
    lessonkit_api: FakeAPI, client: anthropic.Anthropic
) -> None:
    lessonkit_api.fail_next(400)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**REQUEST)
    assert not limits_of(caught.value.response)
    raw = client.messages.with_raw_response.count_tokens(
        model=REQUEST["model"], messages=REQUEST["messages"]
    )
    assert not limits_of(raw)


def test_streams_carry_them_too(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    with client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    assert limits_of(stream.response)["anthropic-ratelimit-requests-remaining"] == "49"


def test_reset_refills_everything(lessonkit_api: FakeAPI, client: anthropic.Anthropic) -> None:
    client.messages.create(**REQUEST)
    lessonkit_api.reset()
    headers = limits_of(client.messages.with_raw_response.create(**REQUEST))
    assert headers["anthropic-ratelimit-requests-remaining"] == "49"


def test_limiter_core_with_custom_limits() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock, Limits(requests=2, input_tokens=1000, output_tokens=1000))
    first = limiter.headers(input_tokens=600, output_tokens=100)
    assert first["anthropic-ratelimit-input-tokens-remaining"] == "0"  # 400 rounds to 0
    assert first["anthropic-ratelimit-output-tokens-remaining"] == "1000"  # 900 rounds up
    second = limiter.headers()
    assert second["anthropic-ratelimit-requests-remaining"] == "0"
    assert second["anthropic-ratelimit-requests-reset"] == "2026-11-02T09:01:00Z"
    clock.advance(30)
    assert limiter.headers()["anthropic-ratelimit-requests-remaining"] == "0"  # 1 refilled, 1 used


def test_cached_reset_stamps_follow_a_clock_with_another_start() -> None:
    from datetime import UTC, datetime

    limiter = RateLimiter(VirtualClock())
    assert limiter.headers()["anthropic-ratelimit-requests-reset"] == "2026-11-02T09:00:02Z"
    limiter.clock = VirtualClock(datetime(2030, 1, 1, tzinfo=UTC))
    assert limiter.headers()["anthropic-ratelimit-requests-reset"] == "2030-01-01T00:00:03Z"
