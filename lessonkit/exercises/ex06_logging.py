"""Checkers for exercises/06_logging.ipynb: the recommended request record, and model fallback.

The lesson's record: timestamp, request_id, model, stop_reason, input and
output tokens, latency. Failures get a record too (request_id, error type,
status): they are the calls someone will have to look up.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import anthropic
from anthropic.types import Message

from .. import models
from .harness import BehaviourExercise, attempt, describe, fresh, messages_sent, params

__all__ = [
    "EXERCISES",
    "FAILURE_KEYS",
    "SUCCESS_KEYS",
    "CreateWithFallback",
    "LoggedCreate",
    "aware",
    "create_with_fallback",
    "logged_create",
]

SUCCESS_KEYS = (
    "timestamp", "request_id", "model", "stop_reason", "input_tokens", "output_tokens", "latency",
)
FAILURE_KEYS = ("timestamp", "request_id", "model", "error", "status", "latency")


def logged_create(
    client: anthropic.Anthropic, records: list[dict[str, Any]], **params: Any
) -> Message:
    """Call `messages.create` and append one record for the call to `records`.

    Success: timestamp, request_id, model, stop_reason, input_tokens,
    output_tokens, latency (seconds). Failure: timestamp, request_id (None if no
    response came back), model, error (the error type), status, latency; then
    the error is re-raised.
    """
    started = time.perf_counter()
    record: dict[str, Any] = {"timestamp": datetime.now(UTC), "model": params.get("model")}
    try:
        message: Message = client.messages.create(**params)
    except anthropic.APIError as error:
        record["request_id"] = getattr(error, "request_id", None)
        record["error"] = getattr(error, "type", None) or type(error).__name__
        record["status"] = getattr(error, "status_code", None)
        record["latency"] = time.perf_counter() - started
        records.append(record)
        raise
    record["request_id"] = message._request_id
    record["model"] = message.model
    record["stop_reason"] = message.stop_reason
    record["input_tokens"] = message.usage.input_tokens
    record["output_tokens"] = message.usage.output_tokens
    record["latency"] = time.perf_counter() - started
    records.append(record)
    return message


def aware(value: object) -> bool:
    """True for a timezone-aware datetime, or an ISO 8601 string of one (logs are often text)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
    return isinstance(value, datetime) and value.utcoffset() is not None


_OK = "a successful call"
_CUT = "a call that stops at max_tokens"
_TWICE = "two successful calls logged into the same list"
_BAD = "a 400 invalid_request_error"
_TIMEOUT = "a connection timeout (no response)"


