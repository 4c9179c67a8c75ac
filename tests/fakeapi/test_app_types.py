"""The real SDK parses everything the fake API sends into its own types.

Non-streamed Messages, every stream event, the raw stream, the stream helper's
final message, structured outputs (``messages.parse``) and count_tokens.
"""

from __future__ import annotations

import json
import re

import anthropic
import pydantic
import pytest
from anthropic.types import (
    Message,
    MessageTokensCount,
    ParsedMessage,
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
    RawMessageStopEvent,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)

from lessonkit import FakeAPI

from .helpers import WEATHER_TOOL, ask, blocks_of, text_of

REQUEST_ID = re.compile(r"^req_011C[1-9A-HJ-NP-Za-km-z]{20}$")
MESSAGE_ID = re.compile(r"^msg_011C[1-9A-HJ-NP-Za-km-z]{20}$")
#: The raw event sequence of a stream (a thinking block, then text), after the SDK drops ``ping``.
TEXT_STREAM = re.compile(
    r"^message_start( content_block_start( content_block_delta)+ content_block_stop)+"
    r" message_delta message_stop$"
)


def test_create_returns_a_full_message(client: anthropic.Anthropic, api: FakeAPI) -> None:
    message = client.messages.create(**ask("Tell me about retries"))
    assert type(message) is Message
    assert MESSAGE_ID.match(message.id)
    assert (message.type, message.role, message.model) == ("message", "assistant", ask()["model"])
    assert [type(b) for b in message.content] == [ThinkingBlock, TextBlock]  # thinking first
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None and message.stop_details is None
    assert type(message.usage) is Usage
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message.usage.service_tier == "standard"
    assert message.usage.cache_read_input_tokens == 0
    # the SDK keeps nothing it could not type: the JSON round-trips to the same model
    assert Message.model_validate(message.to_dict()) == message
    assert api.last.response == json.loads(message.to_json())


def test_request_id_comes_from_the_response_header(
    client: anthropic.Anthropic, api: FakeAPI
) -> None:
    raw = client.messages.with_raw_response.create(**ask())
    message = raw.parse()
    assert REQUEST_ID.match(raw.headers["request-id"])
    assert message._request_id == raw.headers["request-id"] == api.last.request_id
    assert raw.headers["content-type"] == "application/json"
    assert raw.headers["anthropic-organization-id"]


def test_stream_events_parse_in_order(client: anthropic.Anthropic, api: FakeAPI) -> None:
    with client.messages.stream(**ask("Tell me about streaming")) as stream:
        events = list(stream)
        final = stream.get_final_message()
    raw = [
        e
        for e in events
        if e.type not in ("text", "input_json", "citation", "thinking", "signature")
    ]
    assert TEXT_STREAM.match(" ".join(e.type for e in raw)), [e.type for e in raw]
    assert isinstance(raw[0], RawMessageStartEvent)
    assert raw[0].message.stop_reason is None and raw[0].message.content == []
    starts = [e for e in raw if isinstance(e, RawContentBlockStartEvent)]
    assert [s.content_block.type for s in starts] == ["thinking", "text"]
    assert all(
        isinstance(e, RawContentBlockDeltaEvent) and e.delta.type == "text_delta"
        for e in raw[raw.index(starts[1]) + 1 : -3]
    )
    assert isinstance(raw[-3], RawContentBlockStopEvent)
    assert isinstance(raw[-2], RawMessageDeltaEvent)
    assert (
        raw[-2].delta.stop_reason == "end_turn"
        and raw[-2].usage.output_tokens == final.usage.output_tokens
    )
    assert isinstance(raw[-1], RawMessageStopEvent)
    # the helper also synthesises one `text` event per text delta, carrying the snapshot
    texts = [e for e in events if e.type == "text"]
    assert len(texts) == sum(
        1 for e in raw if e.type == "content_block_delta" and e.delta.type == "text_delta"
    )
    assert texts[-1].snapshot == text_of(final)


def test_ping_is_on_the_wire_but_the_sdk_consumes_it(client: anthropic.Anthropic) -> None:
    with client.messages.with_streaming_response.create(**ask(), stream=True) as response:
        lines = list(response.iter_lines())
    assert "event: ping" in lines
    assert 'data: {"type":"ping"}' in lines
    # every event is named, and its JSON repeats the name
    names = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    datas = [json.loads(line.removeprefix("data: ")) for line in lines if line.startswith("data: ")]
    assert names == [d["type"] for d in datas]
    events = list(client.messages.create(**ask(), stream=True))
    assert "ping" not in {e.type for e in events}
    assert [e.type for e in events] == [n for n in names if n != "ping"]


