"""generation.py on its own: deterministic output from a validated request and a script."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsonschema
import pydantic
import pytest
from anthropic.lib._parse._transform import transform_schema
from hypothesis import given, settings
from hypothesis import strategies as st

from lessonkit import models
from lessonkit.fakeapi import generation, tokens
from lessonkit.fakeapi.errors import ApiError
from lessonkit.fakeapi.facts import facts
from lessonkit.fakeapi.generation import Generation, generate
from lessonkit.fakeapi.ids import IdSource
from lessonkit.fakeapi.replies import make_reply

from .helpers import WEATHER_TOOL, body

#: A model that does not think unless asked: these tests are about the answer's text.
QUIET = next(m for m in models.KNOWN if facts(m).thinking_default == "off")


def _generate(reply: Any = None, **fields: Any) -> Generation:
    return generate(body(**{"model": QUIET, **fields}), reply, IdSource().next)


def test_same_request_same_output() -> None:
    assert _generate(messages=[{"role": "user", "content": "Tell me about caching"}]) == _generate(
        messages=[{"role": "user", "content": "Tell me about caching"}]
    )


def test_default_text_follows_the_prompt() -> None:
    text = generation.default_text(
        body(messages=[{"role": "user", "content": "Tell me about prompt caching?"}])
    )
    assert text.startswith("Prompt caching comes down to a few habits")
    assert text != generation.default_text(
        body(messages=[{"role": "user", "content": "Tell me about retries"}])
    )
    assert generation.default_text(body(messages=[{"role": "user", "content": "   "}])).startswith(
        "This comes down"
    )


def test_default_text_reads_block_content_and_skips_assistant_turns() -> None:
    sent = body(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Tell me"},
                    {"type": "text", "text": "about queues"},
                ],
            },
            {"role": "assistant", "content": "Sure"},
        ]
    )
    assert generation.default_text(sent).startswith("Queues comes down")


def test_default_text_answers_tool_results() -> None:
    result = {
        "type": "tool_result",
        "tool_use_id": "t",
        "content": [{"type": "text", "text": "4 degrees"}],
    }
    empty = {"type": "tool_result", "tool_use_id": "u", "content": ""}
    sent = body(messages=[{"role": "user", "content": [result, empty]}])
    assert generation.default_text(sent) == "Based on the tool result: 4 degrees; (empty)."


def test_text_is_cut_into_tokens() -> None:
    gen = _generate(make_reply("Hello, world!"))
    assert gen.blocks[0].pieces == tuple(tokens.split("Hello, world!"))
    assert gen.output_tokens == 4 and gen.stop_reason == "end_turn"


@pytest.mark.parametrize(
    ("value", "pieces"),
    [
        ({}, ("", "{}")),
        ({"a": 1}, ("", '{"a": 1}')),
        ({"a": 1, "b": [1, 2]}, ("", '{"a": 1,', ' "b": [1,', " 2]}")),
    ],
)
def test_json_pieces(value: dict[str, Any], pieces: tuple[str, ...]) -> None:
    assert generation._json_pieces(value) == pieces
    assert "".join(pieces) == json.dumps(value)


@pytest.mark.parametrize(
    ("text", "budget", "stops", "expected"),
    [
        ("a b c", 10, [], (("a", " b", " c"), None, None)),
        ("a b c", 2, [], (("a", " b"), "max_tokens", None)),
        ("a b c", 10, ["b"], (("a", " "), "stop_sequence", "b")),
        ("a b c", 10, ["c", "b"], (("a", " "), "stop_sequence", "b")),
        ("a b c", 1, ["c"], (("a",), "max_tokens", None)),
        ("a b c", 10, ["a"], ((), "stop_sequence", "a")),
    ],
)
def test_cut_text(text: str, budget: int, stops: list[str], expected: tuple[Any, ...]) -> None:
    assert generation._cut_text(text, budget, stops) == expected


def test_scripted_stop_reason_max_tokens_spends_the_budget() -> None:
    gen = _generate(make_reply("Hi", stop_reason="max_tokens"), max_tokens=30)
    assert (gen.stop_reason, gen.output_tokens) == ("max_tokens", 30)


def test_scripted_stop_sequence_names_the_first_requested_sequence() -> None:
    assert (
        _generate(
            make_reply("Hi", stop_reason="stop_sequence"), stop_sequences=["END"]
        ).stop_sequence
        == "END"
    )
    assert _generate(make_reply("Hi", stop_reason="stop_sequence")).stop_sequence is None


def test_output_tokens_is_at_least_one_except_for_an_empty_refusal() -> None:
    assert _generate(make_reply("")).output_tokens == 1
    assert _generate(make_reply(stop_reason="refusal")).output_tokens == 0
    assert _generate(make_reply("Sure", stop_reason="refusal")).output_tokens == 1


def test_refusal_trigger_only_without_a_script() -> None:
    prompt = [{"role": "user", "content": generation.REFUSAL_TRIGGER}]
    assert _generate(messages=prompt).stop_reason == "refusal"
    assert _generate(make_reply("ok"), messages=prompt).stop_reason == "end_turn"


def test_tool_calls_get_fresh_ids_and_count_tokens() -> None:
    gen = _generate(
        make_reply(tool_use=[{"name": "get_weather", "input": {"city": "A"}}] * 2),
        tools=[WEATHER_TOOL],
    )
    source = IdSource()
    assert [b.id for b in gen.blocks] == [source.next("tool_use"), source.next("tool_use")]
    assert gen.output_tokens == 2 * (
        tokens.count_text("get_weather") + tokens.count_text('{"city": "A"}')
    )


def test_bad_scripted_call_is_a_500_with_no_retry() -> None:
    with pytest.raises(ApiError) as caught:
        _generate(
            make_reply(tool_use={"name": "get_weather", "input": {"city": 1}}), tools=[WEATHER_TOOL]
        )
    assert caught.value.status == 500
    assert caught.value.headers == {"x-should-retry": "false"}
    assert caught.value.message.startswith("lessonkit: the scripted input for tool 'get_weather'")


SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
    {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["b"],
    },
    {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 7},
            "x": {"type": "number", "exclusiveMinimum": 2},
        },
    },
    {"type": "object", "properties": {"s": {"type": "string", "minLength": 10, "maxLength": 12}}},
    {"type": "object", "properties": {"s": {"type": "string", "maxLength": 3}}},
    {
        "type": "object",
        "properties": {"l": {"type": "array", "items": {"type": "boolean"}, "minItems": 2}},
    },
    {
        "type": "object",
        "properties": {
            "e": {"enum": ["x", "y"]},
            "c": {"const": 4},
            "d": {"type": "string", "default": "z"},
        },
    },
    {
        "type": "object",
        "properties": {
            "u": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
            "t": {"type": ["null", "string"]},
        },
    },
    {
        "type": "object",
        "$defs": {"P": {"type": "object", "properties": {"q": {"type": "boolean"}}}},
        "properties": {"p": {"$ref": "#/$defs/P"}},
    },
    {},
]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_example_value_satisfies_the_schema(schema: dict[str, Any]) -> None:
    jsonschema.validate(generation._example_value(schema), schema)


class Order(pydantic.BaseModel):
    item: str = pydantic.Field(min_length=12)
    quantity: int = pydantic.Field(ge=3, le=9)
    price: float = pydantic.Field(gt=2.5)
    tags: list[str] = pydantic.Field(min_length=2)
    note: str | None = None


class Basket(pydantic.BaseModel):
    orders: list[Order] = pydantic.Field(min_length=1)
    owner: Order


def test_example_value_follows_hints_the_sdk_moved_to_descriptions() -> None:
    """``messages.parse`` sends constraints the API cannot enforce as description text.

    A real model usually follows them; the fake one always does.
    """
    for output_format in (Order, Basket):
        schema = transform_schema(output_format)
        output_format.model_validate(generation._example_value(schema))


def test_structured_output_request_answers_json() -> None:
    schema = transform_schema(Order)
    gen = _generate(output_config={"format": {"type": "json_schema", "schema": schema}})
    Order.model_validate_json(gen.blocks[0].text)
    assert gen.stop_reason == "end_turn"


# --- the answer's bytes are pinned -----------------------------------------------------------
#: Prompts that reach every branch of the default answer: "about", punctuation, non-ASCII
#: (``ß`` capitalises to two letters), white space, one long enough to skip the caches.
PINNED_PROMPTS = (
    "Tell me about retries",
    "Summarise support ticket 7 in one line",
    "ß über naïve “quotes” about 日本語 tokens",
    "What's 2+2?!",
    "   tabs\tand\nnewlines about   x_y-z   ",
    "about",
    "word " * 1000,
)


def _pinned_output() -> str:
    lines = []
    for model in (QUIET, models.DEFAULT):
        for prompt in PINNED_PROMPTS:
            for max_tokens, stops in ((4096, []), (100, []), (12, []), (100, ["habits"])):
                sent = body(
                    model=model,
                    max_tokens=max_tokens,
                    stop_sequences=stops,
                    messages=[{"role": "user", "content": prompt}],
                )
                gen = generate(sent, None, IdSource().next)
                lines.append(repr(gen))
    return "\n".join(lines)


PINNED_DIGEST = "8eea414c214bb7d87a2f916ebbff28b8b6a7847ce093a57a0feb7bd0d385e1aa"


def test_generated_bytes_are_pinned() -> None:
    """Speed-ups must not move a byte: notebooks, golden files and saved outputs depend on it."""
    digest = hashlib.sha256(_pinned_output().encode()).hexdigest()
    assert digest == PINNED_DIGEST, (
        "the fake model's output changed; if that is intended, re-execute the notebooks and "
        f"set PINNED_DIGEST = {digest!r}"
    )


@pytest.mark.parametrize("prompt", PINNED_PROMPTS)
def test_the_answer_is_cut_exactly_as_its_text_splits(prompt: str) -> None:
    """The answer's tokens come from pre-split parts: they must equal splitting the whole text."""
    sent = body(model=QUIET, messages=[{"role": "user", "content": prompt}])
    (block,) = _generate(messages=sent["messages"]).blocks
    assert block.pieces == tuple(tokens.split(generation.default_text(sent)))


