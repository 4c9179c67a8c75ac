"""Checkers for exercises/01_streaming.ipynb: text as it arrives, and the final Message."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import anthropic
from anthropic.types import Message

from .._offline import offline
from .harness import (
    MUTATED_MESSAGES,
    BehaviourExercise,
    async_client,
    attempt,
    describe,
    fresh,
    kept,
    messages_sent,
    params,
)

__all__ = [
    "EXERCISES",
    "AsyncCollectStream",
    "CollectStream",
    "StreamWithRequestId",
    "acollect_stream",
    "collect_stream",
    "stream_with_request_id",
]

_TEXT = "Packets leave the port. A pause, then the first word lands. The rest follows fast."
_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def collect_stream(
    client: anthropic.Anthropic, on_text: Callable[[str], object], **params: Any
) -> Message:
    """Stream a reply, calling `on_text(chunk)` for each piece of text as it arrives.

    Returns the complete Message, the same object `messages.create` would return.
    """
    with client.messages.stream(**params) as stream:
        for text in stream.text_stream:
            on_text(text)
        return stream.get_final_message()


def stream_with_request_id(client: anthropic.Anthropic, **params: Any) -> tuple[Message, str]:
    """Stream a reply; return the final Message and the request id of that stream."""
    with client.messages.stream(**params) as stream:
        return stream.get_final_message(), stream.request_id or ""


async def acollect_stream(
    client: anthropic.AsyncAnthropic, on_text: Callable[[str], object], **params: Any
) -> Message:
    """The async twin of `collect_stream`: `async with`, `async for`, `await`."""
    async with client.messages.stream(**params) as stream:
        async for text in stream.text_stream:
            on_text(text)
        return await stream.get_final_message()


_SHARED = {
    "not_a_message": "returned {value}, not the Message: callers need its stop_reason, "
    "usage and content, so return stream.get_final_message().",
    "not_streamed": "did not stream: the request had no stream=true, so nothing arrived "
    "until the whole answer was ready; open it with client.messages.stream(**params).",
    "request_count": "made {got} requests for one answer: open one stream and read it once.",
    "never_called": "never called on_text, so the reader saw nothing while the answer "
    "streamed: call on_text(text) for each piece of stream.text_stream.",
    "one_chunk": "called on_text once with the whole text: call it for every chunk as it "
    "arrives, that is the point of streaming.",
    "mutated_messages": MUTATED_MESSAGES,
    "chunks_differ": "gave on_text the chunks {got}: pass it the text pieces of "
    "stream.text_stream, in order.",
}


def _judge(
    exercise: BehaviourExercise, value: object, chunks: list[object], sent: list[Any]
) -> None:
    """The checks CollectStream and AsyncCollectStream share, for one finished stream."""
    if len(sent) != 1:
        exercise.wrong("request_count", got=len(sent))
    if not (isinstance(sent[0].json, dict) and sent[0].json.get("stream") is True):
        exercise.wrong("not_streamed")
    if not (isinstance(value, Message) and value.id == sent[0].response["id"]):
        exercise.wrong("not_a_message", value=describe(value))
    if not chunks:
        exercise.wrong("never_called")
    if chunks == [_TEXT]:
        exercise.wrong("one_chunk")
    if not all(isinstance(c, str) for c in chunks) or "".join(map(str, chunks)) != _TEXT:
        exercise.wrong("chunks_differ", got=describe(chunks, 120))


class CollectStream(BehaviourExercise):
    """Exercise 1: call a callback per chunk, return the final Message."""

    name = "ex01_collect_stream"
    title = "Stream to a callback, return the Message"
    entry = "collect_stream"
    reference = staticmethod(collect_stream)
    hints = (
        "`with client.messages.stream(**params) as stream:` then "
        "`for text in stream.text_stream:`.",
        "Call `on_text(text)` inside the loop, not after it. When the loop ends, "
        "`stream.get_final_message()` gives you the Message.",
    )
    scenarios = ("a three-sentence answer", "a tool_use answer (no text)", "a stream that breaks")
    misconceptions = {
        **_SHARED,
        "buffered": "buffered the stream before calling on_text, so when it broke halfway the "
        "reader had seen none of the text that did arrive: call on_text inside the loop.",
        "swallowed": "returned {value} after the stream broke, so the caller takes a broken "
        "answer for a finished one: leave the error uncaught (or re-raise it).",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("a three-sentence answer"):
            with fresh() as (api, client):
                api.reply(_TEXT)
                chunks: list[object] = []
                given = params()
                messages = kept(given["messages"])
                value = answer(client, chunks.append, **given)
                _judge(self, value, chunks, messages_sent(api))
                self.unchanged(messages, "mutated_messages")
        with self.scenario("a tool_use answer (no text)"):
            with fresh() as (api, client):
                api.reply(tool_use={"name": "get_weather", "input": {"city": "Lisbon"}})
                value = answer(client, lambda text: None, **params(tools=[_TOOL]))
                if not (isinstance(value, Message) and value.stop_reason == "tool_use"):
                    self.wrong("not_a_message", value=describe(value))
        with self.scenario("a stream that breaks"):
            with fresh() as (api, client):
                api.reply(_TEXT)
                api.fail_stream(after_events=13)  # past the thinking block (5 events)
                chunks = []
                outcome = attempt(answer, client, chunks.append, **params())
            if not outcome.raised:
                self.wrong("swallowed", value=describe(outcome.value))
            if not isinstance(outcome.error, anthropic.APIStatusError):
                outcome.reraise()
            if not chunks:
                self.wrong("buffered")


class StreamWithRequestId(BehaviourExercise):
    """Exercise 2: the request id of a stream comes from the stream, not the message."""

    name = "ex01_stream_with_request_id"
    title = "The request id of a stream"
    entry = "stream_with_request_id"
    reference = staticmethod(stream_with_request_id)
    hints = (
        "The Message from `get_final_message()` is assembled from events and has no "
        "`_request_id`.",
        "The stream object has it: `stream.request_id`, readable while the `with` block is open.",
    )
    scenarios = ("a short answer",)
    misconceptions = {
        "bad_shape": "returned {value}: return a tuple (message, request_id).",
        "not_streamed": _SHARED["not_streamed"],
        "mutated_messages": MUTATED_MESSAGES,
        "no_request_id": "returned request id {got}: get_final_message() has no _request_id; "
        "read stream.request_id while the stream is open.",
        "message_id": "returned the message id {got} (msg_…), not the request id (req_…) "
        "that Support asks for: return stream.request_id.",
        "other_request": "returned {got}, the id of another of your {count} requests, not of "
        "the one that produced the message ({want}): open one stream and return its "
        "stream.request_id.",
        "made_up_id": "returned request id {got}, which none of your {count} request(s) had: "
        "return stream.request_id, read from the stream you opened.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("a short answer"):
            with fresh() as (api, client):
                api.reply(_TEXT)
                given = params()
                messages = kept(given["messages"])
                value = answer(client, **given)
                sent = messages_sent(api)
            if not (isinstance(value, tuple) and len(value) == 2):
                self.wrong("bad_shape", value=describe(value))
            message, request_id = value
            streamed = [r for r in sent if isinstance(r.json, dict) and r.json.get("stream")]
            if not streamed:
                self.wrong("not_streamed")
            if not isinstance(message, Message):
                self.wrong("bad_shape", value=describe(value))
            if not (isinstance(request_id, str) and request_id):
                self.wrong("no_request_id", got=describe(request_id))
            if request_id == message.id:
                self.wrong("message_id", got=request_id)
            owner = next((r for r in sent if (r.response or {}).get("id") == message.id), None)
            if owner is None:
                self.wrong("bad_shape", value=describe(value))
            if request_id not in {r.request_id for r in sent}:
                self.wrong("made_up_id", got=describe(request_id), count=len(sent))
            if request_id != owner.request_id:
                self.wrong("other_request", got=request_id, want=owner.request_id, count=len(sent))
            self.unchanged(messages, "mutated_messages")


class AsyncCollectStream(BehaviourExercise):
    """Exercise 3: the same as exercise 1, with the async client."""

    name = "ex01_acollect_stream"
    title = "Async streaming"
    entry = "acollect_stream"
    reference = staticmethod(acollect_stream)
    hints = (
        "Define it with `async def`; use `async with client.messages.stream(...) as stream:` "
        "and `async for text in stream.text_stream:`.",
        "`get_final_message()` is a coroutine on the async stream: `await` it.",
    )
    scenarios = ("a three-sentence answer", "a stream that breaks")
    misconceptions = {
        **_SHARED,
        "buffered": CollectStream.misconceptions["buffered"],
        "swallowed": CollectStream.misconceptions["swallowed"],
        "not_async": "`acollect_stream` is not an `async def` function, but with an "
        "AsyncAnthropic client everything that talks to the API must be awaited: make it "
        "an `async def`.",
        "not_awaited": "returned {value}, a coroutine that was never awaited: return "
        "`await stream.get_final_message()`.",
    }

    async def check_answer(self, answer: Any) -> None:
        with self.scenario("a three-sentence answer"):
            if not inspect.iscoroutinefunction(answer):
                self.wrong("not_async")
            with offline() as api:
                api.reply(_TEXT)
                chunks: list[object] = []
                client = async_client()
                given = params()
                messages = kept(given["messages"])
                try:
                    value = await answer(client, chunks.append, **given)
                finally:
                    await client.close()
                if inspect.isawaitable(value):
                    if inspect.iscoroutine(value):
                        value.close()  # never awaited: close it to avoid a RuntimeWarning
                    self.wrong("not_awaited", value=describe(value))
                _judge(self, value, chunks, messages_sent(api))
                self.unchanged(messages, "mutated_messages")
        with self.scenario("a stream that breaks"):
            with offline() as api:
                api.reply(_TEXT)
                api.fail_stream(after_events=13)  # past the thinking block (5 events)
                chunks = []
                client = async_client()
                try:
                    value = await answer(client, chunks.append, **params())
                except anthropic.APIStatusError:
                    value = None
                else:
                    self.wrong("swallowed", value=describe(value))
                finally:
                    await client.close()
            if not chunks:
                self.wrong("buffered")


EXERCISES = (CollectStream, StreamWithRequestId, AsyncCollectStream)
