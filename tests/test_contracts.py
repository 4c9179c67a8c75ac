"""The fake keeps to machine-readable contracts a request sets up, through the real SDK.

Code written against the live API parses what it asked for: the JSON its prefill
opened, the tag it opened, a bare SQL query, a tool call when it offered a tool
that fits. Each test below is such code, run offline.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

import anthropic
import pytest

from lessonkit import models
from lessonkit.exercises import harness
from lessonkit.fakeapi.app import FakeAPI
from lessonkit.fakeapi.facts import facts

PREFILL = next(m for m in models.KNOWN if facts(m).prefill)
WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City and state"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location", "unit"],
    },
}
TIME = {
    "name": "get_time",
    "description": "Get the current time in a given time zone or city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
CALCULATOR = {
    "name": "calculator",
    "description": "A simple calculator that performs basic arithmetic operations.",
    "input_schema": {
        "type": "object",
        "properties": {"expression": {"type": "string"}},
        "required": ["expression"],
    },
}


@pytest.fixture
def client(lessonkit_api: FakeAPI) -> anthropic.Anthropic:
    """A real client on the fake, no retries: each call is one request (cheap to build, as
    the checkers build theirs)."""
    return harness.client(max_retries=0)


def _create(client: anthropic.Anthropic, text: str, **options: Any) -> anthropic.types.Message:
    options.setdefault("model", PREFILL)
    messages = [{"role": "user", "content": text}, *options.pop("then", [])]
    return client.messages.create(max_tokens=1000, messages=messages, **options)


def _text(message: anthropic.types.Message) -> str:
    return "".join(b.text for b in message.content if b.type == "text")


def _calls(message: anthropic.types.Message) -> list[tuple[str, object]]:
    return [(b.name, b.input) for b in message.content if b.type == "tool_use"]


def test_a_json_prefill_is_closed_into_valid_json(client: anthropic.Anthropic) -> None:
    message = _create(
        client, "Give me a person as JSON.", then=[{"role": "assistant", "content": "{"}]
    )
    assert isinstance(json.loads("{" + _text(message)), dict)


def test_an_open_tag_is_closed_and_a_stop_sequence_cuts_before_it(
    client: anthropic.Anthropic,
) -> None:
    prefill = [{"role": "assistant", "content": "Here is the summary: <summary>"}]
    closed = _text(_create(client, "Summarise the report.", then=prefill))
    assert closed.endswith("</summary>") and "<summary>" not in closed
    cut = _create(client, "Summarise the report.", then=prefill, stop_sequences=["</summary>"])
    assert cut.stop_reason == "stop_sequence" and cut.stop_sequence == "</summary>"
    assert _text(cut) == closed.removesuffix("</summary>")


def test_bare_sql_runs_against_the_schema_in_the_prompt(client: anthropic.Anthropic) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE employees (id INTEGER, name TEXT, department TEXT, salary INTEGER)")
    db.executemany(
        "INSERT INTO employees VALUES (?, ?, ?, ?)",
        [(1, "Jane", "Engineering", 75000), (2, "Mike", "Sales", 60000)],
    )
    prompt = (
        "Here is the schema:\nCREATE TABLE employees (\nid INTEGER\nname TEXT\ndepartment TEXT\n"
        "salary INTEGER\n)\nOnly output the SQL query and nothing else.\n\n"
        "Question: What are the names and salaries of employees in the Engineering department?"
    )
    query = _text(_create(client, prompt))
    assert query.startswith("SELECT ")
    assert db.execute(query).fetchall() == [("Jane", 75000)]


def test_auto_calls_a_tool_that_fits_with_the_prompts_values(client: anthropic.Anthropic) -> None:
    message = _create(
        client, "What's the weather like in San Francisco in celsius?", tools=[WEATHER]
    )
    assert message.stop_reason == "tool_use"
    assert [b.type for b in message.content] == ["text", "tool_use"]  # a sentence, then the call
    assert _calls(message) == [("get_weather", {"location": "San Francisco", "unit": "celsius"})]


def test_arithmetic_reaches_a_calculator(client: anthropic.Anthropic) -> None:
    message = _create(client, "What is 1984135 * 9343116?", tools=[CALCULATOR])
    assert _calls(message) == [("calculator", {"expression": "1984135 * 9343116"})]


def test_parallel_calls_unless_disabled(client: anthropic.Anthropic) -> None:
    prompt = "What's the weather and the time in Paris?"
    both = _create(client, prompt, tools=[WEATHER, TIME])
    assert [name for name, _ in _calls(both)] == ["get_weather", "get_time"]
    assert _calls(both)[1] == ("get_time", {"city": "Paris"})
    one = _create(
        client, prompt, tools=[WEATHER, TIME],
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
    )  # fmt: skip
    assert [name for name, _ in _calls(one)] == ["get_weather"]


@pytest.mark.parametrize("prompt", ["Hello there", "Tell me a joke"])
def test_no_tool_when_none_fits(client: anthropic.Anthropic, prompt: str) -> None:
    message = _create(client, prompt, tools=[WEATHER, CALCULATOR])
    assert message.stop_reason == "end_turn" and _calls(message) == []


def test_a_tool_result_is_answered_in_words(client: anthropic.Anthropic) -> None:
    first = _create(client, "Weather in Oslo?", tools=[WEATHER])
    use = next(b for b in first.content if b.type == "tool_use")
    result = {"type": "tool_result", "tool_use_id": use.id, "content": "3°C, snow"}
    then = [
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [result]},
    ]
    second = _create(client, "Weather in Oslo?", tools=[WEATHER], then=then)
    assert second.stop_reason == "end_turn" and "3°C, snow" in _text(second)


def test_same_request_same_answer_and_stream_equals_message(client: anthropic.Anthropic) -> None:
    prompt = "What's the weather and the time in Paris?"
    first, again = (_create(client, prompt, tools=[WEATHER, TIME]) for _ in range(2))
    assert _calls(first) == _calls(again) and _text(first) == _text(again)
    with client.messages.stream(
        model=PREFILL, max_tokens=1000, tools=[WEATHER, TIME],  # type: ignore[list-item]
        messages=[{"role": "user", "content": prompt}],
    ) as stream:  # fmt: skip
        streamed = stream.get_final_message()
    assert _calls(streamed) == _calls(first) and _text(streamed) == _text(first)


def test_forced_choice_and_json_schema_keep_their_own_contract(client: anthropic.Anthropic) -> None:
    forced = _create(
        client, "Only output the SQL query. CREATE TABLE t (a INTEGER)", tools=[CALCULATOR],
        tool_choice={"type": "tool", "name": "calculator"},
    )  # fmt: skip
    assert [b.type for b in forced.content] == ["tool_use"]


def test_tags_the_prompt_asks_for_hold_json_when_json_is_asked(
    client: anthropic.Anthropic,
) -> None:
    prompt = (
        "Give me a JSON dict of athletes and their sports. Put it in <athlete_sports> tags. "
        "Then put one more dictionary in <athlete_name> tags."
    )
    text = _text(_create(client, prompt))
    for tag in ("athlete_sports", "athlete_name"):
        inner = re.findall(f"<{tag}>(.+?)</{tag}>", text, re.DOTALL)
        assert len(inner) == 1 and isinstance(json.loads(inner[0]), dict)
    plain = _text(_create(client, "Write a haiku about rain in <poem></poem> tags."))
    assert re.fullmatch(r"<poem>\n[^<]+\n</poem>", plain)


@pytest.mark.parametrize("word", ['"JSON"', "json", "jſon"])  # "ſ" matches "s" case-blind
def test_a_request_for_json_gets_a_json_object(client: anthropic.Anthropic, word: str) -> None:
    text = _text(_create(client, f"Give me a {word} dict with names of famous athletes."))
    assert isinstance(json.loads(text), dict)


def test_a_layout_the_prompt_ends_with_is_filled_in(client: anthropic.Anthropic) -> None:
    prompt = (
        "First, in <planning> tags, think it through. Then write a test case; the output "
        "format should be like the below:\n<variables>\n<question>\n[a full question]\n"
        "</question>\n</variables>"
    )
    text = _text(_create(client, prompt))
    assert re.search(r"<planning>\n[^<\[]+\n</planning>", text)
    assert re.search(r"<variables>\n<question>\n[^<\[]+\n</question>\n</variables>$", text)


def test_the_tool_named_most_wins_over_one_that_shares_a_word(
    client: anthropic.Anthropic,
) -> None:
    def tool(name: str, description: str) -> dict[str, Any]:
        schema = {"type": "object", "properties": {"order_id": {"type": "string"}}}
        return {"name": name, "description": description, "input_schema": schema}

    tools = [tool("get_order_details", "Details of an order"), tool("cancel_order", "Cancel it")]
    message = _create(client, "Please cancel order O1 for me.", tools=tools)
    assert _calls(message) == [("cancel_order", {"order_id": "O1"})]


def test_two_tools_naming_the_same_word_do_not_both_fire(client: anthropic.Anthropic) -> None:
    schema = {"type": "object", "properties": {"order_id": {"type": "string"}}}
    tools = [
        {"name": "get_order_details", "description": "Details of an order", "input_schema": schema},
        {"name": "cancel_order", "description": "Cancel an order", "input_schema": schema},
    ]
    message = _create(client, "What is the status of order O2?", tools=tools)
    assert _calls(message) == [("get_order_details", {"order_id": "O2"})]


ROUTER = (
    "Analyze the input and select the most appropriate support team from these options: "
    "['billing', 'technical', 'account', 'product']\n"
    "First explain your reasoning, then provide your selection in this XML format:\n\n"
    "<reasoning>\nBrief explanation of why this ticket goes to a team.\n</reasoning>\n\n"
    "<selection>\nThe chosen team name\n</selection>\n\nInput: {ticket}"
)


@pytest.mark.parametrize(
    ("ticket", "team"),
    [
        ("I can't log in to my account, it says invalid password.", "account"),
        ("My technical setup crashes on start.", "technical"),
        ("Hello, there is an odd charge on my card.", "billing"),  # nothing named: the first
    ],
)
def test_a_listed_set_of_answers_fills_the_answer_tag_of_the_layout(
    client: anthropic.Anthropic, ticket: str, team: str
) -> None:
    text = _text(_create(client, ROUTER.format(ticket=ticket), model=models.DEFAULT))
    reasoning = re.search(r"<reasoning>(.*?)</reasoning>", text, re.DOTALL)
    selection = re.search(r"<selection>(.*?)</selection>", text, re.DOTALL)
    assert reasoning and reasoning.group(1).strip() not in ("", team)
    assert selection and selection.group(1).strip() == team


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        ("Classify the review as one of: positive, negative or neutral. Reply with only "
         "the label.\n\nReview: a negative experience, sadly.", "negative"),
        ('Is this spam? Answer "YES" or "NO" and only the answer word.', "YES"),
        ("Label the comment as one of: ok, spam, abusive. Answer with the label only.\n"
         "Buy cheap watches, spam spam!", "spam"),
    ],
)  # fmt: skip
def test_a_prompt_that_wants_only_the_option_gets_only_an_option(
    client: anthropic.Anthropic, prompt: str, answer: str
) -> None:
    assert _text(_create(client, prompt, model=models.DEFAULT)) == answer


def test_listed_options_without_a_request_for_only_the_answer_change_nothing(
    client: anthropic.Anthropic,
) -> None:
    prompt = "Tell me about the options: red, green or blue."
    assert _text(_create(client, prompt)) not in ("red", "green", "blue")
    prose = "Reply with only the answer. Options: mostly this one, or " + "on and " * 9 + "on"
    assert _text(_create(client, prose)) != "mostly this one"  # prose, not a list of answers


def test_a_prefill_that_opens_nothing_is_followed_by_the_tags_asked_for(
    client: anthropic.Anthropic,
) -> None:
    prompt = (
        "Give me a JSON dict with the names of 5 famous athletes & their sports.\n"
        "Put this dictionary in <athlete_sports> tags.\n\nThen, for each athlete, output an "
        "additional JSON dictionary.\nPut each of these additional dictionaries in separate "
        "<athlete_name> tags."
    )
    prefill = [{"role": "assistant", "content": "Here is the JSON requested:"}]
    text = _text(_create(client, prompt, then=prefill))
    assert text.startswith("\n<athlete_sports>")
    for tag in ("athlete_sports", "athlete_name"):
        found = re.findall(f"<{tag}>(.+?)</{tag}>", text, re.DOTALL)
        assert found and all(isinstance(json.loads(f), dict) for f in found)


def test_dependent_asks_get_one_call_per_turn_first_named_first(
    client: anthropic.Anthropic,
) -> None:
    """Claude issues dependent calls across separate turns (Anthropic, Parallel tool use)."""
    prompt = "Find the time in Paris, then tell me the weather there."
    message = _create(client, prompt, tools=[WEATHER, TIME])
    assert [name for name, _ in _calls(message)] == ["get_time"]
