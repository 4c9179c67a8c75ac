"""Checkers for exercises/04_retries.ipynb: your own retry loop, idempotent tools, broken streams.

Every scenario uses a client built with ``max_retries=0`` (or the SDK default
where the exercise is about what the SDK does *not* retry), so each attempt
the checker sees is one the learner made.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import anthropic
import httpx2
from anthropic.types import Message, ToolUseBlock

from .harness import (
    BehaviourExercise,
    Outcome,
    SleepLog,
    attempt,
    describe,
    fresh,
    messages_sent,
    params,
    used_time_sleep,
)

__all__ = [
    "EXERCISES",
    "CallWithRetries",
    "IdempotentTool",
    "StreamRecovery",
    "call_with_retries",
    "run_tool",
    "stream_with_recovery",
]


def call_with_retries(
    call: Callable[[], Any],
    *,
    sleep: Callable[[float], object],
    max_attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
) -> Any:
    """Return `call()`, retrying transient failures; re-raise the last error when out of attempts.

    Transient: connection errors, 408, 409, 429 and every 5xx (529 included).
    Before retry n (0, 1, 2, ...) wait `retry-after` seconds if the error
    carries that header, else min(max_delay, base_delay * 2**n) minus up to
    25 % random jitter. Wait only through `sleep`.
    """
    for number in range(max_attempts):
        try:
            return call()
        except (anthropic.APIConnectionError, anthropic.APIStatusError) as error:
            status = getattr(error, "status_code", None)  # None: no HTTP answer at all
            transient = status is None or status in (408, 409, 429) or status >= 500
            if not transient or number == max_attempts - 1:
                raise
            delay = min(max_delay, base_delay * 2**number) * (1 - 0.25 * random.random())
            if isinstance(error, anthropic.APIStatusError):
                try:
                    asked = float(error.response.headers.get("retry-after", ""))
                except ValueError:
                    asked = 0.0
                if 0 < asked <= 60:
                    delay = asked
            sleep(delay)
    raise ValueError("max_attempts must be at least 1")


_FATAL = {
    400: ("invalid_request_error", "an invalid request never succeeds on retry"),
    401: ("authentication_error", "a wrong API key stays wrong"),
    403: ("permission_error", "the key will not gain the permission by asking again"),
    404: ("not_found_error", "what is missing stays missing"),
    413: ("request_too_large", "the request is just as large the second time"),
}
_TRANSIENT = {
    "529, 529, then success": (lambda api: api.fail_next(529, 2), 3, "a 529 overloaded_error"),
    "500 then success": (lambda api: api.fail_next(500), 2, "a 500 api_error"),
    "a connection timeout, then success": (
        lambda api: api.timeout_next(),
        2,
        "a connection error (APITimeoutError)",
    ),
}
_RETRY_AFTER = 7.0
_OUTAGE = "503 on every attempt (max_attempts=3)"
_CAP = "529 on every attempt (max_attempts=7, base_delay=1, max_delay=5)"


class CallWithRetries(BehaviourExercise):
    """Exercise 1: a retry wrapper with an injectable sleep."""

    name = "ex04_call_with_retries"
    title = "Your own retry loop"
    entry = "call_with_retries"
    timeout = 15.0
    reference = staticmethod(call_with_retries)
    hints = (
        "Catch `anthropic.APIConnectionError` (no status at all) and `anthropic.APIStatusError`; "
        "decide from `error.status_code`: 408, 409, 429 and >= 500 are transient, other 4xx "
        "are not.",
        "Count attempts, not retries: with max_attempts=3 you call at most 3 times and sleep "
        "at most twice. On the last attempt, or for a non-transient error, a bare `raise` "
        "re-raises the error you caught.",
        "`error.response.headers.get('retry-after')` is a string of seconds. Otherwise "
        "`min(max_delay, base_delay * 2**n) * (1 - 0.25 * random.random())`.",
    )
    scenarios = (
        "succeeds at once",
        *_TRANSIENT,
        f"429 with retry-after: {_RETRY_AFTER:g}, then success",
        *(f"HTTP {status} {kind}" for status, (kind, _) in _FATAL.items()),
        _OUTAGE,
        _CAP,
    )
    misconceptions = {
        "retried_4xx": "retried a {status} {kind}: {why}. Retry only 408, 409, 429, 5xx "
        "and connection errors.",
        "not_retried": "gave up after {what}: it is transient, so retry it.",
        "swallowed": "returned {value} instead of raising the {kind}: re-raise the error so "
        "the caller sees its status and request_id.",
        "replaced_error": "raised {got} instead of re-raising the {want} from the last attempt "
        "(a bare `raise` keeps its status and request_id).",
        "wrong_result": "returned {value}, not the Message that `call()` returned.",
        "time_sleep": "waited with time.sleep instead of the `sleep` you were given: the "
        "caller (and this checker) can no longer see or control your waits.",
        "wait_count": "slept {got} time(s) for {want} retr(ies): sleep exactly once before "
        "each retry, never after the last attempt.",
        "ignored_retry_after": "waited {got:g} s after a 429 that said retry-after: {want:g}: "
        "the server told you when to come back, so wait that long.",
        "constant_delay": "waited about the same before every retry ({waits}): back off "
        "exponentially (base_delay * 2**n) so a struggling API gets room to recover.",
        "no_cap": "waited {got:g} s before one retry, more than max_delay={cap:g}: cap the "
        "backoff.",
        "wrong_backoff": "waited {got:g} s before retry {n}; expected {low:g} to {high:g} s "
        "(min(max_delay, base_delay * 2**n), minus up to 25 % jitter).",
        "no_jitter": "waited exactly {waits}: without random jitter every client that failed "
        "together retries together, and fails together again.",
        "attempt_count": "made {got} attempts with max_attempts={want}: the first call counts "
        "as an attempt.",
        "never_gives_up": "kept retrying an outage ({got} waits so far with max_attempts={want}): "
        "give up after max_attempts and raise the last error.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("succeeds at once"):
            self._succeeds(answer, lambda api: None, attempts=1, what="")
        for label, (plan, attempts, what) in _TRANSIENT.items():
            with self.scenario(label):
                self._succeeds(answer, plan, attempts=attempts, what=what)
        with self.scenario(f"429 with retry-after: {_RETRY_AFTER:g}, then success"):
            waits = self._succeeds(
                answer,
                lambda api: api.fail_next(429, retry_after=_RETRY_AFTER),
                attempts=2,
                what="a 429 rate_limit_error",
                backoff=False,
            )
            if not _RETRY_AFTER <= waits[0] <= _RETRY_AFTER * 1.25:
                self.wrong("ignored_retry_after", got=waits[0], want=_RETRY_AFTER)
        for status, (kind, why) in _FATAL.items():
            with self.scenario(f"HTTP {status} {kind}"):
                self._fatal(answer, status, kind, why)
        with self.scenario(_OUTAGE):
            self._exhausts(answer, max_attempts=3, base_delay=0.5, max_delay=8.0)
        with self.scenario(_CAP):
            self._exhausts(answer, max_attempts=7, base_delay=1.0, max_delay=5.0)

    # --- one scenario each ----------------------------------------------------------
    def _run(self, answer: Any, plan: Callable[[Any], object], **options: float) -> tuple[
        Outcome, list[Any], SleepLog, bool
    ]:
        with fresh() as (api, client):
            plan(api)
            log = SleepLog(api, limit=40)
            outcome = attempt(
                answer, lambda: client.messages.create(**params()), sleep=log, **options
            )
            return outcome, messages_sent(api), log, used_time_sleep(api)

    def _succeeds(
        self,
        answer: Any,
        plan: Callable[[Any], object],
        *,
        attempts: int,
        what: str,
        backoff: bool = True,
    ) -> list[float]:
        outcome, sent, log, slept = self._run(answer, plan)
        if outcome.raised:
            if isinstance(outcome.error, anthropic.APIError) and what:
                self.wrong("not_retried", what=what)
            outcome.reraise()
        last = sent[-1].response if sent else None
        value = outcome.value
        if not (isinstance(value, Message) and isinstance(last, dict) and value.id == last["id"]):
            self.wrong("wrong_result", value=describe(value))
        if not log.waits and slept:
            self.wrong("time_sleep")
        if len(log.waits) != attempts - 1:
            self.wrong("wait_count", got=len(log.waits), want=attempts - 1)
        if backoff:
            self._backoff(log.waits, base_delay=0.5, max_delay=8.0)
        return log.waits

    def _fatal(self, answer: Any, status: int, kind: str, why: str) -> None:
        outcome, sent, _, _ = self._run(answer, lambda api: api.fail_next(status))
        if len(sent) > 1:
            self.wrong("retried_4xx", status=status, kind=kind, why=why)
        self._reraised(outcome, sent, kind)

    def _exhausts(
        self, answer: Any, *, max_attempts: int, base_delay: float, max_delay: float
    ) -> None:
        outcome, sent, log, slept = self._run(
            answer,
            lambda api: api.scenario("outage") if max_attempts == 3 else api.fail_next(529, 99),
            max_attempts=max_attempts,
            base_delay=base_delay,
            max_delay=max_delay,
        )
        if outcome.runaway:
            self.wrong("never_gives_up", got=len(log.waits), want=max_attempts)
        if len(sent) != max_attempts:
            self.wrong("attempt_count", got=len(sent), want=max_attempts)
        if not log.waits and slept:
            self.wrong("time_sleep")
        if len(log.waits) != max_attempts - 1:
            self.wrong("wait_count", got=len(log.waits), want=max_attempts - 1)
        self._backoff(log.waits, base_delay=base_delay, max_delay=max_delay)
        self._reraised(outcome, sent, sent[-1].error_type or "error")

    def _reraised(self, outcome: Outcome, sent: list[Any], kind: str) -> None:
        error = outcome.error
        if error is None:
            self.wrong("swallowed", value=describe(outcome.value), kind=kind)
        want = sent[-1].request_id
        if not (isinstance(error, anthropic.APIStatusError) and error.request_id == want):
            deliberate = isinstance(error, anthropic.APIError) or isinstance(
                error.__cause__ or error.__context__, anthropic.APIError
            )
            if not deliberate:
                outcome.reraise()
            self.wrong("replaced_error", got=describe(error, 60), want=f"{kind} ({want})")

    def _backoff(self, waits: list[float], *, base_delay: float, max_delay: float) -> None:
        nominal = [min(max_delay, base_delay * 2**n) for n in range(len(waits))]
        shown = ", ".join(f"{w:g} s" for w in waits)
        if len(waits) >= 2 and max(waits[:3]) <= min(waits[:3]) * 1.3:
            self.wrong("constant_delay", waits=shown)
        for n, (got, high) in enumerate(zip(waits, nominal, strict=True)):
            if got > max_delay + 1e-9:
                self.wrong("no_cap", got=got, cap=max_delay)
            if not 0.75 * high - 1e-9 <= got <= high + 1e-9:
                self.wrong("wrong_backoff", got=got, n=n, low=0.75 * high, high=high)
        if len(waits) >= 3 and all(abs(w - h) < 1e-12 for w, h in zip(waits, nominal, strict=True)):
            self.wrong("no_jitter", waits=shown)



# --- exercise 2: an idempotent side effect ------------------------------------------
def run_tool(block: ToolUseBlock, *, send_email: Callable[..., str], sent: dict[str, str]) -> str:
    """Run the model's `send_email` tool call at most once per ticket; return its receipt.

    `sent` outlives retries (think: a database table): it maps your dedup key to
    the receipt `send_email` returned, so a repeated call answers without sending.
    """
    key = f"send_email/{block.input['ticket_id']}"  # the business operation, not block.id
    if key not in sent:
        sent[key] = send_email(
            to=block.input["to"], subject=block.input["subject"], body=block.input["body"]
        )
    return sent[key]


EMAIL_TOOL = {
    "name": "send_email",
    "description": "Email a customer about their support ticket.",
    "input_schema": {
        "type": "object",
        "properties": {
            "ticket_id": {"type": "string"},
            "to": {"type": "string"},
            "subject": {"type": "string"},
            "body": {"type": "string"},
        },
        "required": ["ticket_id", "to", "subject", "body"],
    },
}
_BODIES = ("Your ticket {0} is resolved.", "Good news: ticket {0} has been resolved.")


class MailServerDown(ConnectionError):
    """The checker's mail server, failing once."""


