"""schema.py reads request facts from the installed SDK's types."""

from __future__ import annotations

import typing

from anthropic.types import ContentBlockParam, message_count_tokens_params, message_create_params

from lessonkit.fakeapi import schema


def test_create_fields_are_the_sdk_params_plus_stream() -> None:
    fields = schema.create_fields()
    assert fields == frozenset(message_create_params.MessageCreateParamsBase.__annotations__) | {
        "stream"
    }
    assert {
        "model",
        "max_tokens",
        "messages",
        "system",
        "tools",
        "tool_choice",
        "stop_sequences",
        "stream",
    } <= fields
    # 2.14 dropped sampling knobs: a body that sends them is refused like the real API does
    assert "temperature" not in fields


def test_count_tokens_fields() -> None:
    fields = schema.count_tokens_fields()
    assert fields == frozenset(message_count_tokens_params.MessageCountTokensParams.__annotations__)
    assert {"model", "messages", "system", "tools"} <= fields
    assert "max_tokens" not in fields and "stream" not in fields


def test_content_block_types_follow_the_sdk_union() -> None:
    tags = schema.content_block_types()
    assert len(tags) == len(set(tags)) == len(typing.get_args(ContentBlockParam))
    assert tags[:2] == ("text", "image")
    assert {"document", "tool_use", "tool_result", "thinking"} <= set(tags)


def test_literal_values_unwraps_required() -> None:
    hint = typing.get_type_hints(message_create_params.MessageCreateParamsBase, include_extras=True)
    assert schema._literal_values(typing.Literal["a", "b"]) == ("a", "b")
    assert schema._literal_values(typing.Required[typing.Literal["x"]]) == ("x",)  # type: ignore[misc]
    assert hint  # the SDK params resolve at all
