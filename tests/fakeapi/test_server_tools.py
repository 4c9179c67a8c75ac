"""Server tools through the real SDK: the API runs them, so no client ``tool_use`` appears."""

from __future__ import annotations

import time

import anthropic
import pytest
from anthropic.types import (
    ServerToolUsage,
    ToolSearchToolResultBlock,
    ToolSearchToolSearchResultBlock,
    WebFetchBlock,
    WebFetchToolResultBlock,
)

from lessonkit import FakeAPI
from lessonkit.fakeapi import schema
from lessonkit.fakeapi.server_tools import server_tool_types

from .helpers import ask

WEB_SEARCH_TYPES = sorted(t for t, name in server_tool_types().items() if name == "web_search")


def test_server_tool_types_come_from_the_sdk() -> None:
    assert "web_search_20250305" in WEB_SEARCH_TYPES
    assert "bash_20250124" not in server_tool_types()  # bash runs on the client


@pytest.mark.parametrize("kind", WEB_SEARCH_TYPES)
def test_an_offered_web_search_runs_on_the_server(client: anthropic.Anthropic, kind: str) -> None:
    tools = [{"type": kind, "name": "web_search"}]
    answer = client.messages.create(**ask("Search the web for the tallest tree", tools=tools))
    kinds = [b.type for b in answer.content]
    assert kinds[-3:] == ["server_tool_use", "web_search_tool_result", "text"]
    assert "tool_use" not in kinds
    assert answer.stop_reason == "end_turn"
    use, result = answer.content[-3], answer.content[-2]
    assert use.id.startswith("srvtoolu_") and result.tool_use_id == use.id


def test_a_streamed_server_turn_matches_the_whole_one(client: anthropic.Anthropic) -> None:
    request = ask("search for tides", tools=[{"type": "web_search_20250305", "name": "web_search"}])
    with client.messages.stream(**request) as stream:
        streamed = stream.get_final_message()
    assert [b.type for b in streamed.content][-3:] == [
        "server_tool_use",
        "web_search_tool_result",
        "text",
    ]
    assert streamed.content[-3].input == {"query": "search for tides"}


def test_a_scripted_server_turn_can_pause(api: FakeAPI, client: anthropic.Anthropic) -> None:
    api.reply(server_tool={"name": "web_search", "input": {"query": "x"}}, stop_reason="pause_turn")
    tools = [{"type": "web_search_20250305", "name": "web_search"}]
    answer = client.messages.create(**ask(tools=tools))
    assert answer.stop_reason == "pause_turn"
    assert answer.content[-1].type == "server_tool_use"
    assert answer.content[-1].input == {"query": "x"}


def test_a_scripted_server_turn_runs_then_answers(
    api: FakeAPI, client: anthropic.Anthropic
) -> None:
    api.reply("Found it.", server_tool={"name": "code_execution", "input": {"code": "1+1"}})
    tools = [{"type": "code_execution_20250522", "name": "code_execution"}]
    answer = client.messages.create(**ask(tools=tools))
    assert [b.type for b in answer.content][-3:] == [
        "server_tool_use",
        "code_execution_tool_result",
        "text",
    ]


def test_a_server_tool_the_fake_cannot_run_is_refused_when_scripted(api: FakeAPI) -> None:
    with pytest.raises(ValueError, match="server_tool name 'weather'"):
        api.reply(server_tool={"name": "weather", "input": {}})


WEB_FETCH_TYPES = sorted(t for t, name in server_tool_types().items() if name == "web_fetch")
TOOL_SEARCH_TYPES = sorted(t for t, name in server_tool_types().items() if "tool_search" in name)
#: ``usage.server_tool_use`` counters, from the SDK's ``ServerToolUsage``.
COUNTERS = sorted(ServerToolUsage.model_fields)
SEARCH = [{"type": "web_search_20250305", "name": "web_search"}]


@pytest.mark.parametrize("kind", ["function", "web_search_20990101", "Custom"])
def test_an_unknown_tool_type_is_refused(client: anthropic.Anthropic, kind: str) -> None:
    tools = [{"type": kind, "name": "t", "input_schema": {"type": "object"}}]
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**ask(tools=tools))
    expected = ", ".join(f"'{t}'" for t in sorted(schema.tool_types()))
    assert caught.value.api_message == (
        f"tools.0: Input tag '{kind}' found using 'type' does not match any of the expected "
        f"tags: {expected}"
    )


