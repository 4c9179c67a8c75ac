"""Server tools (web search, code execution): tools the API runs itself, not the caller.

Which ``tools[].type`` values are server tools is read from the SDK: the
members of ``ToolUnionParam`` whose ``name`` is one ``ServerToolUseBlock`` may
carry. The fake answers such a turn the way the API does: a ``server_tool_use``
block, then its result block (whole, no deltas when streamed), then text; a
``pause_turn`` stops after the ``server_tool_use`` (agents-and-tools/tool-use/
web-search-tool). The client never sees a ``tool_use`` for a server tool.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from anthropic.types import ServerToolUseBlock, ToolUnionParam

__all__ = ["SCRIPTABLE", "offered", "result_block", "server_tool_types"]


@cache
def server_tool_types() -> dict[str, str]:
    """``tools[].type`` → the server tool's ``name``, for every server tool the SDK types."""
    names = set(typing.get_args(ServerToolUseBlock.model_fields["name"].annotation))
    found: dict[str, str] = {}
    for param in typing.get_args(ToolUnionParam):
        hints = typing.get_type_hints(param)
        name = typing.get_args(hints.get("name"))
        if name and name[0] in names:
            found.update(dict.fromkeys(typing.get_args(hints["type"]), name[0]))
    return found


def _web_search(tool_use_id: str, query: dict[str, Any]) -> dict[str, Any]:
    topic = str(query.get("query", "")).strip() or "search"
    slug = "-".join(topic.lower().split()[:6])
    return {
        "type": "web_search_tool_result",
        "tool_use_id": tool_use_id,
        "content": [
            {
                "type": "web_search_result",
                "url": f"https://example.com/{slug}",
                "title": f"{topic[:60]} - Example",
                "encrypted_content": "RXhhbXBsZSByZXN1bHQ=",
                "page_age": None,
            }
        ],
    }


def _code_execution(tool_use_id: str, code: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "code_execution_tool_result",
        "tool_use_id": tool_use_id,
        "content": {
            "type": "code_execution_result",
            "stdout": "",
            "stderr": "",
            "return_code": 0,
            "content": [],
        },
    }


#: Server tools the fake can run, by name, each making its result block.
_RESULTS: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "web_search": _web_search,
    "code_execution": _code_execution,
}
#: Server tool names ``api.reply(server_tool=...)`` can script.
SCRIPTABLE = tuple(_RESULTS)


def offered(body: dict[str, Any]) -> dict[str, str]:
    """Server tools this request offers that the fake can run: name → its ``tools[].type``."""
    kinds = server_tool_types()
    return {
        kinds[t["type"]]: t["type"]
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") in kinds and kinds[t["type"]] in _RESULTS
    }


def result_block(name: str, tool_use_id: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    """The result block the API adds after running server tool ``name``."""
    return _RESULTS[name](tool_use_id, tool_input)
