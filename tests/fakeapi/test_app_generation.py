"""What the fake model says, seen through the real SDK.

max_tokens and stop_sequences, tools, refusals, every stop reason the SDK
knows, streamed == non-streamed, and count_tokens == usage.input_tokens.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import anthropic
import jsonschema
import pytest
from anthropic.types import Message, StopReason

from lessonkit import FakeAPI, models
from lessonkit.fakeapi import generation
from lessonkit.fakeapi.facts import facts

from .helpers import WEATHER_TOOL, ask, blocks_of, text_of

#: A model that accepts forced ``tool_choice`` (the lesson default may not).
FORCING = next(m for m in models.current() if facts(m).forced_tool_choice)
SEARCH_TOOL: dict[str, Any] = {
    "name": "search_docs",
    "description": "Search the docs.",
    "input_schema": {
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 3},
            "limit": {"type": "integer", "minimum": 5},
        },
        "required": ["query", "limit"],
    },
}


def _create_and_stream(
    client: anthropic.Anthropic, request: dict[str, Any]
) -> tuple[Message, Message, str]:
    """The same request answered once as JSON and once as a stream (script two replies first)."""
    created = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        text = "".join(stream.text_stream)
        final = Message.model_validate(stream.get_final_message().to_dict())
    return created, final, text


def _same_answer(created: Message, streamed: Message) -> None:
    """Equal but for ids (each response gets new message and tool_use ids)."""

    def without_ids(message: Message) -> dict[str, Any]:
        dumped = message.model_dump(exclude={"id"})
        dumped["content"] = [
            {k: v for k, v in block.items() if k != "id"} for block in dumped["content"]
        ]
        return dumped

    assert without_ids(streamed) == without_ids(created)


# --- max_tokens and stop_sequences ---------------------------------------------------------


@pytest.mark.parametrize("max_tokens", [1, 2, 5, 17])
def test_max_tokens_truncates(client: anthropic.Anthropic, max_tokens: int) -> None:
    full = text_of(client.messages.create(**ask("Tell me about rate limits")))
    created, streamed, text = _create_and_stream(
        client, ask("Tell me about rate limits", max_tokens=max_tokens)
    )
    _same_answer(created, streamed)
    assert created.stop_reason == "max_tokens"
    assert created.stop_sequence is None
    assert created.usage.output_tokens == max_tokens
    assert full.startswith(text) and text == text_of(created)
    assert len(text) < len(full)


def test_max_tokens_leaves_short_answers_alone(client: anthropic.Anthropic, api: FakeAPI) -> None:
    api.reply("Short answer.")
    message = client.messages.create(**ask(max_tokens=50))
    assert (message.stop_reason, text_of(message)) == ("end_turn", "Short answer.")  # type: ignore[union-attr]
    assert message.usage.output_tokens < 50


@pytest.mark.parametrize(
    ("stops", "text", "expected_text", "expected_sequence"),
    [
        (["STOP"], "Alpha beta STOP gamma", "Alpha beta ", "STOP"),
        (["gamma", "beta"], "Alpha beta STOP gamma", "Alpha ", "beta"),  # the earliest match wins
        (["\n\nHuman:"], "One.\n\nHuman: two", "One.", "\n\nHuman:"),
        (["zeta"], "Alpha beta", "Alpha beta", None),  # no match: a normal end_turn
    ],
)
def test_stop_sequences(
    client: anthropic.Anthropic,
    api: FakeAPI,
    stops: list[str],
    text: str,
    expected_text: str,
    expected_sequence: str | None,
) -> None:
    api.reply(text, times=2)
    created, streamed, streamed_text = _create_and_stream(client, ask(stop_sequences=stops))
    _same_answer(created, streamed)
    assert text_of(created) == streamed_text == expected_text  # type: ignore[union-attr]
    assert created.stop_sequence == expected_sequence
    assert created.stop_reason == ("stop_sequence" if expected_sequence else "end_turn")


def test_max_tokens_wins_over_a_later_stop_sequence(
    client: anthropic.Anthropic, api: FakeAPI
) -> None:
    api.reply("one two three four five STOP six")
    message = client.messages.create(**ask(max_tokens=2, stop_sequences=["STOP"]))
    assert (message.stop_reason, message.stop_sequence, message.usage.output_tokens) == (
        "max_tokens",
        None,
        2,
    )


# --- tools ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool_use", "fragment"),
    [
        (
            {"name": "get_weather", "input": {"city": 5}},
            "the scripted input for tool 'get_weather' does not match its "
            "input_schema: input.city must be string",
        ),
        ({"name": "get_weather", "input": {}}, "input must contain ['city'] properties"),
        (
            {"name": "get_weather", "input": {"city": "Oslo", "unit": "kelvin"}},
            "input.unit must be one of",
        ),
        (
            {"name": "launch_rocket", "input": {}},
            "the scripted tool_use 'launch_rocket' names a tool this request did "
            "not offer (offered: ['get_weather'])",
        ),
    ],
    ids=["wrong-type", "missing-required", "not-in-enum", "unknown-tool"],
)
def test_bad_scripted_tool_use_is_a_clear_500_that_is_not_retried(
    api: FakeAPI, tool_use: dict[str, Any], fragment: str
) -> None:
    client = anthropic.Anthropic()  # default retries: the 500 says x-should-retry: false
    api.reply(tool_use=tool_use)
    with pytest.raises(anthropic.InternalServerError) as caught:
        client.messages.create(**ask("Weather in Oslo?", tools=[WEATHER_TOOL]))
    err = caught.value
    assert err.status_code == 500 and err.type == "api_error"
    assert str(err.api_message).startswith("lessonkit: ")
    assert fragment in str(err.api_message)
    assert err.response.headers["x-should-retry"] == "false"
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("tool_choice", "prompt", "expected_tool"),
    [
        ({"type": "any"}, "Hello", "get_weather"),
        ({"type": "tool", "name": "search_docs"}, "Hello", "search_docs"),
        ({"type": "auto"}, "Please search docs for retries", "search_docs"),
        ({"type": "auto"}, "What does get_weather say for Oslo?", "get_weather"),
        ({"type": "auto"}, "Hello", None),
        ({"type": "none"}, "Use get_weather please", None),
    ],
    ids=["any", "tool", "auto-by-words", "auto-by-name", "auto-no-match", "none"],
)
def test_default_tool_use(
    client: anthropic.Anthropic, tool_choice: dict[str, Any], prompt: str, expected_tool: str | None
) -> None:
    tools = [WEATHER_TOOL, SEARCH_TOOL]
    created, streamed, _ = _create_and_stream(
        client, ask(prompt, model=FORCING, tools=tools, tool_choice=tool_choice)
    )
    _same_answer(created, streamed)
    if expected_tool is None:
        assert created.stop_reason == "end_turn" and blocks_of(created, "text")
        return
    assert created.stop_reason == "tool_use"
    (block,) = blocks_of(created, "tool_use")
    assert block.name == expected_tool
    schema = next(t["input_schema"] for t in tools if t["name"] == expected_tool)
    jsonschema.validate(block.input, schema)  # the made-up input is valid for the tool


def test_tool_result_round_trip(client: anthropic.Anthropic, api: FakeAPI) -> None:
    api.reply(tool_use={"name": "get_weather", "input": {"city": "Oslo"}})
    request = ask("Weather in Oslo?", tools=[WEATHER_TOOL])
    first = client.messages.create(**request)
    assert first.stop_reason == "tool_use"
    (call,) = blocks_of(first, "tool_use")
    follow_up = [
        *request["messages"],
        {"role": "assistant", "content": [block.to_dict() for block in first.content]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call.id, "content": "4 degrees, rain"}
            ],
        },
    ]
    created, streamed, text = _create_and_stream(client, {**request, "messages": follow_up})
    _same_answer(created, streamed)
    assert created.stop_reason == "end_turn"
    assert text == text_of(created) == "Based on the tool result: 4 degrees, rain."  # type: ignore[union-attr]
    assert api.requests[1].json["messages"][2]["content"][0]["tool_use_id"] == call.id


def test_parallel_tool_calls(client: anthropic.Anthropic, api: FakeAPI) -> None:
    calls = [
        {"name": "get_weather", "input": {"city": "Oslo"}},
        {"name": "get_weather", "input": {"city": "Rome"}},
    ]
    api.reply("Checking both.", tool_use=calls, times=2)
    created, streamed, text = _create_and_stream(
        client, ask("Oslo and Rome?", tools=[WEATHER_TOOL])
    )
    _same_answer(created, streamed)
    assert [b.type for b in created.content] == ["thinking", "text", "tool_use", "tool_use"]
    assert [b.input["city"] for b in created.content if b.type == "tool_use"] == ["Oslo", "Rome"]
    assert len({b.id for b in created.content if b.type == "tool_use"}) == 2
    assert text == "Checking both."


def test_tool_use_that_does_not_fit_max_tokens_is_cut(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        **ask("Hi", model=FORCING, max_tokens=2, tools=[WEATHER_TOOL], tool_choice={"type": "any"})
    )
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 2
    assert all(b.type != "tool_use" for b in message.content)


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category", ["cyber", "bio", "frontier_llm", "reasoning_extraction", "general_harms", None]
)
def test_scripted_refusal(client: anthropic.Anthropic, api: FakeAPI, category: str | None) -> None:
    api.reply(stop_reason="refusal", category=category, times=2)
    created, streamed, text = _create_and_stream(client, ask())
    _same_answer(created, streamed)
    assert created.stop_reason == "refusal" and created.content == [] and text == ""
    assert created.stop_details is not None
    assert (created.stop_details.type, created.stop_details.category) == ("refusal", category)
    assert created.usage.output_tokens == 0  # refused before any output (docs example)


def test_refusal_with_explanation_implies_refusal(
    client: anthropic.Anthropic, api: FakeAPI
) -> None:
    api.reply(
        category="cyber",
        explanation="This request was declined because it could enable cyber harm.",
    )
    message = client.messages.create(**ask())
    assert message.stop_reason == "refusal"
    assert message.stop_details is not None
    assert (
        message.stop_details.explanation
        == "This request was declined because it could enable cyber harm."
    )


def test_refusal_after_partial_output(client: anthropic.Anthropic, api: FakeAPI) -> None:
    api.reply("Here is how to", stop_reason="refusal", category="cyber", times=2)
    created, streamed, text = _create_and_stream(client, ask())
    _same_answer(created, streamed)
    assert text == "Here is how to" and created.stop_reason == "refusal"


def test_magic_string_refuses(client: anthropic.Anthropic) -> None:
    created, streamed, text = _create_and_stream(
        client, ask(f"Please {generation.REFUSAL_TRIGGER}")
    )
    _same_answer(created, streamed)
    assert created.stop_reason == "refusal" and text == ""
    assert created.stop_details is not None
    assert (created.stop_details.category, created.stop_details.explanation) == (None, None)


def test_refusal_details_arrive_on_message_delta(client: anthropic.Anthropic, api: FakeAPI) -> None:
    api.reply(stop_reason="refusal", category="bio")
    events = list(client.messages.create(**ask(), stream=True))
    assert [e.type for e in events] == ["message_start", "message_delta", "message_stop"]
    delta = events[1]
    assert delta.type == "message_delta" and delta.delta.stop_details is not None
    assert delta.delta.stop_details.category == "bio"


# --- every stop reason ---------------------------------------------------------------------

#: How to script each StopReason the SDK knows. A new SDK value fails test_every_stop_reason.
SCRIPTS: dict[str, dict[str, Any]] = {
    "end_turn": {"text": "All done."},
    "max_tokens": {"text": "Cut short", "stop_reason": "max_tokens"},
    "stop_sequence": {"text": "Up to here", "stop_reason": "stop_sequence"},
    "tool_use": {"tool_use": {"name": "get_weather", "input": {"city": "Oslo"}}},
    "pause_turn": {"text": "Searching the web", "stop_reason": "pause_turn"},
    "refusal": {"stop_reason": "refusal", "category": "cyber"},
    "model_context_window_exceeded": {
        "text": "The context is full",
        "stop_reason": "model_context_window_exceeded",
    },
}


@pytest.mark.parametrize("stop_reason", typing.get_args(StopReason))
def test_every_stop_reason_round_trips(
    client: anthropic.Anthropic, api: FakeAPI, stop_reason: str
) -> None:
    if stop_reason not in SCRIPTS:
        pytest.fail(
            f"anthropic.types.StopReason has a new value {stop_reason!r}: add a way to script it "
            f"to SCRIPTS in {__file__}, and check lessonkit.fakeapi (replies.py, generation.py, "
            "sse.py) renders it as the API does"
        )
    api.reply(**SCRIPTS[stop_reason], times=2)
    request = ask(tools=[WEATHER_TOOL], stop_sequences=["END"], max_tokens=40)
    created, streamed, _ = _create_and_stream(client, request)
    _same_answer(created, streamed)
    assert created.stop_reason == stop_reason
    assert created.stop_sequence == ("END" if stop_reason == "stop_sequence" else None)
    assert (created.stop_details is not None) == (stop_reason == "refusal")
    if stop_reason == "max_tokens":
        assert created.usage.output_tokens == 40


def test_scripts_cover_exactly_the_sdk_stop_reasons() -> None:
    assert set(SCRIPTS) == set(typing.get_args(StopReason)), (
        "update SCRIPTS to the SDK's StopReason values"
    )


# --- streamed == non-streamed; count_tokens == usage.input_tokens ---------------------------

PROMPTS = [
    "Hi",
    "Tell me about retries",
    "Explain exponential backoff with jitter, and why a thundering herd happens.",
    "Ünïcödé, emoji ✓ and 日本語 text",
    "line one\n\nline two\ttabbed   spaced",
    "   leading and trailing spaces   ",
]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_streamed_text_equals_created_text(client: anthropic.Anthropic, prompt: str) -> None:
    created, streamed, text = _create_and_stream(client, ask(prompt))
    _same_answer(created, streamed)
    assert text == text_of(created)
    assert text_of(created)


@pytest.mark.parametrize(
    "tool_input",
    [
        {"city": "Oslo"},
        {"city": 'São Paulo, "quoted", comma', "unit": "celsius"},
        {"city": "x", "nested": {"a": [1, 2, {"b": None}], "c": 1.5, "d": True}},
    ],
    ids=["simple", "escapes", "nested"],
)
def test_streamed_tool_input_equals_created_input(
    client: anthropic.Anthropic, api: FakeAPI, tool_input: dict[str, Any]
) -> None:
    tool = {
        **WEATHER_TOOL,
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
    api.reply(tool_use={"name": "get_weather", "input": tool_input}, times=2)
    request = ask("Weather?", tools=[tool])
    created = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        partial = "".join(e.partial_json for e in stream if e.type == "input_json")
        final = stream.get_final_message()
    created_input, final_input = (blocks_of(m, "tool_use")[0].input for m in (created, final))
    assert json.loads(partial) == created_input == final_input == tool_input


COUNT_CASES: dict[str, dict[str, Any]] = {
    "one-turn": {"messages": [{"role": "user", "content": "Hi"}]},
    "system-string": {
        "system": "You are terse.",
        "messages": [{"role": "user", "content": "Hi there"}],
    },
    "system-blocks": {
        "system": [
            {"type": "text", "text": "You are terse."},
            {"type": "text", "text": "Answer in French."},
        ],
        "messages": [{"role": "user", "content": "Hi there"}],
    },
    "multi-turn": {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Tell me"},
                    {"type": "text", "text": "a story"},
                ],
            },
        ]
    },
    "tools-and-results": {
        "tools": [WEATHER_TOOL],
        "messages": [
            {"role": "user", "content": "Weather in Oslo?"},
            {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": "toolu_011CAAAAAAAAAAAAAAAAAAAA",
                        "name": "get_weather",
                        "input": {"city": "Oslo"},
                    }
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_011CAAAAAAAAAAAAAAAAAAAA",
                        "content": "4 degrees",
                    }
                ],
            },
        ],
    },
}


@pytest.mark.parametrize("case", COUNT_CASES.values(), ids=COUNT_CASES.keys())
def test_count_tokens_matches_usage(client: anthropic.Anthropic, case: dict[str, Any]) -> None:
    counted = client.messages.count_tokens(model=models.DEFAULT, **case)
    created = client.messages.create(model=models.DEFAULT, max_tokens=100, **case)
    with client.messages.stream(model=models.DEFAULT, max_tokens=100, **case) as stream:
        streamed = stream.get_final_message()
    assert counted.input_tokens == created.usage.input_tokens == streamed.usage.input_tokens


def test_more_input_means_more_tokens(client: anthropic.Anthropic) -> None:
    short = client.messages.count_tokens(
        model=models.DEFAULT, messages=[{"role": "user", "content": "Hi"}]
    )
    longer = client.messages.count_tokens(
        model=models.DEFAULT, messages=[{"role": "user", "content": "Hi " * 50}], system="Be terse."
    )
    assert longer.input_tokens > short.input_tokens


def test_auto_tool_choice_needs_the_tool_named_as_a_word(client: anthropic.Anthropic) -> None:
    short = {**WEATHER_TOOL, "name": "t"}
    assert client.messages.create(**ask("Hello there", tools=[short])).stop_reason == "end_turn"
    named = client.messages.create(**ask("Please call t now", tools=[short]))
    assert named.stop_reason == "tool_use"
