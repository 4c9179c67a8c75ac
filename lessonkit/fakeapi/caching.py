"""Prompt caching: ``cache_control`` validation and the cache counters in ``usage``.

The real API caches the prompt prefix up to each ``cache_control`` breakpoint
(tools, then system, then messages). A later request whose prefix matches a
live entry reads it (``cache_read_input_tokens``); the prefix up to the last
breakpoint that is not yet cached is written (``cache_creation_input_tokens``).
Prefixes shorter than the model's minimum (its row's ``cache_min_tokens``) are
neither written nor read, and raise no error (build-with-claude/prompt-caching).
Entries live 5 minutes or 1 hour on the fake's virtual clock, refreshed on a hit.
"""

from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from anthropic.types import CacheControlEphemeralParam

from . import tokens
from .errors import invalid
from .facts import ModelFacts

__all__ = ["MAX_BREAKPOINTS", "NO_CACHE", "CacheUsage", "PromptCache", "check_cache_control"]

#: "A maximum of 4 blocks with cache_control may be provided. Found 5." (API-FACTS §10, [cap])
MAX_BREAKPOINTS = 4
_TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
#: A live 400 (2026-04-19): a longer-lived breakpoint may not follow a shorter-lived one.
TTL_ORDER = (
    "{where}.cache_control.ttl: a ttl='1h' cache_control block must not come after a "
    "ttl='5m' cache_control block. Note that blocks are processed in the following order: "
    "`tools`, `system`, `messages`."
)
_HINTS = typing.get_type_hints(CacheControlEphemeralParam)


def _literals(annotation: Any) -> tuple[str, ...]:
    while typing.get_origin(annotation) is not typing.Literal and typing.get_args(annotation):
        annotation = typing.get_args(annotation)[0]
    return tuple(typing.get_args(annotation))


#: The cache ``type`` and ``ttl`` values the SDK's ``CacheControlEphemeralParam`` allows.
CACHE_TYPES = _literals(_HINTS["type"])
TTLS = _literals(_HINTS["ttl"])


def _words(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _breakpoints(body: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """``(location, cache_control, prefix body)`` per breakpoint, in the API's prefix order."""
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if isinstance(tool, dict) and "cache_control" in tool:
            yield f"tools.{i}", tool["cache_control"], {"tools": tools[: i + 1]}
    system = body.get("system")
    if isinstance(system, list):
        for j, block in enumerate(system):
            if isinstance(block, dict) and "cache_control" in block:
                yield (
                    f"system.{j}",
                    block["cache_control"],
                    {
                        "tools": tools,
                        "system": system[: j + 1],
                    },
                )
    messages = body.get("messages") or []
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            if isinstance(block, dict) and "cache_control" in block:
                cut = {**message, "content": content[: j + 1]}
                yield (
                    f"messages.{i}.content.{j}",
                    block["cache_control"],
                    {
                        "tools": tools,
                        "system": system,
                        "messages": [*messages[:i], cut],
                    },
                )


def check_cache_control(body: dict[str, Any]) -> None:
    """Every ``cache_control`` is a known type and ttl, at most four, no 1h after a 5m."""
    found = 0
    short_seen = False
    for where, control, _ in _breakpoints(body):
        if control is None:
            continue
        found += 1
        # no source for these two messages (none found by 2026-12-02): the API's pydantic
        # wording for a bad literal, the stricter reading (refuse what the SDK does not type)
        if not isinstance(control, dict) or control.get("type") not in CACHE_TYPES:
            raise invalid(f"{where}.cache_control.type: Input should be {_words(CACHE_TYPES)}")
        if "ttl" in control and control["ttl"] not in TTLS:
            raise invalid(f"{where}.cache_control.ttl: Input should be {_words(TTLS)}")
        long_ttl = control.get("ttl") == "1h"
        if long_ttl and short_seen:  # github.com/cnighswonger/claude-code-cache-fix/issues/44
            raise invalid(TTL_ORDER.format(where=where))
        short_seen = short_seen or not long_ttl  # a breakpoint without ttl lives 5 minutes
    if found > MAX_BREAKPOINTS:
        raise invalid(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {found}."
        )


@dataclass(frozen=True)
class CacheUsage:
    """The cache part of one request's ``usage``."""

    read: int = 0
    created: int = 0
    created_1h: int = 0  #: the part of ``created`` written with a 1-hour ttl


#: A request with no cached prefix.
NO_CACHE = CacheUsage()


@dataclass
class _Prefix:
    key: str
    tokens: int
    ttl: float


class PromptCache:
    """Cached prompt prefixes, per model, expiring on the virtual clock."""

    def __init__(self) -> None:
        self._entries: dict[str, float] = {}  #: prefix key -> expiry (clock seconds)

    def clear(self) -> None:
        self._entries.clear()

    def use(self, body: dict[str, Any], model: ModelFacts, now: float) -> CacheUsage:
        """Read the longest live cached prefix, write the rest up to the last breakpoint."""
        prefixes = [
            _Prefix(_key(model.model, prefix), tokens.count_input(prefix), _ttl(control))
            for _, control, prefix in _breakpoints(body)
            if isinstance(control, dict)
        ]
        eligible = [p for p in prefixes if p.tokens >= model.cache_min_tokens]
        if not eligible:
            return CacheUsage()
        hits = [p for p in eligible if self._entries.get(p.key, -1.0) > now]
        read = max((p.tokens for p in hits), default=0)
        last = max(eligible, key=lambda p: p.tokens)
        created = last.tokens - read
        for prefix in eligible:
            self._entries[prefix.key] = max(self._entries.get(prefix.key, 0.0), now + prefix.ttl)
        one_hour = created if last.ttl == _TTL_SECONDS["1h"] else 0
        return CacheUsage(read, created, one_hour)


def _ttl(control: dict[str, Any]) -> float:
    return _TTL_SECONDS[control.get("ttl", "5m")]


def _key(model: str, prefix: dict[str, Any]) -> str:
    text = json.dumps([model, prefix], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
