"""Checkers for exercises/02_stop_reasons.ipynb: dispatch on every stop_reason, continue max_tokens.

The stop reasons are read from the installed SDK (``typing.get_args(StopReason)``),
so an SDK that adds one makes ``EXPECTED`` incomplete and the tests fail
until someone decides what the new value means.
"""

from __future__ import annotations

import typing
from typing import Any

import anthropic
from anthropic.types import Message, StopReason

from .harness import (
    MUTATED_MESSAGES,
    BehaviourExercise,
    attempt,
    describe,
    fresh,
    kept,
    messages_sent,
    params,
)

__all__ = [
    "ACTIONS",
    "EXERCISES",
    "EXPECTED",
    "STOP_REASONS",
    "CompleteAnswer",
    "NextStep",
    "complete_answer",
    "next_step",
]

#: Every value the installed SDK allows for ``Message.stop_reason``.
STOP_REASONS: tuple[str, ...] = typing.get_args(StopReason)
#: What a caller can do next; `next_step` returns one of these.
ACTIONS = ("done", "continue", "run_tools", "resume", "refused", "too_long")
#: The checker's answer key, with the reason for each choice.
EXPECTED = {
    "end_turn": "done",  # the model finished
    "stop_sequence": "done",  # finished at a stop sequence you chose
    "max_tokens": "continue",  # cut off: the answer is unfinished
    "tool_use": "run_tools",  # run the tools, send tool_result blocks back
    "pause_turn": "resume",  # a server tool paused a long turn: send it back as is
    "refusal": "refused",  # surface it (stop_details.category); never blind-retry
    "model_context_window_exceeded": "too_long",  # the context window is full
}
#: Why each action is the right one, for the verdict that names a wrong one.
_WHY = {
    "end_turn": "the model finished",
    "stop_sequence": "the model finished at a stop sequence you chose",
    "max_tokens": "the answer was cut off and is not finished",
    "tool_use": "the model is waiting for the results of the tools it asked for",
    "pause_turn": "a server tool paused a long turn, which you send back as is",
    "refusal": "the model declined (stop_details.category says why)",
    "model_context_window_exceeded": "the context window is full",
}


def next_step(message: Message) -> str:
    """What the caller should do after `message`: one of ACTIONS.

    Raises ValueError for a stop_reason this code does not know.
    """
    match message.stop_reason:
        case "end_turn" | "stop_sequence":
            return "done"
        case "max_tokens":
            return "continue"
        case "tool_use":
            return "run_tools"
        case "pause_turn":
            return "resume"
        case "refusal":
            return "refused"
        case "model_context_window_exceeded":
            return "too_long"
        case other:
            raise ValueError(f"unknown stop_reason {other!r}: decide what it means first")


_UNKNOWN = "a stop_reason this SDK does not know yet"


class NextStep(BehaviourExercise):
    """Exercise 1: dispatch explicitly on every stop_reason; unknown values raise."""

    name = "ex02_next_step"
    title = "Dispatch on stop_reason"
    entry = "next_step"
    reference = staticmethod(next_step)
    hints = (
        "`typing.get_args(anthropic.types.StopReason)` lists every value; a `match` "
        "statement with one `case` per value reads like the table in the lesson.",
        "End with `case other: raise ValueError(...)`: a value you have never seen must "
        "not fall through as 'done'.",
    )
    scenarios = (*(f"stop_reason={reason!r}" for reason in STOP_REASONS), _UNKNOWN)
    misconceptions = {
        "raised_known": "raised {error} for stop_reason {value!r}, which the SDK defines: "
        "handle every value of anthropic.types.StopReason.",
        "not_an_action": "returned {got} for stop_reason {value!r}: return one of {actions}.",
        "truncated_as_done": "treated max_tokens as {got!r}: the answer was cut off, so "
        "continue it; never pass it off as finished.",
        "refusal_as_done": "treated refusal as {got!r}: the model declined, so surface that "
        "(stop_details.category says why) instead of returning it as an answer.",
        "wrong_action": "returned {got!r} for stop_reason {value!r}: return {want!r}, "
        "because {why}.",
        "silent_unknown": "returned {got} for stop_reason {value!r}, which no SDK value "
        "has: raise instead, or the next new stop_reason falls through silently.",
        "wrong_raise": "raised {error} for the unknown stop_reason {value!r}: raise ValueError "
        "with a message naming {value!r}, so the log says which value to handle.",
    }

    def check_answer(self, answer: Any) -> None:
        with fresh() as (api, client):
            replies = {reason: self._message(api, client, reason) for reason in STOP_REASONS}
        for reason, message in replies.items():
            with self.scenario(f"stop_reason={reason!r}"):
                want = EXPECTED[reason]  # KeyError: the SDK grew a value; update EXPECTED
                outcome = attempt(answer, message)
                if outcome.raised:
                    self.wrong(
                        "raised_known", error=describe(outcome.error, 60), value=reason,
                        cause=outcome.error,
                    )
                got = outcome.value
                if got not in ACTIONS:
                    self.wrong("not_an_action", got=describe(got), value=reason, actions=ACTIONS)
                if got != want and reason == "max_tokens":
                    self.wrong("truncated_as_done", got=got)
                if got != want and reason == "refusal":
                    self.wrong("refusal_as_done", got=got)
                if got != want:
                    self.wrong("wrong_action", value=reason, want=want, got=got, why=_WHY[reason])
        with self.scenario(_UNKNOWN):
            future = replies["end_turn"].model_copy(update={"stop_reason": "end_of_time"})
            outcome = attempt(answer, future)
            if not outcome.raised:
                self.wrong("silent_unknown", got=describe(outcome.value), value="end_of_time")
            error = outcome.error
            if not (isinstance(error, ValueError) and "end_of_time" in str(error)):
                self.wrong(
                    "wrong_raise", error=describe(error, 60), value="end_of_time", cause=error
                )

    @staticmethod
    def _message(api: Any, client: anthropic.Anthropic, reason: str) -> Message:
        if reason == "tool_use":
            api.reply(tool_use={"name": "lookup", "input": {"q": "stop reasons"}})
        elif reason == "refusal":
            api.reply(stop_reason="refusal", category="cyber")
        else:
            api.reply("Some text.", stop_reason=reason)
        tool = {"name": "lookup", "input_schema": {"type": "object"}}
        message: Message = client.messages.create(**params(tools=[tool]))
        return message


