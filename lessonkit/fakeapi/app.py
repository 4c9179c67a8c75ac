"""The fake Messages API: one object holding state, one ``handle`` function.

``FakeAPI.handle(ApiRequest) -> ApiResponse`` is the whole contract; the respx
adapter (:mod:`lessonkit.offline`) and the HTTP server (:mod:`lessonkit.server`)
only translate to and from it.

Scripting methods (``reply``, ``fail_next``, ``scenario``…) called from a
notebook cell tag what they queue with that cell's run; running the cell again
first drops what its earlier run queued and nothing used yet, so a re-run cell
replaces its script instead of adding to it (:mod:`lessonkit.cells`).
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, Unpack

from .. import cells, models
from . import calls, errors, messages, models_api, retries, scenarios, validate, versions
from .batches import PATH as BATCHES_PATH
from .batches import BatchStore
from .caching import PromptCache
from .clock import VirtualClock
from .errors import ORGANIZATION_ID, ApiError, error_body
from .facts import facts
from .faults import (
    FaultPlan,
    HttpFaultOptions,
    Origin,
    RequestTimedOut,
    http_fault,
    stream_fault,
    timeout_fault,
)
from .http import API_BASE, ApiRequest, ApiResponse
from .ids import IdSource
from .ratelimit import RateLimiter
from .records import RecordedRequest, redacted
from .replies import Reply, make_reply
from .routes import Exchange, Route, find
from .waits import Wait, WaitLog

__all__ = ["FakeAPI", "RecordedRequest"]

P = ParamSpec("P")


@dataclass
class _State:
    replies: deque[tuple[Reply, Origin | None]] = field(default_factory=deque)
    retired: set[str] = field(default_factory=set)


def _scripting(
    method: Callable[Concatenate[FakeAPI, P], FakeAPI],
) -> Callable[Concatenate[FakeAPI, P], FakeAPI]:
    """Run a scripting method as the cell run that called it, replacing that cell's earlier script.

    Outside a notebook cell the origin is ``None`` and nothing is dropped.
    """

    @functools.wraps(method)
    def scripted(api: FakeAPI, /, *args: P.args, **kwargs: P.kwargs) -> FakeAPI:
        origin = cells.origin()
        with api._lock:
            if origin is not None:
                api.faults.forget(origin)
                api.batches.forget(origin)
                replies = api._state.replies
                kept = [queued for queued in replies if not origin.replaces(queued[1])]
                replies.clear()
                replies.extend(kept)
            outer, api._origin = api._origin, origin  # scenario() calls fail_stream() etc.
            try:
                return method(api, *args, **kwargs)
            finally:
                api._origin = outer

    return scripted


class FakeAPI:
    """State and routing of the fake API. Lessons reach it as ``api``."""

    def __init__(self, *, seed: str = "") -> None:
        self._waits = WaitLog()
        self.clock = VirtualClock(on_move=self._waits.slept)
        self.ids = IdSource(seed)
        #: Where clients reach this API: the real host offline, a localhost URL while
        #: :mod:`lessonkit.server` serves it. Batch ``results_url`` values point here.
        self.base_url: str = API_BASE
        #: Message Batches state.
        self.batches = BatchStore(self.clock, self.ids, lambda: self.models, lambda: self.base_url)
        self.faults = FaultPlan()
        self.prompt_cache = PromptCache()  #: prompt prefixes cached by ``cache_control``
        self.ratelimits = RateLimiter(self.clock)  #: ``anthropic-ratelimit-*`` headers
        self.requests: list[RecordedRequest] = []
        self._state = _State()
        self._lock = threading.RLock()
        self._origin: Origin | None = None  # the cell run of the scripting call in progress
        self._calls = 0  # logical calls so far (a call = an attempt and its retries)
        # (models.KNOWN, clock, its seconds, retired by hand, served ids): `models` without
        # formatting the time and a set difference per request while the clock stands still
        self._served: (
            tuple[tuple[str, ...], VirtualClock, float, frozenset[str], frozenset[str]] | None
        ) = None
        self._routes = (  # first match wins
            Route(None, BATCHES_PATH, self._batches, subtree=True, size_limited=False),
            Route(None, models_api.PATH, self._models_api, subtree=True, size_limited=False),
            Route("POST", messages.PATH, self._create),
            Route("POST", messages.COUNT_TOKENS_PATH, self._count_tokens),
        )

    # --- scripting: a cell run again replaces what it scripted (see the module doc) ---
    @_scripting
    def reply(
        self,
        text: str | None = None,
        *,
        stop_reason: str | None = None,
        tool_use: Any = None,
        category: str | None = None,
        explanation: str | None = None,
        thinking: str | None = None,
        server_tool: Any = None,
        times: int = 1,
    ) -> FakeAPI:
        """Queue what the model says next, e.g. ``api.reply("Hi!", stop_reason="max_tokens")``.

        Replies are used in order, one per ``/v1/messages`` request; with none
        queued the model answers deterministically from the prompt.
        ``thinking=`` is the text of the thinking block, on requests that think
        (shown only with ``display: "summarized"``; its tokens count either way).
        ``server_tool={"name": "web_search", "input": {"query": ...}}`` runs a server tool
        first (with ``stop_reason="pause_turn"`` the turn pauses before it ran).
        """
        made = make_reply(
            text,
            stop_reason=stop_reason,
            tool_use=tool_use,
            category=category,
            explanation=explanation,
            thinking=thinking,
            server_tool=server_tool,
        )
        if not isinstance(times, int) or times < 1:
            raise ValueError("times= must be a positive whole number")
        with self._lock:
            self._state.replies.extend([(made, self._origin)] * times)
        return self

    @_scripting
    def fail_next(
        self, status: int, times: int = 1, **options: Unpack[HttpFaultOptions]
    ) -> FakeAPI:
        """Answer the next ``times`` requests (on ``path``, if given) with HTTP ``status``.

        The body is the API's ``{"type": "error", ...}`` with the status's real
        ``error.type`` and wording; a 429 carries ``retry-after`` (default 1 s)
        and rate-limit headers. Options (:class:`~.faults.HttpFaultOptions`):
        ``error_type``, ``message``, ``retry_after`` (seconds, an HTTP date
        string or a datetime), ``retry_after_ms``, ``should_retry`` (sets
        ``x-should-retry``) and ``path``. Each attempt of an SDK retry loop is
        one request, e.g. ``api.fail_next(529, times=2)`` makes a default
        client succeed on its third attempt.
        Run again from the same notebook cell, it replaces what that cell queued before.
        """
        self.faults.add_http(http_fault(status, times, **options), self._origin)
        return self

    @_scripting
    def timeout_next(self, times: int = 1, *, path: str | None = None) -> FakeAPI:
        """Let the next ``times`` requests get no answer until the client's timeout.

        The SDK sees a read timeout (``anthropic.APITimeoutError`` once its
        retries are spent); the virtual clock moves by the client's timeout.
        Run again from the same notebook cell, it replaces what that cell queued before.
        """
        self.faults.add_http(timeout_fault(times, path=path), self._origin)
        return self

    @_scripting
    def fail_stream(
        self,
        after_events: int = 3,
        error_type: str = "overloaded_error",
        message: str | None = None,
    ) -> FakeAPI:
        """Send ``after_events`` events of the next stream (HTTP 200), then an SSE ``error`` event.

        The SDK raises ``APIStatusError`` with ``status_code == 200`` while you
        iterate, and never retries it: what arrived so far is all you get.
        Events count from ``message_start``; on a model that thinks, the thinking
        block comes first (5 events), so 9 lets two text deltas through.
        Run again from the same notebook cell, it replaces what that cell queued before.
        """
        if not isinstance(error_type, str):
            raise ValueError("error_type= names the error event's type; use drop_stream() to cut")
        text = message or errors.default_message(error_type)
        self.faults.add_stream(stream_fault(after_events, error_type, text), self._origin)
        return self

    @_scripting
    def drop_stream(self, after_events: int = 3) -> FakeAPI:
        """Cut the connection of the next stream after ``after_events`` events.

        The SDK does not wrap errors raised mid-iteration: you get
        ``httpx2.RemoteProtocolError`` (an ``httpx2.TransportError``), not an
        ``anthropic`` exception, and no retry.
        Run again from the same notebook cell, it replaces what that cell queued before.
        """
        self.faults.add_stream(stream_fault(after_events, None), self._origin)
        return self

    @_scripting
    def scenario(self, name: str) -> FakeAPI:
        """Plan a named sequence of faults, e.g. ``api.scenario("overloaded_then_ok")``.

        See :data:`lessonkit.fakeapi.scenarios.SCENARIOS` for every name and its sequence.
        Run again from the same notebook cell, it replaces what that cell queued before.
        """
        scenarios.apply(self, name, self._origin)
        return self

    def clear_faults(self) -> FakeAPI:
        """Drop every planned fault (ends an ``"outage"``); keeps requests and time."""
        self.faults.clear()
        return self

    @property
    def sleeps(self) -> list[Wait]:
        """Every virtual wait, stamped as it happened with the attempt it follows and why."""
        return self._waits.entries()

    def retire_model(self, model: str) -> FakeAPI:
        """Make ``model`` answer ``404 not_found_error`` as a retired model does."""
        with self._lock:
            self._state.retired.add(model)
        return self

    @_scripting
    def batch_outcome(self, /, custom_id: str, outcome: str, **details: Any) -> FakeAPI:
        """Fix how ``custom_id`` ends in the next batch containing it.

        ``outcome`` is "succeeded" (optionally with ``text=``, ``stop_reason=``,
        ``tool_use=`` as in :meth:`reply`), "errored" (``error_type=`` defaults to
        "api_error", ``message=``), "canceled" or "expired" (the request never
        finishes, so the batch runs until its 24 h expiry). Batch requests never
        use :meth:`reply`'s queue. Example: ``api.batch_outcome("row-7", "errored")``.
        """
        with self._lock:
            self.batches.script(custom_id, outcome, origin=self._origin, **details)
        return self

    @_scripting
    def batch_delay(
        self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0
    ) -> FakeAPI:
        """Keep the next batch queued this much longer, e.g. ``hours=30`` to see it expire."""
        with self._lock:
            self.batches.delay(seconds + 60 * minutes + 3600 * hours, origin=self._origin)
        return self

    @property
    def models(self) -> frozenset[str]:
        """Model ids this API serves: the SDK's known ids minus retired ones (by hand or date)."""
        served, clock, by_hand = self._served, self.clock, self._state.retired
        if (
            served is None
            or served[:3] != (models.KNOWN, clock, clock.seconds)
            or (served[3] != by_hand)
        ):
            retired = by_hand | models_api.past_retirement(clock.isoformat())
            served = self._served = (
                models.KNOWN,
                clock,
                clock.seconds,
                frozenset(by_hand),
                frozenset(models.KNOWN) - retired,
            )
        return served[4]

    @property
    def last(self) -> RecordedRequest:
        """The most recent request (``IndexError`` if there was none)."""
        return self.requests[-1]

    def __repr__(self) -> str:
        # Deterministic (no memory address): cells that end in api.reply(...) show it.
        return (
            f"<FakeAPI: {len(self.requests)} requests, {len(self._state.replies)} replies queued, "
            f"{self.faults.pending} faults pending, clock {self.clock.isoformat()}>"
        )

    def reset(self) -> None:
        """Forget requests, replies, faults and time; keep retired models and the id sequence.

        Ids keep counting, as the real API's never repeat: a batch or request made
        after a reset never shows an id seen before it. Only a new ``FakeAPI``
        starts again at the first id, which keeps a fresh kernel deterministic.
        """
        with self._lock:
            self.requests.clear()
            self._state.replies.clear()
            self.faults.clear()
            self.ratelimits.reset()
            self.clock.reset()
            self._waits.clear()
            self.batches.reset()
            self.prompt_cache.clear()
            self._calls = 0

    # --- serving -----------------------------------------------------------------
    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one HTTP request the way the real API would."""
        with self._lock:
            request_id = self.ids.next("request")
            try:
                body = request.json()
            except (ValueError, RecursionError):  # deep nesting is malformed too
                body = None
            record = RecordedRequest(
                request.method,
                request.path,
                redacted(request.headers),
                body,
                self.clock.seconds,
                request_id=request_id,
            )
            continued = calls.continued_call(
                self.requests, request.method, request.path, body, record.retry_count
            )
            if continued is None:
                self._calls += 1
            record.call_id = continued or f"call_{self._calls}"
            self.requests.append(record)
            self._waits.arrived(record)
            try:
                response = self._route(Exchange(request, body, record))
            except RequestTimedOut as err:  # the client hears nothing until its timeout
                record.timed_out_after = err.seconds
                record.retry = retries.after_failure(None, {}, record.retry_count)
                self.clock.sleep(err.seconds, "request timeout")
                raise
            except ApiError as err:
                record.error_type = err.error_type
                response = ApiResponse.json(
                    err.status, error_body(err.error_type, err.message, request_id), err.headers
                )
            record.status = response.status
            response.headers.setdefault("request-id", request_id)
            response.headers.setdefault("anthropic-organization-id", ORGANIZATION_ID)
            self.ratelimits.apply(request.path, response.status, record.usage, response.headers)
            record.response_headers = dict(response.headers)
            if response.status >= 400:  # what the SDK will do next, while we know why
                record.retry = retries.after_failure(
                    response.status, record.response_headers, record.retry_count
                )
            return response

    def _route(self, exchange: Exchange) -> ApiResponse:
        request = exchange.request
        self._check_headers(request)
        planned = self.faults.take_http(request)
        if planned is not None:
            raise planned
        route = find(self._routes, request)
        if route is None:
            raise ApiError(404, "Not found")
        if route.size_limited:
            validate.check_size(request.body)
        return route.handler(exchange)

    # --- endpoints: one signature, ``handler(exchange) -> ApiResponse`` ---------
    def _create(self, exchange: Exchange) -> ApiResponse:
        betas = versions.betas(exchange.request.headers)
        checked, input_tokens = validate.check_create(exchange.body, self.models, betas=betas)
        reply = self._state.replies.popleft()[0] if self._state.replies else None
        cache = self.prompt_cache.use(checked, facts(checked["model"]), self.clock.seconds)
        return messages.create(
            checked, input_tokens, reply, self.ids, self.faults, exchange.record, cache
        )

    def _count_tokens(self, exchange: Exchange) -> ApiResponse:
        return messages.count_tokens(validate.check_count_tokens(exchange.body, self.models))

    def _batches(self, exchange: Exchange) -> ApiResponse:
        return self.batches.handle(exchange.request, exchange.body)

    def _models_api(self, exchange: Exchange) -> ApiResponse:
        now = self.clock.isoformat()
        retired = self._state.retired | models_api.past_retirement(now)
        return models_api.handle(exchange.request, retired=retired, now=now)

    @staticmethod
    def _check_headers(request: ApiRequest) -> None:
        if not (request.headers.get("x-api-key") or request.headers.get("authorization")):
            raise ApiError(401, "x-api-key header is required")
        versions.check_version(request.headers)
        versions.betas(request.headers)