@given(st.text(max_size=80))
@settings(deadline=None)
def test_any_prompt_answer_splits_like_its_text(prompt: str) -> None:
    text = generation.default_text({"messages": [{"role": "user", "content": prompt}]})
    assert generation._answer(prompt) == tuple(tokens.split(text))


def test_no_token_can_span_two_sentence_parts() -> None:
    """What lets ``_answer`` reuse each literal part's tokens: parts meet only at white space."""
    for index, parts in enumerate(generation._SENTENCE_PARTS):
        texts = [
            f"{part.space}{{{part.name}}}" if isinstance(part, generation._Field) else "".join(part)
            for part in parts
        ]
        assert not any(text[-1].isspace() for text in texts), texts
        following = texts if index else texts[1:]  # sentences after the first follow a space
        assert all(text[0].isspace() for text in following), texts


def test_a_plain_request_is_remembered_and_answered_as_any_other() -> None:
    sent = body(messages=[{"role": "user", "content": "Tell me about remembering answers"}])
    first = generate(sent, None, IdSource().next)
    assert generate(json.loads(json.dumps(sent)), None, IdSource().next) is first
    text = [{"type": "text", "text": "Tell me about remembering answers"}]
    as_blocks = generate(body(messages=[{"role": "user", "content": text}]), None, IdSource().next)
    assert as_blocks == first and as_blocks is not first  # a shape without a key: made afresh
    with_stops = {**sent, "stop_sequences": ["zzz"]}  # another shape: generated afresh
    assert generate(with_stops, None, IdSource().next) is not first


