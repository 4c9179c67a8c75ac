"""``EventSequence``: the server-sent events of one streamed response (stub, being drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..fakeapi.app import FakeAPI

__all__ = ["EventSequence"]


class EventSequence:
    """The SSE events of the latest streamed request: ``EventSequence(api)``."""

    def __init__(self, api: FakeAPI, request: int | None = None) -> None:
        self.api = api
        self.request = request

    def __str__(self) -> str:
        streamed = [r for r in self.api.requests if r.events]
        if not streamed:
            return "SSE events (no streamed request yet)"
        record = streamed[-1] if self.request is None else self.api.requests[self.request]
        return "\n".join(["SSE events", *(e["type"] for e in record.events)])

    __repr__ = __str__