def test_raw_stream_from_create(client: anthropic.Anthropic, api: FakeAPI) -> None:
    stream = client.messages.create(**ask(), stream=True)
    assert isinstance(stream, anthropic.Stream)
    events = list(stream)
    assert TEXT_STREAM.match(" ".join(e.type for e in events))
    assert stream.response.headers["request-id"] == api.last.request_id
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    assert api.last.json["stream"] is True


def test_text_stream_and_final_message(client: anthropic.Anthropic, api: FakeAPI) -> None:
    with client.messages.stream(**ask("Tell me about tests")) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
        assert stream.request_id == api.last.request_id
        assert stream.response.status_code == 200
    assert isinstance(final, ParsedMessage)
    assert blocks_of(final, "text") and text_of(final) == text
    assert final.stop_reason == "end_turn"
    # what the stream accumulated is what the API recorded as its answer
    assert Message.model_validate(final.to_dict()) == Message.model_validate(api.last.response)
    assert api.last.headers["x-stainless-helper-method"] == "stream"


def test_final_message_has_no_request_id_but_the_stream_does(client: anthropic.Anthropic) -> None:
    """SDK 2.14 behaviour (DESIGN.md): only ``create()`` results carry ``_request_id``."""
    with client.messages.stream(**ask()) as stream:
        final = stream.get_final_message()
        request_id = stream.request_id
    assert request_id and REQUEST_ID.match(request_id)
    with pytest.raises(AttributeError):
        final._request_id  # noqa: B018  (the SDK never sets it on an accumulated message)
    assert client.messages.create(**ask())._request_id


def test_streamed_final_message_equals_created_message(client: anthropic.Anthropic) -> None:
    created = client.messages.create(**ask("Explain idempotency"))
    with client.messages.stream(**ask("Explain idempotency")) as stream:
        final = stream.get_final_message()
    strip = {"id"}
    assert created.model_dump(exclude=strip) == Message.model_validate(final.to_dict()).model_dump(
        exclude=strip
    )


def test_tool_use_parses_in_both_forms(client: anthropic.Anthropic, api: FakeAPI) -> None:
    request = ask("What is the weather in Paris?", tools=[WEATHER_TOOL])
    api.reply(
        tool_use={"name": "get_weather", "input": {"city": "Paris", "unit": "celsius"}}, times=2
    )
    message = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        events = list(stream)
        final = stream.get_final_message()
    for result in (message, final):
        (block,) = blocks_of(result, "tool_use")
        assert isinstance(block, ToolUseBlock)
        assert block.input == {"city": "Paris", "unit": "celsius"}
        assert block.id.startswith("toolu_")
        assert result.stop_reason == "tool_use"
    deltas = [e.delta for e in events if e.type == "content_block_delta"]
    deltas = [d for d in deltas if d.type == "input_json_delta"]
    assert deltas[0].partial_json == ""
    assert json.loads("".join(d.partial_json for d in deltas)) == {
        "city": "Paris",
        "unit": "celsius",
    }  # type: ignore[union-attr]
    starts = [e for e in events if e.type == "content_block_start"]
    assert [s.content_block.type for s in starts] == ["thinking", "tool_use"]
    assert starts[1].content_block.input == {}  # type: ignore[union-attr]
    assert [e.type for e in events].count("input_json") == len(deltas)


class Person(pydantic.BaseModel):
    name: str
    age: int
    tags: list[str]


class Team(pydantic.BaseModel):
    lead: Person
    size: int = pydantic.Field(ge=3)


@pytest.mark.parametrize("output_format", [Person, Team], ids=lambda t: t.__name__)
def test_structured_output_parses(
    client: anthropic.Anthropic, api: FakeAPI, output_format: type[pydantic.BaseModel]
) -> None:
    parsed = client.messages.parse(**ask("Describe a person"), output_format=output_format)
    assert isinstance(parsed, ParsedMessage)
    assert isinstance(parsed.parsed_output, output_format)
    assert api.last.json["output_config"]["format"]["type"] == "json_schema"
    with client.messages.stream(**ask("Describe a person"), output_format=output_format) as stream:
        final = stream.get_final_message()
    assert isinstance(final.parsed_output, output_format)
    assert final.parsed_output == parsed.parsed_output


def test_structured_output_uses_the_scripted_json(
    client: anthropic.Anthropic, api: FakeAPI
) -> None:
    api.reply(json.dumps({"name": "Ada", "age": 36, "tags": ["math"]}))
    parsed = client.messages.parse(**ask("Who wrote the first program?"), output_format=Person)
    assert parsed.parsed_output == Person(name="Ada", age=36, tags=["math"])


def test_count_tokens_parses(client: anthropic.Anthropic) -> None:
    request = ask("Count me")
    del request["max_tokens"]
    counted = client.messages.count_tokens(**request)
    assert type(counted) is MessageTokensCount
    assert counted.input_tokens > 0
    assert counted._request_id
