"""Fault plans: scripted failures for the next matching request(s).

Lessons plan faults on ``api`` (``fail_next``, ``timeout_next``,
``fail_stream``, ``drop_stream``); this module validates what they ask for,
so a mistyped plan fails loudly where it was written instead of silently
never firing, and hands each planned fault to the request it belongs to.
Faults fire in the order they were planned.

A plan made by a notebook cell carries its :class:`Origin`; when the same cell
plans again in a later run, :meth:`FaultPlan.forget` drops what its earlier
run planned and no request used, so re-running a cell replaces its plan
instead of adding to it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TypedDict, Unpack

from .errors import KNOWN_ERROR_TYPES, ApiError
from .http import ApiRequest

#: What an SDK client waits by default before giving up (``x-stainless-read-timeout``).
DEFAULT_CLIENT_TIMEOUT = 600.0
#: ``retry-after`` on a planned 429 when the lesson does not choose one: real 429s always carry it.
DEFAULT_429_RETRY_AFTER = 1


@dataclass(frozen=True)
class Origin:
    """Which run of which notebook cell scripted something (see :mod:`lessonkit.cells`)."""

    cell: str  #: the cell's id, or the file name its source compiles to
    run: int  #: the cell's execution count

    def replaces(self, other: Origin | None) -> bool:
        """True if ``other`` was scripted by an earlier run of this same cell."""
        return other is not None and other.cell == self.cell and other.run != self.run


class RequestTimedOut(Exception):
    """The client gave up waiting; adapters turn this into their library's read timeout."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"no response within the client's {seconds:g} s timeout")


@dataclass
class HttpFault:
    """Answer the next ``times`` matching requests with ``status`` (``None``: time out)."""

    status: int | None
    times: int | None  #: None = every matching request until the plan is cleared
    error_type: str | None = None
    message: str | None = None
    headers: dict[str, str] | None = None
    path: str | None = None
    origin: Origin | None = None  #: the cell run that planned it, if a cell did

    def matches(self, request: ApiRequest) -> bool:
        return self.path is None or request.path == self.path


@dataclass(frozen=True)
class StreamFault:
    """Break a stream after ``after_events`` events: an ``error`` event, or a dropped connection."""

    after_events: int
    error_type: str | None  #: None = the connection drops with no error event
    message: str | None = None
    origin: Origin | None = None  #: the cell run that planned it, if a cell did


def _count(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}= must be a whole number >= {minimum}, got {value!r}")
    return value


def _check_path(path: str | None) -> None:
    if path is not None and (not isinstance(path, str) or not path.startswith("/")):
        raise ValueError(f"path= must be an API path such as '/v1/messages', got {path!r}")


def check_error_type(error_type: str | None) -> str | None:
    """``error_type`` unchanged if the API knows it, else a ValueError listing the known ones."""
    if error_type is not None and error_type not in KNOWN_ERROR_TYPES:
        raise ValueError(
            f"error_type={error_type!r} is not an API error type; "
            f"use one of {sorted(KNOWN_ERROR_TYPES)} (or leave it out for the status's usual type)"
        )
    return error_type


def _retry_after(value: float | str | datetime) -> str:
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=UTC)
        return format_datetime(when.astimezone(UTC), usegmt=True)
    if isinstance(value, str):
        return value  # sent verbatim: an HTTP date, or a deliberately odd value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(
            f"retry_after= must be seconds >= 0, an HTTP date or a datetime, got {value!r}"
        )
    return str(value) if isinstance(value, int) else f"{value:g}"


class HttpFaultOptions(TypedDict, total=False):
    """How a planned HTTP error looks: the keyword options of ``api.fail_next``, declared once."""

    error_type: str | None  #: ``error.type``; default: the status's usual one
    message: str | None  #: ``error.message``; default: the API's wording for the status
    retry_after: float | str | datetime | None  #: seconds, an HTTP date or a datetime
    retry_after_ms: float | None  #: milliseconds, the SDK's preferred header
    should_retry: bool | None  #: sets ``x-should-retry``
    path: str | None  #: only requests to this path fail


def _check_options(options: HttpFaultOptions) -> None:
    unknown = sorted(set(options) - HttpFaultOptions.__optional_keys__)
    if unknown:
        known = ", ".join(sorted(HttpFaultOptions.__optional_keys__))
        raise TypeError(
            f"fail_next() got an unexpected keyword argument {unknown[0]!r}; "
            f"it takes status, times and {known}"
        )


