"""The fake Messages API: one object holding state, one ``handle`` function.

``FakeAPI.handle(ApiRequest) -> ApiResponse`` is the whole contract; the respx
adapter (:mod:`lessonkit.offline`) and the HTTP server (:mod:`lessonkit.server`)
only translate to and from it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import models
from . import render, sse, tokens, validate
from .clock import VirtualClock
from .errors import ApiError, error_body
from .faults import FaultPlan, HttpFault, StreamFault
from .http import ApiRequest, ApiResponse, StreamDropped
from .ids import IdSource
from .model import Generation, generate
from .replies import Reply, make_reply

#: An obviously fake organization id, sent the way the API sends its real one.
ORGANIZATION_ID = "00000000-0000-4000-8000-00000000c0de"
_SECRET_HEADERS = ("authorization", "x-api-key")


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

    @property
    def retry_count(self) -> int:
        """Which attempt this was for the SDK (``x-stainless-retry-count``)."""
        return int(self.headers.get("x-stainless-retry-count", "0") or 0)

    @property
    def model(self) -> str | None:
        return self.json.get("model") if isinstance(self.json, dict) else None

    @property
    def stop_reason(self) -> str | None:
        return self.response.get("stop_reason") if isinstance(self.response, dict) else None

    @property
    def usage(self) -> dict[str, Any]:
        found = self.response.get("usage") if isinstance(self.response, dict) else None
        return found or {}


@dataclass
class _State:
    replies: deque[Reply] = field(default_factory=deque)
    retired: set[str] = field(default_factory=set)


class FakeAPI:
    """State and routing of the fake API. Lessons reach it as ``api``."""

    def __init__(self, *, seed: str = "") -> None:
        self.clock = VirtualClock()
        self.ids = IdSource(seed)
        self.faults = FaultPlan()
        self.requests: list[RecordedRequest] = []
        self._state = _State()
        self._lock = threading.RLock()

    # --- scripting ---------------------------------------------------------------
    def reply(
        self,
        text: str | None = None,
        *,
        stop_reason: str | None = None,
        tool_use: Any = None,
        category: str | None = None,
        explanation: str | None = None,
        times: int = 1,
    ) -> FakeAPI:
        """Queue what the model says next, e.g. ``api.reply("Hi!", stop_reason="max_tokens")``.

        Replies are used in order, one per ``/v1/messages`` request; with none
        queued the model answers deterministically from the prompt.
        """
        made = make_reply(text, stop_reason=stop_reason, tool_use=tool_use, category=category, explanation=explanation)
        if not isinstance(times, int) or times < 1:
            raise ValueError("times= must be a positive whole number")
        with self._lock:
            self._state.replies.extend([made] * times)
        return self

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        error_type: str | None = None,
        message: str | None = None,
        path: str | None = None,
    ) -> FakeAPI:
        """Answer the next ``times`` requests with HTTP ``status`` and the API's error body."""
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error code (400-599), got {status!r}")
        self.faults.add_http(HttpFault(status, times, error_type, message, None, path))
        return self

    def fail_stream(self, after_events: int = 3, error_type: str = "overloaded_error", message: str | None = None) -> FakeAPI:
        """Send ``after_events`` events of the next stream, then an SSE ``error`` event."""
        self.faults.add_stream(StreamFault(after_events, error_type, message))
        return self

    def drop_stream(self, after_events: int = 3) -> FakeAPI:
        """Cut the connection of the next stream after ``after_events`` events."""
        self.faults.add_stream(StreamFault(after_events, None))
        return self

    def retire_model(self, model: str) -> FakeAPI:
        """Make ``model`` answer ``404 not_found_error`` as a retired model does."""
        with self._lock:
            self._state.retired.add(model)
        return self

    @property
    def models(self) -> frozenset[str]:
        """Model ids this API serves: the SDK's known ids minus retired ones."""
        return frozenset(models.KNOWN) - self._state.retired

    @property
    def last(self) -> RecordedRequest:
        """The most recent request (``IndexError`` if there was none)."""
        return self.requests[-1]

    def reset(self) -> None:
        """Forget requests, replies, faults and time; keep retired models."""
        with self._lock:
            self.requests.clear()
            self._state.replies.clear()
            self.faults.clear()
            self.clock.reset()
            self.ids.reset()

    # --- serving -----------------------------------------------------------------
    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one HTTP request the way the real API would."""
        with self._lock:
            request_id = self.ids.next("request")
            try:
                body = request.json()
            except ValueError:
                body = None
            record = RecordedRequest(
                request.method,
                request.path,
                {k: ("[redacted]" if k in _SECRET_HEADERS else v) for k, v in request.headers.items()},
                body,
                self.clock.seconds,
                request_id=request_id,
            )
            self.requests.append(record)
            try:
                response = self._route(request, body, record)
            except ApiError as err:
                record.error_type = err.error_type
                response = ApiResponse.json(err.status, error_body(err.error_type, err.message, request_id), err.headers)
            record.status = response.status
            response.headers.setdefault("request-id", request_id)
            response.headers.setdefault("anthropic-organization-id", ORGANIZATION_ID)
            return response

    def _route(self, request: ApiRequest, body: Any, record: RecordedRequest) -> ApiResponse:
        self._check_headers(request)
        planned = self.faults.take_http(request)
        if planned is not None:
            raise planned
        validate.check_size(request.body)
        route = (request.method, request.path)
        if route == ("POST", "/v1/messages"):
            return self._create(validate.check_create(body, self.models), record)
        if route == ("POST", "/v1/messages/count_tokens"):
            checked = validate.check_count_tokens(body, self.models)
            return ApiResponse.json(200, {"input_tokens": tokens.count_input(checked)})
        raise ApiError(404, "Not found")

    @staticmethod
    def _check_headers(request: ApiRequest) -> None:
        if not (request.headers.get("x-api-key") or request.headers.get("authorization")):
            raise ApiError(401, "x-api-key header is required")
        if not request.headers.get("anthropic-version"):
            raise ApiError(400, "anthropic-version: header is required")

    def _create(self, body: dict[str, Any], record: RecordedRequest) -> ApiResponse:
        reply = self._state.replies.popleft() if self._state.replies else None
        gen = generate(body, reply, self.ids.next)
        message = render.message(
            gen, message_id=self.ids.next("message"), model=body["model"], input_tokens=tokens.count_input(body)
        )
        record.response = message
        if not body.get("stream"):
            return ApiResponse.json(200, message)
        fault = self.faults.take_stream()
        if fault is not None:
            record.stream_fault = f"error:{fault.error_type}" if fault.error_type else "dropped"
        frames = self._stream_frames(gen, message, record.request_id, fault)
        return ApiResponse(200, {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}, frames)

    @staticmethod
    def _stream_frames(gen: Generation, message: dict[str, Any], request_id: str, fault: StreamFault | None) -> Iterator[bytes]:
        events = sse.events(gen, message_id=message["id"], model=message["model"], input_tokens=message["usage"]["input_tokens"])
        for sent, event in enumerate(events):
            if fault is not None and sent == fault.after_events:
                if fault.error_type is None:
                    raise StreamDropped(f"connection dropped after {sent} events")
                text = fault.message or "Overloaded"
                yield sse.frame(sse.error_event(fault.error_type, text, request_id))
                return
            yield sse.frame(event)
