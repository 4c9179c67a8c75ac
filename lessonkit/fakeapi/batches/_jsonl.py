"""JSON Lines exactly as the SDK's decoder needs them.

``anthropic._decoders.jsonl`` calls ``json.loads`` on every newline-terminated
line, so a blank line between records raises ``JSONDecodeError`` in the
learner's loop. ``json.dumps`` escapes newlines inside strings, so joining
compact dumps with ``\\n`` gives one record per line and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..jsonbytes import dumps as encode

#: The content type the API documents for batch results.
CONTENT_TYPE = "application/x-jsonl"


def dumps(records: Iterable[tuple[Any, bool]]) -> bytes:
    """One compact JSON object per line, each ending in a single ``\\n``.

    Each record comes with whether it may hold a float (see :func:`..jsonbytes.dumps`).
    """
    lines = [encode(record, floats=floats) for record, floats in records]
    return b"\n".join(lines) + b"\n" if lines else b""


def loads(data: bytes) -> list[Any]:
    """Parse JSON Lines strictly: a blank line is an error, as it is for the SDK."""
    return [json.loads(line) for line in data.decode().splitlines()]