class _Mailbox:
    """The checker's `send_email`: counts real sends, and can make the world fail."""

    def __init__(self, api: Any, fail: str | None = None) -> None:
        self.api, self.fail = api, fail
        self.calls = 0
        self.outbox: list[dict[str, object]] = []

    def send_email(self, to: object, subject: object, body: object, **_: object) -> str:
        self.calls += 1
        if self.fail == "mail server" and self.calls == 1:
            raise MailServerDown("mail server unavailable, nothing was sent")
        self.outbox.append({"to": to, "subject": subject, "body": body})
        if self.fail == "api" and len(self.outbox) == 1:
            self.api.fail_next(529)  # the follow-up request of this turn will fail
        return f"email-{len(self.outbox)}"


class IdempotentTool(BehaviourExercise):
    """Exercise 2: a tool call that must not run twice when the turn is retried."""

    name = "ex04_run_tool"
    title = "An idempotent tool call"
    entry = "run_tool"
    timeout = 10.0
    reference = staticmethod(run_tool)
    hints = (
        "A retried turn asks the model again, and the new `tool_use` block has a new `id` "
        "(and may word the email differently). What stays the same is the ticket.",
        "Check `sent` before sending; store the receipt only after `send_email` returned, so a "
        "failed send is tried again next time.",
    )
    scenarios = (
        "529 right after the email was sent; the turn is retried",
        "two tickets for the same customer",
        "the mail server fails once; the turn is retried",
    )
    misconceptions = {
        "never_sent": "never sent the email for ticket T-1: the tool has to call send_email.",
        "sent_twice": "sent the email for ticket T-1 twice when the turn was retried: derive the "
        "dedup key from the ticket (the business operation), not from generated text.",
        "keyed_on_tool_id": "keyed the dedup on the tool_use id, so the retried turn (a new "
        "request, a new id) sent the email again: key on the ticket.",
        "over_dedup": "sent {got} email(s) for two different tickets: the dedup key must tell "
        "operations apart, not just customers.",
        "marked_before_sending": "recorded ticket T-1 as sent before send_email succeeded; the "
        "send failed, so the retry skipped it and the customer never got the email.",
        "swallowed_send_error": "caught the mail server's error and returned normally: the "
        "turn was not retried and the email was never sent. Let the error propagate.",
        "wrong_receipt": "returned {value} on {when}; return the receipt send_email gave "
        "({want}), so the model is told the email went out.",
    }

    def check_answer(self, answer: Any) -> None:
        sent: dict[str, str] = {}
        with self.scenario("529 right after the email was sent; the turn is retried"):
            with fresh() as (api, client):
                box = _Mailbox(api, fail="api")
                returned, _ = self._ticket(api, client, answer, "T-1", box, sent)
            if not box.outbox:
                self.wrong("never_sent")
            if len(box.outbox) > 1:
                keyed_on_id = any(str(key).find("toolu_") >= 0 for key in sent)
                self.wrong("keyed_on_tool_id" if keyed_on_id else "sent_twice")
            for when, value in zip(("the first call", "the repeated call"), returned, strict=False):
                if value != "email-1":
                    self.wrong("wrong_receipt", value=describe(value), when=when, want="email-1")
        with self.scenario("two tickets for the same customer"):
            with fresh() as (api, client):
                box = _Mailbox(api)
                sent = {}
                for ticket in ("T-1", "T-2"):
                    self._ticket(api, client, answer, ticket, box, sent)
            if len(box.outbox) != 2:
                self.wrong("over_dedup", got=len(box.outbox))
        with self.scenario("the mail server fails once; the turn is retried"):
            with fresh() as (api, client):
                box = _Mailbox(api, fail="mail server")
                _, turns = self._ticket(api, client, answer, "T-1", box, {})
            if not box.outbox:
                self.wrong("swallowed_send_error" if turns == 1 else "marked_before_sending")

    def _ticket(
        self, api: Any, client: anthropic.Anthropic, answer: Any, ticket: str, box: _Mailbox,
        sent: dict[str, str],
    ) -> tuple[list[object], int]:
        """One support turn, retried whole (up to 3 times) on a 529 or a mail server failure."""
        returned: list[object] = []
        ask = [{"role": "user", "content": f"Tell the customer that ticket {ticket} is resolved."}]
        for turn in range(3):
            tool_input = {"ticket_id": ticket, "to": "kim@example.com",
                          "subject": f"Ticket {ticket}", "body": _BODIES[turn % 2].format(ticket)}
            api.reply(tool_use={"name": "send_email", "input": tool_input})
            first = client.messages.create(**params(tools=[EMAIL_TOOL], messages=ask))
            try:
                results = []
                for block in first.content:
                    if isinstance(block, ToolUseBlock):
                        receipt = answer(block, send_email=box.send_email, sent=sent)
                        returned.append(receipt)
                        result = {"type": "tool_result", "tool_use_id": block.id}
                        results.append({**result, "content": str(receipt)})
                follow_up = [*ask, {"role": "assistant", "content": first.content},
                             {"role": "user", "content": results}]
                client.messages.create(**params(tools=[EMAIL_TOOL], messages=follow_up))
                return returned, turn + 1
            except (anthropic.APIStatusError, MailServerDown):
                continue
        return returned, 3


