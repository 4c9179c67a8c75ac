"""The floor most benchmarks compare with: the same SDK, a bare respx route, a fixed answer.

lessonkit's ``register_mocker()`` registers respx's ``"httpcore2"`` mocker, so
``respx.mock(using="httpcore2")`` intercepts the real SDK with no lessonkit in
the path. The route replays bytes and headers lessonkit produced earlier, so
both sides hand the SDK identical responses and only the cost of producing
them differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import anthropic
import httpx
import respx

from lessonkit import models
from lessonkit._transport import register_mocker

__all__ = ["BASE_URL", "KEY", "ask", "bare_route", "message_bytes"]

BASE_URL = "https://api.anthropic.com"
KEY = "bench-placeholder-not-a-key"

register_mocker()


def ask(prompt: str = "Tell me about retries", max_tokens: int = 200) -> dict[str, Any]:
    """Keyword arguments for ``messages.create`` with one user turn."""
    return {
        "model": models.DEFAULT,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": prompt}],
    }


def message_bytes(message: Any) -> bytes:
    """A Message dict encoded exactly as the fake API sends it."""
    return json.dumps(message, separators=(",", ":")).encode()


@contextmanager
def bare_route(body: bytes, headers: Mapping[str, str]) -> Iterator[anthropic.Anthropic]:
    """A client whose ``POST /v1/messages`` always gets ``body`` back; nothing else in the path."""
    with respx.mock(using="httpcore2", base_url=BASE_URL) as router:
        router.post("/v1/messages").mock(
            return_value=httpx.Response(200, headers=dict(headers), content=body)
        )
        yield anthropic.Anthropic(api_key=KEY, max_retries=0)
