"""shape.py: one shape per request shape, and a shared shape answers as a body's own would."""

from __future__ import annotations

from typing import Any

import pytest

from lessonkit import models
from lessonkit.fakeapi.facts import facts
from lessonkit.fakeapi.generation import generate
from lessonkit.fakeapi.ids import IdSource
from lessonkit.fakeapi.shape import key, shape_of

from .helpers import WEATHER_TOOL, body

QUIET = next(m for m in models.KNOWN if facts(m).thinking_default == "off")
SUMMARIZED = {"type": "enabled", "budget_tokens": 1024}


def _turn(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_requests_that_differ_only_in_their_turn_share_one_shape() -> None:
    first = shape_of(body(messages=_turn("Summarise ticket 1")))
    assert shape_of(body(messages=_turn("Summarise ticket 2"))) is first
    assert first.key is not None


@pytest.mark.parametrize(
    "change",
    [
        {"model": QUIET},
        {"system": "Be brief."},
        {"stop_sequences": ["ticket"]},
        {"max_tokens": 7},
        {"tools": [WEATHER_TOOL]},
        {"temperature": True},  # not the same shape as temperature=1: repr tells them apart
    ],
)
def test_any_other_difference_makes_another_shape(change: dict[str, Any]) -> None:
    plain = body(messages=_turn("Summarise ticket 1"), temperature=1)
    assert shape_of({**plain, **change}) is not shape_of(plain)


@pytest.mark.parametrize(
    "messages",
    [
        _turn("Earlier") + [{"role": "assistant", "content": "Ok"}] + _turn("Now"),
        [{"role": "user", "content": [{"type": "text", "text": "Now"}]}],
        [{"role": "user", "content": "Now", "extra": 1}],
    ],
)
def test_other_turns_have_no_key_and_get_a_shape_of_their_own(
    messages: list[dict[str, Any]],
) -> None:
    sent = body(messages=messages)
    assert key(sent) is None
    assert shape_of(sent) is not shape_of(sent)


@pytest.mark.parametrize("unvalidated", [None, [], {"messages": "hi"}, {"messages": [1]}])
def test_the_key_of_an_unvalidated_body_is_none_not_an_error(unvalidated: Any) -> None:
    assert key(unvalidated) is None


VARIED = [
    {},
    {"model": QUIET},
    {"model": QUIET, "system": "You are terse.", "max_tokens": 7},
    {"stop_sequences": ["e", "ticket"]},
    {"model": QUIET, "thinking": SUMMARIZED, "max_tokens": 3000},
    {"thinking": {"type": "adaptive", "display": "summarized"}},
    {"model": QUIET, "tools": [WEATHER_TOOL]},
    {"model": QUIET, "tools": [WEATHER_TOOL], "tool_choice": {"type": "any"}},
    {"output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
]
PROMPTS = ["Summarise support ticket 7", "What is the weather in Paris?", "Reply in JSON", "Hi"]


@pytest.mark.parametrize("fields", VARIED)
@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_shared_shape_answers_as_the_body_s_own_shape_would(
    fields: dict[str, Any], prompt: str
) -> None:
    """The same prompt as a text block has no key: its shape is made afresh from the body."""
    keyed = body(**fields, messages=_turn(prompt))
    own = body(**fields, messages=[{"role": "user", "content": [{"type": "text", "text": prompt}]}])
    shape_of(body(**fields, messages=_turn("another prompt first")))  # the shape is remembered
    assert generate(keyed, None, IdSource().next) == generate(own, None, IdSource().next)