# --- exercise 3: a stream that breaks after its 200 -----------------------------------
def stream_with_recovery(
    client: anthropic.Anthropic, *, max_attempts: int = 3, **params: Any
) -> dict[str, Any]:
    """Stream an answer; if the stream breaks after it started, start it again from scratch.

    Returns {"text": ..., "complete": ..., "request_id": ...} for the attempt that
    finished, or, when every attempt broke, the partial text of the last one with
    complete=False. Errors before the stream starts are the SDK's to retry: let
    them propagate.
    """
    text, request_id = "", None
    for _ in range(max_attempts):
        pieces: list[str] = []
        try:
            with client.messages.stream(**params) as stream:
                request_id = stream.request_id  # known as soon as the 200 arrives
                for piece in stream.text_stream:
                    pieces.append(piece)
            return {"text": "".join(pieces), "complete": True, "request_id": request_id}
        except anthropic.APIStatusError as error:
            if error.status_code != 200:  # not mid-stream: the SDK already retried it
                raise
        except httpx2.TransportError:  # the connection dropped mid-stream
            pass
        text = "".join(pieces)
    return {"text": text, "complete": False, "request_id": request_id}


_ANSWER = "Retries need backoff, jitter, a cap, and a clear point at which to give up."
_BROKEN = {
    "an overloaded_error after 6 events, then a clean stream": "error",
    "the connection drops after 6 events, then a clean stream": "drop",
}
_ALWAYS_BROKEN = "the stream breaks on every attempt (max_attempts=3)"


