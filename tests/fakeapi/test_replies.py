"""Bad input to lessonkit itself fails at ``api.reply(...)`` with a message that says what to do."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from anthropic.types import StopReason

from lessonkit import FakeAPI
from lessonkit.fakeapi import replies
from lessonkit.fakeapi.replies import Reply, ToolCall, make_reply

CALL = {"name": "get_weather", "input": {"city": "Oslo"}}

# id, kwargs, exception, message fragment
BAD: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("text-not-str", {"text": 5}, TypeError, "text= must be a string, got int"),
    (
        "unknown-stop-reason",
        {"stop_reason": "done"},
        ValueError,
        "stop_reason='done' is not one the SDK knows; use one of",
    ),
    (
        "unknown-category",
        {"stop_reason": "refusal", "category": "weapons"},
        ValueError,
        "category='weapons' is not a refusal category",
    ),
    (
        "category-without-refusal",
        {"stop_reason": "end_turn", "category": "cyber"},
        ValueError,
        "describe a refusal; pass stop_reason='refusal'",
    ),
    (
        "explanation-without-refusal",
        {"stop_reason": "max_tokens", "explanation": "no"},
        ValueError,
        "describe a refusal",
    ),
    ("tool_use-string", {"tool_use": "get_weather"}, TypeError, "tool_use= takes a dict like"),
    ("tool_use-number", {"tool_use": 5}, TypeError, "tool_use= takes a dict like"),
    (
        "tool_use-no-name",
        {"tool_use": {"input": {}}},
        TypeError,
        "each tool_use needs a 'name' string",
    ),
    (
        "tool_use-bad-input",
        {"tool_use": {"name": "x", "input": ["city"]}},
        TypeError,
        "tool_use input must be a dict, got list",
    ),
    (
        "tool_use-stop-without-call",
        {"stop_reason": "tool_use"},
        ValueError,
        "stop_reason='tool_use' needs tool_use=",
    ),
    (
        "call-with-other-stop",
        {"tool_use": CALL, "stop_reason": "end_turn"},
        ValueError,
        "a reply with tool_use= stops with 'tool_use', not 'end_turn'",
    ),
    ("times-zero", {"times": 0}, ValueError, "times= must be a positive whole number"),
    ("times-float", {"times": 1.5}, ValueError, "times= must be a positive whole number"),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_reply_arguments(kwargs: dict[str, Any], error: type[Exception], fragment: str) -> None:
    api = FakeAPI()
    with pytest.raises(error) as caught:
        api.reply(**kwargs)
    assert fragment in str(caught.value)
    assert not api._state.replies  # nothing half-queued


def test_stop_reasons_are_the_sdks() -> None:
    assert replies.STOP_REASONS == typing.get_args(StopReason)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"text": "Hi"}, Reply("Hi")),
        ({"tool_use": CALL}, Reply(None, (ToolCall("get_weather", {"city": "Oslo"}),))),
        (
            {"tool_use": [CALL, ToolCall("b")]},
            Reply(None, (ToolCall("get_weather", {"city": "Oslo"}), ToolCall("b"))),
        ),
        ({"category": "bio"}, Reply(None, (), "refusal", "bio")),
        ({"stop_reason": "refusal"}, Reply(None, (), "refusal")),
        ({"text": "x", "stop_reason": "pause_turn"}, Reply("x", (), "pause_turn")),
    ],
)
def test_good_replies(kwargs: dict[str, Any], expected: Reply) -> None:
    assert make_reply(**kwargs) == expected


def test_reply_copies_the_input() -> None:
    tool_input = {"city": "Oslo"}
    made = make_reply(tool_use={"name": "get_weather", "input": tool_input})
    tool_input["city"] = "Rome"
    assert made.tool_calls[0].input == {"city": "Oslo"}


def test_reply_queues_times_and_chains() -> None:
    api = FakeAPI()
    assert api.reply("a", times=2).reply("b") is api
    assert [r.text for r, _ in api._state.replies] == ["a", "a", "b"]
