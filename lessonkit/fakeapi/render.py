"""Render a :class:`~lessonkit.fakeapi.generation.Generation` as the API's JSON Message.

The usage object carries the fields a real 2026 response carries (cache
counters at zero, ``service_tier``, ``inference_geo``), so code that reads
them works unchanged against the real API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anthropic.types import ServerToolUsage

from .caching import NO_CACHE, CacheUsage
from .generation import Generation


def usage(
    input_tokens: int,
    output_tokens: int,
    service_tier: str = "standard",
    thinking_tokens: int = 0,
    cache: CacheUsage = NO_CACHE,
    server_tool_use: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The usage object; thinking tokens are part of ``output_tokens`` and broken out when spent.

    ``input_tokens`` counts only what came after the cached prefix, as the API's does.
    ``server_tool_use`` (see :func:`server_tool_usage`) appears when a server tool ran.
    """
    counted: dict[str, Any] = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": cache.created,
        "cache_read_input_tokens": cache.read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": cache.created - cache.created_1h,
            "ephemeral_1h_input_tokens": cache.created_1h,
        },
        "output_tokens": output_tokens,
        "service_tier": service_tier,
        "inference_geo": "not_available",
    }
    if thinking_tokens:
        counted["output_tokens_details"] = {"thinking_tokens": thinking_tokens}
    if server_tool_use is not None:
        counted["server_tool_use"] = dict(server_tool_use)
    return counted


#: The server tools ``usage.server_tool_use`` counts, by tool name (the SDK's
#: ``ServerToolUsage`` fields: ``web_search_requests`` counts ``web_search``...).
_COUNTED = {f.removesuffix("_requests"): f for f in ServerToolUsage.model_fields}


def server_tool_usage(gen: Generation) -> dict[str, int] | None:
    """``usage.server_tool_use`` for this turn: each counted tool's calls; None if none ran.

    A call counts once the tool ran (its result block is there), not when paused before it.
    """
    ran = {b.whole.get("tool_use_id") for b in gen.blocks if b.whole is not None}
    if not ran:  # most turns ran no server tool
        return None
    calls = [b.name for b in gen.blocks if b.type == "server_tool_use" and b.id in ran]
    return {field: calls.count(name) for name, field in _COUNTED.items()}


def message(
    gen: Generation,
    *,
    message_id: str,
    model: str,
    input_tokens: int,
    service_tier: str = "standard",
    cache: CacheUsage = NO_CACHE,
) -> dict[str, Any]:
    """The full, non-streamed Message object."""
    return {
        "model": model,
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "content": [block.as_content() for block in gen.blocks],
        "stop_reason": gen.stop_reason,
        "stop_sequence": gen.stop_sequence,
        "stop_details": gen.stop_details,
        "usage": usage(
            input_tokens,
            gen.output_tokens,
            service_tier,
            gen.thinking_tokens,
            cache,
            server_tool_usage(gen),
        ),
    }