def http_fault(
    status: int, times: int | None = 1, **options: Unpack[HttpFaultOptions]
) -> HttpFault:
    """A validated :class:`HttpFault` with the headers the lesson asked for."""
    _check_options(options)
    message, path = options.get("message"), options.get("path")
    retry_after, retry_after_ms = options.get("retry_after"), options.get("retry_after_ms")
    should_retry = options.get("should_retry")
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError(
            "fail_next() makes requests fail, so status must be an HTTP error code from 400 "
            f"to 599 (e.g. 429 or 529), got {status!r}; to script a success use api.reply(...)"
        )
    if times is not None:
        _count("times", times, minimum=1)
    if message is not None and not isinstance(message, str):
        raise TypeError(f"message= must be a string, got {type(message).__name__}")
    _check_path(path)
    headers: dict[str, str] = {}
    if retry_after is None and status == 429:
        retry_after = DEFAULT_429_RETRY_AFTER
    if retry_after is not None:
        headers["retry-after"] = _retry_after(retry_after)
    if retry_after_ms is not None:
        if isinstance(retry_after_ms, bool) or not isinstance(retry_after_ms, int | float):
            raise ValueError(f"retry_after_ms= must be milliseconds, got {retry_after_ms!r}")
        headers["retry-after-ms"] = str(retry_after_ms)
    if should_retry is not None:
        if not isinstance(should_retry, bool):
            raise TypeError(f"should_retry= must be True, False or None, got {should_retry!r}")
        headers["x-should-retry"] = "true" if should_retry else "false"
    error_type = check_error_type(options.get("error_type"))
    return HttpFault(status, times, error_type, message, headers, path)


def timeout_fault(times: int | None = 1, *, path: str | None = None) -> HttpFault:
    """A validated fault that leaves requests unanswered until the client times out."""
    if times is not None:
        _count("times", times, minimum=1)
    _check_path(path)
    return HttpFault(None, times, path=path)


def stream_fault(
    after_events: int, error_type: str | None, message: str | None = None
) -> StreamFault:
    """A validated :class:`StreamFault` (``error_type=None`` drops the connection)."""
    _count("after_events", after_events, minimum=0)
    return StreamFault(after_events, check_error_type(error_type), message)


def _client_timeout(request: ApiRequest) -> float:
    for name in ("x-stainless-read-timeout", "x-stainless-timeout"):
        try:
            return float(request.headers[name])
        except (KeyError, ValueError):
            continue
    return DEFAULT_CLIENT_TIMEOUT


class FaultPlan:
    """Queued faults, consumed in order by matching requests."""

    def __init__(self) -> None:
        self._http: list[HttpFault] = []
        self._stream: list[StreamFault] = []
        self._lock = threading.Lock()

    def add_http(self, fault: HttpFault, origin: Origin | None = None) -> None:
        with self._lock:
            self._http.append(replace(fault, origin=origin))

    def add_stream(self, fault: StreamFault, origin: Origin | None = None) -> None:
        with self._lock:
            self._stream.append(replace(fault, origin=origin))

    def forget(self, origin: Origin) -> None:
        """Drop the unused faults an earlier run of ``origin``'s cell planned."""
        with self._lock:
            self._http = [f for f in self._http if not origin.replaces(f.origin)]
            self._stream = [f for f in self._stream if not origin.replaces(f.origin)]

    def take_http(self, request: ApiRequest) -> ApiError | RequestTimedOut | None:
        """The error the next matching request must get, if one is planned."""
        with self._lock:
            fault = next((f for f in self._http if f.matches(request)), None)
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._http.remove(fault)
        if fault.status is None:
            return RequestTimedOut(_client_timeout(request))
        try:
            body = request.json()
        except ValueError:
            body = None
        model = body.get("model") if isinstance(body, dict) else None
        return ApiError(
            fault.status,
            fault.message,
            error_type=fault.error_type,
            headers=fault.headers,
            model=model if isinstance(model, str) else None,
        )

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
        """Faults still to fire (a fault planned ``forever`` counts once)."""
        return sum(f.times or 1 for f in self._http) + len(self._stream)
