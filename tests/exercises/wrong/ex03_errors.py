"""Wrong answers to exercises/03_errors.ipynb, one per misconception."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2

from lessonkit.exercises.ex03_errors import Classify, RetryAfter

from . import wrong


def _classifier(
    *,
    transient: Any = lambda s: s in (408, 409, 429) or s >= 500,
    mid_stream_by_type: bool = True,
    kind: Any = lambda retryable, status: "transient" if retryable else "caller",
    request_id: bool = True,
    assume_status: bool = False,
    shape: str = "dict",
) -> Any:
    """A learner's classify with one idea wrong."""

    def classify(error):  # type: ignore[no-untyped-def]
        if assume_status or isinstance(error, anthropic.APIStatusError):
            status = error.status_code
            if status == 200 and mid_stream_by_type:
                retryable = error.type in ("overloaded_error", "api_error")
            else:
                retryable = transient(status)
        else:
            status = None
            retryable = isinstance(error, anthropic.APIConnectionError | httpx2.TransportError)
        rid = getattr(error, "request_id", None) if request_id else None
        if shape == "tuple":
            return retryable, rid
        return {"retryable": retryable, "kind": kind(retryable, status), "request_id": rid}

    return classify


for key, scenario, flaws in [
    ("bad_shape", "HTTP 400", {"shape": "tuple"}),
    ("crashed", "a connection timeout", {"assume_status": True}),
    ("retryable_caller", "HTTP 400", {"transient": lambda s: s >= 400}),
    ("fatal_transient", "HTTP 408", {"transient": lambda s: s in (429, 529)}),
    (
        "status_only",
        "an overloaded_error mid-stream (after the 200)",
        {"mid_stream_by_type": False},
    ),
    (
        "kind_mismatch",
        "HTTP 500",
        {"kind": lambda r, s: "platform" if s and s >= 500 else ("transient" if r else "caller")},
    ),
    ("no_request_id", "HTTP 400", {"request_id": False}),
]:
    wrong(Classify, key, scenario=scenario)(_classifier(**flaws))


def _reader(*, ms: str = "first", dates: bool = True, missing: Any = None,
            safe: bool = True, clamp: bool = True, naive: bool = False) -> Any:
    """A learner's retry_after with one idea wrong."""

    def retry_after(error):  # type: ignore[no-untyped-def]
        response = getattr(error, "response", None) if safe else error.response
        if response is None:
            return missing
        headers = response.headers
        if ms == "first" and "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        value = headers.get("retry-after")
        if value is None:
            return missing
        try:
            return float(value) / (1000 if ms == "everywhere" else 1)
        except ValueError:
            if not dates:
                return None
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        wait = (when - (datetime.now() if naive else datetime.now(UTC))).total_seconds()
        return max(0.0, wait) if clamp else wait

    return retry_after


for key, scenario, flaws in [
    ("wrong_seconds", "429 with retry-after: 7", {"ms": "everywhere"}),
    ("ignored_ms", "429 with retry-after-ms: 1500 (and retry-after: 1)", {"ms": "never"}),
    ("no_http_date", "503 with retry-after as an HTTP date, 30 s ahead", {"dates": False}),
    ("invented_wait", "529 without retry-after", {"missing": 1.0}),
    ("crashed", "a connection timeout (no response at all)", {"safe": False}),
    ("negative_wait", "503 with retry-after as an HTTP date an hour ago", {"clamp": False}),
    ("naive_now", "503 with retry-after as an HTTP date, 30 s ahead", {"naive": True}),
]:
    wrong(RetryAfter, key, scenario=scenario)(_reader(**flaws))