class LoggedCreate(BehaviourExercise):
    """Exercise 1: one record per call, with the request_id, success or failure."""

    name = "ex06_logged_create"
    title = "Log every request"
    entry = "logged_create"
    reference = staticmethod(logged_create)
    hints = (
        "Build the record around the call: `started = time.perf_counter()` before, "
        "latency after. `datetime.now(timezone.utc)` is a timestamp that sorts across machines.",
        "A Message carries `_request_id`, `model`, `stop_reason` and `usage`. Errors: "
        "`getattr(error, 'request_id', None)`, `getattr(error, 'type', None)`, "
        "`getattr(error, 'status_code', None)`.",
        "Wrap only the API call in `try`; in `except`, append the failure record, then "
        "`raise` the same error.",
    )
    scenarios = (_OK, _CUT, _TWICE, _BAD, _TIMEOUT)
    _took = 0.0  #: wall seconds the last call of the learner's function took, all of it
    misconceptions = {
        "record_count": "appended {got} records for one call: append exactly one per call.",
        "missing_keys": "the record lacks {keys}: add them, the recommended record has {want}.",
        "mutated": "changed the parameters you were given ({keys}): pass them on untouched, "
        "logging must not change the request.",
        "wrong_request_id": "logged request_id {got}; the response's is {want}: read it from "
        "message._request_id.",
        "same_request_id": "logged request_id {got} for both calls: every request has its "
        "own id, so read this call's message._request_id each time.",
        "wrong_model": "logged model {got}; the response says {want}: log message.model.",
        "wrong_stop_reason": "logged stop_reason {got} for a reply that stopped at {want}: "
        "log message.stop_reason.",
        "wrong_usage": "logged {got} for {key}; usage says {want}: log message.usage.{key}.",
        "success_as_failure": "the record of a successful call has error={got}: leave `error` "
        "out of success records, or every success is counted as a failure.",
        "bad_timestamp": "timestamp {got} has no timezone: log an aware time (UTC), or logs "
        "from different machines cannot be put in order.",
        "bad_latency": "latency {got} is not a number of seconds (>= 0): subtract two "
        "time.perf_counter() readings.",
        "latency_unit": "latency {got} is more than the {took:.3f} s the whole call took: "
        "log seconds (a time.perf_counter() difference), not milliseconds.",
        "no_failure_record": "logged nothing for a failed call: append a record before you "
        "re-raise, failures are exactly the calls you will need to look up.",
        "failure_without_id": "the failure record has request_id {got}; the error carries "
        "{want}: log error.request_id, the handle Support needs.",
        "failure_without_error": "the failure record says error={error}, status={status}: "
        "log the error type {want} and the status {want_status} (error.type, "
        "error.status_code), not the exception's class name.",
        "failure_model": "the failure record has model={got}: log the model you asked for "
        "({want}), so a failure can be traced to its model.",
        "swallowed": "returned {value} after a failed call: log it, then re-raise the error.",
        "not_returned": "returned {value}: return the Message, so that logging never changes "
        "what the caller gets.",
    }

    def check_answer(self, answer: Any) -> None:
        for label, reply in ((_OK, "end_turn"), (_CUT, "max_tokens")):
            with self.scenario(label):
                with fresh() as (api, client):
                    api.reply("Logged and answered.", stop_reason=reply)
                    records: list[Any] = []
                    message = self._call(answer, client, records)
                    (request,) = messages_sent(api)
                record = self._one(records, SUCCESS_KEYS)
                self._success(record, request, reply)
                if not isinstance(message, Message):
                    self.wrong("not_returned", value=describe(message))
        with self.scenario(_TWICE):
            with fresh() as (api, client):
                api.reply("First.").reply("Second.")
                records = []
                self._call(answer, client, records)
                self._call(answer, client, records)
                ids = [r.request_id for r in messages_sent(api)]
            logged = [r.get("request_id") if isinstance(r, dict) else None for r in records]
            if len(logged) == 2 and logged[0] == logged[1]:
                self.wrong("same_request_id", got=describe(logged[1]))
            if logged != ids:
                self.wrong("wrong_request_id", got=describe(logged), want=ids)
        with self.scenario(_BAD):
            self._failure(answer, "fail", anthropic.BadRequestError, 400)
        with self.scenario(_TIMEOUT):
            self._failure(answer, "timeout", anthropic.APITimeoutError, None)

    def _call(self, answer: Any, client: anthropic.Anthropic, records: list[Any]) -> Any:
        """Call the learner's function, timing it, and check its parameters were left alone."""
        given, kept = params(), params()
        started = time.perf_counter()
        try:
            return answer(client, records, **given)
        finally:
            self._took = time.perf_counter() - started
            if given != kept:
                changed = sorted(k for k in {*given, *kept} if given.get(k) != kept.get(k))
                self.wrong("mutated", keys=", ".join(changed))

    def _success(self, record: dict[str, Any], request: Any, reply: str) -> None:
        want = {
            "request_id": request.request_id,
            "model": request.response["model"],
            **{k: request.usage[k] for k in ("input_tokens", "output_tokens")},
        }
        if record["request_id"] != want["request_id"]:
            self.wrong("wrong_request_id", got=describe(record["request_id"]),
                       want=want["request_id"])
        if record["model"] != want["model"]:
            self.wrong("wrong_model", got=describe(record["model"]), want=want["model"])
        if record["stop_reason"] != reply:
            self.wrong("wrong_stop_reason", got=describe(record["stop_reason"]), want=reply)
        for key in ("input_tokens", "output_tokens"):
            if record[key] != want[key]:
                self.wrong("wrong_usage", got=describe(record[key]), key=key, want=want[key])
        if record.get("error") is not None:
            self.wrong("success_as_failure", got=describe(record["error"]))

    def _one(self, records: list[Any], keys: tuple[str, ...]) -> dict[str, Any]:
        if not records and keys is FAILURE_KEYS:
            self.wrong("no_failure_record")
        if len(records) != 1:
            self.wrong("record_count", got=len(records))
        record: dict[str, Any] = records[0]
        missing = [k for k in keys if not isinstance(record, dict) or k not in record]
        if missing:
            self.wrong("missing_keys", keys=", ".join(missing), want=", ".join(keys))
        if not aware(record["timestamp"]):
            self.wrong("bad_timestamp", got=describe(record["timestamp"]))
        latency = record["latency"]
        if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
            self.wrong("bad_latency", got=describe(latency))
        # Wall time, but no race: the call is inside what we timed, whatever the machine's speed.
        if latency > self._took:
            self.wrong("latency_unit", got=describe(latency), took=self._took)
        return record

    def _failure(self, answer: Any, fault: str, kind: type[Exception], status: int | None) -> None:
        with fresh() as (api, client):
            if fault == "fail":
                api.fail_next(400)
            else:
                api.timeout_next()
            records: list[Any] = []
            outcome = attempt(self._call, answer, client, records)
        if not outcome.raised:
            self.wrong("swallowed", value=describe(outcome.value))
        error = outcome.error
        if not isinstance(error, kind):
            outcome.reraise()
        record = self._one(records, FAILURE_KEYS)
        if record["model"] != params()["model"]:
            self.wrong("failure_model", got=describe(record["model"]), want=params()["model"])
        want_id = getattr(error, "request_id", None)
        if record["request_id"] != want_id:
            self.wrong("failure_without_id", got=describe(record["request_id"]), want=want_id)
        want_error = getattr(error, "type", None) or kind.__name__
        if record["error"] != want_error or record["status"] != status:
            self.wrong("failure_without_error", error=describe(record["error"]),
                       status=describe(record["status"]), want=repr(want_error),
                       want_status=status)


