"""One streamed reply of ~4,000 output tokens: offline vs a bare respx route, same SSE body."""

from __future__ import annotations

import json

import anthropic

import lessonkit
from lessonkit.fakeapi.app import FakeAPI
from lessonkit.fakeapi.http import ApiRequest
from lessonkit.fakeapi.tokens import count_text

from .floor import ask, bare_route
from .timing import Measure, Result, interleave, timed

GOAL = 1.25
TOKENS = 4000
_SENTENCE = (
    "Streaming keeps the connection busy while the model writes, so show tokens as they arrive. "
)


def long_text(tokens: int = TOKENS) -> str:
    """Prose of at least ``tokens`` tokens (lessonkit's tokenizer), whole sentences."""
    repeats = -(-tokens // count_text(_SENTENCE))
    while count_text(_SENTENCE * repeats) < tokens:
        repeats += 1
    return _SENTENCE * repeats


def consume(client: anthropic.Anthropic, kwargs: dict[str, object]) -> int:
    """Stream a reply the way lesson 01 does; returns the output tokens reported."""
    with client.messages.stream(**kwargs) as stream:  # type: ignore[arg-type]
        for _ in stream.text_stream:
            pass
        return stream.get_final_message().usage.output_tokens


def sse_body(text: str, kwargs: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    """The exact SSE bytes and headers the fake API sends for this streamed request."""
    api = FakeAPI()
    api.reply(text)
    request = ApiRequest(
        "POST",
        "/v1/messages",
        {
            "x-api-key": "bench",
            "anthropic-version": "2023-06-01",
            "content-type": "application/json",
        },
        json.dumps({**kwargs, "stream": True}).encode(),
    )
    response = api.handle(request)
    return b"".join(response.chunks()), response.headers


def run(quick: bool = False) -> list[Result]:
    rounds = 3 if quick else 7
    text = long_text()
    kwargs = ask(max_tokens=2 * TOKENS)
    body, headers = sse_body(text, kwargs)
    tokens = 0

    def offline() -> Measure:
        nonlocal tokens
        with lessonkit.offline() as api:
            client = anthropic.Anthropic(max_retries=0)
            api.reply(text)
            result = timed(lambda: consume(client, kwargs))
            tokens = api.last.usage["output_tokens"]
            return result

    def floor() -> Measure:
        with bare_route(body, headers) as client:
            return timed(lambda: consume(client, kwargs))

    mine, base = interleave(offline, floor, rounds)
    return [
        Result(
            name=f"stream {tokens:,} output tokens",
            mine=mine,
            base=base,
            floor="same SDK, bare respx route returning the same SSE body",
            kind="ratio",
            goal=GOAL,
            details={"rounds": rounds, "sse_bytes": len(body), "output_tokens": tokens},
        )
    ]
