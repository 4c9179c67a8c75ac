"""Wrong answers to exercises/04_retries.ipynb, one per misconception."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any

import anthropic
import httpx2
from anthropic.types import ToolUseBlock

from lessonkit.exercises.ex04_retries import CallWithRetries, IdempotentTool, StreamRecovery

from . import wrong

_CAP = "529 on every attempt (max_attempts=7, base_delay=1, max_delay=5)"
_OUTAGE = "503 on every attempt (max_attempts=3)"


def _retrier(
    *,
    transient: Callable[[int | None], bool] = lambda s: s is None
    or s in (408, 409, 429)
    or s >= 500,
    delay: Callable[[int, float, float], float] = lambda n, base, cap: min(cap, base * 2**n)
    * (1 - 0.25 * random.random()),
    honour_retry_after: bool = True,
    retry_after_cap: float = float("inf"),
    attempts: Callable[[int], int] = lambda n: n,
    on_fatal: str = "raise",
    use_time_sleep: bool = False,
    sleep_first: bool = False,
    result: Callable[[Any], Any] = lambda value: value,
) -> Callable[..., Any]:
    """A learner's retry loop with one idea wrong (each keyword is one idea)."""

    def call_with_retries(call, *, sleep, max_attempts=4, base_delay=0.5, max_delay=8.0):  # type: ignore[no-untyped-def]
        last = attempts(max_attempts)
        number = 0
        while True:
            if sleep_first:
                sleep(0.5)
            try:
                return result(call())
            except (anthropic.APIConnectionError, anthropic.APIStatusError) as error:
                status = getattr(error, "status_code", None)
                if not transient(status) or (last and number == last - 1):
                    if on_fatal == "return":
                        return None
                    if on_fatal == "replace":
                        raise RuntimeError("the API call failed") from error
                    raise
                wait = delay(number, base_delay, max_delay)
                if honour_retry_after and isinstance(error, anthropic.APIStatusError):
                    asked = error.response.headers.get("retry-after")
                    if asked and float(asked) <= retry_after_cap:
                        wait = float(asked)
                (time.sleep if use_time_sleep else sleep)(wait)
                number += 1

    return call_with_retries


for key, scenario, flaws in [
    ("retried_4xx", "HTTP 400 invalid_request_error", {"transient": lambda s: True}),
    ("not_retried", "529, 529, then success", {"transient": lambda s: s == 429}),
    ("swallowed", "HTTP 400 invalid_request_error", {"on_fatal": "return"}),
    ("replaced_error", "HTTP 400 invalid_request_error", {"on_fatal": "replace"}),
    ("wrong_result", "succeeds at once",
     {"result": lambda m: "".join(b.text for b in m.content if b.type == "text")}),
    ("time_sleep", "529, 529, then success", {"use_time_sleep": True}),
    ("wait_count", "succeeds at once", {"sleep_first": True}),
    ("ignored_retry_after", "429 with retry-after: 1, then success", {"honour_retry_after": False}),
    ("ignored_retry_after", "429 with retry-after: 90, then success", {"retry_after_cap": 60}),
    ("not_retried", "408 then success", {"transient": lambda s: s is None or s == 429 or s >= 500}),
    ("not_retried", "409 then success",
     {"transient": lambda s: s is None or s in (408, 429) or s >= 500}),
    ("constant_delay", "529, 529, then success", {"delay": lambda n, base, cap: base}),
    ("no_cap", _CAP, {"delay": lambda n, base, cap: base * 2**n * (1 - 0.25 * random.random())}),
    ("wrong_backoff", "529, 529, then success", {"delay": lambda n, base, _: base * 2 ** (n + 1)}),
    ("no_jitter", _CAP, {"delay": lambda n, base, cap: min(cap, base * 2**n)}),
    ("attempt_count", _OUTAGE, {"attempts": lambda n: n + 1}),
    ("never_gives_up", _OUTAGE, {"attempts": lambda n: 0}),
]:
    wrong(CallWithRetries, key, scenario=scenario)(_retrier(**flaws))


