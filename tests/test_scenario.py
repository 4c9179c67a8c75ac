"""Scenario files: replies, faults and batch outcomes scripted from outside a notebook."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic
import pytest

from lessonkit import models, offline
from lessonkit.scenario import ScenarioAPI, ScenarioError, beside, load, locate, parse


def _ask(client: anthropic.Anthropic, text: str) -> anthropic.types.Message:
    turn = {"role": "user", "content": text}
    return client.messages.create(model=models.FAST, max_tokens=300, messages=[turn])


def _text(message: anthropic.types.Message) -> str:
    return "".join(b.text for b in message.content if b.type == "text")


def test_replies_answer_matching_requests_only(tmp_path: Path) -> None:
    path = tmp_path / "nb.lessonkit.yaml"
    path.write_text("replies:\n  - match: capital\n    text: Paris.\n    times: 1\n")
    with offline(ScenarioAPI(load(path))):
        client = anthropic.Anthropic()
        assert _text(_ask(client, "What is the capital of France?")) == "Paris."
        assert _text(_ask(client, "What is the capital of Peru?")) != "Paris."  # times: 1


def test_a_fault_fires_once_then_the_retry_gets_the_reply() -> None:
    scenario = parse(
        {"faults": [{"match": "sum", "status": 529, "times": 1}],
         "replies": [{"match": "sum", "text": "Short."}]},
        "inline",
    )  # fmt: skip
    with offline(ScenarioAPI(scenario)) as api:
        message = _ask(anthropic.Anthropic(), "Please sum this up")
        assert _text(message) == "Short."
        assert [r.status for r in api.requests] == [529, 200]


def test_model_pattern_and_tool_use() -> None:
    weather = {"name": "get_weather", "input": {"city": "Oslo"}}
    scenario = parse({"replies": [{"model": "haiku", "tool_use": weather}]}, "inline")
    tool = {
        "name": "get_weather",
        "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
    with offline(ScenarioAPI(scenario)):
        message = anthropic.Anthropic().messages.create(
            model=models.FAST, max_tokens=300, tools=[tool],  # type: ignore[list-item]
            messages=[{"role": "user", "content": "Hi"}],
        )  # fmt: skip
    assert message.stop_reason == "tool_use"
    assert [b.input for b in message.content if b.type == "tool_use"] == [{"city": "Oslo"}]


def test_batch_outcomes_by_custom_id_glob() -> None:
    scenario = parse({"batches": [{"custom_id": "row-*", "outcome": "errored"}]}, "inline")
    with offline(ScenarioAPI(scenario)) as api:
        client = anthropic.Anthropic()
        params = {"model": models.FAST, "max_tokens": 50,
                  "messages": [{"role": "user", "content": "Hi"}]}  # fmt: skip
        batch = client.messages.batches.create(
            requests=[{"custom_id": "row-1", "params": params},  # type: ignore[list-item]
                      {"custom_id": "other", "params": params}]  # type: ignore[list-item]
        )  # fmt: skip
        api.clock.advance(3600)
        results = {r.custom_id: r.result.type for r in client.messages.batches.results(batch.id)}
    assert results == {"row-1": "errored", "other": "succeeded"}


@pytest.mark.parametrize(
    ("data", "wording"),
    [
        ({"replys": []}, "top level: Additional properties are not allowed ('replys'"),
        ({"replies": [{"txt": "x"}]}, "replies[0]: Additional properties are not allowed"),
        ({"faults": [{"status": 200}]}, "faults[0]: fail_next() makes requests fail"),
        ({"replies": [{"stop_reason": "bogus"}]}, "replies[0]:"),
        ({"replies": [{"match": "("}]}, "replies[0]: '(' is not a regular expression"),
        ({"batches": [{"custom_id": "a", "outcome": "won"}]}, "batches[0].outcome:"),
    ],
)
def test_invalid_files_name_the_entry(data: object, wording: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse(data, "nb.lessonkit.yaml")
    assert str(caught.value).startswith("nb.lessonkit.yaml: ")
    assert wording in str(caught.value)


def test_load_json_yaml_and_unreadable(tmp_path: Path) -> None:
    (tmp_path / "a.lessonkit.json").write_text(json.dumps({"replies": [{"text": "x"}]}))
    assert len(load(tmp_path / "a.lessonkit.json").replies) == 1
    (tmp_path / "b.lessonkit.yaml").write_text("replies: [\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load(tmp_path / "b.lessonkit.yaml")
    (tmp_path / "c.lessonkit.json").write_text("{")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        load(tmp_path / "c.lessonkit.json")
    with pytest.raises(ScenarioError, match="cannot read"):
        load(tmp_path / "missing.yaml")
    (tmp_path / "empty.lessonkit.yaml").write_text("")
    assert load(tmp_path / "empty.lessonkit.yaml").replies == []


def test_locate_prefers_the_explicit_file_then_the_notebooks_neighbour(tmp_path: Path) -> None:
    (tmp_path / "nb.lessonkit.yml").write_text("{}")
    assert beside(tmp_path / "nb.ipynb") == tmp_path / "nb.lessonkit.yml"
    assert beside(tmp_path / "other.ipynb") is None
    assert locate({"LESSONKIT_SCENARIO": "x.yaml"}) == Path("x.yaml")
    assert locate({"JPY_SESSION_NAME": "nb.ipynb"}, cwd=tmp_path) == tmp_path / "nb.lessonkit.yml"
    assert locate({"LESSONKIT_NOTEBOOK": str(tmp_path / "other.ipynb")}) is None
    assert locate({}) is None


def test_an_invalid_scenario_fails_every_request_naming_it() -> None:
    with offline(ScenarioAPI(problem="nb.lessonkit.yaml: replies[0]: bad")):
        with pytest.raises(anthropic.InternalServerError, match="scenario file is invalid"):
            _ask(anthropic.Anthropic(max_retries=0), "Hi")
