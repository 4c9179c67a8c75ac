"""validate.py on its own: request bodies in, the API's 400/404/413 out."""

from __future__ import annotations

from typing import Any

import pytest

from lessonkit import models
from lessonkit.fakeapi import tokens, validate
from lessonkit.fakeapi.errors import ApiError

from .helpers import DROP, WEATHER_TOOL, body

MODELS = frozenset(models.KNOWN)
USE = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "4 degrees"}

VALID: dict[str, dict[str, Any]] = {
    "minimal": body(),
    "stream": body(stream=True),
    "system-string": body(system="Be terse."),
    "system-blocks": body(system=[{"type": "text", "text": "Be terse."}]),
    "max_tokens-zero-cache-prewarm": body(max_tokens=0),
    "consecutive-user-turns": body(
        messages=[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
    ),
    "tool-round-trip": body(
        tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": [USE]},
            {"role": "user", "content": [RESULT]},
        ],
    ),
    "max_tokens-at-ceiling": body(max_tokens=128_000),
    "stop_sequences": body(stop_sequences=["END", "\n\nHuman:"]),
    "every-sdk-field-name": body(
        metadata={"user_id": "u1"}, tool_choice={"type": "auto"}, tools=[WEATHER_TOOL]
    ),
}


@pytest.mark.parametrize("sent", VALID.values(), ids=VALID.keys())
def test_valid_bodies_pass(sent: dict[str, Any]) -> None:
    checked, input_tokens = validate.check_create(sent, MODELS)
    assert checked is sent and input_tokens == tokens.count_input(sent)


# id, body, status, message
INVALID: list[tuple[str, Any, int, str]] = [
    (
        "not-an-object",
        ["x"],
        400,
        "Input should be a valid dictionary or object to extract fields from",
    ),
    ("null-body", None, 400, "Input should be a valid dictionary or object to extract fields from"),
    ("model-not-string", body(model=5), 400, "model: Input should be a valid string"),
    ("max_tokens-bool", body(max_tokens=True), 400, "max_tokens: Input should be a valid integer"),
    (
        "max_tokens-negative",
        body(max_tokens=-1),
        400,
        "max_tokens: Input should be greater than or equal to 0",
    ),
    ("messages-not-list", body(messages="Hi"), 400, "messages: Input should be a valid list"),
    (
        "message-not-object",
        body(messages=["Hi"]),
        400,
        "messages.0: Input should be a valid dictionary",
    ),
    (
        "content-missing",
        body(messages=[{"role": "user"}]),
        400,
        "messages.0.content: Field required",
    ),
    (
        "content-wrong-type",
        body(messages=[{"role": "user", "content": 5}]),
        400,
        "messages.0.content: Input should be a valid string or list",
    ),
    (
        "block-not-object",
        body(messages=[{"role": "user", "content": ["Hi"]}]),
        400,
        "messages.0.content.0: Input should be a valid dictionary or object to extract fields from",
    ),
    (
        "empty-assistant-not-last",
        body(
            messages=[
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": ""},
                {"role": "user", "content": "?"},
            ]
        ),
        400,
        "messages: text content blocks must be non-empty",
    ),
    ("system-wrong-type", body(system=5), 400, "system: Input should be a valid string or list"),
    (
        "system-block-tag",
        body(system=[{"type": "image"}]),
        400,
        "system.0: Input tag 'image' found using 'type' does not match any of the expected "
        "tags: 'text'",
    ),
    (
        "stop_sequences-not-list",
        body(stop_sequences="END"),
        400,
        "stop_sequences: Input should be a valid list of strings",
    ),
    ("tools-not-list", body(tools={"name": "x"}), 400, "tools: Input should be a valid list"),
    ("tool-not-object", body(tools=["x"]), 400, "tools.0: Input should be a valid dictionary"),
    (
        "tool-bad-name",
        body(tools=[{**WEATHER_TOOL, "name": "has space"}]),
        400,
        "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
    ),
    ("stream-not-bool", body(stream="yes"), 400, "stream: Input should be a valid boolean"),
    ("unknown-model", body(model="gpt-4"), 404, "model: gpt-4"),
    ("missing-model-first", body(model=DROP, max_tokens=DROP), 400, "model: Field required"),
]


@pytest.mark.parametrize(
    ("sent", "status", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_bodies(sent: Any, status: int, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        validate.check_create(sent, MODELS)
    assert (caught.value.status, caught.value.message) == (status, message)
    assert caught.value.error_type == (
        "not_found_error" if status == 404 else "invalid_request_error"
    )


def test_too_many_messages() -> None:
    turns = [{"role": "user", "content": "x"}] * (validate.MAX_MESSAGES + 1)
    with pytest.raises(ApiError, match="at most 100000 messages"):
        validate.check_create(body(messages=turns), MODELS)


def test_body_size_limit_is_413() -> None:
    validate.check_size(b"x" * validate.MAX_BODY_BYTES)
    with pytest.raises(ApiError) as caught:
        validate.check_size(b"x" * (validate.MAX_BODY_BYTES + 1))
    assert (caught.value.status, caught.value.error_type) == (413, "request_too_large")


def test_unknown_model_check_uses_the_given_set() -> None:
    with pytest.raises(ApiError, match=f"model: {models.DEFAULT}"):
        validate.check_create(body(), MODELS - {models.DEFAULT})


def test_count_tokens_body() -> None:
    sent = body(max_tokens=DROP)
    assert validate.check_count_tokens(sent, MODELS) is sent
    with pytest.raises(ApiError, match="max_tokens: Extra inputs are not permitted"):
        validate.check_count_tokens(body(), MODELS)
    with pytest.raises(ApiError, match="messages: at least one message is required"):
        validate.check_count_tokens(body(max_tokens=DROP, messages=[]), MODELS)


@pytest.mark.parametrize(
    ("turn", "models_now", "status", "message"),
    [
        ("", MODELS, 400, "messages: text content blocks must be non-empty"),
        ("  ", MODELS, 400, "messages: text content blocks must contain non-whitespace text"),
        ("fine", MODELS - {models.DEFAULT}, 404, f"model: {models.DEFAULT}"),
    ],
)
def test_a_shape_that_passed_before_still_checks_the_turn_and_the_model(
    turn: str, models_now: frozenset[str], status: int, message: str
) -> None:
    validate.check_create(body(), MODELS)  # this shape is now known to pass the other checks
    with pytest.raises(ApiError) as caught:
        validate.check_create(body(messages=[{"role": "user", "content": turn}]), models_now)
    assert (caught.value.status, caught.value.message) == (status, message)


def test_a_shape_that_passed_before_counts_each_turn_afresh() -> None:
    _, short = validate.check_create(body(messages=[{"role": "user", "content": "a b"}]), MODELS)
    _, longer = validate.check_create(
        body(messages=[{"role": "user", "content": "a b c d"}]), MODELS
    )
    assert longer == short + 2
