"""Checkers for exercises/07_capstone.ipynb: a small production client under a chaos session.

One fake API serves a sequence of prompts while things go wrong in turn:
overload, a rate limit with retry-after, a stream that errors or drops
mid-way, a truncated answer, an invalid request and an outage. The checker
judges each prompt by its requests, the waits taken, the answer or error,
and the request log.
"""

from __future__ import annotations

import copy
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2
from anthropic.types import Message

from .. import models
from ..fakeapi.app import FakeAPI
from .._offline import offline
from .harness import BehaviourExercise, SleepLog, attempt, describe, messages_sent
from .harness import client as new_client

__all__ = ["CHAOS", "EXERCISES", "Ask", "HealthReport", "ask", "health_report", "run_chaos"]


def ask(
    client: anthropic.Anthropic,
    prompt: str,
    *,
    sleep: Callable[[float], object],
    records: list[dict[str, Any]],
    max_attempts: int = 4,
    max_continuations: int = 2,
) -> str:
    """Answer `prompt` the way a production client should.

    * every request is streamed (models.DEFAULT, max_tokens=1024);
    * transient failures, before or during the stream, are retried up to
      `max_attempts` times with capped exponential backoff and jitter
      (min(8, 0.5 * 2**n), minus up to 25 %), or `retry-after` when given;
      other errors are raised at once;
    * an answer cut off at max_tokens is continued (up to `max_continuations`);
    * every request appends one record to `records`, failures included.
    """

    def stream_once(messages: list[Any]) -> Message:
        started = time.perf_counter()
        record: dict[str, Any] = {
            "timestamp": datetime.now(UTC), "model": models.DEFAULT, "request_id": None,
        }
        try:
            with client.messages.stream(
                model=models.DEFAULT, max_tokens=1024, messages=messages
            ) as stream:
                record["request_id"] = stream.request_id  # known even if the stream breaks
                message = stream.get_final_message()
        except (anthropic.APIError, httpx2.TransportError) as error:
            record["request_id"] = getattr(error, "request_id", None) or record["request_id"]
            record["error"] = getattr(error, "type", None) or type(error).__name__
            record["status"] = getattr(error, "status_code", None)
            record["latency"] = time.perf_counter() - started
            records.append(record)
            raise
        record["stop_reason"] = message.stop_reason
        record["input_tokens"] = message.usage.input_tokens
        record["output_tokens"] = message.usage.output_tokens
        record["latency"] = time.perf_counter() - started
        records.append(record)
        return message

    def with_retries(messages: list[Any]) -> Message:
        for number in range(max_attempts):
            try:
                return stream_once(messages)
            except (anthropic.APIError, httpx2.TransportError) as error:
                status = getattr(error, "status_code", None)  # 200: broke mid-stream
                transient = status in (None, 200, 408, 409, 429) or (status or 0) >= 500
                if not transient or number == max_attempts - 1:
                    raise
                delay = min(8.0, 0.5 * 2**number) * (1 - 0.25 * random.random())
                if isinstance(error, anthropic.APIStatusError):
                    try:
                        delay = float(error.response.headers["retry-after"])
                    except (KeyError, ValueError):
                        pass
                sleep(delay)
        raise ValueError("max_attempts must be at least 1")

    text = ""
    for _ in range(max_continuations + 1):
        # the text so far, then a user turn asking for more: current models refuse prefill
        more = {"role": "user", "content": "Continue exactly where you stopped. Don't repeat."}
        so_far = [{"role": "assistant", "content": text}, more] if text else []
        message = with_retries([{"role": "user", "content": prompt}, *so_far])
        text += "".join(block.text for block in message.content if block.type == "text")
        if message.stop_reason in ("end_turn", "stop_sequence"):
            return text
        if message.stop_reason != "max_tokens":
            raise RuntimeError(f"the model stopped with {message.stop_reason!r}")
    raise RuntimeError(f"the answer is still cut off after {max_continuations} continuations")


def _plain(api: FakeAPI, text: str) -> None:
    api.reply(text)


def _overloaded(api: FakeAPI, text: str) -> None:
    api.fail_next(529, 2)
    api.reply(text)


def _rate_limited(api: FakeAPI, text: str) -> None:
    api.fail_next(429, retry_after=3)
    api.reply(text)


def _breaks(api: FakeAPI, text: str) -> None:
    api.reply(text, times=2)
    api.fail_stream(after_events=10)  # thinking block, 3 text deltas


def _drops(api: FakeAPI, text: str) -> None:
    api.reply(text, times=2)
    api.drop_stream(after_events=10)  # thinking block, 3 text deltas


def _cut(api: FakeAPI, text: str) -> None:
    head, tail = text.split(",", 1)
    api.reply(head + ",", stop_reason="max_tokens")
    api.reply(tail)


def _invalid(api: FakeAPI, text: str) -> None:
    api.fail_next(400)


