"""Checkers for exercises/07_capstone.ipynb: a small production client under a chaos session.

One fake API serves a sequence of prompts while things go wrong in turn:
overload, a rate limit with retry-after, a stream that errors or drops
mid-way, a truncated answer, an invalid request and an outage. The checker
judges each prompt by its requests, the waits taken, the answer or error,
and the request log.
"""

from __future__ import annotations

import copy
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import anthropic
import httpx2
from anthropic.types import Message

from .. import models
from .._offline import offline
from ..fakeapi.app import FakeAPI
from .ex06_logging import FAILURE_KEYS, SUCCESS_KEYS, aware
from .harness import BehaviourExercise, SleepLog, attempt, describe, messages_sent
from .harness import client as new_client

__all__ = [
    "CHAOS", "EXERCISES", "Ask", "HealthReport", "Stage", "ask", "health_report", "run_chaos",
]


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


def _conflicts(api: FakeAPI, text: str) -> None:
    for status in (408, 409, 500):
        api.fail_next(status)
    api.reply(text)


def _timed_out(api: FakeAPI, text: str) -> None:
    api.timeout_next()
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


def _cut_for_good(api: FakeAPI, text: str) -> None:
    for part in ("Part one,", " part two,", " part three,"):
        api.reply(part, stop_reason="max_tokens")


def _invalid(api: FakeAPI, text: str) -> None:
    api.fail_next(400)


def _outage(api: FakeAPI, text: str) -> None:
    api.scenario("outage")


@dataclass(frozen=True)
class Stage:
    """One prompt of the chaos session: what goes wrong, and what a correct `ask` does."""

    plan: Callable[[FakeAPI, str], None]
    requests: int  #: requests a correct answer sends
    waits: int  #: waits it takes through `sleep`
    answer: str | None  #: the text it returns; None: it raises `raises`
    raises: type[Exception] | None = None
    status: int | None = None  #: the raised error's HTTP status
    options: dict[str, int] = field(default_factory=dict)  #: extra keyword arguments to `ask`


_CUT = "cut off at max_tokens, then continued"
_CUT_FOR_GOOD = "cut off at max_tokens three times (max_continuations=2)"
_INVALID = "a 400 invalid_request_error"
_RATE_LIMITED = "429 with retry-after: 3"
_LONG = "a long outage with max_attempts=10"
#: The chaos session, in order.
CHAOS: dict[str, Stage] = {
    "a calm request": Stage(_plain, 1, 0, "Calm seas."),
    "529, 529, then an answer": Stage(_overloaded, 3, 2, "Overload passes."),
    _RATE_LIMITED: Stage(_rate_limited, 2, 1, "Patience pays."),
    "408, 409 and 500, then an answer": Stage(_conflicts, 4, 3, "Conflicts resolve."),
    "a connection timeout (no response), then an answer": Stage(
        _timed_out, 2, 1, "Silence, then words."
    ),
    "an overloaded_error mid-stream, then an answer": Stage(_breaks, 2, 1, "Streams break; retry."),
    "the connection drops mid-stream, then an answer": Stage(_drops, 2, 1, "Links drop; retry."),
    _CUT: Stage(_cut, 2, 0, "First half, second half."),
    _CUT_FOR_GOOD: Stage(_cut_for_good, 3, 0, None, RuntimeError),
    _INVALID: Stage(_invalid, 1, 0, None, anthropic.BadRequestError, 400),
    "an outage (503 on every attempt)": Stage(_outage, 4, 3, None, anthropic.APIStatusError, 503),
    _LONG: Stage(_outage, 10, 9, None, anthropic.APIStatusError, 503, {"max_attempts": 10}),
}
RETRY_AFTER = 3.0
CAP = 8.0


