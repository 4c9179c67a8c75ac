"""Per-model rules through the real SDK, each parametrised over the table rows it concerns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic
import pytest

from lessonkit import FakeAPI, models
from lessonkit.fakeapi import rules
from lessonkit.fakeapi.facts import ModelFacts, facts

from .helpers import SERVED, WEATHER_TOOL, ask

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Using Claude with .* 'thinking.type=enabled' is deprecated"),
]


def rows(where: Callable[[ModelFacts], bool]) -> list[str]:
    """Every SDK model whose row satisfies ``where`` (an empty list would hide a rule: fail)."""
    chosen = [m for m in SERVED if where(facts(m))]
    assert chosen, "no table row exercises this rule"
    return chosen


def refused(client: anthropic.Anthropic, message: str, **request: Any) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**request)
    assert caught.value.type == "invalid_request_error"
    assert caught.value.api_message == message


PREFILLED = [{"role": "user", "content": "Name a colour."}, {"role": "assistant", "content": "The"}]


@pytest.mark.parametrize("model", rows(lambda f: not f.prefill))
def test_prefill_is_refused_where_the_model_does_not_support_it(
    client: anthropic.Anthropic, model: str
) -> None:
    refused(client, rules.PREFILL_REFUSED, **ask(model=model, messages=PREFILLED))


@pytest.mark.parametrize("model", rows(lambda f: f.prefill and f.thinking_default == "off"))
def test_prefill_is_accepted_on_older_models_unless_thinking(
    client: anthropic.Anthropic, model: str
) -> None:
    assert client.messages.create(**ask(model=model, messages=PREFILLED)).stop_reason
    thinking = {"type": "enabled", "budget_tokens": 1024}
    refused(
        client,
        rules.PREFILL_REFUSED,
        **ask(model=model, messages=PREFILLED, max_tokens=2000, thinking=thinking),
    )


@pytest.mark.parametrize("model", SERVED)
def test_disabling_thinking_is_refused_only_where_it_is_always_on(
    client: anthropic.Anthropic, model: str
) -> None:
    request = ask(model=model, thinking={"type": "disabled"})
    if facts(model).thinking_default == "always":
        refused(client, rules.DISABLED_REFUSED, **request)
    else:
        assert client.messages.create(**request).stop_reason == "end_turn"


@pytest.mark.parametrize("model", rows(lambda f: not f.thinking_enabled))
def test_budget_thinking_is_refused_on_adaptive_only_models(
    client: anthropic.Anthropic, model: str
) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    refused(client, rules.ENABLED_REFUSED, **ask(model=model, max_tokens=2000, thinking=thinking))


@pytest.mark.parametrize("model", rows(lambda f: f.thinking_enabled))
def test_budget_tokens_is_at_least_1024_and_below_max_tokens(
    client: anthropic.Anthropic, model: str
) -> None:
    def enabled(budget: int) -> dict[str, Any]:
        return ask(
            model=model, max_tokens=2000, thinking={"type": "enabled", "budget_tokens": budget}
        )

    refused(
        client,
        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
        **enabled(1023),
    )
    refused(client, rules.BUDGET_TOO_BIG, **enabled(2000))
    assert client.messages.create(**enabled(1024)).stop_reason == "end_turn"


@pytest.mark.parametrize("model", SERVED)
def test_adaptive_thinking_follows_the_row(client: anthropic.Anthropic, model: str) -> None:
    request = ask(model=model, thinking={"type": "adaptive"}, output_config={"effort": "low"})
    if facts(model).thinking_adaptive:
        assert client.messages.create(**request).stop_reason == "end_turn"
    else:
        refused(client, "adaptive thinking is not supported on this model", **request)


def test_effort_must_be_a_level_the_sdk_knows(client: anthropic.Anthropic) -> None:
    refused(
        client,
        "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'",
        **ask(output_config={"effort": "extreme"}),
    )


@pytest.mark.parametrize("model", SERVED)
def test_max_tokens_zero_prewarms_the_cache(client: anthropic.Anthropic, model: str) -> None:
    message = client.messages.create(**ask(model=model, max_tokens=0))
    assert (message.content, message.stop_reason, message.usage.output_tokens) == (
        [],
        "max_tokens",
        0,
    )


ZERO = "max_tokens: Input should be greater than or equal to 1"


def test_max_tokens_zero_is_refused_for_streams_and_forced_tools(
    client: anthropic.Anthropic,
) -> None:
    with pytest.raises(anthropic.BadRequestError, match=ZERO):
        client.messages.create(**ask(max_tokens=0), stream=True)
    forced = rows(lambda f: f.forced_tool_choice)[0]
    refused(
        client,
        ZERO,
        **ask(model=forced, max_tokens=0, tools=[WEATHER_TOOL], tool_choice={"type": "any"}),
    )
    schema = {"type": "json_schema", "schema": {"type": "object", "properties": {}}}
    refused(client, ZERO, **ask(max_tokens=0, output_config={"format": schema}))


@pytest.mark.parametrize("model", rows(lambda f: not f.forced_tool_choice))
@pytest.mark.parametrize("choice", [{"type": "any"}, {"type": "tool", "name": "get_weather"}])
def test_forced_tool_choice_is_refused_where_unsupported(
    client: anthropic.Anthropic, model: str, choice: dict[str, Any]
) -> None:
    request = ask(model=model, tools=[WEATHER_TOOL], tool_choice=choice)
    refused(client, rules.FORCED_TOOL_REFUSED, **request)
    with pytest.raises(anthropic.BadRequestError, match="not supported for this model"):
        request.pop("max_tokens")
        client.messages.count_tokens(**request)


@pytest.mark.parametrize("model", rows(lambda f: f.forced_tool_choice))
def test_forced_tool_choice_calls_the_tool_where_supported(
    client: anthropic.Anthropic, model: str
) -> None:
    request = ask(model=model, tools=[WEATHER_TOOL], tool_choice={"type": "any"})
    assert client.messages.create(**request).stop_reason == "tool_use"


def test_tool_choice_needs_tools(client: anthropic.Anthropic) -> None:
    refused(
        client,
        "tool_choice may only be specified while providing tools.",
        **ask(tool_choice={"type": "auto"}),
    )


def test_text_before_tool_results_is_refused(client: anthropic.Anthropic) -> None:
    use = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "4 degrees"}
    turns = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": [{"type": "text", "text": "Here:"}, result]},
    ]
    with pytest.raises(anthropic.BadRequestError, match="messages.2: `tool_use` ids were found"):
        client.messages.create(**ask(tools=[WEATHER_TOOL], messages=turns))
    turns[2]["content"] = [result, {"type": "text", "text": "Anything else?"}]
    assert client.messages.create(**ask(tools=[WEATHER_TOOL], messages=turns)).content


@pytest.mark.parametrize("model", SERVED)
def test_output_ceiling_is_the_rows(client: anthropic.Anthropic, model: str) -> None:
    ceiling = facts(model).max_output_tokens
    roomy = client.with_options(timeout=3600)  # the SDK refuses long non-streaming calls otherwise
    assert roomy.messages.create(**ask(model=model, max_tokens=ceiling)).stop_reason == "end_turn"
    refused(
        roomy,
        f"max_tokens: {ceiling + 1} > {ceiling}, which is the maximum allowed number of output "
        f"tokens for {model}",
        **ask(model=model, max_tokens=ceiling + 1),
    )


# One model per distinct window: a prompt over a million tokens is slow to build and count.
WINDOWS = {facts(m).context_window: m for m in SERVED}


@pytest.mark.parametrize("model", sorted(WINDOWS.values()))
def test_a_prompt_over_the_context_window_is_too_long(
    client: anthropic.Anthropic, model: str
) -> None:
    window = facts(model).context_window
    prompt = "a " * window  # one token per "a " (lessonkit.fakeapi.tokens), plus framing
    with pytest.raises(anthropic.BadRequestError, match=rf"too long: \d+ tokens > {window} max"):
        client.messages.create(**ask(prompt, model=model))
    count = client.messages.count_tokens(
        model=model, messages=[{"role": "user", "content": prompt}]
    )
    assert count.input_tokens > window  # counting is how a client learns it will not fit


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (ask("   "), "messages: text content blocks must contain non-whitespace text"),
        (
            ask(messages=[{"role": "user", "content": [{"type": "text", "text": " \n"}]}]),
            "messages: text content blocks must contain non-whitespace text",
        ),
        (
            ask(messages=[{"role": "user", "content": []}]),
            "messages.0: all messages must have non-empty content except for the optional "
            "final assistant message",
        ),
        (
            ask(system=[{"type": "text", "text": ""}]),
            "system: text content blocks must be non-empty",
        ),
        (
            ask(system=[{"type": "text", "text": "  "}]),
            "system: text content blocks must contain non-whitespace text",
        ),
    ],
    ids=["whitespace-string", "whitespace-block", "empty-content", "empty-system", "blank-system"],
)
def test_empty_input_is_refused(
    client: anthropic.Anthropic, request_: dict[str, Any], message: str
) -> None:
    refused(client, message, **request_)


@pytest.mark.parametrize("model", rows(lambda f: not f.prefill))
def test_resuming_a_paused_turn_is_not_prefill(
    client: anthropic.Anthropic, api: FakeAPI, model: str
) -> None:
    api.reply("Found one fact so far.", stop_reason="pause_turn")
    question = {"role": "user", "content": "Research SSE"}
    paused = client.messages.create(**ask(model=model, messages=[question]))
    assert paused.stop_reason == "pause_turn"
    (server_call,) = [b for b in paused.content if b.type == "server_tool_use"]
    assert server_call.name == "web_search" and server_call.id.startswith("srvtoolu_")
    resumed = [question, {"role": "assistant", "content": paused.content}]
    assert client.messages.create(**ask(model=model, messages=resumed)).stop_reason == "end_turn"


def test_a_model_without_a_row_is_served_with_the_strictest_rules(
    client: anthropic.Anthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = "claude-opus-9"  # an id a future SDK might add before the table has a row
    monkeypatch.setattr(models, "KNOWN", (newer, *models.KNOWN))
    assert [b.type for b in client.messages.create(**ask(model=newer)).content] == [
        "thinking",
        "text",
    ]
    refused(client, rules.PREFILL_REFUSED, **ask(model=newer, messages=PREFILLED))
    refused(
        client,
        rules.DISABLED_REFUSED,
        **ask(model=newer, thinking={"type": "disabled"}),
    )
    refused(
        client,
        rules.FORCED_TOOL_REFUSED,
        **ask(model=newer, tools=[WEATHER_TOOL], tool_choice={"type": "any"}),
    )
