"""``anthropic.AsyncAnthropic`` against offline mode: create, stream, errors."""

from __future__ import annotations

import anthropic
import pytest
from anthropic.types import Message

from lessonkit import FakeAPI

from .helpers import WEATHER_TOOL, ask, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def aclient(lessonkit_api: FakeAPI) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(max_retries=0)


async def test_async_create(aclient: anthropic.AsyncAnthropic, api: FakeAPI) -> None:
    message = await aclient.messages.create(**ask("Tell me about async"))
    assert type(message) is Message
    assert message.stop_reason == "end_turn"
    assert message._request_id == api.last.request_id
    assert api.last.headers["x-stainless-async"].startswith("async")


async def test_async_stream_equals_create(aclient: anthropic.AsyncAnthropic) -> None:
    created = await aclient.messages.create(**ask("Tell me about async"))
    async with aclient.messages.stream(**ask("Tell me about async")) as stream:
        text = "".join([chunk async for chunk in stream.text_stream])
        final = await stream.get_final_message()
        assert stream.request_id
    assert text == text_of(created) == text_of(final)
    assert final.usage == created.usage


async def test_async_raw_stream(aclient: anthropic.AsyncAnthropic) -> None:
    stream = await aclient.messages.create(**ask(), stream=True)
    types = [event.type async for event in stream]
    assert types[0] == "message_start" and types[-2:] == ["message_delta", "message_stop"]
    assert "ping" not in types


async def test_async_tool_use_and_error(aclient: anthropic.AsyncAnthropic, api: FakeAPI) -> None:
    api.reply(tool_use={"name": "get_weather", "input": {"city": "Oslo"}})
    message = await aclient.messages.create(**ask("Weather?", tools=[WEATHER_TOOL]))
    assert message.stop_reason == "tool_use"
    with pytest.raises(anthropic.NotFoundError) as caught:
        await aclient.messages.create(**ask(model="claude-nonexistent-9"))
    assert caught.value.request_id == api.last.request_id


async def test_async_count_tokens_matches_usage(aclient: anthropic.AsyncAnthropic) -> None:
    request = ask("Count these words please")
    created = await aclient.messages.create(**request)
    del request["max_tokens"]
    counted = await aclient.messages.count_tokens(**request)
    assert counted.input_tokens == created.usage.input_tokens