def run_chaos(
    answer: Callable[..., Any], each: Callable[[str, dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    """Run `answer` over every prompt of :data:`CHAOS`; return the request log it wrote.

    Each prompt gets a fresh offline API (seeded by its label, so request ids
    differ between prompts); the log carries on. `each(label, effects)` sees
    ``outcome``, ``sent`` (requests), ``waits``, ``time_sleeps`` (calls of
    ``time.sleep``), ``took`` (wall seconds of the whole call) and ``records`` (new
    records). ``random`` is seeded per prompt, so jitter, and so a verdict, repeats.
    """
    records: list[dict[str, Any]] = []
    state = random.getstate()
    try:
        for label, stage in CHAOS.items():
            before = len(records)
            random.seed(label)  # the learner's jitter: the same answer, the same verdict
            with offline(FakeAPI(seed=label)) as api, new_client(budget=30) as client:
                stage.plan(api, stage.answer or "unused")
                log = SleepLog(api, limit=30)
                started = time.perf_counter()
                outcome = attempt(
                    answer, client, f"Tell me about: {label}", sleep=log, records=records,
                    **stage.options,
                )
                took = time.perf_counter() - started
                sent = messages_sent(api)
                slept = sum(1 for s in api.clock.sleeps if s.source == "time.sleep")
            if each is not None:
                effects = {"outcome": outcome, "sent": sent, "waits": log.waits, "took": took,
                           "time_sleeps": slept, "records": records[before:]}
                each(label, effects)
    finally:
        random.setstate(state)
    return records


def _text(content: object) -> str:
    """The text of a message's content, a string or a list of blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


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
        "wrong_params": "sent model={model}, max_tokens={max_tokens}: send models.DEFAULT "
        "({want_model}) with max_tokens=1024, as the text asks.",
        "not_retried": "gave up after {what}: it is transient, so retry it with backoff.",
        "retried_4xx": "retried a 400 invalid_request_error: raise it at once, it fails the "
        "same way every time.",
        "attempt_count": "made {got} attempts; max_attempts is {want}: count the first "
        "attempt, and stop (raising the last error) when they are spent.",
        "time_sleep": "time.sleep was called {got} time(s), by your code or the SDK's own "
        "retries, instead of the `sleep` you were given: wait only through `sleep`, and leave "
        "retrying to your loop.",
        "ignored_retry_after": "waited {got:g} s after a 429 that said retry-after: 3: wait "
        "what the retry-after header says.",
        "bad_backoff": "waited {got:g} s before retry {n}: wait {low:g} to {high:g} s, "
        "min(8, 0.5 * 2**n) minus up to 25 % jitter.",
        "no_cap": "waited {got:g} s before retry {n}: cap the backoff at 8 s "
        "(min(8, 0.5 * 2**n)), or a long outage makes every wait longer.",
        "no_jitter": "waited {waits} s, the same fraction of min(8, 0.5 * 2**n) every time: "
        "subtract a random 0-25 % (random.uniform), so clients that failed together do not "
        "all retry together.",
        "wait_count": "waited {got} time(s) through `sleep` for {want} retr(ies): wait once "
        "before each retry, never after the last attempt.",
        "glued": "the answer repeats the text of the broken stream: a retry starts the answer "
        "from scratch, so keep only the text of the stream that finished.",
        "restarted": "continued by sending the question again without the text so far: send "
        "the cut-off text back as an assistant turn, then a user turn asking to go on.",
        "continuation_text": "continued with an assistant turn of {got}, not the text so far "
        "{want}: send back exactly what the model said.",
        "prefill": "continued with a conversation ending in the assistant's text, which the "
        "API refuses (400): add a user turn asking to continue after it.",
        "continuation_invalid": "the continuation request was refused with a 400 ({said}): "
        "send the question, the text so far as an assistant turn, then a user turn.",
        "no_continuation": "returned {got}, which was cut off at max_tokens: continue it.",
        "truncated": "returned {got}, still cut off after max_continuations=2: raise "
        "RuntimeError instead of passing off a truncated answer as complete.",
        "unnamed_limit": "raised RuntimeError({got}) when the answer was still cut off: name "
        "the limit in the message (max_continuations={want}), so the log says why.",
        "wrong_answer": "answered {got}; expected {want}: return the text of the final "
        "answer, continuations joined.",
        "swallowed": "returned {value} for {what}: raise the error.",
        "missing_records": "logged {got} record(s) for {want} request(s): append one record "
        "per request, failures included.",
        "lost_request_id": "the record of request {n} has request_id {got}, not {want}: read "
        "stream.request_id as soon as the stream opens; a broken stream had one too.",
        "record_error": "the record of request {n} has error={got}; expected {want}: log "
        "error.type (the exception's class name only when it has none), and no error for a "
        "success.",
        "record_keys": "the record of request {n} lacks {keys}: log {want}, as in "
        "exercises 06.",
        "record_value": "the record of request {n} has {key}={got}; the request's is {want}: "
        "log the values of the call itself, as in exercises 06.",
        "record_timestamp": "the record of request {n} has timestamp {got}: log an aware "
        "time, datetime.now(timezone.utc).",
        "record_latency": "the record of request {n} has latency {got}, but the whole call "
        "took {took:.3f} s: log seconds, a time.perf_counter() difference taken around it.",
    }

    def check_answer(self, answer: Any) -> None:
        run_chaos(answer, self._judge)

    def _judge(self, label: str, effects: dict[str, Any]) -> None:
        stage = CHAOS[label]
        want_sent = stage.requests
        outcome, sent, waits, records = (
            effects[k] for k in ("outcome", "sent", "waits", "records")
        )
        with self.scenario(label):
            if any(not (isinstance(r.json, dict) and r.json.get("stream")) for r in sent):
                self.wrong("not_streamed")
            self._params(sent)
            if label == _CUT:
                self._continuation(sent)
            if outcome.runaway or len(sent) > want_sent:
                if label == _INVALID:
                    self.wrong("retried_4xx")
                self.wrong("attempt_count", got=len(sent), want=want_sent)
            if stage.answer is not None and outcome.raised:
                if isinstance(outcome.error, anthropic.APIError | httpx2.TransportError):
                    self.wrong("not_retried", what=f"{type(outcome.error).__name__} ({label})")
                outcome.reraise()
            if effects["time_sleeps"] and len(waits) < stage.waits:
                self.wrong("time_sleep", got=effects["time_sleeps"])
            if stage.answer is None:
                self._raised(outcome, stage, label)
            if len(sent) < want_sent and stage.answer is None:
                self.wrong("attempt_count", got=len(sent), want=want_sent)
            self._answer(outcome.value, stage.answer)
            self._waits(waits, stage.waits, label)
            self._records(records, sent, effects["took"])

    def _params(self, sent: list[Any]) -> None:
        for request in sent:
            body = request.json if isinstance(request.json, dict) else {}
            if body.get("model") != models.DEFAULT or body.get("max_tokens") != 1024:
                self.wrong("wrong_params", model=describe(body.get("model")),
                           max_tokens=describe(body.get("max_tokens")), want_model=models.DEFAULT)

    def _continuation(self, sent: list[Any]) -> None:
        if len(sent) < 2:
            return
        first, then = (r.json.get("messages") or [] for r in sent[:2])
        if then == first:
            self.wrong("restarted")
        assistant = [m for m in then if isinstance(m, dict) and m.get("role") == "assistant"]
        head = CHAOS[_CUT].answer.split(",", 1)[0] + ","  # type: ignore[union-attr]
        if not assistant or then[:1] != first[:1]:
            self.wrong("restarted")
        if _text(assistant[-1].get("content")) != head:
            self.wrong("continuation_text", got=describe(_text(assistant[-1].get("content"))),
                       want=repr(head))
        last = then[-1] if then else None
        if isinstance(last, dict) and last.get("role") == "assistant":
            self.wrong("prefill")
        if sent[1].status == 400:
            body = sent[1].response if isinstance(sent[1].response, dict) else {}
            said = (body.get("error") or {}).get("message", "")
            self.wrong("continuation_invalid", said=describe(said, 120))

    def _raised(self, outcome: Any, stage: Stage, label: str) -> None:
        if not outcome.raised:
            if label == _CUT_FOR_GOOD:
                self.wrong("truncated", got=describe(outcome.value))
            self.wrong("swallowed", value=describe(outcome.value), what=label)
        error = outcome.error
        right = isinstance(error, stage.raises or Exception) and (
            stage.status is None or getattr(error, "status_code", None) == stage.status
        )
        if not right:  # an accidental exception: the learner sees their own lines
            outcome.reraise()
        if label == _CUT_FOR_GOOD and "2" not in str(error):
            self.wrong("unnamed_limit", got=describe(str(error)), want=2)

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
        if label == _RATE_LIMITED:
            if not RETRY_AFTER <= waits[0] <= RETRY_AFTER * 1.25:
                self.wrong("ignored_retry_after", got=waits[0])
            return
        for n, got in enumerate(waits):
            high = min(CAP, 0.5 * 2**n)
            if got > CAP + 1e-9:
                self.wrong("no_cap", got=got, n=n)
            if not 0.75 * high - 1e-9 <= got <= high + 1e-9:
                self.wrong("bad_backoff", got=got, n=n, low=0.75 * high, high=high)
        fractions = {round(got / min(CAP, 0.5 * 2**n), 9) for n, got in enumerate(waits)}
        if len(waits) >= 2 and len(fractions) == 1:
            self.wrong("no_jitter", waits=", ".join(f"{w:g}" for w in waits))

    def _records(self, records: list[Any], sent: list[Any], took: float) -> None:
        if len(records) != len(sent):
            self.wrong("missing_records", got=len(records), want=len(sent))
        for n, (record, request) in enumerate(zip(records, sent, strict=True), start=1):
            got = record.get("request_id") if isinstance(record, dict) else None
            want = request.request_id if request.status else None  # 0: no response came back
            if got != want:
                self.wrong("lost_request_id", n=n, got=describe(got), want=want)
            error = record.get("error")
            if error != _error_type(request):
                self.wrong("record_error", n=n, got=describe(error),
                           want=describe(_error_type(request)))
            self._record(n, record, request, took)

    def _record(self, n: int, record: dict[str, Any], request: Any, took: float) -> None:
        """The fields of exercises 06's record, with the values of `request`."""
        keys = SUCCESS_KEYS if request.delivered else FAILURE_KEYS
        missing = [k for k in keys if k not in record]
        if missing:
            self.wrong("record_keys", n=n, keys=", ".join(missing), want=", ".join(keys))
        if not aware(record["timestamp"]):
            self.wrong("record_timestamp", n=n, got=describe(record["timestamp"]))
        latency = record["latency"]
        number = isinstance(latency, int | float) and not isinstance(latency, bool)
        if not number or not 0 <= latency <= took:
            self.wrong("record_latency", n=n, got=describe(latency), took=took)
        want: dict[str, Any] = {"model": request.model}
        if request.delivered:
            want |= {"stop_reason": request.stop_reason,
                     **{k: request.usage[k] for k in ("input_tokens", "output_tokens")}}
        elif request.status and request.stream_fault != "dropped":
            want["status"] = request.status  # an error event mid-stream: the stream's 200
        for key, value in want.items():
            if record[key] != value:
                self.wrong("record_value", n=n, key=key, got=describe(record[key]),
                           want=describe(value))
        if not request.delivered and request.stream_fault == "dropped":
            if record["status"] not in (None, 200):
                self.wrong("record_value", n=n, key="status", got=describe(record["status"]),
                           want="None (no error status)")
        elif not request.delivered and not request.status and record["status"] is not None:
            self.wrong("record_value", n=n, key="status", got=describe(record["status"]),
                       want="None (no response)")


def _error_type(request: Any) -> str | None:
    """The `error` a record of `request` holds: the API's error type, else the exception's name."""
    fault = request.stream_fault or ""
    if fault.startswith("error:"):
        return str(fault.removeprefix("error:"))
    if fault == "dropped":
        return "RemoteProtocolError"
    if request.status == 0:
        return "APITimeoutError"
    return request.error_type if request.status >= 400 else None


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
        "mutated": "changed the records you were given: only read them, a report must never "
        "edit the log it summarises.",
        "wrong_requests": "counted {got} requests; the log has {want} records: count every "
        "record, since every retry is a request (and billed like one).",
        "wrong_failed": "counted {got} failures; {want} records have an error: count every "
        "record with an `error`, broken streams and timeouts included.",
        "wrong_errors": "errors by type were {got}: count each record's `error` value (the "
        "error type), e.g. {want}.",
        "wrong_tokens": "{key} was {got}; the records add up to {want}: sum {key} over "
        "every record that has it.",
        "wrong_ids": "failed_request_ids[{n}] is {got}, expected {want}: list the request_id "
        "of each failure in log order, leaving out failures that never got one (None).",
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
                    self.wrong(f"wrong_{key}", got=describe(report[key], 80),
                               want=describe(want[key], 80))
            for key in ("input_tokens", "output_tokens"):
                total = sum(r[key] for r in records if key in r)
                if report[key] != total:
                    self.wrong("wrong_tokens", key=key, got=describe(report[key]), want=total)
            ids = [r["request_id"] for r in failures if r["request_id"]]
            got = list(report["failed_request_ids"])
            if got != ids:
                n = next(n for n, pair in enumerate(itertools.zip_longest(got, ids))
                         if pair[0] != pair[1])
                self.wrong("wrong_ids", n=n, got=describe(got[n] if n < len(got) else "missing"),
                           want=describe(ids[n] if n < len(ids) else "nothing more"))


EXERCISES = (Ask, HealthReport)
