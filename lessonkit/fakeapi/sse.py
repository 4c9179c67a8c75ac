"""Server-sent events for a streamed Message, in the order the API sends them.

message_start → per block (content_block_start, a ping after the first,
content_block_delta…, content_block_stop) → message_delta → message_stop.
Frames are ``event: <type>\\ndata: <json>\\n\\n`` and every JSON payload
repeats its event name in ``"type"``, as the real stream does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .caching import NO_CACHE, CacheUsage
from .generation import Block, Generation
from .jsonbytes import dumps
from .render import server_tool_usage, usage


def frame(event: dict[str, Any], *, floats: bool = True) -> bytes:
    """One SSE frame for an event dict (``floats=False``: it holds none, see :mod:`.jsonbytes`)."""
    return b"event: %s\ndata: %s\n\n" % (event["type"].encode(), dumps(event, floats=floats))


def _thinking_deltas(block: Block) -> Iterator[dict[str, Any]]:
    """Thinking text (one empty delta when omitted), then exactly one ``signature_delta``."""
    for piece in block.pieces or ("",):
        yield {"type": "thinking_delta", "thinking": piece}
    yield {"type": "signature_delta", "signature": block.signature}


def _block_events(index: int, block: Block) -> Iterator[dict[str, Any]]:
    deltas: Iterator[dict[str, Any]]
    if block.type == "text":
        start: dict[str, Any] = {"type": "text", "text": "", "citations": None}
        deltas = ({"type": "text_delta", "text": piece} for piece in block.pieces)
    elif block.whole is not None:  # a server tool's result arrives whole
        start, deltas = block.whole, iter(())
    elif block.type == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = _thinking_deltas(block)
    else:
        start = {"type": block.type, "id": block.id, "name": block.name, "input": {}}
        deltas = ({"type": "input_json_delta", "partial_json": piece} for piece in block.pieces)
    yield {"type": "content_block_start", "index": index, "content_block": start}
    if index == 0:
        yield {"type": "ping"}
    for delta in deltas:
        yield {"type": "content_block_delta", "index": index, "delta": delta}
    yield {"type": "content_block_stop", "index": index}


def events(
    gen: Generation,
    *,
    message_id: str,
    model: str,
    input_tokens: int,
    cache: CacheUsage = NO_CACHE,
) -> Iterator[dict[str, Any]]:
    """Every event of the stream, as dicts."""
    start_usage = usage(input_tokens, 1, cache=cache)
    yield {
        "type": "message_start",
        "message": {
            "model": model,
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": start_usage,
        },
    }
    for index, block in enumerate(gen.blocks):
        yield from _block_events(index, block)
    final_usage = {
        k: v
        for k, v in usage(
            input_tokens,
            gen.output_tokens,
            thinking_tokens=gen.thinking_tokens,
            cache=cache,
            server_tool_use=server_tool_usage(gen),
        ).items()
        if k not in ("cache_creation", "service_tier", "inference_geo")
    }
    yield {
        "type": "message_delta",
        "delta": {
            "stop_reason": gen.stop_reason,
            "stop_sequence": gen.stop_sequence,
            "stop_details": gen.stop_details,
        },
        "usage": final_usage,
    }
    yield {"type": "message_stop"}


def error_event(error_type: str, message: str, request_id: str | None) -> dict[str, Any]:
    """The ``error`` event the API sends when a stream fails after its 200."""
    return {
        "type": "error",
        "error": {"details": None, "type": error_type, "message": message},
        "request_id": request_id,
    }
