"""Server tools through the real SDK: the API runs them, so no client ``tool_use`` appears."""

from __future__ import annotations

import anthropic
import pytest

from lessonkit import FakeAPI
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
