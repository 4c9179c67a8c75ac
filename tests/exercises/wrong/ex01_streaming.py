"""Wrong answers to exercises/01_streaming.ipynb, one per misconception."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic

from lessonkit.exercises.ex01_streaming import (
    AsyncCollectStream,
    CollectStream,
    StreamWithRequestId,
)

from . import wrong

_ANSWER = "a three-sentence answer"


def _collector(flaw: str) -> Callable[..., Any]:
    """A learner's collect_stream with one idea wrong."""

    def collect_stream(client, on_text, **params):  # type: ignore[no-untyped-def]
        if flaw == "not_streamed":
            message = client.messages.create(**params)
            on_text("".join(b.text for b in message.content if b.type == "text"))
            return message
        with client.messages.stream(**params) as stream:
            if flaw == "chunks_differ":
                for event in stream:
                    on_text(event.type)
                return stream.get_final_message()
            pieces = list(stream.text_stream)
            if flaw == "one_chunk":
                on_text("".join(pieces))
            elif flaw not in ("never_called", "buffered_then_swallow"):
                for piece in pieces:
                    on_text(piece)
            final = stream.get_final_message()
        if flaw == "not_a_message":
            return "".join(pieces)
        if flaw == "request_count":
            return client.messages.create(**params)
        return final

    return collect_stream


for key in ("not_a_message", "not_streamed", "request_count", "never_called", "one_chunk",
            "chunks_differ"):
    wrong(CollectStream, key, scenario=_ANSWER)(_collector(key))

wrong(CollectStream, "buffered", scenario="a stream that breaks")(_collector("buffered"))


@wrong(CollectStream, "swallowed", scenario="a stream that breaks")
def swallows_stream_errors(client, on_text, **params):  # type: ignore[no-untyped-def]
    try:
        with client.messages.stream(**params) as stream:
            for text in stream.text_stream:
                on_text(text)
            return stream.get_final_message()
    except anthropic.APIStatusError:
        return None


_SHORT = "a short answer"


@wrong(StreamWithRequestId, "bad_shape", scenario=_SHORT)
def returns_only_the_message(client, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        return stream.get_final_message()


@wrong(StreamWithRequestId, "not_streamed", scenario=_SHORT)
def does_not_stream(client, **params):  # type: ignore[no-untyped-def]
    message = client.messages.create(**params)
    return message, message._request_id


@wrong(StreamWithRequestId, "no_request_id", scenario=_SHORT)
def asks_the_final_message(client, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        message = stream.get_final_message()
    return message, getattr(message, "_request_id", None)


@wrong(StreamWithRequestId, "message_id", scenario=_SHORT)
def returns_the_message_id(client, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        message = stream.get_final_message()
    return message, message.id


@wrong(StreamWithRequestId, "other_request", scenario=_SHORT)
def asks_twice(client, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        message = stream.get_final_message()
    return message, client.messages.create(**params)._request_id


def _async_collector(flaw: str) -> Callable[..., Any]:
    """A learner's acollect_stream with one idea wrong."""

    async def acollect_stream(client, on_text, **params):  # type: ignore[no-untyped-def]
        if flaw == "not_streamed":
            message = await client.messages.create(**params)
            on_text("".join(b.text for b in message.content if b.type == "text"))
            return message
        async with client.messages.stream(**params) as stream:
            if flaw == "chunks_differ":
                async for event in stream:
                    on_text(event.type)
                return await stream.get_final_message()
            pieces = [text async for text in stream.text_stream]
            if flaw == "one_chunk":
                on_text("".join(pieces))
            elif flaw != "never_called":
                for piece in pieces:
                    on_text(piece)
            if flaw == "not_awaited":
                return stream.get_final_message()
            final = await stream.get_final_message()
        if flaw == "not_a_message":
            return "".join(pieces)
        if flaw == "request_count":
            return await client.messages.create(**params)
        return final

    return acollect_stream


for key in ("not_a_message", "not_streamed", "request_count", "never_called", "one_chunk",
            "chunks_differ", "not_awaited"):
    wrong(AsyncCollectStream, key, scenario=_ANSWER)(_async_collector(key))


@wrong(AsyncCollectStream, "not_async", scenario=_ANSWER)
def blocking_version(client, on_text, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        for text in stream.text_stream:
            on_text(text)
        return stream.get_final_message()


_BREAKS = "a stream that breaks"


@wrong(AsyncCollectStream, "buffered", scenario=_BREAKS)
async def buffers_until_the_end(client, on_text, **params):  # type: ignore[no-untyped-def]
    async with client.messages.stream(**params) as stream:
        pieces = [text async for text in stream.text_stream]
        for piece in pieces:
            on_text(piece)
        return await stream.get_final_message()


@wrong(AsyncCollectStream, "swallowed", scenario=_BREAKS)
async def returns_the_partial_message(client, on_text, **params):  # type: ignore[no-untyped-def]
    async with client.messages.stream(**params) as stream:
        try:
            async for text in stream.text_stream:
                on_text(text)
        except anthropic.APIStatusError:
            pass
        return stream.current_message_snapshot


@wrong(StreamWithRequestId, "made_up_id", scenario=_SHORT)
def writes_its_own_id(client, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        return stream.get_final_message(), "req_unknown"


@wrong(CollectStream, "mutated_messages", scenario=_ANSWER)
def keeps_history_in_the_callers_list(client, on_text, **params):  # type: ignore[no-untyped-def]
    with client.messages.stream(**params) as stream:
        for text in stream.text_stream:
            on_text(text)
        message = stream.get_final_message()
    params["messages"].append({"role": "assistant", "content": message.content})
    return message


@wrong(StreamWithRequestId, "mutated_messages", scenario=_SHORT)
def adds_a_system_turn(client, **params):  # type: ignore[no-untyped-def]
    params["messages"].insert(0, {"role": "user", "content": "Be brief."})
    with client.messages.stream(**params) as stream:
        return stream.get_final_message(), stream.request_id


@wrong(AsyncCollectStream, "mutated_messages", scenario=_ANSWER)
async def akeeps_history_in_the_callers_list(client, on_text, **params):  # type: ignore[no-untyped-def]
    async with client.messages.stream(**params) as stream:
        async for text in stream.text_stream:
            on_text(text)
        message = await stream.get_final_message()
    params["messages"].append({"role": "assistant", "content": "(answered)"})
    return message