def complete_answer(
    client: anthropic.Anthropic, *, max_continuations: int = 3, **params: Any
) -> str:
    """Return the whole answer, continuing it while the model stops at max_tokens.

    Each continuation resends the conversation with the text so far as an
    assistant turn, then a user turn asking the model to carry on: current
    models refuse a conversation that ends with an assistant turn (prefill).
    Raises RuntimeError if the answer is still cut off after `max_continuations`
    continuations, or if the model stopped for any other reason (a refusal, say).
    """
    question = params.pop("messages")
    text = ""
    for _ in range(max_continuations + 1):
        messages = list(question)
        if text:  # show the model its text so far, then ask it to carry on
            messages.append({"role": "assistant", "content": text})
            messages.append(
                {"role": "user", "content": "Continue exactly where you stopped. Don't repeat."}
            )
        message = client.messages.create(messages=messages, **params)
        text += "".join(block.text for block in message.content if block.type == "text")
        if message.stop_reason in ("end_turn", "stop_sequence"):
            return text
        if message.stop_reason != "max_tokens":
            raise RuntimeError(f"the model stopped with {message.stop_reason!r}")
    raise RuntimeError(f"the answer is still cut off after {max_continuations} continuations")


_PARTS = ("Part one,", " part two,", " part three.")
_TWICE = "cut off twice, then finished"
_ALWAYS = "always cut off (max_continuations=2)"
_DEFAULT = "always cut off (default max_continuations)"
_STOP = "stopped at a stop sequence"


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


