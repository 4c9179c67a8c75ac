"""Many callers at once: 50 threads and 50 asyncio tasks share one offline API.

Each caller sends its own prompt. Every answer must be exactly what that
prompt gets when sent alone (no interleaved or swapped bodies, streams
included), and the request log must hold every call once, with the request id
the caller saw.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anthropic
import pytest

import lessonkit
from lessonkit import models
from lessonkit.exercises import harness

CALLERS = 50
pytestmark = pytest.mark.timeout(120)


def _prompt(i: int) -> str:
    return f"Caller {i} asks about topic number {i * 7919 % 1000}"


def _ask(i: int) -> dict[str, Any]:
    return {
        "model": models.DEFAULT,
        "max_tokens": 120,
        "messages": [{"role": "user", "content": _prompt(i)}],
    }


def _text(message: anthropic.types.Message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


@pytest.fixture(scope="module")
def alone() -> dict[int, str]:
    """What each prompt gets when it is the only call (a fresh API per prompt)."""
    answers = {}
    for i in range(CALLERS):
        with lessonkit.offline():
            answers[i] = _text(harness.client(max_retries=0).messages.create(**_ask(i)))
    assert len(set(answers.values())) > CALLERS // 2, "prompts should give mostly distinct answers"
    return answers


def _check_log(api: lessonkit.FakeAPI, seen: list[tuple[str, str]], calls: int) -> None:
    """``seen``: (request id, text) as each caller got them; the log must agree."""
    assert len(api.requests) == calls
    logged = {r.request_id: r for r in api.requests}
    assert len(logged) == calls, "every request gets its own id"
    for request_id, text in seen:
        assert request_id in logged, f"{request_id!r} is missing from api.requests"
        record = logged[request_id]
        assert record.status == 200
        content = record.response["content"]
        assert "".join(b["text"] for b in content if b["type"] == "text") == text
    prompts = sorted(r.json["messages"][0]["content"] for r in api.requests)
    assert prompts == sorted(_prompt(i % CALLERS) for i in range(calls))


def test_fifty_threads_create_at_once(alone: dict[int, str]) -> None:
    start = threading.Barrier(CALLERS)

    with lessonkit.offline() as api:
        client = anthropic.Anthropic(max_retries=0)

        def call(i: int) -> tuple[int, str, str]:
            start.wait()
            message = client.messages.create(**_ask(i))
            return i, _text(message), message._request_id or ""

        with ThreadPoolExecutor(CALLERS) as pool:
            results = list(pool.map(call, range(CALLERS)))

    for i, text, _ in results:
        assert text == alone[i], f"caller {i} got someone else's answer"
    _check_log(api, [(rid, text) for _, text, rid in results], CALLERS)


def test_fifty_threads_stream_at_once(alone: dict[int, str]) -> None:
    start = threading.Barrier(CALLERS)

    with lessonkit.offline() as api:
        client = anthropic.Anthropic(max_retries=0)

        def call(i: int) -> tuple[int, str, str, str]:
            start.wait()
            with client.messages.stream(**_ask(i)) as stream:
                pieces = "".join(stream.text_stream)
                final = _text(stream.get_final_message())
                return i, pieces, final, stream.request_id or ""

        with ThreadPoolExecutor(CALLERS) as pool:
            results = list(pool.map(call, range(CALLERS)))

    for i, pieces, final, _ in results:
        assert pieces == final == alone[i], f"stream {i} was interleaved with another"
    _check_log(api, [(rid, final) for _, _, final, rid in results], CALLERS)


def test_fifty_asyncio_tasks_at_once(alone: dict[int, str]) -> None:
    async def main() -> list[tuple[int, str, str]]:
        async with anthropic.AsyncAnthropic(max_retries=0) as client:

            async def call(i: int) -> tuple[int, str, str]:
                if i % 2:  # half create, half stream
                    message = await client.messages.create(**_ask(i))
                    return i, _text(message), message._request_id or ""
                async with client.messages.stream(**_ask(i)) as stream:
                    pieces = "".join([piece async for piece in stream.text_stream])
                    assert pieces == _text(await stream.get_final_message())
                    return i, pieces, stream.request_id or ""

            return await asyncio.gather(*(call(i) for i in range(CALLERS)))

    with lessonkit.offline() as api:
        results = asyncio.run(main())

    for i, text, _ in results:
        assert text == alone[i], f"task {i} got someone else's answer"
    _check_log(api, [(rid, text) for _, text, rid in results], CALLERS)


def test_threads_and_scripted_replies_each_reply_used_once() -> None:
    """Scripted replies are a queue: under contention each is handed out exactly once."""
    start = threading.Barrier(CALLERS)
    with lessonkit.offline() as api:
        for i in range(CALLERS):
            api.reply(f"scripted reply {i}")
        client = anthropic.Anthropic(max_retries=0)

        def call(i: int) -> tuple[str, str]:
            start.wait()
            message = client.messages.create(**_ask(i))
            return message._request_id or "", _text(message)

        with ThreadPoolExecutor(CALLERS) as pool:
            seen = list(pool.map(call, range(CALLERS)))

    assert sorted(text for _, text in seen) == sorted(f"scripted reply {i}" for i in range(CALLERS))
    _check_log(api, seen, CALLERS)
