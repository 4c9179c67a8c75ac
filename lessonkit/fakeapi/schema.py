"""Facts about valid requests, read from the installed SDK's own types.

Deriving them (instead of copying lists by hand) means an SDK upgrade that adds
a request field or a content block type is picked up, and a test notices.
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

from anthropic.types import (
    ContentBlockParam,
    OutputConfigParam,
    ThinkingConfigParam,
    ToolUnionParam,
    message_count_tokens_params,
    message_create_params,
)


def _literal_values(annotation: Any) -> tuple[str, ...]:
    """The strings inside ``Required[Literal[...]]`` / ``Literal[...]``."""
    while typing.get_origin(annotation) is not typing.Literal and typing.get_args(annotation):
        annotation = typing.get_args(annotation)[0]
    return tuple(typing.get_args(annotation))


@cache
def create_fields() -> frozenset[str]:
    """Body fields ``POST /v1/messages`` accepts (``stream`` included)."""
    return frozenset(message_create_params.MessageCreateParamsBase.__annotations__) | {"stream"}


@cache
def count_tokens_fields() -> frozenset[str]:
    """Body fields ``POST /v1/messages/count_tokens`` accepts."""
    return frozenset(message_count_tokens_params.MessageCountTokensParams.__annotations__)


@cache
def content_block_types() -> tuple[str, ...]:
    """Every content block ``type`` a request message may carry, in the SDK's order."""
    tags: list[str] = []
    for block in typing.get_args(ContentBlockParam):
        tags.extend(_literal_values(typing.get_type_hints(block)["type"]))
    return tuple(tags)


@cache
def thinking_types() -> tuple[str, ...]:
    """Every ``thinking.type`` the SDK's ``ThinkingConfigParam`` union allows."""
    return tuple(
        tag
        for config in typing.get_args(ThinkingConfigParam)
        for tag in _literal_values(typing.get_type_hints(config)["type"])
    )


@cache
@cache
def tool_types() -> tuple[str, ...]:
    """Every ``tools[].type`` the SDK's ``ToolUnionParam`` allows, sorted as the API lists them."""
    return tuple(
        sorted(
            {
                tag
                for param in typing.get_args(ToolUnionParam)
                for tag in _literal_values(typing.get_type_hints(param)["type"])
            }
        )
    )


def effort_levels() -> tuple[str, ...]:
    """Every ``output_config.effort`` value the SDK allows."""
    return _literal_values(typing.get_type_hints(OutputConfigParam)["effort"])
