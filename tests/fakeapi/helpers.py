"""Request builders shared by the fake-API fidelity tests."""

from __future__ import annotations

from typing import Any

from lessonkit import FakeAPI, models

WEATHER_TOOL: dict[str, Any] = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
}


def ask(text: str = "Hi", **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``messages.create`` with one user turn."""
    return {
        "model": models.DEFAULT,
        "max_tokens": 200,
        "messages": [{"role": "user", "content": text}],
        **extra,
    }


def batch_request(
    custom_id: str, text: str = "Summarise this ticket", **params: Any
) -> dict[str, Any]:
    """One item of ``batches.create(requests=[...])``: ``ask(text)`` on the fast model."""
    return {"custom_id": custom_id, "params": ask(text, **{"model": models.FAST, **params})}


def batch_requests(n: int) -> list[dict[str, Any]]:
    """``n`` batch items, ``row-0`` … ``row-{n-1}``, each with its own prompt."""
    return [batch_request(f"row-{i}", f"Summarise ticket {i}") for i in range(n)]


def body(**fields: Any) -> dict[str, Any]:
    """A raw ``POST /v1/messages`` JSON body; pass ``field=DROP`` to leave a field out."""
    base: dict[str, Any] = ask()
    base.update(fields)
    return {k: v for k, v in base.items() if v is not DROP}


DROP = object()


def text_of(message: Any) -> str:
    """The text blocks of a message, joined: blocks are selected by type, never by position."""
    return "".join(block.text for block in message.content if block.type == "text")


def blocks_of(message: Any, kind: str) -> list[Any]:
    """The content blocks of ``message`` of one ``type``."""
    return [block for block in message.content if block.type == kind]


#: Every model a fresh fake serves: the SDK's ids minus those already past their retirement
#: date on the fake's clock (they answer 404). The SDK warns on deprecated ones, still served.
SERVED = sorted(FakeAPI().models)