def create_with_fallback(
    client: anthropic.Anthropic,
    candidates: Sequence[str],
    records: list[dict[str, Any]],
    **params: Any,
) -> Message:
    """Try each model in `candidates`, in order; move on only when a model is gone (404).

    Appends {"model", "request_id", "error"} to `records` for each 404. Any other
    error is raised at once. If every candidate is gone, re-raises the last 404.
    """
    for number, model in enumerate(candidates):
        try:
            message: Message = client.messages.create(model=model, **params)
            return message
        except anthropic.NotFoundError as error:
            records.append(
                {"model": model, "request_id": error.request_id, "error": "not_found_error"}
            )
            if number == len(candidates) - 1:
                raise
    raise ValueError("no candidate models given")


_AVAILABLE = "the preferred model is available"
_RETIRED = "the preferred model was retired (404)"
_ALL_GONE = "every candidate was retired"
_OTHER = {"the preferred model is overloaded (529)": 529, "an invalid request (400)": 400}


class CreateWithFallback(BehaviourExercise):
    """Exercise 2: fall back to a current model when the preferred one is retired."""

    name = "ex06_create_with_fallback"
    title = "Survive a model retirement"
    entry = "create_with_fallback"
    reference = staticmethod(create_with_fallback)
    hints = (
        "Loop over `candidates`; `return client.messages.create(model=model, **params)` on the "
        "first that works.",
        "Catch only `anthropic.NotFoundError`: a 529 or a 400 says nothing about the model "
        "being gone. Log `error.request_id` before moving on.",
        "On the last candidate, `raise` the 404 instead of moving on.",
    )
    scenarios = (_AVAILABLE, _RETIRED, *_OTHER, _ALL_GONE)
    misconceptions = {
        "no_fallback": "raised {error} when {model} was retired: a 404 for the model means it "
        "is gone, so try the next candidate.",
        "wrong_model": "the answer came from {got}, not {want}: try the candidates in order "
        "and return the answer of the first that still exists.",
        "fell_back_on_other": "switched from {first} to {second} after a {status}: only a 404 "
        "means the model is gone; raise anything else instead of silently changing models.",
        "no_log": "did not log the 404 of {model} with its request_id {want}: append "
        "{{\"model\", \"request_id\", \"error\"}}, that id is how you (and Support) find "
        "out why the model changed.",
        "wrong_error_type": "logged error={got} for the 404 of {model}: log the API's error "
        "type, 'not_found_error' (error.type), not the exception's class name.",
        "mutated": "changed the {what} you were given: leave the caller's {what} as they were.",
        "swallowed": "returned {value} when every candidate was gone: re-raise the last "
        "NotFoundError.",
        "retried_gone": "asked {model} {times} times after its 404: a retired model stays "
        "gone, so move on to the next candidate at once.",
        "logged_other": "appended {records} for a {status}: log only the 404s, the "
        "retirements someone has to look into.",
        "gave_up_early": "raised after trying {got} of the {want} candidates: try every "
        "candidate before you re-raise the last 404.",
        "other_swallowed": "returned {value} after a {status}: raise that error at once, it "
        "says nothing about the model being gone.",
    }

    def check_answer(self, answer: Any) -> None:
        chain = models.fallback_chain()
        ask = {k: v for k, v in params().items() if k != "model"}
        with self.scenario(_AVAILABLE):
            with fresh() as (api, client):
                kept = copy.deepcopy(ask)
                message = answer(client, chain, [], **kept)
                self._answered(message, messages_sent(api), chain[0])
            if kept != ask:
                self.wrong("mutated", what="parameters")
        with self.scenario(_RETIRED):
            with fresh() as (api, client):
                api.retire_model(chain[0])
                records: list[Any] = []
                given = list(chain)
                outcome = attempt(answer, client, given, records, **ask)
                sent = messages_sent(api)
            if given != list(chain):
                self.wrong("mutated", what="candidates")
            asked = [r.model for r in sent]
            if asked.count(chain[0]) > 1:
                self.wrong("retried_gone", model=chain[0], times=asked.count(chain[0]))
            if isinstance(outcome.error, anthropic.NotFoundError):
                self.wrong("no_fallback", error=type(outcome.error).__name__, model=chain[0])
            if outcome.raised:
                outcome.reraise()
            self._answered(outcome.value, sent, chain[1])
            self._logged(records, chain[0], sent[0].request_id)
        for label, status in _OTHER.items():
            with self.scenario(label):
                with fresh() as (api, client):
                    api.fail_next(status)
                    records = []
                    outcome = attempt(answer, client, chain, records, **ask)
                    sent = messages_sent(api)
                said = f"{status} {sent[0].error_type}"
                if len(sent) > 1:
                    self.wrong("fell_back_on_other", first=sent[0].model, second=sent[1].model,
                               status=said)
                if records:
                    self.wrong("logged_other", records=describe(records, 80), status=said)
                if not outcome.raised:
                    self.wrong("other_swallowed", value=describe(outcome.value), status=said)
                error = outcome.error
                if not (isinstance(error, anthropic.APIStatusError)
                        and error.status_code == status):
                    outcome.reraise()
        with self.scenario(_ALL_GONE):
            with fresh() as (api, client):
                for model in chain:
                    api.retire_model(model)
                records = []
                outcome = attempt(answer, client, chain, records, **ask)
                sent = messages_sent(api)
            if not outcome.raised:
                self.wrong("swallowed", value=describe(outcome.value))
            if not isinstance(outcome.error, anthropic.NotFoundError):
                outcome.reraise()
            if len(sent) < len(chain):
                self.wrong("gave_up_early", got=len(sent), want=len(chain))
            for request in sent:
                self._logged(records, str(request.model), request.request_id)

    def _answered(self, message: object, sent: list[Any], want: str) -> None:
        got = message.model if isinstance(message, Message) else describe(message)
        if got != want:
            self.wrong("wrong_model", got=got, want=want)

    def _logged(self, records: list[Any], model: str, request_id: str) -> None:
        logged = any(
            isinstance(r, dict) and r.get("request_id") == request_id and r.get("model") == model
            for r in records
        )
        if not logged:
            self.wrong("no_log", model=model, want=request_id)
        for record in records:
            if record.get("request_id") == request_id and record.get("error") != "not_found_error":
                self.wrong("wrong_error_type", got=describe(record.get("error")), model=model)


EXERCISES = (LoggedCreate, CreateWithFallback)
