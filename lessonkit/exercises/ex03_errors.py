"""Checkers for exercises/03_errors.ipynb: classify an exception, read retry-after.

The errors the learner's function receives are real SDK exceptions, raised by
a real client (``max_retries=0``) against the fake API's planned faults.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import anthropic
import httpx2

from .. import models
from ..fakeapi.app import FakeAPI
from .harness import BehaviourExercise, attempt, describe, fresh, params

__all__ = ["EXERCISES", "Classify", "RetryAfter", "classify", "retry_after"]


def classify(error: Exception) -> dict[str, Any]:
    """Sort an exception from an API call: retryable?, whose problem?, which request?

    Returns {"retryable": bool, "kind": "caller" | "transient", "request_id": str | None}.
    "caller": fix the request, key or account; retrying cannot help.
    "transient": rate limits, overload, server errors, lost connections; retry later.
    """
    if isinstance(error, anthropic.APIStatusError):
        if error.status_code == 200:  # an error event inside a stream, after the 200 OK
            transient = error.type in ("rate_limit_error", "api_error", "overloaded_error")
        else:
            transient = error.status_code in (408, 409, 429) or error.status_code >= 500
    else:  # no HTTP answer at all, or the connection broke mid-stream
        transient = isinstance(error, anthropic.APIConnectionError | httpx2.TransportError)
    return {
        "retryable": transient,
        "kind": "transient" if transient else "caller",
        "request_id": getattr(error, "request_id", None),
    }


_STATUS_WHY = {
    400: "an invalid request never succeeds on retry",
    401: "a wrong API key stays wrong",
    402: "the balance does not top itself up",
    403: "the key will not gain the permission by asking again",
    404: "what is missing stays missing",
    408: "",
    409: "",
    413: "the request is just as large the second time",
    429: "",
    500: "",
    503: "",
    504: "",
    529: "",
}
_MID_STREAM = "an overloaded_error mid-stream (after the 200)"


def _status_case(status: int) -> Callable[[FakeAPI, anthropic.Anthropic], None]:
    def run(api: FakeAPI, client: anthropic.Anthropic) -> None:
        api.fail_next(status)
        client.messages.create(**params())

    return run


def _timeout(api: FakeAPI, client: anthropic.Anthropic) -> None:
    api.timeout_next()
    client.messages.create(**params())


def _broken_stream(kind: str) -> Callable[[FakeAPI, anthropic.Anthropic], None]:
    """A stream that breaks after its 200: an SSE error event of type `kind`, or "drop"."""

    def run(api: FakeAPI, client: anthropic.Anthropic) -> None:
        if kind != "drop":
            api.fail_stream(after_events=10, error_type=kind)  # thinking block, 3 text deltas
        else:
            api.drop_stream(after_events=10)  # thinking block, 3 text deltas
        with client.messages.stream(**params()) as stream:
            for _ in stream.text_stream:
                pass

    return run


def _too_long(api: FakeAPI, client: anthropic.Anthropic) -> None:
    client.messages.create(**params(max_tokens=128_000, model=models.DEFAULT))


# label -> (how to cause it, retryable?, has a request id?)
CASES: dict[str, tuple[Callable[[FakeAPI, anthropic.Anthropic], None], bool, bool]] = {
    **{
        f"HTTP {status}": (_status_case(status), not why, True)
        for status, why in _STATUS_WHY.items()
    },
    "a connection timeout": (_timeout, True, False),
    _MID_STREAM: (_broken_stream("overloaded_error"), True, True),
    "a rate_limit_error mid-stream (after the 200)": (
        _broken_stream("rate_limit_error"), True, True,
    ),
    "an api_error mid-stream (after the 200)": (_broken_stream("api_error"), True, True),
    "an invalid_request_error mid-stream (after the 200)": (
        _broken_stream("invalid_request_error"), False, True,
    ),
    "a dropped connection mid-stream": (_broken_stream("drop"), True, False),
    "the SDK refusing a too-long non-streaming request (ValueError)": (_too_long, False, False),
}


class Classify(BehaviourExercise):
    """Exercise 1: retryable or not, the caller's fault or transient, with the request_id."""

    name = "ex03_classify"
    title = "Classify an API error"
    entry = "classify"
    reference = staticmethod(classify)
    hints = (
        "`anthropic.APIStatusError` has `.status_code`, `.type` and `.request_id`; "
        "`anthropic.APIConnectionError` (and the `httpx2.TransportError` of a dropped "
        "stream) never got an HTTP status at all. Check the class before reading attributes.",
        "408, 409, 429 and every 5xx are transient; other 4xx are the caller's. A stream "
        "that broke after its 200 has `status_code == 200`: look at `error.type` instead.",
        "`getattr(error, 'request_id', None)` works for every kind of exception.",
    )
    scenarios = tuple(CASES)
    misconceptions = {
        "bad_shape": "returned {value}: return a dict with 'retryable' (a bool), 'kind' "
        "('caller' or 'transient') and 'request_id'.",
        "crashed": "crashed on {what} with {error}: not every exception has a status code; "
        "check the exception's class first.",
        "retryable_caller": "marked {what} retryable, but {why}: return retryable=False "
        "(kind 'caller').",
        "fatal_transient": "marked {what} not retryable: it is temporary, so retry it with "
        "backoff.",
        "status_only": "marked {what} not retryable: a stream that broke after its 200 has "
        "status_code 200, so read error.type (rate_limit_error, api_error, overloaded_error "
        "are transient), not the status.",
        "kind_mismatch": "returned kind {got} for {what}: use 'transient' for retryable "
        "errors and 'caller' for the others.",
        "no_request_id": "returned request_id {got} for {what}, but the error carries {want}: "
        "return error.request_id, the handle Support needs to find this exact call.",
    }

    def check_answer(self, answer: Any) -> None:
        for label, (cause, retryable, has_id) in CASES.items():
            with self.scenario(label):
                with fresh() as (api, client):
                    caught = attempt(cause, api, client).error
                if caught is None:
                    raise RuntimeError(f"{label}: the fault did not raise")
                outcome = attempt(answer, caught)
                what = f"{type(caught).__name__} ({label})"
                if outcome.raised:
                    self.wrong(
                        "crashed", what=what, error=describe(outcome.error, 60),
                        cause=outcome.error,
                    )
                self._judge(outcome.value, caught, label, what, retryable, has_id)

    def _judge(
        self, value: object, caught: Exception, label: str, what: str, retryable: bool,
        has_id: bool,
    ) -> None:
        if not (isinstance(value, dict) and {"retryable", "kind", "request_id"} <= set(value)):
            self.wrong("bad_shape", value=describe(value))
        if not isinstance(value["retryable"], bool):
            self.wrong("bad_shape", value=describe(value))
        if value["retryable"] and not retryable:
            status = getattr(caught, "status_code", 0)
            why = _STATUS_WHY.get(status) or "the same request fails the same way again"
            self.wrong("retryable_caller", what=what, why=why)
        if retryable and not value["retryable"]:
            mid_stream = getattr(caught, "status_code", None) == 200
            self.wrong("status_only" if mid_stream else "fatal_transient", what=what)
        want_kind = "transient" if retryable else "caller"
        if value["kind"] != want_kind:
            self.wrong("kind_mismatch", got=describe(value["kind"]), what=what)
        want_id = getattr(caught, "request_id", None) if has_id else None
        if has_id and value["request_id"] != want_id:
            self.wrong("no_request_id", got=describe(value["request_id"]), what=what, want=want_id)


