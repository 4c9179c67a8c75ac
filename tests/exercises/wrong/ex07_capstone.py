"""Wrong answers to exercises/07_capstone.ipynb, one per misconception."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2

from lessonkit import models
from lessonkit.exercises.ex07_capstone import Ask, HealthReport

from . import wrong


def _client(flaw: str = "") -> Any:
    """A learner's ask with one idea wrong."""

    def ask(client, prompt, *, sleep, records, max_attempts=4, max_continuations=2):  # type: ignore[no-untyped-def]
        pieces: list[str] = []

        def once(messages):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            now = datetime.now() if flaw == "record_timestamp" else datetime.now(UTC)
            record: dict[str, Any] = {"timestamp": now, "model": models.DEFAULT, "request_id": None}
            max_tokens = 4096 if flaw == "wrong_params" else 1024
            options = {"model": models.DEFAULT, "max_tokens": max_tokens, "messages": messages}
            try:
                if flaw == "not_streamed":
                    message = client.messages.create(**options)
                    record["request_id"] = message._request_id
                else:
                    sdk = client.with_options(max_retries=3) if flaw == "sdk_retries" else client
                    with sdk.messages.stream(**options) as stream:
                        if flaw != "lost_request_id":
                            record["request_id"] = stream.request_id
                        if flaw != "glued":
                            pieces.clear()
                        pieces.extend(stream.text_stream)
                        message = stream.get_final_message()
                        record["request_id"] = stream.request_id  # too late if it broke
            except (anthropic.APIError, httpx2.TransportError) as error:
                record["request_id"] = getattr(error, "request_id", None) or record["request_id"]
                record["error"] = getattr(error, "type", None) or type(error).__name__
                if flaw == "record_error":
                    record["error"] = type(error).__name__
                record["status"] = getattr(error, "status_code", None)
                record["latency"] = time.perf_counter() - started
                if flaw != "missing_records":
                    records.append(record)
                raise
            record["stop_reason"] = message.stop_reason
            usage = message.usage
            record["input_tokens"] = usage.input_tokens
            record["output_tokens"] = (
                usage.input_tokens if flaw == "record_value" else usage.output_tokens
            )
            record["latency"] = (time.perf_counter() - started) * (
                1000 if flaw == "record_latency" else 1
            )
            if flaw == "record_keys":
                del record["timestamp"]
            records.append(record)
            return message

        def with_retries(messages):  # type: ignore[no-untyped-def]
            tries = 1 if flaw == "sdk_retries" else max_attempts + (flaw == "attempt_count")
            for number in range(tries):
                try:
                    return once(messages)
                except (anthropic.APIError, httpx2.TransportError) as error:
                    status = getattr(error, "status_code", None)
                    transient = status in (None, 200, 408, 409, 429) or (status or 0) >= 500
                    if flaw == "not_retried":
                        transient = status != 200 and transient
                    if flaw == "only_429_and_5xx":  # "any other 4xx is my bug"
                        transient = status in (None, 200, 429) or (status or 0) >= 500
                    if flaw == "timeout_not_retried":
                        transient = status is not None and transient
                    if flaw == "retried_4xx":
                        transient = True
                    if not transient or number == tries - 1:
                        if flaw == "wait_count":
                            sleep(1.0)
                        raise
                    jitter = 1.0 if flaw == "no_jitter" else 1 - 0.25 * random.random()
                    delay = 0.5 * 2**number * jitter
                    if flaw != "no_cap":
                        delay = min(8.0, delay)
                    if flaw == "bad_backoff":
                        delay = 1.0
                    headers = getattr(getattr(error, "response", None), "headers", {})
                    if flaw != "ignored_retry_after" and status != 200 and "retry-after" in headers:
                        delay = float(headers["retry-after"])
                    (time.sleep if flaw == "time_sleep" else sleep)(delay)
            raise AssertionError("unreachable")

        text = ""
        try:
            for _ in range(max_continuations + 1):
                more = {"role": "user", "content": "Continue."}
                said = text.strip(" ,") if flaw == "continuation_text" else text
                so_far = [{"role": "assistant", "content": said}, more] if text else []
                if flaw == "prefill":
                    so_far = so_far[:1]
                if flaw == "continuation_invalid" and so_far:
                    so_far[-1] = {"role": "user", "content": ""}  # empty text is refused
                if flaw == "restarted":
                    so_far = []
                message = with_retries([{"role": "user", "content": prompt}, *so_far])
                new = "".join(pieces) if flaw == "glued" else "".join(
                    b.text for b in message.content if b.type == "text"
                )
                text = f"{text} {new}" if text and flaw == "wrong_answer" else text + new
                if message.stop_reason != "max_tokens" or flaw == "no_continuation":
                    return text
        except anthropic.BadRequestError:
            if flaw == "swallowed":
                return ""
            raise
        if flaw == "truncated":
            return text
        if flaw == "unnamed_limit":
            raise RuntimeError("still cut off")
        raise RuntimeError(f"still cut off after {max_continuations} continuations")

    return ask