class CompleteAnswer(BehaviourExercise):
    """Exercise 2: continue an answer that stopped at max_tokens."""

    name = "ex02_complete_answer"
    title = "Continue a truncated answer"
    entry = "complete_answer"
    reference = staticmethod(complete_answer)
    hints = (
        "Loop: call `messages.create`, add the reply's text to what you have, and look at "
        "`stop_reason`. `max_tokens` means: go round again.",
        "To continue, send the original messages, then "
        "`{'role': 'assistant', 'content': text_so_far}`, then a user turn asking the model "
        "to continue where it stopped. Don't end on the assistant turn: current models "
        "refuse prefill with a 400.",
        "Count continuations, and raise when you run out. Raise too for any stop_reason "
        "other than end_turn, stop_sequence and max_tokens.",
    )
    scenarios = ("finished in one go", _STOP, _TWICE, _ALWAYS, _DEFAULT, "a refusal")
    misconceptions = {
        "returned_truncated": "returned {got} after one reply that stopped at max_tokens: "
        "that answer was cut off, so continue it.",
        "no_context": "continued without the text so far, so the model had to start over: "
        "send the original messages, the text so far as an assistant turn, then a user turn "
        "asking it to continue.",
        "prefill": "ended the continuation request on the assistant's text (prefill): current "
        "models answer 400 'does not support assistant message prefill'. Add a user turn "
        "asking the model to continue.",
        "wrong_text": "returned {got}, not {want}: join the text of every reply, in order, "
        "as is.",
        "no_cap": "made {got} requests with max_continuations={n}: stop after 1 + {n} "
        "requests (3 continuations when the caller does not say).",
        "wrong_raise": "raised {error} for {what}: raise RuntimeError with a message naming "
        "{want}, so whoever reads the log knows why there is no answer.",
        "truncated_after_cap": "returned {got} although the answer was still cut off after "
        "max_continuations: raise, so the caller knows it is incomplete.",
        "refusal_returned": "returned {got} for a refusal: raise; a refusal is not an answer.",
        "mutated_messages": MUTATED_MESSAGES,
        "lost_question": "sent continuation {number} without the caller's messages at its "
        "start: send the original messages, then the text so far, then a user turn.",
        "changed_params": "sent continuation {number} with {field}={got}, not the caller's "
        "{want}: pass every other parameter unchanged.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario("finished in one go"):
            with fresh() as (api, client):
                api.reply("A short, complete answer.")
                got = answer(client, **params())
            if got != "A short, complete answer.":
                self.wrong("wrong_text", got=describe(got), want="'A short, complete answer.'")
        with self.scenario(_STOP):
            with fresh() as (api, client):
                api.reply("Stopped here.", stop_reason="stop_sequence")
                outcome = attempt(answer, client, **params(stop_sequences=["###"]))
            if outcome.value != "Stopped here.":
                self.wrong("wrong_text", got=describe(outcome.value), want="'Stopped here.'",
                           cause=outcome.error)
        with self.scenario(_TWICE):
            with fresh() as (api, client):
                for part, reason in zip(_PARTS, ("max_tokens", "max_tokens", "end_turn"),
                                        strict=True):
                    api.reply(part, stop_reason=reason)
                given = params()
                question = kept(given["messages"])
                outcome = attempt(answer, client, **given)
                sent = messages_sent(api)
            if len(sent) == 1 and not outcome.raised:
                self.wrong("returned_truncated", got=describe(outcome.value))
            self.unchanged(question, "mutated_messages")
            for number, request in enumerate(sent[1:], start=1):
                sent_turns = request.json.get("messages") if isinstance(request.json, dict) else []
                turns: list[dict[str, Any]] = [
                    turn if isinstance(turn, dict) else {} for turn in [{}, *(sent_turns or [])]
                ]
                said, last = turns[-2], turns[-1]
                self._same_params(number, request.json, question[1])
                if last.get("role") == "assistant":
                    self.wrong("prefill")
                if said.get("role") != "assistant" or _text(said.get("content")) != "".join(
                    _PARTS[:number]
                ):
                    self.wrong("no_context")
            if outcome.raised:
                outcome.reraise()
            got = outcome.value
            if got != "".join(_PARTS):
                self.wrong("wrong_text", got=describe(got), want=repr("".join(_PARTS)))
        with self.scenario(_ALWAYS):
            with fresh() as (api, client):
                api.reply("More,", stop_reason="max_tokens", times=12)
                outcome = attempt(answer, client, max_continuations=2, **params())
                sent = messages_sent(api)
            if len(sent) != 3:
                self.wrong("no_cap", got=len(sent), n=2)
            if not outcome.raised:
                self.wrong("truncated_after_cap", got=describe(outcome.value))
            self._raised(outcome.error, "an answer still cut off", "the continuations (2)", "2")
        with self.scenario(_DEFAULT):
            with fresh() as (api, client):
                api.reply("More,", stop_reason="max_tokens", times=12)
                outcome = attempt(answer, client, **params())
                sent = messages_sent(api)
            if len(sent) != 4:
                self.wrong("no_cap", got=len(sent), n=3)
        with self.scenario("a refusal"):
            with fresh() as (api, client):
                api.reply(stop_reason="refusal", category="cyber")
                outcome = attempt(answer, client, **params())
            if not outcome.raised:
                self.wrong("refusal_returned", got=describe(outcome.value))
            self._raised(outcome.error, "a refusal", "the stop_reason 'refusal'", "refusal")

    def _same_params(self, number: int, sent: object, question: object) -> None:
        """Continuation `number` keeps the caller's model and max_tokens, then its question."""
        body = sent if isinstance(sent, dict) else {}
        for field, want in params().items():
            if field != "messages" and body.get(field) != want:
                self.wrong("changed_params", number=number, field=field,
                           got=describe(body.get(field), 40), want=describe(want, 40))
        turns = body.get("messages")
        if not (isinstance(turns, list) and isinstance(question, list)
                and turns[: len(question)] == question):
            self.wrong("lost_question", number=number)

    def _raised(self, error: Exception | None, what: str, want: str, named: str) -> None:
        """The documented RuntimeError, its message naming `named`; anything else is shown."""
        if not (isinstance(error, RuntimeError) and named in str(error)):
            self.wrong("wrong_raise", error=describe(error, 60), what=what, want=want, cause=error)


EXERCISES = (NextStep, CompleteAnswer)