class StreamRecovery(BehaviourExercise):
    """Exercise 3: keep partial output; retry or report a stream that broke mid-way."""

    name = "ex04_stream_with_recovery"
    title = "Recovering from a broken stream"
    entry = "stream_with_recovery"
    timeout = 10.0
    reference = staticmethod(stream_with_recovery)
    hints = (
        "Put the whole `with client.messages.stream(...)` block inside `try`, and the "
        "`try` inside a loop over attempts. Collect the pieces of *this* attempt in a fresh list.",
        "A mid-stream `error` event raises `anthropic.APIStatusError` with `status_code == 200`; "
        "a dropped connection raises `httpx2.TransportError`. Any other status came before the "
        "stream started, so the SDK has retried it already: re-raise it.",
        "Read `stream.request_id` right after the stream opens: it is known even if the stream "
        "later breaks.",
    )
    scenarios = (
        "a clean stream",
        *_BROKEN,
        _ALWAYS_BROKEN,
        "a 400 before the stream starts",
    )
    misconceptions = {
        "bad_shape": "returned {value}: return a dict with 'text', 'complete' and 'request_id'.",
        "not_retried": "did not retry after the stream broke: the SDK never retries an error "
        "that arrives after the 200, so that one is yours.",
        "transport_error": "a dropped connection escaped as {error}: it is an "
        "httpx2.TransportError, not an anthropic error, so catch it too.",
        "glued": "joined the broken attempt's partial text to the retry's text: a retry "
        "starts the answer from scratch, so keep only the attempt that finished.",
        "wrong_text": "returned text {got}, expected the full answer {want}.",
        "partial_marked_complete": "reported complete=True for text that was cut off.",
        "dropped_partial": "returned no text when every attempt broke: keep the partial text "
        "of the last attempt; it is better than nothing, if it is labelled as incomplete.",
        "raised_instead_of_report": "raised {error} after the last attempt broke: report the "
        "partial text with complete=False instead.",
        "attempt_count": "made {got} attempt(s) with max_attempts={want}.",
        "retried_4xx": "retried a 400 that came before the stream started: only breaks after "
        "the 200 are yours to retry, and an invalid request never succeeds on retry anyway.",
        "wrong_request_id": "request_id {got} is not the id of the attempt that produced the "
        "text ({want}).",
        "swallowed_400": "returned {value} after a 400 before the stream started: let errors "
        "the SDK raises before the stream propagate.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("a clean stream"):
            self._recovers(answer, None)
        for label, fault in _BROKEN.items():
            with self.scenario(label):
                self._recovers(answer, fault)
        with self.scenario(_ALWAYS_BROKEN):
            with fresh() as (api, client):
                api.reply(_ANSWER, times=3)
                for _ in range(3):
                    api.fail_stream(after_events=6)
                outcome = attempt(answer, client, max_attempts=3, **params())
                sent = messages_sent(api)
            if outcome.raised:
                if isinstance(outcome.error, anthropic.APIError):
                    self.wrong("raised_instead_of_report", error=describe(outcome.error, 60))
                outcome.reraise()
            if len(sent) != 3:
                self.wrong("attempt_count", got=len(sent), want=3)
            result = self._shape(outcome.value)
            if result["complete"] is not False:
                self.wrong("partial_marked_complete")
            if not result["text"]:
                self.wrong("dropped_partial")
            if not _ANSWER.startswith(result["text"]) or result["text"] == _ANSWER:
                self.wrong("wrong_text", got=describe(result["text"]), want=describe(_ANSWER))
            self._request_id(result, sent[-1].request_id)
        with self.scenario("a 400 before the stream starts"):
            with fresh(max_retries=2) as (api, client):
                api.fail_next(400)
                outcome = attempt(answer, client, **params())
                sent = messages_sent(api)
            if len(sent) > 1:
                self.wrong("retried_4xx")
            if outcome.raised and not isinstance(outcome.error, anthropic.BadRequestError):
                outcome.reraise()
            if not outcome.raised:
                self.wrong("swallowed_400", value=describe(outcome.value))

    def _recovers(self, answer: Any, fault: str | None) -> None:
        with fresh(max_retries=2) as (api, client):
            api.reply(_ANSWER, times=2)
            if fault == "error":
                api.fail_stream(after_events=6)
            elif fault == "drop":
                api.drop_stream(after_events=6)
            outcome = attempt(answer, client, **params())
            sent = messages_sent(api)
        if outcome.raised:
            if isinstance(outcome.error, httpx2.TransportError):
                self.wrong("transport_error", error=describe(outcome.error, 60))
            if isinstance(outcome.error, anthropic.APIStatusError):
                self.wrong("not_retried")
            outcome.reraise()
        result = self._shape(outcome.value)
        if fault and len(sent) == 1:
            self.wrong("not_retried")
        if result["text"] != _ANSWER:
            glued = result["text"].endswith(_ANSWER) and len(result["text"]) > len(_ANSWER)
            if glued:
                self.wrong("glued")
            self.wrong("wrong_text", got=describe(result["text"]), want=describe(_ANSWER))
        if result["complete"] is not True:
            self.wrong("bad_shape", value=describe(result))
        self._request_id(result, sent[-1].request_id)

    def _shape(self, value: object) -> dict[str, Any]:
        if not (isinstance(value, dict) and {"text", "complete", "request_id"} <= set(value)):
            self.wrong("bad_shape", value=describe(value))
        if not isinstance(value["text"], str):
            self.wrong("bad_shape", value=describe(value))
        return value

    def _request_id(self, result: dict[str, Any], want: str) -> None:
        if result["request_id"] != want:
            self.wrong("wrong_request_id", got=describe(result["request_id"]), want=want)


EXERCISES = (CallWithRetries, IdempotentTool, StreamRecovery)
