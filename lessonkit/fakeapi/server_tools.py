"""Server tools (web search and fetch, code execution, tool search): the API runs them.

Which ``tools[].type`` values are server tools is read from the SDK: the
members of ``ToolUnionParam`` whose ``name`` is one ``ServerToolUseBlock`` may
carry. The fake answers such a turn the way the API does: a ``server_tool_use``
block, then its result block (whole, no deltas when streamed), then text; a
``pause_turn`` stops after the ``server_tool_use`` (agents-and-tools/tool-use/
web-search-tool). The client never sees a ``tool_use`` for a server tool.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from anthropic.types import ServerToolUseBlock, ToolUnionParam

__all__ = ["SCRIPTABLE", "default_input", "offered", "result_block", "server_tool_types"]


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


def _web_search(tool_use_id: str, query: dict[str, Any], tools: Sequence[str]) -> dict[str, Any]:
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


def _code_execution(tool_use_id: str, code: dict[str, Any], tools: Sequence[str]) -> dict[str, Any]:
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


def _web_fetch(tool_use_id: str, fetch: dict[str, Any], tools: Sequence[str]) -> dict[str, Any]:
    """A ``web_fetch_result`` holding the page as a plain-text document (SDK ``WebFetchBlock``)."""
    url = str(fetch.get("url", ""))
    return {
        "type": "web_fetch_tool_result",
        "tool_use_id": tool_use_id,
        "content": {
            "type": "web_fetch_result",
            "url": url,
            "retrieved_at": None,
            "content": {
                "type": "document",
                "source": {"type": "text", "media_type": "text/plain", "data": f"Page at {url}"},
                "title": url.rsplit("/", 1)[-1] or url,
                "citations": None,
            },
        },
    }


def _tool_search(tool_use_id: str, search: dict[str, Any], tools: Sequence[str]) -> dict[str, Any]:
    """References to the request's tools whose name shares a word with the query."""
    words = set(re.findall(r"[a-z0-9]+", str(search.get("query", "")).lower()))
    found = [t for t in tools if words & set(re.findall(r"[a-z0-9]+", t.lower()))]
    return {
        "type": "tool_search_tool_result",
        "tool_use_id": tool_use_id,
        "content": {
            "type": "tool_search_tool_search_result",
            "tool_references": [{"type": "tool_reference", "tool_name": t} for t in found],
        },
    }


#: Server tools the fake can run, by name, each making its result block.
_RESULTS: dict[str, Callable[[str, dict[str, Any], Sequence[str]], dict[str, Any]]] = {
    "web_search": _web_search,
    "web_fetch": _web_fetch,
    "code_execution": _code_execution,
    "tool_search_tool_regex": _tool_search,
    "tool_search_tool_bm25": _tool_search,
}
#: Server tool names ``api.reply(server_tool=...)`` can script.
SCRIPTABLE = tuple(_RESULTS)


def offered(body: dict[str, Any]) -> dict[str, str]:
    """Server tools this request offers that the fake can run: name → its ``tools[].type``."""
    tools = body.get("tools")
    if not tools:  # most requests offer none
        return {}
    kinds = server_tool_types()
    return {
        kinds[t["type"]]: t["type"]
        for t in tools
        if isinstance(t, dict) and t.get("type") in kinds and kinds[t["type"]] in _RESULTS
    }


def result_block(
    name: str, tool_use_id: str, tool_input: dict[str, Any], tools: Sequence[str] = ()
) -> dict[str, Any]:
    """The result block the API adds after running server tool ``name``.

    ``tools`` names the request's client tools (what a tool search can find).
    """
    return _RESULTS[name](tool_use_id, tool_input, tools)


_URL = re.compile(r"https?://[^\s<>\"')]+")


def default_input(name: str, prompt: str) -> dict[str, Any]:
    """The input an unscripted turn gives server tool ``name``, taken from the prompt."""
    if name == "code_execution":
        return {"code": prompt[:200]}
    if name == "web_fetch":
        found = _URL.search(prompt)
        return {"url": found[0] if found else "https://example.com/"}
    return {"query": prompt[:200]}