_TIMEOUT = "a connection timeout (no response), then an answer"
_CUT = "cut off at max_tokens, then continued"
_LONG = "a long outage with max_attempts=10"

for key, scenario in [
    ("not_streamed", "a calm request"),
    ("wrong_params", "a calm request"),
    ("time_sleep", "529, 529, then an answer"),
    ("no_jitter", "529, 529, then an answer"),
    ("no_cap", _LONG),
    ("restarted", _CUT),
    ("continuation_text", _CUT),
    ("prefill", _CUT),
    ("continuation_invalid", _CUT),
    ("truncated", "cut off at max_tokens three times (max_continuations=2)"),
    ("record_error", "529, 529, then an answer"),
    ("record_keys", "a calm request"),
    ("record_value", "a calm request"),
    ("record_timestamp", "a calm request"),
    ("record_latency", "a calm request"),
    ("unnamed_limit", "cut off at max_tokens three times (max_continuations=2)"),
    ("not_retried", "an overloaded_error mid-stream, then an answer"),
    ("retried_4xx", "a 400 invalid_request_error"),
    ("attempt_count", "an outage (503 on every attempt)"),
    ("ignored_retry_after", "429 with retry-after: 3"),
    ("bad_backoff", "529, 529, then an answer"),
    ("wait_count", "a 400 invalid_request_error"),
    ("glued", "an overloaded_error mid-stream, then an answer"),
    ("no_continuation", "cut off at max_tokens, then continued"),
    ("wrong_answer", "cut off at max_tokens, then continued"),
    ("swallowed", "a 400 invalid_request_error"),
    ("missing_records", "529, 529, then an answer"),
    ("lost_request_id", "the connection drops mid-stream, then an answer"),
]:
    wrong(Ask, key, scenario=scenario)(_client(key))
wrong(Ask, "not_retried", scenario=_TIMEOUT)(_client("timeout_not_retried"))
wrong(Ask, "time_sleep", scenario="529, 529, then an answer")(_client("sdk_retries"))
wrong(Ask, "not_retried", scenario="408, 409 and 500, then an answer")(_client("only_429_and_5xx"))


def _report(flaw: str = "") -> Any:
    """A learner's health_report with one idea wrong."""

    def health_report(records):  # type: ignore[no-untyped-def]
        if flaw == "mutated":
            for record in records:
                record.pop("timestamp", None)
        failures = [r for r in records if "error" in r]
        if flaw == "wrong_failed":
            failures = [r for r in failures if (r.get("status") or 0) >= 400]
        successes = [r for r in records if "error" not in r]
        counted = [r for r in successes if r.get("stop_reason") == "end_turn"]
        report = {
            "requests": len(successes) if flaw == "wrong_requests" else len(records),
            "failed": len(failures),
            "errors": dict(Counter(
                r.get("status") if flaw == "wrong_errors" else r["error"] for r in failures
            )),
            "input_tokens": sum(r["input_tokens"] for r in successes),
            "output_tokens": sum(
                r["output_tokens"] for r in (counted if flaw == "wrong_tokens" else successes)
            ),
            "failed_request_ids": [
                r["request_id"] for r in (records if flaw == "wrong_ids" else failures)
                if flaw == "none_ids" or r["request_id"] or flaw == "wrong_ids"
            ],
        }
        return tuple(report.values()) if flaw == "bad_shape" else report

    return health_report


for key in ("bad_shape", "mutated", "wrong_requests", "wrong_failed", "wrong_errors",
            "wrong_tokens", "wrong_ids"):
    wrong(HealthReport, key, scenario="the log of the chaos session")(_report(key))
wrong(HealthReport, "wrong_ids", scenario="the log of the chaos session")(_report("none_ids"))