def retry_after(error: Exception) -> float | None:
    """Seconds the server asked us to wait before retrying, or None if it did not say.

    Reads `retry-after-ms` first (milliseconds), then `retry-after` (seconds, or
    an HTTP date). Errors without a response, or with an unreadable header, give None.
    """
    response = getattr(error, "response", None)
    if response is None:
        return None
    headers = response.headers
    try:
        return float(headers["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_DATE = "503 with retry-after as an HTTP date, 30 s ahead"
_PAST = "503 with retry-after as an HTTP date an hour ago"


def _http_error(**plan: Any) -> Callable[[FakeAPI, anthropic.Anthropic], None]:
    def run(api: FakeAPI, client: anthropic.Anthropic) -> None:
        api.fail_next(plan.pop("status"), **plan)
        client.messages.create(**params())

    return run


class RetryAfter(BehaviourExercise):
    """Exercise 2: how long did the server ask us to wait?"""

    name = "ex03_retry_after"
    title = "Read retry-after"
    entry = "retry_after"
    reference = staticmethod(retry_after)
    hints = (
        "The headers are on `error.response.headers` (case-insensitive). Connection errors "
        "have no `response`: use `getattr(error, 'response', None)`.",
        "Try `retry-after-ms` (milliseconds) first, then `retry-after`: seconds like '7', "
        "or an HTTP date like 'Wed, 21 Oct 2026 07:28:00 GMT'.",
        "`email.utils.parsedate_to_datetime` reads an HTTP date; subtract "
        "`datetime.now(timezone.utc)`. Anything unreadable: return None.",
    )
    scenarios = (
        "429 with retry-after: 7",
        "429 with retry-after-ms: 1500 (and retry-after: 1)",
        _DATE,
        _PAST,
        "529 without retry-after",
        "a connection timeout (no response at all)",
        "429 with a garbled retry-after",
    )
    misconceptions = {
        "wrong_seconds": "returned {got} for 'retry-after: 7', which is in seconds: return "
        "the header's number as a float (7.0).",
        "ignored_ms": "returned {got} when retry-after-ms said 1500: it is the more precise "
        "header, so read it first (and it is in milliseconds: 1.5 s).",
        "no_http_date": "returned {got} for a retry-after that is an HTTP date 30 s ahead: "
        "parse the date and return the seconds until then.",
        "invented_wait": "returned {got} for an error that gave no retry-after: return None, "
        "so the caller falls back to its own backoff.",
        "crashed": "crashed on {what} with {error}: a missing or unreadable header is normal; "
        "return None.",
        "negative_wait": "returned {got} for a retry-after date that has already passed: a "
        "wait cannot be negative; return 0 (retry now).",
        "naive_now": "crashed on {what} with {error}: the HTTP date is timezone-aware, so "
        "subtract an aware datetime, datetime.now(timezone.utc), not datetime.now().",
    }

    def check_answer(self, answer: Any) -> None:
        future = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=31)
        cases: list[tuple[str, Callable[[FakeAPI, anthropic.Anthropic], None]]] = [
            ("429 with retry-after: 7", _http_error(status=429, retry_after=7)),
            (
                "429 with retry-after-ms: 1500 (and retry-after: 1)",
                _http_error(status=429, retry_after_ms=1500),
            ),
            (_DATE, _http_error(status=503, retry_after=future)),
            (_PAST, _http_error(status=503, retry_after=future - timedelta(hours=1, seconds=31))),
            ("529 without retry-after", _http_error(status=529)),
            ("a connection timeout (no response at all)", _timeout),
            ("429 with a garbled retry-after", _http_error(status=429, retry_after="soon")),
        ]
        for label, cause in cases:
            with self.scenario(label):
                with fresh() as (api, client):
                    caught = attempt(cause, api, client).error
                outcome = attempt(answer, caught)
                if outcome.raised:
                    naive = isinstance(outcome.error, TypeError) and "offset-naive" in str(
                        outcome.error
                    )
                    self.wrong(
                        "naive_now" if naive else "crashed",
                        what=label, error=describe(outcome.error, 60), cause=outcome.error,
                    )
                self._judge(label, outcome.value)

    def _judge(self, label: str, got: object) -> None:
        shown = describe(got)
        number = isinstance(got, int | float) and not isinstance(got, bool)
        if label == "429 with retry-after: 7" and not (number and got == 7):
            self.wrong("wrong_seconds", got=shown)
        if label.startswith("429 with retry-after-ms") and not (number and got == 1.5):
            self.wrong("ignored_ms", got=shown)
        if label == _DATE and not (number and 25 <= got <= 32):  # type: ignore[operator]
            self.wrong("no_http_date", got=shown)
        if label == _PAST and not (number and got == 0):
            self.wrong("negative_wait", got=shown)
        if label in self.scenarios[4:] and got is not None:
            self.wrong("invented_wait", got=shown)


EXERCISES = (Classify, RetryAfter)
