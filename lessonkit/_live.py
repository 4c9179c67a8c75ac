"""Opt-in live mode: the real API, with a hard budget in dollars and requests.

Two things must both be true before anything is sent: a real key
(``ANTHROPIC_API_KEY``) *and* an explicit opt-in (``LESSONKIT_LIVE=1`` or
``opt_in=True``), so "Run all" on a lesson never spends money by accident.

Metering uses httpx2 event hooks on the client's own ``http_client`` (no SDK
class is patched): the request hook refuses a request whose worst case
(``max_tokens`` of output) would overrun the budget, *before* it is sent; the
response hook taps the body and charges the real ``usage`` the API reports.

>>> with lessonkit.live(budget_usd=0.50) as session:        # doctest: +SKIP
...     client = session.client()
...     client.messages.create(model=..., max_tokens=200, messages=[...])
...     session
<lessonkit.live: 1/20 requests, $0.0021 of $0.50 spent, key set>
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2

from ._cost import cost
from ._offline import PLACEHOLDER_KEY, current

__all__ = [
    "BudgetExceeded",
    "LiveCall",
    "LiveError",
    "LiveSession",
    "LiveStopped",
    "estimate_cost",
    "live",
]

_TRUTHY = {"1", "true", "yes", "on"}


class LiveError(RuntimeError):
    """Live mode was not switched on properly (no key, no opt-in, or offline mode active)."""


class LiveStopped(anthropic.AnthropicError):
    """The session refused to send a request.

    A subclass of ``AnthropicError`` on purpose: the SDK passes those through
    untouched, where any other exception from the transport would be wrapped
    in ``APIConnectionError`` and *retried*.
    """


class BudgetExceeded(LiveStopped):
    """Sending could overrun a dollar or request budget, so nothing was sent.

    The one budget error for everything that spends real money: a live
    session's next request, or the drift canary's probes (:mod:`lessonkit.drift`).
    """


@dataclass(frozen=True)
class LiveCall:
    """One metered request: what it was estimated at, and what it really cost."""

    path: str
    model: str | None
    status: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


def _cost(usage: dict[str, Any], model: str, batch: bool = False) -> float:
    """Dollars, from the same model facts table the lessons use; unpriced models are refused."""
    try:
        return cost(usage, model, batch=batch).total
    except LookupError:
        raise LiveStopped(
            f"live mode has no price for {model!r}, so it cannot keep your budget; "
            "use a model from lessonkit.models"
        ) from None


def estimate_cost(body: dict[str, Any], *, batch: bool = False) -> float:
    """Worst-case USD for one Messages request body: its prompt plus all of ``max_tokens``.

    Prompt tokens are over-estimated as one per three bytes of JSON, so the
    estimate errs towards refusing rather than overspending.
    """
    prompt = {k: body.get(k) for k in ("system", "messages", "tools")}
    usage = {
        "input_tokens": len(json.dumps(prompt)) // 3 + 1,
        "output_tokens": int(body.get("max_tokens") or 0),
    }
    return _cost(usage, str(body.get("model", "")), batch)


def _worst_case(path: str, body: Any) -> float:
    if not isinstance(body, dict):
        return 0.0
    if path.endswith("/v1/messages"):
        return estimate_cost(body)
    if path.endswith("/v1/messages/batches"):
        return sum(estimate_cost(r.get("params", {}), batch=True) for r in body.get("requests", []))
    return 0.0  # count_tokens, reads of batches and models are free


class _UsageTap(httpx2.SyncByteStream):
    """Passes the body through untouched, and reports the usage it saw when closed."""

    def __init__(self, inner: Any, sse: bool, done: Any) -> None:
        self._inner, self._sse, self._done = inner, sse, done
        self._buffer = b""
        self._usage: dict[str, Any] = {}

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._buffer += chunk
            if self._sse:
                *events, self._buffer = self._buffer.replace(b"\r\n", b"\n").split(b"\n\n")
                for event in events:
                    self._see_event(event)
            yield chunk

    def _see_event(self, raw: bytes) -> None:
        data = b"".join(line[5:].strip() for line in raw.split(b"\n") if line.startswith(b"data:"))
        try:
            event = json.loads(data) if data else {}
        except ValueError:
            return
        if event.get("type") == "message_start":
            self._usage.update(event["message"].get("usage") or {})
        elif event.get("type") == "message_delta":  # cumulative totals; nulls mean "unchanged"
            self._usage.update(
                {k: v for k, v in (event.get("usage") or {}).items() if v is not None}
            )

    def close(self) -> None:
        if not self._sse and self._buffer:
            try:
                self._usage = json.loads(self._buffer).get("usage") or {}
            except (ValueError, AttributeError):
                self._usage = {}
        done, self._done = self._done, None
        if done is not None:
            done(self._usage)
        self._inner.close()


class LiveSession:
    """A metered live session; make clients with :meth:`client`. The key is never shown."""

    def __init__(
        self, api_key: str, *, budget_usd: float, max_requests: int, base_url: str | None
    ) -> None:
        self.budget_usd = budget_usd
        self.max_requests = max_requests
        self.calls: list[LiveCall] = []
        self._key = api_key
        self._base_url = base_url
        self._sent = 0
        self._reserved: dict[int, float] = {}
        self._closed = False
        self._lock = threading.Lock()
        self._http_clients: list[httpx2.Client] = []

    @property
    def spent_usd(self) -> float:
        """Dollars charged so far, from the ``usage`` the API reported."""
        return sum(call.cost_usd for call in self.calls)

    @property
    def requests(self) -> int:
        """Requests sent so far (each SDK retry is a request)."""
        return self._sent

    def client(self, **kwargs: Any) -> anthropic.Anthropic:
        """An ``anthropic.Anthropic`` client whose every request is metered by this session."""
        self._gate(None, None)
        http_client = anthropic.DefaultHttpxClient(
            event_hooks={"request": [self._before], "response": [self._after]}
        )
        self._http_clients.append(http_client)
        middleware = [self._gate, *kwargs.pop("middleware", ())]
        return anthropic.Anthropic(
            api_key=self._key,
            base_url=self._base_url,
            http_client=http_client,
            middleware=middleware,
            **kwargs,
        )

    def _gate(self, request: Any, call_next: Any) -> Any:
        """SDK middleware: after :meth:`close` its clients' HTTP connections are gone, so
        say why here, before the SDK would report (and retry) a closed connection."""
        if self._closed:
            raise LiveStopped("this live session has ended; start another with lessonkit.live()")
        return call_next(request) if call_next is not None else None

    def _before(self, request: httpx2.Request) -> None:
        body = json.loads(request.content) if request.content else None
        worst = _worst_case(request.url.path, body)
        with self._lock:
            if self._sent >= self.max_requests:
                raise BudgetExceeded(f"live session stopped: all {self.max_requests} requests used")
            committed = self.spent_usd + sum(self._reserved.values())
            if committed + worst > self.budget_usd:
                max_tokens = body.get("max_tokens") if isinstance(body, dict) else "?"
                raise BudgetExceeded(
                    "live session stopped before sending: this request could cost up to "
                    f"${worst:.4f} (all of max_tokens={max_tokens}), and ${committed:.4f} of the "
                    f"${self.budget_usd:.2f} budget is already used. Lower max_tokens, or start "
                    "a session with a larger budget_usd."
                )
            self._sent += 1
            # Held until the response's usage is known; a request lost to a
            # connection error keeps its reservation (it may have been billed).
            self._reserved[id(request)] = worst
        # Uncompressed bodies, so the usage tap can read them (responses are small).
        request.headers["accept-encoding"] = "identity"

    def _after(self, response: httpx2.Response) -> None:
        request = response.request
        body = json.loads(request.content) if request.content else None
        model = body.get("model") if isinstance(body, dict) else None
        path, status, batch = (
            request.url.path,
            response.status_code,
            request.url.path.endswith("/batches"),
        )

        def charge(usage: dict[str, Any]) -> None:
            with self._lock:
                reserved = self._reserved.pop(id(request), 0.0)
                if batch and status < 300:  # results arrive hours later: charge the worst case now
                    cost = reserved
                else:
                    cost = _cost(usage, model, batch=False) if usage and model else 0.0
                self.calls.append(
                    LiveCall(
                        path,
                        model,
                        status,
                        int(usage.get("input_tokens") or 0),
                        int(usage.get("output_tokens") or 0),
                        cost,
                    )
                )

        sse = "text/event-stream" in response.headers.get("content-type", "")
        json_body = "json" in response.headers.get("content-type", "")
        response.stream = (
            _UsageTap(response.stream, sse, charge) if (sse or json_body) else response.stream
        )
        if not (sse or json_body):
            charge({})

    def close(self) -> None:
        """End the session: close its connections; its clients raise :class:`LiveStopped`."""
        self._closed = True
        for http_client in self._http_clients:
            http_client.close()

    def __enter__(self) -> LiveSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "ended" if self._closed else "key set"
        return (
            f"<lessonkit.live: {self._sent}/{self.max_requests} requests, "
            f"${self.spent_usd:.4f} of ${self.budget_usd:.2f} spent, {state}>"
        )

    __str__ = __repr__


def live(
    budget_usd: float = 1.0,
    max_requests: int = 20,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    opt_in: bool | None = None,
) -> LiveSession:
    """Start a metered session against the real API (needs a key *and* an opt-in).

    ``opt_in`` defaults to the ``LESSONKIT_LIVE`` environment variable; the key
    to ``ANTHROPIC_API_KEY``. ``base_url`` is for tests and proxies.
    """
    if opt_in is None:
        opt_in = os.environ.get("LESSONKIT_LIVE", "").strip().lower() in _TRUTHY
    if not opt_in:
        raise LiveError(
            "live mode is off: set LESSONKIT_LIVE=1 (or pass opt_in=True) to send real, "
            "billed requests"
        )
    key = api_key or os.environ.get("ANTHROPIC_API_KEY", "")
    if current() is not None or key == PLACEHOLDER_KEY:
        raise LiveError(
            "lessonkit.offline() is active: stop it (or leave its `with` block) before going live"
        )
    if not key.strip():
        raise LiveError("live mode needs an API key: set ANTHROPIC_API_KEY (it is never printed)")
    if not budget_usd > 0 or max_requests < 1:
        raise LiveError("budget_usd must be above 0 and max_requests at least 1")
    return LiveSession(
        key, budget_usd=float(budget_usd), max_requests=max_requests, base_url=base_url
    )
