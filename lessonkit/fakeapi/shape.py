"""A request's shape: everything the fake model's turn depends on except the prompt.

A batch sends thousands of requests that differ only in their user text (a
lesson's loop, a benchmark's tickets). Which tools are offered, the output
format, how the model thinks, its facts, the stop sequences and which
contracts could apply are the same for all of them, so they are decided once
per shape and each request only does the work its prompt needs. Every
request goes through :func:`shape_of`; a body whose shape cannot be told
from a cheap key (a multi-turn conversation) gets its own, made the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import contracts, thinking
from .facts import ModelFacts, facts

__all__ = ["Shape", "key", "last_tool_results", "output_schema", "shape_of", "shaped"]

#: Shapes remembered; past this many the memory starts again (lessons use a handful).
_MAX_SHAPES = 256
_TURN = {"role", "content"}


@dataclass(frozen=True, eq=False)
class Shape:
    """The prompt-independent decisions for one request shape (compared by identity)."""

    key: str | None  #: what every request of this shape shares; None: this body's own
    facts: ModelFacts
    max_tokens: int
    stops: tuple[str, ...]
    thinking: thinking.Mode | None  #: None: it does not think
    tools: bool  #: offers any tool (client or server)
    tool_results: tuple[str, ...]  #: the texts of the tool results the last turn sends back
    output_schema: dict[str, Any] | None  #: a structured-output request's JSON schema
    contracts: bool  #: a contract may apply (no forced tool call or JSON schema sets one)
    prefill: str | None  #: the final assistant turn's text, on a model that allows prefill


_shapes: dict[str, Shape] = {}


def key(body: Any) -> str | None:
    """What every request of ``body``'s shape shares, or None if that cannot be told cheaply.

    Only a body whose one turn is a user string has a key: any other turn could
    bring tool results or a prefill. The key is the rest of the body as ``repr``,
    which tells ``1`` from ``True`` and keeps order. ``body`` may be unvalidated.
    """
    messages = body.get("messages") if type(body) is dict else None
    if type(messages) is not list or len(messages) != 1:
        return None
    turn = messages[0]
    if type(turn) is not dict or turn.keys() != _TURN or turn["role"] != "user":
        return None
    if type(turn["content"]) is not str:
        return None
    rest = dict(body)
    del rest["messages"]
    return repr(rest)


def shape_of(body: dict[str, Any]) -> Shape:
    """The shape of a validated Messages request, remembered when it has a :func:`key`."""
    return shaped(body, key(body))


def shaped(body: dict[str, Any], shared: str | None) -> Shape:
    """:func:`shape_of` for a caller that has made ``body``'s :func:`key` already."""
    if shared is None:
        return _shape(body, None)
    found = _shapes.get(shared)
    if found is None:
        if len(_shapes) >= _MAX_SHAPES:
            _shapes.clear()
        found = _shapes[shared] = _shape(body, shared)
    return found


def _shape(body: dict[str, Any], key: str | None) -> Shape:
    model = facts(body["model"])
    choice = body.get("tool_choice") or {}
    schema = output_schema(body)
    config = body.get("output_config")
    return Shape(
        key=key,
        facts=model,
        max_tokens=body["max_tokens"] if "max_tokens" in body else 4096,
        stops=tuple(body.get("stop_sequences") or ()),
        thinking=thinking.mode(body, model),
        tools=bool(body.get("tools")),
        tool_results=last_tool_results(body),
        output_schema=schema,
        contracts=choice.get("type") not in ("any", "tool")
        and not (isinstance(config, dict) and config.get("format")),
        prefill=contracts.prefill(body, model),
    )


def last_tool_results(body: dict[str, Any]) -> tuple[str, ...]:
    """The text of each ``tool_result`` in the last turn, if it is a user's list of blocks."""
    content = body["messages"][-1]["content"]
    if body["messages"][-1]["role"] != "user" or isinstance(content, str):
        return ()
    results = []
    for block in content:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            inner = block.get("content", "")
            text = (
                inner
                if isinstance(inner, str)
                else " ".join(b.get("text", "") for b in inner if isinstance(b, dict))
            )
            results.append(text)
    return tuple(results)


def output_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema of a structured-output request (``output_config.format``), if any."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if (
        isinstance(fmt, dict)
        and fmt.get("type") == "json_schema"
        and isinstance(fmt.get("schema"), dict)
    ):
        schema: dict[str, Any] = fmt["schema"]
        return schema
    return None