def test_the_expected_tool_tags_are_every_sdk_tool_type() -> None:
    assert {"custom", *server_tool_types()} <= set(schema.tool_types())
    assert "bash_20250124" in schema.tool_types()


def test_a_fetch_without_a_url_in_the_prompt_fetches_a_placeholder(
    client: anthropic.Anthropic,
) -> None:
    tools = [{"type": WEB_FETCH_TYPES[0], "name": "web_fetch"}]
    answer = client.messages.create(**ask("fetch the tide table", tools=tools))
    assert answer.content[-3].input == {"url": "https://example.com/"}


@pytest.mark.parametrize("kind", WEB_FETCH_TYPES)
def test_an_offered_web_fetch_runs_on_the_server(client: anthropic.Anthropic, kind: str) -> None:
    tools = [{"type": kind, "name": "web_fetch"}]
    answer = client.messages.create(**ask("Fetch https://example.org/tides.html", tools=tools))
    use, result, text = answer.content[-3:]
    assert (use.type, result.type, text.type) == (
        "server_tool_use",
        "web_fetch_tool_result",
        "text",
    )
    assert use.input == {"url": "https://example.org/tides.html"}
    assert isinstance(result, WebFetchToolResultBlock) and result.tool_use_id == use.id
    assert isinstance(result.content, WebFetchBlock)
    assert result.content.url == "https://example.org/tides.html"
    assert answer.usage.server_tool_use is not None
    assert answer.usage.server_tool_use.web_fetch_requests == 1
    assert answer.usage.server_tool_use.web_search_requests == 0


@pytest.mark.parametrize("kind", TOOL_SEARCH_TYPES)
def test_a_tool_search_finds_the_requests_tools(client: anthropic.Anthropic, kind: str) -> None:
    name = server_tool_types()[kind]
    weather = {"name": "get_weather", "input_schema": {"type": "object"}}
    tools = [{"type": kind, "name": name}, weather]
    answer = client.messages.create(**ask("search tools for weather", tools=tools))
    use, result = answer.content[-3:-1]
    assert use.type == "server_tool_use" and use.name == name
    assert isinstance(result, ToolSearchToolResultBlock) and result.tool_use_id == use.id
    assert isinstance(result.content, ToolSearchToolSearchResultBlock)
    assert [r.tool_name for r in result.content.tool_references] == ["get_weather"]


def test_server_tool_use_counts_each_run_in_create_and_stream(client: anthropic.Anthropic) -> None:
    request = ask("search for tides", tools=SEARCH)
    created = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        streamed = stream.get_final_message()
    for message in (created, streamed):
        assert message.usage.server_tool_use is not None
        counted = message.usage.server_tool_use.model_dump()
        assert sorted(counted) == COUNTERS
        assert counted == {c: int(c == "web_search_requests") for c in COUNTERS}


def test_server_tool_use_is_absent_without_a_run(api: FakeAPI, client: anthropic.Anthropic) -> None:
    assert client.messages.create(**ask("hello", tools=SEARCH)).usage.server_tool_use is None
    api.reply(server_tool={"name": "web_search", "input": {"query": "x"}}, stop_reason="pause_turn")
    paused = client.messages.create(**ask(tools=SEARCH))  # paused before the search ran
    assert paused.usage.server_tool_use is None


def test_server_tool_use_is_counted_in_batch_results(client: anthropic.Anthropic) -> None:
    item = {"custom_id": "s", "params": ask("search for tides", tools=SEARCH)}
    batch = client.messages.batches.create(requests=[item])  # type: ignore[list-item]
    while client.messages.batches.retrieve(batch.id).processing_status != "ended":
        time.sleep(60)  # virtual: the offline session's clock
    [line] = list(client.messages.batches.results(batch.id))
    assert line.result.type == "succeeded"
    usage = line.result.message.usage.server_tool_use
    assert usage is not None and usage.web_search_requests == 1
