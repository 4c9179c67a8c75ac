"""Generated thinking through the real SDK: when it appears, its shape, and what it costs."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessonkit import FakeAPI, models
from lessonkit.fakeapi import thinking, tokens
from lessonkit.fakeapi.facts import facts

from .helpers import SERVED, WEATHER_TOOL, ask, blocks_of, text_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THINKERS = [m for m in SERVED if facts(m).thinking_default != "off"]
QUIET = [m for m in SERVED if facts(m).thinking_default == "off"]


def _thinking(message: Any) -> Any:
    (block,) = blocks_of(message, "thinking")
    return block


@pytest.mark.parametrize("model", THINKERS)
def test_models_that_think_by_default_start_with_a_signed_thinking_block(
    client: anthropic.Anthropic, model: str
) -> None:
    message = client.messages.create(**ask("Tell me about retries", model=model))
    assert [b.type for b in message.content] == ["thinking", "text"]
    block = _thinking(message)
    assert block.signature and (block.thinking == "") == (
        facts(model).thinking_display == "omitted"
    )
    spent = message.usage.output_tokens_details
    assert spent is not None and 0 < spent.thinking_tokens < message.usage.output_tokens


@pytest.mark.parametrize("model", QUIET)
def test_other_models_think_only_when_asked(client: anthropic.Anthropic, model: str) -> None:
    assert not blocks_of(client.messages.create(**ask(model=model)), "thinking")
    adaptive = facts(model).thinking_adaptive
    thinking = {"type": "adaptive"} if adaptive else {"type": "enabled", "budget_tokens": 1024}
    asked = client.messages.create(**ask(model=model, max_tokens=2000, thinking=thinking))
    assert [b.type for b in asked.content] == ["thinking", "text"]


@pytest.mark.parametrize("model", [models.DEFAULT, models.FAST])
def test_a_stream_sends_thinking_deltas_then_one_signature(
    client: anthropic.Anthropic, model: str
) -> None:
    request = ask("Tell me about retries", model=model)
    created = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        events = [e for e in stream if e.type.startswith("content_block")]
        final = stream.get_final_message()
    thinking_events = [e for e in events if e.index == 0]
    kinds = [getattr(e, "delta", e).type for e in thinking_events]
    assert kinds[0] == "content_block_start" and kinds[-1] == "content_block_stop"
    assert set(kinds[1:-2]) == {"thinking_delta"} and kinds[-2] == "signature_delta"
    assert _thinking(final) == _thinking(created)
    assert text_of(final) == text_of(created)


def test_thinking_counts_against_max_tokens(client: anthropic.Anthropic) -> None:
    roomy = client.messages.create(**ask("Tell me about retries"))
    spent = roomy.usage.output_tokens_details
    assert spent is not None
    starved = client.messages.create(
        **ask("Tell me about retries", max_tokens=spent.thinking_tokens)
    )
    assert starved.stop_reason == "max_tokens" and not blocks_of(starved, "text")
    assert starved.usage.output_tokens == spent.thinking_tokens
    assert [b.type for b in starved.content] == ["thinking"]


@pytest.mark.parametrize(("display", "shown"), [("summarized", True), ("omitted", False)])
def test_scripted_thinking_shows_only_when_summarized(
    client: anthropic.Anthropic, api: FakeAPI, display: str, shown: bool
) -> None:
    api.reply("Forty-two.", thinking="Six times seven.")
    config = {"type": "adaptive", "display": display}
    message = client.messages.create(**ask(model=models.FAST, thinking=config))
    assert _thinking(message).thinking == ("Six times seven." if shown else "")
    assert text_of(message) == "Forty-two."


def test_thinking_blocks_go_back_unchanged_in_a_tool_loop(
    client: anthropic.Anthropic, api: FakeAPI
) -> None:
    api.reply(tool_use={"name": "get_weather", "input": {"city": "Oslo"}})
    request = ask("Weather in Oslo?", tools=[WEATHER_TOOL])
    first = client.messages.create(**request)
    (call,) = blocks_of(first, "tool_use")
    result = {"type": "tool_result", "tool_use_id": call.id, "content": "4 degrees"}
    turns = [*request["messages"], {"role": "assistant", "content": first.content}]
    answer = client.messages.create(
        **{**request, "messages": [*turns, {"role": "user", "content": [result]}]}
    )
    assert text_of(answer) == "Based on the tool result: 4 degrees."


@given(st.text(st.sampled_from(" \t\n\xa0ab1é日_-.,!…✓ß"), max_size=60))
def test_the_default_thought_comes_with_its_own_tokens(prompt: str) -> None:
    text, pieces = thinking._default_thought(prompt)
    assert pieces == tuple(tokens.split(text))
    assert text.startswith("Asked: ") and text.endswith(" Answer directly.")
