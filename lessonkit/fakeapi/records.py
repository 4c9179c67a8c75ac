"""What the fake API remembers of each request: the record lessons and widgets read.

``api.requests`` is a list of these. Credentials are redacted as the request
arrives, so a request log shown in a notebook never leaks a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .retries import RetryPlan
    from .waits import Wait

__all__ = ["RecordedRequest", "redacted"]

_SECRET_HEADERS = ("authorization", "x-api-key")


def redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with the credential headers' values replaced by ``[redacted]``."""
    return {k: ("[redacted]" if k in _SECRET_HEADERS else v) for k, v in headers.items()}


@dataclass
class RecordedRequest:
    """One request the fake API answered, for assertions, widgets and request logs."""

    method: str
    path: str
    headers: dict[str, str]  #: credentials redacted
    json: Any
    at: float  #: virtual clock seconds when it arrived
    status: int = 0
    request_id: str = ""
    response: Any = None  #: the JSON answered (for a stream: the final Message)
    error_type: str | None = None
    stream_fault: str | None = None  #: "error:<type>" or "dropped" if the stream was broken
    response_headers: dict[str, str] = field(default_factory=dict)  #: as sent to the client
    #: The logical call this attempt belongs to (``call_1``…). The SDK sends no
    #: Idempotency-Key, so retries are grouped by body + ``x-stainless-retry-count``.
    call_id: str = ""
    timed_out_after: float | None = None  #: seconds the client waited in vain (``timeout_next``)
    #: What the SDK does next if it has retries left, decided when the answer was
    #: built (None after a success).
    retry: RetryPlan | None = None
    #: The SDK's wait before retrying this attempt, stamped when it slept.
    wait_after: Wait | None = None
    #: The SSE events a stream sent, in order (an ``error`` event included), as the
    #: client read them; empty for a non-streamed answer.
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def retry_count(self) -> int:
        """Which attempt this was for the SDK (``x-stainless-retry-count``)."""
        return int(self.headers.get("x-stainless-retry-count", "0") or 0)

    @property
    def model(self) -> str | None:
        return self.json.get("model") if isinstance(self.json, dict) else None

    @property
    def delivered(self) -> dict[str, Any] | None:
        """The Message the client received in full: None for errors and broken streams."""
        complete = isinstance(self.response, dict) and self.stream_fault is None
        return self.response if complete else None

    @property
    def stop_reason(self) -> str | None:
        """Why the delivered message stopped; None when no message arrived whole."""
        return self.delivered.get("stop_reason") if self.delivered else None

    @property
    def usage(self) -> dict[str, Any]:
        """Usage of the delivered message; for a broken stream only the input is known."""
        if self.delivered:
            return dict(self.delivered.get("usage") or {})
        if self.stream_fault and isinstance(self.response, dict):
            return {"input_tokens": self.response["usage"]["input_tokens"]}
        return {}
