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

#: The content type the API documents for batch results.
CONTENT_TYPE = "application/x-jsonl"


def dumps(lines: Iterable[bytes]) -> bytes:
    """Compact JSON lines (:func:`..jsonbytes.dumps`) joined, each ending in one ``\\n``."""
    joined = b"\n".join(lines)
    return joined + b"\n" if joined else b""


def loads(data: bytes) -> list[Any]:
    """Parse JSON Lines strictly: a blank line is an error, as it is for the SDK."""
    return [json.loads(line) for line in data.decode().splitlines()]
