"""``POST /v1/messages`` and ``/v1/messages/count_tokens``: the model's turn, whole or streamed.

The model decides what is said (:mod:`.model`); :mod:`.render` makes it a
Message and :mod:`.sse` a stream of events. The one thing decided here is
where a planned stream fault breaks the stream: an ``error`` event after the
200, or a dropped connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import jsonbytes, render, sse, tokens
from .caching import NO_CACHE, CacheUsage
from .faults import FaultPlan, StreamFault
from .generation import Generation, generate
from .http import ApiResponse, StreamDropped
from .ids import IdSource
from .records import RecordedRequest
from .replies import Reply

__all__ = ["COUNT_TOKENS_PATH", "PATH", "count_tokens", "create"]

PATH = "/v1/messages"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens"


def create(
    body: dict[str, Any],
    input_tokens: int,
    reply: Reply | None,
    ids: IdSource,
    faults: FaultPlan,
    record: RecordedRequest,
    cache: CacheUsage = NO_CACHE,
) -> ApiResponse:
    """Answer a validated create request; ``record`` learns the Message and any stream fault.

    ``input_tokens`` is the prompt's count from validation (:func:`.validate.check_create`).
    """
    gen = generate(body, reply, ids.next)
    message = render.message(
        gen,
        message_id=ids.next("message"),
        model=body["model"],
        input_tokens=input_tokens - cache.read - cache.created,
        cache=cache,
    )
    record.response = message
    if not body.get("stream"):
        data = jsonbytes.dumps(message, floats=gen.may_hold_floats)
        return ApiResponse(200, {"content-type": "application/json"}, data)
    fault = faults.take_stream()
    if fault is not None:
        record.stream_fault = f"error:{fault.error_type}" if fault.error_type else "dropped"
    return ApiResponse(
        200,
        {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"},
        _frames(gen, message, record, fault, cache),
    )


def _frames(
    gen: Generation,
    message: dict[str, Any],
    record: RecordedRequest,
    fault: StreamFault | None,
    cache: CacheUsage,
) -> Iterator[bytes]:
    events = sse.events(
        gen,
        message_id=message["id"],
        model=message["model"],
        input_tokens=message["usage"]["input_tokens"],
        cache=cache,
    )
    for sent, event in enumerate(events):
        if fault is not None and sent == fault.after_events:
            if fault.error_type is None:
                raise StreamDropped(f"connection dropped after {sent} events")
            text = fault.message or "Overloaded"
            error = sse.error_event(fault.error_type, text, record.request_id)
            record.events.append(error)
            yield sse.frame(error)
            return
        record.events.append(event)
        yield sse.frame(event, floats=gen.may_hold_floats)


def count_tokens(body: dict[str, Any]) -> ApiResponse:
    """Answer a validated count_tokens request: the input tokens a create would be charged."""
    return ApiResponse.json(200, {"input_tokens": tokens.count_input(body)})
