"""Exercise 04.1: your own retry loop, checked against fault plans with an injected sleep.

The client handed to the learner's `call` has ``max_retries=0``, so every
attempt the fake API records is one the learner made.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

import anthropic
from anthropic.types import Message

from ..harness import (
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

__all__ = ["CallWithRetries", "call_with_retries"]


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
    carries that header with a positive number (any, like the SDK), else
    min(max_delay, base_delay * 2**n) minus up to 25 % random jitter.
    Wait only through `sleep`.
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
                if asked > 0:
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
    "408 then success": (lambda api: api.fail_next(408), 2, "a 408 timeout_error"),
    "409 then success": (lambda api: api.fail_next(409), 2, "a 409 conflict_error"),
    "a connection timeout, then success": (
        lambda api: api.timeout_next(),
        2,
        "a connection error (APITimeoutError)",
    ),
}
#: A short and a long retry-after: the SDK (2.x) waits whatever positive time it is told.
_RETRY_AFTERS = (1.0, 90.0)
_DEFAULTS = "503 on every attempt (default max_attempts, base_delay, max_delay)"
_DEFAULT_CAP = "529 on every attempt (max_attempts=10, default base_delay and max_delay)"
def _rate_limited(api: Any, *, after: float) -> None:
    api.fail_next(429, retry_after=after)


_SEED = 4  #: seeds `random` for each scenario (restored after); any jitter draw is repeatable
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
        *(f"429 with retry-after: {after:g}, then success" for after in _RETRY_AFTERS),
        *(f"HTTP {status} {kind}" for status, (kind, _) in _FATAL.items()),
        _OUTAGE,
        _CAP,
        _DEFAULTS,
        _DEFAULT_CAP,
    )
    misconceptions = {
        "retried_4xx": "retried a {status} {kind}: {why}. Retry only 408, 409, 429, 5xx "
        "and connection errors.",
        "not_retried": "gave up after {what}: it is transient, so retry it.",
        "swallowed": "returned {value} instead of raising the {kind}: re-raise the error so "
        "the caller sees its status and request_id.",
        "replaced_error": "raised {got} instead of re-raising the {want} from the last attempt "
        "(a bare `raise` keeps its status and request_id).",
        "wrong_result": "returned {value}, not the Message that `call()` returned: return "
        "that Message as it is.",
        "time_sleep": "waited with time.sleep instead of the `sleep` you were given: the "
        "caller (and this checker) can no longer see or control your waits.",
        "wait_count": "slept {got} time(s) for {want} retr(ies): sleep exactly once before "
        "each retry, never after the last attempt.",
        "ignored_retry_after": "waited {got:g} s after a 429 that said retry-after: {want:g}: "
        "the server told you when to come back, so wait that long (any positive value, "
        "as the SDK does).",
        "constant_delay": "waited about the same before every retry ({waits}): back off "
        "exponentially (base_delay * 2**n) so a struggling API gets room to recover.",
        "no_cap": "waited {got:g} s before one retry, more than max_delay={cap:g}: cap the "
        "backoff.",
        "wrong_backoff": "waited {got:g} s before retry {n}, not {low:g} to {high:g} s: wait "
        "min(max_delay, base_delay * 2**n) minus up to 25 % jitter.",
        "no_jitter": "waited exactly {waits}, so every client that failed together retries "
        "together and fails together again: subtract up to 25 % random jitter from each wait.",
        "attempt_count": "made {got} attempts with max_attempts={want}: count the first call "
        "as an attempt, and keep the defaults of the signature in the exercise.",
        "never_gives_up": "kept retrying an outage ({got} waits so far with max_attempts={want}): "
        "give up after max_attempts and raise the last error.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("succeeds at once"):
            self._succeeds(answer, lambda api: None, attempts=1, what="")
        for label, (plan, attempts, what) in _TRANSIENT.items():
            with self.scenario(label):
                self._succeeds(answer, plan, attempts=attempts, what=what)
        for after in _RETRY_AFTERS:
            with self.scenario(f"429 with retry-after: {after:g}, then success"):
                waits = self._succeeds(
                    answer,
                    functools.partial(_rate_limited, after=after),
                    attempts=2,
                    what="a 429 rate_limit_error",
                    backoff=False,
                )
                if not after <= waits[0] <= after * 1.25:
                    self.wrong("ignored_retry_after", got=waits[0], want=after)
        for status, (kind, why) in _FATAL.items():
            with self.scenario(f"HTTP {status} {kind}"):
                self._fatal(answer, status, kind, why)
        with self.scenario(_OUTAGE):
            self._exhausts(answer, max_attempts=3, base_delay=0.5, max_delay=8.0)
        with self.scenario(_CAP):
            self._exhausts(answer, max_attempts=7, base_delay=1.0, max_delay=5.0)
        with self.scenario(_DEFAULTS):
            self._exhausts(answer, max_attempts=4, base_delay=0.5, max_delay=8.0, given=())
        with self.scenario(_DEFAULT_CAP):
            self._exhausts(answer, max_attempts=10, base_delay=0.5, max_delay=8.0,
                           given=("max_attempts",))

    # --- one scenario each ----------------------------------------------------------
    def _run(self, answer: Any, plan: Callable[[Any], object], **options: float) -> tuple[
        Outcome, list[Any], SleepLog, bool
    ]:
        state = random.getstate()  # a fixed jitter sequence: the same answer, the same verdict
        random.seed(_SEED)
        try:
            with fresh() as (api, client):
                plan(api)
                log = SleepLog(api, limit=40)
                outcome = attempt(
                    answer, lambda: client.messages.create(**params()), sleep=log, **options
                )
                return outcome, messages_sent(api), log, used_time_sleep(api)
        finally:
            random.setstate(state)

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
                self.wrong("not_retried", what=what, cause=outcome.error)
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
        self,
        answer: Any,
        *,
        max_attempts: int,
        base_delay: float,
        max_delay: float,
        given: tuple[str, ...] = ("max_attempts", "base_delay", "max_delay"),
    ) -> None:
        """Every attempt fails; only the options in `given` are passed (the rest: defaults)."""
        options = {"max_attempts": max_attempts, "base_delay": base_delay, "max_delay": max_delay}
        outcome, sent, log, slept = self._run(
            answer,
            lambda api: api.scenario("outage") if max_attempts < 7 else api.fail_next(529, 99),
            **{name: options[name] for name in given},
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
            self.wrong("replaced_error", got=describe(error, 60), want=f"{kind} ({want})",
                       cause=error)

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
