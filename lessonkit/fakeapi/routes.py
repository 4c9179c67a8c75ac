"""The fake API's endpoint table: which handler answers which method and path.

Every handler has one signature, ``handler(exchange) -> ApiResponse``; the
:class:`Exchange` carries the request, its parsed JSON body and the record
the handler may annotate (the Message it answered, a broken stream).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .http import ApiRequest, ApiResponse
from .records import RecordedRequest

__all__ = ["Exchange", "Handler", "Route", "find"]


class Exchange(NamedTuple):
    """One request on its way through the fake (a tuple: one is made per request)."""

    request: ApiRequest
    body: Any  #: the parsed JSON body (None if empty or malformed)
    record: RecordedRequest


Handler = Callable[[Exchange], ApiResponse]


@dataclass(frozen=True)
class Route:
    """``handler`` answers ``method`` (None: any) on ``path``, and below it if ``subtree``."""

    method: str | None
    path: str
    handler: Handler
    subtree: bool = False
    size_limited: bool = True  #: the 32 MB Messages limit applies (batches allow 256 MB)

    def matches(self, request: ApiRequest) -> bool:
        if self.method is not None and request.method != self.method:
            return False
        path = request.path
        return path == self.path or (self.subtree and path.startswith(self.path + "/"))


def find(routes: Sequence[Route], request: ApiRequest) -> Route | None:
    """The first route that matches ``request``."""
    return next((route for route in routes if route.matches(request)), None)
