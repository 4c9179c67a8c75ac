"""Every validation error reaches the real SDK as the real API's error.

Each row: a request body the API refuses, the SDK exception class, status,
``error.type`` and message (the real wording where shared/API-FACTS.md §2 has
it). Bodies the typed API would refuse go through ``client.post``.
"""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from anthropic.types import Message

from lessonkit import FakeAPI, models
from lessonkit.fakeapi.facts import facts

from .helpers import DROP, WEATHER_TOOL, ask, body

#: A model without mid-conversation system messages, and one with them (from the facts table).
SONNET = next(m for m in models.KNOWN if not facts(m).system_messages)
FABLE = next(m for m in models.KNOWN if facts(m).system_messages)
TOOL_USE = {
    "type": "tool_use",
    "id": "toolu_011CAAAAAAAAAAAAAAAAAAAA",
    "name": "get_weather",
    "input": {"city": "Oslo"},
}
TOOL_RESULT = {"type": "tool_result", "tool_use_id": TOOL_USE["id"], "content": "4 degrees"}


def _turns(*messages: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"role": role, "content": content} for role, content in messages]


INVALID = "invalid_request_error"
# id, body, exception class, status, error.type, message (exact, or a prefix ending in "...")
CASES: list[tuple[str, dict[str, Any], type[anthropic.APIStatusError], int, str, str]] = [
    (
        "missing-model",
        body(model=DROP),
        anthropic.BadRequestError,
        400,
        INVALID,
        "model: Field required",
    ),
    (
        "missing-max_tokens",
        body(max_tokens=DROP),
        anthropic.BadRequestError,
        400,
        INVALID,
        "max_tokens: Field required",
    ),
    (
        "missing-messages",
        body(messages=DROP),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages: Field required",
    ),
    (
        "empty-messages",
        body(messages=[]),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages: at least one message is required",
    ),
    (
        "first-not-user",
        body(messages=_turns(("assistant", "Hi"))),
        anthropic.BadRequestError,
        400,
        INVALID,
        'messages: first message must use the "user" role',
    ),
    (
        "bad-block-tag",
        body(messages=_turns(("user", [{"type": "image_url", "image_url": "x"}]))),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages.0.content.0: Input tag 'image_url' found using 'type' does not match any of "
        "the expected tags: "
        "'text', 'image', ...",
    ),
    (
        "non-string-text",
        body(
            messages=_turns(("user", [{"type": "text", "text": "a"}, {"type": "text", "text": 5}]))
        ),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages.0.content.1.text.text: Input should be a valid string",
    ),
    (
        "empty-string-content",
        body(messages=_turns(("user", ""))),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages: text content blocks must be non-empty",
    ),
    (
        "empty-text-block",
        body(messages=_turns(("user", [{"type": "text", "text": ""}]))),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages: text content blocks must be non-empty",
    ),
    (
        "unknown-model",
        body(model="claude-nonexistent-9"),
        anthropic.NotFoundError,
        404,
        "not_found_error",
        "model: claude-nonexistent-9",
    ),
    (
        "max_tokens-zero-stream",
        body(max_tokens=0, stream=True),
        anthropic.BadRequestError,
        400,
        INVALID,
        "max_tokens: Input should be greater than or equal to 1",
    ),
    (
        "max_tokens-not-int",
        body(max_tokens="10"),
        anthropic.BadRequestError,
        400,
        INVALID,
        "max_tokens: Input should be a valid integer",
    ),
    (
        "max_tokens-above-ceiling",
        body(max_tokens=128_001),
        anthropic.BadRequestError,
        400,
        INVALID,
        "max_tokens: 128001 > 128000, which is the maximum allowed number of output tokens "
        f"for {models.DEFAULT}",
    ),
    (
        "max_tokens-above-haiku-ceiling",
        body(model=models.FAST, max_tokens=facts(models.FAST).max_output_tokens + 1),
        anthropic.BadRequestError,
        400,
        INVALID,
        f"max_tokens: {facts(models.FAST).max_output_tokens + 1} > "
        f"{facts(models.FAST).max_output_tokens}, which is the maximum allowed number of output "
        f"tokens for {models.FAST}",
    ),
    (
        "unknown-field",
        body(temperature=0.5),
        anthropic.BadRequestError,
        400,
        INVALID,
        "temperature: Extra inputs are not permitted",
    ),
    (
        "tool_result-without-tool_use",
        body(messages=_turns(("user", [TOOL_RESULT]))),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages.0.content: unexpected `tool_use_id` found in `tool_result` blocks: "
        f"{TOOL_USE['id']}. ...",
    ),
    (
        "tool_use-without-tool_result",
        body(
            tools=[WEATHER_TOOL],
            messages=_turns(("user", "Weather?"), ("assistant", [TOOL_USE]), ("user", "Well?")),
        ),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: "
        f"{TOOL_USE['id']}. ...",
    ),
    (
        "system-role-unsupported",
        body(model=SONNET, messages=_turns(("user", "Hi"), ("system", "Be brief"))),
        anthropic.BadRequestError,
        400,
        INVALID,
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` '
        "parameter, "
        'not "system" as an input message role.',
    ),
    (
        "system-role-first",
        body(model=FABLE, messages=_turns(("system", "Be brief"), ("user", "Hi"))),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages: a system message cannot be the first message",
    ),
    (
        "system-role-after-assistant",
        body(
            model=FABLE,
            messages=_turns(("user", "Hi"), ("assistant", "Hello"), ("system", "Be brief")),
        ),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages.2: a system message must immediately follow a user turn",
    ),
    (
        "bad-role",
        body(messages=_turns(("robot", "Hi"))),
        anthropic.BadRequestError,
        400,
        INVALID,
        "messages.0.role: Input should be 'user', 'assistant' or 'system'",
    ),
    (
        "stop_sequences-blank",
        body(stop_sequences=["  "]),
        anthropic.BadRequestError,
        400,
        INVALID,
        "stop_sequences: each stop sequence must contain non-whitespace",
    ),
    (
        "tool-without-schema",
        body(tools=[{"name": "t"}]),
        anthropic.BadRequestError,
        400,
        INVALID,
        "tools.0.custom.input_schema: Field required",
    ),
    (
        "duplicate-tools",
        body(tools=[WEATHER_TOOL, WEATHER_TOOL]),
        anthropic.BadRequestError,
        400,
        INVALID,
        "tools: Tool names must be unique.",
    ),
]


def _matches(message: str, expected: str) -> bool:
    return message.startswith(expected[:-3]) if expected.endswith("...") else message == expected


@pytest.mark.parametrize(
    ("sent", "cls", "status", "error_type", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_validation_error(
    client: anthropic.Anthropic,
    api: FakeAPI,
    sent: dict[str, Any],
    cls: type[anthropic.APIStatusError],
    status: int,
    error_type: str,
    expected: str,
) -> None:
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.post("/v1/messages", body=sent, cast_to=Message)
    err = caught.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.request_id == err.response.headers["request-id"] == api.last.request_id
    assert err.body == {
        "type": "error",
        "error": {"type": error_type, "message": err.api_message, "details": None},
        "request_id": err.request_id,
    }
    assert _matches(str(err.api_message), expected), err.api_message
    assert err.type == error_type
    assert str(err) == f"Error code: {status} - {err.body}"
    assert (api.last.status, api.last.error_type) == (status, error_type)
    assert len(api.requests) == 1  # a 4xx is not retried (max_retries=0 here, but see below)


def test_mid_conversation_system_message_is_valid_where_supported(
    client: anthropic.Anthropic,
) -> None:
    message = client.post(
        "/v1/messages",
        body=body(model=FABLE, messages=_turns(("user", "Hi"), ("system", "Be brief"))),
        cast_to=Message,
    )
    assert message.stop_reason == "end_turn"


def test_typed_api_sends_the_same_errors(client: anthropic.Anthropic, api: FakeAPI) -> None:
    """The ordinary typed call, with the odd field smuggled in through ``extra_body``."""
    with pytest.raises(
        anthropic.BadRequestError, match="temperature: Extra inputs are not permitted"
    ):
        client.messages.create(**ask(), extra_body={"temperature": 0})
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(**ask(model="claude-nonexistent-9"))
    assert caught.value.api_message == "model: claude-nonexistent-9"
    # the ceiling check needs streaming or a timeout: the SDK refuses long non-streaming calls
    with pytest.raises(ValueError, match="Streaming is required"):
        client.messages.create(**ask(max_tokens=128_001))
    assert len(api.requests) == 2
    with pytest.raises(anthropic.BadRequestError, match="128001 > 128000"):
        client.messages.create(**ask(max_tokens=128_001), timeout=30)
    with (
        pytest.raises(anthropic.BadRequestError, match="128001 > 128000"),
        client.messages.stream(**ask(max_tokens=128_001)),
    ):
        pass


def test_retired_model_is_not_found(client: anthropic.Anthropic, api: FakeAPI) -> None:
    assert client.messages.create(**ask(model=models.FAST)).model == models.FAST
    api.retire_model(models.FAST)
    assert models.FAST not in api.models
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(**ask(model=models.FAST))
    assert caught.value.api_message == f"model: {models.FAST}"
    assert caught.value.body["request_id"] == caught.value.request_id  # type: ignore[index]


def test_errors_are_not_retried_by_default(api: FakeAPI) -> None:
    """A 400 is final for the SDK (it retries only 408/409/429/5xx)."""
    client = anthropic.Anthropic()  # default max_retries=2
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(**ask(messages=[]))
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(**ask(model="claude-nonexistent-9"))
    assert len(api.requests) == 2


def test_stream_errors_raise_before_any_event(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="at least one message"):
        client.messages.create(model=models.DEFAULT, max_tokens=10, messages=[], stream=True)


def test_count_tokens_validates(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError, match="model: claude-nonexistent-9"):
        client.messages.count_tokens(
            model="claude-nonexistent-9", messages=[{"role": "user", "content": "Hi"}]
        )
    with pytest.raises(
        anthropic.BadRequestError, match="max_tokens: Extra inputs are not permitted"
    ):
        client.messages.count_tokens(
            model=models.DEFAULT,
            messages=[{"role": "user", "content": "Hi"}],
            extra_body={"max_tokens": 5},
        )


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        (
            {"Authorization": anthropic.Omit(), "X-Api-Key": anthropic.Omit()},
            401,
            "x-api-key header is required",
        ),
        ({"anthropic-version": anthropic.Omit()}, 400, "anthropic-version: header is required"),
    ],
    ids=["no-key", "no-version"],
)
def test_header_errors(
    client: anthropic.Anthropic, headers: dict[str, Any], status: int, message: str
) -> None:
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(**ask(), extra_headers=headers)
    assert (caught.value.status_code, caught.value.api_message) == (status, message)


def test_unknown_route_is_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.get("/v1/nothing-here", cast_to=Message)
    assert caught.value.api_message == "Not found"
