"""Scripted replies: what a lesson tells the fake model to say next.

``api.reply(...)`` validates its arguments here, at the moment a lesson author
makes a mistake, rather than when the SDK later parses a broken response.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from anthropic.types import StopReason

from .server_tools import SCRIPTABLE

#: Every stop reason the installed SDK knows (drift shows up in tests).
STOP_REASONS: tuple[str, ...] = typing.get_args(StopReason)
#: Refusal categories documented for ``stop_details.category`` (None = no named category).
REFUSAL_CATEGORIES = ("cyber", "bio", "frontier_llm", "reasoning_extraction", "general_harms", None)


@dataclass(frozen=True)
class ToolCall:
    """A ``tool_use`` block the fake model will emit."""

    name: str
    input: Mapping[str, Any] = field(default_factory=dict)


class Reply(NamedTuple):
    """One scripted model turn. Build it with :func:`make_reply`.

    A named tuple (immutable, cheap to make): every unscripted turn makes one too.
    """

    text: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    stop_reason: str | None = None  #: None = decided by the output (end_turn, tool_use, ...)
    refusal_category: str | None = None
    explanation: str | None = None
    thinking: str | None = None  #: the thinking text, when the request thinks
    server_tool: ToolCall | None = None  #: a server tool the API runs before answering


def _tool_calls(tool_use: Any) -> tuple[ToolCall, ...]:
    if tool_use is None:
        return ()
    items = [tool_use] if isinstance(tool_use, Mapping | ToolCall) else tool_use
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise TypeError(
            "tool_use= takes a dict like {'name': 'get_weather', 'input': {...}} or a list of them"
        )
    calls = []
    for item in items:
        if isinstance(item, ToolCall):
            calls.append(item)
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise TypeError(
                f"each tool_use needs a 'name' string and an 'input' dict, got {item!r}"
            )
        tool_input = item.get("input", {})
        if not isinstance(tool_input, Mapping):
            raise TypeError(f"tool_use input must be a dict, got {type(tool_input).__name__}")
        calls.append(ToolCall(item["name"], dict(tool_input)))
    return tuple(calls)


def make_reply(
    text: str | None = None,
    *,
    stop_reason: str | None = None,
    tool_use: Any = None,
    category: str | None = None,
    explanation: str | None = None,
    thinking: str | None = None,
    server_tool: Any = None,
) -> Reply:
    """Check a lesson's reply arguments and freeze them into a :class:`Reply`."""
    if text is not None and not isinstance(text, str):
        raise TypeError(f"text= must be a string, got {type(text).__name__}")
    if thinking is not None and not (isinstance(thinking, str) and thinking.strip()):
        raise TypeError("thinking= is the thinking text: a non-empty string")
    if stop_reason is not None and stop_reason not in STOP_REASONS:
        raise ValueError(
            f"stop_reason={stop_reason!r} is not one the SDK knows; use one of {STOP_REASONS}"
        )
    if category not in REFUSAL_CATEGORIES:
        raise ValueError(
            f"category={category!r} is not a refusal category; use one of {REFUSAL_CATEGORIES}"
        )
    if (category or explanation) and stop_reason not in (None, "refusal"):
        raise ValueError(
            "category= and explanation= describe a refusal; pass stop_reason='refusal' or drop them"
        )
    calls = _tool_calls(tool_use)
    if stop_reason == "tool_use" and not calls:
        raise ValueError("stop_reason='tool_use' needs tool_use={'name': ..., 'input': {...}}")
    if calls and stop_reason not in (None, "tool_use"):
        raise ValueError(f"a reply with tool_use= stops with 'tool_use', not {stop_reason!r}")
    if category or explanation:
        stop_reason = "refusal"
    server = _server_call(server_tool)
    return Reply(text, calls, stop_reason, category, explanation, thinking, server)


def _server_call(server_tool: Any) -> ToolCall | None:
    """``server_tool={'name': 'web_search', 'input': {'query': ...}}``: one the fake can run."""
    if server_tool is None:
        return None
    (call,) = _tool_calls(server_tool)
    if call.name not in SCRIPTABLE:
        raise ValueError(f"server_tool name {call.name!r} is not one of {SCRIPTABLE}")
    return call