_DEFAULT_CAP = "529 on every attempt (max_attempts=10, default base_delay and max_delay)"


@wrong(CallWithRetries, "no_cap", scenario=_DEFAULT_CAP)
def caps_at_ten_by_default(call, *, sleep, max_attempts=4, base_delay=0.5, max_delay=10.0):  # type: ignore[no-untyped-def]
    return _retrier()(call, sleep=sleep, max_attempts=max_attempts, base_delay=base_delay,
                      max_delay=max_delay)


# --- exercise 2 -------------------------------------------------------------------
_RETRIED = "529 right after the email was sent; the turn is retried"
_MAIL_DOWN = "the mail server fails once; the turn is retried"


def _send(block: ToolUseBlock, send_email: Callable[..., str]) -> str:
    data: dict[str, Any] = dict(block.input)
    return send_email(to=data["to"], subject=data["subject"], body=data["body"])


@wrong(IdempotentTool, "wrong_email", scenario=_RETRIED)
def sends_a_summary(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    key = block.input["ticket_id"]
    if key not in sent:
        sent[key] = send_email(to=block.input["to"], subject="Update", body=block.input["body"])
    return sent[key]


@wrong(IdempotentTool, "never_sent", scenario=_RETRIED)
def pretends_to_send(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    return "email-1"


@wrong(IdempotentTool, "sent_twice", scenario=_RETRIED)
def keyed_on_whole_input(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    key = json.dumps(block.input, sort_keys=True)
    if key not in sent:
        sent[key] = _send(block, send_email)
    return sent[key]


@wrong(IdempotentTool, "keyed_on_tool_id", scenario=_RETRIED)
def keyed_on_tool_use_id(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    if block.id not in sent:
        sent[block.id] = _send(block, send_email)
    return sent[block.id]


@wrong(IdempotentTool, "over_dedup", scenario="two tickets for the same customer")
def keyed_on_recipient(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    key = block.input["to"]
    if key not in sent:
        sent[key] = _send(block, send_email)
    return sent[key]


@wrong(IdempotentTool, "marked_before_sending", scenario=_MAIL_DOWN)
def marks_first(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    key = block.input["ticket_id"]
    if key in sent:
        return sent[key]
    sent[key] = "pending"
    sent[key] = _send(block, send_email)
    return sent[key]


@wrong(IdempotentTool, "swallowed_send_error", scenario=_MAIL_DOWN)
def swallows_send_errors(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    key = block.input["ticket_id"]
    if key not in sent:
        try:
            sent[key] = _send(block, send_email)
        except Exception:
            return "could not send the email"
    return sent[key]


@wrong(IdempotentTool, "wrong_receipt", scenario=_RETRIED)
def says_already_sent(block, *, send_email, sent):  # type: ignore[no-untyped-def]
    key = block.input["ticket_id"]
    if key in sent:
        return "already sent"
    sent[key] = _send(block, send_email)
    return sent[key]


# --- exercise 3 -------------------------------------------------------------------
_DROPPED = "the connection drops after 6 events, then a clean stream"
_OVERLOADED = "an overloaded_error after 6 events, then a clean stream"
_ALWAYS = "the stream breaks on every attempt (default max_attempts)"
_CAUGHT = (anthropic.APIStatusError, httpx2.TransportError)


def _streamer(
    *,
    caught: tuple[type[BaseException], ...] = _CAUGHT,
    join: Callable[[list[str]], str] = "".join,
    keep_pieces: bool = False,
    tries: Callable[[int], int] = lambda n: n,
    report: str = "partial",
    complete_on_failure: bool = False,
    first_request_id: bool = False,
    retry_any_status: bool = False,
    return_on_status: bool = False,
    shape: str = "dict",
) -> Callable[..., Any]:
    """A learner's stream recovery with one idea wrong."""

    def stream_with_recovery(client, *, max_attempts=3, **params):  # type: ignore[no-untyped-def]
        request_id = None
        pieces: list[str] = []
        for number in range(tries(max_attempts)):
            if not keep_pieces:
                pieces = []
            try:
                with client.messages.stream(**params) as stream:
                    if request_id is None or not first_request_id:
                        request_id = stream.request_id
                    for piece in stream.text_stream:
                        pieces.append(piece)
                if shape == "text":
                    return join(pieces)
                return {"text": join(pieces), "complete": True, "request_id": request_id}
            except caught as error:
                status = getattr(error, "status_code", 200)
                if status != 200 and return_on_status:
                    return {"text": "", "complete": False, "request_id": None}
                if status != 200 and not retry_any_status:
                    raise
                if report == "raise" and number == max_attempts - 1:
                    raise
        text = "" if report == "empty" else join(pieces)
        return {"text": text, "complete": complete_on_failure, "request_id": request_id}

    return stream_with_recovery


for key, scenario, flaws in [
    ("bad_shape", "a clean stream", {"shape": "text"}),
    ("not_retried", _OVERLOADED, {"tries": lambda n: 1}),
    ("transport_error", _DROPPED, {"caught": (anthropic.APIStatusError,)}),
    ("glued", _OVERLOADED, {"keep_pieces": True}),
    ("wrong_text", "a clean stream", {"join": " ".join}),
    ("partial_marked_complete", _ALWAYS, {"complete_on_failure": True}),
    ("dropped_partial", _ALWAYS, {"report": "empty"}),
    ("raised_instead_of_report", _ALWAYS, {"report": "raise"}),
    ("attempt_count", _ALWAYS, {"tries": lambda n: n + 1}),
    ("retried_4xx", "a 400 before the stream starts", {"retry_any_status": True}),
    ("wrong_request_id", _OVERLOADED, {"first_request_id": True}),
    ("swallowed_400", "a 400 before the stream starts", {"return_on_status": True}),
]:
    wrong(StreamRecovery, key, scenario=scenario)(_streamer(**flaws))


@wrong(CallWithRetries, "attempt_count",
       scenario="503 on every attempt (default max_attempts, base_delay, max_delay)")
def three_attempts_by_default(call, *, sleep, max_attempts=3, base_delay=0.5, max_delay=8.0):  # type: ignore[no-untyped-def]
    return _retrier()(call, sleep=sleep, max_attempts=max_attempts, base_delay=base_delay,
                      max_delay=max_delay)


@wrong(StreamRecovery, "attempt_count", scenario=_ALWAYS)
def four_attempts_by_default(client, *, max_attempts=4, **params):  # type: ignore[no-untyped-def]
    return _streamer()(client, max_attempts=max_attempts, **params)


@wrong(StreamRecovery, "changed_request", scenario=_OVERLOADED)
def asks_for_less_on_retry(client, *, max_attempts=3, **params):  # type: ignore[no-untyped-def]
    for _ in range(max_attempts):
        try:
            with client.messages.stream(**params) as stream:
                pieces = list(stream.text_stream)
                return {"text": "".join(pieces), "complete": True,
                        "request_id": stream.request_id}
        except _CAUGHT as error:
            if getattr(error, "status_code", 200) != 200:
                raise
            params = {**params, "max_tokens": params["max_tokens"] // 2}  # "shorter, faster"
    return {"text": "", "complete": False, "request_id": None}


@wrong(StreamRecovery, "mutated_messages", scenario=_OVERLOADED)
def notes_the_retry_in_the_callers_list(client, *, max_attempts=3, **params):  # type: ignore[no-untyped-def]
    text, request_id = "", None
    for _ in range(max_attempts):
        try:
            with client.messages.stream(**params) as stream:
                request_id = stream.request_id
                text = "".join(stream.text_stream)
            return {"text": text, "complete": True, "request_id": request_id}
        except _CAUGHT as error:
            if getattr(error, "status_code", 200) != 200:
                raise
            params["messages"].append({"role": "assistant", "content": "(interrupted)"})
            params["messages"].append({"role": "user", "content": "Please start again."})
    return {"text": text, "complete": False, "request_id": request_id}
