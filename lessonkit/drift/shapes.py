"""What a response looks like, with everything that changes on every call left out.

A shape is a map from JSON path to JSON type (``usage.input_tokens: integer``),
plus the few values that lessons branch on (``stop_reason``, ``error.type``)
and the names of the headers they read. Text, ids and token counts differ on
every call, so they are never part of a shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Observation",
    "counts",
    "from_json",
    "header_names",
    "media_type",
    "merge",
    "shape",
    "sse_events",
]

_HEADERS = ("request-id", "anthropic-organization-id", "content-type")
_HEADER_PREFIXES = ("anthropic-ratelimit-",)
_VALUES = ("type", "stop_reason", "error.type", "processing_status")


@dataclass(frozen=True)
class Observation:
    """The shape of one probe's response."""

    probe: str
    status: int
    headers: frozenset[str]  #: watched header names present
    media_type: str
    fields: Mapping[str, str]  #: JSON path -> JSON type, e.g. ``usage.input_tokens: integer``
    events: tuple[str, ...] = ()  #: SSE event types in order, pings dropped, repeats collapsed
    values: Mapping[str, str] = field(default_factory=dict)  #: stop_reason, error.type, ...
    usage: Mapping[str, int] = field(default_factory=dict)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def merge(found: dict[str, str], path: str, kind: str) -> None:
    """Record ``kind`` at ``path``; a path seen with two types keeps both (``"null|string"``)."""
    previous = found.get(path)
    found[path] = (
        kind if previous in (None, kind) else "|".join(sorted({*previous.split("|"), kind}))
    )


def shape(value: Any, prefix: str = "") -> dict[str, str]:
    """Every JSON path in ``value`` with its type; list items share the path ``name[]``."""
    found: dict[str, str] = {}

    def walk(item: Any, path: str) -> None:
        if path:
            merge(found, path, _json_type(item))
        if isinstance(item, dict):
            for key, child in item.items():
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(item, list):
            for child in item:
                walk(child, f"{path}[]")

    walk(value, prefix)
    return found


def _values(body: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in _VALUES:
        node = body
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            found[path] = node
    return found


def counts(usage: Any) -> dict[str, int]:
    """The integer entries of a ``usage`` object (``None`` counts as empty)."""
    return {k: v for k, v in (usage or {}).items() if isinstance(v, int)}


def header_names(headers: Mapping[str, str]) -> frozenset[str]:
    """The watched headers present: the ones lessons read, in lower case."""
    names = {k.lower() for k in headers}
    return frozenset(n for n in names if n in _HEADERS or n.startswith(_HEADER_PREFIXES))


def media_type(headers: Mapping[str, str]) -> str:
    """``content-type`` without its parameters (``text/event-stream``)."""
    return headers.get("content-type", "").split(";")[0].strip()


def sse_events(lines: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """``(event name, parsed data)`` for each event in the lines of an SSE body."""
    event = ""
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data = json.loads(line[5:])
            yield event or str(data.get("type")), data


def from_json(probe: str, status: int, headers: Mapping[str, str], body: Any) -> Observation:
    """The observation of a response with a JSON body."""
    usage = body.get("usage") if isinstance(body, dict) else None
    return Observation(
        probe,
        status,
        header_names(headers),
        media_type(headers),
        shape(body),
        values=_values(body),
        usage=counts(usage),
    )
