"""Wrong answers to exercises/02_stop_reasons.ipynb, one per misconception."""

from __future__ import annotations

from typing import Any

from lessonkit.exercises.ex02_stop_reasons import CompleteAnswer, NextStep

from . import wrong

_RIGHT = {
    "end_turn": "done",
    "stop_sequence": "done",
    "max_tokens": "continue",
    "tool_use": "run_tools",
    "pause_turn": "resume",
    "refusal": "refused",
    "model_context_window_exceeded": "too_long",
}


def _table(changes: dict[str, Any], *, default: str | None = None) -> Any:
    table = {**_RIGHT, **changes}
    table = {k: v for k, v in table.items() if v is not None}

    def next_step(message):  # type: ignore[no-untyped-def]
        if default is not None:
            return table.get(message.stop_reason, default)
        return table[message.stop_reason]

    return next_step


for key, scenario, changes, default in [
    ("raised_known", "stop_reason='pause_turn'", {"pause_turn": None}, None),
    ("not_an_action", "stop_reason='end_turn'", {"end_turn": "end_turn"}, None),
    ("truncated_as_done", "stop_reason='max_tokens'", {"max_tokens": "done"}, None),
    ("refusal_as_done", "stop_reason='refusal'", {"refusal": "done"}, None),
    ("wrong_action", "stop_reason='pause_turn'", {"pause_turn": "run_tools"}, None),
    ("silent_unknown", "a stop_reason this SDK does not know yet", {}, "done"),
]:
    wrong(NextStep, key, scenario=scenario)(_table(changes, default=default))


_TWICE = "cut off twice, then finished"
ASK_MORE = {"role": "user", "content": "Continue where you stopped."}


def _text(message: Any) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


@wrong(CompleteAnswer, "returned_truncated", scenario=_TWICE)
def one_call(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    return _text(client.messages.create(**params))


@wrong(CompleteAnswer, "no_context", scenario=_TWICE)
def asks_again(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    text = ""
    for _ in range(max_continuations + 1):
        message = client.messages.create(**params)
        text += _text(message)
        if message.stop_reason != "max_tokens":
            return text
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


@wrong(CompleteAnswer, "prefill", scenario=_TWICE)
def prefills(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    messages, text = params.pop("messages"), ""
    for _ in range(max_continuations + 1):
        prefill = [{"role": "assistant", "content": text}] if text else []
        message = client.messages.create(messages=[*messages, *prefill], **params)
        text += _text(message)
        if message.stop_reason != "max_tokens":
            return text
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


def _continuer(*, keep: str = "all", cap: bool = True, on_cap: str = "raise",
               other: str = "raise") -> Any:
    def complete_answer(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
        messages = params.pop("messages")
        text, last = "", ""
        rounds = 0
        while True:
            so_far = [{"role": "assistant", "content": text}, ASK_MORE] if text else []
            message = client.messages.create(messages=[*messages, *so_far], **params)
            last = _text(message)
            text += last
            if message.stop_reason in ("end_turn", "stop_sequence"):
                return last if keep == "last" else text
            if message.stop_reason != "max_tokens" and other == "raise":
                raise RuntimeError(message.stop_reason)
            if message.stop_reason != "max_tokens":
                return text
            rounds += 1
            if cap and rounds > max_continuations:
                if on_cap == "return":
                    return text
                raise RuntimeError(f"still cut off after {max_continuations} continuations")

    return complete_answer


for key, scenario, flaws in [
    ("wrong_text", _TWICE, {"keep": "last"}),
    ("no_cap", "always cut off (max_continuations=2)", {"cap": False}),
    ("truncated_after_cap", "always cut off (max_continuations=2)", {"on_cap": "return"}),
    ("refusal_returned", "a refusal", {"other": "return"}),
]:
    wrong(CompleteAnswer, key, scenario=scenario)(_continuer(**flaws))


@wrong(NextStep, "wrong_raise", scenario="a stop_reason this SDK does not know yet")
def looks_up_a_table(message):  # type: ignore[no-untyped-def]
    return _RIGHT[message.stop_reason]  # KeyError for a new value: not the documented error


@wrong(CompleteAnswer, "wrong_raise", scenario="a refusal")
def raises_without_saying_why(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    question, text = params.pop("messages"), ""
    for _ in range(max_continuations + 1):
        messages = list(question)
        if text:
            messages += [{"role": "assistant", "content": text},
                         {"role": "user", "content": "Please continue."}]
        message = client.messages.create(messages=messages, **params)
        text += "".join(b.text for b in message.content if b.type == "text")
        if message.stop_reason in ("end_turn", "stop_sequence"):
            return text
        if message.stop_reason != "max_tokens":
            raise RuntimeError("no answer")
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


@wrong(CompleteAnswer, "mutated_messages", scenario=_TWICE)
def appends_to_the_callers_list(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    messages, text = params.pop("messages"), ""
    for _ in range(max_continuations + 1):
        message = client.messages.create(messages=messages, **params)
        text += _text(message)
        if message.stop_reason != "max_tokens":
            return text
        messages.append({"role": "assistant", "content": _text(message)})
        messages.append(ASK_MORE)
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


@wrong(CompleteAnswer, "lost_question", scenario=_TWICE)
def sends_only_the_text_so_far(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    messages, text = params.pop("messages"), ""
    for _ in range(max_continuations + 1):
        turns = [{"role": "assistant", "content": text}, ASK_MORE] if text else messages
        message = client.messages.create(messages=turns, **params)
        text += _text(message)
        if message.stop_reason != "max_tokens":
            return text
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


@wrong(CompleteAnswer, "changed_params", scenario=_TWICE)
def doubles_max_tokens(client, *, max_continuations=3, **params):  # type: ignore[no-untyped-def]
    messages, text = params.pop("messages"), ""
    for _ in range(max_continuations + 1):
        so_far = [{"role": "assistant", "content": text}, ASK_MORE] if text else []
        message = client.messages.create(messages=[*messages, *so_far], **params)
        text += _text(message)
        if message.stop_reason != "max_tokens":
            return text
        params["max_tokens"] *= 2  # "give it more room" changes the caller's request
    raise RuntimeError(f"still cut off after {max_continuations} continuations")


@wrong(CompleteAnswer, "no_cap", scenario="always cut off (default max_continuations)")
def five_by_default(client, *, max_continuations=5, **params):  # type: ignore[no-untyped-def]
    return _continuer()(client, max_continuations=max_continuations, **params)