def test_a_refusal_is_never_shared() -> None:
    """Its ``stop_details`` is a dict the caller may change."""
    sent = body(messages=[{"role": "user", "content": generation.REFUSAL_TRIGGER}])
    first = generate(sent, None, IdSource().next)
    assert first.stop_details is not generate(sent, None, IdSource().next).stop_details


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"$ref": "https://example.com/s.json"}}},
        {"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}},
        {"type": "object", "properties": {"a": {"type": "no-such-type"}}},
    ],
    ids=["remote-ref", "bad-pattern", "bad-type"],
)
def test_a_schema_the_fake_cannot_check_offline_lets_the_scripted_call_through(
    schema: dict[str, Any],
) -> None:
    tool = {"name": "t", "description": "d", "input_schema": schema}
    reply = make_reply(tool_use={"name": "t", "input": {"a": 1}})
    made = generate(body(tools=[tool]), reply, IdSource().next)
    assert [b.input for b in made.blocks if b.type == "tool_use"] == [{"a": 1}]


def test_scripted_inputs_are_checked_against_local_refs_but_not_formats() -> None:
    schema = {
        "type": "object",
        "$defs": {"city": {"type": "string", "format": "email"}},
        "properties": {"city": {"$ref": "#/$defs/city"}},
    }
    tool = {"name": "t", "description": "d", "input_schema": schema}
    ok = make_reply(tool_use={"name": "t", "input": {"city": "Oslo"}})  # not an email: fine
    assert generate(body(tools=[tool]), ok, IdSource().next).stop_reason == "tool_use"
    wrong = make_reply(tool_use={"name": "t", "input": {"city": 5}})
    with pytest.raises(ApiError, match=r"input\.city must be string"):
        generate(body(tools=[tool]), wrong, IdSource().next)
