"""Fault plans: scripted failures for the next matching request(s).

Minimal core: ``fail_next`` for HTTP errors and the two stream faults. The
faults/retries work (issue 4) extends this module.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import ApiError
from .http import ApiRequest


@dataclass
class HttpFault:
    status: int
    times: int
    error_type: str | None = None
    message: str | None = None
    headers: dict[str, str] | None = None
    path: str | None = None

    def matches(self, request: ApiRequest) -> bool:
        return self.path is None or request.path == self.path


@dataclass(frozen=True)
class StreamFault:
    """Break a stream after ``after_events`` events: an ``error`` event, or a dropped connection."""

    after_events: int
    error_type: str | None  #: None = the connection drops with no error event
    message: str | None = None


class FaultPlan:
    """Queued faults, consumed in order by matching requests."""

    def __init__(self) -> None:
        self._http: list[HttpFault] = []
        self._stream: list[StreamFault] = []
        self._lock = threading.Lock()

    def add_http(self, fault: HttpFault) -> None:
        with self._lock:
            self._http.append(fault)

    def add_stream(self, fault: StreamFault) -> None:
        with self._lock:
            self._stream.append(fault)

    def take_http(self, request: ApiRequest) -> ApiError | None:
        """The error the next matching request must get, if one is planned."""
        with self._lock:
            for fault in self._http:
                if fault.matches(request):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._http.remove(fault)
                    return ApiError(fault.status, fault.message, error_type=fault.error_type, headers=fault.headers)
        return None

    def take_stream(self) -> StreamFault | None:
        """The fault the next streamed response must suffer, if one is planned."""
        with self._lock:
            return self._stream.pop(0) if self._stream else None

    def clear(self) -> None:
        with self._lock:
            self._http.clear()
            self._stream.clear()

    @property
    def pending(self) -> int:
        return sum(f.times for f in self._http) + len(self._stream)
