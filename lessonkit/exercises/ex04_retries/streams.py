"""Exercise 04.3: a stream that breaks after its 200 is the caller's to retry or report.

The SDK retries errors before the stream starts (these clients keep
``max_retries=2``) but never an error event or a dropped connection
mid-stream: that is what the learner handles.
"""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2

from ..harness import (
    MUTATED_MESSAGES,
    BehaviourExercise,
    attempt,
    describe,
    fresh,
    kept,
    messages_sent,
    params,
)

__all__ = ["StreamRecovery", "stream_with_recovery"]


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
_ALWAYS_BROKEN = "the stream breaks on every attempt (default max_attempts)"


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
        "that arrives after the 200, so retry it yourself with a fresh stream.",
        "transport_error": "a dropped connection escaped as {error}: it is an "
        "httpx2.TransportError, not an anthropic error, so catch it too.",
        "glued": "joined the broken attempt's partial text to the retry's text: a retry "
        "starts the answer from scratch, so keep only the attempt that finished.",
        "wrong_text": "returned text {got} instead of the full answer {want}: collect the "
        "pieces of the attempt that finished, as they are.",
        "partial_marked_complete": "reported complete=True for text that was cut off: return "
        "complete=False when every attempt broke.",
        "dropped_partial": "returned no text when every attempt broke: keep the partial text "
        "of the last attempt; it is better than nothing, if it is labelled as incomplete.",
        "raised_instead_of_report": "raised {error} after the last attempt broke: report the "
        "partial text with complete=False instead.",
        "attempt_count": "made {got} attempt(s) with max_attempts={want}: stop after "
        "max_attempts streams, the first one included (3 when the caller does not say).",
        "retried_4xx": "retried a 400 that came before the stream started, which the SDK "
        "already handled and which never succeeds on retry: re-raise any error whose "
        "status_code is not 200.",
        "wrong_request_id": "returned request_id {got}, not the id of the attempt that "
        "produced the text ({want}): read stream.request_id in every attempt.",
        "mutated_messages": MUTATED_MESSAGES,
        "changed_request": "sent attempt {number} with {field}={got}, not the caller's {want}: "
        "send every attempt with the params you were given, unchanged.",
        "swallowed_400": "returned {value} after a 400 before the stream started: re-raise "
        "errors the SDK raises before the stream starts (status_code is not 200).",
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
                    api.fail_stream(after_events=10)  # thinking block, 3 text deltas
                outcome = attempt(answer, client, **params())  # max_attempts=3 by default
                sent = messages_sent(api)
            if outcome.raised:
                if isinstance(outcome.error, anthropic.APIError):
                    self.wrong("raised_instead_of_report", error=describe(outcome.error, 60),
                               cause=outcome.error)
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
                api.fail_stream(after_events=10)  # thinking block, 3 text deltas
            elif fault == "drop":
                api.drop_stream(after_events=10)  # thinking block, 3 text deltas
            given = params()
            messages = kept(given["messages"])
            outcome = attempt(answer, client, **given)
            sent = messages_sent(api)
        if outcome.raised:
            if isinstance(outcome.error, httpx2.TransportError):
                self.wrong("transport_error", error=describe(outcome.error, 60),
                           cause=outcome.error)
            if isinstance(outcome.error, anthropic.APIStatusError):
                self.wrong("not_retried", cause=outcome.error)
            outcome.reraise()
        self.unchanged(messages, "mutated_messages")
        for number, request in enumerate(sent, start=1):
            body = request.json if isinstance(request.json, dict) else {}
            for field, want in params().items():
                if body.get(field) != want:
                    self.wrong("changed_request", number=number, field=field,
                               got=describe(body.get(field), 60), want=describe(want, 60))
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
