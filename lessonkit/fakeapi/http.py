"""Plain request and response values: the only currency of the fake API core.

Adapters (respx in :mod:`lessonkit.offline`, starlette in :mod:`lessonkit.server`)
translate to and from these, so the core never imports an HTTP library.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .gcpause import no_cycle_collection
from .jsonbytes import dumps

#: Where the real API lives; offline mode answers for this host and no other.
API_BASE = "https://api.anthropic.com"
API_HOST = API_BASE.removeprefix("https://")


@dataclass(frozen=True)
class ApiRequest:
    """What the SDK sent, reduced to what the API looks at."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)  #: lower-case names
    body: bytes = b""
    query: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON (``None`` for an empty body)."""
        if not self.body:
            return None
        with no_cycle_collection():  # a batch's body is tens of thousands of objects
            return json.loads(self.body)


class StreamDropped(Exception):
    """Raised by a response body iterator to say "the connection broke here"."""


@dataclass
class ApiResponse:
    """Status, headers and a body that is either bytes or an iterator of chunks.

    A streamed body may raise :class:`StreamDropped` part-way; each adapter
    turns that into the transport error its client library would see.
    """

    status: int
    headers: dict[str, str]
    body: bytes | Iterable[bytes]

    @classmethod
    def json(
        cls, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> ApiResponse:
        data = dumps(payload)
        return cls(status, {"content-type": "application/json", **(headers or {})}, data)

    def chunks(self) -> Iterator[bytes]:
        """The body as an iterator of chunks, whatever its form."""
        if isinstance(self.body, bytes):
            yield self.body
        else:
            yield from self.body