def _outage(api: FakeAPI, text: str) -> None:
    api.scenario("outage")


#: The chaos session, in order: label -> (plan, requests, waits, answer (None: must raise)).
CHAOS: dict[str, tuple[Callable[[FakeAPI, str], None], int, int, str | None]] = {
    "a calm request": (_plain, 1, 0, "Calm seas."),
    "529, 529, then an answer": (_overloaded, 3, 2, "Overload passes."),
    "429 with retry-after: 3": (_rate_limited, 2, 1, "Patience pays."),
    "an overloaded_error mid-stream, then an answer": (_breaks, 2, 1, "Streams break; retry."),
    "the connection drops mid-stream, then an answer": (_drops, 2, 1, "Links drop; retry."),
    "cut off at max_tokens, then continued": (_cut, 2, 0, "First half, second half."),
    "a 400 invalid_request_error": (_invalid, 1, 0, None),
    "an outage (503 on every attempt)": (_outage, 4, 3, None),
}
RETRY_AFTER = 3.0


def run_chaos(
    answer: Callable[..., Any], each: Callable[[str, dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    """Run `answer` over every prompt of :data:`CHAOS`; return the request log it wrote.

    Each prompt gets a fresh offline API (seeded by its label, so request ids
    differ between prompts); the log carries on. `each(label, effects)` sees
    ``outcome``, ``sent`` (requests), ``waits`` and ``records`` (new records).
    """
    records: list[dict[str, Any]] = []
    for label, (plan, _, _, text) in CHAOS.items():
        before = len(records)
        with offline(FakeAPI(seed=label)) as api, new_client(budget=30) as client:
            plan(api, text or "unused")
            log = SleepLog(api, limit=30)
            outcome = attempt(
                answer, client, f"Tell me about: {label}", sleep=log, records=records
            )
            sent = messages_sent(api)
        if each is not None:
            effects = {"outcome": outcome, "sent": sent, "waits": log.waits,
                       "records": records[before:]}
            each(label, effects)
    return records


class Ask(BehaviourExercise):
    """Exercise 1: a small client that survives the chaos session."""

    name = "ex07_ask"
    title = "A production client"
    entry = "ask"
    timeout = 15.0
    reference = staticmethod(ask)
    hints = (
        "Build it from three small inner functions: one streamed request that appends its "
        "record; a retry loop around it; a continuation loop around that.",
        "A broken stream raises `anthropic.APIStatusError` with status 200 (an error event) or "
        "`httpx2.TransportError` (a dropped link): both are transient. A 400 is not.",
        "Read `stream.request_id` as soon as the stream opens and keep it in the record, so a "
        "stream that breaks later is still logged with its id.",
    )
    scenarios = tuple(CHAOS)
    misconceptions = {
        "not_streamed": "sent a request without stream=true: stream every call.",
        "not_retried": "gave up after {what}: it is transient, so retry it with backoff.",
        "retried_4xx": "retried a 400 invalid_request_error: it fails the same way every time.",
        "attempt_count": "made {got} attempts; max_attempts is {want}.",
        "ignored_retry_after": "waited {got:g} s after a 429 that said retry-after: 3.",
        "bad_backoff": "waited {got:g} s before retry {n}; expected {low:g} to {high:g} s "
        "(min(8, 0.5 * 2**n), minus up to 25 % jitter).",
        "wait_count": "slept {got} time(s) for {want} retr(ies).",
        "glued": "the answer repeats the text of the broken stream: a retry starts the answer "
        "from scratch.",
        "no_continuation": "returned {got}, which was cut off at max_tokens: continue it.",
        "wrong_answer": "answered {got}; expected {want}.",
        "swallowed": "returned {value} for {what}: raise the error.",
        "missing_records": "logged {got} record(s) for {want} request(s): one record per "
        "request, failures included.",
        "lost_request_id": "the record of request {n} has request_id {got}, not {want}: read "
        "stream.request_id as soon as the stream opens; a broken stream had one too.",
    }

    def check_answer(self, answer: Any) -> None:
        run_chaos(answer, self._judge)

    def _judge(self, label: str, effects: dict[str, Any]) -> None:
        _, want_sent, want_waits, want_text = CHAOS[label]
        outcome, sent, waits, records = (
            effects[k] for k in ("outcome", "sent", "waits", "records")
        )
        with self.scenario(label):
            if any(not (isinstance(r.json, dict) and r.json.get("stream")) for r in sent):
                self.wrong("not_streamed")
            if outcome.runaway or len(sent) > want_sent:
                if label == "a 400 invalid_request_error":
                    self.wrong("retried_4xx")
                self.wrong("attempt_count", got=len(sent), want=4)
            if want_text is not None and outcome.raised:
                if isinstance(outcome.error, anthropic.APIError | httpx2.TransportError):
                    self.wrong("not_retried", what=f"{type(outcome.error).__name__} ({label})")
                outcome.reraise()
            if want_text is None and not outcome.raised:
                self.wrong("swallowed", value=describe(outcome.value), what=label)
            if len(sent) < want_sent and want_text is None:
                self.wrong("attempt_count", got=len(sent), want=4)
            self._answer(outcome.value, want_text)
            self._waits(waits, want_waits, label)
            self._records(records, sent)

    def _answer(self, got: object, want: str | None) -> None:
        if want is None or got == want:
            return
        if isinstance(got, str) and got.endswith(want) and len(got) > len(want):
            self.wrong("glued")
        if isinstance(got, str) and want.startswith(got) and got:
            self.wrong("no_continuation", got=describe(got))
        self.wrong("wrong_answer", got=describe(got), want=repr(want))

    def _waits(self, waits: list[float], want: int, label: str) -> None:
        if len(waits) != want:
            self.wrong("wait_count", got=len(waits), want=want)
        if label == "429 with retry-after: 3":
            if not RETRY_AFTER <= waits[0] <= RETRY_AFTER * 1.25:
                self.wrong("ignored_retry_after", got=waits[0])
            return
        for n, got in enumerate(waits):
            high = min(8.0, 0.5 * 2**n)
            if not 0.75 * high - 1e-9 <= got <= high + 1e-9:
                self.wrong("bad_backoff", got=got, n=n, low=0.75 * high, high=high)

    def _records(self, records: list[Any], sent: list[Any]) -> None:
        if len(records) != len(sent):
            self.wrong("missing_records", got=len(records), want=len(sent))
        for n, (record, request) in enumerate(zip(records, sent, strict=True), start=1):
            got = record.get("request_id") if isinstance(record, dict) else None
            if got != request.request_id:
                self.wrong("lost_request_id", n=n, got=describe(got), want=request.request_id)


def health_report(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Summarise a request log for whoever is on call.

    Returns {"requests", "failed", "errors" (error type -> count), "input_tokens",
    "output_tokens", "failed_request_ids" (in log order, records without an id left out)}.
    """
    failures = [r for r in records if r.get("error")]
    return {
        "requests": len(records),
        "failed": len(failures),
        "errors": dict(Counter(str(r["error"]) for r in failures)),
        "input_tokens": sum(r.get("input_tokens") or 0 for r in records),
        "output_tokens": sum(r.get("output_tokens") or 0 for r in records),
        "failed_request_ids": [r["request_id"] for r in failures if r.get("request_id")],
    }


_REPORT_KEYS = ("requests", "failed", "errors", "input_tokens", "output_tokens",
                "failed_request_ids")


class HealthReport(BehaviourExercise):
    """Exercise 2: read the request log the chaos session wrote."""

    name = "ex07_health_report"
    title = "A health report from the request log"
    entry = "health_report"
    reference = staticmethod(health_report)
    hints = (
        "A failure record has an 'error' key; a success record has the token counts.",
        "`collections.Counter` counts error types; `.get(key) or 0` treats a missing count as 0.",
    )
    scenarios = ("the log of the chaos session",)
    misconceptions = {
        "bad_shape": "returned {value}: return a dict with {keys}.",
        "mutated": "changed the records you were given: a report reads the log, it never "
        "edits it.",
        "wrong_requests": "counted {got} requests; the log has {want} records (every retry "
        "is a request, and billed like one).",
        "wrong_failed": "counted {got} failures; {want} records have an error.",
        "wrong_errors": "errors by type were {got}; expected {want}.",
        "wrong_tokens": "{key} was {got}; the records add up to {want}.",
        "wrong_ids": "failed_request_ids was {got}; expected {want} (log order, without "
        "failures that never got an id).",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("the log of the chaos session"):
            records = run_chaos(ask)
            given = copy.deepcopy(records)
            report = answer(given)
            if given != records:
                self.wrong("mutated")
            if not (isinstance(report, dict) and set(_REPORT_KEYS) <= set(report)):
                self.wrong("bad_shape", value=describe(report), keys=", ".join(_REPORT_KEYS))
            failures = [r for r in records if "error" in r]
            want: dict[str, Any] = {
                "requests": len(records),
                "failed": len(failures),
                "errors": dict(Counter(r["error"] for r in failures)),
            }
            for key in ("requests", "failed", "errors"):
                if report[key] != want[key]:
                    self.wrong(f"wrong_{key}", got=describe(report[key]), want=want[key])
            for key in ("input_tokens", "output_tokens"):
                total = sum(r[key] for r in records if key in r)
                if report[key] != total:
                    self.wrong("wrong_tokens", key=key, got=describe(report[key]), want=total)
            ids = [r["request_id"] for r in failures if r["request_id"]]
            if list(report["failed_request_ids"]) != ids:
                self.wrong("wrong_ids", got=describe(report["failed_request_ids"]), want=ids)


EXERCISES = (Ask, HealthReport)
